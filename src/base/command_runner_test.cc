#include "base/command_runner.h"

#include <gtest/gtest.h>

#include "base/fake_command_runner.h"

namespace berth {
namespace {

ProcessOptions Sh(const std::string& script) {
  ProcessOptions o;
  o.argv = {"/bin/sh", "-c", script};
  return o;
}

TEST(CommandRunnerTest, RealRunnerRunsTheCommand) {
  RealCommandRunner runner;
  auto r = runner.Run(Sh("echo real"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->out, "real\n");
}

TEST(CommandRunnerTest, FakeRecordsCallsAndAnswersInOrder) {
  FakeCommandRunner fake;
  fake.PushOk("first");
  fake.PushFail(2, "boom");
  fake.Push(Status::NotFound("podman: command not found"));
  CommandRunner& runner = fake;
  EXPECT_EQ(runner.Run(Sh("a"))->out, "first");
  auto second = runner.Run(Sh("b"));
  EXPECT_EQ(second->exit_code, 2);
  EXPECT_EQ(second->err, "boom");
  EXPECT_EQ(runner.Run(Sh("c")).status().code(), Status::Code::kNotFound);
  EXPECT_EQ(runner.Run(Sh("d"))->exit_code, 0);  // nothing scripted: success, no output
  fake.SetHandler([](const ProcessOptions& o) {
    ProcessOutput out;
    out.out = o.argv.back();
    return Result<ProcessOutput>(out);
  });
  EXPECT_EQ(runner.Run(Sh("e"))->out, "e");
  auto argvs = fake.argvs();
  ASSERT_EQ(argvs.size(), 5u);
  EXPECT_EQ(argvs[1], (std::vector<std::string>{"/bin/sh", "-c", "b"}));
  EXPECT_EQ(fake.unused_answers(), 0u);
}

}  // namespace
}  // namespace berth
