// ContainerPlan: everything needed to build and run one app's container, computed from the
// app record and its resolved spec. Pure: no engine calls, so names and arguments are testable.
//
// Names carry content hashes. The image is named from the app id and a hash of everything that
// shapes it (build context files and modes, the Containerfile, build args); the container from
// the app id and a hash of everything that shapes the running container (image, env, options,
// volumes, port). An unchanged hash reuses what exists; a changed one builds or runs anew.
#pragma once

#include <map>
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
// The name of the container the plan as written would have: the containers of a plan whose
// values are resolved at each start (secrets) differ in name but share this label.
inline constexpr const char* kLabelPlan = "berth.app.plan";

// A `cl_secret:<template>:<target>[:<options>]` volume: a template file of the app's source,
// rendered at every start into a file that is bind-mounted at `target`.
struct SecretFileMount {
  std::string template_path;  // within the app's files
  std::string target;         // within the container
  std::string options;        // mount options; "ro" unless given
};

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

  // What a start resolves (plan_renderer.h). When `needs_render`, env values or build args
  // are templates, or there are `secret_files`: `image` and `run.name` then name the plan as
  // written, and each start renders the plan it runs, whose names carry the resolved values.
  bool needs_render = false;
  std::string image_inputs;  // digest of the image's inputs but the build args (when build)
  std::map<std::string, std::string> build_args;  // as written
  std::vector<SecretFileMount> secret_files;
  std::map<std::string, std::string> params;  // .params of a cl_secret template, as written
  std::string app_path;                       // .app.path
  std::vector<std::vector<std::string>> secrets_allowed;  // ContainerSetup::secrets_allowed
};

Result<ContainerPlan> MakeContainerPlan(const store::AppRecord& record, const ResolvedApp& app,
                                        const std::string& home);

// The image name for build inputs `image_inputs` (ContainerPlan::image_inputs) and build args.
std::string ImageName(const std::string& app_id, const std::string& image_inputs,
                      const std::map<std::string, std::string>& build_args);
// The container name for `run` (its image, port, env, options and volumes; not its name or
// labels) and `extra` fields (what stands for the cl_secret files).
std::string ContainerName(const std::string& app_id, const container::RunSpec& run,
                          const std::vector<std::string>& extra);

// "berth-<app id>-<name>", with characters outside [A-Za-z0-9_.-] replaced.
std::string VolumeName(const std::string& app_id, const std::string& name);

}  // namespace berth::app
