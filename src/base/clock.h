// Clock: the seam through which Berth reads time and waits, so timing decisions are testable
// without sleeping. Decision functions take `now` as a parameter; owners hold a Clock&.
#pragma once

#include <atomic>
#include <chrono>

namespace berth {

using SteadyTime = std::chrono::steady_clock::time_point;
using SystemTime = std::chrono::system_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual SteadyTime Now() const = 0;
  virtual SystemTime WallNow() const = 0;
  // Waits `d` (a pause between polls or retries). A FakeClock moves its time instead.
  virtual void Sleep(std::chrono::nanoseconds d) const = 0;
};

// The process clock. Thread-safe.
class RealClock : public Clock {
 public:
  SteadyTime Now() const override { return std::chrono::steady_clock::now(); }
  SystemTime WallNow() const override { return std::chrono::system_clock::now(); }
  void Sleep(std::chrono::nanoseconds d) const override;
  static RealClock& Instance();
};

// A clock that only moves when told. Thread-safe.
class FakeClock : public Clock {
 public:
  SteadyTime Now() const override { return SteadyTime(std::chrono::nanoseconds(ns_.load())); }
  SystemTime WallNow() const override { return SystemTime(std::chrono::nanoseconds(ns_.load())); }
  void Sleep(std::chrono::nanoseconds d) const override { ns_ += d.count(); }
  void Advance(std::chrono::nanoseconds d) { ns_ += d.count(); }

 private:
  mutable std::atomic<long long> ns_{1'000'000'000'000LL};
};

}  // namespace berth
