#include "container/engine_output.h"

#include <gtest/gtest.h>

#include "container/test_fixtures.h"

namespace berth::container {
namespace {

using testing::ReadTestdata;

ContainerInfo Only(const Result<std::vector<ContainerInfo>>& r) {
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok() || r->size() != 1) {
    ADD_FAILURE() << "expected exactly one container";
    return {};
  }
  return r->front();
}

// ------------------------------------------------------------------------------- inspect

TEST(ParseInspectTest, PodmanRunning) {
  ContainerInfo c = Only(ParseInspect(ReadTestdata("podman_inspect_running.json")));
  EXPECT_EQ(c.id, "08a1ab97e8faf5b175911106c41104943a650a1bbb964529212b3531c27b6332");
  EXPECT_EQ(c.name, "berth-test-cap1");
  EXPECT_EQ(c.image, "localhost/berth-test-cap:1");
  EXPECT_EQ(c.state, "running");
  EXPECT_TRUE(c.running);
  EXPECT_EQ(c.host_port, 36797);
  EXPECT_EQ(c.HostPortFor(8080), 36797);
  EXPECT_EQ(c.HostPortFor(9090), 0);
  ASSERT_EQ(c.ports.size(), 1u);
  EXPECT_EQ(c.ports[0].host_ip, "127.0.0.1");
  EXPECT_EQ(c.ports[0].protocol, "tcp");
  EXPECT_EQ(c.labels.at("berth.app"), "cap");
  EXPECT_EQ(c.labels.at("berth.version"), "1");
  EXPECT_EQ(c.exit_code, 0);
  EXPECT_EQ(c.started_at, "2026-11-27T23:29:31.57121104Z");
}

TEST(ParseInspectTest, PodmanStoppedHasNoHostPort) {
  ContainerInfo c = Only(ParseInspect(ReadTestdata("podman_inspect_stopped.json")));
  EXPECT_EQ(c.state, "exited");
  EXPECT_FALSE(c.running);
  EXPECT_EQ(c.exit_code, 137);
  EXPECT_EQ(c.host_port, 0);  // podman still lists the old binding; it is not live
  ASSERT_EQ(c.ports.size(), 1u);
  EXPECT_EQ(c.ports[0].host_port, 36797);
}

TEST(ParseInspectTest, PodmanCreatedWithExposedAndPublishedPorts) {
  ContainerInfo c = Only(ParseInspect(ReadTestdata("podman_inspect_created.json")));
  EXPECT_EQ(c.name, "berth-test-cap2");
  EXPECT_EQ(c.state, "created");
  EXPECT_FALSE(c.running);
  EXPECT_EQ(c.started_at, "");  // Go's zero time
  ASSERT_EQ(c.ports.size(), 2u);
  EXPECT_EQ(c.ports[0].container_port, 8080);  // "8080/tcp": null (EXPOSE only)
  EXPECT_EQ(c.ports[0].host_port, 0);
  EXPECT_EQ(c.ports[1].container_port, 9090);
  EXPECT_EQ(c.ports[1].host_port, 43969);
  EXPECT_EQ(c.labels.at("berth.path"), "/a,b=c");
  EXPECT_EQ(c.labels.at("berth.empty"), "");
}

TEST(ParseInspectTest, DockerRunning) {
  ContainerInfo c = Only(ParseInspect(ReadTestdata("docker_inspect_running.json")));
  EXPECT_EQ(c.id, "b264ec80784c1ba0371151744f5527c4b3aa7aa7af324b5402b685cdb81c6ba4");
  EXPECT_EQ(c.name, "berth-test-cap1");  // docker's leading '/' removed
  EXPECT_EQ(c.image, "berth-test-cap:1");
  EXPECT_TRUE(c.running);
  EXPECT_EQ(c.host_port, 32768);
  EXPECT_EQ(c.labels, (Labels{{"berth.app", "cap"}, {"berth.version", "1"}}));
  EXPECT_EQ(c.started_at, "2026-11-27T23:30:09.859582359Z");
}

TEST(ParseInspectTest, DockerStoppedAndCreated) {
  ContainerInfo stopped = Only(ParseInspect(ReadTestdata("docker_inspect_stopped.json")));
  EXPECT_EQ(stopped.state, "exited");
  EXPECT_EQ(stopped.exit_code, 137);
  EXPECT_EQ(stopped.host_port, 0);
  EXPECT_TRUE(stopped.ports.empty());  // docker drops the bindings of a stopped container

  ContainerInfo created = Only(ParseInspect(ReadTestdata("docker_inspect_created.json")));
  EXPECT_EQ(created.state, "created");
  EXPECT_EQ(created.started_at, "");
  EXPECT_EQ(created.labels.at("berth.path"), "/a,b=c");
}

TEST(ParseInspectTest, EmptyAndMalformed) {
  auto empty = ParseInspect("[]\n");  // what both print, on stdout, for a missing container
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  EXPECT_EQ(ParseInspect("Error: no such container").status().code(),
            Status::Code::kInvalidArgument);
  EXPECT_FALSE(ParseInspect("{\"Id\": \"x\"}").ok());
  // Odd types are tolerated.
  auto odd = ParseInspect(R"([{"Id": 5, "State": "weird", "NetworkSettings": {"Ports": []}}])");
  ASSERT_TRUE(odd.ok());
  EXPECT_EQ(odd->front().id, "");
}

// ------------------------------------------------------------------------------------ ps

TEST(ParsePodmanPsTest, RunningAndCreated) {
  auto r = ParsePodmanPs(ReadTestdata("podman_ps_two.json"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 2u);
  const ContainerInfo& a = (*r)[0];
  EXPECT_EQ(a.id, "08a1ab97e8faf5b175911106c41104943a650a1bbb964529212b3531c27b6332");
  EXPECT_EQ(a.name, "berth-test-cap1");
  EXPECT_EQ(a.image, "localhost/berth-test-cap:1");
  EXPECT_TRUE(a.running);
  EXPECT_EQ(a.host_port, 36797);
  EXPECT_EQ(a.started_at, "2026-11-27T23:29:45Z");
  const ContainerInfo& b = (*r)[1];
  EXPECT_EQ(b.name, "berth-test-cap2");
  EXPECT_EQ(b.state, "created");
  EXPECT_FALSE(b.running);
  EXPECT_EQ(b.host_port, 0);
  EXPECT_EQ(b.HostPortFor(9090), 43969);
  EXPECT_EQ(b.started_at, "");
  EXPECT_EQ(b.labels.at("berth.path"), "/a,b=c");  // exact: podman prints a JSON object
}

TEST(ParsePodmanPsTest, StoppedAndEmpty) {
  ContainerInfo c = Only(ParsePodmanPs(ReadTestdata("podman_ps_stopped.json")));
  EXPECT_EQ(c.state, "exited");
  EXPECT_EQ(c.exit_code, 137);
  EXPECT_EQ(c.host_port, 0);
  auto empty = ParsePodmanPs(ReadTestdata("podman_ps_empty.json"));
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  EXPECT_TRUE(ParsePodmanPs("").ok());
  EXPECT_FALSE(ParsePodmanPs("{").ok());
}

TEST(ParsePodmanPsTest, PortRangesAndNulls) {
  auto r = ParsePodmanPs(R"([{"Id":"x","Names":null,"Labels":null,"State":"running",
      "Ports":[{"host_ip":"","container_port":8000,"host_port":40000,"range":3,"protocol":"tcp"}]}])");
  ContainerInfo c = Only(r);
  EXPECT_EQ(c.name, "");
  EXPECT_TRUE(c.labels.empty());
  ASSERT_EQ(c.ports.size(), 3u);
  EXPECT_EQ(c.HostPortFor(8002), 40002);
}

TEST(ParseDockerPsTest, RunningAndCreated) {
  auto r = ParseDockerPs(ReadTestdata("docker_ps_two.jsonl"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 2u);
  const ContainerInfo& created = (*r)[0];
  EXPECT_EQ(created.id, "256130bc719c60128b3f7683101b4b10735c9241a693114d90ee1761c34fafae");
  EXPECT_EQ(created.name, "berth-test-cap2");
  EXPECT_EQ(created.state, "created");
  EXPECT_FALSE(created.running);
  EXPECT_TRUE(created.ports.empty());
  // docker ps joins labels with ',': "berth.path=/a,b=c" cannot be told from two labels.
  EXPECT_EQ(created.labels,
            (Labels{{"berth.app", "cap"}, {"berth.empty", ""}, {"berth.path", "/a"}, {"b", "c"}}));
  const ContainerInfo& running = (*r)[1];
  EXPECT_EQ(running.name, "berth-test-cap1");
  EXPECT_EQ(running.image, "berth-test-cap:1");
  EXPECT_TRUE(running.running);
  EXPECT_EQ(running.host_port, 32769);
  EXPECT_EQ(running.labels, (Labels{{"berth.app", "cap"}, {"berth.version", "1"}}));
  EXPECT_EQ(running.started_at, "");  // not in docker ps
}

TEST(ParseDockerPsTest, StoppedAndEmpty) {
  ContainerInfo c = Only(ParseDockerPs(ReadTestdata("docker_ps_stopped.jsonl")));
  EXPECT_EQ(c.state, "exited");
  EXPECT_EQ(c.exit_code, 137);
  EXPECT_TRUE(c.ports.empty());
  auto empty = ParseDockerPs("");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  EXPECT_FALSE(ParseDockerPs("{\"ID\":\"x\"}\nnot json\n").ok());
}

TEST(ParseDockerPsTest, StatusWithoutState) {
  ContainerInfo c = Only(ParseDockerPs(R"({"ID":"a","Names":"n1,n2","Status":"Up 3 minutes"})"));
  EXPECT_EQ(c.name, "n1");
  EXPECT_TRUE(c.running);
  c = Only(ParseDockerPs(R"({"ID":"a","Status":"Exited (3) 2 hours ago"})"));
  EXPECT_EQ(c.state, "exited");
  EXPECT_EQ(c.exit_code, 3);
}

TEST(ParseDockerLabelsTest, Splitting) {
  EXPECT_TRUE(ParseDockerLabels("").empty());
  EXPECT_EQ(ParseDockerLabels("a=1"), (Labels{{"a", "1"}}));
  EXPECT_EQ(ParseDockerLabels("a=1,2,b=x=y"), (Labels{{"a", "1,2"}, {"b", "x=y"}}));
  EXPECT_EQ(ParseDockerLabels("a=,b=2"), (Labels{{"a", ""}, {"b", "2"}}));
}

TEST(ParseDockerPortsTest, Forms) {
  auto p = ParseDockerPorts("127.0.0.1:32768->8080/tcp");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].host_ip, "127.0.0.1");
  EXPECT_EQ(p[0].host_port, 32768);
  EXPECT_EQ(p[0].container_port, 8080);
  EXPECT_EQ(p[0].protocol, "tcp");

  p = ParseDockerPorts("0.0.0.0:49153->80/tcp, :::49153->80/tcp, 9000/udp, [::1]:5000->5000/tcp");
  ASSERT_EQ(p.size(), 4u);
  EXPECT_EQ(p[0].container_port, 80);
  EXPECT_EQ(p[1].container_port, 80);
  EXPECT_EQ(p[1].host_ip, "::");
  EXPECT_EQ(p[2].container_port, 5000);
  EXPECT_EQ(p[2].host_ip, "::1");
  EXPECT_EQ(p[3].container_port, 9000);
  EXPECT_EQ(p[3].protocol, "udp");
  EXPECT_EQ(p[3].host_port, 0);

  p = ParseDockerPorts("127.0.0.1:40000-40002->8000-8002/tcp, 7000-7001/tcp");
  ASSERT_EQ(p.size(), 5u);
  EXPECT_EQ(p[1].container_port, 7001);
  EXPECT_EQ(p[1].host_port, 0);
  EXPECT_EQ(p[2].container_port, 8000);
  EXPECT_EQ(p[2].host_port, 40000);
  EXPECT_EQ(p[4].container_port, 8002);
  EXPECT_EQ(p[4].host_port, 40002);

  EXPECT_TRUE(ParseDockerPorts("").empty());
  EXPECT_TRUE(ParseDockerPorts("garbage, x:y->z").empty());
}

// ------------------------------------------------------------------------- run, errors

TEST(ParseContainerIdTest, LastLine) {
  EXPECT_EQ(*ParseContainerId("08a1ab97e8faf5b175911106c41104943a650a1bbb964529212b3531c27b6332\n"),
            "08a1ab97e8faf5b175911106c41104943a650a1bbb964529212b3531c27b6332");
  EXPECT_EQ(*ParseContainerId("Trying to pull...\nabc123\n\n"), "abc123");
  EXPECT_FALSE(ParseContainerId("").ok());
  EXPECT_FALSE(ParseContainerId("not an id\n").ok());
}

// Error messages as the real tools print them (podman 4.3.1, docker 28.2.2 CLI / 20.10 daemon).
TEST(ClassifyErrorTest, RealMessages) {
  struct Case {
    const char* text;
    ErrorKind kind;
  };
  const Case cases[] = {
      {"Error: no container with name or ID \"berth-test-nope\" found: no such container",
       ErrorKind::kNotFound},
      {"Error: inspecting object: no such container berth-test-nope", ErrorKind::kNotFound},
      {"Error: berth-test-nope:1: image not known", ErrorKind::kNotFound},
      {"Error: no volume with name \"berth-test-nope\" found: no such volume",
       ErrorKind::kNotFound},
      {"Error response from daemon: No such container: berth-test-nope", ErrorKind::kNotFound},
      {"Error response from daemon: No such image: berth-test-nope:1", ErrorKind::kNotFound},
      {"Error response from daemon: get berth-test-nope: no such volume", ErrorKind::kNotFound},
      {"Error response from daemon: no such image: berth-test-nope:1: No such image: "
       "berth-test-nope:1",
       ErrorKind::kNotFound},
      {"Error: creating container storage: the container name \"berth-test-x\" is already in use "
       "by 43058e83625b. You have to remove that container to be able to reuse that name: that "
       "name is already in use",
       ErrorKind::kAlreadyExists},
      {"docker: Error response from daemon: Conflict. The container name \"/berth-test-x\" is "
       "already in use by container \"21267493dbfa\". You have to remove (or rename) that "
       "container to be able to reuse that name.",
       ErrorKind::kAlreadyExists},
      {"Error: volume with name berth-test-capvol already exists: volume already exists",
       ErrorKind::kAlreadyExists},
      {"Error: image used by 08a1ab97e8fa: image is in use by a container: consider listing "
       "external containers and force-removing image",
       ErrorKind::kInUse},
      {"Error response from daemon: conflict: unable to remove repository reference "
       "\"berth-test-cap:1\" (must force) - container b264ec80784c is using its referenced "
       "image 7d666c2c1844",
       ErrorKind::kInUse},
      {"Error: volume berth-test-capvol is being used by the following container(s): "
       "08a1ab97e8fa: volume is being used",
       ErrorKind::kInUse},
      {"Error response from daemon: remove berth-test-capvol: volume is in use - [b264ec80784c]",
       ErrorKind::kInUse},
      {"Cannot connect to the Docker daemon at unix:///tmp/nope.sock. Is the docker daemon "
       "running?",
       ErrorKind::kUnavailable},
      {"Error: invalid value for memory: invalid size: 'bogus'", ErrorKind::kBadOption},
      {"invalid argument \"bogus\" for \"-m, --memory\" flag: invalid size: 'bogus'\n\nUsage:  "
       "docker run [OPTIONS] IMAGE [COMMAND] [ARG...]",
       ErrorKind::kBadOption},
      {"Error: unknown flag: --no-such-flag\nSee 'podman run --help'", ErrorKind::kBadOption},
      {"Error: something else broke", ErrorKind::kOther},
      {"", ErrorKind::kOther},
  };
  for (const Case& c : cases) EXPECT_EQ(ClassifyError(c.text), c.kind) << c.text;
}

TEST(ErrorSummaryTest, StripsPrefixesAndUsageNoise) {
  EXPECT_EQ(ErrorSummary("Error: unknown flag: --no-such-flag\nSee 'podman run --help'\n"),
            "unknown flag: --no-such-flag");
  EXPECT_EQ(ErrorSummary("unknown flag: --no-such-flag\n\nUsage:  docker run [OPTIONS] IMAGE "
                         "[COMMAND] [ARG...]\n\nRun 'docker run --help' for more information\n"),
            "unknown flag: --no-such-flag");
  EXPECT_EQ(ErrorSummary("docker: Error response from daemon: Conflict. The name is taken.\n"),
            "Conflict. The name is taken.");
  EXPECT_EQ(ErrorSummary("line1\nline2\nline3\n", 2), "line2: line3");
  EXPECT_EQ(ErrorSummary("time=\"2026-11-27T23:29:41Z\" level=warning msg=\"StopSignal\"\n"
                         "Error: real problem\n"),
            "real problem");
  EXPECT_EQ(ErrorSummary(""), "");
  EXPECT_LE(ErrorSummary(std::string(5000, 'x')).size(), 600u);
}

TEST(SummarizeBuildFailureTest, Podman) {
  // podman build with stdout and stderr merged (RUN false at step 3).
  const char* log =
      "STEP 1/3: FROM localhost/berth-busybox:test\n"
      "STEP 2/3: RUN echo building\n"
      "building\n"
      "--> e9531283b60\n"
      "STEP 3/3: RUN false\n"
      "Error: building at STEP \"RUN false\": while running runtime: exit status 1\n";
  EXPECT_EQ(SummarizeBuildFailure(log),
            "STEP 3/3: RUN false: building at STEP \"RUN false\": while running runtime: exit "
            "status 1");
}

TEST(SummarizeBuildFailureTest, DockerWithTheStepsOutput) {
  const char* log =
      "DEPRECATED: The legacy builder is deprecated and will be removed in a future release.\n"
      "            Install the buildx component to build images with BuildKit:\n"
      "            https://docs.docker.com/go/buildx/\n"
      "\n"
      "Sending build context to Docker daemon  2.607kB\n"
      "Step 1/3 : FROM berth-busybox:test\n"
      " ---> 25143c3044a3\n"
      "Step 2/3 : RUN echo building\n"
      " ---> Running in 770cc7fa46f1\n"
      "building\n"
      "Removing intermediate container 770cc7fa46f1\n"
      " ---> ef006cac7f53\n"
      "Step 3/3 : RUN echo oops >&2; false\n"
      " ---> Running in 8aae7511dc1a\n"
      "oops\n"
      "The command '/bin/sh -c echo oops >&2; false' returned a non-zero code: 1\n";
  EXPECT_EQ(SummarizeBuildFailure(log),
            "Step 3/3 : RUN echo oops >&2; false: oops: The command '/bin/sh -c echo oops >&2; "
            "false' returned a non-zero code: 1");
}

TEST(SummarizeBuildFailureTest, NoStep) {
  EXPECT_EQ(SummarizeBuildFailure("Error: the specified Containerfile or Dockerfile does not "
                                  "exist, /x/Containerfile: no such file or directory\n"),
            "the specified Containerfile or Dockerfile does not exist, /x/Containerfile: no such "
            "file or directory");
}

// Truncated and corrupted engine output must give errors or partial results, never a crash or
// undefined behaviour (this test is meant to run under ASan/UBSan).
TEST(EngineOutputRobustnessTest, TruncatedAndMutatedInput) {
  const char* fixtures[] = {"podman_inspect_running.json", "podman_inspect_created.json",
                            "docker_inspect_running.json", "podman_ps_two.json",
                            "docker_ps_two.jsonl"};
  const std::string extra[] = {
      R"([{"State":{"ExitCode":1e300,"Running":"yes"},"Config":{"Labels":{"a":[1,{"b":null}]}}}])",
      R"([{"Ports":[{"container_port":-5,"host_port":99999999999,"range":1e9}]}])",
      R"({"Ports":"::::->->/,,,-,0-4294967296->1-2/tcp","Labels":",,=,=x,"})"};
  unsigned seed = 12345;
  auto next = [&seed] {
    seed = seed * 1103515245u + 12345u;
    return seed >> 8;
  };
  auto exercise = [](const std::string& text) {
    (void)ParseInspect(text);
    (void)ParsePodmanPs(text);
    (void)ParseDockerPs(text);
    (void)ParseDockerLabels(text);
    (void)ParseDockerPorts(text);
    (void)ParseContainerId(text);
    (void)ClassifyError(text);
    (void)ErrorSummary(text);
    (void)SummarizeBuildFailure(text);
  };
  for (const std::string& text : extra) exercise(text);
  for (const char* name : fixtures) {
    std::string text = ReadTestdata(name);
    ASSERT_FALSE(text.empty()) << name;
    for (size_t len = 0; len < text.size(); len += 499) exercise(text.substr(0, len));
    for (int round = 0; round < 40; ++round) {
      std::string mutated = text;
      for (int i = 0; i < 4; ++i) {
        mutated[next() % mutated.size()] = "{}[]\",:0-9x\n\xff"[next() % 14];
      }
      exercise(mutated);
    }
  }
}

}  // namespace
}  // namespace berth::container
