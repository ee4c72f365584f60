// RenderPlan: the plan a start runs, from a plan whose values are resolved at each start
// (ContainerPlan::needs_render). Env values and build args that are templates are rendered
// with the functions `secret` and `secret_from`; each cl_secret template file is rendered with
// .params (the params, their secrets resolved) and .app.path and .app.port, written under
// `files_root`/<container name>/ (folder 0700, file 0600) and bind-mounted at its target.
//
// The rendered plan's image and container names carry the resolved values, so a rotated secret
// gives a new container (and, through a build arg, a new image) at the next start, and an
// unchanged one the same names. Values never reach a log or an error: a failure names the
// template, the provider and the key.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "app/container_plan.h"
#include "base/status.h"
#include "store/source_store.h"

namespace berth::app {

struct RenderDeps {
  // The value of {{secret args...}} (secrets::SecretProviders::FromTemplateArgs): one argument
  // is a key of the default provider, two or more a provider and its keys. Null: no secrets.
  std::function<Result<std::string>(const std::vector<std::string>& args)> secret;
  // Rendered cl_secret files go below this folder ($BERTH_HOME/run/secrets).
  std::string files_root;
};

// Renders `plan` (needs_render) with the app's `files`; writes the cl_secret files. A plan
// that needs no rendering comes back as it is.
Result<ContainerPlan> RenderPlan(const ContainerPlan& plan, const store::SourceFiles& files,
                                 const RenderDeps& deps);

// The folder of a container's rendered cl_secret files.
std::string SecretFilesDir(const std::string& files_root, const std::string& container_name);

// Whether a {{secret}} call with these arguments may read its key under `allowed`
// (ContainerPlan::secrets_allowed): some entry whose patterns match the keys one to one (an
// entry shorter than the keys applies its last pattern to the rest, so ["regex:.*"] allows
// every key), a pattern being the key itself or "regex:<re>" matching all of it. The provider
// (the first of two or more arguments) is not matched.
bool SecretAllowed(const std::vector<std::vector<std::string>>& allowed,
                   const std::vector<std::string>& args);

}  // namespace berth::app
