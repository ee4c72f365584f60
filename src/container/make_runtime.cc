#include "container/make_runtime.h"

#include <fmt/format.h>

#include <cstdlib>

#include "base/process.h"
#include "container/flavor.h"

namespace berth::container {

namespace {

constexpr const char* kDefaultPath = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin";

}  // namespace

Result<std::unique_ptr<ContainerRuntime>> MakeRuntime(const std::string& container_command,
                                                      CommandRunner& runner) {
  const char* path = std::getenv("PATH");
  return MakeRuntime(container_command, runner, path != nullptr ? path : kDefaultPath,
                     EngineRuntimeOptions{});
}

Result<std::unique_ptr<ContainerRuntime>> MakeRuntime(const std::string& container_command,
                                                      CommandRunner& runner,
                                                      const std::string& path_env,
                                                      EngineRuntimeOptions options) {
  if (container_command.empty()) {
    return Status::FailedPrecondition(
        "containers are disabled (container_command is empty); set it to \"auto\", \"podman\" "
        "or \"docker\"");
  }
  if (container_command == "auto") {
    for (Flavor flavor : {Flavor::kPodman, Flavor::kDocker}) {
      auto exe = FindExecutable(FlavorName(flavor), path_env);
      if (exe.ok()) {
        return std::unique_ptr<ContainerRuntime>(
            new EngineRuntime(flavor, *exe, runner, std::move(options)));
      }
    }
    return Status::Unavailable(
        "no container runtime: neither podman nor docker was found on PATH (set "
        "container_command to the engine's path)");
  }

  auto exe = FindExecutable(container_command, path_env);
  if (!exe.ok()) {
    return Status::NotFound(
        fmt::format("container_command {}: command not found", container_command));
  }
  ProcessOptions version;
  version.argv = {*exe, "--version"};
  version.env = options.env;
  version.timeout = std::chrono::seconds(30);
  auto out = runner.Run(version);
  std::string version_text = out.ok() && out->exit_code == 0 ? out->out : std::string();
  BERTH_ASSIGN_OR_RETURN(Flavor flavor, DetectFlavor(version_text, *exe));
  return std::unique_ptr<ContainerRuntime>(
      new EngineRuntime(flavor, *exe, runner, std::move(options)));
}

}  // namespace berth::container
