// Container apps end to end: a real berth server driving real podman (and docker for the image
// spec), with base images built locally by scripts/test-env.sh.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "base/files.h"
#include "base/strings.h"
#include "support/harness.h"
#include "support/server_test.h"

namespace berth::testing {
namespace {

using nlohmann::json;

#define REQUIRE_ENGINE(engine)                                  \
  REQUIRE_ENGINE_IMAGES(engine, std::string(engine) == "docker" \
                                    ? "busybox:latest"          \
                                    : "docker.io/library/busybox:latest")

class ContainerE2E : public ServerTest {
 protected:
  // Writes an app folder and returns its path.
  std::string AppDir(const std::map<std::string, std::string>& files) {
    return WriteAppDir(files, 0755);
  }

  CommandResult Create(const std::vector<std::string>& args) { return server_->CreateApp(args); }
  std::string AppId(const std::string& path) { return server_->AppId(path); }

  json AppJson(const std::string& path) {
    auto r = server_->Cli({"app", "list", "-f", "json", path});
    json j = json::parse(r.out, nullptr, false);
    return j.is_array() && !j.empty() ? j[0] : json::object();
  }
};

// A busybox app whose container writes its environment to /www/env.txt and serves /www.
const char* kEnvServer =
    "FROM busybox:latest\n"
    "ARG GREETING=default\n"
    "RUN mkdir -p /www && echo \"$GREETING\" > /www/greeting.txt && echo ok > /www/index.html\n"
    "CMD sh -c 'env > /www/env.txt; echo container started on $PORT; "
    "exec httpd -f -v -p \"$PORT\" -h /www'\n";

TEST_F(ContainerE2E, ImageSpecServesNginxOverHttpsAndHttp) {
  REQUIRE_ENGINE("podman");
  StartServer();
  auto c = Create({"--spec", "image", "--param", "image=nginx", "--param", "port=80", "-",
                   "nginxapp.localhost:/"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(AppJson("nginxapp.localhost:/")["state"], "stopped") << "starts on the first request";
  std::string https_port = std::to_string(server_->https_port());
  auto r = Curl({"-k", "-D", "-", "--resolve", "nginxapp.localhost:" + https_port + ":127.0.0.1",
                 "https://nginxapp.localhost:" + https_port + "/"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("HTTP/1.1 200"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("nginx"), std::string::npos);
  EXPECT_NE(r.out.find("Server-Timing: start;dur="), std::string::npos) << r.out;
  auto h = Request("nginxapp.localhost", "/");
  EXPECT_EQ(Code(h), "200");
  EXPECT_EQ(AppJson("nginxapp.localhost:/")["state"], "running");
  EXPECT_EQ(Containers(AppId("nginxapp.localhost:/")).size(), 1u);
  auto logs = server_->Cli({"app", "logs", "nginxapp.localhost:/"});
  EXPECT_EQ(logs.exit_code, 0) << logs.err;
  EXPECT_NE(logs.out.find("GET / HTTP/1.1"), std::string::npos) << logs.out;
}

TEST_F(ContainerE2E, ImageSpecWithoutPortIsRefusedAndLeavesNothing) {
  REQUIRE_ENGINE("podman");
  StartServer();
  auto c = Create({"--spec", "image", "--param", "image=nginx", "-", "nginxapp.localhost:/"});
  EXPECT_EQ(c.exit_code, 1);
  EXPECT_EQ(c.err, "error: param port is a required param, a value has to be provided\n");
  EXPECT_EQ(server_->Cli({"app", "list", "-f", "json", "-i"}).out, "[]\n");
}

TEST_F(ContainerE2E, ContainerSpecWithExposeParamsCargsAndCopts) {
  REQUIRE_ENGINE("podman");
  StartServer();
  std::string with_expose = AppDir({{"Containerfile", std::string(kEnvServer) + "EXPOSE 8080\n"}});
  auto c = Create({"--spec", "container", "--param", "GREETING_ENV=from-param", "--carg",
                   "GREETING=hello-build", "--copt", "memory=256m", with_expose, "/envapp"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  auto r = Request("localhost", "/envapp/env.txt");
  ASSERT_EQ(Code(r), "200") << r.out;
  EXPECT_NE(r.out.find("PORT=8080"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("CL_APP_PATH=/envapp"), std::string::npos);
  EXPECT_NE(r.out.find("GREETING_ENV=from-param"), std::string::npos);
  r = Request("localhost", "/envapp/greeting.txt");
  EXPECT_EQ(r.out, "hello-build\n\n200");
  // --copt memory=256m reaches `podman run`.
  std::string id = AppId("/envapp");
  auto names = Containers(id);
  ASSERT_EQ(names.size(), 1u);
  auto mem = RunCommand({"podman", "inspect", "--format", "{{.HostConfig.Memory}}", names[0]});
  EXPECT_EQ(Trim(mem.out), "268435456");

  // Without EXPOSE the port comes from --param port; without either, create fails.
  std::string no_expose = AppDir({{"Containerfile", kEnvServer}});
  c = Create({"--spec", "container", no_expose, "/noport"});
  EXPECT_EQ(c.exit_code, 1);
  EXPECT_NE(c.err.find("the container port is unknown"), std::string::npos) << c.err;
  c = Create({"--spec", "container", "--param", "port=9090", no_expose, "/portapp"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  r = Request("localhost", "/portapp/env.txt");
  ASSERT_EQ(Code(r), "200") << r.out;
  EXPECT_NE(r.out.find("PORT=9090"), std::string::npos);

  // A Dockerfile works too; a Containerfile wins over it.
  std::string both = AppDir({{"Dockerfile", "FROM busybox:latest\nRUN false\n"},
                             {"Containerfile", std::string(kEnvServer) + "EXPOSE 8080\n"}});
  c = Create({"--spec", "container", both, "/both"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(Code(Request("localhost", "/both/")), "200");
  std::string docker_only = AppDir({{"Dockerfile", std::string(kEnvServer) + "EXPOSE 8080\n"}});
  c = Create({"--spec", "container", docker_only, "/dockerfile"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(Code(Request("localhost", "/dockerfile/")), "200");
}

// An app.star that bind-mounts `volume`, served by busybox httpd from the mount.
std::map<std::string, std::string> MountingApp(const std::string& volume) {
  return {{"Containerfile",
           "FROM busybox:latest\nCMD sh -c 'exec httpd -f -p \"$PORT\" -h /mnt/host'\n"},
          {"app.star",
           "load(\"proxy.in\", \"proxy\")\nload(\"container.in\", \"container\")\n"
           "app = ace.app(\"mounting\", routes=[ace.proxy(\"/\", proxy.config(container.URL))],\n"
           "    container=container.config(container.AUTO, port=8080, volumes=[\"" +
               volume + "\"]))\n"}};
}

TEST_F(ContainerE2E, HostMountsNeedTheAllowListAndApproval) {
  REQUIRE_ENGINE("podman");
  StartServer();
  // The app's own source asks for the host's /etc: refused even with --approve, nothing made.
  auto c = Create({"--spec", "container", AppDir(MountingApp("/etc:/mnt/host")), "/etcapp"});
  EXPECT_EQ(c.exit_code, 1);
  EXPECT_NE(c.err.find("bind-mounting host path /etc is not allowed (security.allowed_mounts: " +
                       server_->home() + "/data)"),
            std::string::npos)
      << c.err;
  EXPECT_EQ(server_->Cli({"app", "list", "-f", "json", "-i"}).out, "[]\n");
  // So is --cvol from the CLI, and a dangerous --copt.
  std::string plain = AppDir({{"Containerfile", std::string(kEnvServer) + "EXPOSE 8080\n"}});
  c = Create({"--spec", "container", "--cvol", "/etc:/hostetc", plain, "/cvolapp"});
  EXPECT_EQ(c.exit_code, 1);
  EXPECT_NE(c.err.find("security.allowed_mounts"), std::string::npos) << c.err;
  c = Create({"--spec", "container", "--copt", "privileged", plain, "/privapp"});
  EXPECT_EQ(c.exit_code, 1);
  EXPECT_NE(c.err.find("container option --privileged is not allowed"), std::string::npos) << c.err;
  EXPECT_EQ(server_->Cli({"app", "list", "-f", "json", "-i"}).out, "[]\n");

  // Under $BERTH_HOME/data the mount is allowed, but the app asked for it: --approve is needed.
  std::string shared = server_->home() + "/data/shared";
  WriteTestFile(shared + "/index.html", "from the host\n");
  std::string app = AppDir(MountingApp(shared + ":/mnt/host:ro"));
  c = server_->Cli({"app", "create", "--spec", "container", app, "/dataapp"});
  EXPECT_EQ(c.exit_code, 1);
  EXPECT_NE(c.err.find("the app asks to bind-mount host path " + shared +
                       " at /mnt/host: run the command again with --approve"),
            std::string::npos)
      << c.err;
  EXPECT_EQ(server_->Cli({"app", "list", "-f", "json", "-i"}).out, "[]\n");
  c = Create({"--spec", "container", app, "/dataapp"});  // with --approve
  ASSERT_EQ(c.exit_code, 0) << c.err;
  auto r = Request("localhost", "/dataapp/index.html");
  EXPECT_EQ(r.out, "from the host\n\n200");
}

TEST_F(ContainerE2E, HundredConcurrentFirstRequestsStartOneContainer) {
  REQUIRE_ENGINE("podman");
  StartServer();
  std::string dir = AppDir({{"Containerfile", std::string(kEnvServer) + "EXPOSE 8080\n"}});
  auto c = Create({"--spec", "container", dir, "burst.localhost:/"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  std::vector<std::string> args = {
      "--parallel", "--parallel-immediate", "--parallel-max", "100", "-w", "%{http_code}\n",
      "-H",         "Host: burst.localhost"};
  for (int i = 0; i < 100; ++i) {
    args.insert(args.end(), {"-o", "/dev/null",
                             "http://127.0.0.1:" + std::to_string(server_->http_port()) +
                                 "/index.html?" + std::to_string(i)});
  }
  auto r = Curl(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto codes = Split(std::string(Trim(r.out)), '\n');
  EXPECT_EQ(codes.size(), 100u);
  EXPECT_EQ(std::count(codes.begin(), codes.end(), "200"), 100) << r.out;
  std::string id = AppId("burst.localhost:/");
  EXPECT_EQ(Containers(id).size(), 1u);
  // Exactly one start: the container's log says it started once.
  auto logs = server_->Cli({"app", "logs", "--lines", "1000", "burst.localhost:/"});
  size_t starts = 0;
  for (size_t pos = 0; (pos = logs.out.find("container started on", pos)) != std::string::npos;
       ++pos) {
    ++starts;
  }
  EXPECT_EQ(starts, 1u) << logs.out;
}

TEST_F(ContainerE2E, IdleStopRestartAndTalkingWebSocketKeepsItUp) {
  REQUIRE_ENGINE("podman");
  StartServer();
  std::string backend = *ReadFile(SupportFile("backend.py"));
  std::string dir = AppDir({{"backend.py", backend},
                            {"Containerfile",
                             "FROM python:3.12.5-slim\nCOPY backend.py /backend.py\nEXPOSE 8000\n"
                             "CMD exec python3 /backend.py --host 0.0.0.0 --port $PORT\n"}});
  // Its PID 1 (python) ignores SIGTERM: each stop takes the whole stop timeout.
  auto c = Create({"--spec", "container", "--conf", "container.idle_shutdown_secs=2", "--conf",
                   "container.stop_timeout_secs=1", dir, "idle.localhost:/"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  ASSERT_EQ(Code(Request("idle.localhost", "/echo")), "200");
  std::string name = Containers(AppId("idle.localhost:/")).at(0);
  auto running = [&] {
    auto r = RunCommand({"podman", "inspect", "--format", "{{.State.Running}}", name});
    return Trim(r.out) == "true";
  };
  // Idle for 2 s: stopped (not removed). On a busy machine the 2 s may pass before anything
  // here looks, so the server's log is the proof that it ran and was stopped for idling.
  ASSERT_TRUE(WaitFor([&] { return AppJson("idle.localhost:/")["state"] == "stopped"; },
                      std::chrono::seconds(30)));
  EXPECT_NE(server_->log().find("idle for 2s, stopping container " + name +
                                " (killed if still running after 1s)"),
            std::string::npos)
      << server_->log();
  EXPECT_FALSE(running());
  EXPECT_EQ(Containers(AppId("idle.localhost:/")).size(), 1u);
  // The next request starts it again (it may be idle-stopped again by the time anything else
  // looks, so the answer is the proof).
  EXPECT_EQ(Code(Request("idle.localhost", "/echo")), "200");
  // A WebSocket that talks every second for 6 s keeps it up past the 2 s idle limit.
  auto ws = RunCommand({"python3", SupportFile("ws_client.py"), "127.0.0.1",
                        std::to_string(server_->http_port()), "idle.localhost", "/ws", "a", "b",
                        "c", "d", "e", "f", "--interval-ms", "1000"});
  EXPECT_EQ(ws.exit_code, 0) << ws.err;
  EXPECT_EQ(ws.out, "a\nb\nc\nd\ne\nf\n");
  // A slow request longer than the idle limit is never cut.
  auto slow = Request("idle.localhost", "/slow?ms=4000");
  EXPECT_EQ(Code(slow), "200") << slow.out;
}

TEST_F(ContainerE2E, KilledContainerIsRestartedByTheNextRequest) {
  REQUIRE_ENGINE("podman");
  StartServer();
  std::string dir = AppDir({{"Containerfile", std::string(kEnvServer) + "EXPOSE 8080\n"}});
  ASSERT_EQ(Create({"--spec", "container", dir, "/killme"}).exit_code, 0);
  ASSERT_EQ(Code(Request("localhost", "/killme/")), "200");
  std::string name = Containers(AppId("/killme")).at(0);
  ASSERT_EQ(RunCommand({"podman", "kill", name}).exit_code, 0);
  auto r = Request("localhost", "/killme/");
  EXPECT_EQ(Code(r), "200") << r.out;
  EXPECT_EQ(Containers(AppId("/killme")).size(), 1u);
}

TEST_F(ContainerE2E, ServerKilledAndRestartedAdoptsTheRunningContainer) {
  REQUIRE_ENGINE("podman");
  StartServer();
  std::string dir = AppDir({{"Containerfile", std::string(kEnvServer) + "EXPOSE 8080\n"}});
  ASSERT_EQ(Create({"--spec", "container", dir, "/adopt"}).exit_code, 0);
  ASSERT_EQ(Code(Request("localhost", "/adopt/")), "200");
  std::string id = AppId("/adopt");
  auto before =
      RunCommand({"podman", "ps", "-q", "--no-trunc", "--filter", "label=berth.app.id=" + id});
  ASSERT_FALSE(Trim(before.out).empty());
  server_->Stop(SIGKILL);
  // Same home, new process.
  auto home = server_->home();
  server_ = std::make_unique<BerthServer>("", home);
  ASSERT_TRUE(server_->Start().ok());
  ASSERT_TRUE(
      WaitFor([&] { return AppJson("/adopt")["state"] == "running"; }, std::chrono::seconds(30)));
  auto r = Request("localhost", "/adopt/");
  EXPECT_EQ(Code(r), "200");
  EXPECT_EQ(r.out.find("Server-Timing"), std::string::npos);
  auto after =
      RunCommand({"podman", "ps", "-aq", "--no-trunc", "--filter", "label=berth.app.id=" + id});
  EXPECT_EQ(Trim(after.out), Trim(before.out)) << "the same container, no second one";
}

TEST_F(ContainerE2E, BuildFailureAndUnknownImageAreClearErrors) {
  REQUIRE_ENGINE("podman");
  StartServer();
  std::string dir = AppDir(
      {{"Containerfile", "FROM busybox:latest\nRUN echo broken-step && false\nEXPOSE 80\n"}});
  ASSERT_EQ(Create({"--spec", "container", dir, "/broken"}).exit_code, 0);
  auto r = Request("localhost", "/broken/");
  EXPECT_EQ(Code(r), "503");
  EXPECT_NE(r.out.find("image build failed"), std::string::npos) << r.out;
  json app = AppJson("/broken");
  EXPECT_EQ(app["state"], "failed");
  EXPECT_NE(app["error"].get<std::string>().find("image build failed"), std::string::npos);
  EXPECT_TRUE(app["build_held"].get<bool>());
  auto table = server_->Cli({"app", "list", "/broken"});
  EXPECT_NE(table.out.find("failed (build not retried until the app changes or `berth app "
                           "restart`): image build failed"),
            std::string::npos)
      << table.out;
  // Not built again with the same inputs: the same 503 at once, saying so.
  r = Request("localhost", "/broken/");
  EXPECT_EQ(Code(r), "503");
  EXPECT_NE(r.out.find("not tried again until the app changes"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("broken-step"), std::string::npos) << r.out;
  EXPECT_EQ(AppJson("/broken")["start_attempts"], 1);
  // Unless the user asks.
  ASSERT_EQ(server_->Cli({"app", "restart", "/broken"}).exit_code, 0);
  EXPECT_EQ(Code(Request("localhost", "/broken/")), "503");
  EXPECT_EQ(AppJson("/broken")["start_attempts"], 2);

  ASSERT_EQ(Create({"--spec", "image", "--param", "image=localhost/no-such-image:1", "--param",
                    "port=80", "-", "/noimage"})
                .exit_code,
            0);
  r = Request("localhost", "/noimage/");
  EXPECT_EQ(Code(r), "503");
  EXPECT_NE(r.out.find("localhost/no-such-image:1 is not available locally"), std::string::npos)
      << r.out;
}

// The number of "start attempt N failed" lines in the server's log file.
size_t FailedAttemptLines(const BerthServer& server) {
  std::string log = ReadFile(server.home() + "/logs/berth.log").value_or("");
  size_t n = 0;
  for (const auto& line : Split(log, '\n')) {
    if (line.find("start attempt ") != std::string::npos &&
        line.find(" failed (") != std::string::npos) {
      ++n;
    }
  }
  return n;
}

TEST_F(ContainerE2E, CrashLoopingAppBacksOffAndRestartStartsItAtOnce) {
  REQUIRE_ENGINE("podman");
  StartServer();
  std::string dir = AppDir({{"Containerfile",
                             "FROM busybox:latest\nEXPOSE 8080\n"
                             "CMD [\"sh\", \"-c\", \"echo boom; exit 3\"]\n"}});
  ASSERT_EQ(Create({"--spec", "container", dir, "/crash"}).exit_code, 0);

  // Two clients request it back to back for 8 s (longer if the second start has not begun
  // by then: a loaded machine makes each start slow). Starts begin no sooner than 1, 2, 4...
  // s after the previous failure, so within E seconds of requests at most as many begin as
  // there are k >= 0 with 2^k - 1 <= E (4 in 8 s: at 0, 1, 3 and 7 s if a start took no
  // time); without the backoff every request that finds it failed would start it again.
  std::mutex mu;
  int requests = 0, unavailable = 0, with_retry_after = 0, with_reason = 0;
  std::atomic<bool> stop{false};
  auto client = [&] {
    while (!stop) {
      auto r = Request("localhost", "/crash/", {"-D", "-"});
      std::lock_guard lock(mu);
      ++requests;
      if (Code(r) == "503") ++unavailable;
      if (r.out.find("Retry-After: ") != std::string::npos) ++with_retry_after;
      if (r.out.find("exit code 3") != std::string::npos &&
          r.out.find("boom") != std::string::npos) {
        ++with_reason;
      }
    }
  };
  const auto t0 = std::chrono::steady_clock::now();
  std::thread a(client), b(client);
  std::this_thread::sleep_for(std::chrono::seconds(8));
  WaitFor([&] { return AppJson("/crash")["start_attempts"].get<int64_t>() >= 2; },
          std::chrono::seconds(60));
  stop = true;
  a.join();
  b.join();
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(
      WaitFor([&] { return AppJson("/crash")["state"] == "failed"; }, std::chrono::seconds(60)));
  json app = AppJson("/crash");
  int64_t attempts = app["start_attempts"].get<int64_t>();
  int64_t allowed = 0;
  while ((int64_t{1} << allowed) - 1 <= elapsed) ++allowed;
  EXPECT_GE(attempts, 2) << "it is tried again after the wait";
  EXPECT_LE(attempts, allowed) << requests << " requests in " << elapsed << " s";
  EXPECT_LE(attempts, 5) << requests << " requests in " << elapsed << " s";
  std::printf("crash loop: %d requests in %.1f s, %lld start attempts (allowed %lld)\n", requests,
              elapsed, static_cast<long long>(attempts), static_cast<long long>(allowed));
  EXPECT_EQ(unavailable, requests) << "every request got the 503";
  EXPECT_EQ(with_reason, requests) << "with the exit code and the log tail";
  EXPECT_GT(with_retry_after, 0) << "503s during the backoff carry Retry-After";
  EXPECT_GT(requests, attempts);
  EXPECT_EQ(FailedAttemptLines(*server_), static_cast<size_t>(attempts))
      << "one log line per attempt, none per request";
  EXPECT_NE(app["error"].get<std::string>().find("exit code 3"), std::string::npos) << app;

  // `app restart`: the next request starts it at once, whatever the backoff says.
  auto restarted = server_->Cli({"app", "restart", "/crash"});
  ASSERT_EQ(restarted.exit_code, 0) << restarted.err;
  EXPECT_EQ(restarted.out, "Restarted app localhost:/crash: the next request starts it\n");
  EXPECT_EQ(AppJson("/crash")["retry_in_secs"], 0);
  auto r = Request("localhost", "/crash/");
  EXPECT_EQ(Code(r), "503");
  EXPECT_NE(r.out.find("boom"), std::string::npos) << r.out;
  ASSERT_TRUE(
      WaitFor([&] { return AppJson("/crash")["state"] == "failed"; }, std::chrono::seconds(60)));
  EXPECT_EQ(AppJson("/crash")["start_attempts"], attempts + 1);
  EXPECT_EQ(FailedAttemptLines(*server_), static_cast<size_t>(attempts + 1));
  // The backoff starts over at 1 s.
  EXPECT_LE(AppJson("/crash")["retry_in_secs"].get<int64_t>(), 1);

  // A glob that matches nothing is an error.
  auto none = server_->Cli({"app", "restart", "/nothing*"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_EQ(none.err, "error: no app matches /nothing*\n");
}

// SIGTERM while a container is starting (it never gets healthy): the request gets its grace
// period, the start is cancelled, every thread ends and the destructors run (an ASan build
// would report a use after free of the stopped proxy), and the server exits 0.
TEST_F(ContainerE2E, SigtermDuringAColdStartCancelsItAndExitsCleanly) {
  REQUIRE_ENGINE("podman");
  StartServer("[proxy]\nshutdown_grace_secs = 1\n");
  std::string dir =
      AppDir({{"Containerfile", "FROM busybox:latest\nEXPOSE 8080\nCMD [\"sleep\", \"3600\"]\n"}});
  ASSERT_EQ(Create({"--spec", "container", dir, "/never"}).exit_code, 0);
  std::thread client([&] { Request("localhost", "/never/"); });
  EXPECT_TRUE(
      WaitFor([&] { return AppJson("/never")["state"] == "starting"; }, std::chrono::seconds(280)));
  int exit_code = server_->Stop(SIGTERM);  // -1000: still running after 60 s
  client.join();
  EXPECT_EQ(exit_code, 0) << server_->log();
  std::string log = server_->log();
  EXPECT_NE(log.find("cancelling it"), std::string::npos) << log;
  EXPECT_NE(log.find("berth stopped"), std::string::npos) << log;
}

TEST_F(ContainerE2E, DeleteRemovesContainersAndImages) {
  REQUIRE_ENGINE("podman");
  StartServer();
  std::string dir = AppDir({{"Containerfile", std::string(kEnvServer) + "EXPOSE 8080\n"}});
  ASSERT_EQ(Create({"--spec", "container", dir, "/gone"}).exit_code, 0);
  ASSERT_EQ(Code(Request("localhost", "/gone/")), "200");
  std::string id = AppId("/gone");
  auto image = RunCommand(
      {"podman", "ps", "-a", "--format", "{{.Image}}", "--filter", "label=berth.app.id=" + id});
  std::string image_name = std::string(Trim(image.out));
  ASSERT_FALSE(image_name.empty());
  ASSERT_EQ(server_->Cli({"app", "delete", "/gone"}).exit_code, 0);
  ASSERT_TRUE(WaitFor([&] { return Containers(id).empty(); }, std::chrono::seconds(30)));
  EXPECT_TRUE(WaitFor(
      [&] {
        return RunCommand({"podman", "image", "exists", image_name}).exit_code != 0;
      },
      std::chrono::seconds(30)));
  EXPECT_EQ(Code(Request("localhost", "/gone/")), "404");
}

TEST_F(ContainerE2E, ImageSpecWithDocker) {
  REQUIRE_ENGINE("docker");
  StartServer("[system]\ncontainer_command = \"docker\"\n");
  auto c = Create({"--spec", "image", "--param", "image=nginx", "--param", "port=80", "-",
                   "dockerapp.localhost:/"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  auto r = Request("dockerapp.localhost", "/");
  EXPECT_EQ(Code(r), "200") << r.out;
  EXPECT_NE(r.out.find("nginx"), std::string::npos);
  EXPECT_EQ(Containers(AppId("dockerapp.localhost:/"), "docker").size(), 1u);
}

}  // namespace
}  // namespace berth::testing
