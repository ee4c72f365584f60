// End-to-end test harness: a real `berth server` on a temporary home with free ports, a real
// backend, and real clients (curl, a WebSocket client), all as child processes.
#pragma once

#include <signal.h>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/process.h"
#include "base/status.h"

namespace berth::testing {

// A fresh directory under /tmp, removed by nothing: tests leave it for post-mortems.
std::string MakeTempDir(const std::string& prefix);

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs a command to completion (120 s limit).
CommandResult RunCommand(const std::vector<std::string>& argv,
                         const std::vector<std::string>& env = {},
                         std::chrono::seconds timeout = std::chrono::seconds(120));

// Path of a file in tests/support.
std::string SupportFile(const std::string& name);

// Waits until `pred` holds, checking every 10 ms; false after `timeout`.
bool WaitFor(const std::function<bool()>& pred, std::chrono::milliseconds timeout);

class BerthServer {
 public:
  // `extra_toml` is appended to the generated berth.toml (which sets both ports to 0).
  explicit BerthServer(std::string extra_toml = "", std::string home = "");
  ~BerthServer();

  // Starts the server and waits until it serves (run/server.json appears).
  Status Start();
  // Sends `sig` and waits for the exit; returns the exit code.
  int Stop(int sig = SIGTERM);
  // Starts another server on the same home and returns its result (it should refuse).
  CommandResult StartAnotherOnSameHome();

  // Extra KEY=VALUE entries for the server's environment at the next Start().
  void set_env(std::vector<std::string> env) { env_ = std::move(env); }

  // Runs the berth CLI against this server.
  CommandResult Cli(const std::vector<std::string>& args) const;
  // Runs the berth CLI with `input` on its stdin.
  CommandResult CliWithInput(const std::vector<std::string>& args, const std::string& input) const;
  // `berth app create --approve ARGS...`.
  CommandResult CreateApp(const std::vector<std::string>& args) const;
  // The id of the app at `path` (from `app list -f json`), "" when there is none.
  std::string AppId(const std::string& path) const;

  const std::string& home() const { return home_; }
  int http_port() const { return http_port_; }
  int https_port() const { return https_port_; }
  std::string log() const;  // server stdout/stderr so far plus the log file
  pid_t pid() const { return child_ ? child_->pid() : -1; }

 private:
  std::string home_;
  std::vector<std::string> env_;
  std::optional<ChildProcess> child_;
  int http_port_ = -1;
  int https_port_ = -1;
};

// tests/support/backend.py on a free port.
class Backend {
 public:
  Backend();
  Status Start();
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  const std::string& marker_dir() const { return marker_dir_; }

 private:
  std::optional<ChildProcess> child_;
  int port_ = -1;
  std::string marker_dir_;
};

// curl with -s and the given args; `--resolve`-free: pass Host headers or use 127.0.0.1.
CommandResult Curl(const std::vector<std::string>& args);

// A TCP port nothing listens on (bound then released).
int UnusedPort();

// Writes a file, creating its folder; a failure fails the current test.
void WriteTestFile(const std::string& path, const std::string& content, int mode = 0644);

// Writes `files` (name -> content; names may have folders) into a new temp folder with the
// given mode and returns its path.
std::string WriteAppDir(const std::map<std::string, std::string>& files, int mode = 0644);

// True when BERTH_REQUIRE_ENGINES (scripts/test.sh sets it) names `engine`: a missing engine
// then fails the tests that need it, because a skip would hide a broken test environment.
bool EngineRequired(const std::string& engine);

}  // namespace berth::testing

// Skips the test for a missing engine (`why` says what is missing), or fails it when
// EngineRequired(engine).
#define SKIP_OR_FAIL_ENGINE(engine, why)            \
  do {                                              \
    if (::berth::testing::EngineRequired(engine)) { \
      FAIL() << why;                                \
    }                                               \
    GTEST_SKIP() << why;                            \
  } while (0)

namespace berth::testing {}  // namespace berth::testing
