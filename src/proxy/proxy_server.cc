#include "proxy/proxy_server.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <deque>
#include <list>
#include <random>
#include <span>
#include <thread>
#include <unordered_map>
#include <variant>

#include "base/strings.h"
#include "proxy/connect_gate.h"
#include "proxy/header_transform.h"
#include "proxy/http_head.h"
#include "proxy/relay.h"
#include "proxy/request_check.h"
#include "proxy/timed_stream.h"
#include "proxy/upstream_pool.h"

namespace berth::proxy {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using beast::error_code;
using namespace asio::experimental::awaitable_operators;

namespace {

// ---------------------------------------------------------------------------------------------
// Workers and sessions.

struct SessionEntry {
  std::function<void()> close;  // closes the client connection
  bool idle = true;             // waiting for (the start of) a request
};

// New connections to one upstream that are not answered yet, across all workers (each worker
// gets its share), and how long one counts at most (see connect_gate.h).
constexpr int kUnansweredConnectsPerUpstream = 8;
constexpr std::chrono::milliseconds kUnansweredConnectHold{50};

struct Worker {
  Worker(size_t max_idle, std::chrono::milliseconds max_age, int connects)
      : ioc(1), pool(max_idle, max_age), sweeper(ioc), connects_per_upstream(connects) {}

  ConnectGate& GateFor(const std::string& key) {
    auto& gate = gates[key];
    if (!gate) gate = ConnectGate::Create(ioc, connects_per_upstream, kUnansweredConnectHold);
    return *gate;
  }
  // Drops the gates of upstreams nobody is connecting to (a restarted container has a new
  // port, so keys come and go).
  void SweepGates() {
    std::erase_if(gates, [](const auto& kv) { return kv.second->idle(); });
  }

  asio::io_context ioc;
  UpstreamPool pool;
  asio::steady_timer sweeper;
  const int connects_per_upstream;
  std::unordered_map<std::string, std::shared_ptr<ConnectGate>> gates;  // by pool key
  std::list<SessionEntry> sessions;                                     // this thread only
  std::thread thread;
};

struct Listener {
  tcp::acceptor acceptor;
  std::unique_ptr<asio::ssl::context> tls;  // null for plain HTTP
};

enum class Phase {
  kConnect,
  kSendRequest,
  kReadResponse,
  kSendResponse,
  kReadRequestBody,
  kBadRequestBody
};

}  // namespace

struct ProxyServer::Impl {
  Impl(ProxyOptions o, Router& r) : options(std::move(o)), router(r) {
    size_t n = options.threads > 0 ? static_cast<size_t>(options.threads)
                                   : std::max(1u, std::thread::hardware_concurrency());
    int connects = std::max(1, kUnansweredConnectsPerUpstream / static_cast<int>(n));
    for (size_t i = 0; i < n; ++i) {
      workers.push_back(std::make_unique<Worker>(options.upstream_pool_max_idle,
                                                 options.upstream_pool_idle, connects));
    }
    std::random_device rd;
    char id[16];
    std::snprintf(id, sizeof(id), "%08x", static_cast<unsigned>(rd()));
    via_pseudonym = std::string("berth-") + id;
    client_tls.set_default_verify_paths();
    client_tls.set_verify_mode(asio::ssl::verify_peer);
  }

  const ProxyOptions options;
  Router& router;
  std::vector<std::unique_ptr<Worker>> workers;
  std::vector<std::unique_ptr<Listener>> listeners;
  asio::ssl::context client_tls{asio::ssl::context::tls_client};
  // This server's name in Via headers, random per process: a request that already names it
  // has looped back (a proxy app pointing at Berth itself) and is refused with 508.
  std::string via_pseudonym;
  std::atomic<bool> stopping{false};
  std::atomic<size_t> next_worker{0};
  std::atomic<uint64_t> active_sessions{0};
  std::atomic<uint64_t> in_flight{0};
  std::atomic<uint64_t> accepted{0};
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> upstream_connects{0};
  std::atomic<int> accept_loops{0};
  bool started = false;

  Worker& NextWorker() { return *workers[next_worker++ % workers.size()]; }

  asio::awaitable<void> AcceptLoop(Listener& l);
  template <typename Stream>
  asio::awaitable<void> Session(Worker& w, Stream stream, std::string client_ip, bool tls);
  asio::awaitable<void> SweepLoop(Worker& w);
};

namespace {

std::string ReasonFor(const error_code& ec) {
  if (ec == asio::error::connection_refused) return "connection refused";
  if (ec == asio::error::connection_reset) return "connection reset by upstream";
  if (ec == http::error::end_of_stream || ec == asio::error::eof ||
      ec == http::error::partial_message) {
    return "upstream closed the connection";
  }
  if (IsTimeout(ec)) return "upstream timed out";
  return ec.message();
}

// A short plain-text response that Berth itself makes (404, 502, ...).
template <typename Stream>
asio::awaitable<bool> WriteSimple(Stream& stream, unsigned version, http::status status,
                                  std::string body, bool keep_alive,
                                  std::chrono::milliseconds timeout, int64_t retry_after_secs = 0) {
  http::response<http::string_body> res{status, version == 10 ? 10u : 11u};
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.set(http::field::cache_control, "no-store");
  if (retry_after_secs > 0) res.set(http::field::retry_after, std::to_string(retry_after_secs));
  res.body() = std::move(body);
  if (!res.body().empty() && res.body().back() != '\n') res.body().push_back('\n');
  res.keep_alive(keep_alive);
  res.prepare_payload();
  ExpiresAfter(stream, timeout);
  auto [ec, n] = co_await http::async_write(stream, res, kToken);
  co_return !ec;
}

bool IsWebSocketUpgrade(const http::request<http::buffer_body>& req) {
  if (req.method() != http::verb::get) return false;
  auto up = req.find(http::field::upgrade);
  if (up == req.end() || !EqualsIgnoreCase(Trim(up->value()), "websocket")) return false;
  for (auto it = req.find(http::field::connection);
       it != req.end() && it->name() == http::field::connection; ++it) {
    for (const auto& token : Split(it->value(), ',')) {
      if (EqualsIgnoreCase(Trim(token), "upgrade")) return true;
    }
  }
  return false;
}

bool IsIdempotent(http::verb v) {
  return v == http::verb::get || v == http::verb::head || v == http::verb::options ||
         v == http::verb::put || v == http::verb::delete_ || v == http::verb::trace;
}

bool IsIpLiteral(const std::string& host) {
  error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

// Acquires the route's upstream through the backend's async path, resuming on this thread.
template <typename Token>
auto AsyncAcquire(Backend& backend, Token&& token) {
  return asio::async_initiate<Token, void(Acquired)>(
      [&backend](auto handler) {
        auto ex = asio::get_associated_executor(handler);
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        backend.AcquireAsync([shared, ex](Acquired a) {
          asio::post(ex, [shared, a = std::move(a)]() mutable { (*shared)(std::move(a)); });
        });
      },
      token);
}

}  // namespace

// ---------------------------------------------------------------------------------------------

asio::awaitable<void> ProxyServer::Impl::AcceptLoop(Listener& l) {
  // A pending accept holds a socket of another worker's io_context: Shutdown waits for every
  // loop to end before it stops (and may destroy) the io_contexts.
  struct Running {
    std::atomic<int>& n;
    ~Running() { --n; }
  } running{accept_loops};
  while (!stopping) {
    Worker& w = NextWorker();
    auto [ec, accepted_socket] = co_await l.acceptor.async_accept(w.ioc, kToken);
    if (ec) {
      if (ec == asio::error::operation_aborted || !l.acceptor.is_open()) break;
      if (ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space) {
        // Out of file descriptors: back off instead of spinning.
        asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(50));
        co_await t.async_wait(kToken);
      }
      continue;
    }
    ++accepted;
    tcp::socket socket(std::move(accepted_socket));
    SetNoDelay(socket);
    error_code pec;
    auto peer = socket.remote_endpoint(pec);
    std::string ip = pec ? "" : peer.address().to_string();
    if (l.tls) {
      asio::co_spawn(
          w.ioc, Session(w, TlsStream(TimedStream(std::move(socket)), *l.tls), std::move(ip), true),
          asio::detached);
    } else {
      asio::co_spawn(w.ioc, Session(w, TimedStream(std::move(socket)), std::move(ip), false),
                     asio::detached);
    }
  }
}

asio::awaitable<void> ProxyServer::Impl::SweepLoop(Worker& w) {
  while (!stopping) {
    w.sweeper.expires_after(std::chrono::seconds(5));
    auto [ec] = co_await w.sweeper.async_wait(kToken);
    if (ec) break;
    w.pool.Sweep();
    w.SweepGates();
  }
}

template <typename Stream>
asio::awaitable<void> ProxyServer::Impl::Session(Worker& w, Stream stream, std::string client_ip,
                                                 bool tls) {
  ++active_sessions;
  w.sessions.push_back(SessionEntry{[&stream] { CloseStream(stream); }, true});
  auto entry = std::prev(w.sessions.end());
  const ProxyOptions& o = options;
  std::unique_ptr<char[]> relay_buf;  // allocated on the first request with a body
  std::string head;                   // a message head being written, reused

  if constexpr (std::is_same_v<Stream, TlsStream>) {
    ExpiresAfter(stream, o.client_header_timeout);
    auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, kToken);
    if (ec) {
      CloseStream(stream);
      w.sessions.erase(entry);
      --active_sessions;
      co_return;
    }
  }

  beast::flat_buffer buffer;
  bool first = true;
  while (!stopping) {
    // ---- Read the request header.
    http::request_parser<http::buffer_body> hp;
    hp.header_limit(static_cast<std::uint32_t>(o.max_header_bytes));
    hp.body_limit(boost::none);
    entry->idle = true;
    ExpiresAfter(stream, first ? o.client_header_timeout : o.keep_alive_timeout);
    first = false;
    auto [rec, rn] = co_await http::async_read_header(stream, buffer, hp, kToken);
    entry->idle = false;
    if (rec) {
      if (rec == http::error::header_limit) {
        co_await WriteSimple(stream, 11, http::status::request_header_fields_too_large,
                             "request header too large", false, o.body_timeout);
      } else if (rec != http::error::end_of_stream && rec != asio::error::eof &&
                 rec != asio::error::connection_reset && !IsTimeout(rec) &&
                 rec != asio::error::operation_aborted && rec != asio::error::bad_descriptor &&
                 rec.category() == http::make_error_code(http::error::bad_target).category()) {
        co_await WriteSimple(stream, 11, http::status::bad_request, "bad request", false,
                             o.body_timeout);
      }
      break;
    }

    ++requests;
    ++in_flight;
    auto start = std::chrono::steady_clock::now();
    auto& req = hp.get();
    const unsigned version = req.version();
    const bool client_keep_alive = req.keep_alive();
    const std::string method = o.access_log ? std::string(req.method_string()) : std::string();
    const std::string raw_target(req.target());
    RequestVerdict verdict = CheckRequest(req);
    const std::string& target = verdict.target;
    const std::string client_host =
        verdict.status ? std::string(req[http::field::host]) : verdict.host;
    const std::string via = (version == 10 ? "1.0 " : "1.1 ") + via_pseudonym;
    int status_code = 0;
    uint64_t bytes_out = 0;
    std::string app_id;
    bool keep = false;

    // The whole exchange; `break`-style exits through the lambda-less do/while(false).
    do {
      if (verdict.status) {
        // Broken framing or target: answer and close, since what follows cannot be trusted.
        status_code = static_cast<int>(verdict.status);
        co_await WriteSimple(stream, version, http::int_to_status(verdict.status), verdict.reason,
                             false, o.body_timeout);
        keep = false;
        break;
      }
      if (CameThrough(req, via_pseudonym)) {
        status_code = 508;
        co_await WriteSimple(stream, version, http::status::loop_detected,
                             "request loop: this request has already been through this Berth "
                             "server (an app proxies to Berth itself?)",
                             false, o.body_timeout);
        keep = false;
        break;
      }
      if (req[http::field::host] != client_host && !client_host.empty()) {
        req.set(http::field::host, client_host);  // an absolute-form target's authority
      }
      std::string_view path = TargetPath(target);
      auto table = router.Snapshot();
      const Route* route = path.empty() ? nullptr : table->Match(client_host, path);
      if (!route) {
        status_code = 404;
        keep = co_await WriteSimple(stream, version, http::status::not_found,
                                    "no app is served at " + NormalizeHost(client_host) +
                                        std::string(path.empty() ? "/" : path),
                                    client_keep_alive && hp.is_done(), o.body_timeout) &&
               client_keep_alive && hp.is_done();
        break;
      }
      app_id = route->app_id;
      const std::string app_path = route->path;
      const bool strip_app = route->strip_app;
      const bool preserve_host = route->preserve_host;
      std::shared_ptr<Backend> backend = route->backend;
      route = nullptr;
      table.reset();

      Acquired acq;
      if (!backend->TryAcquire(&acq)) {
        acq = co_await AsyncAcquire(*backend, asio::use_awaitable);
      }
      if (!acq.status.ok()) {
        status_code = acq.http_status;
        http::status st = http::int_to_status(static_cast<unsigned>(acq.http_status));
        bool k = client_keep_alive && hp.is_done();
        keep = co_await WriteSimple(stream, version, st, acq.status.message(), k, o.body_timeout,
                                    acq.retry_after_secs) &&
               k;
        break;
      }
      Activity* activity = acq.activity.get();
      if (activity) activity->Touch();
      const Upstream& up = acq.upstream;
      const bool upgrade = IsWebSocketUpgrade(req);

      // ---- Prepare the upstream request header in place.
      bool expect_continue = false;
      if (auto it = req.find(http::field::expect); it != req.end()) {
        expect_continue = EqualsIgnoreCase(Trim(it->value()), "100-continue");
        req.erase(http::field::expect);
      }
      std::string upstream_host = up.HostHeader();
      ForwardInfo info;
      info.client_ip = client_ip;
      info.tls = tls;
      info.client_host = client_host;
      info.app_path = app_path;
      info.preserve_host = preserve_host;
      info.upstream_host = upstream_host;
      info.upgrade = upgrade;
      info.via = via;
      TransformRequestHeaders(req, info);
      req.target(RewriteTarget(target, app_path, strip_app, up.base_path));
      req.version(11);
      if (hp.chunked()) {
        req.chunked(true);
      } else if (auto length = hp.content_length()) {
        req.content_length(*length);  // one value, however many the client repeated
      }
      if (!upgrade) req.keep_alive(true);

      // ---- Get an upstream connection: pooled, else new. A reused connection that turns
      // out dead before any response byte is retried once on a new one when the request has
      // no body (nothing of it has been consumed).
      // A backend may also ask for one more acquire after a refused connect (a container that
      // died behind its back is restarted, and this request waits for it).
      std::string pool_key = up.PoolKey();
      std::unique_ptr<UpstreamConn> conn;
      std::optional<http::response_parser<http::buffer_body>> rp_storage;
      error_code uec;
      Phase failed_phase = Phase::kConnect;
      bool body_sent = false;
      bool response_ok = false;
      bool reacquired = false;
      bool reacquire_failed = false;
      // A request may be sent again on a new connection when the pooled one it used turns out
      // dead before any response byte: only when it has no body (nothing of it was consumed)
      // and its method is idempotent.
      const bool replayable = hp.is_done() && IsIdempotent(req.method());
      bool stale_retried = false;
      // Held from before a new connection's connect until its response header (connect_gate.h).
      ConnectGate::Slot connect_slot;
      for (int attempt = 0; attempt < 3 && !response_ok; ++attempt) {
        connect_slot.Release();
        // Bodyless requests skip the liveness probe: a dead pooled connection costs them a
        // retry, which they can afford (see below); a request with a body cannot be replayed.
        conn = upgrade ? nullptr : w.pool.Take(pool_key, !replayable || stale_retried);
        if (!conn) {
          connect_slot = co_await w.GateFor(pool_key).Acquire();
          // Another request may have given a connection back to the pool while this one
          // waited at the gate.
          if (!upgrade) conn = w.pool.Take(pool_key, true);
          if (conn) connect_slot.Release();
        }
        if (!conn) {
          ++upstream_connects;
          tcp::endpoint ep;
          std::vector<tcp::endpoint> endpoints;
          if (IsIpLiteral(up.host)) {
            endpoints.emplace_back(asio::ip::make_address(up.host), up.port);
          } else {
            tcp::resolver resolver(w.ioc);
            auto [ec, results] =
                co_await resolver.async_resolve(up.host, std::to_string(up.port), kToken);
            if (ec) {
              uec = ec;
              failed_phase = Phase::kConnect;
              break;
            }
            for (const auto& r : results) endpoints.push_back(r.endpoint());
          }
          TimedStream ts(w.ioc);
          ts.expires_after(o.upstream_connect_timeout);
          auto [cec, cep] = co_await ts.async_connect(endpoints, kToken);
          if (cec) {
            uec = cec;
            failed_phase = Phase::kConnect;
            if (!reacquired && !IsTimeout(cec) && backend->RetryAfterConnectFailure(acq)) {
              reacquired = true;
              connect_slot.Release();  // the restart may take a while
              acq = co_await AsyncAcquire(*backend, asio::use_awaitable);
              if (!acq.status.ok()) {
                reacquire_failed = true;
                break;
              }
              activity = acq.activity.get();
              pool_key = up.PoolKey();
              if (!preserve_host) req.set(http::field::host, up.HostHeader());
              continue;
            }
            break;
          }
          SetNoDelay(ts.socket());
          if (up.tls) {
            TlsStream s(std::move(ts), client_tls);
            if (!IsIpLiteral(up.host)) {
              SSL_set_tlsext_host_name(s.native_handle(), up.host.c_str());
            }
            s.set_verify_callback(asio::ssl::host_name_verification(up.host));
            ExpiresAfter(s, o.upstream_connect_timeout);
            auto [hec] = co_await s.async_handshake(asio::ssl::stream_base::client, kToken);
            if (hec) {
              uec = hec;
              failed_phase = Phase::kConnect;
              break;
            }
            conn.reset(new UpstreamConn{std::move(s), {}, {}, false});
          } else {
            conn.reset(new UpstreamConn{std::move(ts), {}, {}, false});
          }
        }

        // ---- Send the request (header, then the streamed body).
        if (expect_continue && !hp.is_done()) {
          static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
          ExpiresAfter(stream, o.body_timeout);
          auto [ec, n] = co_await asio::async_write(stream, asio::buffer(kContinue), kToken);
          if (ec) {
            uec = ec;
            failed_phase = Phase::kSendResponse;
            break;
          }
          expect_continue = false;
        }
        if (!relay_buf && !hp.is_done()) relay_buf.reset(new char[kRelayBufferBytes]);
        RelayResult sent = co_await conn->Visit([&](auto& us) {
          return Relay<true>(stream, buffer, hp, us, hp.chunked(), head, relay_buf.get(),
                             o.body_timeout, activity);
        });
        if (sent.ec) {
          uec = sent.ec;
          failed_phase = sent.read_failed ? Phase::kReadRequestBody : Phase::kSendRequest;
          if (sent.read_failed &&
              uec.category() == http::make_error_code(http::error::bad_chunk).category() &&
              uec != http::error::end_of_stream && uec != http::error::partial_message) {
            failed_phase = Phase::kBadRequestBody;  // the body broke HTTP's framing
          }
          if (!sent.read_failed && conn->reused && sent.bytes == 0 && replayable &&
              !stale_retried) {
            stale_retried = true;
            continue;  // stale pooled connection: retry on a new one
          }
          break;
        }
        body_sent = true;

        // ---- Read the response header, skipping interim 1xx responses (but not 101).
        while (true) {
          auto& rp = rp_storage.emplace();
          rp.body_limit(boost::none);
          if (req.method() == http::verb::head) rp.skip(true);
          error_code hec;
          size_t hn = 0;
          // While the upstream thinks, a client that hangs up cancels the wait.
          auto first = co_await (conn->Visit([&](auto& us) {
            ExpiresAfter(us, o.upstream_timeout);
            return http::async_read_header(us, conn->buffer, rp, kToken);
          }) || ClientClosed(SocketOf(stream), conn->socket()));
          if (first.index() == 1) {
            uec = asio::error::operation_aborted;
            failed_phase = Phase::kSendResponse;  // the client went away
            break;
          }
          std::tie(hec, hn) = std::get<0>(first);
          if (hec) {
            uec = hec;
            failed_phase = Phase::kReadResponse;
            break;
          }
          unsigned s = rp.get().result_int();
          if (s >= 100 && s < 200 && s != 101) continue;
          if (s == 101 && !upgrade) {
            uec = http::error::bad_status;  // switching protocols nobody asked for
            failed_phase = Phase::kReadResponse;
            break;
          }
          response_ok = true;
          break;
        }
        if (!response_ok && conn->reused && replayable && !stale_retried && !IsTimeout(uec) &&
            (uec == http::error::end_of_stream || uec == asio::error::connection_reset ||
             uec == asio::error::eof || uec == http::error::partial_message)) {
          stale_retried = true;
          continue;
        }
        break;
      }
      connect_slot.Release();

      if (reacquire_failed) {
        status_code = acq.http_status;
        bool k = client_keep_alive && hp.is_done();
        keep = co_await WriteSimple(
                   stream, version, http::int_to_status(static_cast<unsigned>(acq.http_status)),
                   acq.status.message(), k, o.body_timeout, acq.retry_after_secs) &&
               k;
        break;
      }
      if (!response_ok) {
        // Nothing of the response has reached the client: answer 400/502/504 ourselves.
        if (failed_phase == Phase::kBadRequestBody) {
          status_code = 400;
          co_await WriteSimple(stream, version, http::status::bad_request,
                               "bad request body: " + uec.message(), false, o.body_timeout);
          keep = false;
          break;
        }
        if (failed_phase == Phase::kReadRequestBody || failed_phase == Phase::kSendResponse) {
          status_code = 499;  // the client went away or stalled
          keep = false;
          break;
        }
        bool timeout = IsTimeout(uec);
        status_code = timeout ? 504 : 502;
        std::string what =
            failed_phase == Phase::kConnect ? "cannot connect to upstream" : "upstream failed";
        std::string reason =
            uec == http::error::bad_status ? "it switched protocols unasked" : ReasonFor(uec);
        bool k = client_keep_alive && hp.is_done();
        keep = co_await WriteSimple(
                   stream, version,
                   timeout ? http::status::gateway_timeout : http::status::bad_gateway,
                   what + " " + up.HostHeader() + ": " + reason, k, o.body_timeout) &&
               k;
        (void)body_sent;
        break;
      }

      auto& rp = *rp_storage;
      auto& res = rp.get();
      status_code = static_cast<int>(res.result_int());
      const bool upstream_keep_alive = rp.keep_alive();

      // ---- WebSocket: after 101, relay raw bytes both ways until either side closes.
      if (upgrade && res.result() == http::status::switching_protocols) {
        TransformResponseHeaders(res, true, via);
        if (!acq.server_timing.empty()) res.set("Server-Timing", acq.server_timing);
        res.body().data = nullptr;
        res.body().size = 0;
        res.body().more = false;
        http::response_serializer<http::buffer_body> sr{res};
        ExpiresAfter(stream, o.body_timeout);
        auto [wec, wn] = co_await http::async_write_header(stream, sr, kToken);
        keep = false;
        if (wec) break;
        --in_flight;  // a long-lived tunnel is not a request in flight for shutdown purposes
        if (activity) activity->Upgraded();
        bool forwarded = co_await conn->Visit(
            [&](auto& us) { return WriteBuffered(us, buffer, o.body_timeout); });
        forwarded = forwarded && co_await WriteBuffered(stream, conn->buffer, o.body_timeout);
        if (forwarded) {
          co_await conn->Visit(
              [&](auto& us) { return Tunnel(stream, us, o.websocket_idle_timeout, activity); });
        }
        ++in_flight;
        break;
      }

      // ---- Relay the response to the client.
      TransformResponseHeaders(res, false, via);
      if (!acq.server_timing.empty()) res.set("Server-Timing", acq.server_timing);
      res.version(version == 10 ? 10 : 11);
      const unsigned s = res.result_int();
      const bool bodyless =
          req.method() == http::verb::head || s == 204 || s == 304 || (s >= 100 && s < 200);
      bool client_keep = client_keep_alive && !stopping;
      bool chunked_out = false;
      if (!bodyless && !rp.content_length()) {
        if (version == 10) {
          client_keep = false;  // close-delimited for HTTP/1.0 clients
        } else {
          res.chunked(true);
          chunked_out = true;
        }
      }
      res.keep_alive(client_keep);
      if (!relay_buf && !rp.is_done()) relay_buf.reset(new char[kRelayBufferBytes]);
      RelayResult got = co_await conn->Visit([&](auto& us) {
        return Relay<false>(us, conn->buffer, rp, stream, chunked_out, head, relay_buf.get(),
                            o.body_timeout, activity);
      });
      bytes_out = got.bytes;
      if (got.ec) {
        // Headers may be out already: all we can do is close the client connection.
        keep = false;
        break;
      }
      if (upstream_keep_alive && rp.is_done() && !upgrade) {
        w.pool.Put(pool_key, std::move(conn));
      }
      keep = client_keep && hp.is_done();
    } while (false);

    --in_flight;
    if (o.access_log) {
      auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                    .count();
      char dur[32];
      std::snprintf(dur, sizeof(dur), "%.1fms", ms);
      o.access_log(client_ip + " \"" + method + " " + NormalizeHost(client_host) + raw_target +
                   "\" " + std::to_string(status_code) + " " + std::to_string(bytes_out) + " " +
                   dur + " app=" + (app_id.empty() ? "-" : app_id));
    }
    if (!keep) break;
  }

  // ---- Close the client connection.
  if constexpr (std::is_same_v<Stream, TlsStream>) {
    if (SocketOf(stream).is_open()) {
      ExpiresAfter(stream, std::chrono::seconds(2));
      co_await stream.async_shutdown(kToken);
    }
  } else {
    error_code ec;
    SocketOf(stream).shutdown(tcp::socket::shutdown_send, ec);
  }
  CloseStream(stream);
  w.sessions.erase(entry);
  --active_sessions;
}

// ---------------------------------------------------------------------------------------------

ProxyServer::ProxyServer(ProxyOptions options, Router& router)
    : impl_(std::make_unique<Impl>(std::move(options), router)) {}

ProxyServer::~ProxyServer() {
  if (impl_->started) Shutdown(std::chrono::milliseconds(0));
}

Result<int> ProxyServer::Listen(const std::string& host, int port, SSL_CTX* tls) {
  error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec) return Status::InvalidArgument("invalid listen address \"" + host + "\"");
  tcp::endpoint ep(address, static_cast<unsigned short>(port));
  Worker& w = *impl_->workers[impl_->listeners.size() % impl_->workers.size()];
  auto l = std::make_unique<Listener>(Listener{tcp::acceptor(w.ioc), nullptr});
  l->acceptor.open(ep.protocol(), ec);
  if (!ec) l->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) l->acceptor.bind(ep, ec);
  if (!ec) l->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::Unavailable("cannot listen on " + host + ":" + std::to_string(port) + ": " +
                               ec.message());
  }
  if (tls) {
    // The wrapper frees its SSL_CTX: take a reference of our own for it.
    SSL_CTX_up_ref(tls);
    l->tls = std::make_unique<asio::ssl::context>(tls);
  }
  int bound = l->acceptor.local_endpoint().port();
  impl_->listeners.push_back(std::move(l));
  return bound;
}

void ProxyServer::Start() {
  Impl& im = *impl_;
  im.started = true;
  for (auto& l : im.listeners) {
    ++im.accept_loops;
    asio::co_spawn(l->acceptor.get_executor(), im.AcceptLoop(*l), asio::detached);
  }
  for (auto& w : im.workers) {
    asio::co_spawn(w->ioc, im.SweepLoop(*w), asio::detached);
    Worker* wp = w.get();
    w->thread = std::thread([wp] {
      auto guard = asio::make_work_guard(wp->ioc);
      wp->ioc.run();
    });
  }
}

bool ProxyServer::Shutdown(std::chrono::milliseconds grace) {
  Impl& im = *impl_;
  if (!im.started) return true;
  im.stopping = true;
  for (auto& l : im.listeners) {
    asio::post(l->acceptor.get_executor(), [lp = l.get()] {
      error_code ec;
      lp->acceptor.close(ec);
    });
  }
  // Close idle connections now and again while waiting (a connection may turn idle later).
  auto close_idle = [&im] {
    for (auto& w : im.workers) {
      asio::post(w->ioc, [wp = w.get()] {
        for (auto& s : wp->sessions) {
          if (s.idle) s.close();
        }
        wp->sweeper.cancel();
        wp->pool.Clear();
      });
    }
  };
  auto deadline = std::chrono::steady_clock::now() + grace;
  auto loops_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  bool clean = true;
  while (true) {
    close_idle();
    bool loops_done = im.accept_loops == 0 || std::chrono::steady_clock::now() >= loops_deadline;
    if (im.in_flight == 0 && loops_done) break;
    if (std::chrono::steady_clock::now() >= deadline && loops_done) {
      clean = im.in_flight == 0;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  for (auto& w : im.workers) w->ioc.stop();
  for (auto& w : im.workers) {
    if (w->thread.joinable()) w->thread.join();
  }
  im.started = false;
  return clean;
}

ProxyStats ProxyServer::Stats() const {
  return ProxyStats{impl_->accepted.load(), impl_->requests.load(), impl_->in_flight.load(),
                    impl_->upstream_connects.load()};
}

}  // namespace berth::proxy
