// Exchange: one request's way through a proxy session (proxy_session.cc): what the client
// asked, where it goes, how the exchange with the upstream went, and what the access log says
// about it. Filled in step by step by the session's members; touched by one worker thread.
// Internal to the proxy: included by proxy_session.cc only.
#pragma once

#include <boost/beast/core/error.hpp>
#include <boost/beast/http.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "proxy/connect_gate.h"
#include "proxy/request_check.h"
#include "proxy/upstream.h"
#include "proxy/upstream_pool.h"

namespace berth::proxy {

using RequestParser = boost::beast::http::request_parser<boost::beast::http::buffer_body>;
using ResponseParser = boost::beast::http::response_parser<boost::beast::http::buffer_body>;

// Where an exchange with the upstream broke, which decides the answer the client gets.
enum class Phase {
  kConnect,
  kSendRequest,
  kReadResponse,
  kSendResponse,     // writing to the client failed, or the client went away
  kReadRequestBody,  // the client's body stalled or ended early
  kBadRequestBody    // the client's body broke HTTP's framing
};

struct Exchange {
  Exchange(RequestParser& p, const std::string& via_pseudonym, bool log_method)
      : hp(p), req(p.get()) {
    version = req.version();
    client_keep_alive = req.keep_alive();
    if (log_method) method = std::string(req.method_string());
    raw_target = std::string(req.target());
    verdict = CheckRequest(req);
    client_host = verdict.status ? std::string(req[boost::beast::http::field::host]) : verdict.host;
    via = (version == 10 ? "1.0 " : "1.1 ") + via_pseudonym;
  }

  // The request.
  RequestParser& hp;
  boost::beast::http::request<boost::beast::http::buffer_body>& req;
  unsigned version = 11;
  bool client_keep_alive = false;
  std::string method;      // for the access log; "" without one
  std::string raw_target;  // as the client sent it
  RequestVerdict verdict;
  std::string client_host;
  std::string via;  // this server's Via entry

  // Its route and upstream.
  std::string app_id;
  std::string app_path;
  bool strip_app = false;
  bool preserve_host = false;
  std::shared_ptr<Backend> backend;
  Acquired acq;
  Activity* activity = nullptr;
  bool upgrade = false;          // a WebSocket upgrade
  bool expect_continue = false;  // the client waits for "100 Continue" before its body
  // It may be sent again on a new connection when the pooled one it used turns out dead before
  // any response byte: only when it has no body (nothing of it was consumed) and its method
  // is idempotent.
  bool replayable = false;

  // The exchange with the upstream.
  std::string pool_key;
  ConnectGate::Slot connect_slot;  // from before a new connection's connect to its answer
  std::unique_ptr<UpstreamConn> conn;
  std::optional<ResponseParser> rp;
  boost::beast::error_code uec;
  Phase failed_phase = Phase::kConnect;
  bool stale_retried = false;     // sent again after a dead pooled connection
  bool reacquired = false;        // asked the backend again after a refused connect
  bool reacquire_failed = false;  // ... and it answered with a failure (in acq)

  // The outcome.
  unsigned status_code = 0;
  uint64_t bytes_out = 0;
  bool keep = false;  // the client connection serves another request
};

}  // namespace berth::proxy
