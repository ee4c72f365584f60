// HealthProbe: one HTTP GET to a container's health path, blocking, with a deadline. The seam
// lets lifecycle tests run without sockets. Implementations are thread-safe (job threads probe
// different apps at once).
#pragma once

#include <chrono>
#include <string>

#include "base/status.h"

namespace berth::app {

class HealthProbe {
 public:
  virtual ~HealthProbe() = default;
  // The HTTP status of GET http://host:port/path, or why there is none (Unavailable for a
  // refused or reset connection, DeadlineExceeded when `timeout` passes).
  virtual Result<int> Get(const std::string& host, int port, const std::string& path,
                          std::chrono::milliseconds timeout) = 0;
};

// Plain sockets: connect, send a HTTP/1.1 request with Connection: close, read the status line.
class SocketHealthProbe : public HealthProbe {
 public:
  Result<int> Get(const std::string& host, int port, const std::string& path,
                  std::chrono::milliseconds timeout) override;
};

// Parses the status code of an HTTP status line ("HTTP/1.1 200 OK"); -1 if malformed.
int ParseStatusLine(const std::string& line);

}  // namespace berth::app
