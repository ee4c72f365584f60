#include "secrets/secret_providers.h"

#include "secrets/prop_provider.h"
#include "secrets/vault_provider.h"

namespace berth::secrets {

std::string ProviderType(const std::string& name) {
  for (const char* type : {"env", "prop", "vault", "db"}) {
    if (name.starts_with(type)) return type;
  }
  return "";
}

Result<std::unique_ptr<SecretProviders>> SecretProviders::Create(Options options) {
  std::unique_ptr<SecretProviders> out(new SecretProviders());
  if (options.db) out->store_ = std::make_unique<SecretStore>(*options.db, options.key_file);
  if (!options.providers.count("env")) options.providers["env"] = {};
  if (options.db && !options.providers.count("db")) options.providers["db"] = {};
  for (const auto& [name, config] : options.providers) {
    std::string type = ProviderType(name);
    Result<std::unique_ptr<SecretProvider>> made = Status::Internal("unreached");
    if (type == "env") {
      made = EnvProvider::Create(name, config, options.env_lookup);
    } else if (type == "prop") {
      made = PropProvider::Create(name, config);
    } else if (type == "vault") {
      made = VaultProvider::Create(name, config);
    } else if (type == "db") {
      made = StoreProvider::Create(name, config, out->store_.get());
    } else {
      return Status::InvalidArgument(
          "[secret." + name +
          "]: unknown secret provider type: the name must start with env, "
          "prop, vault or db");
    }
    if (!made.ok()) return made.status();
    out->providers_[name] = std::move(*made);
  }
  out->default_provider_ = options.default_provider;
  if (!out->providers_.count(out->default_provider_)) {
    std::string names;
    for (const auto& n : out->Names()) names += (names.empty() ? "" : ", ") + n;
    return Status::InvalidArgument("security.default_secrets_provider \"" + out->default_provider_ +
                                   "\" is not a secret provider (" + names + ")");
  }
  return out;
}

Result<std::string> SecretProviders::Get(const std::string& provider,
                                         const std::vector<std::string>& keys) const {
  auto it = providers_.find(provider);
  if (it == providers_.end()) {
    std::string key;
    for (const auto& k : keys) key += (key.empty() ? "" : " ") + k;
    std::string names;
    for (const auto& n : Names()) names += (names.empty() ? "" : ", ") + n;
    return Status::NotFound(SecretLabel(provider, key) +
                            ": no such provider (configured: " + names + ")");
  }
  return it->second->Get(keys);
}

Result<std::string> SecretProviders::GetDefault(const std::vector<std::string>& keys) const {
  return Get(default_provider_, keys);
}

Result<std::string> SecretProviders::FromTemplateArgs(const std::vector<std::string>& args) const {
  if (args.empty()) {
    return Status::InvalidArgument(
        "secret needs a key: {{secret \"KEY\"}} or "
        "{{secret \"provider\" \"KEY\"}}");
  }
  if (args.size() == 1) return GetDefault(args);
  return Get(args[0], std::vector<std::string>(args.begin() + 1, args.end()));
}

std::vector<std::string> SecretProviders::Names() const {
  std::vector<std::string> out;
  for (const auto& [name, p] : providers_) out.push_back(name);
  return out;
}

bool SecretProviders::IsStoreProvider(const std::string& name) const {
  return providers_.count(name) && ProviderType(name) == "db";
}

}  // namespace berth::secrets
