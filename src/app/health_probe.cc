#include "app/health_probe.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace berth::app {

int ParseStatusLine(const std::string& line) {
  if (!line.starts_with("HTTP/1.")) return -1;
  size_t sp = line.find(' ');
  if (sp == std::string::npos || line.size() < sp + 4) return -1;
  int code = 0;
  for (size_t i = sp + 1; i < sp + 4; ++i) {
    if (line[i] < '0' || line[i] > '9') return -1;
    code = code * 10 + (line[i] - '0');
  }
  return code;
}

Result<int> SocketHealthProbe::Get(const std::string& host, int port, const std::string& path,
                                   std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto remaining_ms = [&] {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    return static_cast<int>(left < 0 ? 0 : left);
  };
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    return Status::InvalidArgument("health probe needs an IPv4 address, got " + host);
  }
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::IOError(std::string("socket: ") + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 &&
      errno != EINPROGRESS) {
    return Status::Unavailable(std::string("connect: ") + std::strerror(errno));
  }
  pollfd p{fd, POLLOUT, 0};
  if (::poll(&p, 1, remaining_ms()) <= 0) return Status::DeadlineExceeded("connect timed out");
  int err = 0;
  socklen_t len = sizeof(err);
  ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
  if (err != 0) return Status::Unavailable(std::string("connect: ") + std::strerror(err));

  std::string req = "GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + std::to_string(port) +
                    "\r\nUser-Agent: berth-health\r\nAccept: */*\r\nConnection: close\r\n\r\n";
  size_t sent = 0;
  while (sent < req.size()) {
    ssize_t n = ::send(fd, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR) {
      return Status::Unavailable(std::string("send: ") + std::strerror(errno));
    }
    pollfd w{fd, POLLOUT, 0};
    if (::poll(&w, 1, remaining_ms()) <= 0) return Status::DeadlineExceeded("send timed out");
  }
  std::string head;
  while (head.find("\r\n") == std::string::npos) {
    pollfd r{fd, POLLIN, 0};
    if (::poll(&r, 1, remaining_ms()) <= 0) return Status::DeadlineExceeded("no answer in time");
    char buf[512];
    ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n == 0) return Status::Unavailable("the app closed the connection without answering");
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return Status::Unavailable(std::string("recv: ") + std::strerror(errno));
    }
    head.append(buf, static_cast<size_t>(n));
    if (head.size() > 8192) break;
  }
  int code = ParseStatusLine(head.substr(0, head.find("\r\n")));
  if (code < 0) return Status::Unavailable("the app answered something that is not HTTP");
  return code;
}

}  // namespace berth::app
