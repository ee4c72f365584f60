// ContainerStarter: the engine steps of one app's container start, for the plan that start
// runs. ContainerApp (the state machine) decides when to start, stop and remove, and what a
// result means; the starter does the engine work: write the build context and build the
// image, create volumes, run a new container or start the existing one, wait until its health
// check passes, and remove what the start superseded.
//
// Every call blocks on the engine (call from a job, never from a proxy thread). A starter
// keeps no state between calls: make one per start, or per removal. Not for sharing between
// threads; the deps, plan and files it is given must outlive it.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "app/container_plan.h"
#include "app/health_probe.h"
#include "base/clock.h"
#include "base/status.h"
#include "base/thread_pool.h"
#include "container/runtime.h"
#include "store/source_store.h"

namespace berth::app {

// What a ContainerApp works with; the starter uses all but `render`. Not owned.
struct ContainerAppDeps {
  container::ContainerRuntime* runtime = nullptr;
  JobRunner* jobs = nullptr;
  HealthProbe* probe = nullptr;
  const Clock* clock = nullptr;  // also sleeps between health probes (a FakeClock does not)
  std::string build_root;        // build contexts are written below this folder
  // Renders a plan that needs it (ContainerPlan::needs_render) at each start: RenderPlan with
  // the server's secrets. Null: such a plan fails to start with a clear error.
  std::function<Result<ContainerPlan>(const ContainerPlan&, const store::SourceFiles&)> render;
  // The folder of rendered cl_secret files (RenderDeps::files_root): a container's folder
  // there goes with the container.
  std::string secret_files_root;
};

// The delay before health probe number `attempt` (0-based) during a start: a few milliseconds
// at first, backing off gently to at most 100 ms.
std::chrono::milliseconds ProbeDelay(int attempt);

class ContainerStarter {
 public:
  // `plan` is the app's plan as written (app id, container port, health path, build
  // settings); `live` the plan this start runs: `plan` itself, or its rendering (names and
  // values resolved). `start_timeout` is only for messages.
  ContainerStarter(const ContainerAppDeps& deps, const ContainerPlan& plan,
                   std::shared_ptr<const ContainerPlan> live, const store::SourceFiles& files,
                   std::chrono::milliseconds start_timeout);

  // Builds the live image from the app's files: the build context (the files under
  // plan.build_dir, and the Containerfile) goes to a fresh folder below build_root, removed
  // after. `log` receives the build's output. The error names the build's last log lines.
  Status Build(std::string* log);
  // Creates the named volumes the plan asks for (an existing one is kept).
  Status CreateVolumes();
  // Adopts the live container when it is running, starts it when it exists, else runs it
  // anew; returns the host port of the app's container port. An exit at once is an error with
  // the container's log tail.
  Result<int> RunOrStart();
  // Probes the health path on `port` until it answers 2xx (true), the container exits, or
  // `deadline` passes. `confirmed_port`, when given, is filled in by a concurrent inspect (0
  // while unknown, -1 when the container is not running) and wins over `port`.
  Status WaitHealthy(int port, SteadyTime deadline,
                     std::shared_ptr<std::atomic<int>> confirmed_port = nullptr);
  // The restart of a stopped container whose host port the engine keeps
  // (KeepsHostPortsOnRestart): starts it and probes `known_port` at once, confirming the port
  // with an inspect alongside. NotFound when the container is gone (run it anew then).
  Result<int> RestartStopped(int known_port, SteadyTime deadline);
  // For a start that failed its health wait: stops the container and returns `why` with the
  // tail of the container's log.
  Status StopAfterFailure(const Status& why);
  // Removes the app's stopped containers other than the live one, and their images when the
  // app builds its own. A running one is left to its own version's removal.
  void RemoveSuperseded();
  // Removes container `name` and its rendered cl_secret files. NotFound when it was gone.
  Status RemoveContainer(const std::string& name);
  // The last `lines` of the live container's log, trimmed; "" when unavailable.
  std::string LogTail(int lines);

 private:
  const ContainerAppDeps& deps_;
  const ContainerPlan& plan_;
  const std::shared_ptr<const ContainerPlan> live_;
  const store::SourceFiles& files_;
  const std::chrono::milliseconds start_timeout_;
};

}  // namespace berth::app
