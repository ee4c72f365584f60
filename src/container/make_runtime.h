// Choosing the container runtime from the `container_command` setting.
#pragma once

#include <memory>
#include <string>

#include "base/command_runner.h"
#include "base/status.h"
#include "container/engine_runtime.h"
#include "container/runtime.h"

namespace berth::container {

// container_command:
//   "auto"  podman if found on PATH, else docker; Unavailable if neither is.
//   ""      containers are disabled: FailedPrecondition saying so.
//   other   the executable to use (a path or a name looked up in PATH); NotFound if absent. Its
//           flavor comes from `<exe> --version` (run once, here), else from its basename.
// The runtime keeps a reference to `runner`, which must outlive it. Does not check that the
// engine works (a docker daemon may be down): call Ping() for that.
Result<std::unique_ptr<ContainerRuntime>> MakeRuntime(const std::string& container_command,
                                                      CommandRunner& runner);

// As above with an explicit PATH to search and driver options (for tests and configuration).
Result<std::unique_ptr<ContainerRuntime>> MakeRuntime(const std::string& container_command,
                                                      CommandRunner& runner,
                                                      const std::string& path_env,
                                                      EngineRuntimeOptions options);

}  // namespace berth::container
