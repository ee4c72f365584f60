// Admin operation for an app's container output (admin::AppLogsRequest): the recent lines, or
// a stream that follows the container's log until the client goes away.
#pragma once

#include "app/app_service.h"
#include "app/container_app_registry.h"
#include "server/admin_api.h"

namespace berth::server {

void AddLogRoutes(AdminApi& api, app::AppService& apps, app::ContainerAppRegistry& containers);

}  // namespace berth::server
