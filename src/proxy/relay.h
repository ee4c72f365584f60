// Moving bytes between a client and an upstream: Relay streams one HTTP message (head, body,
// trailers) as it arrives; Tunnel copies raw bytes both ways (WebSocket); ClientClosed watches a
// client that may hang up while its upstream thinks. Templates over the stream types
// (TimedStream, TLS over it). Internal to the proxy: included by proxy_session.cc, and by
// proxy_server.cc for the stream helpers.
#pragma once

#include <poll.h>
#include <sys/socket.h>

#include <array>
#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <memory>
#include <span>
#include <string>

#include "proxy/header_transform.h"
#include "proxy/http_head.h"
#include "proxy/upstream.h"

namespace berth::proxy {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using beast::error_code;

inline constexpr auto kToken = asio::as_tuple(asio::use_awaitable);
inline constexpr size_t kRelayBufferBytes = 64 * 1024;

inline void SetNoDelay(tcp::socket& s) {
  error_code ec;
  s.set_option(tcp::no_delay(true), ec);
}

template <typename Stream>
tcp::socket& SocketOf(Stream& s) {
  return beast::get_lowest_layer(s).socket();
}

template <typename Stream>
void ExpiresAfter(Stream& s, std::chrono::milliseconds d) {
  beast::get_lowest_layer(s).expires_after(d);
}

template <typename Stream>
void CloseStream(Stream& s) {
  error_code ec;
  SocketOf(s).close(ec);
}

inline bool IsTimeout(const error_code& ec) { return ec == beast::error::timeout; }

// Relays a message from `in`, whose head `p` has parsed, to `out`, each byte as soon as it
// arrives: the head as it now stands in p.get() (the caller has transformed it) goes out at once
// when no body byte is buffered yet, else together with the first piece of body; then every
// piece of body as soon as a read returns it (a server-sent event is not held back to fill a
// buffer). With `chunked_out` the body is framed as chunks here (the head says chunked), and the
// trailers of a chunked input follow the last chunk, only those IsForwardableTrailer allows;
// trailers never reach the head, which is computed before the body is read. `head` is scratch
// space, `buf` holds kRelayBufferBytes.
struct RelayResult {
  error_code ec;
  bool read_failed = false;  // the error happened reading `in`
  uint64_t bytes = 0;
};

template <bool isRequest>
void AppendTrailers(const http::message<isRequest, http::buffer_body>& m, size_t head_fields,
                    std::string* out) {
  size_t i = 0;
  for (const auto& f : m) {
    if (i++ < head_fields) continue;
    if (!IsForwardableTrailer(f.name_string())) continue;
    out->append(f.name_string());
    out->append(": ");
    out->append(f.value());
    out->append("\r\n");
  }
}

template <bool isRequest, typename In, typename Out>
asio::awaitable<RelayResult> Relay(In& in, beast::flat_buffer& in_buf,
                                   http::parser<isRequest, http::buffer_body>& p, Out& out,
                                   bool chunked_out, std::string& head, char* buf,
                                   std::chrono::milliseconds timeout, Activity* activity) {
  RelayResult r;
  auto& m = p.get();
  head.clear();
  AppendHead(m.base(), &head);
  const auto head_fields = static_cast<size_t>(std::distance(m.begin(), m.end()));
  bool head_sent = false;
  char size_line[24];
  std::string last_chunk;
  while (true) {
    size_t n = 0;
    if (!p.is_done()) {
      if (!head_sent && in_buf.size() == 0) {
        // No body byte is here yet: the head goes out now, not with the first piece of body.
        ExpiresAfter(out, timeout);
        auto [ec, wn] = co_await asio::async_write(out, asio::buffer(head), kToken);
        if (ec) {
          r.ec = ec;
          co_return r;
        }
        head_sent = true;
      }
      m.body().data = buf;
      m.body().size = kRelayBufferBytes;
      ExpiresAfter(in, timeout);
      auto [ec, rn] = co_await http::async_read_some(in, in_buf, p, kToken);
      if (ec == http::error::need_buffer) ec = {};
      if (ec) {
        r.ec = ec;
        r.read_failed = true;
        co_return r;
      }
      n = kRelayBufferBytes - m.body().size;
      r.bytes += n;
    }
    const bool done = p.is_done();
    std::array<asio::const_buffer, 5> pieces;
    size_t count = 0;
    if (!head_sent) pieces[count++] = asio::buffer(head);
    if (n > 0) {
      if (chunked_out) {
        int len = std::snprintf(size_line, sizeof(size_line), "%zx\r\n", n);
        pieces[count++] = asio::buffer(size_line, static_cast<size_t>(len));
      }
      pieces[count++] = asio::buffer(buf, n);
      if (chunked_out) pieces[count++] = asio::buffer("\r\n", 2);
    }
    if (done && chunked_out) {
      last_chunk = "0\r\n";
      if (m.chunked()) AppendTrailers(m, head_fields, &last_chunk);
      last_chunk += "\r\n";
      pieces[count++] = asio::buffer(last_chunk);
    }
    if (count > 0) {
      ExpiresAfter(out, timeout);
      auto [ec, wn] = co_await asio::async_write(
          out, std::span<const asio::const_buffer>(pieces.data(), count), kToken);
      if (ec) {
        r.ec = ec;
        co_return r;
      }
      head_sent = true;
      if (activity) activity->Touch();
    }
    if (done) break;
  }
  co_return r;
}

// True when the peer of `fd` has closed its side of the connection (or the connection failed).
// POLLRDHUP sees the FIN even behind bytes nobody has read yet (a TLS close_notify alert, a
// pipelined request), which a peek cannot.
inline bool PeerHungUp(int fd) {
  pollfd p{fd, POLLRDHUP, 0};
  return ::poll(&p, 1, 0) == 1 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

// Completes with true when the client closes its connection; then it also cancels
// `upstream`'s pending operations, so a request the client gave up on stops waiting for its
// answer. Nothing is read from the client. Once bytes have arrived (a pipelined request; over
// TLS, the close_notify alert a leaving client sends before its FIN) the socket stays
// readable, so from then on the hang-up is looked for every 250 ms. Cancelled (the answer
// came first): false.
inline asio::awaitable<bool> ClientClosed(tcp::socket& client, tcp::socket& upstream) {
  auto [ec] = co_await client.async_wait(tcp::socket::wait_read, kToken);
  if (ec) co_return false;
  asio::steady_timer tick(client.get_executor());
  while (!PeerHungUp(client.native_handle())) {
    tick.expires_after(std::chrono::milliseconds(250));
    auto [tec] = co_await tick.async_wait(kToken);
    if (tec) co_return false;
  }
  error_code cec;
  upstream.cancel(cec);
  co_return true;
}

// Copies bytes from `from` to `to` until either side fails or closes, then closes both.
template <typename From, typename To>
asio::awaitable<void> Pump(From& from, To& to, std::chrono::milliseconds idle, Activity* activity) {
  std::unique_ptr<char[]> buf(new char[16 * 1024]);
  while (true) {
    ExpiresAfter(from, idle);
    auto [rec, n] = co_await from.async_read_some(asio::buffer(buf.get(), 16 * 1024), kToken);
    if (rec || n == 0) break;
    ExpiresAfter(to, idle);
    auto [wec, m] = co_await asio::async_write(to, asio::buffer(buf.get(), n), kToken);
    if (wec) break;
    if (activity) activity->Touch();
  }
  CloseStream(from);
  CloseStream(to);
}

// Relays raw bytes both ways until either side closes or stays idle too long.
template <typename A, typename B>
asio::awaitable<void> Tunnel(A& a, B& b, std::chrono::milliseconds idle, Activity* activity) {
  using namespace asio::experimental::awaitable_operators;
  co_await (Pump(a, b, idle, activity) && Pump(b, a, idle, activity));
}

template <typename Stream>
asio::awaitable<bool> WriteBuffered(Stream& s, beast::flat_buffer& b,
                                    std::chrono::milliseconds timeout) {
  if (b.size() == 0) co_return true;
  ExpiresAfter(s, timeout);
  auto [ec, n] = co_await asio::async_write(s, b.data(), kToken);
  b.consume(b.size());
  co_return !ec;
}

}  // namespace berth::proxy
