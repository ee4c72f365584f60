// The CLI as data: a table of commands against a real server, with the exit code and the
// output each must give. Errors are one line on stderr and leave nothing half-created.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/harness.h"

namespace berth::testing {
namespace {

struct Case {
  std::vector<std::string> args;
  int exit_code;
  std::string out_contains;  // in stdout ("" = don't care)
  std::string err;           // stderr, exactly ("" = must be empty)
};

TEST(CliE2E, CommandTable) {
  BerthServer server;
  ASSERT_TRUE(server.Start().ok());
  const std::string url = "url=http://127.0.0.1:" + std::to_string(UnusedPort());
  const Case cases[] = {
      {{"app", "create", "--spec", "proxy", "--approve", "--param", url, "-", "proxyapp.localhost:/"},
       0, "Created app proxyapp.localhost:/", ""},
      {{"app", "create", "--spec", "proxy", "--param", url, "-", "proxyapp.localhost:/"},
       1, "", "error: app proxyapp.localhost:/ already exists\n"},
      {{"app", "create", "--spec", "proxy", "--param", url, "-", "/a"}, 0, "Created app localhost:/a", ""},
      {{"app", "create", "--spec", "proxy", "--param", url, "-", "/a/b"},
       1, "", "error: app path localhost:/a/b is nested with app localhost:/a; apps on one domain cannot be nested\n"},
      {{"app", "create", "--spec", "proxy", "--param", url, "-", "/x_cl_y"},
       1, "", "error: app path \"/x_cl_y\": path segments containing _cl_ are reserved\n"},
      {{"app", "create", "--spec", "proxy", "--param", url, "-", "noslash"},
       1, "", "error: app path \"noslash\" must be [domain:]/path, e.g. /myapp or example.com:/\n"},
      {{"app", "create", "--spec", "proxy", "-", "/nourl"},
       1, "", "error: param url is a required param, a value has to be provided\n"},
      {{"app", "create", "--spec", "image", "--param", "image=nginx", "-", "/img"},
       1, "", "error: param port is a required param, a value has to be provided\n"},
      {{"app", "create", "--spec", "proxy", "--param", "url=ftp://x", "-", "/badurl"},
       1, "", "error: url \"ftp://x\" must start with http:// or https://\n"},
      {{"app", "create", "--spec", "proxy", "--param", "noequals", "-", "/kv"},
       1, "", "error: invalid --param \"noequals\": expected key=value\n"},
      {{"app", "create", "--spec", "proxy", "--param", url, "/no/such/folder", "/nofolder"},
       1, "", "error: source /no/such/folder does not exist\n"},
      {{"app", "create", "--dry-run", "--spec", "proxy", "--param", url, "-", "/dry"},
       0, "Dry run: would create app localhost:/dry", ""},
      {{"app", "list", "/dry"}, 0, "PATH", ""},
      {{"app", "list", "-f", "yaml"}, 1, "", "error: unknown format \"yaml\"; use table or json\n"},
      {{"app", "craete"}, 1, "", "error: unknown command \"app craete\" (did you mean \"app create\"?); run 'berth app --help'\n"},
      {{"ap", "list"}, 1, "", "error: unknown command group \"ap\" (did you mean \"app\"?); run 'berth --help'\n"},
      {{"app", "create", "--help"}, 0, "Example:\n  berth app create --spec proxy", ""},
      {{"app", "delete", "/nothing*"}, 1, "", "error: no app matches /nothing*\n"},
      {{"app", "delete", "/a"}, 0, "Deleted app localhost:/a", ""},
      {{"spec", "show", "nosuch"}, 1, "", ""},
      {{"app", "create", "--spec", "proxy", "--param", url, "--param", "1X=a", "-", "/p1"},
       1, "", "error: param name \"1X\" is not an environment variable name ([A-Za-z_][A-Za-z0-9_]*)\n"},
      {{"app", "create", "--spec", "proxy", "--param", url, "--param", "PORT=1", "-", "/p2"},
       1, "", "error: param name PORT is reserved: Berth sets it in the container\n"},
      {{"app", "create", "--spec", "proxy", "--param", url, "--conf", "container.idle_shutdown=1", "-", "/c1"},
       1, "", "error: unknown --conf key container.idle_shutdown (did you mean container.idle_shutdown_secs?)\n"},
      {{"app", "create", "--spec", "proxy", "--param", url, "--conf", "container.idle_shutdown_secs=abc", "-", "/c2"},
       1, "", "error: --conf container.idle_shutdown_secs=abc: must be a whole number (0 or more)\n"},
      {{"app", "create", "--spec", "proxy", "--param", "url=http://x/\xff", "-", "/bad8"},
       1, "", "error: argument 6 is not valid UTF-8\n"},
      {{"app", "create", "--spec", "proxy", "--param", url, "-", "/caf\xc3"},
       1, "", "error: argument 8 is not valid UTF-8\n"},
      {{"app", "create", "--spec", "proxy", "--param", url, "-", "/caf\u00e9"},
       1, "", "error: app path \"/caf\u00e9\" has a non-ASCII character: path segments take letters, digits and -_.~@+\n"},
      {{"app", "create", "--spec", "proxy", "--param", url, "-", "B\u00fccher.localhost:/"},
       0, "Created app xn--bcher-kva.localhost:/", ""},
  };
  for (const auto& c : cases) {
    std::string cmd;
    for (const auto& a : c.args) cmd += a + " ";
    CommandResult r = server.Cli(c.args);
    EXPECT_EQ(r.exit_code, c.exit_code) << cmd << "\n" << r.err;
    if (!c.out_contains.empty()) {
      EXPECT_NE(r.out.find(c.out_contains), std::string::npos) << cmd << "\n" << r.out;
    }
    if (c.exit_code == 0) {
      EXPECT_EQ(r.err, "") << cmd;
    } else if (!c.err.empty()) {
      EXPECT_EQ(r.err, c.err) << cmd;
    } else {
      EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << cmd << ": one line\n" << r.err;
    }
  }
  // Nothing half-created: exactly the apps that succeeded, each with its stage twin.
  auto list = server.Cli({"app", "list", "-i", "-f", "json"});
  auto apps = nlohmann::json::parse(list.out);
  std::vector<std::string> paths;
  for (const auto& a : apps) paths.push_back(a["path"]);
  EXPECT_EQ(paths, (std::vector<std::string>{"proxyapp.localhost:/", "proxyapp.localhost:/_cl_stage",
                                             "xn--bcher-kva.localhost:/",
                                             "xn--bcher-kva.localhost:/_cl_stage"}));
}

TEST(CliE2E, ServerNotRunningSaysHowToStartIt) {
  std::string home = MakeTempDir("berth-cli-nohome");
  auto r = RunCommand({BERTH_BINARY, "app", "list"}, {"BERTH_HOME=" + home});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("start it with: berth server start"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1);
}

// berth is the command line alone; `server start` runs berth-server from the same folder, in
// the same process (a supervisor following the pid keeps following the server).
TEST(CliE2E, ServerStartRunsTheServerBinaryBesideTheCommand) {
  BerthServer server;
  ASSERT_TRUE(server.Start().ok()) << server.log();
  auto comm = RunCommand({"cat", "/proc/" + std::to_string(server.pid()) + "/comm"});
  EXPECT_EQ(comm.out, "berth-server\n");
  auto libs = RunCommand({"ldd", BERTH_BINARY});
  EXPECT_EQ(libs.out.find("libssl"), std::string::npos) << libs.out;
  EXPECT_EQ(libs.out.find("libsqlite3"), std::string::npos) << libs.out;

  // Copied alone, berth cannot start a server, and says why in one line.
  std::string dir = MakeTempDir("berth-cli-alone");
  ASSERT_EQ(RunCommand({"cp", BERTH_BINARY, dir + "/berth"}).exit_code, 0);
  auto r = RunCommand({dir + "/berth", "server", "start"}, {"BERTH_HOME=" + dir + "/home"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "error: cannot run " + dir +
                       "/berth-server: No such file or directory (the server binary is installed "
                       "beside berth)\n");
}

TEST(CliE2E, AdminSocketIsPrivateAndStaleSocketIsReplaced) {
  BerthServer server;
  ASSERT_TRUE(server.Start().ok());
  auto st = RunCommand({"stat", "-c", "%a", server.home() + "/run/berth.sock"});
  EXPECT_EQ(st.out, "600\n");
  // kill -9 leaves the socket file behind; the next start replaces it.
  server.Stop(SIGKILL);
  BerthServer again("", server.home());
  ASSERT_TRUE(again.Start().ok()) << again.log();
  EXPECT_EQ(again.Cli({"app", "list"}).exit_code, 0);
}

}  // namespace
}  // namespace berth::testing
