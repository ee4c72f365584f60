// VaultProvider (`[secret.vault*]`): secrets from HashiCorp Vault's KV engine, version 1 or 2.
// Keys join with "/": {{secret "vault_prod" "secret/myapp/db"}} reads the secret at
// secret/myapp/db, which must hold exactly one key; its value is the secret.
//
// The KV version is found per read: GET /v1/sys/internal/ui/mounts/<path> names the mount and
// its version; when that is not allowed (403) or not there (404), /v1/<mount>/data/<rest>
// (v2) is tried, then /v1/<path> (v1). The token goes in X-Vault-Token.
//
// Transport: http:// or https:// (system CA store, plus `ca_file` if given; the server's
// certificate must match the address's host name). Each connect and each response has its own
// timeout. One connection per request: secrets are read when a container starts, not per
// HTTP request.
#pragma once

#include <chrono>
#include <memory>

#include "secrets/secret_provider.h"

namespace berth::secrets {

class VaultProvider : public SecretProvider {
 public:
  // Keys of `config`: address (required: http[s]://host[:port]), token (required), keys_printf,
  // ca_file (a PEM file of extra trusted CAs), connect_timeout_secs (default 5),
  // read_timeout_secs (default 10). Any other key, or a bad value, is InvalidArgument naming
  // `[secret.<name>]`. Nothing is contacted here.
  static Result<std::unique_ptr<SecretProvider>> Create(const std::string& name,
                                                        const ProviderConfig& config);

  // NotFound: no secret at the path. PermissionDenied: Vault refused the token (403).
  // Unavailable: Vault could not be reached, timed out, or its certificate did not verify (the
  // message names the address). InvalidArgument: the secret holds more or fewer than one key.
  Result<std::string> Get(const std::vector<std::string>& keys) override;
  const std::string& name() const override { return name_; }

  struct Settings {
    std::string address;  // as configured, for messages
    bool tls = false;
    std::string host;
    std::string port;
    std::string token;
    std::string keys_printf;
    std::string ca_file;
    std::chrono::milliseconds connect_timeout{5000};
    std::chrono::milliseconds read_timeout{10000};
  };

 private:
  VaultProvider(std::string name, Settings settings)
      : name_(std::move(name)), settings_(std::move(settings)) {}
  const std::string name_;
  const Settings settings_;
};

}  // namespace berth::secrets
