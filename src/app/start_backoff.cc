#include "app/start_backoff.h"

#include <algorithm>

namespace berth::app {

using std::chrono::milliseconds;

StartBackoff::StartBackoff(Options options) : options_(options) {
  if (options_.initial <= milliseconds(0)) options_.initial = milliseconds(1);
  options_.max = std::max(options_.max, options_.initial);
}

milliseconds StartBackoff::Delay(int n) const {
  if (n <= 0) return milliseconds(0);
  milliseconds d = options_.initial;
  for (int i = 1; i < n && d < options_.max; ++i) d *= 2;  // stops before it can overflow
  return std::min(d, options_.max);
}

void StartBackoff::Failed(SteadyTime now) {
  ++failures_;
  next_start_ = now + Delay(failures_);
}

void StartBackoff::Reset() {
  failures_ = 0;
  next_start_ = SteadyTime{};
}

milliseconds StartBackoff::Remaining(SteadyTime now) const {
  if (MayStart(now)) return milliseconds(0);
  // Round up: a wait of 0.2 ms is still a wait.
  return std::chrono::ceil<milliseconds>(next_start_ - now);
}

int64_t StartBackoff::RemainingSecs(SteadyTime now) const {
  if (MayStart(now)) return 0;
  return std::chrono::ceil<std::chrono::seconds>(next_start_ - now).count();
}

}  // namespace berth::app
