// Server: `berth server start`. Wires config, store, apps, the proxy listeners and the admin
// socket together, and runs until SIGTERM or SIGINT.
#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "server/config.h"

namespace berth::server {

class Server {
 public:
  explicit Server(Config config);
  ~Server();

  // Takes the home's lock, opens the store, binds every listener and starts serving.
  // Errors leave nothing running.
  Status Start();

  // Blocks until SIGTERM or SIGINT (which must be blocked in every thread before Start(); see
  // BlockShutdownSignals), then shuts down gracefully. Returns the exit code.
  int WaitForShutdownSignal();

  // Stops accepting, lets in-flight requests finish within the grace period, stops.
  void Shutdown();

  int http_port() const;
  int https_port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Blocks SIGTERM, SIGINT and SIGPIPE in the calling thread (threads started later inherit the
// mask), so the signals reach only the sigwait in WaitForShutdownSignal.
void BlockShutdownSignals();

// `berth server start`: loads the config, starts, waits; returns the exit code.
int RunServer(const std::string& config_file);

}  // namespace berth::server
