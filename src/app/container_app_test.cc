#include "app/container_app.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "container/fake_runtime.h"

namespace berth::app {
namespace {

using namespace std::chrono_literals;

// Healthy exactly when the fake engine has a running container on the port.
class FakeProbe : public HealthProbe {
 public:
  explicit FakeProbe(container::FakeRuntime& rt) : rt_(rt) {}
  Result<int> Get(const std::string&, int port, const std::string&,
                  std::chrono::milliseconds) override {
    ++probes;
    if (!rt_.IsRunningOnPort(port)) return Status::Unavailable("connection refused");
    return 200;
  }
  std::atomic<int> probes{0};

 private:
  container::FakeRuntime& rt_;
};

bool Eventually(const std::function<bool()>& pred) {
  for (int i = 0; i < 2000; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return pred();
}

class ContainerAppTest : public ::testing::Test {
 protected:
  std::shared_ptr<ContainerApp> MakeApp(ContainerAppSettings settings = {},
                                        const std::string& image = "berth-app_prd_t:abc") {
    ContainerPlan plan;
    plan.app_id = "app_prd_t";
    plan.build = true;
    plan.image = image;
    plan.build_spec.image = plan.image;
    plan.containerfile = "Containerfile";
    plan.container_port = 8080;
    plan.health_path = "/";
    plan.run.name = "berth-app_prd_t-123";
    plan.run.image = plan.image;
    plan.run.container_port = 8080;
    plan.run.labels = {{kLabelAppId, "app_prd_t"}};
    store::SourceFiles files = {{"Containerfile", {"FROM busybox\n", 0644}}};
    ContainerAppDeps deps{&rt_, &jobs_, &probe_, &clock_, build_root_};
    return std::make_shared<ContainerApp>(deps, settings, plan, files);
  }

  // Acquires through the async path and waits for the answer.
  proxy::Acquired AcquireAndWait(ContainerApp& app) {
    proxy::Acquired out;
    if (app.TryAcquire(&out)) return out;
    std::atomic<bool> done{false};
    app.AcquireAsync([&](proxy::Acquired a) {
      out = std::move(a);
      done = true;
    });
    EXPECT_TRUE(Eventually([&] { return done.load(); }));
    return out;
  }

  container::FakeRuntime rt_;
  FakeProbe probe_{rt_};
  FakeClock clock_;
  std::string build_root_ = "/tmp/berth-container-app-test";
  ThreadPool jobs_{4};
};

TEST(ContainerAppDecisions, IdleAndProbeDelays) {
  SteadyTime t0(std::chrono::seconds(100));
  EXPECT_FALSE(ShouldStopIdle(0, t0, t0 + 179s, 180s));
  EXPECT_TRUE(ShouldStopIdle(0, t0, t0 + 180s, 180s));
  EXPECT_FALSE(ShouldStopIdle(1, t0, t0 + 1000s, 180s)) << "never with a request in flight";
  EXPECT_LE(ProbeDelay(0), 10ms);
  EXPECT_LE(ProbeDelay(30), 10ms);
  EXPECT_LE(ProbeDelay(1000), 100ms);
  for (int i = 1; i < 200; ++i) EXPECT_GE(ProbeDelay(i), ProbeDelay(i - 1));
}

TEST_F(ContainerAppTest, HundredConcurrentRequestsBuildAndRunOnce) {
  auto app = MakeApp();
  rt_.HoldBuilds(true);
  std::atomic<int> ok{0}, answered{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 100; ++i) {
    threads.emplace_back([&] {
      proxy::Acquired a;
      if (app->TryAcquire(&a)) {
        ++ok;
        ++answered;
        return;
      }
      app->AcquireAsync([&](proxy::Acquired got) {
        if (got.status.ok() && got.upstream.port > 0) ++ok;
        ++answered;
      });
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(answered, 0) << "requests are held while the image builds";
  rt_.HoldBuilds(false);
  ASSERT_TRUE(Eventually([&] { return answered == 100; }));
  EXPECT_EQ(ok, 100);
  EXPECT_EQ(rt_.Count(rt_.builds), 1);
  EXPECT_EQ(rt_.Count(rt_.runs), 1);
  EXPECT_EQ(app->state(), ContainerApp::State::kRunning);
  EXPECT_EQ(app->in_flight(), 0) << "every lease was released with its answer";
}

TEST_F(ContainerAppTest, IdleStopOnlyWithoutRequestsInFlight) {
  ContainerAppSettings s;
  s.idle_timeout = 180s;
  auto app = MakeApp(s);
  proxy::Acquired a = AcquireAndWait(*app);
  ASSERT_TRUE(a.status.ok());
  clock_.Advance(1000s);
  app->Tick();
  EXPECT_EQ(app->state(), ContainerApp::State::kRunning) << "a request is in flight";
  a = proxy::Acquired();  // the response is done: the lease goes, which counts as activity
  clock_.Advance(179s);
  app->Tick();
  EXPECT_EQ(app->state(), ContainerApp::State::kRunning);
  clock_.Advance(2s);
  app->Tick();
  ASSERT_TRUE(Eventually([&] { return app->state() == ContainerApp::State::kStopped; }));
  EXPECT_EQ(rt_.Count(rt_.stops), 1);
  EXPECT_EQ(rt_.containers.size(), 1u) << "stopped, not removed";
  // The next request starts the same container again.
  a = AcquireAndWait(*app);
  ASSERT_TRUE(a.status.ok()) << a.status.ToString();
  EXPECT_EQ(rt_.Count(rt_.starts), 1);
  EXPECT_EQ(rt_.Count(rt_.runs), 1);
}

TEST_F(ContainerAppTest, PodmanRestartProbesTheKnownPortAtOnce) {
  rt_.name = "podman";
  ContainerAppSettings s;
  s.idle_timeout = 10s;
  auto app = MakeApp(s);
  int port = AcquireAndWait(*app).upstream.port;
  clock_.Advance(11s);
  app->Tick();
  ASSERT_TRUE(Eventually([&] { return app->state() == ContainerApp::State::kStopped; }));
  int probes_before = probe_.probes;
  proxy::Acquired again = AcquireAndWait(*app);
  ASSERT_TRUE(again.status.ok()) << again.status.ToString();
  EXPECT_EQ(again.upstream.port, port);
  EXPECT_EQ(rt_.Count(rt_.starts), 1);
  EXPECT_GE(probe_.probes - probes_before, 1);
  // A container removed behind our back is run anew.
  clock_.Advance(11s);
  again = proxy::Acquired();
  clock_.Advance(11s);
  app->Tick();
  ASSERT_TRUE(Eventually([&] { return app->state() == ContainerApp::State::kStopped; }));
  rt_.containers.clear();
  again = AcquireAndWait(*app);
  ASSERT_TRUE(again.status.ok()) << again.status.ToString();
  EXPECT_EQ(rt_.Count(rt_.runs), 2);
}

TEST_F(ContainerAppTest, UpgradedTunnelCountsOnlyWhenBytesMove) {
  ContainerAppSettings s;
  s.idle_timeout = 10s;
  auto app = MakeApp(s);
  proxy::Acquired a = AcquireAndWait(*app);
  a.activity->Upgraded();
  for (int i = 0; i < 5; ++i) {  // a talking WebSocket
    clock_.Advance(5s);
    a.activity->Touch();
    app->Tick();
    EXPECT_EQ(app->state(), ContainerApp::State::kRunning);
  }
  clock_.Advance(11s);  // a silent one
  app->Tick();
  EXPECT_TRUE(Eventually([&] { return app->state() == ContainerApp::State::kStopped; }));
}

TEST_F(ContainerAppTest, FailedBuildIsNotRetriedUntilRestart) {
  auto app = MakeApp();
  rt_.build_error = "RUN false: exit status 1";
  proxy::Acquired a = AcquireAndWait(*app);
  EXPECT_EQ(a.http_status, 503);
  EXPECT_NE(a.status.message().find("image build failed"), std::string::npos);
  EXPECT_NE(a.status.message().find("RUN false"), std::string::npos);
  EXPECT_NE(a.status.message().find("not tried again until the app changes"), std::string::npos)
      << a.status.message();
  EXPECT_EQ(a.retry_after_secs, 0) << "no retry is coming: no Retry-After";
  RunState st = app->StateText();
  EXPECT_EQ(st.state, "failed");
  EXPECT_TRUE(st.build_held);
  EXPECT_EQ(st.start_attempts, 1);
  // Same inputs, long after: still the same answer at once, no second build.
  rt_.build_error.clear();
  clock_.Advance(3600s);
  a = proxy::Acquired();
  ASSERT_TRUE(app->TryAcquire(&a)) << "answered at once";
  EXPECT_EQ(a.http_status, 503);
  EXPECT_NE(a.status.message().find("RUN false"), std::string::npos);
  EXPECT_EQ(rt_.Count(rt_.builds), 1);
  // The user asks: built again.
  app->Restart();
  a = AcquireAndWait(*app);
  EXPECT_TRUE(a.status.ok()) << a.status.ToString();
  EXPECT_EQ(rt_.Count(rt_.builds), 2);
  EXPECT_EQ(app->StateText().start_attempts, 2);
}

TEST_F(ContainerAppTest, ReplacementWithTheSameImageKeepsAFailedBuild) {
  auto app = MakeApp();
  rt_.build_error = "RUN false: exit status 1";
  EXPECT_EQ(AcquireAndWait(*app).http_status, 503);
  rt_.build_error.clear();
  // A reload with the same inputs: the same image, still failed, nothing built.
  auto same = MakeApp();
  same->CarryOverFailedBuild(*app);
  proxy::Acquired a;
  ASSERT_TRUE(same->TryAcquire(&a));
  EXPECT_EQ(a.http_status, 503);
  EXPECT_NE(a.status.message().find("RUN false"), std::string::npos) << a.status.message();
  EXPECT_EQ(rt_.Count(rt_.builds), 1);
  EXPECT_TRUE(same->StateText().build_held);
  // Changed inputs (another image): built at the first request.
  auto changed = MakeApp({}, "berth-app_prd_t:def");
  changed->CarryOverFailedBuild(*app);
  EXPECT_EQ(changed->StateText().state, "stopped");
  EXPECT_TRUE(AcquireAndWait(*changed).status.ok());
  EXPECT_EQ(rt_.Count(rt_.builds), 2);
}

TEST_F(ContainerAppTest, EngineRefusingTheStartBacksOff) {
  auto app = MakeApp();
  rt_.run_error = "cannot start: no space left on device";
  proxy::Acquired a = AcquireAndWait(*app);
  EXPECT_EQ(a.http_status, 503);
  EXPECT_NE(a.status.message().find("no space left on device"), std::string::npos);
  EXPECT_EQ(a.retry_after_secs, 1);
  EXPECT_EQ(rt_.Count(rt_.runs), 1);
  // During the backoff: 503 at once, nothing held, nothing started.
  for (int i = 0; i < 100; ++i) {
    a = proxy::Acquired();
    ASSERT_TRUE(app->TryAcquire(&a));
    EXPECT_EQ(a.http_status, 503);
  }
  EXPECT_NE(a.status.message().find("no space left on device"), std::string::npos);
  EXPECT_NE(a.status.message().find("a request in 1s or later tries again"), std::string::npos)
      << a.status.message();
  std::atomic<int> answered{0};
  app->AcquireAsync([&](proxy::Acquired got) {
    EXPECT_EQ(got.http_status, 503);
    ++answered;
  });
  EXPECT_EQ(answered, 1) << "the slow path answers at once too";
  EXPECT_EQ(rt_.Count(rt_.runs), 1);
  EXPECT_EQ(app->StateText().retry_in_secs, 1);
  // After 1 s the next request tries again, fails, and waits 2 s.
  clock_.Advance(1s);
  a = AcquireAndWait(*app);
  EXPECT_EQ(rt_.Count(rt_.runs), 2);
  EXPECT_EQ(a.retry_after_secs, 2);
  clock_.Advance(1s);
  EXPECT_EQ(AcquireAndWait(*app).retry_after_secs, 1);
  EXPECT_EQ(rt_.Count(rt_.runs), 2);
  clock_.Advance(1s);
  EXPECT_EQ(AcquireAndWait(*app).retry_after_secs, 4);
  EXPECT_EQ(rt_.Count(rt_.runs), 3);
  RunState st = app->StateText();
  EXPECT_EQ(st.state, "failed");
  EXPECT_EQ(st.retry_in_secs, 4);
  EXPECT_EQ(st.start_attempts, 3);
  // The engine recovers: the start after the wait succeeds and forgets the failures.
  rt_.run_error.clear();
  clock_.Advance(4s);
  ASSERT_TRUE(AcquireAndWait(*app).status.ok());
  rt_.Kill(app->plan().run.name);
  app->RetryAfterConnectFailure(proxy::Acquired{.token = 1}, /*timed_out=*/false);
  rt_.run_error = "refused again";
  a = AcquireAndWait(*app);
  EXPECT_EQ(a.http_status, 503);
  EXPECT_EQ(a.retry_after_secs, 1) << "the schedule starts over after a success";
}

TEST_F(ContainerAppTest, StartsUnderContinuousDemandFollowTheSchedule) {
  ContainerAppSettings s;
  s.max_start_backoff = 60s;
  auto app = MakeApp(s);
  rt_.run_error = "refused";
  // A request every 100 ms for 30 s: starts at 0, 1, 3, 7 and 15 s, not 300.
  for (int i = 0; i < 300; ++i) {
    EXPECT_EQ(AcquireAndWait(*app).http_status, 503);
    clock_.Advance(100ms);
  }
  EXPECT_EQ(rt_.Count(rt_.runs), 5);
  EXPECT_EQ(app->StateText().start_attempts, 5);
}

TEST_F(ContainerAppTest, MaximumBackoffCapsTheWait) {
  ContainerAppSettings s;
  s.max_start_backoff = 3s;
  auto app = MakeApp(s);
  rt_.run_error = "refused";
  for (int64_t want : {1, 2, 3, 3}) {
    proxy::Acquired a = AcquireAndWait(*app);
    EXPECT_EQ(a.retry_after_secs, want);
    clock_.Advance(std::chrono::seconds(want));
  }
}

TEST_F(ContainerAppTest, RestartStartsAtOnceWithinTheBackoff) {
  auto app = MakeApp();
  rt_.run_error = "refused";
  for (int i = 0; i < 4; ++i) {  // four failed starts, each after its wait
    AcquireAndWait(*app);
    clock_.Advance(app->StateText().retry_in_secs * 1s);
  }
  AcquireAndWait(*app);
  EXPECT_EQ(app->StateText().retry_in_secs, 16);
  EXPECT_EQ(rt_.Count(rt_.runs), 5);
  rt_.run_error.clear();
  app->Restart();
  EXPECT_EQ(app->StateText().retry_in_secs, 0);
  ASSERT_TRUE(AcquireAndWait(*app).status.ok()) << "started at once";
  EXPECT_EQ(rt_.Count(rt_.runs), 6);
}

TEST_F(ContainerAppTest, RestartStopsARunningContainerAndTheNextRequestStartsIt) {
  auto app = MakeApp();
  ASSERT_TRUE(AcquireAndWait(*app).status.ok());
  app->Restart();
  ASSERT_TRUE(Eventually([&] { return app->state() == ContainerApp::State::kStopped; }));
  EXPECT_EQ(rt_.Count(rt_.stops), 1);
  ASSERT_TRUE(AcquireAndWait(*app).status.ok());
  EXPECT_EQ(rt_.Count(rt_.starts), 1);
  EXPECT_EQ(app->StateText().start_attempts, 2);
}

TEST_F(ContainerAppTest, HeldRequestsTimeOut) {
  ContainerAppSettings s;
  s.start_timeout = 5s;
  auto app = MakeApp(s);
  rt_.HoldRuns(true);
  std::atomic<int> status{0};
  std::string message;
  app->AcquireAsync([&](proxy::Acquired a) {
    message = a.status.message();
    status = a.http_status;
  });
  clock_.Advance(6s);
  app->Tick();
  ASSERT_TRUE(Eventually([&] { return status != 0; }));
  EXPECT_EQ(status, 503);
  EXPECT_NE(message.find("did not become ready within 5s"), std::string::npos) << message;
  rt_.HoldRuns(false);
  EXPECT_TRUE(Eventually([&] { return app->state() == ContainerApp::State::kRunning; }));
}

TEST_F(ContainerAppTest, DeadContainerIsRestartedAfterConnectFailure) {
  auto app = MakeApp();
  proxy::Acquired a = AcquireAndWait(*app);
  rt_.Kill(app->plan().run.name);
  EXPECT_TRUE(app->RetryAfterConnectFailure(a, /*timed_out=*/false));
  EXPECT_EQ(app->state(), ContainerApp::State::kStopped);
  proxy::Acquired b = AcquireAndWait(*app);
  EXPECT_TRUE(b.status.ok());
  EXPECT_EQ(rt_.Count(rt_.starts), 1);
  EXPECT_EQ(rt_.Count(rt_.runs), 1);
  // A stale report (an older run) changes nothing.
  EXPECT_TRUE(app->RetryAfterConnectFailure(a, /*timed_out=*/false));
  EXPECT_EQ(app->state(), ContainerApp::State::kRunning);
}

TEST_F(ContainerAppTest, ConnectTimeoutToALiveContainerAdoptsItAgain) {
  // A connect that timed out (an overloaded app, say) leads to a start, and the start finds
  // the container running: it is adopted again, not run a second time or restarted.
  auto app = MakeApp();
  proxy::Acquired a = AcquireAndWait(*app);
  EXPECT_TRUE(app->RetryAfterConnectFailure(a, /*timed_out=*/true));
  EXPECT_EQ(app->state(), ContainerApp::State::kStopped);
  proxy::Acquired b = AcquireAndWait(*app);
  EXPECT_TRUE(b.status.ok());
  EXPECT_EQ(b.upstream.port, a.upstream.port);
  EXPECT_EQ(rt_.Count(rt_.runs), 1);
  EXPECT_EQ(rt_.Count(rt_.starts), 0);
}

TEST_F(ContainerAppTest, AdoptsARunningContainer) {
  auto app = MakeApp();
  rt_.images.insert(app->plan().image);
  rt_.containers[app->plan().run.name] = {app->plan().image, true, 41234, 8080, {}};
  app->AdoptExisting();
  EXPECT_EQ(app->state(), ContainerApp::State::kRunning);
  proxy::Acquired a;
  ASSERT_TRUE(app->TryAcquire(&a));
  EXPECT_EQ(a.upstream.port, 41234);
  EXPECT_EQ(rt_.Count(rt_.runs), 0);
}

TEST_F(ContainerAppTest, PeriodicCheckFindsADeadContainer) {
  ContainerAppSettings s;
  s.status_interval = 5s;
  auto app = MakeApp(s);
  { proxy::Acquired a = AcquireAndWait(*app); }
  rt_.Kill(app->plan().run.name);
  clock_.Advance(6s);
  app->Tick();
  ASSERT_TRUE(Eventually([&] { return app->state() == ContainerApp::State::kStopped; }));
  EXPECT_NE(app->StateText().error.find("exited"), std::string::npos);
}

}  // namespace
}  // namespace berth::app
