#include "support/server_test.h"

#include <signal.h>

#include "base/strings.h"

namespace berth::testing {

namespace {

std::vector<std::string> NonEmptyLines(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& line : Split(std::string(Trim(text)), '\n')) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

}  // namespace

bool EngineHasImages(const std::string& engine, const std::vector<std::string>& images,
                     std::string* why) {
  for (const auto& image : images) {
    auto r = engine == "docker" ? RunCommand({"docker", "image", "inspect", image})
                                : RunCommand({engine, "image", "exists", image});
    if (r.exit_code != 0) {
      *why = engine + " or its test image " + image + " is missing (run scripts/test-env.sh)" +
             (r.err.empty() ? "" : ": " + std::string(Trim(r.err)));
      return false;
    }
  }
  return true;
}

void ServerTest::StartServer(const std::string& extra_toml, std::vector<std::string> env) {
  server_ = std::make_unique<BerthServer>(extra_toml);
  server_->set_env(std::move(env));
  Status s = server_->Start();
  ASSERT_TRUE(s.ok()) << s.ToString();
}

void ServerTest::TearDown() {
  if (!server_) return;
  server_->Cli({"app", "delete", "--volumes", "all"});
  server_->Stop(SIGTERM);
  const std::string label = "label=berth.home=" + server_->home();
  for (const char* engine : {"podman", "docker"}) {
    for (const auto& id : NonEmptyLines(RunCommand({engine, "ps", "-aq", "--filter", label}).out)) {
      RunCommand({engine, "rm", "-f", id});
    }
    auto volumes = RunCommand({engine, "volume", "ls", "-q", "--filter", label});
    for (const auto& v : NonEmptyLines(volumes.out)) RunCommand({engine, "volume", "rm", "-f", v});
  }
}

CommandResult ServerTest::Request(const std::string& host, const std::string& path,
                                  const std::vector<std::string>& extra) const {
  std::vector<std::string> args = {"curl",           "-s", "--max-time",   "280", "-w",
                                   "\n%{http_code}", "-H", "Host: " + host};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back("http://127.0.0.1:" + std::to_string(server_->http_port()) + path);
  return RunCommand(args, {}, std::chrono::seconds(300));
}

std::string ServerTest::Code(const CommandResult& r) {
  size_t nl = r.out.rfind('\n');
  return nl == std::string::npos ? r.out : r.out.substr(nl + 1);
}

std::string ServerTest::Body(const CommandResult& r) {
  size_t nl = r.out.rfind('\n');
  return nl == std::string::npos ? "" : r.out.substr(0, nl);
}

std::string ServerTest::Get(const std::string& path, const std::string& host) const {
  CommandResult r = Request(host, path);
  return std::string(Trim(Body(r))) + " " + Code(r);
}

std::vector<std::string> ServerTest::Containers(const std::string& app_id,
                                                const std::string& engine) {
  return NonEmptyLines(RunCommand({engine, "ps", "-a", "--format", "{{.Names}}", "--filter",
                                   "label=berth.app.id=" + app_id})
                           .out);
}

}  // namespace berth::testing
