// Running other programs: RunProcess for a command that finishes (captures its output), and
// ChildProcess for a long-running child (a test server, a streaming `logs --follow`).
//
// Both spawn with posix_spawn (safe in a multi-threaded parent: no code of ours runs between
// fork and exec), put the child in its own process group (so a kill reaches grandchildren),
// reset signal dispositions and the signal mask in the child, and leak no descriptor into it:
// every fd Berth opens is O_CLOEXEC, and descriptors 3 and up are closed in the child.
// Arguments go to the program as they are (argv, never a shell).
//
// Reaping: both wait for their own child by pid. Nothing else in the process may reap children
// it did not spawn (no waitpid(-1) loop, no SIGCHLD set to SIG_IGN).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <optional>
#include <stop_token>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"

namespace berth {

// What to run and how (for RunProcess and CommandRunner).
struct ProcessOptions {
  // argv[0] is the program: a path if it contains '/', else looked up in PATH (the PATH of
  // `env` if it sets one, else the parent's).
  std::vector<std::string> argv;
  // Extra KEY=VALUE entries over the parent's environment (a KEY here replaces the parent's).
  std::vector<std::string> env;
  // Working directory of the child; empty = the parent's.
  std::string cwd;
  // Written to the child's stdin, which is then closed. Empty: stdin is /dev/null.
  std::string stdin_data;
  // 0 = no limit. On expiry the child's whole process group gets SIGKILL.
  std::chrono::milliseconds timeout{0};
  // A stop request kills the child's whole process group (SIGKILL, as on timeout) and sets
  // ProcessOutput::cancelled; requested before the start, the command is not started at all.
  std::stop_token stop;
  // Bytes kept per stream; the rest is read and dropped (the child never blocks on a full
  // pipe) and ProcessOutput::truncated is set.
  size_t max_output = 16 * 1024 * 1024;
  // Send stderr into the same pipe as stdout: `out` then holds both, in the order written,
  // and `err` stays empty.
  bool merge_stderr = false;
};

struct ProcessOutput {
  int exit_code = 0;       // the exit status, or -N if the child was killed by signal N
  bool timed_out = false;  // the timeout expired and the child was killed (exit_code -9)
  bool cancelled = false;  // ProcessOptions::stop was requested: killed (-9) or never started
  bool truncated = false;  // some output went past max_output and was dropped
  std::string out;
  std::string err;
};

// Runs a command to completion, capturing stdout and stderr (read with poll, so neither pipe
// can fill up and deadlock; stdin is written at the same time). Thread-safe.
//
// Returns the output whatever the exit code; a non-zero exit or a timeout is not an error here
// (see ProcessOutput). Returns an error Status only when the command could not be run at all:
// NotFound "podman: command not found" when argv[0] is not found, InvalidArgument for an empty
// argv, IOError for a failed pipe/spawn/cwd.
//
// Once the child has exited, output still in the pipes is read; a grandchild that keeps the
// pipes open (a daemon it left behind) does not make RunProcess wait for it.
Result<ProcessOutput> RunProcess(const ProcessOptions& options);

// Looks `name` up like a shell does: a name containing '/' is checked as a path; otherwise the
// first executable regular file named `name` in the directories of `path_env` (":"-separated;
// an empty entry means the current directory). Returns the path found, or NotFound
// "<name>: command not found".
Result<std::string> FindExecutable(const std::string& name, const std::string& path_env);
// As above with the parent's PATH (a default system PATH if unset).
Result<std::string> FindExecutable(const std::string& name);

// Where one of a child's standard streams goes.
struct Redirect {
  enum class Kind {
    kInherit,   // the parent's own descriptor
    kNull,      // /dev/null
    kFile,      // `path`: opened for append (created 0644) for output, read for stdin
    kPipe,      // a pipe; the parent's end is taken with ChildProcess::Take*()
    kToStdout,  // stderr only: the same place as stdout (2>&1)
  };
  Kind kind = Kind::kInherit;
  std::string path;

  static Redirect Inherit() { return {Kind::kInherit, {}}; }
  static Redirect Null() { return {Kind::kNull, {}}; }
  static Redirect File(std::string path) { return {Kind::kFile, std::move(path)}; }
  static Redirect Pipe() { return {Kind::kPipe, {}}; }
  static Redirect ToStdout() { return {Kind::kToStdout, {}}; }
};

struct SpawnOptions {
  std::vector<std::string> argv;  // as ProcessOptions::argv
  std::vector<std::string> env;   // as ProcessOptions::env
  std::string cwd;                // as ProcessOptions::cwd
  Redirect stdin_from = Redirect::Null();
  Redirect stdout_to = Redirect::Inherit();
  Redirect stderr_to = Redirect::Inherit();
};

// A long-running child process, owned by this object. Move-only and not thread-safe: use one
// object from one thread at a time (or guard it).
//
// The destructor of a child still running (not waited for, not Release()d) sends SIGKILL to its
// process group and reaps it, so a test or a dropped stream never leaves a process behind.
class ChildProcess {
 public:
  // Starts the child. Errors as RunProcess (NotFound for an unknown program), plus IOError when
  // a redirect file cannot be opened.
  static Result<ChildProcess> Spawn(const SpawnOptions& options);

  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  // Whether the child has been reaped by Wait/WaitFor.
  bool exited() const { return exit_code_.has_value(); }

  // The parent's end of a kPipe redirect; the caller owns it (close it, or hand it to an
  // asio stream_descriptor). O_CLOEXEC, blocking. -1 if not a pipe or already taken.
  int TakeStdin();
  int TakeStdout();
  int TakeStderr();

  // Sends `sig` to the child's process group (the child and what it started that stayed in
  // the group). FailedPrecondition once the child has been reaped or released.
  Status Signal(int sig);

  // Blocks until the child exits; returns its exit code (-N if killed by signal N). Repeated
  // calls return the same code. FailedPrecondition after Release().
  Result<int> Wait();
  // As Wait, but gives up after `timeout`: std::nullopt if the child is still running.
  Result<std::optional<int>> WaitFor(std::chrono::milliseconds timeout);

  // Lets the child run on: the destructor neither kills nor reaps it. Pipe ends not taken are
  // closed. Returns the pid.
  pid_t Release();

 private:
  ChildProcess() = default;
  void CloseFds();
  void KillAndReap();

  pid_t pid_ = -1;
  int pidfd_ = -1;  // for WaitFor; -1 when the kernel has no pidfd_open
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  int stderr_fd_ = -1;
  std::optional<int> exit_code_;
};

}  // namespace berth
