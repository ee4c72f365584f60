// AppPolicy: what a container app may ask of the host, and what needs the user's approval.
// Two allow-lists from the server's [security] config hold for every app whoever asks (the
// app's spec, its app.star, or the CLI's --cvol/--copt): bind-mount sources must lie under
// `allowed_mounts`, run options must be named in `allowed_container_args`. Within them, a bind
// mount that the app's own spec or source asks for (not the CLI user) needs `--approve`.
#pragma once

#include <string>
#include <vector>

#include "app/resolved_app.h"
#include "base/status.h"
#include "store/app_store.h"

namespace berth::app {

struct SecurityPolicy {
  // Absolute host paths; a bind mount's source must be one of them or below one.
  std::vector<std::string> allowed_mounts;
  // Run option names ("memory", "cpus"); anything else (privileged, cap-add, network, pid,
  // volume, device, security-opt, entrypoint...) is refused.
  std::vector<std::string> allowed_container_args;
};

// The option names allowed when the config does not say: resource limits and options that
// change nothing outside the container.
std::vector<std::string> DefaultAllowedContainerArgs();

// What `setup` asks for that needs the user's approval, one line each ("bind-mount host path
// /srv/data at /data"): the bind mounts that the app's spec or source adds (those given with
// --cvol are the user's own), and reading secrets through a param default, build arg or
// cl_secret template of the spec or source (with the allow-list they are read under).
std::vector<std::string> PermissionsAsked(const store::AppRecord& record,
                                          const ContainerSetup& setup);

// Ok when `setup` keeps to `policy` and, for what PermissionsAsked lists, the record is
// approved. Otherwise an InvalidArgument (allow-lists) or PermissionDenied (approval) naming
// every offending item and the setting or flag that would allow it.
Status CheckContainerPolicy(const store::AppRecord& record, const ContainerSetup& setup,
                            const SecurityPolicy& policy);

}  // namespace berth::app
