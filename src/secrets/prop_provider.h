// PropProvider (`[secret.prop*]`): secrets from a properties file of `key = value` lines.
// Keys join with ".": {{secret "prop_local" "db" "pass"}} reads `db.pass`.
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <mutex>

#include "secrets/secret_provider.h"

namespace berth::secrets {

// Parses a properties file: one `key = value` per line (spaces around both trimmed; the value
// is everything after the first "="), blank lines and lines starting with "#" ignored; a later
// key replaces an earlier one. A line without "=" or with an empty key is InvalidArgument
// "<file>:<line>: expected key = value", which never quotes the line (it may hold a secret).
Result<std::map<std::string, std::string>> ParseProperties(const std::string& text,
                                                           const std::string& file);

class PropProvider : public SecretProvider {
 public:
  // Keys of `config`: file_name (required, absolute after $BERTH_HOME/~ expansion by the
  // caller), keys_printf. The file is not read here: a missing file fails the Get that needs it.
  static Result<std::unique_ptr<SecretProvider>> Create(const std::string& name,
                                                        const ProviderConfig& config);

  // Re-reads the file when its modification time or size changed since the last read.
  Result<std::string> Get(const std::vector<std::string>& keys) override;
  const std::string& name() const override { return name_; }

 private:
  PropProvider(std::string name, std::string file, std::string keys_printf)
      : name_(std::move(name)), file_(std::move(file)), keys_printf_(std::move(keys_printf)) {}

  const std::string name_;
  const std::string file_;
  const std::string keys_printf_;

  std::mutex mu_;
  // guarded by mu_: the last parse and the file's identity when read
  bool loaded_ = false;
  struct timespec mtime_ = {};
  off_t size_ = -1;
  ino_t inode_ = 0;
  std::map<std::string, std::string> values_;
};

}  // namespace berth::secrets
