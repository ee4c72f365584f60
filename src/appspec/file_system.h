// The file-system seam the spec library reads override folders through: a real implementation
// on std::filesystem and an in-memory fake for tests.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/status.h"

namespace berth::appspec {

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  // Names of the entries directly inside `dir`, sorted; NotFound when it isn't a directory.
  virtual Result<std::vector<std::string>> ListDir(const std::string& dir) const = 0;
  virtual bool IsDir(const std::string& path) const = 0;
  // The whole contents of a regular file.
  virtual Result<std::string> ReadFile(const std::string& path) const = 0;
};

class RealFileSystem : public FileSystem {
 public:
  Result<std::vector<std::string>> ListDir(const std::string& dir) const override;
  bool IsDir(const std::string& path) const override;
  Result<std::string> ReadFile(const std::string& path) const override;
};

// Files by full path ('/'-separated); directories exist implicitly above every file.
class FakeFileSystem : public FileSystem {
 public:
  void AddFile(const std::string& path, std::string contents) {
    files_[path] = std::move(contents);
  }
  Result<std::vector<std::string>> ListDir(const std::string& dir) const override;
  bool IsDir(const std::string& path) const override;
  Result<std::string> ReadFile(const std::string& path) const override;

 private:
  std::map<std::string, std::string> files_;
};

}  // namespace berth::appspec
