// SecretProviders: every secret provider of the server, built from berth.toml's
// `[secret.<name>]` tables, and the one place `{{secret ...}}` asks for a value.
//
// The type of a provider is the prefix of its name: env* (EnvProvider), prop* (PropProvider),
// vault* (VaultProvider), db* (StoreProvider over the built-in SecretStore). Without a table of
// that name, "env" (the server's environment) and, given a database, "db" (the built-in store)
// exist anyway, so `{{secret "KEY"}}` works with the default default provider.
//
// Thread-safe after Create: Get may be called from any thread.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "secrets/env_provider.h"
#include "secrets/secret_provider.h"
#include "secrets/secret_store.h"
#include "store/database.h"

namespace berth::secrets {

class SecretProviders {
 public:
  struct Options {
    // [secret.<name>] tables: name -> {key -> value}. Paths in values are already expanded.
    std::map<std::string, ProviderConfig> providers;
    // security.default_secrets_provider: what {{secret "KEY"}} uses.
    std::string default_provider = "env";
    // The metadata database, for db* providers; null: no db* provider may be configured.
    store::Database* db = nullptr;
    // The built-in store's key file, $BERTH_HOME/config/secret.key.
    std::string key_file;
    // Tests: how env* providers read a variable (default: getenv).
    EnvProvider::Lookup env_lookup;
  };

  // Builds every provider. InvalidArgument, naming `[secret.<name>]`, for a name whose prefix
  // is no known type or a table with a bad or unknown key; also when default_provider names no
  // provider. Contacts nothing and reads no file.
  static Result<std::unique_ptr<SecretProviders>> Create(Options options);

  // {{secret "provider" "KEY" ...}}: the value from the named provider. NotFound naming the
  // provider when there is none of that name; otherwise the provider's own result.
  Result<std::string> Get(const std::string& provider, const std::vector<std::string>& keys) const;
  // {{secret "KEY" ...}}: Get from the default provider.
  Result<std::string> GetDefault(const std::vector<std::string>& keys) const;
  // The arguments of a template's {{secret ...}} as written: one argument is a key of the
  // default provider (GetDefault); two or more are a provider and its keys (Get), which is
  // also what {{secret_from ...}} always passes. No argument is InvalidArgument.
  Result<std::string> FromTemplateArgs(const std::vector<std::string>& args) const;

  const std::string& default_provider() const { return default_provider_; }
  // The provider names, sorted.
  std::vector<std::string> Names() const;
  // True when `name` is a db* provider (one whose values `berth secret ...` manages).
  bool IsStoreProvider(const std::string& name) const;
  // The built-in store; null without a database.
  SecretStore* store() const { return store_.get(); }

 private:
  SecretProviders() = default;
  std::unique_ptr<SecretStore> store_;
  std::map<std::string, std::unique_ptr<SecretProvider>> providers_;
  std::string default_provider_;
};

// The type a provider name selects: "env", "prop", "vault", "db", or "" for none.
std::string ProviderType(const std::string& name);

}  // namespace berth::secrets
