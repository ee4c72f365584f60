// A server at its open-file limit: the admin socket still answers, new proxy connections are
// refused with 503 instead of hanging, and the proxy serves again once connections close.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "base/strings.h"
#include "support/harness.h"

namespace berth::testing {
namespace {

constexpr int kFileLimit = 256;

// Client sockets, closed at the end of the scope.
struct Sockets {
  std::vector<int> fds;
  ~Sockets() { CloseAll(); }
  void CloseAll() {
    for (int fd : fds) ::close(fd);
    fds.clear();
  }
};

// A connection to 127.0.0.1:port with a 30 s receive timeout (a hang guard), or -1.
int Connect(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  timeval tv{30, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool Send(int fd, const std::string& data) {
  return ::send(fd, data.data(), data.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(data.size());
}

// What a connection answers to one request: the bytes until the server closes it (or the
// receive timeout), "" for a reset or a close with nothing.
std::string Exchange(int port, const std::string& request) {
  int fd = Connect(port);
  if (fd < 0) return "";
  std::string out;
  if (Send(fd, request)) {
    char buf[4096];
    ssize_t n;
    while ((n = ::recv(fd, buf, sizeof(buf), 0)) > 0) out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

size_t OpenFds(pid_t pid) {
  std::error_code ec;
  std::filesystem::directory_iterator it("/proc/" + std::to_string(pid) + "/fd", ec);
  return ec ? 0 : static_cast<size_t>(std::distance(it, std::filesystem::directory_iterator()));
}

TEST(FdLimitE2E, AdminAnswersAndProxyRecoversAtTheOpenFileLimit) {
  Backend backend;
  ASSERT_TRUE(backend.Start().ok());
  BerthServer server("[system]\nworker_threads = 1\n");
  Status s = server.Start();
  ASSERT_TRUE(s.ok()) << s.ToString();
  auto c = server.Cli({"app", "create", "--spec", "proxy", "--approve", "--param",
                       "url=" + backend.url(), "-", "/"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  const int port = server.http_port();
  const std::string echo = "GET /echo HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
  ASSERT_TRUE(StartsWith(Exchange(port, echo), "HTTP/1.1 200")) << server.log();

  // The running server's limit comes down to 256 (soft and hard).
  auto p =
      RunCommand({"prlimit", "--pid", std::to_string(server.pid()),
                  "--nofile=" + std::to_string(kFileLimit) + ":" + std::to_string(kFileLimit)});
  ASSERT_EQ(p.exit_code, 0) << p.err;

  // Fill it: connections that each start a slow request (one descriptor for the client, one
  // for its upstream), until a new connection is not served. Each filling request holds the backend
  // for 30 s, longer than needed.
  Sockets fill;
  const std::string slow =
      "GET /slow?ms=30000 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
  bool full = false;
  std::string refusal;
  for (int i = 0; i < 2 * kFileLimit && !full; ++i) {
    int fd = Connect(port);
    ASSERT_GE(fd, 0) << "connect failed after " << i << " connections";
    fill.fds.push_back(fd);
    ASSERT_TRUE(Send(fd, slow));
    if (i % 8 == 7) {
      refusal = Exchange(port, echo);
      full = !StartsWith(refusal, "HTTP/1.1 200");
    }
  }
  ASSERT_TRUE(full) << "the proxy took " << fill.fds.size() << " connections";
  // Refused at once with a 503 (not left in the backlog until the probe's 30 s timeout).
  EXPECT_TRUE(StartsWith(refusal, "HTTP/1.1 503")) << "[" << refusal << "]";
  // The log says why, and what to do (the first refusal is warned at once).
  EXPECT_TRUE(WaitFor(
      [&] {
        return server.log().find("[warning] refused 1 new connection with 503") != std::string::npos;
      },
      std::chrono::seconds(5)))
      << server.log();
  EXPECT_NE(server.log().find("ulimit -n"), std::string::npos);
  std::cerr << "full: " << fill.fds.size() << " client connections, the server holds "
            << OpenFds(server.pid()) << " descriptors\n";

  // The admin socket answers (the 120 s of RunCommand only guard against a hang).
  auto list = server.Cli({"app", "list"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("localhost:/"), std::string::npos) << list.out;

  // Even with no descriptor free at all (the limit lowered to what the server holds), the
  // admin socket answers: it gives up its spare descriptor to accept.
  size_t held = OpenFds(server.pid());
  p = RunCommand({"prlimit", "--pid", std::to_string(server.pid()),
                  "--nofile=" + std::to_string(held) + ":" + std::to_string(kFileLimit)});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  list = server.Cli({"app", "list"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("localhost:/"), std::string::npos) << list.out;
  p = RunCommand({"prlimit", "--pid", std::to_string(server.pid()),
                  "--nofile=" + std::to_string(kFileLimit) + ":" + std::to_string(kFileLimit)});
  ASSERT_EQ(p.exit_code, 0) << p.err;

  // Once the connections close, the proxy serves again.
  fill.CloseAll();
  EXPECT_TRUE(WaitFor([&] { return StartsWith(Exchange(port, echo), "HTTP/1.1 200"); },
                      std::chrono::seconds(60)))
      << server.log();
  EXPECT_EQ(server.Cli({"app", "list"}).exit_code, 0);
  EXPECT_EQ(server.Stop(), 0) << server.log();
}

}  // namespace
}  // namespace berth::testing
