// TimedStream: a TCP socket with the timeout rules of Beast's tcp_stream, for a lower cost per
// operation. Internal to the proxy: included by its .cc files (and its test) and its internal
// headers (upstream_pool.h, proxy_session.h), not by proxy_server.h.
//
// The rules, as in beast::tcp_stream: expires_after(d) sets the deadline of the next read and
// of the next write (a direction with an operation in progress keeps its deadline); an
// operation still in progress at its deadline closes the socket and completes with
// beast::error::timeout; an operation started after its deadline times out at once. A connect
// counts as both a read and a write and uses the write deadline.
//
// What it saves: tcp_stream starts a timer wait for every read and write and cancels it when
// the operation completes (a timer-queue insert and removal under the reactor's lock, and one
// more handler run through the scheduler for the cancelled wait). Here one steady_timer per
// stream watches the earliest deadline of the operations in progress, and it is re-armed only
// when it fires or when a deadline moves earlier than the wait it has; moving deadlines later
// (every keep-alive request does) costs two stores. When it fires early it re-arms for the
// deadlines now in force, so a stream re-arms about once per timeout period, not per
// operation.
#pragma once

#include <boost/asio/associator.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>
#include <chrono>
#include <memory>
#include <utility>

namespace berth::proxy {

class TimedStream {
 public:
  using socket_type = boost::asio::ip::tcp::socket;
  using executor_type = socket_type::executor_type;
  using lowest_layer_type = socket_type;  // what asio::ssl::stream asks its next layer for
  using clock = std::chrono::steady_clock;

  explicit TimedStream(socket_type socket);
  explicit TimedStream(boost::asio::io_context& ioc);
  TimedStream(TimedStream&&) noexcept = default;
  TimedStream& operator=(TimedStream&&) noexcept = default;
  ~TimedStream();  // closes the socket

  executor_type get_executor() noexcept { return state_->socket.get_executor(); }
  socket_type& socket() noexcept { return state_->socket; }
  lowest_layer_type& lowest_layer() noexcept { return state_->socket; }

  // The deadline of the next read and the next write, as beast::tcp_stream::expires_after.
  void expires_after(clock::duration d);
  // No deadline for the next read and the next write.
  void expires_never();
  void close();

  template <typename MutableBufferSequence, typename ReadToken>
  auto async_read_some(const MutableBufferSequence& buffers, ReadToken&& token) {
    return boost::asio::async_initiate<ReadToken, void(boost::system::error_code, std::size_t)>(
        [](auto handler, std::shared_ptr<State> s, const MutableBufferSequence& b) {
          s->Begin(kRead);
          State& st = *s;
          st.socket.async_read_some(b, Completion<decltype(handler)>{std::move(handler),
                                                                     std::move(s), kRead});
        },
        token, state_, buffers);
  }

  template <typename ConstBufferSequence, typename WriteToken>
  auto async_write_some(const ConstBufferSequence& buffers, WriteToken&& token) {
    return boost::asio::async_initiate<WriteToken, void(boost::system::error_code, std::size_t)>(
        [](auto handler, std::shared_ptr<State> s, const ConstBufferSequence& b) {
          s->Begin(kWrite);
          State& st = *s;
          st.socket.async_write_some(b, Completion<decltype(handler)>{std::move(handler),
                                                                      std::move(s), kWrite});
        },
        token, state_, buffers);
  }

  // Connects to the first endpoint that accepts, as boost::asio::async_connect.
  template <typename EndpointSequence, typename ConnectToken>
  auto async_connect(const EndpointSequence& endpoints, ConnectToken&& token) {
    using Endpoint = typename socket_type::endpoint_type;
    return boost::asio::async_initiate<ConnectToken, void(boost::system::error_code, Endpoint)>(
        [](auto handler, std::shared_ptr<State> s, const EndpointSequence& eps) {
          s->Begin(kConnect);
          State& st = *s;
          boost::asio::async_connect(st.socket, eps,
                                     Completion<decltype(handler)>{std::move(handler),
                                                                   std::move(s), kConnect});
        },
        token, state_, endpoints);
  }

  // An operation's completion handler (public for the associator specialization below).
  template <typename Handler>
  struct Completion;

 private:
  enum Op { kRead, kWrite, kConnect };

  struct Direction {
    clock::time_point deadline = clock::time_point::max();
    bool pending = false;
    bool timed_out = false;  // the watchdog closed the socket while this was pending
  };

  struct State : std::enable_shared_from_this<State> {
    explicit State(socket_type s);
    void Begin(Op op);
    // Returns the error to report for an operation that completed with `ec`.
    boost::system::error_code End(Op op, boost::system::error_code ec);
    // Makes sure a timer wait is due no later than the earliest pending deadline.
    void Arm();
    void OnTimer();

    socket_type socket;
    boost::asio::steady_timer timer;
    Direction read, write;
    clock::time_point armed = clock::time_point::max();  // expiry of the wait out, or max
  };

  std::shared_ptr<State> state_;
};

// Wraps an operation's handler: reports the timeout and keeps the state alive while the
// operation is out. The handler's executor, allocator and cancellation slot pass through
// (the associator below).
template <typename Handler>
struct TimedStream::Completion {
  Handler handler;
  std::shared_ptr<State> state;
  Op op;

  template <typename Arg>
  void operator()(boost::system::error_code ec, Arg&& arg) {
    ec = state->End(op, ec);
    state.reset();
    std::move(handler)(ec, std::forward<Arg>(arg));
  }
};

}  // namespace berth::proxy

template <template <typename, typename> class Associator, typename Handler,
          typename DefaultCandidate>
struct boost::asio::associator<Associator, berth::proxy::TimedStream::Completion<Handler>,
                               DefaultCandidate> : Associator<Handler, DefaultCandidate> {
  static typename Associator<Handler, DefaultCandidate>::type get(
      const berth::proxy::TimedStream::Completion<Handler>& h) noexcept {
    return Associator<Handler, DefaultCandidate>::get(h.handler);
  }
  static auto get(const berth::proxy::TimedStream::Completion<Handler>& h,
                  const DefaultCandidate& c) noexcept
      -> decltype(Associator<Handler, DefaultCandidate>::get(h.handler, c)) {
    return Associator<Handler, DefaultCandidate>::get(h.handler, c);
  }
};
