#include "proxy/fd_limit.h"

#include <gtest/gtest.h>

#include <climits>

namespace berth::proxy {
namespace {

TEST(FdLimitTest, RefuseFromLeavesAReserveAndHalfForUpstreams) {
  EXPECT_EQ(RefuseFromFd(std::nullopt), INT_MAX);
  EXPECT_EQ(RefuseFromFd(1024), (1024 - 128) / 2);
  EXPECT_EQ(RefuseFromFd(256), (256 - 64) / 2);
  EXPECT_EQ(RefuseFromFd(100), (100 - 50) / 2) << "a small limit keeps half as the reserve";
  EXPECT_EQ(RefuseFromFd(int64_t{1} << 40), INT_MAX);
}

TEST(FdLimitTest, RefusalsAreWarnedAtOnceThenAtMostOncePerPeriodWithTheirCount) {
  RefusalLog log(std::chrono::seconds(10));
  RefusalLog::Clock::time_point t0{};
  std::string first = log.Refused(t0, 96, 256);
  EXPECT_EQ(first.rfind("refused 1 new connection with 503: ", 0), 0u) << first;
  EXPECT_NE(first.find("descriptor 96 of 256"), std::string::npos) << first;
  EXPECT_NE(first.find("ulimit -n"), std::string::npos) << first;
  EXPECT_EQ(log.Refused(t0 + std::chrono::seconds(1), 97, 256), "");
  EXPECT_EQ(log.Refused(t0 + std::chrono::seconds(9), 98, 256), "");
  std::string next = log.Refused(t0 + std::chrono::seconds(10), 99, 256);
  EXPECT_EQ(next.rfind("refused 3 new connections since the last warning with 503", 0), 0u) << next;
  EXPECT_EQ(log.Refused(t0 + std::chrono::seconds(11), 96, 256), "");
  EXPECT_EQ(log.total(), 5u);
}

}  // namespace
}  // namespace berth::proxy
