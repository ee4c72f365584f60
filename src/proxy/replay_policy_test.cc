#include "proxy/replay_policy.h"

#include <gtest/gtest.h>

namespace berth::proxy {
namespace {

FailedAttempt OnAPooledConnection(UpstreamFailure failure) {
  FailedAttempt a;
  a.failure = failure;
  a.pooled = true;
  a.replayable = true;
  return a;
}

TEST(ReplayPolicyTest, ADeadPooledConnectionIsReplacedOnce) {
  EXPECT_TRUE(ShouldReplay(OnAPooledConnection(UpstreamFailure::kClosedBeforeAnswer)));
  EXPECT_TRUE(ShouldReplay(OnAPooledConnection(UpstreamFailure::kSendFailed)));
  FailedAttempt again = OnAPooledConnection(UpstreamFailure::kClosedBeforeAnswer);
  again.replayed = true;
  EXPECT_FALSE(ShouldReplay(again));
}

TEST(ReplayPolicyTest, ANewConnectionIsNeverReplayed) {
  FailedAttempt a = OnAPooledConnection(UpstreamFailure::kClosedBeforeAnswer);
  a.pooled = false;
  EXPECT_FALSE(ShouldReplay(a));
}

TEST(ReplayPolicyTest, OnlyReplayableRequestsGoTwice) {
  FailedAttempt a = OnAPooledConnection(UpstreamFailure::kClosedBeforeAnswer);
  a.replayable = false;  // a POST, or a body still streaming from the client
  EXPECT_FALSE(ShouldReplay(a));
}

TEST(ReplayPolicyTest, ASendThatWroteBytesIsNotReplayed) {
  FailedAttempt a = OnAPooledConnection(UpstreamFailure::kSendFailed);
  a.bytes_sent = 1;
  EXPECT_FALSE(ShouldReplay(a));
}

TEST(ReplayPolicyTest, TimeoutsAndOtherFailuresAreAnswered) {
  EXPECT_FALSE(ShouldReplay(OnAPooledConnection(UpstreamFailure::kTimedOut)));
  EXPECT_FALSE(ShouldReplay(OnAPooledConnection(UpstreamFailure::kOther)));
}

}  // namespace
}  // namespace berth::proxy
