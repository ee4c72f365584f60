// Staged changes end to end: param and metadata updates run on the stage app, promote switches
// prod without a failed request, versions switch back and forth, and bad input changes
// nothing. A real berth server driving real podman, through the proxy.
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "base/files.h"
#include "base/strings.h"
#include "support/harness.h"
#include "support/server_test.h"

namespace berth::testing {
namespace {

using nlohmann::json;

#define REQUIRE_PODMAN() REQUIRE_ENGINE_IMAGES("podman", "docker.io/library/busybox:latest")

class StagingE2E : public ServerTest {
 protected:
  json AppJson(const std::string& path, bool internal = false) {
    // A stage app is listed with -i under its prod app's path.
    std::vector<std::string> args = {"app", "list", "-f", "json", internal ? "all" : path};
    if (internal) args.push_back("-i");
    auto r = Cli(args);
    json j = json::parse(r.out, nullptr, false);
    if (!j.is_array()) return json::object();
    for (const auto& a : j) {
      if (a["path"] == "localhost:" + path) return a;
    }
    return json::object();
  }

  // Inspects the app's one container; a replaced one is removed in the background once its
  // requests are done, so wait for that first.
  std::string Inspect(const std::string& app_id, const std::string& format) {
    WaitFor([&] { return Containers(app_id).size() == 1; }, std::chrono::seconds(30));
    auto names = Containers(app_id);
    if (names.size() != 1) return "containers: " + Join(names, ",");
    return std::string(Trim(RunCommand({"podman", "inspect", "--format", format, names[0]}).out));
  }

  std::string Sql(const std::string& query) {
    auto r = RunCommand({"sqlite3", server_->home() + "/metadata/berth.db", query});
    return std::string(Trim(r.out));
  }
};

const char* kMainModule = R"(from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route


async def index(request):
    return PlainTextResponse("main module")

app = Starlette(routes=[Route("/", index)])
)";

const char* kOtherModule = R"(from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route


async def index(request):
    return PlainTextResponse("other module")

app = Starlette(routes=[Route("/", index)])
)";

// The product document's sequence: an ASGI app with two modules, a staged APP_MODULE change
// served at the stage path while prod serves the old one, promote, then versions.
TEST_F(StagingE2E, ParamUpdateIsStagedPromoteSwitchesProdVersionsGoBackAndForth) {
  REQUIRE_PODMAN();
  StartServer();
  std::string dir = WriteAppDir({{"main.py", kMainModule}, {"other.py", kOtherModule}});
  auto c = server_->CreateApp(
      {"--spec", "python-asgi", "--param", "APP_MODULE=main:app", dir, "/docapp"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(Get("/docapp/"), "main module 200");

  auto u = Cli({"param", "update", "APP_MODULE", "other:app", "/docapp"});
  ASSERT_EQ(u.exit_code, 0) << u.err;
  EXPECT_NE(u.out.find("localhost:/docapp_cl_stage: param update, version 1 -> 2: "
                       "param APP_MODULE=other:app"),
            std::string::npos)
      << u.out;
  EXPECT_EQ(Get("/docapp_cl_stage/"), "other module 200");
  EXPECT_EQ(Get("/docapp/"), "main module 200") << "prod is untouched until promote";
  EXPECT_EQ(AppJson("/docapp")["type"], "PROD*");
  EXPECT_EQ(AppJson("/docapp")["version"], 1);
  EXPECT_EQ(AppJson("/docapp_cl_stage", true)["version"], 2);
  auto params = Cli({"param", "list", "/docapp"});
  EXPECT_NE(params.out.find("APP_MODULE  main:app"), std::string::npos) << params.out;
  params = Cli({"param", "list", "/docapp_cl_stage"});
  EXPECT_NE(params.out.find("APP_MODULE  other:app"), std::string::npos) << params.out;

  auto p = Cli({"app", "promote", "/docapp"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_NE(p.out.find("localhost:/docapp: promote, version 1 -> 2"), std::string::npos) << p.out;
  EXPECT_EQ(Get("/docapp/"), "other module 200");
  EXPECT_EQ(AppJson("/docapp")["type"], "PROD");
  auto again = Cli({"app", "promote", "/docapp"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("nothing to promote"), std::string::npos) << again.err;

  auto versions = Cli({"version", "list", "-f", "json", "/docapp"});
  json v = json::parse(versions.out, nullptr, false);
  ASSERT_TRUE(v.is_object()) << versions.out << versions.err;
  EXPECT_EQ(v["current"], 2);
  ASSERT_EQ(v["versions"].size(), 2u);
  EXPECT_EQ(v["versions"][1]["changes"], "param APP_MODULE=other:app");
  EXPECT_EQ(v["versions"][1]["actor"], "uid " + std::to_string(getuid()));

  auto sw = Cli({"version", "switch", "previous", "/docapp"});
  ASSERT_EQ(sw.exit_code, 0) << sw.err;
  EXPECT_EQ(Get("/docapp/"), "main module 200") << "code and params of version 1";
  auto rv = Cli({"version", "revert", "/docapp"});
  ASSERT_EQ(rv.exit_code, 0) << rv.err;
  EXPECT_EQ(Get("/docapp/"), "other module 200");

  auto files = Cli({"version", "files", "/docapp", "1"});
  EXPECT_NE(files.out.find("other.py"), std::string::npos) << files.out;
  auto audit = Cli({"app", "audit", "-f", "json", "/docapp"});
  json a = json::parse(audit.out, nullptr, false);
  ASSERT_TRUE(a.is_object()) << audit.out << audit.err;
  std::vector<std::string> ops;
  for (const auto& e : a["entries"]) ops.push_back(e["operation"]);
  EXPECT_EQ(ops, (std::vector<std::string>{"version revert", "version switch", "promote",
                                           "param update", "create"}));
}

// A busybox app: its greeting comes from a build arg, its environment is served as a file.
const char* kGreeter =
    "FROM busybox:latest\n"
    "ARG GREETING=default\n"
    "RUN mkdir -p /www && echo \"$GREETING\" > /www/greeting.txt && echo ok > /www/index.html\n"
    "EXPOSE 8080\n"
    "CMD sh -c 'env > /www/env.txt; exec httpd -f -p \"$PORT\" -h /www'\n";

TEST_F(StagingE2E, MetadataUpdatesRunOnStageAndReachProdAtPromote) {
  REQUIRE_PODMAN();
  StartServer();
  std::string dir = WriteAppDir({{"Containerfile", kGreeter}});
  auto c = server_->CreateApp({"--spec", "container", "--carg", "GREETING=one", dir, "/meta"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  std::string prod_id = server_->AppId("/meta");
  std::string stage_id = AppJson("/meta_cl_stage", true)["id"];
  ASSERT_EQ(Get("/meta/greeting.txt"), "one 200") << server_->log();
  auto prod_containers = Containers(prod_id);

  auto u = Cli({"app", "update-metadata", "carg", "GREETING=two", "/meta"});
  ASSERT_EQ(u.exit_code, 0) << u.err;
  EXPECT_EQ(Get("/meta_cl_stage/greeting.txt"), "two 200") << "the stage app is rebuilt";
  EXPECT_EQ(Get("/meta/greeting.txt"), "one 200");
  EXPECT_EQ(Containers(prod_id), prod_containers) << "prod is not rebuilt";

  u = Cli({"app", "update-metadata", "copt", "memory=256m", "/meta"});
  ASSERT_EQ(u.exit_code, 0) << u.err;
  ASSERT_EQ(Get("/meta_cl_stage/greeting.txt"), "two 200");
  EXPECT_EQ(Inspect(stage_id, "{{.HostConfig.Memory}}"), "268435456");
  EXPECT_EQ(Inspect(prod_id, "{{.HostConfig.Memory}}"), "0");

  u = Cli({"app", "update-metadata", "cvol", "/data", "/cache", "/meta"});
  ASSERT_EQ(u.exit_code, 0) << u.err;
  u = Cli({"app", "update-metadata", "container-volumes", "/cache", "/meta"});
  ASSERT_EQ(u.exit_code, 0) << u.err;
  ASSERT_EQ(Get("/meta_cl_stage/greeting.txt"), "two 200");
  EXPECT_EQ(Inspect(stage_id, "{{range .Mounts}}{{.Destination}} {{end}}"), "/cache")
      << "cvol replaces the whole list";

  u = Cli({"app", "update-metadata", "conf", "container.idle_shutdown_secs=2", "/meta"});
  ASSERT_EQ(u.exit_code, 0) << u.err;
  ASSERT_EQ(Get("/meta_cl_stage/greeting.txt"), "two 200");
  EXPECT_TRUE(WaitFor([&] { return AppJson("/meta_cl_stage", true)["state"] == "stopped"; },
                      std::chrono::seconds(30)))
      << "the stage app stops after 2 s idle";
  EXPECT_EQ(AppJson("/meta")["state"], "running") << "prod keeps the default idle time";

  auto p = Cli({"app", "promote", "/meta"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_EQ(Get("/meta/greeting.txt"), "two 200");
  // The replaced prod container goes (in the background) once its requests are done.
  EXPECT_TRUE(WaitFor([&] { return Containers(prod_id).size() == 1; }, std::chrono::seconds(30)));
  EXPECT_NE(Containers(prod_id), prod_containers);
  EXPECT_EQ(Inspect(prod_id, "{{.HostConfig.Memory}}"), "268435456");
}

// A busybox app that serves page.txt from its source folder (and "ok" at /, its health check).
const char* kPageServer =
    "FROM busybox:latest\n"
    "COPY page.txt /www/page.txt\n"
    "RUN echo ok > /www/index.html\n"
    "EXPOSE 8080\n"
    "CMD httpd -f -p \"$PORT\" -h /www\n";

// `app reload` reads the source again into the stage app: a folder, then a git repository
// whose commit did not move (left alone unless --force-reload) and one that did.
TEST_F(StagingE2E, ReloadReadsTheSourceIntoStageAndPromoteTakesIt) {
  REQUIRE_PODMAN();
  StartServer();
  std::string dir = WriteAppDir({{"Containerfile", kPageServer}, {"page.txt", "one"}});
  auto c = server_->CreateApp({"--spec", "container", dir, "/rl"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  ASSERT_EQ(Get("/rl/page.txt"), "one 200") << server_->log();

  WriteTestFile(dir + "/page.txt", "two");
  auto r = Cli({"app", "reload", "/rl"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("localhost:/rl_cl_stage: reload, version 1 -> 2: source reloaded"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(Get("/rl_cl_stage/page.txt"), "two 200");
  EXPECT_EQ(Get("/rl/page.txt"), "one 200") << "prod is untouched until promote";

  WriteTestFile(dir + "/page.txt", "three");
  r = Cli({"app", "reload", "--promote", "/rl"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Get("/rl/page.txt"), "three 200");
  EXPECT_EQ(AppJson("/rl")["version"], 3);

  // A git repository, cloned from file://.
  std::string repo = MakeTempDir("berth-reload-git") + "/site.git";
  WriteTestFile(repo + "/Containerfile", kPageServer);
  WriteTestFile(repo + "/page.txt", "git one");
  auto git = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"git", "-C", repo, "-c", "user.name=t", "-c", "user.email=t@t"});
    auto g = RunCommand(args);
    EXPECT_EQ(g.exit_code, 0) << g.err;
  };
  git({"init", "-q", "-b", "main"});
  git({"add", "."});
  git({"commit", "-q", "-m", "one"});
  c = server_->CreateApp({"--spec", "container", "file://" + repo, "/rg"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  ASSERT_EQ(Get("/rg/page.txt"), "git one 200");
  r = Cli({"app", "reload", "/rg"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(AppJson("/rg_cl_stage", true)["version"], 1) << "same commit: left alone\n" << r.out;
  r = Cli({"app", "reload", "--force-reload", "/rg"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("version 1 -> 2: source reloaded (forced)"), std::string::npos) << r.out;

  WriteTestFile(repo + "/page.txt", "git two");
  git({"commit", "-q", "-am", "two"});
  r = Cli({"app", "reload", "--promote", "/rg"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Get("/rg/page.txt"), "git two 200");
  EXPECT_EQ(AppJson("/rg")["version"], 3);
}

// Promote under load: keep-alive clients and an open WebSocket against prod while a new
// version takes over. Nothing fails; the WebSocket stays open on the old container.
TEST_F(StagingE2E, PromoteUnderLoadFailsNoRequestAndKeepsTheWebSocket) {
  REQUIRE_PODMAN();
  StartServer();
  std::string backend = *ReadFile(SupportFile("backend.py"));
  std::string dir =
      WriteAppDir({{"backend.py", backend},
                   {"Containerfile",
                    "FROM python:3.12.5-slim\nCOPY backend.py /backend.py\nEXPOSE 8000\n"
                    "CMD exec python3 /backend.py --host 0.0.0.0 --port $PORT\n"}});
  auto c = server_->CreateApp({"--spec", "container", "--param", "MARK=one", dir, "/load"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  ASSERT_EQ(Get("/load/env?name=MARK"), "one 200");
  std::string prod_id = server_->AppId("/load");
  auto u = Cli({"param", "update", "MARK", "two", "/load"});
  ASSERT_EQ(u.exit_code, 0) << u.err;
  ASSERT_EQ(Get("/load_cl_stage/env?name=MARK"), "two 200");

  const std::string work = MakeTempDir("berth-load");
  const std::string stopfile = work + "/stop", seen = work + "/seen";
  ASSERT_TRUE(MakeDirs(seen, 0700).ok());
  CommandResult load;
  std::thread client([&] {
    load = RunCommand({"python3", SupportFile("load_client.py"),
                       std::to_string(server_->http_port()), "localhost", "/load/env?name=MARK",
                       stopfile, "--ws", "/load/ws", "--connections", "4", "--seen", seen},
                      {}, std::chrono::seconds(300));
  });
  // The clients get answers from the old version, and the WebSocket talks, before the promote;
  // they keep going until the new version has answered them too.
  auto seen_file = [&](const std::string& name) {
    return WaitFor([&] { return PathExists(seen + "/" + name); }, std::chrono::seconds(120));
  };
  EXPECT_TRUE(seen_file("200 one"));
  EXPECT_TRUE(seen_file("ws-10"));
  auto p = Cli({"app", "promote", "/load"});
  EXPECT_EQ(p.exit_code, 0) << p.err;
  EXPECT_TRUE(seen_file("200 two"));
  WriteTestFile(stopfile, "");
  client.join();
  json r = json::parse(load.out, nullptr, false);
  ASSERT_TRUE(r.is_object()) << load.out << load.err;
  EXPECT_TRUE(r["errors"].empty()) << r.dump();
  EXPECT_GT(r["answers"].value("200 one", 0), 0) << r.dump();
  EXPECT_GT(r["answers"].value("200 two", 0), 0) << r.dump();
  EXPECT_EQ(r["ws_end"], "closed by the client") << r.dump();
  EXPECT_GT(r["ws_messages"].get<int>(), 10) << r.dump();
  // With the WebSocket closed, the old container has nothing left to finish: it goes.
  EXPECT_TRUE(WaitFor([&] { return Containers(prod_id).size() == 1; }, std::chrono::seconds(30)));
}

TEST_F(StagingE2E, AStageVersionThatFailsIsNotPromoted) {
  REQUIRE_PODMAN();
  StartServer();
  std::string dir = WriteAppDir(
      {{"Containerfile",
        "FROM busybox:latest\nRUN mkdir -p /www && echo ok > /www/index.html\nEXPOSE 8080\n"
        "CMD sh -c 'if [ \"$CRASH\" = yes ]; then echo crashing on purpose; exit 3; fi; "
        "exec httpd -f -p \"$PORT\" -h /www'\n"}});
  auto c = server_->CreateApp(
      {"--spec", "container", "--conf", "container.start_timeout_secs=20", dir, "/fragile"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  ASSERT_EQ(Get("/fragile/"), "ok 200");
  auto u = Cli({"param", "update", "CRASH", "yes", "/fragile"});
  ASSERT_EQ(u.exit_code, 0) << u.err;
  auto p = Cli({"app", "promote", "/fragile"});
  EXPECT_EQ(p.exit_code, 1);
  EXPECT_NE(p.err.find("promote of localhost:/fragile failed; prod stays on version 1"),
            std::string::npos)
      << p.err;
  EXPECT_NE(p.err.find("crashing on purpose"), std::string::npos) << "the log tail: " << p.err;
  EXPECT_EQ(Get("/fragile/"), "ok 200");
  EXPECT_EQ(AppJson("/fragile")["version"], 1);
  EXPECT_EQ(AppJson("/fragile")["type"], "PROD*");
  EXPECT_EQ(Containers(server_->AppId("/fragile")).size(), 1u) << "the failed one is removed";
}

// Bad input: one clear line, a non-zero exit, and nothing changed in the store.
TEST_F(StagingE2E, BadInputChangesNothingAndDevAppsHaveNoStage) {
  StartServer();
  Backend upstream;
  ASSERT_TRUE(upstream.Start().ok());
  auto c = server_->CreateApp({"--spec", "proxy", "--param", "url=" + upstream.url(), "-", "/p"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  const std::string versions = Sql("SELECT COUNT(*) FROM app_versions");
  const std::string audit = Sql("SELECT COUNT(*) FROM audit");
  const std::string apps = Sql("SELECT id, version, metadata FROM apps ORDER BY id");
  struct Case {
    std::vector<std::string> args;
    std::string error;
  };
  const std::vector<Case> cases = {
      {{"param", "update", "X", "1", "/nope"}, "error: no app matches /nope\n"},
      {{"param", "update", "1X", "1", "/p"}, "is not an environment variable name"},
      {{"param", "update", "PORT", "1", "/p"}, "param name PORT is reserved"},
      {{"param", "update", "GONE", "-", "/p"}, "the app has no param GONE"},
      {{"param", "list", "/nope"}, "error: no app at localhost:/nope\n"},
      {{"app", "update-metadata", "copy", "x=1", "/p"}, "(did you mean copt?)"},
      {{"app", "update-metadata", "conf", "container.idle_shutdwn_secs=5", "/p"},
       "(did you mean container.idle_shutdown_secs?)"},
      {{"app", "update-metadata", "carg", "/p"},
       "needs a kind, one or more values and an app glob"},
      {{"app", "update-metadata", "spec", "proxyy", "/p"},
       "unknown spec proxyy (did you mean proxy?)"},
      {{"app", "promote", "/p"}, "nothing to promote"},
      {{"app", "promote", "/nope"}, "no app matches /nope"},
      {{"version", "switch", "9", "/p"}, "localhost:/p has no version 9; its versions: 1"},
      {{"version", "switch", "1", "/p"}, "is at version 1 already"},
      {{"version", "switch", "latest", "/p"}, "must be a number, previous, next or revert"},
      {{"version", "revert", "/p"}, "nothing to revert"},
      {{"param", "update", "--dry-run", "url", "http://127.0.0.1:1", "/p"}, ""},
  };
  for (const auto& tc : cases) {
    auto r = Cli(tc.args);
    if (tc.error.empty()) {
      EXPECT_EQ(r.exit_code, 0) << Join(tc.args, " ") << ": " << r.err;
      EXPECT_NE(r.out.find("Dry run: "), std::string::npos) << r.out;
      continue;
    }
    EXPECT_EQ(r.exit_code, 1) << Join(tc.args, " ");
    EXPECT_NE(r.err.find(tc.error), std::string::npos) << Join(tc.args, " ") << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
  EXPECT_EQ(Sql("SELECT COUNT(*) FROM app_versions"), versions);
  EXPECT_EQ(Sql("SELECT COUNT(*) FROM audit"), audit);
  EXPECT_EQ(Sql("SELECT id, version, metadata FROM apps ORDER BY id"), apps);

  // A dev app has no stage: an update applies to it directly.
  c = server_->CreateApp(
      {"--dev", "--spec", "proxy", "--param", "url=http://127.0.0.1:1", "-", "/devapp"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  auto u = Cli({"param", "update", "url", upstream.url(), "/devapp"});
  ASSERT_EQ(u.exit_code, 0) << u.err;
  EXPECT_NE(u.out.find("localhost:/devapp: param update, version 1 -> 2"), std::string::npos)
      << u.out;
  auto r = Curl({"-o", "/dev/null", "-w", "%{http_code}", "-H", "Host: localhost",
                 "http://127.0.0.1:" + std::to_string(server_->http_port()) + "/devapp/"});
  EXPECT_EQ(r.out, "200");
}

}  // namespace
}  // namespace berth::testing
