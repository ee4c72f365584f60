// Admin endpoints for the spec library: list the specs with their params, show a spec's files.
#pragma once

#include "server/admin_api.h"
#include "spec/spec_library.h"

namespace berth::server {

// GET /api/v1/specs and GET /api/v1/specs/show?name=NAME.
void AddSpecRoutes(AdminApi& api, spec::SpecLibrary& specs);

}  // namespace berth::server
