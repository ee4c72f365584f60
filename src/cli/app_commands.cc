#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>

#include "base/strings.h"
#include "cli/command.h"
#include "server/admin_server.h"

namespace berth::cli {

using nlohmann::json;

namespace {

struct CreateFlags {
  std::string spec;
  std::vector<std::string> params, cargs, copts, cvols, confs;
  bool approve = false, dev = false, dry_run = false;
  std::string branch = "main", commit;
  std::string source, path;
};

Status FillMap(const std::string& flag, const std::vector<std::string>& in, json& out,
               bool allow_bare) {
  out = json::object();
  for (const auto& text : in) {
    std::string key;
    std::optional<std::string> value;
    BERTH_RETURN_IF_ERROR(ParseKeyValue(flag, text, allow_bare, &key, &value));
    out[key] = value ? json(*value) : json(nullptr);
  }
  return Status::Ok();
}

std::string AppUrl(const json& server, const std::string& app_path) {
  // app_path is "domain:/path".
  size_t colon = app_path.find(':');
  std::string domain = app_path.substr(0, colon);
  std::string path = app_path.substr(colon + 1);
  int https = server.value("https_port", -1);
  int http = server.value("http_port", -1);
  if (https > 0) return "https://" + domain + ":" + std::to_string(https) + path;
  if (http > 0) return "http://" + domain + ":" + std::to_string(http) + path;
  return domain + path;
}

Status PrintApps(const json& apps, const std::string& format) {
  if (format == "json") {
    std::printf("%s\n", apps.dump(2).c_str());
    return Status::Ok();
  }
  if (format != "table") {
    return Status::InvalidArgument("unknown format \"" + format + "\"; use table or json");
  }
  std::vector<std::vector<std::string>> rows = {
      {"PATH", "TYPE", "VERSION", "SPEC", "SOURCE", "STATE"}};
  for (const auto& a : apps) {
    std::string state = a.value("state", "");
    std::string error = a.value("error", "");
    if (!error.empty()) state += ": " + error;
    rows.push_back({a.value("path", ""), a.value("type", ""),
                    std::to_string(a.value("version", 0)), a.value("spec", ""),
                    a.value("source", ""), state});
  }
  std::fputs(FormatTable(rows).c_str(), stdout);
  return Status::Ok();
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
          json body = {{"path", f->path},       {"source", f->source},   {"spec", f->spec},
                       {"approve", f->approve}, {"dev", f->dev},         {"dry_run", f->dry_run},
                       {"branch", f->branch},   {"commit", f->commit}, {"cvols", f->cvols}};
          BERTH_RETURN_IF_ERROR(FillMap("--param", f->params, body["params"], false));
          BERTH_RETURN_IF_ERROR(FillMap("--carg", f->cargs, body["cargs"], false));
          BERTH_RETURN_IF_ERROR(FillMap("--copt", f->copts, body["copts"], true));
          BERTH_RETURN_IF_ERROR(FillMap("--conf", f->confs, body["conf"], false));
          if (f->source != "-" && access(f->source.c_str(), F_OK) == 0) {
            // A local folder: send it absolute, the server's working directory differs.
            if (char* real = realpath(f->source.c_str(), nullptr)) {
              body["source"] = std::string(real);
              free(real);
            }
          }
          BERTH_ASSIGN_OR_RETURN(json res, Client().Call("POST", "/api/v1/apps", &body));
          const json& apps = res["apps"];
          auto server_info = Client().Call("GET", "/api/v1/server");
          json server = server_info.ok() ? *server_info : json::object();
          bool dry = res.value("dry_run", false);
          for (const auto& a : apps) {
            if (a.value("type", "") == "STG") continue;
            std::printf("%s app %s (%s, spec %s)\n", dry ? "Dry run: would create" : "Created",
                        a.value("path", "").c_str(), a.value("id", "").c_str(),
                        a.value("spec", "").c_str());
            if (!dry) std::printf("  %s\n", AppUrl(server, a.value("path", "")).c_str());
          }
          for (const auto& a : apps) {
            if (a.value("type", "") == "STG") {
              std::printf("  stage: %s\n", a.value("path", "").c_str());
            }
          }
          return Status::Ok();
        };
      }});

  t.push_back(Command{
      "app", "list", "List apps", "berth app list -f json '*.localhost:**'",
      [](CLI::App& cmd) -> std::function<Status()> {
        auto format = std::make_shared<std::string>("table");
        auto glob = std::make_shared<std::string>("all");
        auto internal = std::make_shared<bool>(false);
        cmd.add_option("-f,--format", *format, "table or json");
        cmd.add_flag("-i,--internal", *internal, "Include stage apps");
        cmd.add_option("glob", *glob, "Apps to list: all, /path*, domain:**");
        return [format, glob, internal]() -> Status {
          if (*format != "table" && *format != "json") {
            return Status::InvalidArgument("unknown format \"" + *format + "\"; use table or json");
          }
          std::string target = "/api/v1/apps?glob=" + server::UrlEncode(*glob) +
                               (*internal ? "&internal=true" : "");
          BERTH_ASSIGN_OR_RETURN(json res, Client().Call("GET", target));
          return PrintApps(res["apps"], *format);
        };
      }});

  t.push_back(Command{
      "app", "delete", "Delete apps and their stage twins", "berth app delete proxyapp.localhost:/",
      [](CLI::App& cmd) -> std::function<Status()> {
        auto glob = std::make_shared<std::string>();
        cmd.add_option("glob", *glob, "Apps to delete: all, /path*, domain:**")->required();
        return [glob]() -> Status {
          BERTH_ASSIGN_OR_RETURN(
              json res, Client().Call("DELETE", "/api/v1/apps?glob=" + server::UrlEncode(*glob)));
          for (const auto& a : res["apps"]) {
            if (a.value("type", "") != "STG") {
              std::printf("Deleted app %s\n", a.value("path", "").c_str());
            }
          }
          return Status::Ok();
        };
      }});

  t.push_back(Command{
      "app", "logs", "Show the container's output", "berth app logs --follow /myapp",
      [](CLI::App& cmd) -> std::function<Status()> {
        auto path = std::make_shared<std::string>();
        auto follow = std::make_shared<bool>(false);
        auto lines = std::make_shared<int>(100);
        cmd.add_flag("-f,--follow", *follow, "Keep printing new output");
        cmd.add_option("-n,--lines", *lines, "How many recent lines to show (default 100)");
        cmd.add_option("app-path", *path, "[domain:]/path")->required();
        return [path, follow, lines]() -> Status {
          std::string target = "/api/v1/apps/logs?path=" + server::UrlEncode(*path) +
                               "&lines=" + std::to_string(*lines) +
                               (*follow ? "&follow=true" : "");
          return Client().Stream("GET", target, [](std::string_view data) {
            std::fwrite(data.data(), 1, data.size(), stdout);
            std::fflush(stdout);
          });
        };
      }});
}

}  // namespace berth::cli
