// The table of bundled spec files, generated at build time from appspecs/** by
// cmake/embed_specs.cmake (see the "Bundled specs" block of CMakeLists.txt).
#pragma once

#include <cstddef>

namespace berth::appspec::internal {

struct BundledFile {
  const char* spec;  // "python-flask"
  const char* name;  // "Containerfile", relative to the spec's folder
  const unsigned char* data;
  size_t size;
};

extern const BundledFile kBundledFiles[];
extern const size_t kBundledFileCount;

}  // namespace berth::appspec::internal
