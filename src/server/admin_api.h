// AdminApi: the admin endpoints. Every route goes through one wrapper that decodes the
// request, calls a handler returning a JSON value or a Status, and maps Status codes to HTTP
// statuses in one table.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/app_service.h"
#include "base/status.h"
#include "server/admin_server.h"

namespace berth::server {

// The HTTP status for a Status code (ok: 200).
int HttpStatusFor(Status::Code code);

class AdminApi {
 public:
  using JsonHandler = std::function<Result<nlohmann::json>(const AdminRequest&)>;
  using RawHandler = std::function<AdminResponse(const AdminRequest&)>;

  AdminApi(app::AppService& apps, std::function<nlohmann::json()> server_info);

  // Adds a route (exact method and path). Later issues add their endpoints here.
  void Add(std::string method, std::string path, JsonHandler handler);
  void AddRaw(std::string method, std::string path, RawHandler handler);

  AdminResponse Handle(const AdminRequest& req) const;

  // The JSON error body for a Status: {"error": {"code": "...", "message": "..."}}.
  static AdminResponse ErrorResponse(const Status& status);

 private:
  struct Route {
    std::string method;
    std::string path;
    JsonHandler json;
    RawHandler raw;
  };
  std::vector<Route> routes_;
};

}  // namespace berth::server
