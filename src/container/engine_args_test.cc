#include "container/engine_args.h"

#include <gtest/gtest.h>

#include "base/strings.h"

namespace berth::container {
namespace {

RunSpec FullRunSpec() {
  RunSpec spec;
  spec.name = "berth-app1-c0ffee";
  spec.image = "localhost/berth-app1:abc123";
  spec.container_port = 8080;
  spec.env = {{"PORT", "8080"},
              {"CL_APP_PATH", ""},
              {"MSG", "a b=c \"quoted\" 'single'\nsecond line $HOME"}};
  spec.options = {{"memory", "512m"}, {"read-only", std::nullopt}, {"cpu-shares", "1000"}};
  spec.volumes = {{"berth-app1-data", "/data", ""}, {"/srv/conf", "/etc/app", "ro,z"}};
  spec.labels = {{"dev.berth.version", "3"}, {"dev.berth.app", "app1"}, {"a.first", "x,y=z"}};
  return spec;
}

TEST(EngineArgsTest, RunArgsAreCompleteAndOrdered) {
  Args expected = {
      "run", "--detach", "--name", "berth-app1-c0ffee", "--publish", "127.0.0.1::8080",
      // labels sorted by key
      "--label", "a.first=x,y=z", "--label", "dev.berth.app=app1", "--label", "dev.berth.version=3",
      // env in the given order, values untouched
      "--env", "PORT=8080", "--env", "CL_APP_PATH=", "--env",
      "MSG=a b=c \"quoted\" 'single'\nsecond line $HOME", "--volume", "berth-app1-data:/data",
      "--volume", "/srv/conf:/etc/app:ro,z",
      // --copt in the given order
      "--memory=512m", "--read-only", "--cpu-shares=1000", "localhost/berth-app1:abc123"};
  EXPECT_EQ(RunArgs(Flavor::kPodman, FullRunSpec()), expected);
  EXPECT_EQ(RunArgs(Flavor::kDocker, FullRunSpec()), expected);
}

TEST(EngineArgsTest, RunWithoutPortPublishesNothing) {
  RunSpec spec;
  spec.name = "c";
  spec.image = "img";
  EXPECT_EQ(RunArgs(Flavor::kDocker, spec), (Args{"run", "--detach", "--name", "c", "img"}));
}

// Secret values reach the engine through its environment, never its command line, unless the
// engine reads that name itself.
TEST(EngineArgsTest, HiddenValuesLeaveTheCommandLine) {
  RunSpec run;
  run.name = "c";
  run.image = "i";
  run.env = {{"DB_PASSWORD", "s3cret"}, {"MODE", "prod"}, {"PATH", "/x"}, {"LD_PRELOAD", "y"}};
  run.hidden_env = {"DB_PASSWORD", "PATH", "LD_PRELOAD"};
  Args args = RunArgs(Flavor::kPodman, run);
  std::string line = Join(args, " ");
  EXPECT_NE(line.find("--env DB_PASSWORD --env MODE=prod --env PATH=/x --env LD_PRELOAD=y"),
            std::string::npos)
      << line;
  EXPECT_EQ(line.find("s3cret"), std::string::npos);
  EXPECT_EQ(HiddenValues(run), (std::vector<std::string>{"DB_PASSWORD=s3cret"}));

  BuildSpec build;
  build.image = "i";
  build.context_dir = "/c";
  build.containerfile = "/c/Containerfile";
  build.build_args = {{"TOKEN", "t0k"}, {"V", "1"}};
  build.hidden_build_args = {"TOKEN"};
  line = Join(BuildArgs(Flavor::kPodman, build), " ");
  EXPECT_NE(line.find("--build-arg TOKEN --build-arg V=1"), std::string::npos) << line;
  EXPECT_EQ(HiddenValues(build), (std::vector<std::string>{"TOKEN=t0k"}));
}

TEST(EngineArgsTest, BuildArgs) {
  BuildSpec spec;
  spec.image = "berth-app1:v2";
  spec.context_dir = "/var/lib/berth/app1/src";
  spec.containerfile = "/var/lib/berth/specs/python/Containerfile";
  spec.build_args = {{"PYTHON_VERSION", "3.12"}, {"EXTRA", "a b"}, {"EMPTY", ""}};
  spec.labels = {{"z", "1"}, {"a", "2"}};
  Args expected = {"build",
                   "--tag",
                   "berth-app1:v2",
                   "--file",
                   "/var/lib/berth/specs/python/Containerfile",
                   "--force-rm",
                   "--build-arg",
                   "PYTHON_VERSION=3.12",
                   "--build-arg",
                   "EXTRA=a b",
                   "--build-arg",
                   "EMPTY=",
                   "--label",
                   "a=2",
                   "--label",
                   "z=1",
                   "/var/lib/berth/app1/src"};
  EXPECT_EQ(BuildArgs(Flavor::kDocker, spec), expected);
  // podman keeps no intermediate images (see BuildArgs).
  expected.insert(expected.begin() + 6, "--layers=false");
  EXPECT_EQ(BuildArgs(Flavor::kPodman, spec), expected);

  spec.context_dir = "-odd";
  EXPECT_EQ(BuildArgs(Flavor::kPodman, spec).back(), "./-odd");
}

TEST(EngineArgsTest, LifecycleCommands) {
  EXPECT_EQ(StartArgs("c1"), (Args{"start", "c1"}));
  EXPECT_EQ(StopArgs("c1", 10), (Args{"stop", "-t", "10", "c1"}));
  EXPECT_EQ(StopArgs("c1", -5), (Args{"stop", "-t", "0", "c1"}));
  EXPECT_EQ(RemoveArgs(Flavor::kPodman, "c1"), (Args{"rm", "--force", "--time", "0", "c1"}));
  EXPECT_EQ(RemoveArgs(Flavor::kDocker, "c1"), (Args{"rm", "--force", "c1"}));
  EXPECT_EQ(RemoveImageArgs("img:1"), (Args{"rmi", "img:1"}));
  EXPECT_EQ(InspectArgs("c1"), (Args{"container", "inspect", "c1"}));
}

TEST(EngineArgsTest, ListByLabel) {
  EXPECT_EQ(ListByLabelArgs(Flavor::kPodman, "dev.berth.app", "app1"),
            (Args{"ps", "--all", "--filter", "label=dev.berth.app=app1", "--format", "json"}));
  EXPECT_EQ(ListByLabelArgs(Flavor::kDocker, "dev.berth.app", "app1"),
            (Args{"ps", "--all", "--no-trunc", "--filter", "label=dev.berth.app=app1", "--format",
                  "{{json .}}"}));
  // podman splits --filter values on ','; docker does not.
  EXPECT_EQ(ListByLabelArgs(Flavor::kPodman, "p", "/a,b")[3], "\"label=p=/a,b\"");
  EXPECT_EQ(ListByLabelArgs(Flavor::kDocker, "p", "/a,b")[4], "label=p=/a,b");
}

TEST(EngineArgsTest, Logs) {
  EXPECT_EQ(LogsArgs("c1", 100, false), (Args{"logs", "--tail", "100", "c1"}));
  EXPECT_EQ(LogsArgs("c1", -1, false), (Args{"logs", "c1"}));
  EXPECT_EQ(LogsArgs("c1", 0, true), (Args{"logs", "--follow", "--tail", "0", "c1"}));
}

TEST(EngineArgsTest, ImagesAndVolumes) {
  EXPECT_EQ(ImageExistsArgs(Flavor::kPodman, "i:1"), (Args{"image", "exists", "i:1"}));
  EXPECT_EQ(ImageExistsArgs(Flavor::kDocker, "i:1"),
            (Args{"image", "inspect", "--format", "{{.Id}}", "i:1"}));
  Labels labels = {{"b", "x,y"}, {"a", "1"}};
  EXPECT_EQ(VolumeCreateArgs(Flavor::kPodman, "v1", labels),
            (Args{"volume", "create", "--label", "a=1", "--label", "\"b=x,y\"", "v1"}));
  EXPECT_EQ(VolumeCreateArgs(Flavor::kDocker, "v1", labels),
            (Args{"volume", "create", "--label", "a=1", "--label", "b=x,y", "v1"}));
  EXPECT_EQ(VolumeExistsArgs(Flavor::kPodman, "v1"), (Args{"volume", "exists", "v1"}));
  EXPECT_EQ(VolumeExistsArgs(Flavor::kDocker, "v1"),
            (Args{"volume", "inspect", "--format", "{{.Name}}", "v1"}));
  EXPECT_EQ(VolumeRemoveArgs("v1"), (Args{"volume", "rm", "v1"}));
  EXPECT_EQ(VolumeListByLabelArgs(Flavor::kPodman, "k", "a,b"),
            (Args{"volume", "ls", "--filter", "\"label=k=a,b\"", "--format", "{{.Name}}"}));
  EXPECT_EQ(VolumeListByLabelArgs(Flavor::kDocker, "k", "v"),
            (Args{"volume", "ls", "--filter", "label=k=v", "--format", "{{.Name}}"}));
  EXPECT_EQ(PingArgs(Flavor::kPodman), (Args{"info", "--format", "{{.Version.Version}}"}));
  EXPECT_EQ(PingArgs(Flavor::kDocker), (Args{"version", "--format", "{{.Server.Version}}"}));
}

TEST(EngineArgsTest, CsvField) {
  EXPECT_EQ(CsvField("plain=value"), "plain=value");
  EXPECT_EQ(CsvField("a=b,c"), "\"a=b,c\"");
  EXPECT_EQ(CsvField("say=\"hi\""), "\"say=\"\"hi\"\"\"");
}

TEST(EngineArgsTest, ValidateName) {
  EXPECT_TRUE(ValidateName("container", "berth-app_1.x").ok());
  EXPECT_TRUE(ValidateName("image", "localhost/berth/app:1").ok());
  EXPECT_EQ(ValidateName("container", "").code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(ValidateName("container", "--rm").message(), "container name \"--rm\" starts with '-'");
  EXPECT_FALSE(ValidateName("volume", "a b").ok());
  EXPECT_FALSE(ValidateName("volume", "a\nb").ok());
}

TEST(EngineArgsTest, ValidateRunSpec) {
  EXPECT_TRUE(ValidateRunSpec(FullRunSpec()).ok());
  auto with = [](auto mutate) {
    RunSpec spec = FullRunSpec();
    mutate(spec);
    return ValidateRunSpec(spec);
  };
  EXPECT_FALSE(with([](RunSpec& s) { s.name = "-x"; }).ok());
  EXPECT_FALSE(with([](RunSpec& s) { s.image = ""; }).ok());
  EXPECT_FALSE(with([](RunSpec& s) { s.container_port = 70000; }).ok());
  EXPECT_FALSE(with([](RunSpec& s) { s.env.push_back({"A=B", "c"}); }).ok());
  EXPECT_FALSE(with([](RunSpec& s) { s.env.push_back({"", "c"}); }).ok());
  EXPECT_FALSE(with([](RunSpec& s) { s.options.push_back({"--memory", "1g"}); }).ok());
  EXPECT_FALSE(with([](RunSpec& s) { s.options.push_back({"", "1g"}); }).ok());
  EXPECT_FALSE(with([](RunSpec& s) { s.volumes.push_back({"relative/path", "/x", ""}); }).ok());
  EXPECT_FALSE(with([](RunSpec& s) { s.volumes.push_back({"/a:b", "/x", ""}); }).ok());
  EXPECT_FALSE(with([](RunSpec& s) { s.volumes.push_back({"vol", "relative", ""}); }).ok());
  EXPECT_FALSE(with([](RunSpec& s) { s.volumes.push_back({"vol", "/x", "ro:z"}); }).ok());
  EXPECT_FALSE(with([](RunSpec& s) { s.labels[""] = "x"; }).ok());
  EXPECT_TRUE(with([](RunSpec& s) { s.container_port = 0; }).ok());
}

TEST(EngineArgsTest, ValidateBuildSpec) {
  BuildSpec spec;
  spec.image = "img:1";
  spec.context_dir = "/src";
  spec.containerfile = "/specs/Containerfile";
  EXPECT_TRUE(ValidateBuildSpec(spec).ok());
  spec.build_args = {{"K=V", "x"}};
  EXPECT_FALSE(ValidateBuildSpec(spec).ok());
  spec.build_args.clear();
  spec.containerfile.clear();
  EXPECT_FALSE(ValidateBuildSpec(spec).ok());
}

}  // namespace
}  // namespace berth::container
