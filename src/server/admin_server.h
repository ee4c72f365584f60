// AdminServer: JSON over HTTP on a unix socket (mode 0600), for the CLI. Handlers may block
// (SQLite, the container engine): they run on a small thread pool, never on the socket's
// thread. Beast stays inside admin_server.cc.
//
// The socket stays answerable when the process is out of descriptors: a spare one, held
// in reserve, is given up to accept a connection.
//
// Threads and lifetime: Listen, Start and Stop from one controlling thread. Stop waits for the
// handlers running, so what they use must outlive Stop, not only the server.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "base/status.h"

namespace berth::server {

struct AdminRequest {
  std::string method;  // "POST" for every protocol operation
  std::string path;    // "/api/v1/apps/list", without any query
  std::string body;
  int uid = -1;        // the peer's user id (SO_PEERCRED), -1 when unknown
};

struct AdminResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // Streaming: when >= 0, after `body` the response continues with what is read from this
  // descriptor until EOF (sent chunked), then `on_close` runs. The server owns the fd.
  int stream_fd = -1;
  std::function<void()> on_close;
};

using AdminHandler = std::function<AdminResponse(const AdminRequest&)>;

class AdminServer {
 public:
  AdminServer(AdminHandler handler, int pool_threads = 4);
  ~AdminServer();

  // Binds the socket. A stale socket file (nothing accepting on it) is replaced; a live server
  // on it is an error. The socket is made mode 0600.
  Status Listen(const std::string& socket_path);
  void Start();
  // Stops accepting and closes connections; waits for running handlers to return.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace berth::server
