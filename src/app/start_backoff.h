// StartBackoff: when an app whose container failed to start may try again.
//
// Why: without it, every batch of requests that finds a crash-looping app failed starts it
// again. Measured before it existed: a container that exits at once, under 8 connections for
// 10 s, was started 26 times (~400 ms of `podman start` each, both cores busy); an engine that
// refuses the start at once looped ~60 times a second (10,310 log lines in 200 s).
//
// The schedule: after the first failure the next start waits `initial` (1 s), and each further
// consecutive failure doubles the wait up to `max` (container.max_start_backoff_secs): 1, 2, 4,
// 8, 16, 32, 60, 60... A successful start or a reset (`berth app restart`, an update or reload
// of the app) forgets the failures. The wait runs from the failure, not from the attempt, so a
// slow failing start (a health check that never passes) still leaves the engine alone for the
// whole wait.
//
// A value type that decides and does nothing: it takes `now` from its owner (who reads the
// Clock seam) and is not thread-safe (the owner guards it with its own mutex).
#pragma once

#include <chrono>
#include <cstdint>

#include "base/clock.h"

namespace berth::app {

class StartBackoff {
 public:
  struct Options {
    std::chrono::milliseconds initial{1'000};
    std::chrono::milliseconds max{60'000};  // at least `initial`
  };

  StartBackoff() : StartBackoff(Options{}) {}
  explicit StartBackoff(Options options);

  // A start failed at `now`: the next one may begin at now + Delay(failures()).
  void Failed(SteadyTime now);
  // A start succeeded, or the user asked for a fresh start: the next start may begin at once.
  void Reset();

  // Whether a start may begin at `now`.
  bool MayStart(SteadyTime now) const { return failures_ == 0 || now >= next_start_; }
  // How long until a start may begin (zero when it may begin now).
  std::chrono::milliseconds Remaining(SteadyTime now) const;
  // Remaining() in whole seconds, rounded up, as a Retry-After header says it: 0 only when a
  // start may begin now.
  int64_t RemainingSecs(SteadyTime now) const;

  // Consecutive failures since the last success or reset.
  int failures() const { return failures_; }
  // The wait that follows failure number `n` (1-based): initial * 2^(n-1), at most max.
  std::chrono::milliseconds Delay(int n) const;

 private:
  Options options_;
  int failures_ = 0;
  SteadyTime next_start_{};
};

}  // namespace berth::app
