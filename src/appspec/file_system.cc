#include "appspec/file_system.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace berth::appspec {

Result<std::vector<std::string>> RealFileSystem::ListDir(const std::string& dir) const {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    return Status::NotFound(fmt::format("{} is not a directory", dir));
  std::vector<std::string> names;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    names.push_back(it->path().filename().string());
  }
  if (ec) return Status::IOError(fmt::format("listing {}: {}", dir, ec.message()));
  std::sort(names.begin(), names.end());
  return names;
}

bool RealFileSystem::IsDir(const std::string& path) const {
  std::error_code ec;
  return std::filesystem::is_directory(path, ec);
}

Result<std::string> RealFileSystem::ReadFile(const std::string& path) const {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError(fmt::format("cannot read {}", path));
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return Status::IOError(fmt::format("error reading {}", path));
  return out.str();
}

Result<std::vector<std::string>> FakeFileSystem::ListDir(const std::string& dir) const {
  if (!IsDir(dir)) return Status::NotFound(fmt::format("{} is not a directory", dir));
  std::string prefix = dir.empty() || dir.back() == '/' ? dir : dir + "/";
  std::set<std::string> names;
  for (const auto& [path, contents] : files_) {
    if (path.compare(0, prefix.size(), prefix) != 0) continue;
    std::string rest = path.substr(prefix.size());
    names.insert(rest.substr(0, rest.find('/')));
  }
  return std::vector<std::string>(names.begin(), names.end());
}

bool FakeFileSystem::IsDir(const std::string& path) const {
  std::string prefix = path.empty() || path.back() == '/' ? path : path + "/";
  auto it = files_.lower_bound(prefix);
  return it != files_.end() && it->first.compare(0, prefix.size(), prefix) == 0;
}

Result<std::string> FakeFileSystem::ReadFile(const std::string& path) const {
  auto it = files_.find(path);
  if (it == files_.end()) return Status::NotFound(fmt::format("{} not found", path));
  return it->second;
}

}  // namespace berth::appspec
