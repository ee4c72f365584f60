#include "appspec/bundled_specs.h"

#include "appspec/spec_library.h"

namespace berth::appspec {

const std::map<std::string, FileSet>& BundledSpecs() {
  static const auto* specs = [] {
    auto* m = new std::map<std::string, FileSet>();
    for (size_t i = 0; i < internal::kBundledFileCount; ++i) {
      const internal::BundledFile& f = internal::kBundledFiles[i];
      (*m)[f.spec][f.name] = std::string(reinterpret_cast<const char*>(f.data), f.size);
    }
    return m;
  }();
  return *specs;
}

}  // namespace berth::appspec
