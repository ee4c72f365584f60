// ResolvedApp: what an app serves, derived from its record, its spec and its source.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "appspec/app_definition.h"
#include "store/source_store.h"

namespace berth::app {

// How the app's container is made and checked; present for container apps only.
struct ContainerSetup {
  bool build = true;           // false: run `image` as it is (src "image:<ref>")
  std::string image;           // the image reference when !build
  std::string containerfile;   // path within `files` when build
  std::string build_dir;       // build context within `files`, "" = root
  int port = 0;                // the port the app listens on inside the container
  std::string scheme = "http";
  std::string health_path = "/";
  std::vector<std::string> volumes;           // as written: /dst, name:/dst[:o], /host:/dst[:o]
  std::map<std::string, std::string> cargs;   // build args, spec's overlaid by the app's
  std::map<std::string, std::optional<std::string>> copts;  // run options
  std::map<std::string, std::string> env;     // params as env, plus PORT and CL_APP_PATH
  // The params as env values (a subset of `env`): what a cl_secret template sees as .params.
  std::map<std::string, std::string> params;
  std::string app_path;  // the app's path, for a cl_secret template's .app.path
  // The secrets the app may read: entries of key patterns (appspec::Permission::secrets), from
  // the container.in permission's `secrets`; without one, every key ("regex:.*").
  std::vector<std::vector<std::string>> secrets_allowed;
};

struct ResolvedApp {
  appspec::AppDefinition definition;
  std::map<std::string, nlohmann::json> params;
  store::SourceFiles files;  // the spec's files overlaid by the app's source
  // The route for the app path: a fixed URL, or appspec::kContainerUrl.
  std::string upstream_url;
  bool strip_app = true;
  bool preserve_host = false;
  std::optional<ContainerSetup> container;
};

}  // namespace berth::app
