#include "server/admin_api.h"

#include <spdlog/spdlog.h>

namespace berth::server {

using nlohmann::json;

namespace {

struct StatusMapping {
  Status::Code code;
  int http;
};
constexpr StatusMapping kStatusTable[] = {
    {Status::Code::kOk, 200},
    {Status::Code::kInvalidArgument, 400},
    {Status::Code::kNotFound, 404},
    {Status::Code::kAlreadyExists, 409},
    {Status::Code::kFailedPrecondition, 409},
    {Status::Code::kUnavailable, 503},
    {Status::Code::kDeadlineExceeded, 504},
    {Status::Code::kIOError, 500},
    {Status::Code::kInternal, 500},
};

json AppsJson(const std::vector<app::AppInfo>& apps) {
  json arr = json::array();
  for (const auto& a : apps) arr.push_back(a.ToJson());
  return arr;
}

Result<json> ParseBody(const AdminRequest& req) {
  json body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return Status::InvalidArgument("request body is not valid JSON");
  return body;
}

}  // namespace

int HttpStatusFor(Status::Code code) {
  for (const auto& m : kStatusTable) {
    if (m.code == code) return m.http;
  }
  return 500;
}

AdminResponse AdminApi::ErrorResponse(const Status& status) {
  AdminResponse r;
  r.status = HttpStatusFor(status.code());
  r.body = json{{"error", {{"code", Status::CodeName(status.code())},
                           {"message", status.message()}}}}
               .dump();
  return r;
}

AdminApi::AdminApi(app::AppService& apps, std::function<json()> server_info) {
  Add("GET", "/api/v1/server", [server_info](const AdminRequest&) -> Result<json> {
    return server_info();
  });
  Add("POST", "/api/v1/apps", [&apps](const AdminRequest& req) -> Result<json> {
    BERTH_ASSIGN_OR_RETURN(json body, ParseBody(req));
    BERTH_ASSIGN_OR_RETURN(app::CreateRequest create, app::CreateRequest::FromJson(body));
    BERTH_ASSIGN_OR_RETURN(auto created, apps.Create(create));
    return json{{"apps", AppsJson(created)}, {"dry_run", create.dry_run}};
  });
  Add("GET", "/api/v1/apps", [&apps](const AdminRequest& req) -> Result<json> {
    auto glob = req.query.count("glob") ? req.query.at("glob") : "all";
    bool internal = req.query.count("internal") && req.query.at("internal") == "true";
    BERTH_ASSIGN_OR_RETURN(auto list, apps.List(glob, internal));
    return json{{"apps", AppsJson(list)}};
  });
  Add("DELETE", "/api/v1/apps", [&apps](const AdminRequest& req) -> Result<json> {
    if (!req.query.count("glob") || req.query.at("glob").empty()) {
      return Status::InvalidArgument("an app glob is required");
    }
    BERTH_ASSIGN_OR_RETURN(auto deleted, apps.Delete(req.query.at("glob")));
    return json{{"apps", AppsJson(deleted)}};
  });
}

void AdminApi::Add(std::string method, std::string path, JsonHandler handler) {
  routes_.push_back(Route{std::move(method), std::move(path), std::move(handler), nullptr});
}

void AdminApi::AddRaw(std::string method, std::string path, RawHandler handler) {
  routes_.push_back(Route{std::move(method), std::move(path), nullptr, std::move(handler)});
}

AdminResponse AdminApi::Handle(const AdminRequest& req) const {
  bool path_known = false;
  for (const auto& r : routes_) {
    if (r.path != req.path) continue;
    path_known = true;
    if (r.method != req.method) continue;
    if (r.raw) return r.raw(req);
    Result<json> result = r.json(req);
    if (!result.ok()) {
      spdlog::info("admin {} {}: {}", req.method, req.path, result.status().ToString());
      return ErrorResponse(result.status());
    }
    AdminResponse resp;
    resp.body = result->dump();
    return resp;
  }
  if (path_known) {
    AdminResponse resp = ErrorResponse(Status::InvalidArgument(
        "method " + req.method + " is not allowed on " + req.path));
    resp.status = 405;
    return resp;
  }
  return ErrorResponse(Status::NotFound("no admin endpoint " + req.path));
}

}  // namespace berth::server
