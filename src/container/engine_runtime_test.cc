#include "container/engine_runtime.h"

#include <gtest/gtest.h>

#include "base/fake_command_runner.h"
#include "container/test_fixtures.h"

namespace berth::container {
namespace {

using std::chrono::milliseconds;
using testing::ReadTestdata;

class EngineRuntimeTest : public ::testing::Test {
 protected:
  EngineRuntimeOptions Options() {
    EngineRuntimeOptions o;
    o.command_timeout = milliseconds(1000);
    o.run_timeout = milliseconds(2000);
    o.build_timeout = milliseconds(3000);
    o.env = {"CONTAINER_HOST=unix:///run/test.sock"};
    return o;
  }
  EngineRuntime Podman() { return EngineRuntime(Flavor::kPodman, "/usr/bin/podman", fake_, Options()); }
  EngineRuntime Docker() { return EngineRuntime(Flavor::kDocker, "docker", fake_, Options()); }

  // The argv of the only call made so far.
  std::vector<std::string> OnlyCall() {
    auto calls = fake_.argvs();
    EXPECT_EQ(calls.size(), 1u);
    return calls.empty() ? std::vector<std::string>{} : calls[0];
  }

  FakeCommandRunner fake_;
};

TEST_F(EngineRuntimeTest, NameAndCommandEnvironment) {
  EXPECT_EQ(Podman().Name(), "podman");
  EXPECT_EQ(Docker().Name(), "docker");
  ASSERT_TRUE(Podman().Start("c1").ok());
  auto call = fake_.calls().at(0);
  EXPECT_EQ(call.argv, (std::vector<std::string>{"/usr/bin/podman", "start", "c1"}));
  EXPECT_EQ(call.env, (std::vector<std::string>{"CONTAINER_HOST=unix:///run/test.sock"}));
  EXPECT_EQ(call.timeout, milliseconds(1000));
}

TEST_F(EngineRuntimeTest, BuildPassesTheLogAndSummarizesFailures) {
  BuildSpec spec;
  spec.image = "berth-app:1";
  spec.context_dir = "/src";
  spec.containerfile = "/spec/Containerfile";
  const std::string log =
      "STEP 1/2: FROM localhost/berth-busybox:test\n"
      "STEP 2/2: RUN false\n"
      "Error: building at STEP \"RUN false\": while running runtime: exit status 1\n";
  fake_.PushFail(1, "", log);
  std::string output;
  Status s = Podman().Build(spec, &output);
  EXPECT_EQ(s.code(), Status::Code::kInternal);
  EXPECT_EQ(s.message(),
            "podman build failed: STEP 2/2: RUN false: building at STEP \"RUN false\": while "
            "running runtime: exit status 1");
  EXPECT_EQ(output, log);
  auto call = fake_.calls().at(0);
  EXPECT_TRUE(call.merge_stderr);
  EXPECT_EQ(call.timeout, milliseconds(3000));
  EXPECT_EQ(call.argv[1], "build");

  fake_.PushOk("Successfully tagged localhost/berth-app:1\n");
  EXPECT_TRUE(Podman().Build(spec, nullptr).ok());

  spec.image = "";
  EXPECT_EQ(Podman().Build(spec, &output).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(fake_.calls().size(), 2u);  // an invalid spec runs nothing
}

TEST_F(EngineRuntimeTest, BuildTimeout) {
  BuildSpec spec{"img:1", "/src", "/Containerfile", {}, {}};
  ProcessOutput timed_out;
  timed_out.timed_out = true;
  timed_out.exit_code = -9;
  timed_out.out = "Step 1/9 : FROM base\n";
  fake_.Push(timed_out);
  std::string log;
  Status s = Docker().Build(spec, &log);
  EXPECT_EQ(s.code(), Status::Code::kDeadlineExceeded);
  EXPECT_EQ(s.message(), "docker build timed out after 3 s");
  EXPECT_EQ(log, "Step 1/9 : FROM base\n");
}

TEST_F(EngineRuntimeTest, CancelledCommandSaysTheServerIsStopping) {
  ProcessOutput cancelled;
  cancelled.cancelled = true;
  cancelled.exit_code = -9;
  fake_.Push(cancelled);
  Status s = Podman().Start("c1");
  EXPECT_EQ(s.code(), Status::Code::kUnavailable);
  EXPECT_EQ(s.message(), "podman start cancelled: the server is stopping");
}

TEST_F(EngineRuntimeTest, EngineMissingIsUnavailable) {
  fake_.Push(Status::NotFound("/usr/bin/podman: command not found"));
  Status s = Podman().Stop("c1", 5);
  EXPECT_EQ(s.code(), Status::Code::kUnavailable);
  EXPECT_EQ(s.message(), "cannot run podman stop: /usr/bin/podman: command not found");
}

TEST_F(EngineRuntimeTest, RunReturnsTheId) {
  RunSpec spec;
  spec.name = "berth-c1";
  spec.image = "img:1";
  spec.container_port = 8080;
  fake_.PushOk("b264ec80784c1ba0371151744f5527c4b3aa7aa7af324b5402b685cdb81c6ba4\n");
  auto id = Docker().Run(spec);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(*id, "b264ec80784c1ba0371151744f5527c4b3aa7aa7af324b5402b685cdb81c6ba4");
  EXPECT_EQ(OnlyCall(), (std::vector<std::string>{"docker", "run", "--detach", "--name", "berth-c1",
                                                  "--publish", "127.0.0.1::8080", "img:1"}));
  EXPECT_EQ(fake_.calls()[0].timeout, milliseconds(2000));
}

TEST_F(EngineRuntimeTest, RunNameConflictLeavesTheOtherContainerAlone) {
  RunSpec spec{"berth-c1", "img:1", 8080, {}, {}, {}, {}};
  fake_.PushFail(125,
                 "docker: Error response from daemon: Conflict. The container name \"/berth-c1\" "
                 "is already in use by container \"21267493dbfa\". You have to remove (or rename) "
                 "that container to be able to reuse that name.\n\nRun 'docker run --help' for "
                 "more information\n");
  auto id = Docker().Run(spec);
  EXPECT_EQ(id.status().code(), Status::Code::kAlreadyExists);
  EXPECT_EQ(fake_.calls().size(), 1u);  // no rm
}

TEST_F(EngineRuntimeTest, RunFailureRemovesWhatItLeft) {
  RunSpec spec{"berth-c1", "img:1", 8080, {}, {{"memory", "bogus"}}, {}, {}};
  fake_.PushFail(125, "Error: invalid value for memory: invalid size: 'bogus'\n");
  auto id = Podman().Run(spec);
  EXPECT_EQ(id.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(id.status().message(),
            "podman run failed: invalid value for memory: invalid size: 'bogus'");
  auto calls = fake_.argvs();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[1], (std::vector<std::string>{"/usr/bin/podman", "rm", "--force", "--time", "0",
                                                "berth-c1"}));
}

TEST_F(EngineRuntimeTest, RunRejectsABadSpecWithoutRunningAnything) {
  RunSpec spec{"--privileged", "img:1", 8080, {}, {}, {}, {}};
  EXPECT_EQ(Podman().Run(spec).status().code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(fake_.calls().empty());
}

TEST_F(EngineRuntimeTest, StopIsIdempotentButNotForAbsentContainers) {
  fake_.PushOk("c1\n");
  EXPECT_TRUE(Podman().Stop("c1", 10).ok());
  EXPECT_EQ(fake_.calls()[0].timeout, milliseconds(11000));
  EXPECT_EQ(fake_.calls()[0].argv,
            (std::vector<std::string>{"/usr/bin/podman", "stop", "-t", "10", "c1"}));
  // Older engines report an already stopped container as an error.
  fake_.PushFail(1, "Error response from daemon: container c1 is not running\n");
  EXPECT_TRUE(Docker().Stop("c1", 10).ok());
  fake_.PushFail(125, "Error: no container with name or ID \"c1\" found: no such container\n");
  Status s = Podman().Stop("c1", 10);
  EXPECT_EQ(s.code(), Status::Code::kNotFound);
  EXPECT_EQ(s.message(),
            "podman stop failed: no container with name or ID \"c1\" found: no such container");
}

TEST_F(EngineRuntimeTest, StartOfAnAbsentContainer) {
  fake_.PushFail(1,
                 "Error response from daemon: No such container: c1\nError: failed to start "
                 "containers: c1\n");
  Status s = Docker().Start("c1");
  EXPECT_EQ(s.code(), Status::Code::kNotFound);
  EXPECT_EQ(s.message(),
            "docker start failed: No such container: c1: failed to start containers: c1");
}

TEST_F(EngineRuntimeTest, RemoveIsIdempotent) {
  fake_.PushFail(1, "Error response from daemon: No such container: c1\n");
  EXPECT_TRUE(Docker().Remove("c1").ok());
  EXPECT_EQ(OnlyCall(), (std::vector<std::string>{"docker", "rm", "--force", "c1"}));
  fake_.PushFail(125, "Error: something unexpected\n");
  EXPECT_EQ(Docker().Remove("c1").code(), Status::Code::kInternal);
}

TEST_F(EngineRuntimeTest, RemoveImage) {
  fake_.PushFail(1, "Error: berth-test-nope:1: image not known\n");
  EXPECT_TRUE(Podman().RemoveImage("berth-test-nope:1").ok());
  fake_.PushFail(2,
                 "Error: image used by 08a1ab97e8fa: image is in use by a container: consider "
                 "listing external containers and force-removing image\n");
  Status s = Podman().RemoveImage("img:1");
  EXPECT_EQ(s.code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(s.message().find("image is in use by a container"), std::string::npos);
}

TEST_F(EngineRuntimeTest, ImageExists) {
  fake_.PushOk();
  EXPECT_TRUE(*Podman().ImageExists("img:1"));
  fake_.PushFail(1, "");
  EXPECT_FALSE(*Podman().ImageExists("img:1"));
  fake_.PushFail(125, "Error: cannot open storage\n");
  EXPECT_FALSE(Podman().ImageExists("img:1").ok());
  fake_.PushOk("sha256:7d666c2c\n");
  EXPECT_TRUE(*Docker().ImageExists("img:1"));
  fake_.PushFail(1, "[]\nError response from daemon: no such image: img:1: No such image: img:1\n");
  EXPECT_FALSE(*Docker().ImageExists("img:1"));
  fake_.PushFail(1,
                 "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the "
                 "docker daemon running?\n");
  EXPECT_EQ(Docker().ImageExists("img:1").status().code(), Status::Code::kUnavailable);
}

TEST_F(EngineRuntimeTest, InspectParsesOrReportsNotFound) {
  fake_.PushOk(ReadTestdata("podman_inspect_running.json"));
  auto info = Podman().Inspect("berth-test-cap1");
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->host_port, 36797);
  EXPECT_EQ(OnlyCall(), (std::vector<std::string>{"/usr/bin/podman", "container", "inspect",
                                                  "berth-test-cap1"}));

  fake_.PushFail(125, "Error: inspecting object: no such container nope\n", "[]\n");
  EXPECT_EQ(Podman().Inspect("nope").status().code(), Status::Code::kNotFound);
  fake_.PushFail(1, "Error response from daemon: No such container: nope\n", "[]\n");
  EXPECT_EQ(Docker().Inspect("nope").status().code(), Status::Code::kNotFound);
  fake_.PushOk("[]\n");
  EXPECT_EQ(Docker().Inspect("nope").status().code(), Status::Code::kNotFound);
  fake_.PushOk("garbage");
  EXPECT_EQ(Docker().Inspect("x").status().code(), Status::Code::kInvalidArgument);
}

TEST_F(EngineRuntimeTest, ListByLabelUsesEachFlavorsFormat) {
  fake_.PushOk(ReadTestdata("podman_ps_two.json"));
  auto podman = Podman().ListByLabel("berth.app", "cap");
  ASSERT_TRUE(podman.ok()) << podman.status().ToString();
  EXPECT_EQ(podman->size(), 2u);
  fake_.PushOk(ReadTestdata("docker_ps_two.jsonl"));
  auto docker = Docker().ListByLabel("berth.app", "cap");
  ASSERT_TRUE(docker.ok()) << docker.status().ToString();
  ASSERT_EQ(docker->size(), 2u);
  EXPECT_EQ((*docker)[1].host_port, 32769);
  auto calls = fake_.argvs();
  EXPECT_EQ(calls[0].back(), "json");
  EXPECT_EQ(calls[1].back(), "{{json .}}");
  fake_.PushOk("");
  auto none = Docker().ListByLabel("berth.app", "none");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(Docker().ListByLabel("", "x").status().code(), Status::Code::kInvalidArgument);
}

TEST_F(EngineRuntimeTest, LogsMergeStreams) {
  fake_.PushOk("out3\nerr1\n");
  auto logs = Podman().Logs("c1", 50);
  ASSERT_TRUE(logs.ok());
  EXPECT_EQ(*logs, "out3\nerr1\n");
  EXPECT_TRUE(fake_.calls()[0].merge_stderr);
  EXPECT_EQ(fake_.calls()[0].argv,
            (std::vector<std::string>{"/usr/bin/podman", "logs", "--tail", "50", "c1"}));
  fake_.PushFail(1, "", "Error response from daemon: No such container: c1\n");
  EXPECT_EQ(Docker().Logs("c1", 50).status().code(), Status::Code::kNotFound);
}

TEST_F(EngineRuntimeTest, FollowLogsCommand) {
  ProcessOptions p = Docker().FollowLogsCommand("c1", 100);
  EXPECT_EQ(p.argv,
            (std::vector<std::string>{"docker", "logs", "--follow", "--tail", "100", "c1"}));
  EXPECT_EQ(p.env, Options().env);
  EXPECT_TRUE(fake_.calls().empty());
}

TEST_F(EngineRuntimeTest, Volumes) {
  fake_.PushFail(125, "Error: volume with name v1 already exists: volume already exists\n");
  EXPECT_TRUE(Podman().VolumeCreate("v1", {{"berth.app", "a,b"}}).ok());
  EXPECT_EQ(OnlyCall(), (std::vector<std::string>{"/usr/bin/podman", "volume", "create", "--label",
                                                  "\"berth.app=a,b\"", "v1"}));
  EXPECT_EQ(Podman().VolumeCreate("v1", {{"", "x"}}).code(), Status::Code::kInvalidArgument);

  fake_.PushOk();
  EXPECT_TRUE(*Podman().VolumeExists("v1"));
  fake_.PushFail(1, "");
  EXPECT_FALSE(*Podman().VolumeExists("v1"));
  fake_.PushFail(1, "Error response from daemon: get v1: no such volume\n");
  EXPECT_FALSE(*Docker().VolumeExists("v1"));

  fake_.PushFail(1, "Error response from daemon: get v1: no such volume\n");
  EXPECT_TRUE(Docker().VolumeRemove("v1").ok());
  fake_.PushFail(2,
                 "Error: volume v1 is being used by the following container(s): 08a1ab97e8fa: "
                 "volume is being used\n");
  EXPECT_EQ(Podman().VolumeRemove("v1").code(), Status::Code::kFailedPrecondition);
}

TEST_F(EngineRuntimeTest, Ping) {
  fake_.PushOk("4.3.1\n");
  EXPECT_TRUE(Podman().Ping().ok());
  fake_.PushFail(1,
                 "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the "
                 "docker daemon running?\n");
  Status s = Docker().Ping();
  EXPECT_EQ(s.code(), Status::Code::kUnavailable);
  EXPECT_EQ(s.message(),
            "docker is not usable: Cannot connect to the Docker daemon at "
            "unix:///var/run/docker.sock. Is the docker daemon running?");
}

}  // namespace
}  // namespace berth::container
