#include "base/process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stop_token>
#include <thread>

namespace berth {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

ProcessOptions Sh(const std::string& script) {
  ProcessOptions o;
  o.argv = {"/bin/sh", "-c", script};
  return o;
}

ProcessOutput MustRun(const ProcessOptions& o) {
  auto r = RunProcess(o);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : ProcessOutput{};
}

// True once `pid` is gone or a zombie (a grandchild reparented to an init that does not reap).
bool ProcessGone(pid_t pid) {
  for (int i = 0; i < 300; ++i) {
    if (::kill(pid, 0) != 0 && errno == ESRCH) return true;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) return true;
    auto close_paren = line.rfind(')');
    if (close_paren != std::string::npos && close_paren + 2 < line.size() &&
        line[close_paren + 2] == 'Z') {
      return true;
    }
    std::this_thread::sleep_for(milliseconds(10));
  }
  return false;
}

std::string ReadAll(int fd) {
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      out.append(buf, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  return out;
}

std::string ReadLine(int fd) {
  std::string out;
  char c;
  while (::read(fd, &c, 1) == 1 && c != '\n') out.push_back(c);
  return out;
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/berth-process-test-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// ------------------------------------------------------------------------------- RunProcess

TEST(RunProcessTest, CapturesStdoutAndExitCode) {
  auto out = MustRun(Sh("echo hello; exit 3"));
  EXPECT_EQ(out.out, "hello\n");
  EXPECT_EQ(out.err, "");
  EXPECT_EQ(out.exit_code, 3);
  EXPECT_FALSE(out.timed_out);
  EXPECT_FALSE(out.truncated);
}

TEST(RunProcessTest, KeepsStderrApart) {
  auto out = MustRun(Sh("echo out; echo err >&2"));
  EXPECT_EQ(out.out, "out\n");
  EXPECT_EQ(out.err, "err\n");
}

TEST(RunProcessTest, MergeStderrKeepsOrder) {
  auto o = Sh("echo a; echo b >&2; echo c");
  o.merge_stderr = true;
  auto out = MustRun(o);
  EXPECT_EQ(out.out, "a\nb\nc\n");
  EXPECT_EQ(out.err, "");
}

TEST(RunProcessTest, ArgumentsAreNotInterpretedByAShell) {
  ProcessOptions o;
  o.argv = {"/bin/sh", "-c", "printf '%s|' \"$@\"", "sh", "a b", "$HOME", "x=\"y\"\nz", ""};
  EXPECT_EQ(MustRun(o).out, "a b|$HOME|x=\"y\"\nz||");
}

TEST(RunProcessTest, ExitBySignalIsNegative) {
  EXPECT_EQ(MustRun(Sh("kill -TERM $$")).exit_code, -SIGTERM);
}

TEST(RunProcessTest, CommandNotFoundIsAClearError) {
  ProcessOptions o;
  o.argv = {"berth-no-such-command-xyz", "--version"};
  auto r = RunProcess(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kNotFound);
  EXPECT_EQ(r.status().message(), "berth-no-such-command-xyz: command not found");

  o.argv = {"/nonexistent/dir/podman"};
  r = RunProcess(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kNotFound);
  EXPECT_EQ(r.status().message(), "/nonexistent/dir/podman: command not found");
}

TEST(RunProcessTest, EmptyArgvIsInvalid) {
  auto r = RunProcess(ProcessOptions{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
}

TEST(RunProcessTest, EnvOverridesAddReplaceAndRemove) {
  ::setenv("BERTH_TEST_PARENT", "parent", 1);
  ::setenv("BERTH_TEST_REMOVED", "there", 1);
  auto o = Sh("echo \"$BERTH_TEST_NEW|$BERTH_TEST_PARENT|${BERTH_TEST_REMOVED-unset}\"");
  o.env = {"BERTH_TEST_NEW=a b=c", "BERTH_TEST_PARENT=child", "BERTH_TEST_REMOVED"};
  EXPECT_EQ(MustRun(o).out, "a b=c|child|unset\n");
  // The parent's environment is inherited.
  EXPECT_EQ(MustRun(Sh("echo $BERTH_TEST_PARENT")).out, "parent\n");
  ::unsetenv("BERTH_TEST_PARENT");
  ::unsetenv("BERTH_TEST_REMOVED");
}

TEST(RunProcessTest, PathFromEnvOverrideIsUsedForLookup) {
  TempDir dir;
  std::string script = dir.path() + "/berth-hello";
  std::ofstream(script) << "#!/bin/sh\necho from-script\n";
  ::chmod(script.c_str(), 0755);
  ProcessOptions o;
  o.argv = {"berth-hello"};
  o.env = {"PATH=" + dir.path() + ":/usr/bin:/bin"};
  EXPECT_EQ(MustRun(o).out, "from-script\n");
}

TEST(RunProcessTest, WorkingDirectory) {
  TempDir dir;
  auto o = Sh("pwd");
  o.cwd = dir.path();
  EXPECT_EQ(MustRun(o).out, dir.path() + "\n");

  o.cwd = dir.path() + "/missing";
  auto r = RunProcess(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kNotFound);
}

TEST(RunProcessTest, LargeStdinAndStdoutAtOnceDoNotDeadlock) {
  std::string data;
  for (int i = 0; data.size() < 4 * 1024 * 1024; ++i) data += "line " + std::to_string(i) + "\n";
  ProcessOptions o;
  o.argv = {"/bin/sh", "-c", "tee /dev/stderr"};
  o.stdin_data = data;
  auto out = MustRun(o);
  EXPECT_EQ(out.exit_code, 0);
  EXPECT_EQ(out.out.size(), data.size());
  EXPECT_TRUE(out.out == data);
  EXPECT_TRUE(out.err == data);
}

TEST(RunProcessTest, BothStreamsLargeAndInterleaved) {
  auto out = MustRun(Sh("yes out | head -c 3000000 & yes err | head -c 3000000 >&2; wait"));
  EXPECT_EQ(out.out.size(), 3000000u);
  EXPECT_EQ(out.err.size(), 3000000u);
}

TEST(RunProcessTest, OutputBeyondTheLimitIsDropped) {
  auto o = Sh("head -c 1000000 /dev/zero; echo done >&2");
  o.max_output = 1000;
  auto out = MustRun(o);
  EXPECT_EQ(out.exit_code, 0);
  EXPECT_EQ(out.out.size(), 1000u);
  EXPECT_TRUE(out.truncated);
  EXPECT_EQ(out.err, "done\n");
}

TEST(RunProcessTest, ChildThatIgnoresStdinDoesNotRaiseSigpipe) {
  ProcessOptions o;
  o.argv = {"/bin/true"};
  o.stdin_data = std::string(4 * 1024 * 1024, 'x');
  auto out = MustRun(o);  // the test binary would die of SIGPIPE otherwise
  EXPECT_EQ(out.exit_code, 0);
}

TEST(RunProcessTest, TimeoutKillsTheChild) {
  auto o = Sh("echo started; sleep 30");
  o.timeout = milliseconds(300);
  auto start = Clock::now();
  auto out = MustRun(o);
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
  EXPECT_TRUE(out.timed_out);
  EXPECT_EQ(out.exit_code, -SIGKILL);
  EXPECT_EQ(out.out, "started\n");
}

TEST(RunProcessTest, TimeoutKillsGrandchildren) {
  auto o = Sh("sleep 30 & echo $!; wait");
  o.timeout = milliseconds(300);
  auto out = MustRun(o);
  ASSERT_TRUE(out.timed_out);
  pid_t grandchild = std::atoi(out.out.c_str());
  ASSERT_GT(grandchild, 0);
  EXPECT_TRUE(ProcessGone(grandchild));
}

TEST(RunProcessTest, StopRequestKillsTheChildAndItsGroup) {
  // The child says it runs through a FIFO; the stop is requested once the test has read it.
  std::string fifo = ::testing::TempDir() + "/stop-fifo-" + std::to_string(::getpid());
  ::unlink(fifo.c_str());
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::stop_source stop;
  auto o = Sh("sleep 30 & echo $! > " + fifo + "; wait");
  o.stop = stop.get_token();
  std::thread stopper([&] {
    std::ifstream in(fifo);  // blocks until the child opens it for writing
    std::string pid;
    std::getline(in, pid);
    stop.request_stop();
  });
  auto out = MustRun(o);
  stopper.join();
  ::unlink(fifo.c_str());
  EXPECT_TRUE(out.cancelled);
  EXPECT_FALSE(out.timed_out);
  EXPECT_EQ(out.exit_code, -SIGKILL);
}

TEST(RunProcessTest, StopRequestedBeforeTheStartRunsNothing) {
  std::string marker = ::testing::TempDir() + "/never-" + std::to_string(::getpid());
  std::stop_source stop;
  stop.request_stop();
  ProcessOptions o;
  o.argv = {"/usr/bin/touch", marker};
  o.stop = stop.get_token();
  auto out = MustRun(o);
  EXPECT_TRUE(out.cancelled);
  EXPECT_FALSE(std::filesystem::exists(marker));
}

TEST(RunProcessTest, GrandchildHoldingThePipeDoesNotBlock) {
  auto start = Clock::now();
  auto out = MustRun(Sh("sleep 5 & echo $!"));
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(3));
  EXPECT_EQ(out.exit_code, 0);
  pid_t grandchild = std::atoi(out.out.c_str());
  ASSERT_GT(grandchild, 0);
  ::kill(grandchild, SIGKILL);
}

TEST(RunProcessTest, NoDescriptorLeaksIntoTheChild) {
  int leaky = ::open("/dev/null", O_RDONLY);  // deliberately without O_CLOEXEC
  ASSERT_GE(leaky, 3);
  auto out = MustRun(Sh("ls /proc/$$/fd"));
  ::close(leaky);
  std::istringstream lines(out.out);
  std::vector<std::string> fds;
  for (std::string l; std::getline(lines, l);) fds.push_back(l);
  EXPECT_EQ(fds, (std::vector<std::string>{"0", "1", "2"})) << out.out;
}

TEST(RunProcessTest, ChildGetsDefaultSignalHandlingAndItsOwnGroup) {
  // With SIGPIPE ignored in the parent, `yes` would complain about a broken pipe.
  auto old = ::signal(SIGPIPE, SIG_IGN);
  auto out = MustRun(Sh("yes | head -n 1"));
  ::signal(SIGPIPE, old);
  EXPECT_EQ(out.out, "y\n");
  EXPECT_EQ(out.err, "");

  out = MustRun(Sh("echo $$; cut -d' ' -f5 /proc/$$/stat"));
  std::istringstream lines(out.out);
  std::string pid, pgrp;
  std::getline(lines, pid);
  std::getline(lines, pgrp);
  EXPECT_EQ(pid, pgrp);
}

TEST(RunProcessTest, ManyThreadsAtOnce) {
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([t, &failures] {
      for (int i = 0; i < 20; ++i) {
        std::string word = "t" + std::to_string(t) + "i" + std::to_string(i);
        ProcessOptions o;
        o.argv = {"/bin/sh", "-c", "cat; echo \"$0\" >&2", word};
        o.stdin_data = word;
        auto r = RunProcess(o);
        if (!r.ok() || r->out != word || r->err != word + "\n" || r->exit_code != 0) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

// ---------------------------------------------------------------------------- FindExecutable

TEST(FindExecutableTest, SearchesPath) {
  TempDir dir;
  std::string exe = dir.path() + "/tool";
  std::string plain = dir.path() + "/notexec";
  std::ofstream(exe) << "#!/bin/sh\n";
  std::ofstream(plain) << "data\n";
  ::chmod(exe.c_str(), 0755);
  ::chmod(plain.c_str(), 0644);
  std::filesystem::create_directory(dir.path() + "/adir");

  std::string path = "/nonexistent:" + dir.path();
  auto r = FindExecutable("tool", path);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, exe);
  EXPECT_EQ(FindExecutable("notexec", path).status().code(), Status::Code::kNotFound);
  EXPECT_EQ(FindExecutable("adir", path).status().code(), Status::Code::kNotFound);
  EXPECT_EQ(FindExecutable("missing", path).status().message(), "missing: command not found");
  EXPECT_EQ(*FindExecutable(exe, ""), exe);
  EXPECT_FALSE(FindExecutable(plain, "").ok());
  EXPECT_FALSE(FindExecutable("", path).ok());
}

TEST(FindExecutableTest, UsesTheParentsPath) {
  auto r = FindExecutable("sh");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->back(), 'h');
  EXPECT_FALSE(FindExecutable("berth-no-such-command-xyz").ok());
}

// ------------------------------------------------------------------------------ ChildProcess

SpawnOptions ShSpawn(const std::string& script) {
  SpawnOptions o;
  o.argv = {"/bin/sh", "-c", script};
  return o;
}

TEST(ChildProcessTest, WaitReturnsTheExitCode) {
  auto child = ChildProcess::Spawn(ShSpawn("exit 7"));
  ASSERT_TRUE(child.ok()) << child.status().ToString();
  EXPECT_GT(child->pid(), 0);
  EXPECT_EQ(*child->Wait(), 7);
  EXPECT_TRUE(child->exited());
  EXPECT_EQ(*child->Wait(), 7);
  EXPECT_EQ(child->Signal(SIGTERM).code(), Status::Code::kFailedPrecondition);
}

TEST(ChildProcessTest, StdoutPipeWithStderrMerged) {
  auto o = ShSpawn("echo one; echo two >&2; echo three");
  o.stdout_to = Redirect::Pipe();
  o.stderr_to = Redirect::ToStdout();
  auto child = ChildProcess::Spawn(o);
  ASSERT_TRUE(child.ok()) << child.status().ToString();
  int fd = child->TakeStdout();
  ASSERT_GE(fd, 0);
  EXPECT_EQ(child->TakeStdout(), -1);
  EXPECT_EQ(child->TakeStderr(), -1);
  EXPECT_EQ(ReadAll(fd), "one\ntwo\nthree\n");
  ::close(fd);
  EXPECT_EQ(*child->Wait(), 0);
}

TEST(ChildProcessTest, StdinAndStderrPipes) {
  SpawnOptions o;
  o.argv = {"/bin/sh", "-c", "cat >&2"};
  o.stdin_from = Redirect::Pipe();
  o.stderr_to = Redirect::Pipe();
  auto child = ChildProcess::Spawn(o);
  ASSERT_TRUE(child.ok()) << child.status().ToString();
  int in = child->TakeStdin();
  int err = child->TakeStderr();
  ASSERT_GE(in, 0);
  ASSERT_GE(err, 0);
  ASSERT_EQ(::write(in, "abc", 3), 3);
  ::close(in);
  EXPECT_EQ(ReadAll(err), "abc");
  ::close(err);
  EXPECT_EQ(*child->Wait(), 0);
}

TEST(ChildProcessTest, FileRedirectAppends) {
  TempDir dir;
  std::string log = dir.path() + "/out.log";
  for (const char* word : {"first", "second"}) {
    auto o = ShSpawn(std::string("echo ") + word + "; echo " + word + "-err >&2");
    o.stdout_to = Redirect::File(log);
    o.stderr_to = Redirect::ToStdout();
    auto child = ChildProcess::Spawn(o);
    ASSERT_TRUE(child.ok()) << child.status().ToString();
    EXPECT_EQ(*child->Wait(), 0);
  }
  std::ifstream in(log);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), "first\nfirst-err\nsecond\nsecond-err\n");

  auto o = ShSpawn("true");
  o.stdout_to = Redirect::File(dir.path() + "/no/such/dir/log");
  auto bad = ChildProcess::Spawn(o);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Status::Code::kIOError);
}

TEST(ChildProcessTest, NullRedirects) {
  auto o = ShSpawn("cat; echo visible-only-if-inherited");
  o.stdin_from = Redirect::Null();
  o.stdout_to = Redirect::Null();
  o.stderr_to = Redirect::Null();
  auto child = ChildProcess::Spawn(o);
  ASSERT_TRUE(child.ok());
  EXPECT_EQ(*child->Wait(), 0);  // cat saw EOF at once
}

TEST(ChildProcessTest, SignalAndWaitFor) {
  auto child = ChildProcess::Spawn(ShSpawn("exec sleep 30"));
  ASSERT_TRUE(child.ok());
  auto early = child->WaitFor(milliseconds(50));
  ASSERT_TRUE(early.ok());
  EXPECT_FALSE(early->has_value());
  ASSERT_TRUE(child->Signal(SIGTERM).ok());
  auto done = child->WaitFor(milliseconds(5000));
  ASSERT_TRUE(done.ok());
  ASSERT_TRUE(done->has_value());
  EXPECT_EQ(**done, -SIGTERM);
}

TEST(ChildProcessTest, DestructorKillsTheWholeGroup) {
  pid_t child_pid = -1;
  pid_t grandchild = -1;
  {
    auto o = ShSpawn("sleep 30 & echo $!; wait");
    o.stdout_to = Redirect::Pipe();
    auto child = ChildProcess::Spawn(o);
    ASSERT_TRUE(child.ok());
    child_pid = child->pid();
    int fd = child->TakeStdout();
    grandchild = std::atoi(ReadLine(fd).c_str());
    ::close(fd);
    ASSERT_GT(grandchild, 0);
  }
  EXPECT_TRUE(ProcessGone(child_pid));
  EXPECT_TRUE(ProcessGone(grandchild));
}

TEST(ChildProcessTest, ReleaseLetsTheChildRun) {
  pid_t pid = -1;
  {
    auto child = ChildProcess::Spawn(ShSpawn("exec sleep 30"));
    ASSERT_TRUE(child.ok());
    pid = child->Release();
    EXPECT_EQ(child->Wait().status().code(), Status::Code::kFailedPrecondition);
  }
  EXPECT_EQ(::kill(pid, 0), 0);
  ::kill(pid, SIGKILL);
  int status = 0;
  EXPECT_EQ(::waitpid(pid, &status, 0), pid);
}

TEST(ChildProcessTest, MoveTransfersOwnership) {
  auto child = ChildProcess::Spawn(ShSpawn("exit 4"));
  ASSERT_TRUE(child.ok());
  ChildProcess moved = std::move(child).value();
  EXPECT_EQ(*moved.Wait(), 4);
}

TEST(ChildProcessTest, UnknownProgram) {
  SpawnOptions o;
  o.argv = {"berth-no-such-command-xyz"};
  auto child = ChildProcess::Spawn(o);
  ASSERT_FALSE(child.ok());
  EXPECT_EQ(child.status().message(), "berth-no-such-command-xyz: command not found");
}

}  // namespace
}  // namespace berth
