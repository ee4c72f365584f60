// ContainerApp: one app's container lifecycle, and the proxy Backend that hands out its
// upstream. A container starts on the first request and stops after an idle period; requests
// that arrive meanwhile are held and released the moment the health check passes.
//
//   stopped --request--> starting (build if needed, run/start, health wait) --> running
//   running --idle, nothing in flight--> stopping --> stopped (held requests start it again)
//   starting --failure--> failed (held requests get 503 with the reason; the next retries)
//   running --died or unhealthy--> stopped (the next request starts it again)
//
// One build and one start at a time however many requests arrive together (single-flight):
// every transition happens under one mutex, and blocking engine calls run on the JobRunner.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "app/container_plan.h"
#include "app/health_probe.h"
#include "base/clock.h"
#include "base/thread_pool.h"
#include "container/runtime.h"
#include "proxy/upstream.h"
#include "store/source_store.h"

namespace berth::app {

struct ContainerAppDeps {
  container::ContainerRuntime* runtime = nullptr;
  JobRunner* jobs = nullptr;
  HealthProbe* probe = nullptr;
  const Clock* clock = nullptr;
  std::string build_root;  // build contexts are written below this folder
};

struct ContainerAppSettings {
  std::chrono::milliseconds idle_timeout{180'000};
  std::chrono::milliseconds start_timeout{180'000};
  std::chrono::milliseconds status_interval{5'000};
  int stop_timeout_secs = 10;
  int unhealthy_threshold = 3;  // consecutive failed periodic checks before a restart
};

// Whether a running container should be stopped now. Pure, for tests.
bool ShouldStopIdle(int in_flight, SteadyTime last_activity, SteadyTime now,
                    std::chrono::milliseconds idle_timeout);

// The delay before health probe number `attempt` (0-based) during a start: a few milliseconds
// at first, backing off gently to at most 100 ms.
std::chrono::milliseconds ProbeDelay(int attempt);

class ContainerApp : public proxy::Backend, public std::enable_shared_from_this<ContainerApp> {
 public:
  enum class State { kStopped, kStarting, kRunning, kStopping, kFailed };

  ContainerApp(ContainerAppDeps deps, ContainerAppSettings settings, ContainerPlan plan,
               store::SourceFiles files);
  ~ContainerApp() override;

  bool TryAcquire(proxy::Acquired* out) override;
  void AcquireAsync(std::function<void(proxy::Acquired)> done) override;
  bool RetryAfterConnectFailure(const proxy::Acquired& failed) override;

  // Called periodically (every ~100 ms) by the manager: stops an idle container, schedules the
  // periodic health check, fails held requests that waited longer than the start timeout.
  void Tick();
  // Looks for this app's container (a job): a running one is adopted as it is.
  void AdoptExisting();
  // Stops this app for good: no more starts; removes its containers and (built) images, and
  // its volumes when `volumes`. Blocks; call from a job.
  void Retire(bool volumes);

  // "stopped", "building", "starting", "running", "stopping", "failed", and the last error.
  std::pair<std::string, std::string> StateText() const;
  State state() const;
  const ContainerPlan& plan() const { return plan_; }
  int in_flight() const { return in_flight_.load(); }

 private:
  class Lease;
  struct Waiter {
    std::function<void(proxy::Acquired)> done;
    SteadyTime deadline;
  };

  void StartJob();
  void StopJob(uint64_t generation);
  void HealthCheckJob(uint64_t generation, int port);
  Status Build(std::string* log);
  // Runs or starts the container; returns its host port.
  Result<int> RunOrStart();
  // Probes the health path until it answers 2xx. `confirmed_port`, when given, is filled in by
  // a concurrent inspect (0 while unknown, -1 when the container is not running) and wins over
  // `port`.
  Status WaitHealthy(int port, SteadyTime deadline,
                     std::shared_ptr<std::atomic<int>> confirmed_port = nullptr);
  // The restart of a container this app ran before (podman keeps its host port): start it and
  // probe the known port at once, confirming the port with an inspect alongside. Returns
  // NotFound when the container is gone (the caller then runs it anew).
  Result<int> Restart(int known_port, SteadyTime deadline);
  void RemoveSuperseded();
  void FinishStart(Status status, int port, const std::string& timing);
  proxy::Acquired MakeAcquiredLocked();
  void Touch();
  std::string LogTail(int lines);

  // Constant after construction.
  const ContainerAppDeps deps_;
  const ContainerAppSettings settings_;
  const ContainerPlan plan_;
  const store::SourceFiles files_;

  mutable std::mutex mu_;
  State state_ = State::kStopped;  // guarded by mu_
  std::string phase_;              // guarded by mu_: "building", "starting", ...
  std::string error_;              // guarded by mu_
  int host_port_ = 0;              // guarded by mu_
  uint64_t generation_ = 0;        // guarded by mu_: bumps at every successful start
  std::vector<Waiter> waiters_;    // guarded by mu_
  bool retired_ = false;           // guarded by mu_
  bool check_running_ = false;     // guarded by mu_
  SteadyTime last_check_;          // guarded by mu_
  int failed_checks_ = 0;          // guarded by mu_
  // What earlier starts learnt, to keep engine calls off the next start's critical path.
  bool image_present_ = false;     // guarded by mu_: the image exists (built or found)
  bool container_exists_ = false;  // guarded by mu_: our container was created

  std::atomic<int> in_flight_{0};
  std::atomic<int64_t> last_activity_ns_{0};
};

}  // namespace berth::app
