#include "support/harness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <thread>

#include "base/files.h"
#include "base/strings.h"

namespace berth::testing {

std::string MakeTempDir(const std::string& prefix) {
  std::string tmpl = "/tmp/" + prefix + "-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  return mkdtemp(buf.data());
}

CommandResult RunCommand(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                         std::chrono::seconds timeout) {
  ProcessOptions o;
  o.argv = argv;
  o.env = env;
  o.timeout = timeout;
  auto r = RunProcess(o);
  if (!r.ok()) return CommandResult{-1, "", r.status().ToString()};
  return CommandResult{r->exit_code, r->out, r->err};
}

std::string SupportFile(const std::string& name) {
  return std::string(BERTH_SOURCE_DIR) + "/tests/support/" + name;
}

bool WaitFor(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

BerthServer::BerthServer(std::string extra_toml, std::string home)
    : home_(home.empty() ? MakeTempDir("berth-e2e") : std::move(home)) {
  std::string toml = "[http]\nport = 0\n[https]\nport = 0\n" + extra_toml;
  WriteTestFile(home_ + "/berth.toml", toml);
}

BerthServer::~BerthServer() {
  if (child_ && !child_->exited()) {
    // A clean exit: every thread joined, destructors run, no leak (sanitizer builds).
    const int exit_code = Stop(SIGTERM);
    EXPECT_EQ(exit_code, 0) << "the server exited with " << exit_code << "\n" << log();
  }
}

Status BerthServer::Start() {
  ::unlink((home_ + "/run/server.json").c_str());
  SpawnOptions o;
  o.argv = {BERTH_BINARY, "server", "start"};
  // The server frees everything before it exits: a sanitizer build reports any leak (exit 23).
  o.env = {"BERTH_HOME=" + home_, "ASAN_OPTIONS=detect_leaks=1"};
  o.env.insert(o.env.end(), env_.begin(), env_.end());
  o.stdout_to = Redirect::File(home_ + "/server.out");
  o.stderr_to = Redirect::ToStdout();
  BERTH_ASSIGN_OR_RETURN(ChildProcess child, ChildProcess::Spawn(o));
  child_.emplace(std::move(child));
  bool up = WaitFor(
      [&] {
        if (child_->WaitFor(std::chrono::milliseconds(0)).value_or(std::nullopt)) return true;
        return PathExists(home_ + "/run/server.json");
      },
      std::chrono::seconds(60));
  if (!up || child_->exited() || !PathExists(home_ + "/run/server.json")) {
    return Status::Unavailable("berth server did not start: " + log());
  }
  auto info = nlohmann::json::parse(*ReadFile(home_ + "/run/server.json"));
  http_port_ = info["http_port"];
  https_port_ = info["https_port"];
  return Status::Ok();
}

int BerthServer::Stop(int sig) {
  if (!child_ || child_->exited()) return child_ ? child_->Wait().value_or(-1) : -1;
  child_->Signal(sig).IgnoreError("the server may have exited by itself");
  auto code = child_->WaitFor(std::chrono::seconds(60));
  if (!code.ok() || !*code) {
    child_->Signal(SIGKILL).IgnoreError("the server may have exited by itself");
    return -1000;
  }
  return **code;
}

CommandResult BerthServer::StartAnotherOnSameHome() {
  return RunCommand({BERTH_BINARY, "server", "start"},
                    {"BERTH_HOME=" + home_, "ASAN_OPTIONS=detect_leaks=0"},
                    std::chrono::seconds(30));
}

CommandResult BerthServer::Cli(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {BERTH_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv, {"BERTH_HOME=" + home_, "ASAN_OPTIONS=detect_leaks=0"});
}

CommandResult BerthServer::CliWithInput(const std::vector<std::string>& args,
                                        const std::string& input) const {
  ProcessOptions o;
  o.argv = {BERTH_BINARY};
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  o.env = {"BERTH_HOME=" + home_, "ASAN_OPTIONS=detect_leaks=0"};
  o.stdin_data = input;
  o.timeout = std::chrono::seconds(60);
  auto r = RunProcess(o);
  if (!r.ok()) return CommandResult{-1, "", r.status().ToString()};
  return CommandResult{r->exit_code, r->out, r->err};
}

CommandResult BerthServer::CreateApp(const std::vector<std::string>& args) const {
  std::vector<std::string> full = {"app", "create", "--approve"};
  full.insert(full.end(), args.begin(), args.end());
  return Cli(full);
}

std::string BerthServer::AppId(const std::string& path) const {
  auto j = nlohmann::json::parse(Cli({"app", "list", "-f", "json", path}).out, nullptr, false);
  if (!j.is_array() || j.empty() || !j[0].contains("id")) return "";
  return j[0]["id"].get<std::string>();
}

std::string BerthServer::log() const {
  std::string out = ReadFile(home_ + "/server.out").value_or("");
  return out + ReadFile(home_ + "/logs/berth.log").value_or("");
}

Backend::Backend() : marker_dir_(MakeTempDir("berth-backend")) {}

Status Backend::Start() {
  SpawnOptions o;
  o.argv = {"python3", SupportFile("backend.py"), "--marker-dir", marker_dir_};
  o.stdout_to = Redirect::Pipe();
  o.stderr_to = Redirect::Inherit();
  BERTH_ASSIGN_OR_RETURN(ChildProcess child, ChildProcess::Spawn(o));
  child_.emplace(std::move(child));
  int fd = child_->TakeStdout();
  std::string line;
  char c;
  while (::read(fd, &c, 1) == 1 && c != '\n') line.push_back(c);
  ::close(fd);
  port_ = std::atoi(line.c_str());
  if (port_ <= 0) return Status::Unavailable("backend did not start");
  return Status::Ok();
}

CommandResult Curl(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"curl", "-s", "--max-time", "60"};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv);
}

int UnusedPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

void WriteTestFile(const std::string& path, const std::string& content, int mode) {
  Status s = MakeDirs(path.substr(0, path.rfind('/')));
  if (s.ok()) s = WriteFileAtomic(path, content, mode);
  if (!s.ok()) ADD_FAILURE() << "cannot write " << path << ": " << s.message();
}

std::string WriteAppDir(const std::map<std::string, std::string>& files, int mode) {
  std::string dir = MakeTempDir("berth-app");
  for (const auto& [name, content] : files) {
    WriteTestFile(dir + "/" + name, content, mode);
  }
  return dir;
}

bool EngineRequired(const std::string& engine) {
  const char* required = std::getenv("BERTH_REQUIRE_ENGINES");
  if (!required) return false;
  for (const auto& name : Split(required, ',')) {
    if (Trim(name) == engine) return true;
  }
  return false;
}

}  // namespace berth::testing
