#include "base/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>

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

// WaitIdle covers queued jobs, running ones and the jobs they post; it gives up at the timeout
// while one is blocked.
TEST(ThreadPoolTest, WaitIdleWaitsForQueuedRunningAndPostedJobs) {
  ThreadPool pool(2);
  std::atomic<int> done{0};
  std::mutex gate;
  std::unique_lock hold(gate);
  pool.Post([&] {
    std::lock_guard wait(gate);  // blocked until the test lets it go
    pool.Post([&] { ++done; });
    ++done;
  });
  for (int i = 0; i < 10; ++i) pool.Post([&] { ++done; });
  EXPECT_FALSE(pool.WaitIdle(std::chrono::milliseconds(20)));
  hold.unlock();
  EXPECT_TRUE(pool.WaitIdle(std::chrono::seconds(30)));
  EXPECT_EQ(done, 12);
}

}  // namespace
}  // namespace berth
