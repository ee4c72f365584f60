// Secrets in use, end to end: `{{secret ...}}` params resolved from the env, prop and db
// providers when the container starts, the product document's cl_secret template rendered into
// the container, rotation giving a new container, and the values nowhere else: not in the
// database, the server log, `app list`, `param list`, `version list` or an error. A real berth
// server driving real podman, through the proxy.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "base/files.h"
#include "base/strings.h"
#include "support/harness.h"
#include "support/server_test.h"

namespace berth::testing {
namespace {

using nlohmann::json;

// Distinctive values, with the characters an HTML-escaping template or a shell would mangle.
const std::string kEnvValue = "env-V4LUE&<>\"'$x";
const std::string kPropValue = "prop-V4LUE-1";
const std::string kDbValue = "db-V4LUE&<>";

class SecretParamsE2E : public ServerTest {
 protected:
  void SetUp() override {
    REQUIRE_ENGINE_IMAGES("podman", "docker.io/library/python:3.12.5-slim");
    dir_ = MakeTempDir("berth-secret-use");
    props_ = dir_ + "/secrets.properties";
    ASSERT_TRUE(WriteFileAtomic(props_, "db.pass = " + kPropValue + "\n", 0600).ok());
    StartServer("[secret.prop_test]\nfile_name = \"" + props_ + "\"\n",
                {"BERTH_TEST_TOKEN=" + kEnvValue});
  }

  // An app folder serving tests/support/backend.py, plus `extra` files.
  std::string AppDir(std::map<std::string, std::string> extra = {}) {
    extra["backend.py"] = *ReadFile(SupportFile("backend.py"));
    extra["Containerfile"] =
        "FROM python:3.12.5-slim\nCOPY backend.py /backend.py\nEXPOSE 8000\n"
        "CMD exec python3 /backend.py --host 0.0.0.0 --port $PORT\n";
    return WriteAppDir(extra);
  }

  // Every place a value must never reach.
  void ExpectNowhere(const std::string& value) {
    std::string db = server_->home() + "/metadata/berth.db";
    std::string bytes = ReadFile(db).value_or("") + ReadFile(db + "-wal").value_or("") +
                        RunCommand({"sqlite3", db, ".dump"}).out;
    EXPECT_EQ(bytes.find(value), std::string::npos) << "in the database";
    EXPECT_EQ(server_->log().find(value), std::string::npos) << "in the server log";
    for (const auto& args :
         std::vector<std::vector<std::string>>{{"app", "list", "-f", "json", "-i", "all"},
                                               {"param", "list", "/s"},
                                               {"param", "list", "-f", "json", "/s"},
                                               {"version", "list", "-f", "json", "/s"},
                                               {"app", "audit", "all"}}) {
      auto r = Cli(args);
      EXPECT_EQ(r.out.find(value) + r.err.find(value), 2 * std::string::npos)
          << Join(args, " ") << ": " << r.out << r.err;
    }
  }

  std::string dir_, props_;
};

TEST_F(SecretParamsE2E, ParamsFromEveryProviderReachTheContainerAndNothingElse) {
  auto stored = server_->CliWithInput({"secret", "create", "db", "DB_PASS", "-"}, kDbValue + "\n");
  ASSERT_EQ(stored.exit_code, 0) << stored.err;
  auto c = server_->CreateApp(
      {"--spec", "container", "--param", "ENV_S={{secret \"BERTH_TEST_TOKEN\"}}", "--param",
       "PROP_S={{secret \"prop_test\" \"db\" \"pass\"}}", "--param",
       "DB_S=x-{{secret_from \"db\" \"DB_PASS\"}}", "--param", "PLAIN=plain", AppDir(), "/s"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(Get("/s/env?name=ENV_S"), kEnvValue + " 200");
  EXPECT_EQ(Get("/s/env?name=PROP_S"), kPropValue + " 200");
  EXPECT_EQ(Get("/s/env?name=DB_S"), "x-" + kDbValue + " 200");
  EXPECT_EQ(Get("/s/env?name=PLAIN"), "plain 200");
  // param list shows the templates as written.
  auto params = Cli({"param", "list", "/s"});
  EXPECT_NE(params.out.find("{{secret \"BERTH_TEST_TOKEN\"}}"), std::string::npos) << params.out;
  ExpectNowhere("V4LUE");

  const std::string id = server_->AppId("/s");
  auto before = Containers(id);
  ASSERT_EQ(before.size(), 1u);
  // Unchanged secrets: a restart starts the same container again.
  ASSERT_EQ(Cli({"app", "restart", "/s"}).exit_code, 0);
  EXPECT_EQ(Get("/s/env?name=PROP_S"), kPropValue + " 200");
  EXPECT_EQ(Containers(id), before);

  // A rotated secret: the next start runs a new container with the new value, the old goes.
  ASSERT_TRUE(WriteFileAtomic(props_, "db.pass = prop-V4LUE-2\n", 0600).ok());
  ASSERT_EQ(Cli({"app", "restart", "/s"}).exit_code, 0);
  EXPECT_EQ(Get("/s/env?name=PROP_S"), "prop-V4LUE-2 200");
  EXPECT_TRUE(WaitFor([&] { return Containers(id).size() == 1 && Containers(id) != before; },
                      std::chrono::seconds(30)))
      << Join(Containers(id), ",");

  // The built-in store survives a rekey.
  ASSERT_EQ(Cli({"secret", "rekey"}).exit_code, 0);
  ASSERT_EQ(Cli({"app", "restart", "/s"}).exit_code, 0);
  EXPECT_EQ(Get("/s/env?name=DB_S"), "x-" + kDbValue + " 200");

  // A key no provider has: the stage's start fails naming the provider and key, and nothing
  // else; a promote refuses it and prod goes on serving.
  auto u = Cli({"param", "update", "GONE", "{{secret \"prop_test\" \"no.such\"}}", "/s"});
  ASSERT_EQ(u.exit_code, 0) << u.err;
  std::string failed = Get("/s_cl_stage/env?name=GONE");
  EXPECT_TRUE(failed.ends_with(" 503")) << failed;
  EXPECT_NE(failed.find("no.such"), std::string::npos) << failed;
  EXPECT_NE(failed.find("prop_test"), std::string::npos) << failed;
  EXPECT_NE(failed.find("param GONE"), std::string::npos) << failed;
  auto p = Cli({"app", "promote", "/s"});
  EXPECT_EQ(p.exit_code, 1);
  EXPECT_NE(p.err.find("prod stays"), std::string::npos) << p.err;
  EXPECT_NE(p.err.find("no.such"), std::string::npos) << p.err;
  EXPECT_EQ(Get("/s/env?name=DB_S"), "x-" + kDbValue + " 200");
  ExpectNowhere("V4LUE");
}

// The product document's cl_secret example: a template in the source rendered with the params
// (secrets resolved) into a file mounted read-only in the container.
TEST_F(SecretParamsE2E, ClSecretTemplateIsRenderedIntoTheContainer) {
  const std::string tmpl =
      "[DEFAULT]\n{{range $k, $v := .params}}\n{{- $k -}} = {{- $v }}\n{{end}}";
  auto c = server_->CreateApp({"--spec", "container", "--param", "A_USER=me&<you>", "--param",
                               "B_TOKEN={{secret \"BERTH_TEST_TOKEN\"}}",
                               AppDir({{"secret.tmpl", tmpl}}), "/s"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  auto u = Cli({"app", "update-metadata", "cvol", "--promote",
                "cl_secret:secret.tmpl:/app/secret.ini", "/s"});
  ASSERT_EQ(u.exit_code, 0) << u.err;
  EXPECT_EQ(Get("/s/file?path=/app/secret.ini"),
            "[DEFAULT]\nA_USER=me&<you>\nB_TOKEN=" + kEnvValue + "\nport=0 200");
  // Read-only in the container; 0600 on the host, in the container's own folder.
  const std::string id = server_->AppId("/s");
  auto names = Containers(id);
  ASSERT_EQ(names.size(), 1u);
  auto w = RunCommand({"podman", "exec", names[0], "sh", "-c", "echo x > /app/secret.ini"});
  EXPECT_NE(w.exit_code, 0);
  std::string file = server_->home() + "/run/secrets/" + names[0] + "/0-secret.tmpl";
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0) << file;
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ExpectNowhere("V4LUE");

  // A param change renders the file again.
  ASSERT_EQ(Cli({"param", "update", "--promote", "A_USER", "them", "/s"}).exit_code, 0);
  EXPECT_EQ(Get("/s/file?path=/app/secret.ini"),
            "[DEFAULT]\nA_USER=them\nB_TOKEN=" + kEnvValue + "\nport=0 200");
  // The replaced container's rendered file goes with it.
  EXPECT_TRUE(WaitFor([&] { return !PathExists(file); }, std::chrono::seconds(30)));

  // A server restart adopts the running container (found by its plan) and keeps its file.
  names = Containers(id);
  ASSERT_EQ(names.size(), 1u);
  file = server_->home() + "/run/secrets/" + names[0] + "/0-secret.tmpl";
  ASSERT_TRUE(PathExists(file));
  server_->Stop(SIGTERM);
  ASSERT_TRUE(server_->Start().ok());
  // Adopted without a request: the app is running before anything asks for it.
  EXPECT_TRUE(WaitFor(
      [&] {
        auto j = json::parse(Cli({"app", "list", "-f", "json", "/s"}).out, nullptr, false);
        return j.is_array() && !j.empty() && j[0]["state"] == "running";
      },
      std::chrono::seconds(60)));
  EXPECT_EQ(Get("/s/file?path=/app/secret.ini"),
            "[DEFAULT]\nA_USER=them\nB_TOKEN=" + kEnvValue + "\nport=0 200");
  EXPECT_EQ(Containers(id), names);
  EXPECT_NE(server_->log().find("adopted running container " + names[0]), std::string::npos)
      << server_->log();
  EXPECT_TRUE(PathExists(file));

  // A template error: the start fails naming the file, line and column.
  ASSERT_EQ(
      Cli({"app", "update-metadata", "cvol", "--promote", "cl_secret:broken.tmpl:/app/b.ini", "/s"})
          .exit_code,
      1);  // not in the source: refused at once
  names = Containers(id);
  ASSERT_EQ(Cli({"app", "delete", "/s"}).exit_code, 0);
  EXPECT_TRUE(WaitFor([&] { return !PathExists(server_->home() + "/run/secrets/" + names[0]); },
                      std::chrono::seconds(30)));
}

// Secrets that the app's own source reads need --approve, and its allow-list holds.
TEST_F(SecretParamsE2E, SourceThatReadsSecretsNeedsApprovalAndKeepsToItsAllowList) {
  const std::string app_star = R"(load("proxy.in", "proxy")
load("container.in", "container")
app = ace.app("Reader",
    routes=[ace.proxy("/", proxy.config(container.URL))],
    container=container.config(container.AUTO, port=param.port,
                               volumes=["cl_secret:conf.tmpl:/app/conf.txt"]),
    permissions=[
        ace.permission("proxy.in", "config", [container.URL]),
        ace.permission("container.in", "config", [container.AUTO],
                       secrets=[["regex:BERTH_TEST_.*"]]),
    ],
)
)";
  std::string dir =
      AppDir({{"app.star", app_star}, {"conf.tmpl", "token={{secret \"BERTH_TEST_TOKEN\"}}\n"}});
  auto refused = Cli({"app", "create", "--spec", "container", dir, "/s"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("read secrets (allowed: [regex:BERTH_TEST_.*]) through template "
                             "conf.tmpl"),
            std::string::npos)
      << refused.err;
  EXPECT_NE(refused.err.find("--approve"), std::string::npos);
  EXPECT_EQ(server_->AppId("/s"), "");

  // A dry run lists what --approve would grant; the create says what it granted.
  auto dry = Cli({"app", "create", "--dry-run", "--approve", "--spec", "container", dir, "/s"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_NE(dry.out.find("  would approve: read secrets (allowed: [regex:BERTH_TEST_.*]) "
                         "through template conf.tmpl\n"),
            std::string::npos)
      << dry.out;
  EXPECT_EQ(server_->AppId("/s"), "");
  auto c = server_->CreateApp({"--spec", "container", dir, "/s"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_NE(c.out.find("  approved: read secrets"), std::string::npos) << c.out;
  EXPECT_EQ(Get("/s/file?path=/app/conf.txt"), "token=" + kEnvValue + " 200");

  // A key outside the allow-list fails the start with the reason.
  auto u = Cli({"param", "update", "HOME_DIR", "{{secret \"HOME\"}}", "/s"});
  ASSERT_EQ(u.exit_code, 0) << u.err;
  std::string failed = Get("/s_cl_stage/");
  EXPECT_TRUE(failed.ends_with(" 503")) << failed;
  EXPECT_NE(failed.find("may not read secret HOME"), std::string::npos) << failed;
}

}  // namespace
}  // namespace berth::testing
