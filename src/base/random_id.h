// Random names for temporary files, build folders and staging suffixes.
#pragma once

#include <cstddef>
#include <string>

namespace berth {

// Random bytes from the kernel (getrandom), as lowercase base32 (no padding) of `chars`
// characters. It needs no crypto library, so the command line links none.
std::string RandomId(size_t chars);

}  // namespace berth
