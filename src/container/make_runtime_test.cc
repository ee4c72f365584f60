#include "container/make_runtime.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "base/fake_command_runner.h"

namespace berth::container {
namespace {

// A temp dir holding fake engine executables.
class FakeBin {
 public:
  FakeBin() {
    char tmpl[] = "/tmp/berth-make-runtime-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
  }
  ~FakeBin() { std::filesystem::remove_all(dir_); }
  std::string Add(const std::string& name) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << "#!/bin/sh\nexit 0\n";
    ::chmod(path.c_str(), 0755);
    return path;
  }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

TEST(MakeRuntimeTest, EmptyMeansDisabled) {
  FakeCommandRunner runner;
  auto r = MakeRuntime("", runner);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("containers are disabled"), std::string::npos);
}

TEST(MakeRuntimeTest, AutoPrefersPodman) {
  FakeCommandRunner runner;
  FakeBin bin;
  auto none = MakeRuntime("auto", runner, bin.dir(), {});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), Status::Code::kUnavailable);

  std::string docker = bin.Add("docker");
  auto r = MakeRuntime("auto", runner, bin.dir(), {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)->Name(), "docker");
  EXPECT_EQ(static_cast<EngineRuntime&>(**r).executable(), docker);

  std::string podman = bin.Add("podman");
  r = MakeRuntime("auto", runner, "/nonexistent:" + bin.dir(), {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)->Name(), "podman");
  EXPECT_EQ(static_cast<EngineRuntime&>(**r).executable(), podman);
  EXPECT_TRUE(runner.calls().empty());  // auto trusts the name
}

TEST(MakeRuntimeTest, ExplicitExecutableIsAskedForItsVersion) {
  FakeCommandRunner runner;
  FakeBin bin;
  std::string engine = bin.Add("engine");
  runner.PushOk("podman version 4.3.1\n");
  auto r = MakeRuntime(engine, runner, "", {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)->Name(), "podman");
  EXPECT_EQ(runner.argvs().at(0), (std::vector<std::string>{engine, "--version"}));

  runner.PushOk("Docker version 28.2.2, build e6534b4\n");
  r = MakeRuntime("engine", runner, bin.dir(), {});  // a name looked up in PATH
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)->Name(), "docker");

  runner.PushOk("nerdctl version 1.7\n");
  r = MakeRuntime(engine, runner, "", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
}

TEST(MakeRuntimeTest, ExplicitExecutableFallsBackToItsName) {
  FakeCommandRunner runner;
  FakeBin bin;
  std::string docker = bin.Add("docker");
  runner.PushFail(1, "Cannot connect to the Docker daemon");
  auto r = MakeRuntime(docker, runner, "", {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)->Name(), "docker");
}

TEST(MakeRuntimeTest, MissingExecutable) {
  FakeCommandRunner runner;
  auto r = MakeRuntime("/nonexistent/podman", runner, "", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kNotFound);
  EXPECT_EQ(r.status().message(), "container_command /nonexistent/podman: command not found");
}

}  // namespace
}  // namespace berth::container
