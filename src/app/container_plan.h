// ContainerPlan: everything needed to build and run one app's container, computed from the
// app record and its resolved spec. Pure: no engine calls, so names and arguments are testable.
//
// Names carry content hashes. The image is named from the app id and a hash of everything that
// shapes it (build context files and modes, the Containerfile, build args); the container from
// the app id and a hash of everything that shapes the running container (image, env, options,
// volumes, port). An unchanged hash reuses what exists; a changed one builds or runs anew.
#pragma once

#include <string>
#include <vector>

#include "app/resolved_app.h"
#include "base/status.h"
#include "container/runtime.h"
#include "store/app_store.h"

namespace berth::app {

// Label keys on Berth's containers, images and volumes.
inline constexpr const char* kLabelAppId = "berth.app.id";
inline constexpr const char* kLabelAppPath = "berth.app.path";
inline constexpr const char* kLabelVersion = "berth.app.version";
inline constexpr const char* kLabelHome = "berth.home";

struct ContainerPlan {
  std::string app_id;
  bool build = true;
  std::string image;                // what the container runs
  container::BuildSpec build_spec;  // when build: context_dir is set at build time
  std::string build_dir;            // the context within the source, "" = root
  std::string containerfile;        // path within the source
  container::RunSpec run;
  std::vector<std::string> volumes_to_create;  // named volumes the run needs
  container::Labels volume_labels;
  std::string health_path;
  int container_port = 0;
};

Result<ContainerPlan> MakeContainerPlan(const store::AppRecord& record, const ResolvedApp& app,
                                        const std::string& home);

// "berth-<app id>-<name>", with characters outside [A-Za-z0-9_.-] replaced.
std::string VolumeName(const std::string& app_id, const std::string& name);

}  // namespace berth::app
