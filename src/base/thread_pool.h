// ThreadPool: runs blocking jobs (container builds and starts, health probes) off the network
// threads. JobRunner is the seam; tests may run jobs inline.
#pragma once

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

 private:
  void Loop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;  // guarded by mu_
  bool stopping_ = false;                   // guarded by mu_
  std::vector<std::thread> threads_;
};

}  // namespace berth
