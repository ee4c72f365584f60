#include "secrets/prop_provider.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "base/files.h"
#include "base/strings.h"
#include "secrets/env_provider.h"

namespace berth::secrets {

Result<std::map<std::string, std::string>> ParseProperties(const std::string& text,
                                                           const std::string& file) {
  std::map<std::string, std::string> out;
  int line_no = 0;
  for (const std::string& raw : Split(text, '\n')) {
    ++line_no;
    std::string_view line = Trim(raw);
    if (line.empty() || line.front() == '#') continue;
    size_t eq = line.find('=');
    std::string_view key = eq == std::string_view::npos ? "" : Trim(line.substr(0, eq));
    if (key.empty()) {
      return Status::InvalidArgument(file + ":" + std::to_string(line_no) +
                                     ": expected key = value");
    }
    out[std::string(key)] = std::string(Trim(line.substr(eq + 1)));
  }
  return out;
}

Result<std::unique_ptr<SecretProvider>> PropProvider::Create(const std::string& name,
                                                             const ProviderConfig& config) {
  BERTH_RETURN_IF_ERROR(CheckProviderKeys(name, config, {"file_name", "keys_printf"}));
  auto file = config.find("file_name");
  if (file == config.end() || file->second.empty()) {
    return Status::InvalidArgument("[secret." + name + "]: file_name is required");
  }
  if (file->second.front() != '/') {
    return Status::InvalidArgument("[secret." + name + "]: file_name \"" + file->second +
                                   "\" is not an absolute path");
  }
  auto fmt = config.find("keys_printf");
  return std::unique_ptr<SecretProvider>(
      new PropProvider(name, file->second, fmt == config.end() ? "" : fmt->second));
}

Result<std::string> PropProvider::Get(const std::vector<std::string>& keys) {
  BERTH_ASSIGN_OR_RETURN(std::string key, JoinKeys(name_, keys, ".", keys_printf_));
  std::lock_guard lock(mu_);
  struct stat st {};
  if (::stat(file_.c_str(), &st) != 0) {
    return Status::Unavailable(SecretLabel(name_, key) + ": cannot read " + file_ + ": " +
                               std::strerror(errno));
  }
  bool changed = !loaded_ || st.st_mtim.tv_sec != mtime_.tv_sec ||
                 st.st_mtim.tv_nsec != mtime_.tv_nsec || st.st_size != size_ || st.st_ino != inode_;
  if (changed) {
    auto text = ReadFile(file_);
    if (!text.ok()) {
      return Status::Unavailable(SecretLabel(name_, key) + ": cannot read " +
                                 text.status().message());
    }
    auto parsed = ParseProperties(*text, file_);
    if (!parsed.ok()) return parsed.status().WithContext(SecretLabel(name_, key));
    values_ = std::move(*parsed);
    mtime_ = st.st_mtim;
    size_ = st.st_size;
    inode_ = st.st_ino;
    loaded_ = true;
  }
  auto it = values_.find(key);
  if (it == values_.end()) {
    return Status::NotFound(SecretLabel(name_, key) + ": no such key in " + file_);
  }
  return it->second;
}

}  // namespace berth::secrets
