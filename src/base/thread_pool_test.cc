#include "base/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>

namespace berth {
namespace {

TEST(ThreadPoolTest, RunsEveryJobBeforeDestruction) {
  std::atomic<int> done{0};
  {
    ThreadPool pool(3);
    for (int i = 0; i < 100; ++i) pool.Post([&] { ++done; });
  }
  EXPECT_EQ(done, 100);
}

}  // namespace
}  // namespace berth
