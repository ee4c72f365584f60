#include "proxy/proxy_session.h"

#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/strings.h"
#include "proxy/exchange.h"
#include "proxy/header_transform.h"
#include "proxy/http_head.h"
#include "proxy/relay.h"
#include "proxy/replay_policy.h"
#include "proxy/request_check.h"

namespace berth::proxy {

// asio, beast, http, tcp and error_code come from relay.h.
using namespace asio::experimental::awaitable_operators;

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

// How reading the upstream's response head failed, for the replay policy.
UpstreamFailure ReadFailure(const error_code& ec) {
  if (IsTimeout(ec)) return UpstreamFailure::kTimedOut;
  if (ec == http::error::end_of_stream || ec == asio::error::connection_reset ||
      ec == asio::error::eof || ec == http::error::partial_message) {
    return UpstreamFailure::kClosedBeforeAnswer;
  }
  return UpstreamFailure::kOther;
}

FailedAttempt FailureOf(const Exchange& x, UpstreamFailure failure, uint64_t bytes_sent) {
  FailedAttempt a;
  a.failure = failure;
  a.pooled = x.conn->reused;
  a.replayable = x.replayable;
  a.replayed = x.stale_retried;
  a.bytes_sent = bytes_sent;
  return a;
}

// What one attempt at the upstream came to.
enum class Step { kDone, kRetry };
enum class Connected { kYes, kFailed, kAgain };  // kAgain: the backend gave another upstream
enum class Sent { kYes, kFailed, kStale };       // kStale: a dead pooled connection, nothing lost

template <typename Stream>
class Session {
 public:
  Session(ProxyShared& shared, Worker& worker, Stream stream, std::string client_ip, bool tls)
      : shared_(shared),
        o_(shared.options),
        worker_(worker),
        stream_(std::move(stream)),
        client_ip_(std::move(client_ip)),
        tls_(tls) {}

  asio::awaitable<void> Run() {
    worker_.sessions.push_back(SessionEntry{[this] { CloseStream(stream_); }, true});
    entry_ = std::prev(worker_.sessions.end());
    // No co_await stands in a condition in this file: with g++ 12, `if (co_await F())` was
    // seen resuming F's frame after it had been freed (a SIGILL in the ProxyHostile tests).
    const bool secured = co_await Handshake();
    if (secured) {
      for (bool first = true; !shared_.stopping; first = false) {
        RequestParser hp;
        const bool got = co_await ReadRequestHead(hp, first);
        if (!got) break;
        ++shared_.requests;
        ++shared_.in_flight;
        const auto start = std::chrono::steady_clock::now();
        Exchange x(hp, shared_.via_pseudonym, static_cast<bool>(o_.access_log));
        co_await Serve(x);
        shared_.RequestEnded();
        Log(x, start);
        if (!x.keep) break;
      }
      co_await ShutDownStream();
    }
    CloseStream(stream_);
    worker_.sessions.erase(entry_);
  }

 private:
  asio::awaitable<bool> Handshake() {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      ExpiresAfter(stream_, o_.client_header_timeout);
      auto [ec] = co_await stream_.async_handshake(asio::ssl::stream_base::server, kToken);
      co_return !ec;
    }
    co_return true;
  }

  // Reads the next request's head into `hp`. False when the connection ends here: closed,
  // timed out, or a head too large or malformed (answered with 431 or 400 first).
  asio::awaitable<bool> ReadRequestHead(RequestParser& hp, bool first) {
    hp.header_limit(static_cast<std::uint32_t>(o_.max_header_bytes));
    hp.body_limit(boost::none);
    entry_->idle = true;
    ExpiresAfter(stream_, first ? o_.client_header_timeout : o_.keep_alive_timeout);
    auto [ec, n] = co_await http::async_read_header(stream_, buffer_, hp, kToken);
    entry_->idle = false;
    if (!ec) co_return true;
    if (ec == http::error::header_limit) {
      co_await WriteSimple(stream_, 11, http::status::request_header_fields_too_large,
                           "request header too large", false, o_.body_timeout);
    } else if (ec != http::error::end_of_stream && ec != asio::error::eof &&
               ec != asio::error::connection_reset && !IsTimeout(ec) &&
               ec != asio::error::operation_aborted && ec != asio::error::bad_descriptor &&
               ec.category() == http::make_error_code(http::error::bad_target).category()) {
      co_await WriteSimple(stream_, 11, http::status::bad_request, "bad request", false,
                           o_.body_timeout);
    }
    co_return false;
  }

  // The whole exchange of one request; sets x.status_code, x.bytes_out and x.keep.
  asio::awaitable<void> Serve(Exchange& x) {
    if (x.verdict.status) {
      // Broken framing or target: answer and close, since what follows cannot be trusted.
      co_await Answer(x, x.verdict.status, x.verdict.reason, false);
      co_return;
    }
    if (CameThrough(x.req, shared_.via_pseudonym)) {
      co_await Answer(x, 508,
                      "request loop: this request has already been through this Berth server "
                      "(an app proxies to Berth itself?)",
                      false);
      co_return;
    }
    const bool routed = co_await RouteAndAcquire(x);
    if (!routed) co_return;
    PrepareUpstreamRequest(x);
    const bool answered = co_await ObtainResponse(x);
    if (!answered) {
      co_await AnswerUpstreamFailure(x);
      co_return;
    }
    x.status_code = x.rp->get().result_int();
    if (x.upgrade && x.rp->get().result() == http::status::switching_protocols) {
      co_await TunnelWebSocket(x);
    } else {
      co_await RelayResponse(x);
    }
  }

  // Berth's own short answer. The connection stays open only when `may_keep`, the client
  // wants it, and its request has been read whole.
  asio::awaitable<void> Answer(Exchange& x, unsigned status, std::string message, bool may_keep,
                               int64_t retry_after_secs = 0) {
    x.status_code = status;
    const bool keep = may_keep && x.client_keep_alive && x.hp.is_done();
    x.keep = co_await WriteSimple(stream_, x.version, http::int_to_status(status),
                                  std::move(message), keep, o_.body_timeout, retry_after_secs) &&
             keep;
  }

  // Finds the request's app and gets an upstream from its backend (which may start its
  // container first). False when it answered the request itself (404, 503, ...).
  asio::awaitable<bool> RouteAndAcquire(Exchange& x) {
    if (x.req[http::field::host] != x.client_host && !x.client_host.empty()) {
      x.req.set(http::field::host, x.client_host);  // an absolute-form target's authority
    }
    const std::string_view path = TargetPath(x.verdict.target);
    if (!path.empty()) {
      auto table = shared_.router.Snapshot();
      if (const Route* route = table->Match(x.client_host, path)) {
        x.app_id = route->app_id;
        x.app_path = route->path;
        x.strip_app = route->strip_app;
        x.preserve_host = route->preserve_host;
        x.backend = route->backend;
      }
    }
    if (!x.backend) {
      co_await Answer(x, 404,
                      "no app is served at " + NormalizeHost(x.client_host) +
                          std::string(path.empty() ? "/" : path),
                      true);
      co_return false;
    }
    if (!x.backend->TryAcquire(&x.acq)) {
      x.acq = co_await AsyncAcquire(*x.backend, asio::use_awaitable);
    }
    if (!x.acq.status.ok()) {
      co_await Answer(x, x.acq.http_status, x.acq.status.message(), true, x.acq.retry_after_secs);
      co_return false;
    }
    x.activity = x.acq.activity.get();
    if (x.activity) x.activity->Touch();
    co_return true;
  }

  // Rewrites the request's head in place for the upstream: forwarding headers, the target
  // below the app's path, HTTP/1.1 with one framing.
  void PrepareUpstreamRequest(Exchange& x) {
    const Upstream& up = x.acq.upstream;
    x.upgrade = IsWebSocketUpgrade(x.req);
    if (auto it = x.req.find(http::field::expect); it != x.req.end()) {
      x.expect_continue = EqualsIgnoreCase(Trim(it->value()), "100-continue");
      x.req.erase(http::field::expect);
    }
    const std::string upstream_host = up.HostHeader();
    ForwardInfo info;
    info.client_ip = client_ip_;
    info.tls = tls_;
    info.client_host = x.client_host;
    info.app_path = x.app_path;
    info.preserve_host = x.preserve_host;
    info.upstream_host = upstream_host;
    info.upgrade = x.upgrade;
    info.via = x.via;
    TransformRequestHeaders(x.req, info);
    x.req.target(RewriteTarget(x.verdict.target, x.app_path, x.strip_app, up.base_path));
    x.req.version(11);
    if (x.hp.chunked()) {
      x.req.chunked(true);
    } else if (auto length = x.hp.content_length()) {
      x.req.content_length(*length);  // one value, however many the client repeated
    }
    if (!x.upgrade) x.req.keep_alive(true);
    x.pool_key = up.PoolKey();
    x.replayable = x.hp.is_done() && IsIdempotent(x.req.method());
  }

  // Sends the request and reads the response head, on a pooled connection or a new one. A
  // dead pooled connection is replaced once for a replayable request; a backend may ask for
  // one more acquire after a refused connect (a container that died behind its back is
  // restarted, and this request waits for it). True with x.rp holding the response head.
  asio::awaitable<bool> ObtainResponse(Exchange& x) {
    bool response_ok = false;
    for (int attempt = 0; attempt < 3; ++attempt) {
      const Step step = co_await Attempt(x, &response_ok);
      if (step == Step::kDone) break;
    }
    x.connect_slot.Release();
    co_return response_ok;
  }

  asio::awaitable<Step> Attempt(Exchange& x, bool* response_ok) {
    x.connect_slot.Release();
    const bool pooled = co_await TakePooled(x);
    if (!pooled) {
      Connected c = co_await Connect(x);
      if (c == Connected::kAgain) co_return Step::kRetry;
      if (c == Connected::kFailed) co_return Step::kDone;
    }
    Sent sent = co_await SendRequest(x);
    if (sent == Sent::kStale) {
      x.stale_retried = true;
      co_return Step::kRetry;
    }
    if (sent == Sent::kFailed) co_return Step::kDone;
    *response_ok = co_await ReadResponseHead(x);
    if (!*response_ok && ShouldReplay(FailureOf(x, ReadFailure(x.uec), 0))) {
      x.stale_retried = true;  // the pooled connection was dead: once more on a new one
      co_return Step::kRetry;
    }
    co_return Step::kDone;
  }

  // Takes an idle connection to the upstream from the pool. Without one, takes a slot at the
  // upstream's connect gate first (connect_gate.h), then looks again: another request may have
  // given one back meanwhile. False: the caller connects, holding the slot.
  asio::awaitable<bool> TakePooled(Exchange& x) {
    if (x.upgrade) {
      x.conn = nullptr;
    } else {
      // Bodyless requests skip the liveness probe: a dead pooled connection costs them a
      // retry, which they can afford; a request with a body cannot be replayed.
      x.conn = worker_.pool.Take(x.pool_key, !x.replayable || x.stale_retried);
      if (x.conn) co_return true;
    }
    x.connect_slot = co_await worker_.GateFor(x.pool_key).Acquire();
    if (!x.upgrade) x.conn = worker_.pool.Take(x.pool_key, true);
    if (x.conn) x.connect_slot.Release();
    co_return x.conn != nullptr;
  }

  // Opens a new connection to the upstream (TLS when it asks for it) into x.conn.
  asio::awaitable<Connected> Connect(Exchange& x) {
    ++shared_.upstream_connects;
    const Upstream& up = x.acq.upstream;
    std::vector<tcp::endpoint> endpoints;
    if (IsIpLiteral(up.host)) {
      endpoints.emplace_back(asio::ip::make_address(up.host), up.port);
    } else {
      tcp::resolver resolver(worker_.ioc);
      auto [ec, results] =
          co_await resolver.async_resolve(up.host, std::to_string(up.port), kToken);
      if (ec) co_return Failed(x, ec, Phase::kConnect);
      for (const auto& r : results) endpoints.push_back(r.endpoint());
    }
    TimedStream ts(worker_.ioc);
    ts.expires_after(o_.upstream_connect_timeout);
    auto [cec, cep] = co_await ts.async_connect(endpoints, kToken);
    if (cec) {
      Failed(x, cec, Phase::kConnect);
      if (!x.reacquired && x.backend->RetryAfterConnectFailure(x.acq, IsTimeout(cec))) {
        const Connected again = co_await Reacquire(x);
        co_return again;
      }
      co_return Connected::kFailed;
    }
    SetNoDelay(ts.socket());
    if (!up.tls) {
      x.conn.reset(new UpstreamConn{std::move(ts), {}, {}, false});
      co_return Connected::kYes;
    }
    TlsStream s(std::move(ts), shared_.client_tls);
    if (!IsIpLiteral(up.host)) SSL_set_tlsext_host_name(s.native_handle(), up.host.c_str());
    s.set_verify_callback(asio::ssl::host_name_verification(up.host));
    ExpiresAfter(s, o_.upstream_connect_timeout);
    auto [hec] = co_await s.async_handshake(asio::ssl::stream_base::client, kToken);
    if (hec) co_return Failed(x, hec, Phase::kConnect);
    x.conn.reset(new UpstreamConn{std::move(s), {}, {}, false});
    co_return Connected::kYes;
  }

  static Connected Failed(Exchange& x, const error_code& ec, Phase phase) {
    x.uec = ec;
    x.failed_phase = phase;
    return Connected::kFailed;
  }

  // After a refused connect the backend may restart its container: wait for its new upstream.
  asio::awaitable<Connected> Reacquire(Exchange& x) {
    x.reacquired = true;
    x.connect_slot.Release();  // the restart may take a while
    x.acq = co_await AsyncAcquire(*x.backend, asio::use_awaitable);
    if (!x.acq.status.ok()) {
      x.reacquire_failed = true;
      co_return Connected::kFailed;
    }
    x.activity = x.acq.activity.get();
    x.pool_key = x.acq.upstream.PoolKey();
    if (!x.preserve_host) x.req.set(http::field::host, x.acq.upstream.HostHeader());
    co_return Connected::kAgain;
  }

  // Sends the request's head, then its body as it arrives ("100 Continue" first when the
  // client waits for it).
  asio::awaitable<Sent> SendRequest(Exchange& x) {
    if (x.expect_continue && !x.hp.is_done()) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      ExpiresAfter(stream_, o_.body_timeout);
      auto [ec, n] = co_await asio::async_write(stream_, asio::buffer(kContinue), kToken);
      if (ec) {
        Failed(x, ec, Phase::kSendResponse);
        co_return Sent::kFailed;
      }
      x.expect_continue = false;
    }
    if (!relay_buf_ && !x.hp.is_done()) relay_buf_.reset(new char[kRelayBufferBytes]);
    RelayResult sent = co_await x.conn->Visit([&](auto& us) {
      return Relay<true>(stream_, buffer_, x.hp, us, x.hp.chunked(), head_, relay_buf_.get(),
                         o_.body_timeout, x.activity);
    });
    if (!sent.ec) co_return Sent::kYes;
    Phase phase = sent.read_failed ? Phase::kReadRequestBody : Phase::kSendRequest;
    if (sent.read_failed &&
        sent.ec.category() == http::make_error_code(http::error::bad_chunk).category() &&
        sent.ec != http::error::end_of_stream && sent.ec != http::error::partial_message) {
      phase = Phase::kBadRequestBody;
    }
    Failed(x, sent.ec, phase);
    if (!sent.read_failed && ShouldReplay(FailureOf(x, UpstreamFailure::kSendFailed, sent.bytes))) {
      co_return Sent::kStale;
    }
    co_return Sent::kFailed;
  }

  // Reads the response head into x.rp, skipping interim 1xx responses (but not 101). While
  // the upstream thinks, a client that hangs up cancels the wait.
  asio::awaitable<bool> ReadResponseHead(Exchange& x) {
    while (true) {
      auto& rp = x.rp.emplace();
      rp.body_limit(boost::none);
      if (x.req.method() == http::verb::head) rp.skip(true);
      auto first = co_await (x.conn->Visit([&](auto& us) {
        ExpiresAfter(us, o_.upstream_timeout);
        return http::async_read_header(us, x.conn->buffer, rp, kToken);
      }) || ClientClosed(SocketOf(stream_), x.conn->socket()));
      if (first.index() == 1) {
        Failed(x, asio::error::operation_aborted, Phase::kSendResponse);  // the client left
        co_return false;
      }
      auto [ec, n] = std::get<0>(first);
      if (ec) {
        Failed(x, ec, Phase::kReadResponse);
        co_return false;
      }
      const unsigned s = rp.get().result_int();
      if (s >= 100 && s < 200 && s != 101) continue;
      if (s == 101 && !x.upgrade) {
        Failed(x, http::error::bad_status, Phase::kReadResponse);  // switching unasked
        co_return false;
      }
      co_return true;
    }
  }

  // Nothing of the response has reached the client: answer 400/502/504 (or the backend's
  // failure) ourselves, or just close when the client is the one that failed.
  asio::awaitable<void> AnswerUpstreamFailure(Exchange& x) {
    if (x.reacquire_failed) {
      co_await Answer(x, x.acq.http_status, x.acq.status.message(), true, x.acq.retry_after_secs);
      co_return;
    }
    if (x.failed_phase == Phase::kBadRequestBody) {
      co_await Answer(x, 400, "bad request body: " + x.uec.message(), false);
      co_return;
    }
    if (x.failed_phase == Phase::kReadRequestBody || x.failed_phase == Phase::kSendResponse) {
      x.status_code = 499;  // the client went away or stalled
      x.keep = false;
      co_return;
    }
    const bool timeout = IsTimeout(x.uec);
    const std::string what =
        x.failed_phase == Phase::kConnect ? "cannot connect to upstream" : "upstream failed";
    const std::string reason =
        x.uec == http::error::bad_status ? "it switched protocols unasked" : ReasonFor(x.uec);
    co_await Answer(x, timeout ? 504 : 502,
                    what + " " + x.acq.upstream.HostHeader() + ": " + reason, true);
  }

  // After a 101: the response head to the client, then raw bytes both ways until either side
  // closes. A long-lived tunnel is not a request in flight for shutdown purposes.
  asio::awaitable<void> TunnelWebSocket(Exchange& x) {
    auto& res = x.rp->get();
    TransformResponseHeaders(res, true, x.via);
    if (!x.acq.server_timing.empty()) res.set("Server-Timing", x.acq.server_timing);
    res.body().data = nullptr;
    res.body().size = 0;
    res.body().more = false;
    http::response_serializer<http::buffer_body> sr{res};
    ExpiresAfter(stream_, o_.body_timeout);
    x.keep = false;
    auto [ec, n] = co_await http::async_write_header(stream_, sr, kToken);
    if (ec) co_return;
    shared_.RequestEnded();  // an open tunnel does not hold up a shutdown
    if (x.activity) x.activity->Upgraded();
    bool forwarded = co_await x.conn->Visit(
        [&](auto& us) { return WriteBuffered(us, buffer_, o_.body_timeout); });
    forwarded = forwarded && co_await WriteBuffered(stream_, x.conn->buffer, o_.body_timeout);
    if (forwarded) {
      co_await x.conn->Visit(
          [&](auto& us) { return Tunnel(stream_, us, o_.websocket_idle_timeout, x.activity); });
    }
    ++shared_.in_flight;
  }

  // Relays the response to the client as it arrives; the upstream connection goes back to
  // the pool when the response ended cleanly and the upstream keeps it open.
  asio::awaitable<void> RelayResponse(Exchange& x) {
    auto& rp = *x.rp;
    auto& res = rp.get();
    const bool upstream_keep_alive = rp.keep_alive();
    TransformResponseHeaders(res, false, x.via);
    if (!x.acq.server_timing.empty()) res.set("Server-Timing", x.acq.server_timing);
    res.version(x.version == 10 ? 10 : 11);
    const unsigned s = res.result_int();
    const bool bodyless =
        x.req.method() == http::verb::head || s == 204 || s == 304 || (s >= 100 && s < 200);
    bool client_keep = x.client_keep_alive && !shared_.stopping;
    bool chunked_out = false;
    if (!bodyless && !rp.content_length()) {
      if (x.version == 10) {
        client_keep = false;  // close-delimited for HTTP/1.0 clients
      } else {
        res.chunked(true);
        chunked_out = true;
      }
    }
    res.keep_alive(client_keep);
    if (!relay_buf_ && !rp.is_done()) relay_buf_.reset(new char[kRelayBufferBytes]);
    RelayResult got = co_await x.conn->Visit([&](auto& us) {
      return Relay<false>(us, x.conn->buffer, rp, stream_, chunked_out, head_, relay_buf_.get(),
                          o_.body_timeout, x.activity);
    });
    x.bytes_out = got.bytes;
    if (got.ec) {
      x.keep = false;  // the head may be out already: all we can do is close
      co_return;
    }
    if (upstream_keep_alive && rp.is_done() && !x.upgrade) {
      worker_.pool.Put(x.pool_key, std::move(x.conn));
    }
    x.keep = client_keep && x.hp.is_done();
  }

  void Log(const Exchange& x, std::chrono::steady_clock::time_point start) const {
    if (!o_.access_log) return;
    auto ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    char dur[32];
    std::snprintf(dur, sizeof(dur), "%.1fms", ms);
    o_.access_log(client_ip_ + " \"" + x.method + " " + NormalizeHost(x.client_host) +
                  x.raw_target + "\" " + std::to_string(x.status_code) + " " +
                  std::to_string(x.bytes_out) + " " + dur +
                  " app=" + (x.app_id.empty() ? "-" : x.app_id));
  }

  // Ends the client connection politely: TLS close_notify, or a FIN.
  asio::awaitable<void> ShutDownStream() {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      if (SocketOf(stream_).is_open()) {
        ExpiresAfter(stream_, std::chrono::seconds(2));
        co_await stream_.async_shutdown(kToken);
      }
    } else {
      error_code ec;
      SocketOf(stream_).shutdown(tcp::socket::shutdown_send, ec);
    }
  }

  ProxyShared& shared_;
  const ProxyOptions& o_;
  Worker& worker_;
  Stream stream_;
  const std::string client_ip_;
  const bool tls_;
  std::list<SessionEntry>::iterator entry_;
  beast::flat_buffer buffer_;          // what was read from the client and not yet used
  std::unique_ptr<char[]> relay_buf_;  // allocated on the first message with a body
  std::string head_;                   // a message head being written, reused
};

}  // namespace

template <typename Stream>
asio::awaitable<void> ServeSession(ProxyShared& shared, Worker& worker, Stream stream,
                                   std::string client_ip, bool tls) {
  Session<Stream> session(shared, worker, std::move(stream), std::move(client_ip), tls);
  co_await session.Run();
}

template asio::awaitable<void> ServeSession<TimedStream>(ProxyShared&, Worker&, TimedStream,
                                                         std::string, bool);
template asio::awaitable<void> ServeSession<TlsStream>(ProxyShared&, Worker&, TlsStream,
                                                       std::string, bool);

}  // namespace berth::proxy
