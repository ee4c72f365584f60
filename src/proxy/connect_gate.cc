#include "proxy/connect_gate.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace berth::proxy {

namespace asio = boost::asio;

struct ConnectGate::Slot::State {
  explicit State(asio::io_context& ioc, std::weak_ptr<ConnectGate> g)
      : gate(std::move(g)), timer(ioc) {}
  std::weak_ptr<ConnectGate> gate;
  asio::steady_timer timer;  // gives the place back after `hold`
  bool released = false;
};

ConnectGate::Slot& ConnectGate::Slot::operator=(Slot&& other) noexcept {
  if (this != &other) {
    Release();
    state_ = std::move(other.state_);
  }
  return *this;
}

ConnectGate::Slot::~Slot() { Release(); }

void ConnectGate::Slot::Release() {
  if (!state_ || state_->released) return;
  state_->released = true;
  state_->timer.cancel();
  if (auto gate = state_->gate.lock()) gate->Free();
}

bool ConnectGate::Slot::holding() const { return state_ && !state_->released; }

std::shared_ptr<ConnectGate> ConnectGate::Create(asio::io_context& ioc, int limit,
                                                 std::chrono::milliseconds hold) {
  return std::shared_ptr<ConnectGate>(new ConnectGate(ioc, limit, hold));
}

ConnectGate::ConnectGate(asio::io_context& ioc, int limit, std::chrono::milliseconds hold)
    : ioc_(ioc), limit_(limit < 1 ? 1 : limit), hold_(hold), wake_(ioc) {
  wake_.expires_at(asio::steady_timer::time_point::max());
}

asio::awaitable<ConnectGate::Slot> ConnectGate::Acquire() {
  auto self = shared_from_this();  // a waiter keeps the gate alive
  if (in_flight_ >= limit_) {
    ++waiting_;
    // Woken one at a time by Free(); a newcomer may have taken the place in between.
    while (in_flight_ >= limit_) {
      co_await wake_.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    --waiting_;
  }
  ++in_flight_;
  Slot slot;
  slot.state_ = std::make_shared<Slot::State>(ioc_, weak_from_this());
  slot.state_->timer.expires_after(hold_);
  slot.state_->timer.async_wait(
      [weak = std::weak_ptr<Slot::State>(slot.state_)](const boost::system::error_code& ec) {
        auto state = weak.lock();
        if (ec || !state || state->released) return;
        state->released = true;
        if (auto gate = state->gate.lock()) gate->Free();
      });
  co_return slot;
}

void ConnectGate::Free() {
  --in_flight_;
  if (waiting_ > 0) wake_.cancel_one();
}

}  // namespace berth::proxy
