// What a spec declares, as plain data the rest of Berth consumes: the params an app takes
// (from params.star) and the app's routes, container and permissions (from app.star).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace berth::appspec {

enum class ParamType { kString, kInt, kBoolean, kList, kDict };

// "STRING", "INT", "BOOLEAN", "LIST", "DICT" (the names params.star uses).
const char* ParamTypeName(ParamType type);

// One param(...) of params.star.
struct ParamDecl {
  std::string name;
  ParamType type = ParamType::kString;
  nlohmann::json default_value;  // null when the param has no default
  std::string description;
  // True when a value must be given: declared required (the default) and without a default.
  bool required = false;
};

// ace.proxy(path, proxy.config(url, ...)): requests under `path` go to `url`.
struct RouteConfig {
  std::string path = "/";
  std::string url;             // a URL, or "$container" (container.URL) for the app's container
  bool strip_app = true;       // strip the app's path before forwarding
  bool preserve_host = false;  // forward the client's Host header instead of the upstream's
};

// The container marker used in RouteConfig::url.
inline constexpr const char* kContainerUrl = "$container";

// container.config(src, ...).
struct ContainerConfig {
  std::string src = "auto";  // "auto" (Containerfile/Dockerfile), "image:<ref>", or a file name
  int port = 0;              // 0 = not set (use the port param or EXPOSE)
  std::string scheme = "http";
  std::string health = "/";  // health check path
  std::vector<std::string> volumes;
  std::map<std::string, std::string> cargs;  // build args
  std::string build_dir;                     // build context inside the source, "" = root
};

// ace.permission(plugin, method, args, secrets=...): what the app is allowed to call. `secrets`
// (as the reference's container.in permission) lists the secrets the app may read: each entry
// a list of patterns matched one to one against the keys of a {{secret ...}} call, a pattern
// being the exact key or "regex:<ECMAScript regex>" matching the whole key.
struct Permission {
  std::string plugin, method;
  std::vector<std::string> args;
  std::optional<std::vector<std::vector<std::string>>> secrets;  // unset: not said
};

// app = ace.app(name, routes=[...], container=..., permissions=[...]).
struct AppDefinition {
  std::string name;
  std::vector<RouteConfig> routes;
  std::optional<ContainerConfig> container;
  std::vector<Permission> permissions;
};

}  // namespace berth::appspec
