#include "server/admin_api.h"

#include <spdlog/spdlog.h>

namespace berth::server {

AdminResponse AdminApi::ErrorResponse(const Status& status) {
  spdlog::info("[admin] {}", status.ToString());
  AdminResponse r;
  r.status = admin::HttpStatusFor(status.code());
  r.body = admin::Dump(admin::ErrorJson(status));
  return r;
}

void AdminApi::Add(std::string path, RawHandler handler) {
  routes_.push_back(Route{std::move(path), std::move(handler)});
}

AdminResponse AdminApi::Handle(const AdminRequest& req) const {
  for (const auto& r : routes_) {
    if (r.path != req.path) continue;
    if (req.method != "POST") {
      AdminResponse resp = ErrorResponse(
          Status::InvalidArgument("use POST for " + req.path + ", not " + req.method));
      resp.status = 405;
      return resp;
    }
    return r.handler(req);
  }
  return ErrorResponse(Status::NotFound("no admin operation " + req.path +
                                        " (is the berth client newer than the server?)"));
}

}  // namespace berth::server
