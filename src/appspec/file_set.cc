#include "appspec/file_set.h"

namespace berth::appspec {

FileSet Overlay(const FileSet& spec, const FileSet& source) {
  FileSet out = source;
  for (const auto& [name, contents] : spec) out.emplace(name, contents);  // keeps source's
  return out;
}

}  // namespace berth::appspec
