// ThreadPool: runs blocking jobs (container builds and starts, health probes) off the network
// threads. JobRunner is the seam; tests may run jobs inline.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace berth {

class JobRunner {
 public:
  virtual ~JobRunner() = default;
  // Runs `job` soon, on some other thread. Never blocks on the job.
  virtual void Post(std::function<void()> job) = 0;
};

class ThreadPool : public JobRunner {
 public:
  explicit ThreadPool(size_t threads);
  // Finishes the jobs already queued, then joins the threads.
  ~ThreadPool() override;
  void Post(std::function<void()> job) override;
  // Waits until no job is queued or running (jobs they post included), at most `timeout`.
  // True when the pool is idle.
  bool WaitIdle(std::chrono::milliseconds timeout);

 private:
  void Loop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;  // guarded by mu_
  bool stopping_ = false;                   // guarded by mu_
  int active_ = 0;                          // guarded by mu_: jobs running now
  std::condition_variable idle_cv_;
  std::vector<std::thread> threads_;
};

}  // namespace berth
