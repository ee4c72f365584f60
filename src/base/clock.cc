#include "base/clock.h"

#include <thread>

namespace berth {

void RealClock::Sleep(std::chrono::nanoseconds d) const { std::this_thread::sleep_for(d); }

RealClock& RealClock::Instance() {
  static RealClock clock;
  return clock;
}

}  // namespace berth
