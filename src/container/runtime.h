// ContainerRuntime: the narrow interface through which Berth drives a container engine (build an
// image, run/stop/start/remove a container, read its state and logs, manage named volumes).
// The real implementation (engine_runtime.h) runs the podman or docker CLI; tests of the layers
// above use a fake.
//
// Every method blocks until the engine answers; builds take minutes and even `stop` waits for
// the container to exit. Call them from a worker pool, never from a network (io_context) thread.
// Implementations are thread-safe: concurrent calls for different containers are fine.
//
// Names (containers, images, volumes) are chosen by Berth. A name that is empty or starts with
// '-' is refused with InvalidArgument, so a name can never be read as an option.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "base/process.h"
#include "base/status.h"

namespace berth::container {

using Labels = std::map<std::string, std::string>;

struct BuildSpec {
  std::string image;          // name:tag given to the built image
  std::string context_dir;    // build context directory
  std::string containerfile;  // path to the Containerfile/Dockerfile; may be outside the context
  std::vector<std::pair<std::string, std::string>> build_args;  // --build-arg k=v, in order
  Labels labels;  // --label k=v on the image (sorted by key)
  // Build args whose values are secrets: see RunSpec::hidden_env.
  std::set<std::string> hidden_build_args;
};

struct VolumeMount {
  std::string source;   // a volume name, or an absolute host path for a bind mount
  std::string target;   // absolute path in the container
  std::string options;  // e.g. "ro" or "ro,z"; may be empty
};

struct RunSpec {
  std::string name;  // container name
  std::string image;
  int container_port = 0;  // published on 127.0.0.1 with an engine-chosen host port; 0 = none
  std::vector<std::pair<std::string, std::string>> env;  // --env K=V, in order
  // Engine options from `--copt key[=value]`: {key, value} becomes --key=value, {key, nullopt}
  // becomes --key. In order.
  std::vector<std::pair<std::string, std::optional<std::string>>> options;
  std::vector<VolumeMount> volumes;  // in order
  Labels labels;                     // --label k=v on the container (sorted by key)
  // Names in `env` whose values are secrets: they reach the engine through its own
  // environment (--env NAME), not its command line, which every local user can read. A name
  // the engine itself reads (PATH, HOME, LD_*, ...) stays on the command line.
  std::set<std::string> hidden_env;
};

struct PortBinding {
  int container_port = 0;
  std::string protocol;  // "tcp", "udp"
  std::string host_ip;   // "127.0.0.1"; may be empty ("all addresses")
  int host_port = 0;     // 0 when the port is exposed but not published
};

struct ContainerInfo {
  std::string id;     // full id
  std::string name;   // without docker's leading '/'
  std::string image;  // the image name the container was created from
  std::string state;  // the engine's word: "created", "running", "exited", "paused", ...
  bool running = false;
  // The host port published for the container's first published TCP port (Berth publishes
  // exactly one), only while the container runs: engines may pick another port at the next
  // start (docker does). 0 if none.
  int host_port = 0;
  std::vector<PortBinding> ports;  // as the engine reports them, also when stopped
  Labels labels;           // the container's labels (including those inherited from the image)
  int exit_code = 0;       // of the last run; meaningful when the container has exited
  std::string started_at;  // RFC 3339 time of the last start; empty if never started or unknown

  // The host port bound to `container_port`/tcp, 0 if none.
  int HostPortFor(int container_port) const;
};

class ContainerRuntime {
 public:
  virtual ~ContainerRuntime();

  // "podman" or "docker".
  virtual std::string Name() const = 0;
  // Whether a stopped container keeps its published host ports when it is started again
  // (podman does; docker may publish others), so a restart can probe the known port at once.
  virtual bool KeepsHostPortsOnRestart() const = 0;

  // Checks that the engine answers (for docker: that the daemon is reachable). Unavailable with
  // the engine's message when it does not.
  virtual Status Ping() = 0;

  // Builds spec.image from spec.containerfile and spec.context_dir. A base image present
  // locally is used as it is; a missing one is pulled (the engines' default). `output` (optional)
  // receives the whole build log, stdout and stderr merged, on success and on failure. On failure:
  // a Status whose message names the failing step and the last error line, e.g. `podman build
  // failed: STEP 3/3: RUN false: building at STEP "RUN false": while running runtime: exit status
  // 1`. DeadlineExceeded when the build outlives the driver's build timeout (`output` then
  // holds the log so far). Intermediate containers of a failed build are removed. With podman
  // a build leaves only its final image (no layer cache: removing it removes the whole build).
  virtual Status Build(const BuildSpec& spec, std::string* output) = 0;

  // Whether an image with this name (or id) exists locally. An error only when the engine
  // cannot answer.
  virtual Result<bool> ImageExists(const std::string& image) = 0;

  // Removes an image. Success if it does not exist. FailedPrecondition if a container still
  // uses it (containers are never removed as a side effect).
  virtual Status RemoveImage(const std::string& image) = 0;

  // Creates and starts a detached container; returns its id. The container port is published
  // to 127.0.0.1 on a port the engine picks (read it back with Inspect). AlreadyExists if a
  // container of that name exists; InvalidArgument for a bad spec (checked here: names,
  // volume paths) or an option the engine rejects.
  virtual Result<std::string> Run(const RunSpec& spec) = 0;

  // Starts a stopped container. Success if it is already running. NotFound if absent.
  virtual Status Start(const std::string& name) = 0;

  // Stops a container: SIGTERM, then SIGKILL after timeout_secs. Success if it is already
  // stopped (or was never started). NotFound if absent.
  virtual Status Stop(const std::string& name, int timeout_secs) = 0;

  // Removes a container, killing it first if it runs. Success if it does not exist.
  virtual Status Remove(const std::string& name) = 0;

  // The state of one container (by name or id). NotFound if absent.
  virtual Result<ContainerInfo> Inspect(const std::string& name) = 0;

  // Every container (running or not) carrying the label key=value; empty if none.
  // With docker, `labels` come from `docker ps`, which prints them comma-joined: a label value
  // that itself contains ",k=v" is split wrongly there. Use Inspect for exact labels.
  virtual Result<std::vector<ContainerInfo>> ListByLabel(const std::string& key,
                                                         const std::string& value) = 0;

  // The last tail_lines lines of the container's log (all if tail_lines < 0), stdout and
  // stderr merged. NotFound if the container is absent.
  virtual Result<std::string> Logs(const std::string& name, int tail_lines) = 0;

  // The command that streams the container's log (`logs --follow`), for ChildProcess::Spawn
  // with its argv and env; send its stderr to its stdout to get both streams.
  virtual ProcessOptions FollowLogsCommand(const std::string& name, int tail_lines) = 0;

  // Creates a named volume with labels. Success if a volume of that name already exists (its
  // labels are left as they are).
  virtual Status VolumeCreate(const std::string& name, const Labels& labels) = 0;
  virtual Result<bool> VolumeExists(const std::string& name) = 0;
  // Removes a volume. Success if it does not exist; FailedPrecondition if a container uses it.
  virtual Status VolumeRemove(const std::string& name) = 0;
  // The names of the volumes carrying the label key=value, sorted; empty if none.
  virtual Result<std::vector<std::string>> VolumeListByLabel(const std::string& key,
                                                             const std::string& value) = 0;
};

}  // namespace berth::container
