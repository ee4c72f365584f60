#include "base/clock.h"

namespace berth {

RealClock& RealClock::Instance() {
  static RealClock clock;
  return clock;
}

}  // namespace berth
