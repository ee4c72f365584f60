#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>

#include "base/strings.h"
#include "cli/command.h"

namespace berth::cli {

namespace {

struct CreateFlags {
  std::string spec;
  std::vector<std::string> params, cargs, copts, cvols, confs;
  bool approve = false, dev = false, dry_run = false;
  std::string branch = "main", commit;
  std::string source, path;
};

// Parses repeated "k=v" flag values into a map ("k" alone only with allow_bare).
template <typename Map>
Status FillMap(const std::string& flag, const std::vector<std::string>& in, bool allow_bare,
               Map* out) {
  for (const auto& text : in) {
    std::string key;
    std::optional<std::string> value;
    BERTH_RETURN_IF_ERROR(ParseKeyValue(flag, text, allow_bare, &key, &value));
    if constexpr (std::is_same_v<typename Map::mapped_type, std::string>) {
      (*out)[key] = value.value_or("");
    } else {
      (*out)[key] = value;
    }
  }
  return Status::Ok();
}

Status PrintApps(const std::vector<admin::AppInfo>& apps, const std::string& format) {
  if (format == "json") {
    PrintJson(apps);
    return Status::Ok();
  }
  std::vector<std::vector<std::string>> rows = {
      {"PATH", "TYPE", "VERSION", "SPEC", "SOURCE", "STATE"}};
  for (const auto& a : apps) {
    rows.push_back({a.path, a.type, std::to_string(a.version), a.spec, a.source, a.StateLine()});
  }
  std::fputs(FormatTable(rows).c_str(), stdout);
  return Status::Ok();
}

// `app list -f json`: the server's list printed as it came, laid out in one pass: thousands
// of apps without a tree of them (decoding the answer and encoding it again took most of the
// command's time).
Status PrintAppsJson(const admin::ListAppsRequest& req) {
  BERTH_ASSIGN_OR_RETURN(std::string body, Client().CallText(req));
  auto apps = admin::JsonMemberText(body, "apps");
  if (!apps || !apps->starts_with('[')) {
    return Status::Internal("the server's app list has no apps array");
  }
  PrintJsonText(*apps);
  return Status::Ok();
}

Status PrintVolumes(const std::vector<admin::VolumeInfo>& volumes, const std::string& format) {
  if (format == "json") {
    PrintJson(volumes);
    return Status::Ok();
  }
  std::vector<std::vector<std::string>> rows = {
      {"PATH", "TYPE", "DESTINATION", "KIND", "VOLUME OR HOST PATH", "OPTIONS", "EXISTS"}};
  for (const auto& v : volumes) {
    rows.push_back({v.path, v.type, v.destination.empty() ? "(unmounted)" : v.destination, v.kind,
                    v.source, v.options.empty() ? "-" : v.options,
                    v.kind == "volume" ? (v.exists ? "yes" : "no") : "-"});
  }
  std::fputs(FormatTable(rows).c_str(), stdout);
  return Status::Ok();
}

Status ListVolumes(const std::string& glob, const std::string& format) {
  BERTH_RETURN_IF_ERROR(CheckFormat(format));
  BERTH_ASSIGN_OR_RETURN(admin::VolumesResponse res,
                         Client().Call(admin::ListVolumesRequest{glob}));
  return PrintVolumes(res.volumes, format);
}

}  // namespace

void AddAppCommands(std::vector<Command>& t) {
  t.push_back(Command{
      "app", "create", "Create an app (and its stage twin)",
      "berth app create --spec proxy --approve --param url=http://127.0.0.1:9000 - "
      "proxyapp.localhost:/",
      [](CLI::App& cmd) -> std::function<Status()> {
        auto f = std::make_shared<CreateFlags>();
        cmd.add_option("--spec", f->spec, "The app spec (berth spec list shows them)");
        cmd.add_option("-p,--param", f->params, "A param, key=value (repeatable)");
        cmd.add_option("--carg,--container-arg", f->cargs, "A container build arg, key=value");
        cmd.add_option("--copt,--container-option", f->copts,
                       "A container option, key[=value], e.g. memory=256m");
        cmd.add_option("--cvol,--container-volume", f->cvols, "A container volume");
        cmd.add_option("--conf,--app-config", f->confs,
                       "App config, key=value, e.g. container.idle_shutdown_secs=60");
        cmd.add_flag("--approve", f->approve, "Approve the app's permissions");
        cmd.add_flag("--dev", f->dev, "Create a dev app");
        cmd.add_flag("--dry-run", f->dry_run, "Check everything, create nothing");
        cmd.add_option("-b,--branch", f->branch, "Git branch (default main)");
        cmd.add_option("-c,--commit", f->commit, "Git commit");
        cmd.add_option("source", f->source, "A folder, a git URL, or - for none")->required();
        cmd.add_option("app-path", f->path, "[domain:]/path")->required();
        return [f]() -> Status {
          admin::CreateAppRequest req;
          req.path = f->path;
          req.source = f->source;
          req.spec = f->spec;
          req.approve = f->approve;
          req.dev = f->dev;
          req.dry_run = f->dry_run;
          req.branch = f->branch;
          req.commit = f->commit;
          req.settings.cvols = f->cvols;
          BERTH_RETURN_IF_ERROR(FillMap("--param", f->params, false, &req.settings.params));
          BERTH_RETURN_IF_ERROR(FillMap("--carg", f->cargs, false, &req.settings.cargs));
          BERTH_RETURN_IF_ERROR(FillMap("--copt", f->copts, true, &req.settings.copts));
          BERTH_RETURN_IF_ERROR(FillMap("--conf", f->confs, false, &req.settings.conf));
          if (f->source != "-" && access(f->source.c_str(), F_OK) == 0) {
            // A local folder: send it absolute, the server's working directory differs.
            if (char* real = realpath(f->source.c_str(), nullptr)) {
              req.source = real;
              free(real);
            }
          }
          BERTH_ASSIGN_OR_RETURN(admin::AppsResponse res, Client().Call(req));
          auto server = Client().Call(admin::ServerInfoRequest{});
          for (const auto& a : res.apps) {
            if (a.is_stage) continue;
            std::printf("%s app %s (%s, spec %s)\n",
                        res.dry_run ? "Dry run: would create" : "Created", a.path.c_str(),
                        a.id.c_str(), a.spec.c_str());
            if (!res.dry_run && server.ok()) std::printf("  %s\n", server->AppUrl(a.path).c_str());
            // What --approve granted: a spec or source that asks for more than it did
            // yesterday shows here, and in a dry run before anything is created.
            for (const auto& p : a.permissions) {
              std::printf("  %s: %s\n", res.dry_run ? "would approve" : "approved", p.c_str());
            }
          }
          for (const auto& a : res.apps) {
            if (a.is_stage) std::printf("  stage: %s\n", a.path.c_str());
          }
          return Status::Ok();
        };
      }});

  t.push_back(Command{"app", "list", "List apps", "berth app list -f json '*.localhost:**'",
                      [](CLI::App& cmd) -> std::function<Status()> {
                        auto format = std::make_shared<std::string>("table");
                        auto glob = std::make_shared<std::string>("all");
                        auto internal = std::make_shared<bool>(false);
                        auto volumes = std::make_shared<bool>(false);
                        cmd.add_option("-f,--format", *format, "table or json");
                        cmd.add_flag("-i,--internal", *internal, "Include stage apps");
                        cmd.add_flag("--volumes", *volumes,
                                     "List the apps' volumes (stage apps' too) instead");
                        cmd.add_option("glob", *glob, "Apps to list: all, /path*, domain:**");
                        return [format, glob, internal, volumes]() -> Status {
                          if (*volumes) return ListVolumes(*glob, *format);
                          BERTH_RETURN_IF_ERROR(CheckFormat(*format));
                          admin::ListAppsRequest req{*glob, *internal};
                          if (*format == "json") return PrintAppsJson(req);
                          BERTH_ASSIGN_OR_RETURN(admin::AppsResponse res, Client().Call(req));
                          return PrintApps(res.apps, *format);
                        };
                      }});

  t.push_back(Command{
      "app", "delete", "Delete apps and their stage twins", "berth app delete proxyapp.localhost:/",
      [](CLI::App& cmd) -> std::function<Status()> {
        auto glob = std::make_shared<std::string>();
        auto volumes = std::make_shared<bool>(false);
        cmd.add_flag("--volumes", *volumes, "Remove the apps' volumes too (kept by default)");
        cmd.add_option("glob", *glob, "Apps to delete: all, /path*, domain:**")->required();
        return [glob, volumes]() -> Status {
          BERTH_ASSIGN_OR_RETURN(admin::DeleteAppsResponse res,
                                 Client().Call(admin::DeleteAppsRequest{*glob, *volumes}));
          for (const auto& a : res.apps) {
            if (!a.is_stage) std::printf("Deleted app %s\n", a.path.c_str());
          }
          if (res.volumes.empty()) return Status::Ok();
          std::string names = Join(res.volumes, " ");
          if (res.volumes_removed) {
            std::printf("Removing volumes %s\n", names.c_str());
          } else {
            // The apps are gone, so `app delete --volumes` cannot name them any more.
            std::printf(
                "Kept volumes %s (app delete --volumes removes them with the app; now: %s volume "
                "rm %s)\n",
                names.c_str(), res.engine.empty() ? "podman" : res.engine.c_str(), names.c_str());
          }
          return Status::Ok();
        };
      }});

  t.push_back(Command{
      "app", "restart", "Start apps afresh: forget failed starts, stop running containers",
      "berth app restart /myapp", [](CLI::App& cmd) -> std::function<Status()> {
        auto glob = std::make_shared<std::string>();
        cmd.add_option("glob", *glob, "Apps to restart: all, /path*, domain:**")->required();
        return [glob]() -> Status {
          BERTH_ASSIGN_OR_RETURN(admin::AppsResponse res,
                                 Client().Call(admin::RestartAppsRequest{*glob}));
          for (const auto& a : res.apps) {
            if (!a.is_stage) {
              std::printf("Restarted app %s: the next request starts it\n", a.path.c_str());
            }
          }
          return Status::Ok();
        };
      }});

  t.push_back(
      Command{"app", "logs", "Show the container's output", "berth app logs --follow /myapp",
              [](CLI::App& cmd) -> std::function<Status()> {
                auto path = std::make_shared<std::string>();
                auto follow = std::make_shared<bool>(false);
                auto lines = std::make_shared<int64_t>(100);
                cmd.add_flag("-f,--follow", *follow, "Keep printing new output");
                cmd.add_option("-n,--lines", *lines, "How many recent lines to show (default 100)");
                cmd.add_option("app-path", *path, "[domain:]/path")->required();
                return [path, follow, lines]() -> Status {
                  admin::AppLogsRequest req{*path, *lines, *follow};
                  return Client().Stream(req, [](std::string_view data) {
                    std::fwrite(data.data(), 1, data.size(), stdout);
                    std::fflush(stdout);
                  });
                };
              }});

  t.push_back(Command{"volume", "list", "List the volumes of apps and their stage twins",
                      "berth volume list '/myapp*'", [](CLI::App& cmd) -> std::function<Status()> {
                        auto format = std::make_shared<std::string>("table");
                        auto glob = std::make_shared<std::string>("all");
                        cmd.add_option("-f,--format", *format, "table or json");
                        cmd.add_option("glob", *glob, "Apps: all, /path*, domain:**");
                        return [format, glob]() -> Status { return ListVolumes(*glob, *format); };
                      }});
}

}  // namespace berth::cli
