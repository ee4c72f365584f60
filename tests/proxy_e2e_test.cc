// The `proxy` spec end to end: a real berth server, a real backend, real clients.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "base/files.h"
#include "base/hash.h"
#include "base/strings.h"
#include "support/harness.h"

namespace berth::testing {
namespace {

using nlohmann::json;

class ProxyE2E : public ::testing::Test {
 protected:
  void SetUpServer(const std::string& extra_toml = "") {
    ASSERT_TRUE(backend_.Start().ok());
    server_ = std::make_unique<BerthServer>(extra_toml);
    Status s = server_->Start();
    ASSERT_TRUE(s.ok()) << s.ToString();
    auto r = server_->Cli({"app", "create", "--spec", "proxy", "--approve", "--param",
                           "url=" + backend_.url(), "-", "proxyapp.localhost:/"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  std::string Http(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(server_->http_port()) + path;
  }
  std::vector<std::string> Resolve() const {
    return {"--resolve",
            "proxyapp.localhost:" + std::to_string(server_->https_port()) + ":127.0.0.1"};
  }
  std::string Https(const std::string& path) const {
    return "https://proxyapp.localhost:" + std::to_string(server_->https_port()) + path;
  }

  Backend backend_;
  std::unique_ptr<BerthServer> server_;
};

TEST_F(ProxyE2E, GetOverHttpAndHttpsWithForwardedHeaders) {
  SetUpServer();
  auto r = Curl({"-H", "Host: proxyapp.localhost", "-H", "X-Forwarded-For: 6.6.6.6",
                 Http("/hello?x=1")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["method"], "GET");
  EXPECT_EQ(j["path"], "/hello?x=1");
  EXPECT_EQ(j["headers"]["X-Forwarded-For"], "127.0.0.1");
  EXPECT_EQ(j["headers"]["X-Forwarded-Proto"], "http");
  EXPECT_EQ(j["headers"]["X-Forwarded-Host"], "proxyapp.localhost");
  EXPECT_EQ(j["headers"]["Host"], "127.0.0.1:" + std::to_string(backend_.port()));
  EXPECT_FALSE(j["headers"].contains("X-Forwarded-Prefix"));

  std::vector<std::string> args = Resolve();
  args.insert(args.end(), {"-k", Https("/secure")});
  r = Curl(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  j = json::parse(r.out);
  EXPECT_EQ(j["path"], "/secure");
  EXPECT_EQ(j["headers"]["X-Forwarded-Proto"], "https");
}

TEST_F(ProxyE2E, PathAppStripsPrefixAndSetsForwardedPrefix) {
  SetUpServer();
  auto c = server_->Cli({"app", "create", "--spec", "proxy", "--param", "url=" + backend_.url(),
                         "-", "/papp"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  auto r = Curl({Http("/papp/inner?q=2")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["path"], "/inner?q=2");
  EXPECT_EQ(j["headers"]["X-Forwarded-Prefix"], "/papp");
  // The stage twin serves too, at its own path.
  r = Curl({Http("/papp_cl_stage/x")});
  EXPECT_EQ(json::parse(r.out)["path"], "/x");
}

TEST_F(ProxyE2E, PostOf50MegabytesStreamsThrough) {
  SetUpServer();
  std::string dir = MakeTempDir("berth-post");
  std::string file = dir + "/body.bin";
  std::string data(50 * 1024 * 1024, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>((i * 131) % 251);
  ASSERT_TRUE(WriteFileAtomic(file, data).ok());
  std::string want = Sha256Hex(data);
  data.clear();
  auto r = Curl({"-H", "Host: proxyapp.localhost", "--data-binary", "@" + file, Http("/upload")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["body_length"], 50 * 1024 * 1024);
  EXPECT_EQ(j["body_sha256"], want);
  // Chunked upload, no Content-Length.
  r = Curl({"-H", "Host: proxyapp.localhost", "-H", "Transfer-Encoding: chunked",
            "--data-binary", "@" + file, Http("/upload")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  j = json::parse(r.out);
  EXPECT_EQ(j["body_length"], 50 * 1024 * 1024);
  EXPECT_EQ(j["body_sha256"], want);
}

TEST_F(ProxyE2E, ChunkedResponseAndLargeDownload) {
  SetUpServer();
  auto r = Curl({"-D", "-", "-H", "Host: proxyapp.localhost", Http("/chunked?n=50")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("chunk 0\n"), std::string::npos);
  EXPECT_NE(r.out.find("chunk 49\n"), std::string::npos);
  EXPECT_NE(r.out.find("Transfer-Encoding: chunked"), std::string::npos);
  r = Curl({"-o", "/dev/null", "-w", "%{size_download}", "-H", "Host: proxyapp.localhost",
            Http("/big?bytes=20000000")});
  EXPECT_EQ(r.out, "20000000");
}

TEST_F(ProxyE2E, WebSocketEchoOverHttpAndHttps) {
  SetUpServer();
  auto r = RunCommand({"python3", SupportFile("ws_client.py"), "127.0.0.1",
                std::to_string(server_->http_port()), "proxyapp.localhost", "/ws", "hello",
                "world"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "hello\nworld\n");
  r = RunCommand({"python3", SupportFile("ws_client.py"), "127.0.0.1",
           std::to_string(server_->https_port()), "proxyapp.localhost", "/ws", "secure", "--tls"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "secure\n");
}

TEST_F(ProxyE2E, KeepAliveReusesClientAndUpstreamConnections) {
  SetUpServer();
  auto r = Curl({"-H", "Host: proxyapp.localhost", "-w", "\n%{num_connects}\n", Http("/a"),
                 Http("/b"), Http("/c")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Three JSON bodies, each followed by the number of new connections curl made for it.
  std::vector<json> bodies;
  std::vector<int> connects;
  std::istringstream in(r.out);
  std::string body, count;
  while (std::getline(in, body) && std::getline(in, count)) {
    bodies.push_back(json::parse(body));
    connects.push_back(std::stoi(count));
  }
  ASSERT_EQ(bodies.size(), 3u);
  EXPECT_EQ(connects, (std::vector<int>{1, 0, 0})) << "the client connection was not reused";
  // The backend saw one upstream connection (same client port) for all three.
  EXPECT_EQ(bodies[0]["client_port"], bodies[1]["client_port"]);
  EXPECT_EQ(bodies[1]["client_port"], bodies[2]["client_port"]);
}

TEST_F(ProxyE2E, UpstreamClosingPooledConnectionsIsInvisible) {
  SetUpServer();
  // Every answer says keep-alive, then the backend closes that connection. Requests with and
  // without a body, some right after the close (same curl), some later, must all succeed.
  auto r = Curl({"-H", "Host: proxyapp.localhost", "-w", "\n", Http("/a?then_close=1"),
                 Http("/b?then_close=1"), Http("/c?then_close=1")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream in(r.out);
  std::string line;
  int answers = 0;
  while (std::getline(in, line)) {
    EXPECT_EQ(json::parse(line)["method"], "GET") << line;
    ++answers;
  }
  EXPECT_EQ(answers, 3);
  for (int i = 0; i < 3; ++i) {
    r = Curl({"-H", "Host: proxyapp.localhost", Http("/get?then_close=1")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(json::parse(r.out)["method"], "GET") << r.out;
    r = Curl({"-H", "Host: proxyapp.localhost", "--data-binary", "abc",
              Http("/post?then_close=1")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(json::parse(r.out)["body_length"], 3) << r.out;
  }
}

TEST_F(ProxyE2E, NotFoundBadGatewayAndGatewayTimeout) {
  SetUpServer("[proxy]\nupstream_timeout_secs = 1\n");
  auto r = Curl({"-w", "%{http_code}", "-H", "Host: other.localhost", Http("/nothing")});
  EXPECT_NE(r.out.find("404"), std::string::npos);
  EXPECT_NE(r.out.find("no app is served at"), std::string::npos);

  auto c = server_->Cli({"app", "create", "--spec", "proxy", "--param",
                         "url=http://127.0.0.1:" + std::to_string(UnusedPort()), "-",
                         "dead.localhost:/"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  r = Curl({"-w", "\n%{http_code}", "-H", "Host: dead.localhost", Http("/")});
  EXPECT_NE(r.out.find("connection refused"), std::string::npos) << r.out;
  EXPECT_TRUE(r.out.ends_with("502")) << r.out;

  r = Curl({"-w", "\n%{http_code}", "-H", "Host: proxyapp.localhost", Http("/close")});
  EXPECT_TRUE(r.out.ends_with("502")) << r.out;

  r = Curl({"-w", "\n%{http_code}", "-H", "Host: proxyapp.localhost", Http("/slow?ms=3000")});
  EXPECT_TRUE(r.out.ends_with("504")) << r.out;
}

// A proxy app whose URL is this server's own listener would send every request around in a
// loop: refused at create and at update, naming the port; nothing is created.
TEST_F(ProxyE2E, ProxyUrlOfBerthItselfIsRefused) {
  SetUpServer();
  for (const std::string& url :
       {"http://127.0.0.1:" + std::to_string(server_->http_port()),
        "https://localhost:" + std::to_string(server_->https_port()) + "/api",
        "http://loop.localhost:" + std::to_string(server_->http_port())}) {
    auto c = server_->Cli({"app", "create", "--spec", "proxy", "--param", "url=" + url, "-",
                           "/loop"});
    EXPECT_EQ(c.exit_code, 1) << url;
    EXPECT_NE(c.err.find("points at this Berth server's own listener"), std::string::npos)
        << c.err;
    EXPECT_EQ(Split(std::string(Trim(c.err)), '\n').size(), 1u) << c.err;
    EXPECT_EQ(server_->AppId("/loop"), "");
  }
  auto u = server_->Cli({"param", "update", "url",
                         "http://127.0.0.1:" + std::to_string(server_->http_port()),
                         "proxyapp.localhost:/"});
  EXPECT_EQ(u.exit_code, 1);
  EXPECT_NE(u.err.find("own listener"), std::string::npos) << u.err;
}

// A client that gives up on a slow answer, over HTTP and over HTTPS (where the hang-up is a
// close_notify alert and then the TCP close): Berth closes its upstream connection at once,
// rather than holding it until the upstream answers or its 120 s timeout.
TEST_F(ProxyE2E, AClientThatHangsUpClosesTheUpstreamRequest) {
  SetUpServer("[proxy]\nupstream_timeout_secs = 120\n");
  for (bool tls : {false, true}) {
    SCOPED_TRACE(tls ? "https" : "http");
    const std::string started = backend_.marker_dir() + "/hang-started";
    const std::string abandoned = backend_.marker_dir() + "/hang-abandoned";
    ::unlink(started.c_str());
    ::unlink(abandoned.c_str());
    std::vector<std::string> argv = {
        "python3",       SupportFile("hangup_client.py"),
        "127.0.0.1",     std::to_string(tls ? server_->https_port() : server_->http_port()),
        "proxyapp.localhost", "/hang", started};
    if (tls) argv.push_back("--tls");
    auto r = RunCommand(argv);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(WaitFor([&] { return PathExists(abandoned); }, std::chrono::seconds(30)))
        << "the upstream connection stayed open after the client left";
  }
}

TEST_F(ProxyE2E, SigtermLetsSlowRequestFinish) {
  SetUpServer();
  SpawnOptions o;
  o.argv = {"curl", "-s", "-H", "Host: proxyapp.localhost", Http("/slow?ms=1500")};
  o.stdout_to = Redirect::Pipe();
  auto curl = ChildProcess::Spawn(o);
  ASSERT_TRUE(curl.ok());
  int out_fd = curl->TakeStdout();
  ASSERT_TRUE(WaitFor([&] { return PathExists(backend_.marker_dir() + "/slow-started"); },
                      std::chrono::seconds(30)));
  int server_exit = server_->Stop(SIGTERM);
  std::string body;
  char buf[256];
  ssize_t n;
  while ((n = ::read(out_fd, buf, sizeof(buf))) > 0) body.append(buf, static_cast<size_t>(n));
  ::close(out_fd);
  EXPECT_EQ(*curl->Wait(), 0);
  EXPECT_EQ(body, "slow done\n");
  EXPECT_EQ(server_exit, 0);
}

TEST_F(ProxyE2E, SecondServerOnSameHomeRefuses) {
  SetUpServer();
  auto r = server_->StartAnotherOnSameHome();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("already running"), std::string::npos) << r.err;
  // The first one still serves.
  auto c = Curl({"-H", "Host: proxyapp.localhost", Http("/still")});
  EXPECT_EQ(json::parse(c.out)["path"], "/still");
}

}  // namespace
}  // namespace berth::testing
