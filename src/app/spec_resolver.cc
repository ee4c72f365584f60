#include "app/spec_resolver.h"

#include "app/app_volumes.h"
#include "base/strings.h"
#include "container/containerfile.h"
#include "proxy/upstream.h"
#include "appspec/app_loader.h"
#include "appspec/params.h"

namespace berth::app {

Status SpecResolver::CheckConf(const std::map<std::string, std::string>& conf) const {
  for (const auto& [key, value] : conf) {
    auto known = app_config_.find(key);
    if (known == app_config_.end()) {
      std::vector<std::string> keys;
      for (const auto& [k, v] : app_config_) keys.push_back(k);
      std::string hint = ClosestMatch(key, keys);
      return Status::InvalidArgument("unknown --conf key " + key +
                                     (hint.empty() ? "; known keys: " + Join(keys, ", ")
                                                   : " (did you mean " + hint + "?)"));
    }
    long long n = 0;
    if (ParseInt(known->second, &n)) {  // a number by default: a number here too
      long long min = key.ends_with("idle_shutdown_secs") ? 0 : 1;
      if (!ParseInt(value, &n) || n < min) {
        return Status::InvalidArgument("--conf " + key + "=" + value + ": must be a whole number " +
                                       (min == 0 ? "(0 or more)" : "of at least 1"));
      }
    } else if (key.ends_with("_url") && !value.starts_with("/")) {
      return Status::InvalidArgument("--conf " + key + "=" + value + ": must be a path starting with /");
    }
  }
  return Status::Ok();
}

std::string SpecResolver::ConfigValue(const store::AppRecord& record, const std::string& key,
                                      const std::string& fallback) const {
  if (auto it = record.metadata.conf.find(key); it != record.metadata.conf.end()) return it->second;
  if (auto it = app_config_.find(key); it != app_config_.end()) return it->second;
  return fallback;
}

Result<ResolvedApp> SpecResolver::Resolve(const store::AppRecord& record,
                                          const store::SourceFiles& source) const {
  if (record.spec.empty()) {
    return Status::InvalidArgument("--spec is required; known specs: " +
                                   [&] {
                                     std::string s;
                                     for (const auto& n : library_.Names()) {
                                       s += (s.empty() ? "" : ", ") + n;
                                     }
                                     return s;
                                   }());
  }
  BERTH_ASSIGN_OR_RETURN(appspec::FileSet spec_files, library_.Get(record.spec));
  ResolvedApp r;
  // Overlay: the source's files win over the spec's.
  for (const auto& [name, content] : spec_files) r.files[name] = store::SourceFile{content, 0644};
  for (const auto& [name, file] : source) r.files[name] = file;
  appspec::FileSet overlaid;
  for (const auto& [name, file] : r.files) overlaid[name] = file.content;

  BERTH_ASSIGN_OR_RETURN(auto decls, appspec::LoadParams(overlaid));
  BERTH_ASSIGN_OR_RETURN(r.params, appspec::ResolveParams(decls, record.metadata.params));
  BERTH_ASSIGN_OR_RETURN(r.definition, appspec::LoadApp(overlaid, r.params));

  const appspec::RouteConfig* route = nullptr;
  for (const auto& rc : r.definition.routes) {
    if (rc.path == "/" || rc.path.empty()) route = &rc;
  }
  if (!route && !r.definition.routes.empty()) route = &r.definition.routes.front();
  if (!route) return Status::InvalidArgument("spec " + record.spec + " defines no route");
  r.upstream_url = route->url;
  r.strip_app = route->strip_app;
  r.preserve_host = route->preserve_host;

  if (r.upstream_url != appspec::kContainerUrl) {
    BERTH_RETURN_IF_ERROR(proxy::ParseUpstreamUrl(r.upstream_url).status());
    return r;
  }
  if (!r.definition.container) {
    return Status::InvalidArgument("spec " + record.spec +
                                   " routes to container.URL but has no container config");
  }
  const appspec::ContainerConfig& cc = *r.definition.container;
  ContainerSetup setup;
  setup.scheme = cc.scheme;
  setup.build_dir = cc.build_dir;
  container::ContainerfileInfo file_info;
  if (cc.src.starts_with("image:")) {
    setup.build = false;
    setup.image = cc.src.substr(6);
    if (setup.image.empty()) return Status::InvalidArgument("param image is empty");
  } else {
    std::string prefix = cc.build_dir.empty() ? "" : cc.build_dir + "/";
    if (cc.src == "auto") {
      if (r.files.count(prefix + "Containerfile")) setup.containerfile = prefix + "Containerfile";
      else if (r.files.count(prefix + "Dockerfile")) setup.containerfile = prefix + "Dockerfile";
      else {
        return Status::InvalidArgument("the app has no Containerfile or Dockerfile" +
                                       std::string(record.source == "-"
                                                       ? " (spec " + record.spec +
                                                             " needs a source folder)"
                                                       : " in " + record.source));
      }
    } else {
      setup.containerfile = cc.src;
      if (!r.files.count(setup.containerfile)) {
        return Status::InvalidArgument("container file " + cc.src + " is not in the source");
      }
    }
    file_info = container::ParseContainerfile(r.files.at(setup.containerfile).content);
  }

  // Port: the spec's container config (usually param.port), else the first numeric EXPOSE.
  setup.port = cc.port;
  if (setup.port <= 0) {
    if (auto it = r.params.find("port"); it != r.params.end() && it->second.is_number_integer()) {
      setup.port = it->second.get<int>();
    }
  }
  if (setup.port <= 0 && !file_info.exposed_ports.empty()) setup.port = file_info.exposed_ports[0];
  if (setup.port <= 0 || setup.port > 65535) {
    return Status::InvalidArgument(
        "the container port is unknown: pass --param port=N or add EXPOSE to the " +
        std::string(setup.containerfile.empty() ? "Containerfile" : setup.containerfile));
  }

  // Health path: the app's --conf, else the spec's, else the server's default; routes that
  // keep the app path see it in front, and the root then is "/app/": apps mounted below a
  // prefix (gunicorn's SCRIPT_NAME) redirect "/app" there, and only a 2xx counts as healthy.
  std::string health = record.metadata.conf.count("container.health_url")
                           ? record.metadata.conf.at("container.health_url")
                           : (cc.health.empty() || cc.health == "/"
                                  ? ConfigValue(record, "container.health_url", "/")
                                  : cc.health);
  if (health.empty() || health.front() != '/') health = "/" + health;
  if (!r.strip_app && record.path != "/") health = record.path + health;
  setup.health_path = health;

  setup.volumes = MergeVolumes(file_info.volumes, record.metadata.cvols, cc.volumes);
  setup.cargs = cc.cargs;
  for (const auto& [k, v] : record.metadata.cargs) setup.cargs[k] = v;
  setup.copts = record.metadata.copts;
  setup.env = appspec::ParamsToEnv(r.params);
  setup.env["PORT"] = std::to_string(setup.port);
  setup.env["CL_APP_PATH"] = record.path == "/" ? "" : record.path;
  setup.params = appspec::ParamsToEnv(r.params);
  setup.app_path = record.path;
  setup.secrets_allowed = {{"regex:.*"}};
  for (const auto& p : r.definition.permissions) {
    if (p.plugin == "container.in" && p.secrets) setup.secrets_allowed = *p.secrets;
  }
  r.container = std::move(setup);
  return r;
}

}  // namespace berth::app
