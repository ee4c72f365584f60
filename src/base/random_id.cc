#include "base/random_id.h"

#include <sys/random.h>

#include <cerrno>
#include <cstdlib>

namespace berth {

namespace {

// Fills `buf` from getrandom(2), which blocks only until the kernel's pool is first seeded.
// A failure other than an interrupt leaves no safe source of names: it aborts, as running on
// with predictable names would be worse.
void FillRandom(unsigned char* buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = getrandom(buf + got, n - got, 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      std::abort();
    }
    got += static_cast<size_t>(r);
  }
}

}  // namespace

std::string RandomId(size_t chars) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  std::string out;
  out.reserve(chars);
  unsigned char buf[64];
  while (out.size() < chars) {
    FillRandom(buf, sizeof(buf));
    for (unsigned char b : buf) {
      if (out.size() == chars) break;
      out.push_back(kAlphabet[b & 31]);
    }
  }
  return out;
}

}  // namespace berth
