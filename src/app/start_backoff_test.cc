#include "app/start_backoff.h"

#include <gtest/gtest.h>

#include <vector>

namespace berth::app {
namespace {

using namespace std::chrono_literals;

TEST(StartBackoff, NoWaitBeforeAnyFailure) {
  FakeClock clock;
  StartBackoff b;
  EXPECT_TRUE(b.MayStart(clock.Now()));
  EXPECT_EQ(b.Remaining(clock.Now()), 0ms);
  EXPECT_EQ(b.RemainingSecs(clock.Now()), 0);
  EXPECT_EQ(b.failures(), 0);
}

TEST(StartBackoff, DoublesFromOneSecondUpToTheMaximum) {
  StartBackoff b(StartBackoff::Options{1s, 60s});
  std::vector<std::chrono::milliseconds> delays;
  for (int n = 1; n <= 9; ++n) delays.push_back(b.Delay(n));
  EXPECT_EQ(delays,
            (std::vector<std::chrono::milliseconds>{1s, 2s, 4s, 8s, 16s, 32s, 60s, 60s, 60s}));
  EXPECT_EQ(b.Delay(0), 0ms);
  EXPECT_EQ(b.Delay(1'000'000), 60s) << "no overflow after many failures";
}

TEST(StartBackoff, EachFailureWaitsItsDelayFromTheFailure) {
  FakeClock clock;
  StartBackoff b(StartBackoff::Options{1s, 60s});
  b.Failed(clock.Now());
  EXPECT_EQ(b.failures(), 1);
  EXPECT_FALSE(b.MayStart(clock.Now()));
  EXPECT_EQ(b.Remaining(clock.Now()), 1s);
  EXPECT_EQ(b.RemainingSecs(clock.Now()), 1);
  clock.Advance(999ms);
  EXPECT_FALSE(b.MayStart(clock.Now()));
  EXPECT_EQ(b.Remaining(clock.Now()), 1ms);
  EXPECT_EQ(b.RemainingSecs(clock.Now()), 1) << "rounded up: never 0 while waiting";
  clock.Advance(1ms);
  EXPECT_TRUE(b.MayStart(clock.Now()));
  EXPECT_EQ(b.RemainingSecs(clock.Now()), 0);

  // The second failure, 300 ms into its attempt: 2 s from the failure, not from the attempt.
  clock.Advance(300ms);
  b.Failed(clock.Now());
  EXPECT_EQ(b.Remaining(clock.Now()), 2s);
  clock.Advance(1500ms);
  EXPECT_EQ(b.RemainingSecs(clock.Now()), 1);
  clock.Advance(500ms);
  EXPECT_TRUE(b.MayStart(clock.Now()));
  b.Failed(clock.Now());
  EXPECT_EQ(b.Remaining(clock.Now()), 4s);
  EXPECT_EQ(b.failures(), 3);
}

TEST(StartBackoff, ResetForgetsTheFailures) {
  FakeClock clock;
  StartBackoff b;
  for (int i = 0; i < 5; ++i) b.Failed(clock.Now());
  EXPECT_EQ(b.Remaining(clock.Now()), 16s);
  b.Reset();
  EXPECT_TRUE(b.MayStart(clock.Now()));
  EXPECT_EQ(b.failures(), 0);
  b.Failed(clock.Now());
  EXPECT_EQ(b.Remaining(clock.Now()), 1s) << "the schedule starts over";
}

TEST(StartBackoff, AttemptsUnderContinuousDemandFollowTheSchedule) {
  // Requests every 100 ms for 30 s against an app whose every start fails after 400 ms:
  // attempts at 0, 1.4, 3.8, 8.2, 16.6 s (each wait from the failure), about 5, not 75.
  FakeClock clock;
  StartBackoff b;
  const SteadyTime t0 = clock.Now();
  int attempts = 0;
  while (clock.Now() - t0 < 30s) {
    if (b.MayStart(clock.Now())) {
      ++attempts;
      clock.Advance(400ms);
      b.Failed(clock.Now());
    } else {
      clock.Advance(100ms);
    }
  }
  EXPECT_EQ(attempts, 5);
}

TEST(StartBackoff, MaximumBelowInitialIsRaisedToIt) {
  StartBackoff b(StartBackoff::Options{5s, 1s});
  EXPECT_EQ(b.Delay(1), 5s);
  EXPECT_EQ(b.Delay(3), 5s);
}

}  // namespace
}  // namespace berth::app
