#include "base/process.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <stop_token>
#include <utility>

extern char** environ;

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434  // the same number on every architecture Berth builds for
#endif

namespace berth {

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kDefaultPath = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin";
// How long to keep reading after the child exited when a grandchild still holds a pipe open.
constexpr std::chrono::milliseconds kDrainAfterExit{100};
// Poll tick used to notice the child's exit when the kernel has no pidfd_open.
constexpr std::chrono::milliseconds kExitPollTick{10};

std::string ErrnoText(int err) { return std::strerror(err); }

// Owns one file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      Reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  ~Fd() { Reset(); }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int Release() { return std::exchange(fd_, -1); }
  void Reset() {
    if (fd_ >= 0) ::close(fd_);  // close() is not retried on EINTR on Linux
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

Status MakePipe(Fd* read_end, Fd* write_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Status::IOError("pipe: " + ErrnoText(errno));
  *read_end = Fd(fds[0]);
  *write_end = Fd(fds[1]);
  return Status::Ok();
}

void SetNonBlocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

int DecodeWaitStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  return -1;
}

// waitpid that retries on EINTR. Returns the pid, 0 (WNOHANG, still running) or -1.
pid_t WaitPid(pid_t pid, int* status, int flags) {
  for (;;) {
    pid_t r = ::waitpid(pid, status, flags);
    if (r >= 0 || errno != EINTR) return r;
  }
}

int OpenPidFd(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

std::string_view EnvKey(std::string_view entry) { return entry.substr(0, entry.find('=')); }

// The parent's environment with `overrides` applied: "K=V" sets K, a bare "K" removes it.
std::vector<std::string> MergeEnv(const std::vector<std::string>& overrides) {
  std::vector<std::string> result;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    bool replaced = false;
    for (const auto& o : overrides) {
      if (EnvKey(o) == EnvKey(entry)) {
        replaced = true;
        break;
      }
    }
    if (!replaced) result.emplace_back(entry);
  }
  for (const auto& o : overrides) {
    if (o.find('=') != std::string::npos) result.push_back(o);
  }
  return result;
}

std::string PathFor(const std::vector<std::string>& env) {
  for (const auto& e : env) {
    if (e.rfind("PATH=", 0) == 0) return e.substr(5);
  }
  return kDefaultPath;
}

std::vector<char*> CStrings(const std::vector<std::string>& v) {
  std::vector<char*> out;
  out.reserve(v.size() + 1);
  for (const auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

// The descriptors the child gets as 0, 1, 2; -1 leaves the parent's own in place.
struct ChildStdio {
  int in = -1;
  int out = -1;
  int err = -1;
};

// RAII wrappers for the posix_spawn attribute objects.
struct SpawnActions {
  posix_spawn_file_actions_t fa;
  SpawnActions() { posix_spawn_file_actions_init(&fa); }
  ~SpawnActions() { posix_spawn_file_actions_destroy(&fa); }
};
struct SpawnAttr {
  posix_spawnattr_t attr;
  SpawnAttr() { posix_spawnattr_init(&attr); }
  ~SpawnAttr() { posix_spawnattr_destroy(&attr); }
};

// Starts argv with the given stdio, in a new process group, with default signal handling and
// only descriptors 0-2 open. Descriptors in `stdio` stay owned by the caller.
Result<pid_t> SpawnChild(const std::vector<std::string>& argv,
                         const std::vector<std::string>& env_overrides, const std::string& cwd,
                         ChildStdio stdio) {
  if (argv.empty() || argv[0].empty()) {
    return Status::InvalidArgument("cannot run a command: empty argv");
  }
  std::vector<std::string> env = MergeEnv(env_overrides);
  BERTH_ASSIGN_OR_RETURN(std::string program, FindExecutable(argv[0], PathFor(env)));

  // A source descriptor below 3 could be overwritten by an earlier dup2 onto 0-2; move such
  // descriptors above 2 first (the copies are O_CLOEXEC and closed after the spawn).
  std::vector<Fd> copies;
  auto above_two = [&copies](int fd, int target) -> Result<int> {
    if (fd < 0 || fd == target || fd > 2) return fd;
    int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
    if (copy < 0) return Status::IOError("dup: " + ErrnoText(errno));
    copies.emplace_back(copy);
    return copy;
  };
  BERTH_ASSIGN_OR_RETURN(stdio.in, above_two(stdio.in, 0));
  BERTH_ASSIGN_OR_RETURN(stdio.out, above_two(stdio.out, 1));
  BERTH_ASSIGN_OR_RETURN(stdio.err, above_two(stdio.err, 2));

  SpawnActions actions;
  const int targets[3] = {0, 1, 2};
  const int sources[3] = {stdio.in, stdio.out, stdio.err};
  for (int i = 0; i < 3; ++i) {
    // dup2 onto itself would keep O_CLOEXEC; the parent's own 0-2 are left alone instead.
    if (sources[i] >= 0 && sources[i] != targets[i]) {
      posix_spawn_file_actions_adddup2(&actions.fa, sources[i], targets[i]);
    }
  }
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
  // Descriptors other threads opened without O_CLOEXEC must not reach the child either.
  posix_spawn_file_actions_addclosefrom_np(&actions.fa, 3);
#endif
  if (!cwd.empty()) {
    struct stat st;
    if (::stat(cwd.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return Status::NotFound(fmt::format("{}: working directory {} does not exist", argv[0], cwd));
    }
    posix_spawn_file_actions_addchdir_np(&actions.fa, cwd.c_str());
  }

  SpawnAttr attr;
  sigset_t no_signals;
  sigemptyset(&no_signals);
  sigset_t all_signals;
  sigfillset(&all_signals);
  sigdelset(&all_signals, SIGKILL);
  sigdelset(&all_signals, SIGSTOP);
  posix_spawnattr_setsigmask(&attr.attr, &no_signals);
  posix_spawnattr_setsigdefault(&attr.attr, &all_signals);
  posix_spawnattr_setpgroup(&attr.attr, 0);
  posix_spawnattr_setflags(&attr.attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<char*> c_argv = CStrings(argv);
  std::vector<char*> c_env = CStrings(env);
  pid_t pid = -1;
  int rc =
      ::posix_spawn(&pid, program.c_str(), &actions.fa, &attr.attr, c_argv.data(), c_env.data());
  if (rc == ENOENT) return Status::NotFound(argv[0] + ": command not found");
  if (rc == EACCES) return Status::InvalidArgument(argv[0] + ": permission denied");
  if (rc != 0) return Status::IOError(fmt::format("cannot run {}: {}", argv[0], ErrnoText(rc)));
  return pid;
}

// Reads what is available on `fd` into `sink` (up to `limit` bytes kept). Returns false at EOF
// or on an error, when the descriptor should be closed.
bool ReadAvailable(int fd, std::string* sink, size_t limit, bool* truncated) {
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      size_t room = sink->size() < limit ? limit - sink->size() : 0;
      size_t keep = std::min(room, static_cast<size_t>(n));
      sink->append(buf, keep);
      if (keep < static_cast<size_t>(n)) *truncated = true;
      continue;
    }
    if (n == 0) return false;
    if (errno == EINTR) continue;
    return errno == EAGAIN || errno == EWOULDBLOCK;
  }
}

// Blocks SIGPIPE for the calling thread while alive, so writing to a child that closed its stdin
// gives EPIPE instead of killing the server; a SIGPIPE raised meanwhile is discarded.
class ScopedSigpipeBlock {
 public:
  ScopedSigpipeBlock() {
    sigemptyset(&pipe_set_);
    sigaddset(&pipe_set_, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_set_, &old_);
  }
  ~ScopedSigpipeBlock() {
    if (!was_pending_) {
      sigset_t pending;
      sigpending(&pending);
      if (sigismember(&pending, SIGPIPE) == 1) {
        struct timespec zero = {0, 0};
        while (sigtimedwait(&pipe_set_, nullptr, &zero) < 0 && errno == EINTR) {
        }
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }

 private:
  sigset_t pipe_set_;
  sigset_t old_;
  bool was_pending_ = false;
};

void KillGroup(pid_t pid) {
  ::kill(-pid, SIGKILL);
  ::kill(pid, SIGKILL);  // in case it left its group
}

int RemainingMs(Clock::time_point deadline, Clock::time_point now) {
  if (deadline <= now) return 0;
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(deadline - now).count();
  return ms > 60000 ? 60000 : static_cast<int>(ms);
}

}  // namespace

Result<std::string> FindExecutable(const std::string& name, const std::string& path_env) {
  if (name.empty()) return Status::InvalidArgument("empty command name");
  auto is_executable = [](const std::string& path) {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
           ::access(path.c_str(), X_OK) == 0;
  };
  if (name.find('/') != std::string::npos) {
    if (is_executable(name)) return name;
    return Status::NotFound(name + ": command not found");
  }
  size_t start = 0;
  for (;;) {
    size_t end = path_env.find(':', start);
    std::string dir = path_env.substr(start, end == std::string::npos ? end : end - start);
    std::string candidate = dir.empty() ? name : dir + "/" + name;
    if (is_executable(candidate)) return dir.empty() ? "./" + name : candidate;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return Status::NotFound(name + ": command not found");
}

Result<std::string> FindExecutable(const std::string& name) {
  const char* path = ::getenv("PATH");
  return FindExecutable(name, path != nullptr ? path : kDefaultPath);
}

Result<ProcessOutput> RunProcess(const ProcessOptions& options) {
  if (options.stop.stop_requested()) {
    ProcessOutput cancelled;
    cancelled.exit_code = -SIGKILL;
    cancelled.cancelled = true;
    return cancelled;
  }
  Fd out_r, out_w, err_r, err_w, in_r, in_w, null_in;
  BERTH_RETURN_IF_ERROR(MakePipe(&out_r, &out_w));
  if (!options.merge_stderr) BERTH_RETURN_IF_ERROR(MakePipe(&err_r, &err_w));
  ChildStdio stdio;
  if (options.stdin_data.empty()) {
    null_in = Fd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (!null_in.valid()) return Status::IOError("open /dev/null: " + ErrnoText(errno));
    stdio.in = null_in.get();
  } else {
    BERTH_RETURN_IF_ERROR(MakePipe(&in_r, &in_w));
    stdio.in = in_r.get();
  }
  stdio.out = out_w.get();
  stdio.err = options.merge_stderr ? out_w.get() : err_w.get();

  BERTH_ASSIGN_OR_RETURN(pid_t pid, SpawnChild(options.argv, options.env, options.cwd, stdio));
  // The child has its copies; ours must go so EOF arrives when the child closes its ends.
  out_w.Reset();
  err_w.Reset();
  in_r.Reset();
  null_in.Reset();
  Fd pidfd(OpenPidFd(pid));
  // A stop request wakes the poll below through a pipe: no polling for it.
  Fd stop_r, stop_w;
  auto wake = [&stop_w] { [[maybe_unused]] ssize_t w = ::write(stop_w.get(), "x", 1); };
  std::optional<std::stop_callback<decltype(wake)>> on_stop;
  if (options.stop.stop_possible() && MakePipe(&stop_r, &stop_w).ok()) {
    SetNonBlocking(stop_w.get());
    on_stop.emplace(options.stop, wake);
  }

  std::optional<ScopedSigpipeBlock> sigpipe_block;
  if (in_w.valid()) {
    sigpipe_block.emplace();
    SetNonBlocking(in_w.get());
  }
  SetNonBlocking(out_r.get());
  if (err_r.valid()) SetNonBlocking(err_r.get());

  ProcessOutput result;
  const auto start = Clock::now();
  const bool has_deadline = options.timeout.count() > 0;
  const auto deadline = start + options.timeout;
  size_t written = 0;
  bool exited = false;
  Clock::time_point drain_deadline;

  auto reap = [&](int flags) {
    int status = 0;
    if (WaitPid(pid, &status, flags) == pid) {
      exited = true;
      result.exit_code = DecodeWaitStatus(status);
      drain_deadline = Clock::now() + kDrainAfterExit;
      in_w.Reset();  // nobody left to read it
    }
  };

  for (;;) {
    if (exited && !out_r.valid() && !err_r.valid()) break;
    auto now = Clock::now();
    if (exited && now >= drain_deadline) break;
    if (!exited && has_deadline && now >= deadline) {
      KillGroup(pid);
      result.timed_out = true;
      reap(0);
      continue;
    }
    if (!exited && options.stop.stop_requested()) {
      KillGroup(pid);
      result.cancelled = true;
      reap(0);
      continue;
    }

    pollfd fds[5];
    int n = 0;
    int out_i = -1, err_i = -1, in_i = -1, pid_i = -1;
    if (out_r.valid()) fds[out_i = n++] = {out_r.get(), POLLIN, 0};
    if (err_r.valid()) fds[err_i = n++] = {err_r.get(), POLLIN, 0};
    if (in_w.valid()) fds[in_i = n++] = {in_w.get(), POLLOUT, 0};
    if (!exited && pidfd.valid()) fds[pid_i = n++] = {pidfd.get(), POLLIN, 0};
    if (!exited && stop_r.valid()) fds[n++] = {stop_r.get(), POLLIN, 0};  // checked above

    int wait_ms = -1;
    if (exited) wait_ms = RemainingMs(drain_deadline, now);
    if (!exited && has_deadline) wait_ms = RemainingMs(deadline, now);
    if (!exited && !pidfd.valid()) {
      int tick = static_cast<int>(kExitPollTick.count());
      wait_ms = wait_ms < 0 ? tick : std::min(wait_ms, tick);
    }
    int rc = ::poll(fds, n, wait_ms);
    if (rc < 0) {
      if (errno == EINTR) continue;
      KillGroup(pid);
      reap(0);
      return Status::IOError("poll: " + ErrnoText(errno));
    }
    if (out_i >= 0 && fds[out_i].revents != 0 &&
        !ReadAvailable(out_r.get(), &result.out, options.max_output, &result.truncated)) {
      out_r.Reset();
    }
    if (err_i >= 0 && fds[err_i].revents != 0 &&
        !ReadAvailable(err_r.get(), &result.err, options.max_output, &result.truncated)) {
      err_r.Reset();
    }
    if (in_i >= 0 && fds[in_i].revents != 0) {
      const std::string& data = options.stdin_data;
      ssize_t w = ::write(in_w.get(), data.data() + written, data.size() - written);
      if (w > 0) written += static_cast<size_t>(w);
      if ((w < 0 && errno != EINTR && errno != EAGAIN) || written == data.size()) in_w.Reset();
    }
    if (!exited && (pid_i < 0 || fds[pid_i].revents != 0)) reap(WNOHANG);
  }
  if (!exited) reap(0);  // unreachable in practice; never leave a zombie
  return result;
}

// ---------------------------------------------------------------------------------------------
// ChildProcess

Result<ChildProcess> ChildProcess::Spawn(const SpawnOptions& options) {
  ChildProcess child;
  Fd in_child, out_child, err_child;  // the child's ends, closed after the spawn
  Fd in_parent, out_parent, err_parent;

  auto open_file = [](const std::string& path, int flags) -> Result<Fd> {
    Fd fd(::open(path.c_str(), flags | O_CLOEXEC, 0644));
    if (!fd.valid()) return Status::IOError(fmt::format("open {}: {}", path, ErrnoText(errno)));
    return fd;
  };
  // Sets up one stream; `for_input` tells the direction. Returns the fd for the child, -1 to
  // inherit.
  auto setup = [&](const Redirect& r, bool for_input, Fd* child_end,
                   Fd* parent_end) -> Result<int> {
    switch (r.kind) {
      case Redirect::Kind::kInherit:
      case Redirect::Kind::kToStdout:
        return -1;
      case Redirect::Kind::kNull: {
        BERTH_ASSIGN_OR_RETURN(*child_end, open_file("/dev/null", for_input ? O_RDONLY : O_WRONLY));
        return child_end->get();
      }
      case Redirect::Kind::kFile: {
        int flags = for_input ? O_RDONLY : (O_WRONLY | O_CREAT | O_APPEND);
        BERTH_ASSIGN_OR_RETURN(*child_end, open_file(r.path, flags));
        return child_end->get();
      }
      case Redirect::Kind::kPipe: {
        if (for_input) {
          BERTH_RETURN_IF_ERROR(MakePipe(child_end, parent_end));
        } else {
          BERTH_RETURN_IF_ERROR(MakePipe(parent_end, child_end));
        }
        return child_end->get();
      }
    }
    return -1;
  };
  if (options.stdin_from.kind == Redirect::Kind::kToStdout ||
      options.stdout_to.kind == Redirect::Kind::kToStdout) {
    return Status::InvalidArgument("Redirect::ToStdout() is only for stderr");
  }
  ChildStdio stdio;
  BERTH_ASSIGN_OR_RETURN(stdio.in, setup(options.stdin_from, true, &in_child, &in_parent));
  BERTH_ASSIGN_OR_RETURN(stdio.out, setup(options.stdout_to, false, &out_child, &out_parent));
  BERTH_ASSIGN_OR_RETURN(stdio.err, setup(options.stderr_to, false, &err_child, &err_parent));
  if (options.stderr_to.kind == Redirect::Kind::kToStdout)
    stdio.err = stdio.out < 0 ? 1 : stdio.out;

  BERTH_ASSIGN_OR_RETURN(child.pid_, SpawnChild(options.argv, options.env, options.cwd, stdio));
  child.pidfd_ = OpenPidFd(child.pid_);
  child.stdin_fd_ = in_parent.Release();
  child.stdout_fd_ = out_parent.Release();
  child.stderr_fd_ = err_parent.Release();
  return child;
}

ChildProcess::ChildProcess(ChildProcess&& o) noexcept
    : pid_(std::exchange(o.pid_, -1)),
      pidfd_(std::exchange(o.pidfd_, -1)),
      stdin_fd_(std::exchange(o.stdin_fd_, -1)),
      stdout_fd_(std::exchange(o.stdout_fd_, -1)),
      stderr_fd_(std::exchange(o.stderr_fd_, -1)),
      exit_code_(std::exchange(o.exit_code_, std::nullopt)) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& o) noexcept {
  if (this != &o) {
    KillAndReap();
    CloseFds();
    pid_ = std::exchange(o.pid_, -1);
    pidfd_ = std::exchange(o.pidfd_, -1);
    stdin_fd_ = std::exchange(o.stdin_fd_, -1);
    stdout_fd_ = std::exchange(o.stdout_fd_, -1);
    stderr_fd_ = std::exchange(o.stderr_fd_, -1);
    exit_code_ = std::exchange(o.exit_code_, std::nullopt);
  }
  return *this;
}

ChildProcess::~ChildProcess() {
  KillAndReap();
  CloseFds();
}

void ChildProcess::KillAndReap() {
  if (pid_ > 0 && !exit_code_.has_value()) {
    KillGroup(pid_);
    int status = 0;
    WaitPid(pid_, &status, 0);
    exit_code_ = DecodeWaitStatus(status);
  }
}

void ChildProcess::CloseFds() {
  for (int* fd : {&pidfd_, &stdin_fd_, &stdout_fd_, &stderr_fd_}) {
    if (*fd >= 0) ::close(*fd);
    *fd = -1;
  }
}

int ChildProcess::TakeStdin() { return std::exchange(stdin_fd_, -1); }
int ChildProcess::TakeStdout() { return std::exchange(stdout_fd_, -1); }
int ChildProcess::TakeStderr() { return std::exchange(stderr_fd_, -1); }

Status ChildProcess::Signal(int sig) {
  if (pid_ <= 0) return Status::FailedPrecondition("no child process");
  if (exit_code_.has_value()) {
    return Status::FailedPrecondition(fmt::format("process {} has already exited", pid_));
  }
  if (::kill(-pid_, sig) != 0 && ::kill(pid_, sig) != 0) {
    return Status::IOError(fmt::format("kill {}: {}", pid_, ErrnoText(errno)));
  }
  return Status::Ok();
}

Result<int> ChildProcess::Wait() {
  if (exit_code_.has_value()) return *exit_code_;
  if (pid_ <= 0) return Status::FailedPrecondition("no child process");
  int status = 0;
  if (WaitPid(pid_, &status, 0) != pid_) {
    return Status::IOError(fmt::format("waitpid {}: {}", pid_, ErrnoText(errno)));
  }
  exit_code_ = DecodeWaitStatus(status);
  return *exit_code_;
}

Result<std::optional<int>> ChildProcess::WaitFor(std::chrono::milliseconds timeout) {
  if (exit_code_.has_value()) return std::optional<int>(*exit_code_);
  if (pid_ <= 0) return Status::FailedPrecondition("no child process");
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    int status = 0;
    pid_t r = WaitPid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exit_code_ = DecodeWaitStatus(status);
      return std::optional<int>(*exit_code_);
    }
    if (r < 0) return Status::IOError(fmt::format("waitpid {}: {}", pid_, ErrnoText(errno)));
    auto now = Clock::now();
    if (now >= deadline) return std::optional<int>();
    int wait_ms = RemainingMs(deadline, now);
    if (pidfd_ >= 0) {
      pollfd p = {pidfd_, POLLIN, 0};
      ::poll(&p, 1, wait_ms);  // EINTR or readiness: loop and check again
    } else {
      ::poll(nullptr, 0, std::min(wait_ms, static_cast<int>(kExitPollTick.count())));
    }
  }
}

pid_t ChildProcess::Release() {
  pid_t pid = pid_;
  CloseFds();
  pid_ = -1;
  return pid;
}

}  // namespace berth
