// FakeCommandRunner: a CommandRunner for tests. It records every call and answers from a script
// instead of running anything. Test support only (header-only, not used by production code).
#pragma once

#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "base/command_runner.h"

namespace berth {

class FakeCommandRunner : public CommandRunner {
 public:
  using Handler = std::function<Result<ProcessOutput>(const ProcessOptions&)>;

  // Queues the answer to the next call not yet answered. Answers are used in order; when none
  // is queued, the handler (if set) answers, else the call gets exit code 0 and no output.
  void Push(Result<ProcessOutput> answer) {
    std::lock_guard lock(mu_);
    answers_.push_back(std::move(answer));
  }
  void PushOk(std::string out = {}) {
    ProcessOutput o;
    o.out = std::move(out);
    Push(std::move(o));
  }
  void PushFail(int exit_code, std::string err, std::string out = {}) {
    ProcessOutput o;
    o.exit_code = exit_code;
    o.err = std::move(err);
    o.out = std::move(out);
    Push(std::move(o));
  }
  void PushTimeout() {
    ProcessOutput o;
    o.exit_code = -9;
    o.timed_out = true;
    Push(std::move(o));
  }
  void SetHandler(Handler handler) {
    std::lock_guard lock(mu_);
    handler_ = std::move(handler);
  }

  // The options of every call so far, in order.
  std::vector<ProcessOptions> calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }
  // Just the argv of every call.
  std::vector<std::vector<std::string>> argvs() const {
    std::lock_guard lock(mu_);
    std::vector<std::vector<std::string>> out;
    for (const auto& c : calls_) out.push_back(c.argv);
    return out;
  }
  size_t unused_answers() const {
    std::lock_guard lock(mu_);
    return answers_.size();
  }

  Result<ProcessOutput> Run(const ProcessOptions& options) override {
    std::unique_lock lock(mu_);
    calls_.push_back(options);
    if (!answers_.empty()) {
      Result<ProcessOutput> answer = std::move(answers_.front());
      answers_.pop_front();
      return answer;
    }
    Handler handler = handler_;
    lock.unlock();
    if (handler) return handler(options);
    return ProcessOutput{};
  }

 private:
  mutable std::mutex mu_;
  std::deque<Result<ProcessOutput>> answers_;  // guarded by mu_
  std::vector<ProcessOptions> calls_;          // guarded by mu_
  Handler handler_;                            // guarded by mu_
};

}  // namespace berth
