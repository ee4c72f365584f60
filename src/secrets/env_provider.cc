#include "secrets/env_provider.h"

#include <algorithm>
#include <cstdlib>
#include <memory>

#include "base/strings.h"

namespace berth::secrets {

Status CheckProviderKeys(const std::string& name, const ProviderConfig& config,
                         const std::vector<std::string>& allowed) {
  for (const auto& [key, value] : config) {
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    std::string hint = ClosestMatch(key, allowed);
    std::string known;
    for (const auto& a : allowed) known += (known.empty() ? "" : ", ") + a;
    return Status::InvalidArgument("[secret." + name + "]: unknown key " + key +
                                   (hint.empty() ? "" : " (did you mean " + hint + "?)") +
                                   "; known keys: " + (known.empty() ? "none" : known));
  }
  return Status::Ok();
}

Result<std::unique_ptr<SecretProvider>> EnvProvider::Create(const std::string& name,
                                                            const ProviderConfig& config,
                                                            Lookup lookup) {
  BERTH_RETURN_IF_ERROR(CheckProviderKeys(name, config, {"keys_printf"}));
  if (!lookup) {
    lookup = [](const std::string& var) -> std::optional<std::string> {
      const char* v = std::getenv(var.c_str());
      if (!v) return std::nullopt;
      return std::string(v);
    };
  }
  auto it = config.find("keys_printf");
  return std::unique_ptr<SecretProvider>(
      new EnvProvider(name, it == config.end() ? "" : it->second, std::move(lookup)));
}

Result<std::string> EnvProvider::Get(const std::vector<std::string>& keys) {
  BERTH_ASSIGN_OR_RETURN(std::string key, JoinKeys(name_, keys, "_", keys_printf_));
  std::optional<std::string> value = lookup_(key);
  if (!value) {
    return Status::NotFound(SecretLabel(name_, key) +
                            ": no such variable in the berth server's environment");
  }
  return *value;
}

}  // namespace berth::secrets
