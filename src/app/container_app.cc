#include "app/container_app.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <future>
#include <thread>

#include "app/plan_renderer.h"
#include "base/files.h"
#include "base/hash.h"
#include "base/process.h"
#include "base/strings.h"

namespace berth::app {

using std::chrono::milliseconds;

namespace {

double Ms(SteadyTime from, SteadyTime to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

std::string TimingEntry(const char* name, double ms) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%s;dur=%.1f", name, ms);
  return buf;
}

}  // namespace

bool ShouldStopIdle(int in_flight, SteadyTime last_activity, SteadyTime now,
                    milliseconds idle_timeout) {
  return in_flight == 0 && now - last_activity >= idle_timeout;
}

// One request's hold on the app: counts as in flight until destroyed (or upgraded to a
// tunnel), and reports moving bytes as activity.
class ContainerApp::Lease : public proxy::Activity {
 public:
  explicit Lease(std::shared_ptr<ContainerApp> app) : app_(std::move(app)) {}
  ~Lease() override {
    if (upgraded_) {
      --app_->open_tunnels_;
    } else {
      --app_->in_flight_;
    }
    app_->Touch();
  }
  void Touch() override { app_->Touch(); }
  void Upgraded() override {
    if (!upgraded_) {
      upgraded_ = true;
      ++app_->open_tunnels_;
      --app_->in_flight_;
    }
  }

 private:
  std::shared_ptr<ContainerApp> app_;
  bool upgraded_ = false;  // the proxy calls from one thread per request
};

ContainerApp::ContainerApp(ContainerAppDeps deps, ContainerAppSettings settings, ContainerPlan plan,
                           store::SourceFiles files)
    : deps_(std::move(deps)),
      settings_(settings),
      plan_(std::move(plan)),
      files_(std::move(files)),
      live_(std::make_shared<const ContainerPlan>(plan_)),
      backoff_(StartBackoff::Options{settings.first_start_backoff, settings.max_start_backoff}) {
  Touch();
}

std::shared_ptr<const ContainerPlan> ContainerApp::Live() const {
  std::lock_guard lock(mu_);
  return live_;
}

Status ContainerApp::RenderLive() {
  if (!plan_.needs_render) return Status::Ok();
  if (!deps_.render) {
    return Status::FailedPrecondition(
        "the app's params, build args or cl_secret volumes are templates, and this server "
        "cannot render them");
  }
  {
    std::lock_guard lock(mu_);
    phase_ = "resolving secrets";
  }
  BERTH_ASSIGN_OR_RETURN(ContainerPlan rendered, deps_.render(plan_, files_));
  auto next = std::make_shared<const ContainerPlan>(std::move(rendered));
  std::lock_guard lock(mu_);
  if (next->run.name != live_->run.name) container_exists_ = false;
  if (next->image != live_->image) image_present_ = false;
  live_ = std::move(next);
  return Status::Ok();
}

ContainerApp::~ContainerApp() = default;

void ContainerApp::Touch() {
  last_activity_ns_.store(deps_.clock->Now().time_since_epoch().count(), std::memory_order_relaxed);
}

proxy::Acquired ContainerApp::MakeAcquiredLocked() {
  proxy::Acquired a;
  a.upstream.host = "127.0.0.1";
  a.upstream.port = static_cast<uint16_t>(host_port_);
  a.token = generation_;
  ++in_flight_;
  a.activity = std::make_shared<Lease>(shared_from_this());
  return a;
}

bool ContainerApp::TryAcquire(proxy::Acquired* out) {
  std::lock_guard lock(mu_);
  if (state_ == State::kFailed && !retired_) return FailFastLocked(deps_.clock->Now(), out);
  if (state_ != State::kRunning) return false;
  *out = MakeAcquiredLocked();
  Touch();
  return true;
}

void ContainerApp::BeginStartLocked() {
  state_ = State::kStarting;
  phase_ = "starting";
  ++start_attempts_;
  deps_.jobs->Post([self = shared_from_this()] { self->StartJob(); });
}

proxy::Acquired ContainerApp::FailureAnswerLocked(SteadyTime now) {
  proxy::Acquired a;
  a.http_status = 503;
  if (build_failed_) {
    a.status = Status::Unavailable(
        "the app failed to start; its build is not tried again until the app changes or "
        "`berth app restart`: " +
        error_);
    return a;
  }
  a.retry_after_secs = std::max<int64_t>(backoff_.RemainingSecs(now), 1);
  a.status =
      Status::Unavailable("the app failed to start; a request in " +
                          std::to_string(a.retry_after_secs) + "s or later tries again: " + error_);
  return a;
}

bool ContainerApp::FailFastLocked(SteadyTime now, proxy::Acquired* out) {
  if (!build_failed_ && backoff_.MayStart(now)) return false;
  *out = FailureAnswerLocked(now);
  return true;
}

void ContainerApp::AcquireAsync(std::function<void(proxy::Acquired)> done) {
  proxy::Acquired ready;
  bool failed_fast = false;
  {
    std::lock_guard lock(mu_);
    const SteadyTime now = deps_.clock->Now();
    if (retired_) {
      ready.status = Status::NotFound("the app was deleted");
      ready.http_status = 404;
    } else if (state_ == State::kRunning) {
      ready = MakeAcquiredLocked();
    } else if (state_ == State::kFailed && FailFastLocked(now, &ready)) {
      failed_fast = true;  // backing off: nothing held, nothing started
    } else {
      waiters_.push_back(Waiter{std::move(done), now + settings_.start_timeout});
      if (state_ == State::kStopped || state_ == State::kFailed) BeginStartLocked();
      // kStarting: the start under way serves us; kStopping: the stop starts it again.
      return;
    }
  }
  if (!failed_fast) Touch();
  done(std::move(ready));
}

bool ContainerApp::RetryAfterConnectFailure(const proxy::Acquired& failed, bool timed_out) {
  std::lock_guard lock(mu_);
  if (retired_) return false;
  if (state_ == State::kRunning && generation_ == failed.token) {
    // The container we handed out is not listening: it died behind our back (just after a
    // kill, the engine's port forwarding may still lead to it, and the connect times out).
    // The next acquire starts it again: a start adopts a container that still runs.
    spdlog::warn("app {}: container {} {} a connection; restarting it", plan_.app_id,
                 live_->run.name, timed_out ? "did not accept" : "refused");
    state_ = State::kStopped;
    error_ = "the container stopped answering";
  }
  return true;
}

void ContainerApp::FinishStart(Status status, int port, const std::string& timing,
                               bool build_failed) {
  std::vector<Waiter> waiters;
  std::vector<proxy::Acquired> results;
  int64_t attempt = 0, retry_secs = 0;
  {
    std::lock_guard lock(mu_);
    waiters.swap(waiters_);
    attempt = start_attempts_;
    if (status.ok()) {
      state_ = State::kRunning;
      phase_.clear();
      error_.clear();
      backoff_.Reset();
      build_failed_ = false;
      host_port_ = port;
      ++generation_;
      last_check_ = deps_.clock->Now();
      failed_checks_ = 0;
      Touch();
      for (size_t i = 0; i < waiters.size(); ++i) {
        results.push_back(MakeAcquiredLocked());
        results.back().server_timing = timing;
      }
    } else {
      const SteadyTime now = deps_.clock->Now();
      state_ = State::kFailed;
      phase_.clear();
      error_ = status.message();
      backoff_.Failed(now);
      build_failed_ = build_failed;
      retry_secs = backoff_.RemainingSecs(now);
      for (size_t i = 0; i < waiters.size(); ++i) results.push_back(FailureAnswerLocked(now));
    }
  }
  if (!status.ok()) {
    // One line per attempt: requests that arrive during the backoff log nothing.
    std::string next =
        build_failed ? "the build is not tried again until the app changes or `berth app restart`"
                     : "no new attempt for " + std::to_string(retry_secs) + "s";
    spdlog::warn("app {}: start attempt {} failed ({}): {}", plan_.app_id, attempt, next,
                 status.message());
    for (size_t i = 0; i < waiters.size(); ++i) waiters[i].done(std::move(results[i]));
    return;
  }
  spdlog::info("app {}: container {} ready on 127.0.0.1:{} ({})", plan_.app_id, Live()->run.name,
               port, timing);
  for (size_t i = 0; i < waiters.size(); ++i) waiters[i].done(std::move(results[i]));
}

ContainerStarter ContainerApp::Starter() const {
  return ContainerStarter(deps_, plan_, Live(), files_, settings_.start_timeout);
}

void ContainerApp::StartJob() {
  const SteadyTime t0 = deps_.clock->Now();
  std::vector<std::string> timing;
  auto fail = [&](Status s) { FinishStart(std::move(s), 0, ""); };
  auto enter = [&](const char* phase) {
    std::lock_guard lock(mu_);
    phase_ = phase;
  };

  if (Status s = RenderLive(); !s.ok()) return fail(std::move(s));
  ContainerStarter starter = Starter();
  bool image_present, container_exists;
  int known_port;
  {
    std::lock_guard lock(mu_);
    image_present = image_present_;
    container_exists = container_exists_;
    known_port = host_port_;
  }

  // The restart of a stopped container whose port the engine keeps: the fast path.
  if (container_exists && known_port > 0 && deps_.runtime->KeepsHostPortsOnRestart()) {
    auto port = starter.RestartStopped(known_port, t0 + settings_.start_timeout);
    if (port.ok()) {
      timing.push_back(TimingEntry("start", Ms(t0, deps_.clock->Now())));
      return FinishStart(Status::Ok(), *port, Join(timing, ", "));
    }
    if (port.status().code() != Status::Code::kNotFound) return fail(port.status());
    std::lock_guard lock(mu_);
    container_exists_ = image_present_ = false;
    image_present = false;
  }

  if (plan_.build && !image_present) {
    auto exists = deps_.runtime->ImageExists(Live()->image);
    if (!exists.ok()) return fail(exists.status());
    if (!*exists) {
      enter("building");
      std::string log;
      Status s = starter.Build(&log);
      if (!s.ok()) return FinishStart(std::move(s), 0, "", /*build_failed=*/true);
      timing.push_back(TimingEntry("build", Ms(t0, deps_.clock->Now())));
    }
  }
  enter("starting");
  const SteadyTime t1 = deps_.clock->Now();
  if (Status s = starter.CreateVolumes(); !s.ok()) return fail(std::move(s));
  auto port = starter.RunOrStart();
  if (!port.ok()) return fail(port.status());
  {
    std::lock_guard lock(mu_);
    image_present_ = container_exists_ = true;
  }
  const SteadyTime t2 = deps_.clock->Now();
  timing.push_back(TimingEntry("start", Ms(t1, t2)));
  enter("waiting for health");
  Status healthy = starter.WaitHealthy(*port, t2 + settings_.start_timeout);
  if (!healthy.ok()) return fail(starter.StopAfterFailure(healthy));
  timing.push_back(TimingEntry("health", Ms(t2, deps_.clock->Now())));
  FinishStart(Status::Ok(), *port, Join(timing, ", "));
  starter.RemoveSuperseded();
}

void ContainerApp::Tick() {
  const SteadyTime now = deps_.clock->Now();
  std::vector<Waiter> expired;
  {
    std::lock_guard lock(mu_);
    if (retired_) return;
    // Held requests that waited too long.
    for (auto it = waiters_.begin(); it != waiters_.end();) {
      if (it->deadline <= now) {
        expired.push_back(std::move(*it));
        it = waiters_.erase(it);
      } else {
        ++it;
      }
    }
    if (state_ == State::kRunning) {
      SteadyTime last(std::chrono::nanoseconds(last_activity_ns_.load(std::memory_order_relaxed)));
      if (ShouldStopIdle(in_flight_.load(), last, now, settings_.idle_timeout)) {
        state_ = State::kStopping;
        phase_ = "stopping";
        std::string why =
            "idle for " +
            std::to_string(
                std::chrono::duration_cast<std::chrono::seconds>(settings_.idle_timeout).count()) +
            "s";
        deps_.jobs->Post(
            [self = shared_from_this(), gen = generation_, why] { self->StopJob(gen, why); });
      } else if (!check_running_ && now - last_check_ >= settings_.status_interval) {
        check_running_ = true;
        last_check_ = now;
        deps_.jobs->Post([self = shared_from_this(), gen = generation_, port = host_port_] {
          self->HealthCheckJob(gen, port);
        });
      }
    }
  }
  for (auto& w : expired) {
    proxy::Acquired a;
    a.http_status = 503;
    std::string phase;
    {
      std::lock_guard lock(mu_);
      phase = phase_;
    }
    a.status = Status::Unavailable(
        "the app did not become ready within " +
        std::to_string(
            std::chrono::duration_cast<std::chrono::seconds>(settings_.start_timeout).count()) +
        "s" + (phase.empty() ? "" : " (still " + phase + ")"));
    w.done(std::move(a));
  }
}

void ContainerApp::StopJob(uint64_t generation, const std::string& why) {
  const std::string name = Live()->run.name;
  spdlog::info("app {}: {}, stopping container {} (killed if still running after {}s)",
               plan_.app_id, why, name, settings_.stop_timeout_secs);
  Status s = deps_.runtime->Stop(name, settings_.stop_timeout_secs);
  if (!s.ok()) spdlog::warn("app {}: stop failed: {}", plan_.app_id, s.message());
  std::lock_guard lock(mu_);
  if (state_ != State::kStopping || generation_ != generation) return;
  state_ = State::kStopped;
  phase_.clear();
  if (!waiters_.empty() && !retired_) BeginStartLocked();  // requests arrived meanwhile
}

void ContainerApp::HealthCheckJob(uint64_t generation, int port) {
  auto code = deps_.probe->Get("127.0.0.1", port, plan_.health_path, milliseconds(2'000));
  bool healthy = code.ok() && *code >= 200 && *code < 300;
  std::string problem;
  bool dead = false;
  if (!healthy) {
    auto info = deps_.runtime->Inspect(Live()->run.name);
    dead = !info.ok() || !info->running;
    problem = dead ? "the container exited" +
                         (info.ok() ? " (exit code " + std::to_string(info->exit_code) + ")"
                                    : std::string())
                   : "health check " + plan_.health_path + " failed: " +
                         (code.ok() ? "status " + std::to_string(*code) : code.status().message());
  }
  bool restart = false;
  {
    std::lock_guard lock(mu_);
    check_running_ = false;
    if (state_ != State::kRunning || generation_ != generation) return;
    if (healthy) {
      failed_checks_ = 0;
      return;
    }
    ++failed_checks_;
    if (dead || failed_checks_ >= settings_.unhealthy_threshold) {
      spdlog::warn("app {}: {}; the next request restarts it", plan_.app_id, problem);
      state_ = dead ? State::kStopped : State::kStopping;
      error_ = problem;
      restart = !dead;
    }
  }
  if (restart) StopJob(generation, "unhealthy");
}

void ContainerApp::AdoptExisting() {
  std::shared_ptr<const ContainerPlan> live = Live();
  if (plan_.needs_render) {
    // Its name carries the values resolved at its start: find it by the plan it was made from.
    auto list = deps_.runtime->ListByLabel(kLabelPlan, plan_.run.name);
    if (!list.ok()) return;
    for (const auto& c : *list) {
      if (!c.running || c.labels.count(kLabelAppId) == 0 ||
          c.labels.at(kLabelAppId) != plan_.app_id) {
        continue;
      }
      auto adopted = std::make_shared<ContainerPlan>(plan_);
      adopted->run.name = c.name;
      if (!c.image.empty())
        adopted->image = adopted->run.image = adopted->build_spec.image = c.image;
      live = std::move(adopted);
      break;
    }
  }
  auto info = deps_.runtime->Inspect(live->run.name);
  if (!info.ok() || !info->running) return;
  int port = info->HostPortFor(plan_.container_port);
  if (port <= 0) return;
  std::lock_guard lock(mu_);
  if (state_ != State::kStopped || retired_) return;
  spdlog::info("app {}: adopted running container {} on port {}", plan_.app_id, live->run.name,
               port);
  live_ = live;
  state_ = State::kRunning;
  host_port_ = port;
  image_present_ = container_exists_ = true;
  ++generation_;
  last_check_ = SteadyTime();  // check its health at the next tick
  Touch();
}

void ContainerApp::Retire() {
  std::vector<Waiter> waiters;
  {
    std::lock_guard lock(mu_);
    retired_ = true;
    waiters.swap(waiters_);
  }
  for (auto& w : waiters) {
    proxy::Acquired a;
    a.status = Status::NotFound("the app was deleted");
    a.http_status = 404;
    w.done(std::move(a));
  }
  ContainerStarter starter = Starter();
  auto list = deps_.runtime->ListByLabel(kLabelAppId, plan_.app_id);
  std::vector<std::string> images;
  if (list.ok()) {
    for (const auto& c : *list) {
      if (Status s = starter.RemoveContainer(c.name); !s.ok()) {
        spdlog::warn("app {}: cannot remove container {}: {}", plan_.app_id, c.name, s.message());
      }
      if (plan_.build && !c.image.empty()) images.push_back(c.image);
    }
  }
  if (plan_.build) images.push_back(plan_.image);
  if (plan_.build && Live()->image != plan_.image) images.push_back(Live()->image);
  for (const auto& image : images) {
    if (Status s = deps_.runtime->RemoveImage(image); !s.ok()) {
      spdlog::warn("app {}: cannot remove image {}: {}", plan_.app_id, image, s.message());
    }
  }
  std::lock_guard lock(mu_);
  state_ = State::kStopped;
}

void ContainerApp::Supersede(const std::shared_ptr<ContainerApp>& next,
                             std::chrono::milliseconds drain) {
  std::vector<Waiter> waiters;
  {
    std::lock_guard lock(mu_);
    retired_ = true;
    waiters.swap(waiters_);
  }
  for (auto& w : waiters) {
    if (next) {
      next->AcquireAsync(std::move(w.done));
      continue;
    }
    proxy::Acquired a;
    a.status = Status::NotFound("the app was deleted");
    a.http_status = 404;
    w.done(std::move(a));
  }
  constexpr milliseconds kPoll{50};
  auto open = [this] { return in_flight_.load() + open_tunnels_.load(); };
  for (auto waited = milliseconds(0); open() > 0 && waited < drain && !deps_.stop.stop_requested();
       waited += kPoll) {
    deps_.clock->Sleep(kPoll);
  }
  if (open() > 0) {
    spdlog::info("app {}: {} requests and tunnels still open after the drain time; closing them",
                 plan_.app_id, open());
  }
  const std::shared_ptr<const ContainerPlan> live = Live();
  const std::shared_ptr<const ContainerPlan> next_live = next ? next->Live() : nullptr;
  bool shared_container = next_live && next_live->run.name == live->run.name;
  bool shared_image = next_live && next_live->image == live->image;
  bool exists;
  {
    std::lock_guard lock(mu_);
    exists = container_exists_ || state_ != State::kStopped;
  }
  if (!shared_container && exists) {
    Status s = Starter().RemoveContainer(live->run.name);
    if (s.ok()) {
      spdlog::info("app {}: removed container {} of the replaced version", plan_.app_id,
                   live->run.name);
    } else if (s.code() != Status::Code::kNotFound) {
      spdlog::warn("app {}: cannot remove container {}: {}", plan_.app_id, live->run.name,
                   s.message());
    }
  }
  if (plan_.build && !shared_image) {
    deps_.runtime->RemoveImage(live->image).IgnoreError("absent, or another container uses it");
  }
  std::lock_guard lock(mu_);
  state_ = State::kStopped;
}

void ContainerApp::TakeOver(const ContainerApp& previous) {
  if (previous.plan_.run.name != plan_.run.name) return;
  std::scoped_lock lock(mu_, previous.mu_);
  live_ = previous.live_;
  image_present_ = previous.image_present_;
  container_exists_ = previous.container_exists_;
  if (previous.state_ == State::kRunning) {
    state_ = State::kRunning;
    host_port_ = previous.host_port_;
    generation_ = previous.generation_;
    last_check_ = previous.last_check_;
  }
}

Status ContainerApp::StartAndWait() {
  proxy::Acquired now;
  if (TryAcquire(&now)) return now.status;
  auto done = std::make_shared<std::promise<Status>>();
  std::future<Status> result = done->get_future();
  AcquireAsync([done](proxy::Acquired a) { done->set_value(a.status); });
  if (result.wait_for(settings_.start_timeout + std::chrono::seconds(30)) !=
      std::future_status::ready) {
    return Status::Unavailable("the new version did not become ready within " +
                               std::to_string(settings_.start_timeout.count() / 1000) + "s");
  }
  return result.get();
}

ContainerApp::State ContainerApp::state() const {
  std::lock_guard lock(mu_);
  return state_;
}

void ContainerApp::ResetBackoff() {
  std::lock_guard lock(mu_);
  backoff_.Reset();
  build_failed_ = false;
}

void ContainerApp::Restart() {
  std::lock_guard lock(mu_);
  backoff_.Reset();
  build_failed_ = false;
  if (retired_ || state_ != State::kRunning) return;
  state_ = State::kStopping;
  phase_ = "stopping";
  deps_.jobs->Post(
      [self = shared_from_this(), gen = generation_] { self->StopJob(gen, "restart requested"); });
}

void ContainerApp::CarryOverFailedBuild(const ContainerApp& previous) {
  std::string error;
  {
    std::lock_guard lock(previous.mu_);
    if (!previous.build_failed_ || previous.state_ != State::kFailed || !plan_.build ||
        previous.plan_.image != plan_.image) {
      return;
    }
    error = previous.error_;
  }
  std::lock_guard lock(mu_);
  if (state_ != State::kStopped) return;
  state_ = State::kFailed;
  error_ = std::move(error);
  build_failed_ = true;
}

RunState ContainerApp::StateText() const {
  std::lock_guard lock(mu_);
  RunState s;
  s.start_attempts = start_attempts_;
  switch (state_) {
    case State::kStopped:
      s.state = "stopped";
      s.error = error_;
      break;
    case State::kStarting:
      s.state = phase_.empty() ? "starting" : phase_;
      break;
    case State::kRunning:
      s.state = "running";
      break;
    case State::kStopping:
      s.state = "stopping";
      break;
    case State::kFailed:
      s.state = "failed";
      s.error = error_;
      s.build_held = build_failed_;
      if (!build_failed_) s.retry_in_secs = backoff_.RemainingSecs(deps_.clock->Now());
      break;
  }
  return s;
}

}  // namespace berth::app
