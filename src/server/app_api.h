// Admin operations on apps: create, list, delete, restart (admin/protocol.h), served by the
// AppService.
#pragma once

#include "admin/protocol.h"
#include "app/app_service.h"
#include "server/admin_api.h"

namespace berth::server {

void AddAppRoutes(AdminApi& api, app::AppService& apps);

// The protocol's view of an app.
admin::AppInfo ToProtocol(const app::AppInfo& info);

}  // namespace berth::server
