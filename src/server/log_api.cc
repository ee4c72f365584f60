#include "server/log_api.h"

#include <signal.h>
#include <unistd.h>

#include "base/process.h"
#include "base/strings.h"

namespace berth::server {

void AddLogRoutes(AdminApi& api, app::AppService& apps, app::ContainerAppRegistry& containers) {
  api.OnStream<admin::AppLogsRequest>(
      [&apps, &containers](const admin::AppLogsRequest& req, const Caller&) {
        if (req.path.empty()) {
          return AdminApi::ErrorResponse(Status::InvalidArgument("an app path is required"));
        }
        if (req.lines < 0) {
          return AdminApi::ErrorResponse(Status::InvalidArgument("--lines must not be negative"));
        }
        auto record = apps.Find(req.path);
        if (!record.ok()) return AdminApi::ErrorResponse(record.status());
        const int lines = static_cast<int>(std::min<int64_t>(req.lines, 1'000'000));
        AdminResponse resp;
        resp.content_type = "text/plain; charset=utf-8";
        if (!req.follow) {
          auto logs = containers.Logs(record->id, lines);
          if (!logs.ok()) return AdminApi::ErrorResponse(logs.status());
          resp.body = std::move(*logs);
          return resp;
        }
        auto cmd = containers.FollowLogsCommand(record->id, lines);
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
          owned->Signal(SIGTERM).IgnoreError("the follower may have exited by itself");
          (void)owned->WaitFor(std::chrono::seconds(2));
          owned.reset();
        };
        return resp;
      });
}

}  // namespace berth::server
