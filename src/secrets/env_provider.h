// EnvProvider (`[secret.env*]`): secrets from the server's own environment. Keys join with "_":
// {{secret "env" "DB" "PASS"}} reads $DB_PASS.
#pragma once

#include <functional>
#include <optional>

#include "secrets/secret_provider.h"

namespace berth::secrets {

class EnvProvider : public SecretProvider {
 public:
  // Reads a variable; the default reads the process environment (getenv).
  using Lookup = std::function<std::optional<std::string>(const std::string& name)>;

  // Keys of `config`: keys_printf (optional). Any other key is InvalidArgument.
  static Result<std::unique_ptr<SecretProvider>> Create(const std::string& name,
                                                        const ProviderConfig& config,
                                                        Lookup lookup = nullptr);

  Result<std::string> Get(const std::vector<std::string>& keys) override;
  const std::string& name() const override { return name_; }

 private:
  EnvProvider(std::string name, std::string keys_printf, Lookup lookup)
      : name_(std::move(name)), keys_printf_(std::move(keys_printf)), lookup_(std::move(lookup)) {}
  const std::string name_;
  const std::string keys_printf_;
  const Lookup lookup_;
};

// InvalidArgument naming `[secret.<name>]` and the first key of `config` not in `allowed`.
Status CheckProviderKeys(const std::string& name, const ProviderConfig& config,
                         const std::vector<std::string>& allowed);

}  // namespace berth::secrets
