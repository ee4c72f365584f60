// ContainerApp: one app's container lifecycle, and the proxy Backend that hands out its
// upstream. A container starts on the first request and stops after an idle period; requests
// that arrive meanwhile are held and released the moment the health check passes.
//
//   stopped --request--> starting (build if needed, run/start, health wait) --> running
//   running --idle, nothing in flight--> stopping --> stopped (held requests start it again)
//   starting --failure--> failed (held requests get 503 with the reason)
//   failed --request after the backoff--> starting
//   failed --request during the backoff, or after a failed build--> 503 at once, nothing held
//   running --died or unhealthy--> stopped (the next request starts it again)
//
// Failed starts back off (start_backoff.h): 1 s after the first, doubling per consecutive
// failure up to container.max_start_backoff_secs. Meanwhile every request gets the 503 at once,
// with the last failure's reason and a Retry-After header. A failed build is not tried again
// until the app changes (a new ContainerApp with another image) or the user asks (Restart()).
//
// One build and one start at a time however many requests arrive together (single-flight):
// every transition happens under one mutex, and blocking engine calls run on the JobRunner.
// The engine steps of a start are ContainerStarter's (container_starter.h).
//
// Thread-safe: proxy threads acquire and release, job threads start and stop, the registry's
// monitor ticks. Shared ownership (the route table, the registry, leases, jobs); the deps it is
// given (runtime, jobs, probe, clock) must outlive every job it posts.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "app/container_plan.h"
#include "app/container_starter.h"
#include "app/health_probe.h"
#include "app/run_state.h"
#include "app/start_backoff.h"
#include "base/clock.h"
#include "base/thread_pool.h"
#include "container/runtime.h"
#include "proxy/upstream.h"
#include "store/source_store.h"

namespace berth::app {

struct ContainerAppSettings {
  std::chrono::milliseconds idle_timeout{180'000};
  std::chrono::milliseconds start_timeout{180'000};
  std::chrono::milliseconds status_interval{5'000};
  int stop_timeout_secs = 10;   // container.stop_timeout_secs: SIGTERM, then SIGKILL after it
  int unhealthy_threshold = 3;  // consecutive failed periodic checks before a restart
  std::chrono::milliseconds first_start_backoff{1'000};  // the wait after one failed start
  std::chrono::milliseconds max_start_backoff{60'000};   // container.max_start_backoff_secs
  // How long a replaced version's in-flight requests (and open WebSockets) may take before its
  // container is removed: container.drain_timeout_secs.
  std::chrono::milliseconds drain_timeout{30'000};
};

// Whether a running container should be stopped now. Pure, for tests.
bool ShouldStopIdle(int in_flight, SteadyTime last_activity, SteadyTime now,
                    std::chrono::milliseconds idle_timeout);

class ContainerApp : public proxy::Backend, public std::enable_shared_from_this<ContainerApp> {
 public:
  enum class State { kStopped, kStarting, kRunning, kStopping, kFailed };

  ContainerApp(ContainerAppDeps deps, ContainerAppSettings settings, ContainerPlan plan,
               store::SourceFiles files);
  ~ContainerApp() override;

  bool TryAcquire(proxy::Acquired* out) override;
  void AcquireAsync(std::function<void(proxy::Acquired)> done) override;
  bool RetryAfterConnectFailure(const proxy::Acquired& failed, bool timed_out) override;

  // Called periodically (every ~100 ms) by the manager: stops an idle container, schedules the
  // periodic health check, fails held requests that waited longer than the start timeout.
  void Tick();
  // Looks for this app's container (a job): a running one is adopted as it is.
  void AdoptExisting();
  // Stops this app for good: no more starts; removes its containers (and their rendered
  // cl_secret files) and built images. Its volumes stay: the registry removes them by label
  // when asked (ContainerAppRegistry::Forget). Blocks; call from a job.
  void Retire();
  // Stops this version for good because `next` (a new version of the same app, or null) took
  // its place: held requests go to `next` (404 without one), in-flight requests and tunnels
  // finish (up to `drain`), then its container and built image are removed unless `next`
  // uses the same ones. Blocks; call from a job.
  void Supersede(const std::shared_ptr<ContainerApp>& next, std::chrono::milliseconds drain);
  // Takes over `previous`'s running container when both versions run the same one (same
  // container name): no stop, no start, the same port. Call before this app serves.
  void TakeOver(const ContainerApp& previous);
  // Starts the container now if it is not running and waits until it is healthy or failed
  // (at most the start timeout and a little). For a promote: the new version is checked
  // before it serves. Blocks; not from a proxy thread.
  Status StartAndWait();

  // Forgets the start failures: the backoff, and a failed build (built again at the next
  // start). The next request starts the app at once. For an update or reload of the app.
  void ResetBackoff();
  // `berth app restart`: ResetBackoff(), and a running container is stopped so that the next
  // request starts it afresh. A start under way goes on.
  void Restart();
  // Takes over what `previous` (the app this one replaces) learnt that still holds: a build that
  // failed with the same image (same inputs) stays failed, without a new attempt.
  void CarryOverFailedBuild(const ContainerApp& previous);

  // "stopped", "building", "starting", "running", "stopping", "failed", the last error, and
  // the backoff.
  RunState StateText() const;
  State state() const;
  // The plan as written: for a plan that needs rendering, its names identify the plan, not a
  // container (see Live()).
  const ContainerPlan& plan() const { return plan_; }
  // The plan the current or last start runs: plan() itself unless it needs rendering; then
  // the rendered plan of the last start, or of the adopted container.
  std::shared_ptr<const ContainerPlan> Live() const;
  const ContainerAppSettings& settings() const { return settings_; }
  int in_flight() const { return in_flight_.load(); }

 private:
  class Lease;
  struct Waiter {
    std::function<void(proxy::Acquired)> done;
    SteadyTime deadline;
  };

  // Moves to kStarting and posts StartJob. Requires mu_ held.
  void BeginStartLocked();
  // During the backoff, or after a failed build: fills `out` with the 503 and returns true.
  // Requires mu_ held and state_ == kFailed.
  bool FailFastLocked(SteadyTime now, proxy::Acquired* out);
  // The 503 of a failed start, as requests get it at `now`. Requires mu_ held.
  proxy::Acquired FailureAnswerLocked(SteadyTime now);
  void StartJob();
  void StopJob(uint64_t generation, const std::string& why);
  void HealthCheckJob(uint64_t generation, int port);
  // The engine steps of a start (or a removal) of the live plan.
  ContainerStarter Starter() const;
  // Ends a start: releases the held requests. On failure, the backoff begins; `build_failed`
  // holds the app until it changes or Restart().
  void FinishStart(Status status, int port, const std::string& timing, bool build_failed = false);
  proxy::Acquired MakeAcquiredLocked();
  void Touch();
  // For StartJob: renders the plan when it needs it and makes the result live. Forgets what
  // earlier starts learnt about a container or image the new plan no longer names.
  Status RenderLive();

  // Constant after construction.
  const ContainerAppDeps deps_;
  const ContainerAppSettings settings_;
  const ContainerPlan plan_;
  const store::SourceFiles files_;

  mutable std::mutex mu_;
  std::shared_ptr<const ContainerPlan> live_;  // guarded by mu_; never null
  State state_ = State::kStopped;              // guarded by mu_
  std::string phase_;                          // guarded by mu_: "building", "starting", ...
  std::string error_;                          // guarded by mu_
  int host_port_ = 0;                          // guarded by mu_
  uint64_t generation_ = 0;                    // guarded by mu_: bumps at every successful start
  std::vector<Waiter> waiters_;                // guarded by mu_
  bool retired_ = false;                       // guarded by mu_
  bool check_running_ = false;                 // guarded by mu_
  SteadyTime last_check_;                      // guarded by mu_
  int failed_checks_ = 0;                      // guarded by mu_
  // What earlier starts learnt, to keep engine calls off the next start's critical path.
  bool image_present_ = false;     // guarded by mu_: the image exists (built or found)
  bool container_exists_ = false;  // guarded by mu_: our container was created
  StartBackoff backoff_;           // guarded by mu_
  bool build_failed_ = false;      // guarded by mu_: the build of plan_.image failed
  int64_t start_attempts_ = 0;     // guarded by mu_

  std::atomic<int> in_flight_{0};
  std::atomic<int> open_tunnels_{0};  // WebSockets: not in flight, but a drain waits for them
  std::atomic<int64_t> last_activity_ns_{0};
};

}  // namespace berth::app
