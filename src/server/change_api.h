// Admin operations that change a running app or look at its history: param and metadata
// updates, reload, approve, promote, versions and the audit list (admin/protocol.h), served by
// the AppService. The caller's uid is recorded as the actor of every change.
#pragma once

#include "app/app_service.h"
#include "server/admin_api.h"

namespace berth::server {

void AddChangeRoutes(AdminApi& api, app::AppService& apps);

// "uid 1000", or "unknown" when the socket did not say.
std::string ActorOf(const Caller& caller);

}  // namespace berth::server
