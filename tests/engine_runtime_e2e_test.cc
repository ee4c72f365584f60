// The engine driver against the real engines: build, run, inspect, fetch, list, logs, stop, start,
// remove. Runs for podman and for docker when each is installed and usable (for docker: a
// reachable daemon), and skips otherwise (fails when BERTH_REQUIRE_ENGINES names the engine).
// Needs the local base image busybox:latest that scripts/test-env.sh builds; never pulls.
// Everything it creates is named berth-test-<engine>-<pid>-... and removed at the end.

#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "base/command_runner.h"
#include "base/process.h"
#include "container/engine_runtime.h"
#include "support/harness.h"

namespace berth::container {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A plain HTTP/1.0 GET to 127.0.0.1:port. The body on a 200 answer, else an error.
Result<std::string> HttpGet(int port, const std::string& path) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::IOError("socket");
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return Status::Unavailable(fmt::format("connect to port {} failed", port));
  }
  std::string request = "GET " + path + " HTTP/1.0\r\nHost: localhost\r\n\r\n";
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    ::close(fd);
    return Status::IOError("send failed");
  }
  std::string response;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) response.append(buf, n);
  ::close(fd);
  auto header_end = response.find("\r\n\r\n");
  if (header_end == std::string::npos) return Status::Unavailable("incomplete response");
  if (response.rfind("HTTP/1.0 200", 0) != 0 && response.rfind("HTTP/1.1 200", 0) != 0) {
    return Status::Internal("status line: " + response.substr(0, response.find('\r')));
  }
  return response.substr(header_end + 4);
}

// Retries until the server in the container answers (it may still be starting).
Result<std::string> HttpGetWithRetry(int port, const std::string& path) {
  auto deadline = Clock::now() + 20s;
  for (;;) {
    auto r = HttpGet(port, path);
    if (r.ok() || Clock::now() > deadline) return r;
    std::this_thread::sleep_for(100ms);
  }
}

std::string BaseImageFor(ContainerRuntime& runtime) {
  // scripts/test-env.sh builds busybox:latest for both engines.
  for (const char* candidate : {"docker.io/library/busybox:latest", "busybox:latest"}) {
    auto exists = runtime.ImageExists(candidate);
    if (exists.ok() && *exists) return candidate;
  }
  return "";
}

}  // namespace

// Names the engine in test output.
void PrintTo(Flavor flavor, std::ostream* os) { *os << FlavorName(flavor); }

namespace {

class EngineRuntimeIntegrationTest : public ::testing::TestWithParam<Flavor> {
 protected:
  void SetUp() override {
    const char* engine = FlavorName(GetParam());
    auto exe = FindExecutable(engine);
    if (!exe.ok())
      SKIP_OR_FAIL_ENGINE(engine, engine << " is not installed: " << exe.status().ToString());
    exe_ = *exe;
    runtime_ = std::make_unique<EngineRuntime>(GetParam(), exe_, runner_);
    Status ping = runtime_->Ping();
    if (!ping.ok()) SKIP_OR_FAIL_ENGINE(engine, engine << " is not usable: " << ping.ToString());
    base_image_ = BaseImageFor(*runtime_);
    if (base_image_.empty()) {
      SKIP_OR_FAIL_ENGINE(
          engine, "no local busybox:latest image for " << engine << " (run scripts/test-env.sh)");
    }
    prefix_ = fmt::format("berth-test-{}-{}", engine, ::getpid());
    container_ = prefix_ + "-c";
    image_ = prefix_ + "-img:1";
    volume_ = prefix_ + "-vol";
    char tmpl[] = "/tmp/berth-it-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
  }

  void TearDown() override {
    if (runtime_ != nullptr && !prefix_.empty()) {
      // Best effort, whatever the test left.
      EXPECT_TRUE(runtime_->Remove(container_).ok());
      EXPECT_TRUE(runtime_->RemoveImage(image_).ok());
      EXPECT_TRUE(runtime_->VolumeRemove(volume_).ok());
    }
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  void WriteFile(const std::string& path, const std::string& text) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream(path) << text;
  }

  // A value read straight from the engine, to check what the driver asked for.
  std::string EngineField(const std::string& format) {
    ProcessOptions p;
    p.argv = {exe_, "container", "inspect", "--format", format, container_};
    auto out = RunProcess(p);
    return out.ok() ? std::string(out->out.substr(0, out->out.find('\n'))) : "";
  }

  RealCommandRunner runner_;
  std::unique_ptr<EngineRuntime> runtime_;
  std::string exe_, base_image_, prefix_, container_, image_, volume_, dir_;
};

TEST_P(EngineRuntimeIntegrationTest, FullLifecycle) {
  // --- Build: Containerfile outside the context, a build arg, a label.
  WriteFile(dir_ + "/ctx/hello.txt", "hello from the context\n");
  WriteFile(dir_ + "/Containerfile", fmt::format(R"(FROM {}
ARG GREETING=none
COPY hello.txt /www/hello.txt
RUN echo "$GREETING" > /www/greeting.txt && busybox ln -s /data /www/data
EXPOSE 8080
CMD ["/bin/sh", "-c", "echo \"$APP_MSG\" > /data/msg; echo started; echo to-stderr >&2; exec httpd -f -p 8080 -h /www"]
)",
                                                 base_image_));
  BuildSpec build;
  build.image = image_;
  build.context_dir = dir_ + "/ctx";
  build.containerfile = dir_ + "/Containerfile";
  build.build_args = {{"GREETING", "hi there"}};
  build.labels = {{"berth.test", prefix_}};
  std::string log;
  Status built = runtime_->Build(build, &log);
  ASSERT_TRUE(built.ok()) << built.ToString() << "\n" << log;
  EXPECT_NE(log.find("GREETING"), std::string::npos);
  ASSERT_TRUE(*runtime_->ImageExists(image_));

  // --- Volume: created once, creating again is fine.
  ASSERT_TRUE(runtime_->VolumeCreate(volume_, {{"berth.test", prefix_}}).ok());
  ASSERT_TRUE(runtime_->VolumeCreate(volume_, {{"berth.test", prefix_}}).ok());
  ASSERT_TRUE(*runtime_->VolumeExists(volume_));
  {
    auto listed = runtime_->VolumeListByLabel("berth.test", prefix_);
    ASSERT_TRUE(listed.ok()) << listed.status().message();
    EXPECT_EQ(*listed, std::vector<std::string>{volume_});
    auto none = runtime_->VolumeListByLabel("berth.test", prefix_ + "-other");
    ASSERT_TRUE(none.ok()) << none.status().message();
    EXPECT_TRUE(none->empty());
  }

  // --- Run with env, an option, the volume, labels.
  const std::string message = "hello \"world\" a=b $HOME 'x'";
  RunSpec run;
  run.name = container_;
  run.image = image_;
  run.container_port = 8080;
  run.env = {{"APP_MSG", message}};
  run.options = {{"memory", "256m"}};
  run.volumes = {{volume_, "/data", ""}};
  run.labels = {{"berth.test", prefix_}, {"berth.path", "/a,b"}};
  auto id = runtime_->Run(run);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_GE(id->size(), 12u);
  EXPECT_EQ(runtime_->Run(run).status().code(), Status::Code::kAlreadyExists);

  auto info = runtime_->Inspect(container_);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->id, *id);
  EXPECT_EQ(info->name, container_);
  EXPECT_TRUE(info->running);
  EXPECT_EQ(info->state, "running");
  ASSERT_GT(info->host_port, 0);
  EXPECT_EQ(info->HostPortFor(8080), info->host_port);
  EXPECT_EQ(info->labels.at("berth.test"), prefix_);
  EXPECT_EQ(info->labels.at("berth.path"), "/a,b");
  EXPECT_FALSE(info->started_at.empty());
  EXPECT_EQ(EngineField("{{.HostConfig.Memory}}"), "268435456");
  for (const auto& p : info->ports) {
    if (p.host_port != 0) {
      EXPECT_EQ(p.host_ip, "127.0.0.1");
    }
  }

  // --- Fetch from the published port.
  auto greeting = HttpGetWithRetry(info->host_port, "/greeting.txt");
  ASSERT_TRUE(greeting.ok()) << greeting.status().ToString();
  EXPECT_EQ(*greeting, "hi there\n");
  EXPECT_EQ(*HttpGet(info->host_port, "/hello.txt"), "hello from the context\n");
  EXPECT_EQ(*HttpGet(info->host_port, "/data/msg"), message + "\n");  // env + volume

  // --- List by label (podman needs the ',' in the filter quoted).
  for (auto [key, value] : {std::pair<std::string, std::string>{"berth.test", prefix_},
                            std::pair<std::string, std::string>{"berth.path", "/a,b"}}) {
    auto listed = runtime_->ListByLabel(key, value);
    ASSERT_TRUE(listed.ok()) << listed.status().ToString();
    bool found = false;
    for (const auto& c : *listed) {
      if (c.name != container_) continue;
      found = true;
      EXPECT_EQ(c.id, *id);
      EXPECT_TRUE(c.running);
      EXPECT_EQ(c.host_port, info->host_port);
      EXPECT_EQ(c.labels.at("berth.test"), prefix_);
    }
    EXPECT_TRUE(found) << key << "=" << value;
  }
  auto none = runtime_->ListByLabel("berth.test", prefix_ + "-nothing");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());

  // --- Logs, stdout and stderr merged.
  std::string logs;
  for (auto deadline = Clock::now() + 10s; Clock::now() < deadline;) {
    auto l = runtime_->Logs(container_, 10);
    ASSERT_TRUE(l.ok()) << l.status().ToString();
    logs = *l;
    if (logs.find("to-stderr") != std::string::npos) break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_NE(logs.find("started"), std::string::npos) << logs;
  EXPECT_NE(logs.find("to-stderr"), std::string::npos) << logs;

  // --- Following logs through a ChildProcess (killed when it goes out of scope).
  {
    ProcessOptions follow = runtime_->FollowLogsCommand(container_, 10);
    SpawnOptions spawn;
    spawn.argv = follow.argv;
    spawn.env = follow.env;
    spawn.stdout_to = Redirect::Pipe();
    spawn.stderr_to = Redirect::ToStdout();
    auto child = ChildProcess::Spawn(spawn);
    ASSERT_TRUE(child.ok()) << child.status().ToString();
    int fd = child->TakeStdout();
    std::string streamed;
    char buf[1024];
    for (auto deadline = Clock::now() + 10s;
         Clock::now() < deadline && streamed.find("to-stderr") == std::string::npos;) {
      pollfd p = {fd, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n <= 0) break;
      streamed.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    EXPECT_NE(streamed.find("to-stderr"), std::string::npos) << streamed;
    auto still_running = child->WaitFor(0ms);
    ASSERT_TRUE(still_running.ok());
    EXPECT_FALSE(still_running->has_value());  // --follow keeps going
  }

  // --- The image and the volume are in use.
  EXPECT_EQ(runtime_->RemoveImage(image_).code(), Status::Code::kFailedPrecondition);
  EXPECT_EQ(runtime_->VolumeRemove(volume_).code(), Status::Code::kFailedPrecondition);

  // --- Stop (twice), then start again: the host port is read back anew.
  ASSERT_TRUE(runtime_->Stop(container_, 1).ok());
  ASSERT_TRUE(runtime_->Stop(container_, 1).ok());
  info = runtime_->Inspect(container_);
  ASSERT_TRUE(info.ok());
  EXPECT_FALSE(info->running);
  EXPECT_EQ(info->state, "exited");
  EXPECT_EQ(info->host_port, 0);
  ASSERT_TRUE(runtime_->Start(container_).ok());
  ASSERT_TRUE(runtime_->Start(container_).ok());  // already running
  info = runtime_->Inspect(container_);
  ASSERT_TRUE(info.ok());
  EXPECT_TRUE(info->running);
  ASSERT_GT(info->host_port, 0);
  auto again = HttpGetWithRetry(info->host_port, "/greeting.txt");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*again, "hi there\n");

  // --- Remove everything; removing again is fine.
  ASSERT_TRUE(runtime_->Remove(container_).ok());
  ASSERT_TRUE(runtime_->Remove(container_).ok());
  EXPECT_EQ(runtime_->Inspect(container_).status().code(), Status::Code::kNotFound);
  EXPECT_TRUE(*runtime_->VolumeExists(volume_));  // volumes outlive containers
  ASSERT_TRUE(runtime_->RemoveImage(image_).ok());
  ASSERT_TRUE(runtime_->RemoveImage(image_).ok());
  EXPECT_FALSE(*runtime_->ImageExists(image_));
  ASSERT_TRUE(runtime_->VolumeRemove(volume_).ok());
  ASSERT_TRUE(runtime_->VolumeRemove(volume_).ok());
  EXPECT_FALSE(*runtime_->VolumeExists(volume_));
}

TEST_P(EngineRuntimeIntegrationTest, FailedBuildIsSummarized) {
  WriteFile(dir_ + "/ctx/.keep", "");
  WriteFile(dir_ + "/Containerfile",
            fmt::format("FROM {}\nRUN echo failing-step-output >&2; exit 3\n", base_image_));
  BuildSpec build;
  build.image = image_;
  build.context_dir = dir_ + "/ctx";
  build.containerfile = dir_ + "/Containerfile";
  std::string log;
  Status s = runtime_->Build(build, &log);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find(std::string(FlavorName(GetParam())) + " build failed: "),
            std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("RUN echo failing-step-output"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("3"), std::string::npos) << s.message();
  EXPECT_NE(log.find("failing-step-output"), std::string::npos) << log;
  EXPECT_FALSE(*runtime_->ImageExists(image_));
}

TEST_P(EngineRuntimeIntegrationTest, AbsentThings) {
  std::string nope = prefix_ + "-absent";
  EXPECT_EQ(runtime_->Inspect(nope).status().code(), Status::Code::kNotFound);
  EXPECT_EQ(runtime_->Start(nope).code(), Status::Code::kNotFound);
  EXPECT_EQ(runtime_->Stop(nope, 1).code(), Status::Code::kNotFound);
  EXPECT_EQ(runtime_->Logs(nope, 10).status().code(), Status::Code::kNotFound);
  EXPECT_TRUE(runtime_->Remove(nope).ok());
  EXPECT_TRUE(runtime_->RemoveImage(nope + ":1").ok());
  EXPECT_TRUE(runtime_->VolumeRemove(nope).ok());
  EXPECT_FALSE(*runtime_->ImageExists(nope + ":1"));
  EXPECT_FALSE(*runtime_->VolumeExists(nope));
  // A run that fails leaves no container behind.
  RunSpec run;
  run.name = nope;
  run.image = base_image_;
  run.options = {{"memory", "bogus"}};
  EXPECT_EQ(runtime_->Run(run).status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(runtime_->Inspect(nope).status().code(), Status::Code::kNotFound);
}

INSTANTIATE_TEST_SUITE_P(Engines, EngineRuntimeIntegrationTest,
                         ::testing::Values(Flavor::kPodman, Flavor::kDocker),
                         [](const ::testing::TestParamInfo<Flavor>& info) {
                           return std::string(FlavorName(info.param));
                         });

}  // namespace
}  // namespace berth::container
