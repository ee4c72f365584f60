#include "app/spec_resolver.h"

#include "app/app_volumes.h"
#include "appspec/app_loader.h"
#include "appspec/params.h"
#include "base/strings.h"
#include "container/containerfile.h"
#include "proxy/upstream.h"

namespace berth::app {

Status SpecResolver::CheckConf(const std::map<std::string, std::string>& conf) const {
  for (const auto& [key, value] : conf) {
    auto known = app_config_.find(key);
    if (known == app_config_.end()) {
      std::vector<std::string> keys;
      for (const auto& [k, v] : app_config_) keys.push_back(k);
      std::string hint = ClosestMatch(key, keys);
      return Status::InvalidArgument(
          "unknown --conf key " + key +
          (hint.empty() ? "; known keys: " + Join(keys, ", ") : " (did you mean " + hint + "?)"));
    }
    long long n = 0;
    if (ParseInt(known->second, &n)) {  // a number by default: a number here too
      long long min =
          key.ends_with("idle_shutdown_secs") || key.ends_with("stop_timeout_secs") ? 0 : 1;
      if (!ParseInt(value, &n) || n < min) {
        return Status::InvalidArgument("--conf " + key + "=" + value + ": must be a whole number " +
                                       (min == 0 ? "(0 or more)" : "of at least 1"));
      }
    } else if (key.ends_with("_url") && !value.starts_with("/")) {
      return Status::InvalidArgument("--conf " + key + "=" + value +
                                     ": must be a path starting with /");
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

namespace {

// The Containerfile of a build: the one the spec names, else the source's Containerfile or
// Dockerfile (below build_dir when set).
Result<std::string> FindContainerfile(const appspec::ContainerConfig& cc,
                                      const store::SourceFiles& files,
                                      const store::AppRecord& record) {
  if (cc.src != "auto") {
    if (!files.count(cc.src)) {
      return Status::InvalidArgument("container file " + cc.src + " is not in the source");
    }
    return cc.src;
  }
  const std::string prefix = cc.build_dir.empty() ? "" : cc.build_dir + "/";
  for (const char* name : {"Containerfile", "Dockerfile"}) {
    if (files.count(prefix + name)) return prefix + name;
  }
  return Status::InvalidArgument(
      "the app has no Containerfile or Dockerfile" +
      std::string(record.source == "-" ? " (spec " + record.spec + " needs a source folder)"
                                       : " in " + record.source));
}

// The container port: the spec's container config (usually param.port), else param port, else
// the first numeric EXPOSE.
Result<int> ContainerPort(const appspec::ContainerConfig& cc,
                          const std::map<std::string, nlohmann::json>& params,
                          const container::ContainerfileInfo& file_info,
                          const std::string& containerfile) {
  int port = cc.port;
  if (port <= 0) {
    if (auto it = params.find("port"); it != params.end() && it->second.is_number_integer()) {
      port = it->second.get<int>();
    }
  }
  if (port <= 0 && !file_info.exposed_ports.empty()) port = file_info.exposed_ports[0];
  if (port <= 0 || port > 65535) {
    return Status::InvalidArgument(
        "the container port is unknown: pass --param port=N or add EXPOSE to the " +
        (containerfile.empty() ? std::string("Containerfile") : containerfile));
  }
  return port;
}

}  // namespace

Result<ResolvedApp> SpecResolver::Resolve(const store::AppRecord& record,
                                          const store::SourceFiles& source, SpecMemo* specs) const {
  if (record.spec.empty()) {
    return Status::InvalidArgument("--spec is required; known specs: " +
                                   Join(library_.Names(), ", "));
  }
  auto get = [this](const std::string& name) -> Result<std::shared_ptr<const appspec::FileSet>> {
    BERTH_ASSIGN_OR_RETURN(appspec::FileSet files, library_.Get(name));
    return std::make_shared<const appspec::FileSet>(std::move(files));
  };
  std::shared_ptr<const appspec::FileSet> spec_files;
  if (specs) {
    auto it = specs->find(record.spec);
    if (it == specs->end()) it = specs->emplace(record.spec, get(record.spec)).first;
    BERTH_ASSIGN_OR_RETURN(spec_files, it->second);
  } else {
    BERTH_ASSIGN_OR_RETURN(spec_files, get(record.spec));
  }
  ResolvedApp r;
  // Overlay: the source's files win over the spec's.
  for (const auto& [name, content] : *spec_files) r.files[name] = store::SourceFile{content, 0644};
  for (const auto& [name, file] : source) r.files[name] = file;
  // What Starlark runs: the .star files (app.star, params.star and what they load), read
  // whole; the other files stay where they are (the store, the disk).
  appspec::FileSet overlaid;
  for (const auto& [name, file] : r.files) {
    if (!EndsWith(name, ".star")) continue;
    BERTH_ASSIGN_OR_RETURN(overlaid[name], store::ReadSourceFile(file));
  }

  BERTH_ASSIGN_OR_RETURN(auto decls, DeclaredParams(overlaid));
  BERTH_ASSIGN_OR_RETURN(r.params, appspec::ResolveParams(*decls, record.metadata.params));
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
  BERTH_RETURN_IF_ERROR(ResolveContainer(record, &r));
  return r;
}

Result<std::shared_ptr<const std::vector<appspec::ParamDecl>>> SpecResolver::DeclaredParams(
    const appspec::FileSet& star_files) const {
  std::string key;
  for (const auto& [name, content] : star_files) {
    key += name + '\0' + std::to_string(content.size()) + '\0' + content;
  }
  {
    std::lock_guard lock(decls_mu_);
    if (auto it = decls_.find(key); it != decls_.end()) return it->second;
  }
  BERTH_ASSIGN_OR_RETURN(auto decls, appspec::LoadParams(star_files));
  auto shared = std::make_shared<const std::vector<appspec::ParamDecl>>(std::move(decls));
  std::lock_guard lock(decls_mu_);
  if (decls_.size() >= kMaxDeclSets) decls_.clear();
  decls_.emplace(std::move(key), shared);
  return shared;
}

Status SpecResolver::ResolveContainer(const store::AppRecord& record, ResolvedApp* r) const {
  if (!r->definition.container) {
    return Status::InvalidArgument("spec " + record.spec +
                                   " routes to container.URL but has no container config");
  }
  const appspec::ContainerConfig& cc = *r->definition.container;
  ContainerSetup setup;
  setup.scheme = cc.scheme;
  setup.build_dir = cc.build_dir;
  container::ContainerfileInfo file_info;
  if (cc.src.starts_with("image:")) {
    setup.build = false;
    setup.image = cc.src.substr(6);
    if (setup.image.empty()) return Status::InvalidArgument("param image is empty");
  } else {
    BERTH_ASSIGN_OR_RETURN(setup.containerfile, FindContainerfile(cc, r->files, record));
    BERTH_ASSIGN_OR_RETURN(std::string containerfile,
                           store::ReadSourceFile(r->files.at(setup.containerfile)));
    file_info = container::ParseContainerfile(containerfile);
  }
  BERTH_ASSIGN_OR_RETURN(setup.port, ContainerPort(cc, r->params, file_info, setup.containerfile));

  // Health path: the app's --conf, else the spec's, else the server's default; routes that
  // keep the app path see it in front, and the root then is "/app/": apps mounted below a
  // prefix (gunicorn's SCRIPT_NAME) redirect "/app" there, and only a 2xx counts as healthy.
  std::string health = record.metadata.conf.count("container.health_url")
                           ? record.metadata.conf.at("container.health_url")
                           : (cc.health.empty() || cc.health == "/"
                                  ? ConfigValue(record, "container.health_url", "/")
                                  : cc.health);
  if (health.empty() || health.front() != '/') health = "/" + health;
  if (!r->strip_app && record.path != "/") health = record.path + health;
  setup.health_path = health;

  setup.volumes = MergeVolumes(file_info.volumes, record.metadata.cvols, cc.volumes);
  setup.cargs = cc.cargs;
  for (const auto& [k, v] : record.metadata.cargs) setup.cargs[k] = v;
  setup.copts = record.metadata.copts;
  setup.env = appspec::ParamsToEnv(r->params);
  setup.env["PORT"] = std::to_string(setup.port);
  setup.env["CL_APP_PATH"] = record.path == "/" ? "" : record.path;
  setup.params = appspec::ParamsToEnv(r->params);
  setup.app_path = record.path;
  setup.secrets_allowed = {{"regex:.*"}};
  for (const auto& p : r->definition.permissions) {
    if (p.plugin == "container.in" && p.secrets) setup.secrets_allowed = *p.secrets;
  }
  r->container = std::move(setup);
  return Status::Ok();
}

}  // namespace berth::app
