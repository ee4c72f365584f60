// Volumes end to end: an app's engine volumes (from the Containerfile's VOLUME, from --cvol and
// from app.star) keep their data through a param update and promote, an idle stop, a server
// restart and a version switch; prod and stage have their own; `volume list` shows them;
// `app delete` keeps them and `app delete --volumes` removes them. A real berth server driving
// real podman, through the proxy.
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>

#include "base/files.h"
#include "base/strings.h"
#include "support/harness.h"
#include "support/server_test.h"

namespace berth::testing {
namespace {

using nlohmann::json;

#define REQUIRE_PODMAN() REQUIRE_ENGINE_IMAGES("podman", "docker.io/library/python:3.12.5-slim")

// tests/support/backend.py in python:3.12.5-slim, with a VOLUME, and an app.star (overlaying
// the container spec's) that adds a named volume.
std::map<std::string, std::string> VolumeApp() {
  return {{"backend.py", *ReadFile(SupportFile("backend.py"))},
          {"Containerfile",
           "FROM python:3.12.5-slim\nCOPY backend.py /backend.py\nVOLUME /data\nEXPOSE 8000\n"
           "CMD exec python3 /backend.py --host 0.0.0.0 --port $PORT\n"},
          {"app.star",
           "load(\"proxy.in\", \"proxy\")\n"
           "load(\"container.in\", \"container\")\n"
           "app = ace.app(\"Volume App\",\n"
           "    routes=[ace.proxy(\"/\", proxy.config(container.URL))],\n"
           "    container=container.config(container.AUTO, port=param.port,\n"
           "                               volumes=[\"cache:/cache\"]),\n"
           "    permissions=[\n"
           "        ace.permission(\"proxy.in\", \"config\", [container.URL]),\n"
           "        ace.permission(\"container.in\", \"config\", [container.AUTO]),\n"
           "    ],\n"
           ")\n"}};
}

class VolumeE2E : public ServerTest {
 protected:
  // GET `path` on host vol.localhost: "body status".
  std::string Get(const std::string& path) { return ServerTest::Get(path, "vol.localhost"); }
  std::string Read(const std::string& prefix, const std::string& file) {
    return Get(prefix + "/file?path=" + file);
  }
  std::string Write(const std::string& prefix, const std::string& file, const std::string& text) {
    return Get(prefix + "/file?path=" + file + "&write=" + text);
  }

  // Names of the podman volumes with the label filter `label` (k=v).
  static std::vector<std::string> Volumes(const std::string& label) {
    auto r = RunCommand(
        {"podman", "volume", "ls", "--format", "{{.Name}}", "--filter", "label=" + label});
    std::vector<std::string> out;
    for (const auto& n : Split(std::string(Trim(r.out)), '\n')) {
      if (!n.empty()) out.push_back(n);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  json AppJson(const std::string& path) {
    auto r = Cli({"app", "list", "-i", "-f", "json", "vol.localhost:/"});
    json j = json::parse(r.out, nullptr, false);
    if (!j.is_array()) return json::object();
    for (const auto& a : j) {
      if (a["path"] == "vol.localhost:" + path) return a;
    }
    return json::object();
  }

  // Checks that prod still holds what the test wrote into each of its three volumes.
  void ExpectProdData(const std::string& when) {
    EXPECT_EQ(Read("", "/data/a"), "prod-data 200") << when << "\n" << server_->log();
    EXPECT_EQ(Read("", "/keep/k"), "prod-keep 200") << when;
    EXPECT_EQ(Read("", "/cache/c"), "prod-cache 200") << when;
  }
};

TEST_F(VolumeE2E, DataSurvivesChangesStopsRestartsAndSwitchesStageIsSeparateDeleteKeepsIt) {
  REQUIRE_PODMAN();
  StartServer();
  std::string dir = WriteAppDir(VolumeApp(), 0755);
  auto c = server_->CreateApp({"--spec", "container", "--cvol", "keep:/keep", "--conf",
                               "container.idle_shutdown_secs=3", dir, "vol.localhost:/"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  std::string prod_id = AppJson("/")["id"];
  std::string stage_id = AppJson("/_cl_stage")["id"];
  ASSERT_FALSE(prod_id.empty());
  ASSERT_FALSE(stage_id.empty());

  ASSERT_EQ(Write("", "/data/a", "prod-data"), "prod-data 200") << server_->log();
  ASSERT_EQ(Write("", "/keep/k", "prod-keep"), "prod-keep 200");
  ASSERT_EQ(Write("", "/cache/c", "prod-cache"), "prod-cache 200");
  EXPECT_EQ(Read("", "/tmp/not-a-volume"), "missing 404");

  // The stage app has its own volumes: empty at first, and what it writes stays its own.
  EXPECT_EQ(Read("/_cl_stage", "/data/a"), "missing 404");
  ASSERT_EQ(Write("/_cl_stage", "/data/a", "stage-data"), "stage-data 200");
  EXPECT_EQ(Read("", "/data/a"), "prod-data 200");

  std::vector<std::string> prod_volumes = {
      "berth-" + prod_id + "-cache", "berth-" + prod_id + "-data", "berth-" + prod_id + "-keep"};
  EXPECT_EQ(Volumes("berth.app.id=" + prod_id), prod_volumes);
  EXPECT_EQ(Volumes("berth.app.id=" + stage_id).size(), 3u);

  // A param update, promoted: a new prod container, the same volumes.
  auto u = Cli({"param", "update", "MARK", "two", "vol.localhost:/"});
  ASSERT_EQ(u.exit_code, 0) << u.err;
  EXPECT_EQ(Read("/_cl_stage", "/data/a"), "stage-data 200");
  auto p = Cli({"app", "promote", "vol.localhost:/"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_EQ(Get("/env?name=MARK"), "two 200");
  ExpectProdData("after param update and promote");

  // Idle stop (3 s), then the next request starts the container again.
  ASSERT_TRUE(
      WaitFor([&] { return AppJson("/")["state"] == "stopped"; }, std::chrono::seconds(60)));
  ExpectProdData("after an idle stop");

  // Server restart.
  server_->Stop(SIGTERM);
  Status s = server_->Start();
  ASSERT_TRUE(s.ok()) << s.ToString();
  ExpectProdData("after a server restart");

  // Version switch back to version 1 (without MARK).
  auto sw = Cli({"version", "switch", "previous", "vol.localhost:/"});
  ASSERT_EQ(sw.exit_code, 0) << sw.err;
  EXPECT_EQ(Get("/env?name=MARK"), " 200");
  ExpectProdData("after a version switch");
  EXPECT_EQ(Read("/_cl_stage", "/data/a"), "stage-data 200");

  // volume list: prod and stage, each volume with its engine name, existing.
  auto list = Cli({"volume", "list", "-f", "json", "vol.localhost:/"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  json vols = json::parse(list.out, nullptr, false);
  ASSERT_TRUE(vols.is_array()) << list.out;
  std::vector<std::string> seen;
  for (const auto& v : vols) {
    EXPECT_EQ(v["kind"], "volume") << v.dump();
    EXPECT_TRUE(v["exists"].get<bool>()) << v.dump();
    seen.push_back(v["path"].get<std::string>() + " " + v["destination"].get<std::string>() + " " +
                   v["source"].get<std::string>());
  }
  std::sort(seen.begin(), seen.end());
  std::vector<std::string> want;
  for (const auto& [path, id] :
       {std::pair{"vol.localhost:/", prod_id}, {"vol.localhost:/_cl_stage", stage_id}}) {
    for (const char* name : {"cache", "data", "keep"}) {
      want.push_back(std::string(path) + " /" + name + " berth-" + id + "-" + name);
    }
  }
  std::sort(want.begin(), want.end());
  EXPECT_EQ(seen, want);
  auto table = Cli({"app", "list", "--volumes", "vol.localhost:/"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("berth-" + prod_id + "-data"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("berth-" + stage_id + "-keep"), std::string::npos) << table.out;

  // Plain delete: the containers go, the volumes stay, and the output says how to remove them.
  auto del = Cli({"app", "delete", "vol.localhost:/"});
  ASSERT_EQ(del.exit_code, 0) << del.err;
  EXPECT_NE(del.out.find("Kept volumes"), std::string::npos) << del.out;
  EXPECT_NE(del.out.find("berth-" + prod_id + "-data"), std::string::npos) << del.out;
  EXPECT_NE(del.out.find("--volumes"), std::string::npos) << del.out;
  EXPECT_NE(del.out.find("podman volume rm berth-"), std::string::npos) << del.out;
  EXPECT_EQ(std::count(del.out.begin(), del.out.end(), '\n'), 2) << "deleted, kept: " << del.out;
  EXPECT_TRUE(WaitFor(
      [&] {
        return Trim(RunCommand({"podman", "ps", "-aq", "--filter", "label=berth.app.id=" + prod_id})
                        .out)
            .empty();
      },
      std::chrono::seconds(60)));
  EXPECT_EQ(Volumes("berth.app.id=" + prod_id), prod_volumes);
  EXPECT_EQ(Volumes("berth.app.id=" + stage_id).size(), 3u);
}

TEST_F(VolumeE2E, DeleteWithVolumesRemovesThemAlsoWhenTheAppIsStopped) {
  REQUIRE_PODMAN();
  StartServer();
  std::string dir = WriteAppDir(VolumeApp(), 0755);
  auto c = server_->CreateApp(
      {"--spec", "container", "--conf", "container.idle_shutdown_secs=2", dir, "vol.localhost:/"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  std::string prod_id = AppJson("/")["id"];
  std::string stage_id = AppJson("/_cl_stage")["id"];
  ASSERT_EQ(Write("", "/data/a", "x"), "x 200") << server_->log();
  ASSERT_EQ(Write("/_cl_stage", "/data/a", "y"), "y 200");
  ASSERT_EQ(Volumes("berth.app.id=" + prod_id).size(), 2u);
  ASSERT_EQ(Volumes("berth.app.id=" + stage_id).size(), 2u);
  ASSERT_TRUE(WaitFor(
      [&] {
        return AppJson("/")["state"] == "stopped" && AppJson("/_cl_stage")["state"] == "stopped";
      },
      std::chrono::seconds(60)));

  auto del = Cli({"app", "delete", "--volumes", "vol.localhost:/"});
  ASSERT_EQ(del.exit_code, 0) << del.err;
  EXPECT_NE(del.out.find("berth-" + prod_id + "-data"), std::string::npos) << del.out;
  EXPECT_EQ(del.out.find("Kept"), std::string::npos) << del.out;
  EXPECT_TRUE(WaitFor(
      [&] {
        return Volumes("berth.app.id=" + prod_id).empty() &&
               Volumes("berth.app.id=" + stage_id).empty();
      },
      std::chrono::seconds(60)))
      << server_->log();
  auto list = Cli({"volume", "list", "-f", "json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(Trim(list.out), "[]");
}

TEST_F(VolumeE2E, BadGlobIsAOneLineError) {
  StartServer();
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"volume", "list", "noslash"}, {"app", "list", "--volumes", "noslash"}}) {
    auto r = Cli(args);
    EXPECT_NE(r.exit_code, 0) << r.out;
    EXPECT_NE(r.err.find("app glob"), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
}

}  // namespace
}  // namespace berth::testing
