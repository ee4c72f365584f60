#include "admin/protocol.h"

namespace berth::admin {

using nlohmann::json;

std::string Dump(const json& j, int indent) {
  return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

std::string SocketPath(const std::string& home) { return home + "/run/berth.sock"; }

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
    {Status::Code::kPermissionDenied, 403},
    {Status::Code::kUnavailable, 503},
    {Status::Code::kDeadlineExceeded, 504},
    {Status::Code::kIOError, 500},
    {Status::Code::kInternal, 500},
};

}  // namespace

int HttpStatusFor(Status::Code code) {
  for (const auto& m : kStatusTable) {
    if (m.code == code) return m.http;
  }
  return 500;
}

json ErrorJson(const Status& status) {
  return json{
      {"error", {{"code", Status::CodeName(status.code())}, {"message", status.message()}}}};
}

Status StatusFromError(int http_status, std::string_view body) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_discarded() && j.contains("error") && j["error"].is_object()) {
    const json& e = j["error"];
    std::string code =
        e.contains("code") && e["code"].is_string() ? e["code"].get<std::string>() : "internal";
    std::string message = e.contains("message") && e["message"].is_string()
                              ? e["message"].get<std::string>()
                              : "unknown error";
    Status::Code c = Status::CodeFromName(code);
    return Status::FromCode(c == Status::Code::kOk ? Status::Code::kInternal : c, message);
  }
  return Status::Internal("the server answered " + std::to_string(http_status) + ": " +
                          std::string(body.substr(0, 200)));
}

std::string AppInfo::StateLine() const {
  std::string line = state;
  if (state == "failed" && build_held) {
    line += " (build not retried until the app changes or `berth app restart`)";
  } else if (state == "failed" && retry_in_secs > 0) {
    line += " (retrying in " + std::to_string(retry_in_secs) + "s)";
  }
  if (!error.empty()) line += ": " + error;
  return line;
}

std::string ServerInfo::AppUrl(const std::string& app_path) const {
  size_t colon = app_path.find(':');
  std::string domain = app_path.substr(0, colon);
  std::string path = colon == std::string::npos ? app_path : app_path.substr(colon + 1);
  if (https_port > 0) return "https://" + domain + ":" + std::to_string(https_port) + path;
  if (http_port > 0) return "http://" + domain + ":" + std::to_string(http_port) + path;
  return domain + path;
}

}  // namespace berth::admin
