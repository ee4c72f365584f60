#include "server/change_api.h"

#include "admin/protocol.h"
#include "base/hash.h"

namespace berth::server {

std::string ActorOf(const Caller& caller) {
  return caller.uid < 0 ? "unknown" : "uid " + std::to_string(caller.uid);
}

namespace {

admin::ChangesResponse Changes(const std::vector<app::ChangeInfo>& changes, bool dry_run) {
  admin::ChangesResponse r;
  r.dry_run = dry_run;
  for (const auto& c : changes) {
    r.changes.push_back(admin::AppChange{c.path, c.id, c.operation, c.from_version, c.to_version,
                                         c.changes, c.note});
  }
  return r;
}

app::ChangeOptions Options(const Caller& caller, bool promote, bool dry_run, bool approve = false) {
  app::ChangeOptions o;
  o.promote = promote;
  o.dry_run = dry_run;
  o.approve = approve;
  o.actor = ActorOf(caller);
  return o;
}

Status NeedGlob(const std::string& glob) {
  return glob.empty() ? Status::InvalidArgument("an app glob is required") : Status::Ok();
}

}  // namespace

void AddChangeRoutes(AdminApi& api, app::AppService& apps) {
  api.On<admin::UpdateParamRequest>([&apps](
                                        const admin::UpdateParamRequest& req,
                                        const Caller& caller) -> Result<admin::ChangesResponse> {
    BERTH_RETURN_IF_ERROR(NeedGlob(req.glob));
    BERTH_ASSIGN_OR_RETURN(
        auto changes,
        apps.UpdateParam(req.glob, req.name, req.value, Options(caller, req.promote, req.dry_run)));
    return Changes(changes, req.dry_run);
  });
  api.On<admin::ListParamsRequest>(
      [&apps](const admin::ListParamsRequest& req, const Caller&) -> Result<admin::ParamsResponse> {
        BERTH_ASSIGN_OR_RETURN(auto params, apps.Params(req.path));
        return admin::ParamsResponse{req.path, params};
      });
  api.On<admin::UpdateMetadataRequest>(
      [&apps](const admin::UpdateMetadataRequest& req,
              const Caller& caller) -> Result<admin::ChangesResponse> {
        BERTH_RETURN_IF_ERROR(NeedGlob(req.glob));
        BERTH_ASSIGN_OR_RETURN(auto changes,
                               apps.UpdateMetadata(req.glob, req.kind, req.values,
                                                   Options(caller, req.promote, req.dry_run)));
        return Changes(changes, req.dry_run);
      });
  api.On<admin::PromoteAppsRequest>(
      [&apps](const admin::PromoteAppsRequest& req,
              const Caller& caller) -> Result<admin::ChangesResponse> {
        BERTH_RETURN_IF_ERROR(NeedGlob(req.glob));
        BERTH_ASSIGN_OR_RETURN(auto changes,
                               apps.Promote(req.glob, Options(caller, false, req.dry_run)));
        return Changes(changes, req.dry_run);
      });
  api.On<admin::ReloadAppsRequest>([&apps](const admin::ReloadAppsRequest& req,
                                           const Caller& caller) -> Result<admin::ChangesResponse> {
    BERTH_RETURN_IF_ERROR(NeedGlob(req.glob));
    app::ReloadOptions reload{req.branch, req.commit, req.force_reload};
    BERTH_ASSIGN_OR_RETURN(
        auto changes,
        apps.Reload(req.glob, reload, Options(caller, req.promote, req.dry_run, req.approve)));
    return Changes(changes, req.dry_run);
  });
  api.On<admin::ApproveAppsRequest>(
      [&apps](const admin::ApproveAppsRequest& req,
              const Caller& caller) -> Result<admin::ChangesResponse> {
        BERTH_RETURN_IF_ERROR(NeedGlob(req.glob));
        BERTH_ASSIGN_OR_RETURN(auto changes,
                               apps.Approve(req.glob, Options(caller, req.promote, req.dry_run)));
        return Changes(changes, req.dry_run);
      });
  api.On<admin::ListVersionsRequest>([&apps](const admin::ListVersionsRequest& req,
                                             const Caller&) -> Result<admin::VersionsResponse> {
    BERTH_ASSIGN_OR_RETURN(auto list, apps.Versions(req.path));
    admin::VersionsResponse r;
    r.path = req.path;
    r.current = list.current;
    for (const auto& v : list.versions) {
      r.versions.push_back(admin::VersionInfo{v.version, v.version == list.current, v.created_at,
                                              v.spec, v.changes, v.actor});
    }
    return r;
  });
  api.On<admin::VersionFilesRequest>([&apps](const admin::VersionFilesRequest& req,
                                             const Caller&) -> Result<admin::VersionFilesResponse> {
    if (req.version < 0) return Status::InvalidArgument("a version is 1 or more");
    BERTH_ASSIGN_OR_RETURN(auto list, apps.Versions(req.path));
    BERTH_ASSIGN_OR_RETURN(auto files, apps.VersionFiles(req.path, req.version));
    admin::VersionFilesResponse r;
    r.version = req.version == 0 ? list.current : req.version;
    for (const auto& [path, f] : files) {
      r.files.push_back(admin::VersionFile{path, f.Size(), f.mode, f.Digest()});
    }
    return r;
  });
  api.On<admin::SwitchVersionRequest>(
      [&apps](const admin::SwitchVersionRequest& req,
              const Caller& caller) -> Result<admin::ChangesResponse> {
        if (req.to.empty()) {
          return Status::InvalidArgument("a version is required: a number, previous or next");
        }
        BERTH_ASSIGN_OR_RETURN(
            auto change, apps.SwitchVersion(req.path, req.to, Options(caller, false, req.dry_run)));
        return Changes({change}, req.dry_run);
      });
  api.On<admin::AuditRequest>(
      [&apps](const admin::AuditRequest& req, const Caller&) -> Result<admin::AuditResponse> {
        BERTH_ASSIGN_OR_RETURN(auto entries, apps.Audit(req.glob.empty() ? "all" : req.glob,
                                                        req.limit <= 0 ? 50 : req.limit));
        admin::AuditResponse r;
        for (const auto& e : entries) {
          r.entries.push_back(admin::AuditInfo{e.at, e.actor, e.app_path, e.operation, e.detail});
        }
        return r;
      });
}

}  // namespace berth::server
