// Admin operations on the spec library: list the specs with their params, show a spec's files.
#pragma once

#include "appspec/spec_library.h"
#include "server/admin_api.h"

namespace berth::server {

void AddSpecRoutes(AdminApi& api, appspec::SpecLibrary& specs);

}  // namespace berth::server
