#include "server/app_api.h"

#include "server/change_api.h"

namespace berth::server {

admin::AppInfo ToProtocol(const app::AppInfo& a) {
  admin::AppInfo p;
  p.id = a.id;
  p.path = a.path;
  p.main_id = a.main_id;
  p.is_stage = a.is_stage;
  p.dev = a.dev;
  p.stage_ahead = a.stage_ahead;
  p.type = a.type;
  p.version = a.version;
  p.spec = a.spec;
  p.source = a.source;
  p.state = a.state;
  p.error = a.error;
  p.retry_in_secs = a.retry_in_secs;
  p.build_held = a.build_held;
  p.start_attempts = a.start_attempts;
  p.permissions = a.permissions;
  return p;
}

namespace {

admin::AppInfo ToProtocol(app::AppInfo&& a) {
  admin::AppInfo p;
  p.id = std::move(a.id);
  p.path = std::move(a.path);
  p.main_id = std::move(a.main_id);
  p.is_stage = a.is_stage;
  p.dev = a.dev;
  p.stage_ahead = a.stage_ahead;
  p.type = std::move(a.type);
  p.version = a.version;
  p.spec = std::move(a.spec);
  p.source = std::move(a.source);
  p.state = std::move(a.state);
  p.error = std::move(a.error);
  p.retry_in_secs = a.retry_in_secs;
  p.build_held = a.build_held;
  p.start_attempts = a.start_attempts;
  p.permissions = std::move(a.permissions);
  return p;
}

admin::AppsResponse AppsResponse(std::vector<app::AppInfo> apps, bool dry_run = false) {
  admin::AppsResponse r;
  r.apps.reserve(apps.size());
  for (auto& a : apps) r.apps.push_back(ToProtocol(std::move(a)));
  r.dry_run = dry_run;
  return r;
}

}  // namespace

void AddAppRoutes(AdminApi& api, app::AppService& apps) {
  api.On<admin::CreateAppRequest>([&apps](const admin::CreateAppRequest& req,
                                          const Caller& caller) -> Result<admin::AppsResponse> {
    if (req.path.empty()) return Status::InvalidArgument("an app path is required");
    app::CreateRequest create;
    create.path = req.path;
    create.source = req.source.empty() ? "-" : req.source;
    create.spec = req.spec;
    create.metadata.params = req.settings.params;
    create.metadata.cargs = req.settings.cargs;
    create.metadata.copts = req.settings.copts;
    create.metadata.cvols = req.settings.cvols;
    create.metadata.conf = req.settings.conf;
    create.metadata.branch = req.branch;
    create.metadata.commit = req.commit;
    create.approve = req.approve;
    create.dev = req.dev;
    create.dry_run = req.dry_run;
    create.actor = ActorOf(caller);
    BERTH_ASSIGN_OR_RETURN(auto created, apps.Create(create));
    return AppsResponse(std::move(created), req.dry_run);
  });
  api.On<admin::ListAppsRequest>([&apps](const admin::ListAppsRequest& req,
                                         const Caller&) -> Result<admin::AppsResponse> {
    BERTH_ASSIGN_OR_RETURN(auto list, apps.List(req.glob.empty() ? "all" : req.glob, req.internal));
    return AppsResponse(std::move(list));
  });
  api.On<admin::DeleteAppsRequest>(
      [&apps](const admin::DeleteAppsRequest& req,
              const Caller& caller) -> Result<admin::DeleteAppsResponse> {
        if (req.glob.empty()) return Status::InvalidArgument("an app glob is required");
        BERTH_ASSIGN_OR_RETURN(auto deleted, apps.Delete(req.glob, ActorOf(caller), req.volumes));
        admin::DeleteAppsResponse r;
        for (const auto& a : deleted.apps) r.apps.push_back(ToProtocol(a));
        r.volumes = deleted.volumes;
        r.volumes_removed = deleted.volumes_removed;
        r.engine = deleted.engine;
        return r;
      });
  api.On<admin::ListVolumesRequest>([&apps](const admin::ListVolumesRequest& req,
                                            const Caller&) -> Result<admin::VolumesResponse> {
    BERTH_ASSIGN_OR_RETURN(auto list, apps.Volumes(req.glob.empty() ? "all" : req.glob));
    admin::VolumesResponse r;
    for (const auto& v : list) {
      r.volumes.push_back(admin::VolumeInfo{v.app_id, v.path, v.type, v.destination, v.kind,
                                            v.source, v.options, v.exists});
    }
    return r;
  });
  api.On<admin::RestartAppsRequest>(
      [&apps](const admin::RestartAppsRequest& req, const Caller&) -> Result<admin::AppsResponse> {
        if (req.glob.empty()) return Status::InvalidArgument("an app glob is required");
        BERTH_ASSIGN_OR_RETURN(auto restarted, apps.Restart(req.glob));
        return AppsResponse(std::move(restarted));
      });
}

}  // namespace berth::server
