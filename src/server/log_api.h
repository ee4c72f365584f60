// Admin endpoint for an app's container output: GET /api/v1/apps/logs?path=P&lines=N[&follow=true].
#pragma once

#include "app/app_service.h"
#include "app/container_manager.h"
#include "server/admin_api.h"

namespace berth::server {

void AddLogRoutes(AdminApi& api, app::AppService& apps, app::ContainerManager& containers);

}  // namespace berth::server
