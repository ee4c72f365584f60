// Commands that change a running app or show its history: param update/list, app
// update-metadata/promote/reload/approve/audit, version list/files/switch/revert.
#include <cstdio>

#include "base/strings.h"
#include "cli/command.h"

namespace berth::cli {

namespace {

// One line per app: "localhost:/app_cl_stage: param update, version 1 -> 2: param A=1".
void PrintChanges(const admin::ChangesResponse& res) {
  for (const auto& c : res.changes) {
    std::string line = c.path + ": " + c.operation;
    if (c.from_version != c.to_version) {
      line += ", version " + std::to_string(c.from_version) + " -> " + std::to_string(c.to_version);
    }
    if (!c.changes.empty()) line += ": " + c.changes;
    if (!c.note.empty()) line += " (" + c.note + ")";
    std::printf("%s%s\n", res.dry_run ? "Dry run: " : "", line.c_str());
  }
}

struct ChangeFlags {
  bool promote = false;
  bool dry_run = false;
};

void AddChangeFlags(CLI::App& cmd, ChangeFlags* f, bool promote = true) {
  if (promote) cmd.add_flag("--promote", f->promote, "Promote to prod right after staging");
  cmd.add_flag("--dry-run", f->dry_run, "Check and show what would change, change nothing");
}

}  // namespace

void AddChangeCommands(std::vector<Command>& t) {
  t.push_back(Command{
      "param", "update", "Stage a param change (- deletes the param)",
      "berth param update APP_MODULE basic_app:app fasthtmlapp.localhost:/",
      [](CLI::App& cmd) -> std::function<Status()> {
        auto f = std::make_shared<ChangeFlags>();
        auto args = std::make_shared<std::vector<std::string>>(3);
        AddChangeFlags(cmd, f.get());
        cmd.add_option("name", (*args)[0], "The param's name")->required();
        cmd.add_option("value", (*args)[1], "Its new value, or - to delete it")->required();
        cmd.add_option("glob", (*args)[2], "Apps: all, /path*, domain:**")->required();
        return [f, args]() -> Status {
          admin::UpdateParamRequest req{(*args)[2], (*args)[0], (*args)[1], f->promote, f->dry_run};
          BERTH_ASSIGN_OR_RETURN(auto res, Client().Call(req));
          PrintChanges(res);
          return Status::Ok();
        };
      }});

  t.push_back(Command{
      "param", "list", "Show an app's params (secret templates as written)",
      "berth param list fasthtmlapp.localhost:/", [](CLI::App& cmd) -> std::function<Status()> {
        auto path = std::make_shared<std::string>();
        auto format = std::make_shared<std::string>("table");
        cmd.add_option("-f,--format", *format, "table or json");
        cmd.add_option("app-path", *path, "[domain:]/path")->required();
        return [path, format]() -> Status {
          BERTH_RETURN_IF_ERROR(CheckFormat(*format));
          BERTH_ASSIGN_OR_RETURN(auto res, Client().Call(admin::ListParamsRequest{*path}));
          if (*format == "json") {
            PrintJson(res);
            return Status::Ok();
          }
          std::vector<std::vector<std::string>> rows = {{"NAME", "VALUE"}};
          for (const auto& [k, v] : res.params) rows.push_back({k, v});
          std::fputs(FormatTable(rows).c_str(), stdout);
          return Status::Ok();
        };
      }});

  t.push_back(
      Command{"app", "update-metadata",
              "Stage a metadata change: spec, carg, copt, cvol or conf (long names too)",
              "berth app update-metadata carg PYTHON_VERSION=3.11.2 fasthtmlapp.localhost:/",
              [](CLI::App& cmd) -> std::function<Status()> {
                auto f = std::make_shared<ChangeFlags>();
                auto args = std::make_shared<std::vector<std::string>>();
                AddChangeFlags(cmd, f.get());
                cmd.add_option("args", *args,
                               "<kind> <values...> <glob>: kind is spec, carg/container-arg, "
                               "copt/container-option, cvol/container-volume or conf/app-config; "
                               "key=- deletes a key")
                    ->required();
                return [f, args]() -> Status {
                  if (args->size() < 3) {
                    return Status::InvalidArgument(
                        "update-metadata needs a kind, one or more values and an app glob, e.g. "
                        "update-metadata copt memory=256m /myapp");
                  }
                  admin::UpdateMetadataRequest req;
                  req.kind = args->front();
                  req.glob = args->back();
                  req.values.assign(args->begin() + 1, args->end() - 1);
                  req.promote = f->promote;
                  req.dry_run = f->dry_run;
                  BERTH_ASSIGN_OR_RETURN(auto res, Client().Call(req));
                  PrintChanges(res);
                  return Status::Ok();
                };
              }});

  t.push_back(Command{
      "app", "promote", "Give prod the stage app's code and metadata",
      "berth app promote fasthtmlapp.localhost:/", [](CLI::App& cmd) -> std::function<Status()> {
        auto f = std::make_shared<ChangeFlags>();
        auto glob = std::make_shared<std::string>();
        AddChangeFlags(cmd, f.get(), /*promote=*/false);
        cmd.add_option("glob", *glob, "Apps: all, /path*, domain:**")->required();
        return [f, glob]() -> Status {
          BERTH_ASSIGN_OR_RETURN(auto res,
                                 Client().Call(admin::PromoteAppsRequest{*glob, f->dry_run}));
          PrintChanges(res);
          return Status::Ok();
        };
      }});

  t.push_back(
      Command{"app", "reload", "Read the source again into the stage app",
              "berth app reload --promote /myapp", [](CLI::App& cmd) -> std::function<Status()> {
                auto f = std::make_shared<ChangeFlags>();
                auto req = std::make_shared<admin::ReloadAppsRequest>();
                AddChangeFlags(cmd, f.get());
                cmd.add_flag("--approve", req->approve, "Approve what the new version asks for");
                cmd.add_flag("--force-reload", req->force_reload,
                             "Reload even when the git commit did not move");
                cmd.add_option("-b,--branch", req->branch, "Git branch (default: the app's)");
                cmd.add_option("-c,--commit", req->commit, "Git commit");
                cmd.add_option("glob", req->glob, "Apps: all, /path*, domain:**")->required();
                return [f, req]() -> Status {
                  req->promote = f->promote;
                  req->dry_run = f->dry_run;
                  BERTH_ASSIGN_OR_RETURN(auto res, Client().Call(*req));
                  PrintChanges(res);
                  return Status::Ok();
                };
              }});

  t.push_back(Command{
      "app", "approve", "Grant the stage version what it asks for",
      "berth app approve --promote /myapp", [](CLI::App& cmd) -> std::function<Status()> {
        auto f = std::make_shared<ChangeFlags>();
        auto glob = std::make_shared<std::string>();
        AddChangeFlags(cmd, f.get());
        cmd.add_option("glob", *glob, "Apps: all, /path*, domain:**")->required();
        return [f, glob]() -> Status {
          BERTH_ASSIGN_OR_RETURN(
              auto res, Client().Call(admin::ApproveAppsRequest{*glob, f->promote, f->dry_run}));
          PrintChanges(res);
          return Status::Ok();
        };
      }});

  t.push_back(Command{"app", "audit", "Show who changed what, newest first",
                      "berth app audit -n 20 /myapp", [](CLI::App& cmd) -> std::function<Status()> {
                        auto req = std::make_shared<admin::AuditRequest>();
                        auto format = std::make_shared<std::string>("table");
                        cmd.add_option("-f,--format", *format, "table or json");
                        cmd.add_option("-n,--limit", req->limit, "How many entries (default 50)");
                        cmd.add_option("glob", req->glob, "Apps: all (default), /path*, domain:**");
                        return [req, format]() -> Status {
                          BERTH_RETURN_IF_ERROR(CheckFormat(*format));
                          BERTH_ASSIGN_OR_RETURN(auto res, Client().Call(*req));
                          if (*format == "json") {
                            PrintJson(res);
                            return Status::Ok();
                          }
                          std::vector<std::vector<std::string>> rows = {
                              {"TIME", "WHO", "APP", "OPERATION", "DETAIL"}};
                          for (const auto& e : res.entries) {
                            rows.push_back({e.at, e.actor, e.path, e.operation, e.detail});
                          }
                          std::fputs(FormatTable(rows).c_str(), stdout);
                          return Status::Ok();
                        };
                      }});

  t.push_back(Command{
      "version", "list", "List an app's versions (prod, stage or dev path)",
      "berth version list /myapp", [](CLI::App& cmd) -> std::function<Status()> {
        auto path = std::make_shared<std::string>();
        auto format = std::make_shared<std::string>("table");
        cmd.add_option("-f,--format", *format, "table or json");
        cmd.add_option("app-path", *path, "[domain:]/path, or its stage path")->required();
        return [path, format]() -> Status {
          BERTH_RETURN_IF_ERROR(CheckFormat(*format));
          BERTH_ASSIGN_OR_RETURN(auto res, Client().Call(admin::ListVersionsRequest{*path}));
          if (*format == "json") {
            PrintJson(res);
            return Status::Ok();
          }
          std::vector<std::vector<std::string>> rows = {
              {"VERSION", "CREATED", "WHO", "SPEC", "CHANGES"}};
          for (const auto& v : res.versions) {
            rows.push_back({std::to_string(v.version) + (v.current ? " (current)" : ""),
                            v.created_at, v.actor, v.spec, v.changes});
          }
          std::fputs(FormatTable(rows).c_str(), stdout);
          return Status::Ok();
        };
      }});

  t.push_back(Command{
      "version", "files", "List the files of an app's version (default: the current one)",
      "berth version files /myapp 2", [](CLI::App& cmd) -> std::function<Status()> {
        auto req = std::make_shared<admin::VersionFilesRequest>();
        auto format = std::make_shared<std::string>("table");
        cmd.add_option("-f,--format", *format, "table or json");
        cmd.add_option("app-path", req->path, "[domain:]/path, or its stage path")->required();
        cmd.add_option("version", req->version, "The version (default: the current one)");
        return [req, format]() -> Status {
          BERTH_RETURN_IF_ERROR(CheckFormat(*format));
          BERTH_ASSIGN_OR_RETURN(auto res, Client().Call(*req));
          if (*format == "json") {
            PrintJson(res);
            return Status::Ok();
          }
          std::vector<std::vector<std::string>> rows = {{"PATH", "SIZE", "MODE", "SHA256"}};
          for (const auto& f : res.files) {
            char mode[8];
            std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(f.mode));
            rows.push_back({f.path, std::to_string(f.size), mode, f.sha256.substr(0, 16)});
          }
          std::fputs(FormatTable(rows).c_str(), stdout);
          return Status::Ok();
        };
      }});

  t.push_back(Command{
      "version", "switch", "Switch an app to another version: code and metadata",
      "berth version switch previous /myapp", [](CLI::App& cmd) -> std::function<Status()> {
        auto req = std::make_shared<admin::SwitchVersionRequest>();
        cmd.add_flag("--dry-run", req->dry_run, "Check and show what would change");
        cmd.add_option("version", req->to, "A version number, previous or next")->required();
        cmd.add_option("app-path", req->path, "[domain:]/path, or its stage path")->required();
        return [req]() -> Status {
          if (req->to == "revert") {
            return Status::InvalidArgument("use `berth version revert <app-path>`");
          }
          BERTH_ASSIGN_OR_RETURN(auto res, Client().Call(*req));
          PrintChanges(res);
          return Status::Ok();
        };
      }});

  t.push_back(Command{
      "version", "revert", "Undo the last version switch", "berth version revert /myapp",
      [](CLI::App& cmd) -> std::function<Status()> {
        auto req = std::make_shared<admin::SwitchVersionRequest>();
        req->to = "revert";
        cmd.add_flag("--dry-run", req->dry_run, "Check and show what would change");
        cmd.add_option("app-path", req->path, "[domain:]/path, or its stage path")->required();
        return [req]() -> Status {
          BERTH_ASSIGN_OR_RETURN(auto res, Client().Call(*req));
          PrintChanges(res);
          return Status::Ok();
        };
      }});
}

}  // namespace berth::cli
