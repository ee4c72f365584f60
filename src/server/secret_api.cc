#include "server/secret_api.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace berth::server {

namespace {

constexpr size_t kMaxValueBytes = 1 << 20;

// OK when `provider` is a db* provider.
Status CheckStoreProvider(const secrets::SecretProviders& providers, const std::string& provider) {
  if (provider.empty()) return Status::InvalidArgument("a secret provider is required, e.g. db");
  if (providers.IsStoreProvider(provider)) return Status::Ok();
  const std::vector<std::string> names = providers.Names();
  std::string stores;
  for (const auto& n : names) {
    if (providers.IsStoreProvider(n)) stores += (stores.empty() ? "" : ", ") + n;
  }
  if (std::find(names.begin(), names.end(), provider) != names.end()) {
    return Status::InvalidArgument("secret provider \"" + provider +
                                   "\" is not the built-in store; berth secret manages the db* "
                                   "providers (" +
                                   stores + ")");
  }
  return Status::NotFound("no secret provider \"" + provider + "\"; the built-in store's are " +
                          stores + " (add more as [secret.db_<name>] in berth.toml)");
}

admin::SecretInfo ToProtocol(const secrets::SecretEntry& e) {
  return admin::SecretInfo{e.provider, e.name, e.created_at, e.updated_at};
}

}  // namespace

void AddSecretRoutes(AdminApi& api, secrets::SecretProviders& providers) {
  secrets::SecretProviders* p = &providers;
  api.On<admin::CreateSecretRequest>(
      [p](const admin::CreateSecretRequest& req, const Caller&) -> Result<admin::SecretsResponse> {
        BERTH_RETURN_IF_ERROR(CheckStoreProvider(*p, req.provider));
        if (req.value.size() > kMaxValueBytes) {
          return Status::InvalidArgument("secret value is larger than 1 MiB");
        }
        BERTH_ASSIGN_OR_RETURN(bool created, p->store()->Put(req.provider, req.name, req.value));
        spdlog::info("[secrets] {} secret {}/{}", created ? "created" : "updated", req.provider,
                     req.name);
        admin::SecretsResponse out;
        out.created = created;
        BERTH_ASSIGN_OR_RETURN(auto entries, p->store()->List(req.provider));
        for (const auto& e : entries) {
          if (e.name == req.name) out.secrets.push_back(ToProtocol(e));
        }
        return out;
      });
  api.On<admin::ListSecretsRequest>(
      [p](const admin::ListSecretsRequest& req, const Caller&) -> Result<admin::SecretsResponse> {
        if (!req.provider.empty()) BERTH_RETURN_IF_ERROR(CheckStoreProvider(*p, req.provider));
        if (!p->store()) return Status::FailedPrecondition("no secret store");
        BERTH_ASSIGN_OR_RETURN(auto entries, p->store()->List(req.provider));
        admin::SecretsResponse out;
        for (const auto& e : entries) out.secrets.push_back(ToProtocol(e));
        return out;
      });
  api.On<admin::ShowSecretRequest>(
      [p](const admin::ShowSecretRequest& req, const Caller&) -> Result<admin::SecretValue> {
        BERTH_RETURN_IF_ERROR(CheckStoreProvider(*p, req.provider));
        BERTH_ASSIGN_OR_RETURN(std::string value, p->store()->Get(req.provider, req.name));
        spdlog::info("[secrets] showed secret {}/{}", req.provider, req.name);
        return admin::SecretValue{req.provider, req.name, std::move(value)};
      });
  api.On<admin::DeleteSecretRequest>(
      [p](const admin::DeleteSecretRequest& req, const Caller&) -> Result<admin::SecretsResponse> {
        BERTH_RETURN_IF_ERROR(CheckStoreProvider(*p, req.provider));
        BERTH_RETURN_IF_ERROR(p->store()->Delete(req.provider, req.name));
        spdlog::info("[secrets] deleted secret {}/{}", req.provider, req.name);
        admin::SecretsResponse out;
        out.secrets.push_back(admin::SecretInfo{req.provider, req.name, "", ""});
        return out;
      });
  api.On<admin::RekeySecretsRequest>(
      [p](const admin::RekeySecretsRequest&, const Caller&) -> Result<admin::SecretsResponse> {
        if (!p->store()) return Status::FailedPrecondition("no secret store");
        BERTH_ASSIGN_OR_RETURN(int count, p->store()->Rekey());
        spdlog::info("[secrets] rekeyed: {} value(s) re-encrypted", count);
        admin::SecretsResponse out;
        out.rekeyed = count;
        return out;
      });
}

}  // namespace berth::server
