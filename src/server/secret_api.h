// Admin operations on the built-in secret store: create, list, show, delete, rekey
// (admin/protocol.h). Only db* providers hold values Berth manages; naming another provider is
// an error that says so. Logs names, never values.
#pragma once

#include "secrets/secret_providers.h"
#include "server/admin_api.h"

namespace berth::server {

// `providers` must outlive `api`.
void AddSecretRoutes(AdminApi& api, secrets::SecretProviders& providers);

}  // namespace berth::server
