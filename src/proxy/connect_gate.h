// ConnectGate: bounds how many new connections one proxy worker has opened to one upstream and
// not yet seen answered. Internal to the proxy (used by proxy_server.cc and its test).
//
// Why: when a cold start releases a burst of held requests together, each opens a connection
// to the fresh container at the same instant. A listen backlog is often small (busybox httpd:
// 9, Python's http.server: 5, many frameworks: 128), and the kernel drops what overflows it: a
// dropped SYN, or a dropped handshake ACK, costs its request a retransmit timeout of 1 s, then
// 3 s, 7 s, 15 s. Measured with 100 first requests to a busybox app: the slowest answered after
// 8 to 28 s, while the container was ready after 0.5 s. With the gate the upstream sees at most
// `limit` unanswered new connections from a worker, so its backlog never overflows and the
// burst is served in about the container's start time.
//
// A place is held from before the connect until the upstream's response header arrives (the
// upstream has accepted the connection by then), or at most `hold`, so an upstream that keeps
// requests open for long (long polling, a slow endpoint) delays the connects behind it by
// `hold` at most. Reused pooled connections never pass the gate.
//
// One gate per worker and upstream; touched only on the worker's thread, so no lock. The gate
// is held by shared_ptr: a waiting Acquire keeps it alive, and a Slot refers to it weakly, so
// a slot may outlive its gate (at shutdown) and then releases nothing.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>

namespace berth::proxy {

class ConnectGate : public std::enable_shared_from_this<ConnectGate> {
 public:
  // A place at the gate. Moving transfers it; destroying it releases it.
  class Slot {
   public:
    Slot() = default;
    Slot(Slot&&) noexcept = default;
    Slot& operator=(Slot&& other) noexcept;
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    ~Slot();

    // Gives the place back; a no-op when already given back (by this call or by the hold
    // timer) or when the slot is empty.
    void Release();
    // True while this slot still holds its place.
    bool holding() const;

   private:
    friend class ConnectGate;
    struct State;
    std::shared_ptr<State> state_;
  };

  static std::shared_ptr<ConnectGate> Create(boost::asio::io_context& ioc, int limit,
                                             std::chrono::milliseconds hold);

  // Waits until fewer than `limit` places are held, then takes one. Waiters are woken in
  // the order they came as places are released.
  boost::asio::awaitable<Slot> Acquire();

  int in_flight() const { return in_flight_; }
  int waiting() const { return waiting_; }
  // Nothing held, nobody waiting: the owner may drop the gate.
  bool idle() const { return in_flight_ == 0 && waiting_ == 0; }

 private:
  ConnectGate(boost::asio::io_context& ioc, int limit, std::chrono::milliseconds hold);
  void Free();

  // Constant after construction.
  boost::asio::io_context& ioc_;
  const int limit_;
  const std::chrono::milliseconds hold_;

  int in_flight_ = 0;
  int waiting_ = 0;
  boost::asio::steady_timer wake_;  // never expires; cancel_one() wakes one waiter
};

}  // namespace berth::proxy
