// The spec library: the specs bundled in the binary (appspecs/<name>/ in the repo), overridden and
// extended by folders in an override directory ($BERTH_HOME/config/appspecs/<name>/).
//
// Thread-safe: nothing is cached; every call reads the override directory afresh (so a spec
// edited there is used by the next create or reload without a restart).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "appspec/file_set.h"
#include "appspec/file_system.h"

namespace berth::appspec {

// The specs compiled into the binary, by name.
const std::map<std::string, FileSet>& BundledSpecs();

class SpecLibrary {
 public:
  // `override_dir` may be "" or missing (then only the bundled specs exist). The override folder
  // is read at each call, so specs added there need no restart. `fs` (not owned) must outlive
  // the library; null means the real file system.
  explicit SpecLibrary(std::string override_dir, const FileSystem* fs = nullptr);

  // Every spec name, bundled or overriding, sorted.
  std::vector<std::string> Names() const;

  // The files of a spec: the override folder `<dir>/<name>/` (read recursively) when it exists,
  // which replaces the bundled spec of that name entirely, else the bundled spec. An unknown
  // name is NotFound: `unknown spec "x" (did you mean "y"?); known specs: a, b, ...`.
  Result<FileSet> Get(const std::string& name) const;

 private:
  Result<FileSet> ReadFolder(const std::string& dir) const;

  const std::string override_dir_;
  std::unique_ptr<FileSystem> owned_fs_;
  const FileSystem* fs_;
};

}  // namespace berth::appspec
