#include "proxy/connect_gate.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <vector>

namespace berth::proxy {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// A long hold: these tests release places themselves unless they test the hold timer.
constexpr auto kLongHold = std::chrono::milliseconds(60'000);

TEST(ConnectGateTest, AdmitsAtMostLimitAndWakesWaitersInOrder) {
  asio::io_context ioc;
  auto gate = ConnectGate::Create(ioc, 2, kLongHold);
  std::vector<ConnectGate::Slot> held(5);
  std::vector<int> order;
  int max_in_flight = 0;
  for (int i = 0; i < 5; ++i) {
    asio::co_spawn(
        ioc,
        [&, i]() -> asio::awaitable<void> {
          held[i] = co_await gate->Acquire();
          order.push_back(i);
          max_in_flight = std::max(max_in_flight, gate->in_flight());
        },
        asio::detached);
  }
  ioc.poll();
  ioc.restart();
  EXPECT_EQ(order, (std::vector<int>{0, 1}));
  EXPECT_EQ(gate->in_flight(), 2);
  EXPECT_EQ(gate->waiting(), 3);
  EXPECT_FALSE(gate->idle());

  held[0].Release();
  held[0].Release();  // a second release gives nothing back
  ioc.poll();
  ioc.restart();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2}));

  held[1] = ConnectGate::Slot();  // assigning over a slot releases its place
  held[2].Release();
  ioc.poll();
  ioc.restart();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_EQ(max_in_flight, 2);
  EXPECT_EQ(gate->waiting(), 0);

  held.clear();  // destroying slots releases them
  EXPECT_TRUE(gate->idle());
}

TEST(ConnectGateTest, HoldTimerGivesThePlaceBack) {
  asio::io_context ioc;
  auto gate = ConnectGate::Create(ioc, 1, 20ms);
  ConnectGate::Slot first;
  ConnectGate::Slot second;
  bool second_in = false;
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        first = co_await gate->Acquire();
        second = co_await gate->Acquire();  // waits for first's hold to run out
        second_in = true;
      },
      asio::detached);
  ioc.run_for(5s);
  EXPECT_TRUE(second_in);
  EXPECT_FALSE(first.holding());
  EXPECT_FALSE(second.holding());  // its hold ran out too, once nothing else ran
  EXPECT_TRUE(gate->idle());
  first.Release();  // after the timer gave it back: no double free of the place
  EXPECT_EQ(gate->in_flight(), 0);
}

TEST(ConnectGateTest, SlotMayOutliveItsGate) {
  asio::io_context ioc;
  auto gate = ConnectGate::Create(ioc, 1, kLongHold);
  ConnectGate::Slot slot;
  asio::co_spawn(
      ioc, [&]() -> asio::awaitable<void> { slot = co_await gate->Acquire(); }, asio::detached);
  ioc.poll();
  ASSERT_TRUE(slot.holding());
  gate.reset();
  slot.Release();  // the gate is gone: nothing to give back to, and no crash
  EXPECT_FALSE(slot.holding());
}

TEST(ConnectGateTest, LimitBelowOneActsAsOne) {
  asio::io_context ioc;
  auto gate = ConnectGate::Create(ioc, 0, kLongHold);
  ConnectGate::Slot a;
  ConnectGate::Slot b;
  asio::co_spawn(
      ioc, [&]() -> asio::awaitable<void> { a = co_await gate->Acquire(); }, asio::detached);
  asio::co_spawn(
      ioc, [&]() -> asio::awaitable<void> { b = co_await gate->Acquire(); }, asio::detached);
  ioc.poll();
  EXPECT_TRUE(a.holding());
  EXPECT_FALSE(b.holding());
  a.Release();
  ioc.poll();
  EXPECT_TRUE(b.holding());
  b.Release();
}

}  // namespace
}  // namespace berth::proxy
