#include "appspec/spec_library.h"

#include <fmt/format.h>

#include <set>

#include "appspec/starlark/suggest.h"

namespace berth::appspec {
namespace {

constexpr int kMaxFolderDepth = 8;

bool ValidName(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
         name.find('\0') == std::string::npos;
}

}  // namespace

SpecLibrary::SpecLibrary(std::string override_dir, const FileSystem* fs)
    : override_dir_(std::move(override_dir)) {
  if (fs == nullptr) {
    owned_fs_ = std::make_unique<RealFileSystem>();
    fs = owned_fs_.get();
  }
  fs_ = fs;
}

std::vector<std::string> SpecLibrary::Names() const {
  std::set<std::string> names;
  for (const auto& [name, files] : BundledSpecs()) names.insert(name);
  if (!override_dir_.empty()) {
    Result<std::vector<std::string>> entries = fs_->ListDir(override_dir_);
    if (entries.ok()) {
      for (const std::string& e : *entries) {
        if (ValidName(e) && e[0] != '.' && fs_->IsDir(override_dir_ + "/" + e)) names.insert(e);
      }
    }
  }
  return std::vector<std::string>(names.begin(), names.end());
}

Result<FileSet> SpecLibrary::Get(const std::string& name) const {
  if (ValidName(name) && !override_dir_.empty()) {
    std::string dir = override_dir_ + "/" + name;
    if (fs_->IsDir(dir)) return ReadFolder(dir);
  }
  if (ValidName(name)) {
    const auto& bundled = BundledSpecs();
    if (auto it = bundled.find(name); it != bundled.end()) return it->second;
  }
  std::vector<std::string> known = Names();
  std::string list;
  for (const std::string& n : known) list += (list.empty() ? "" : ", ") + n;
  return Status::NotFound(fmt::format("unknown spec \"{}\"{}; known specs: {}", name,
                                      starlark::DidYouMean(name, known), list));
}

Result<FileSet> SpecLibrary::ReadFolder(const std::string& root) const {
  FileSet files;
  // Breadth-first over (directory, relative prefix) pairs.
  std::vector<std::pair<std::string, std::string>> pending = {{root, ""}};
  for (int depth = 0; !pending.empty() && depth <= kMaxFolderDepth; ++depth) {
    std::vector<std::pair<std::string, std::string>> next;
    for (const auto& [dir, prefix] : pending) {
      BERTH_ASSIGN_OR_RETURN(std::vector<std::string> entries, fs_->ListDir(dir));
      for (const std::string& e : entries) {
        std::string path = dir + "/" + e;
        if (fs_->IsDir(path)) {
          next.emplace_back(path, prefix + e + "/");
        } else {
          BERTH_ASSIGN_OR_RETURN(files[prefix + e], fs_->ReadFile(path));
        }
      }
    }
    pending = std::move(next);
  }
  return files;
}

}  // namespace berth::appspec
