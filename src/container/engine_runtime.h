// EngineRuntime: the ContainerRuntime that runs the podman or docker command line. The argument
// lists come from engine_args.h, the parsing of the output from engine_output.h; this class runs
// the commands through a CommandRunner and turns exit codes and error messages into Status codes.
//
// Blocking (see runtime.h): every call waits for the command to finish, bounded by the timeouts
// below. Thread-safe: the object holds only configuration fixed at construction.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "base/command_runner.h"
#include "container/engine_args.h"
#include "container/flavor.h"
#include "container/runtime.h"

namespace berth::container {

struct EngineRuntimeOptions {
  // Bound for quick commands (inspect, ps, start, rm, volume ...). `stop` gets its own stop
  // timeout on top of this.
  std::chrono::milliseconds command_timeout = std::chrono::minutes(2);
  // `run` may pull the image first.
  std::chrono::milliseconds run_timeout = std::chrono::minutes(10);
  std::chrono::milliseconds build_timeout = std::chrono::minutes(30);
  // Extra KEY=VALUE environment for every command (e.g. DOCKER_HOST, CONTAINER_HOST).
  std::vector<std::string> env;
};

class EngineRuntime : public ContainerRuntime {
 public:
  // `runner` must outlive this object. `executable` is the path (or PATH name) of the podman or
  // docker binary, of the given flavor.
  EngineRuntime(Flavor flavor, std::string executable, CommandRunner& runner,
                EngineRuntimeOptions options = {});

  Flavor flavor() const { return flavor_; }
  const std::string& executable() const { return executable_; }

  std::string Name() const override;
  bool KeepsHostPortsOnRestart() const override;
  Status Ping() override;
  Status Build(const BuildSpec& spec, std::string* output) override;
  Result<bool> ImageExists(const std::string& image) override;
  Status RemoveImage(const std::string& image) override;
  // On a failure other than a name conflict, also removes whatever the failed `run` left
  // behind under spec.name (docker keeps a created container when the start fails).
  Result<std::string> Run(const RunSpec& spec) override;
  Status Start(const std::string& name) override;
  Status Stop(const std::string& name, int timeout_secs) override;
  Status Remove(const std::string& name) override;
  Result<ContainerInfo> Inspect(const std::string& name) override;
  Result<std::vector<ContainerInfo>> ListByLabel(const std::string& key,
                                                 const std::string& value) override;
  Result<std::string> Logs(const std::string& name, int tail_lines) override;
  ProcessOptions FollowLogsCommand(const std::string& name, int tail_lines) override;
  Status VolumeCreate(const std::string& name, const Labels& labels) override;
  Result<bool> VolumeExists(const std::string& name) override;
  Status VolumeRemove(const std::string& name) override;
  Result<std::vector<std::string>> VolumeListByLabel(const std::string& key,
                                                     const std::string& value) override;

 private:
  // Runs `<executable> args...`. The output whatever the exit code; an error only when the
  // command could not run (not found: Unavailable) or timed out (DeadlineExceeded; then
  // `partial_output`, if given, receives what stdout held so far). `extra_env` (K=V) is added
  // to the engine's environment.
  Result<ProcessOutput> Exec(const std::string& what, const Args& args,
                             std::chrono::milliseconds timeout, bool merge_stderr = false,
                             std::string* partial_output = nullptr,
                             const std::vector<std::string>& extra_env = {});
  // The Status for a command that exited non-zero: "<name> <what> failed: <error summary>",
  // its code from ClassifyError.
  Status Failure(const std::string& what, const ProcessOutput& out) const;

  // Constant after construction.
  const Flavor flavor_;
  const std::string executable_;
  CommandRunner& runner_;
  const EngineRuntimeOptions options_;
};

}  // namespace berth::container
