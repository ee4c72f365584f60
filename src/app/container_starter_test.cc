#include "app/container_starter.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <deque>
#include <filesystem>

#include "app/plan_renderer.h"
#include "base/files.h"
#include "container/fake_runtime.h"

namespace berth::app {
namespace {

using namespace std::chrono_literals;

// Answers the statuses it is given, in order, then the last one forever. Counts probes.
class ScriptedProbe : public HealthProbe {
 public:
  explicit ScriptedProbe(std::deque<Result<int>> answers) : answers_(std::move(answers)) {}
  Result<int> Get(const std::string&, int port, const std::string& path,
                  std::chrono::milliseconds) override {
    ++probes;
    ports.push_back(port);
    paths.push_back(path);
    Result<int> a = answers_.front();
    if (answers_.size() > 1) answers_.pop_front();
    return a;
  }
  int probes = 0;
  std::vector<int> ports;
  std::vector<std::string> paths;

 private:
  std::deque<Result<int>> answers_;
};

class ContainerStarterTest : public ::testing::Test {
 protected:
  ContainerStarterTest() {
    plan_.app_id = "app_prd_s";
    plan_.build = true;
    plan_.image = "berth-app_prd_s:1";
    plan_.build_spec.image = plan_.image;
    plan_.containerfile = "Containerfile";
    plan_.container_port = 8080;
    plan_.health_path = "/up";
    plan_.run.name = "berth-app_prd_s-1";
    plan_.run.image = plan_.image;
    plan_.run.container_port = 8080;
    plan_.run.labels = {{kLabelAppId, "app_prd_s"}};
    char tmpl[] = "/tmp/berth-starter-test-XXXXXX";
    root_ = mkdtemp(tmpl);
    deps_.runtime = &rt_;
    deps_.jobs = &jobs_;
    deps_.clock = &clock_;
    deps_.build_root = root_ + "/build";
    deps_.secret_files_root = root_ + "/secrets";
    EXPECT_TRUE(MakeDirs(deps_.build_root, 0700).ok());
  }
  ~ContainerStarterTest() override {
    jobs_.WaitIdle(10s);
    std::filesystem::remove_all(root_);
  }

  ContainerStarter Starter(HealthProbe& probe) {
    deps_.probe = &probe;
    return ContainerStarter(deps_, plan_, std::make_shared<const ContainerPlan>(plan_), files_,
                            180s);
  }

  container::FakeRuntime rt_;
  FakeClock clock_;
  ThreadPool jobs_{1};
  ContainerPlan plan_;
  store::SourceFiles files_ = {{"Containerfile", {"FROM busybox\n", 0644}}};
  ContainerAppDeps deps_;
  std::string root_;
};

TEST_F(ContainerStarterTest, WaitHealthyProbesUntilTwoHundredOnTheClocksTime) {
  ScriptedProbe probe({Status::Unavailable("connection refused"), 503, 204});
  ContainerStarter starter = Starter(probe);
  const SteadyTime t0 = clock_.Now();
  EXPECT_TRUE(starter.WaitHealthy(41000, t0 + 10s).ok());
  EXPECT_EQ(probe.probes, 3);
  EXPECT_EQ(probe.paths.back(), "/up");
  EXPECT_EQ(probe.ports.back(), 41000);
  // Two pauses between three probes, taken from the clock (a fake one: no real sleep).
  EXPECT_EQ(clock_.Now() - t0, ProbeDelay(0) + ProbeDelay(1));
}

TEST_F(ContainerStarterTest, WaitHealthyGivesUpAtTheDeadlineWithTheLastAnswer) {
  rt_.images.insert(plan_.image);
  ASSERT_TRUE(rt_.Run(plan_.run).ok());  // running all along, never healthy
  ScriptedProbe probe({503});
  ContainerStarter starter = Starter(probe);
  const SteadyTime t0 = clock_.Now();
  Status s = starter.WaitHealthy(41000, t0 + 30s);
  EXPECT_EQ(s.message(),
            "the app did not become healthy within 180s (health check /up answered 503)");
  EXPECT_GE(clock_.Now() - t0, 30s);
  EXPECT_GT(probe.probes, 100);
}

TEST_F(ContainerStarterTest, WaitHealthyStopsWaitingForAContainerThatExited) {
  rt_.images.insert(plan_.image);
  ASSERT_TRUE(rt_.Run(plan_.run).ok());
  rt_.Kill(plan_.run.name);
  ScriptedProbe probe({Status::Unavailable("connection refused")});
  ContainerStarter starter = Starter(probe);
  const SteadyTime t0 = clock_.Now();
  Status s = starter.WaitHealthy(41000, t0 + 180s);
  EXPECT_EQ(s.message(), "the container exited (exit code 0) before it was healthy");
  // Noticed by the inspect made once a second, long before the deadline.
  EXPECT_LT(clock_.Now() - t0, 2s);
}

TEST_F(ContainerStarterTest, WaitHealthyFollowsTheConfirmedPort) {
  ScriptedProbe probe({200});
  ContainerStarter starter = Starter(probe);
  auto confirmed = std::make_shared<std::atomic<int>>(42000);
  EXPECT_TRUE(starter.WaitHealthy(41000, clock_.Now() + 10s, confirmed).ok());
  EXPECT_EQ(probe.ports, std::vector<int>{42000});
  confirmed->store(-1);
  EXPECT_EQ(starter.WaitHealthy(41000, clock_.Now() + 10s, confirmed).message(),
            "the container is not running after its start");
}

TEST_F(ContainerStarterTest, RunOrStartRunsStartsOrAdopts) {
  rt_.images.insert(plan_.image);
  ScriptedProbe probe({200});
  ContainerStarter starter = Starter(probe);
  auto first = starter.RunOrStart();
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(rt_.runs, 1);
  auto again = starter.RunOrStart();  // running: adopted, nothing run or started
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *first);
  EXPECT_EQ(rt_.runs, 1);
  EXPECT_EQ(rt_.starts, 0);
  ASSERT_TRUE(rt_.Stop(plan_.run.name, 0).ok());
  ASSERT_TRUE(starter.RunOrStart().ok());  // exists, stopped: started, not run again
  EXPECT_EQ(rt_.runs, 1);
  EXPECT_EQ(rt_.starts, 1);
}

TEST_F(ContainerStarterTest, RunOfAMissingImageSaysItCouldNotBePulled) {
  plan_.build = false;
  ScriptedProbe probe({200});
  ContainerStarter starter = Starter(probe);
  auto port = starter.RunOrStart();
  ASSERT_FALSE(port.ok());
  EXPECT_EQ(port.status().message(),
            "image berth-app_prd_s:1 is not available locally and could not be pulled: no such "
            "image berth-app_prd_s:1");
}

TEST_F(ContainerStarterTest, BuildWritesOnlyTheContextAndRemovesIt) {
  plan_.build_dir = "app";
  files_ = {{"Containerfile", {"FROM busybox\n", 0644}},
            {"app/main.py", {"print(1)\n", 0644}},
            {"secret.txt", {"outside the context\n", 0600}}};
  ScriptedProbe probe({200});
  ContainerStarter starter = Starter(probe);
  std::string log;
  ASSERT_TRUE(starter.Build(&log).ok());
  EXPECT_EQ(rt_.builds, 1);
  EXPECT_TRUE(rt_.images.count(plan_.image));
  EXPECT_TRUE(std::filesystem::is_empty(deps_.build_root)) << "the context is temporary";

  rt_.build_error = "RUN pip install: exit status 1";
  Status failed = starter.Build(&log);
  EXPECT_EQ(failed.message(),
            "image build failed: build failed: RUN pip install: exit status 1\nbuild log (last "
            "lines):\nSTEP 1/2: FROM busybox\nRUN pip install: exit status 1");
  EXPECT_TRUE(std::filesystem::is_empty(deps_.build_root));
}

TEST_F(ContainerStarterTest, RemoveContainerTakesItsSecretFilesAlong) {
  rt_.images.insert(plan_.image);
  ASSERT_TRUE(rt_.Run(plan_.run).ok());
  const std::string dir = SecretFilesDir(deps_.secret_files_root, plan_.run.name);
  ASSERT_TRUE(MakeDirs(dir, 0700).ok());
  ScriptedProbe probe({200});
  ContainerStarter starter = Starter(probe);
  EXPECT_TRUE(starter.RemoveContainer(plan_.run.name).ok());
  EXPECT_FALSE(std::filesystem::exists(dir));
  EXPECT_EQ(rt_.containers.count(plan_.run.name), 0u);
}

TEST_F(ContainerStarterTest, RemoveSupersededKeepsTheLiveAndRunningOnes) {
  rt_.images = {"berth-app_prd_s:0", "berth-app_prd_s:1", "berth-app_prd_s:2"};
  auto run = [&](const std::string& name, const std::string& image) {
    container::RunSpec r = plan_.run;
    r.name = name;
    r.image = image;
    ASSERT_TRUE(rt_.Run(r).ok());
  };
  run("old-stopped", "berth-app_prd_s:0");
  rt_.Kill("old-stopped");
  run("old-running", "berth-app_prd_s:2");
  run(plan_.run.name, plan_.image);
  rt_.Kill(plan_.run.name);  // the live one, even stopped, stays
  ScriptedProbe probe({200});
  Starter(probe).RemoveSuperseded();
  EXPECT_EQ(rt_.containers.count("old-stopped"), 0u);
  EXPECT_EQ(rt_.images.count("berth-app_prd_s:0"), 0u) << "its image went with it";
  EXPECT_EQ(rt_.containers.count("old-running"), 1u);
  EXPECT_EQ(rt_.containers.count(plan_.run.name), 1u);
  EXPECT_EQ(rt_.images.count(plan_.image), 1u);
}

}  // namespace
}  // namespace berth::app
