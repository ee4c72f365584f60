#include "server/log_api.h"

#include <signal.h>
#include <unistd.h>

#include "base/process.h"
#include "base/strings.h"

namespace berth::server {

void AddLogRoutes(AdminApi& api, app::AppService& apps, app::ContainerManager& containers) {
  api.AddRaw("GET", "/api/v1/apps/logs", [&apps, &containers](const AdminRequest& req) {
    auto path = req.query.find("path");
    if (path == req.query.end() || path->second.empty()) {
      return AdminApi::ErrorResponse(Status::InvalidArgument("an app path is required"));
    }
    auto record = apps.Find(path->second);
    if (!record.ok()) return AdminApi::ErrorResponse(record.status());
    long long lines = 100;
    if (auto it = req.query.find("lines"); it != req.query.end()) {
      if (!ParseInt(it->second, &lines) || lines < 0) {
        return AdminApi::ErrorResponse(Status::InvalidArgument("lines must be a number"));
      }
    }
    bool follow = req.query.count("follow") && req.query.at("follow") == "true";
    AdminResponse resp;
    resp.content_type = "text/plain; charset=utf-8";
    if (!follow) {
      auto logs = containers.Logs(record->id, static_cast<int>(lines));
      if (!logs.ok()) return AdminApi::ErrorResponse(logs.status());
      resp.body = std::move(*logs);
      return resp;
    }
    auto cmd = containers.FollowLogsCommand(record->id, static_cast<int>(lines));
    if (!cmd.ok()) return AdminApi::ErrorResponse(cmd.status());
    SpawnOptions o;
    o.argv = cmd->argv;
    o.env = cmd->env;
    o.stdout_to = Redirect::Pipe();
    o.stderr_to = Redirect::ToStdout();
    auto child = ChildProcess::Spawn(o);
    if (!child.ok()) return AdminApi::ErrorResponse(child.status());
    resp.stream_fd = child->TakeStdout();
    auto owned = std::make_shared<ChildProcess>(std::move(*child));
    // When the client goes away, the follower is stopped (and reaped by its destructor).
    resp.on_close = [owned]() mutable {
      owned->Signal(SIGTERM);
      owned->WaitFor(std::chrono::seconds(2));
      owned.reset();
    };
    return resp;
  });
}

}  // namespace berth::server
