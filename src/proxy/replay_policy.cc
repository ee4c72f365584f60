#include "proxy/replay_policy.h"

namespace berth::proxy {

bool ShouldReplay(const FailedAttempt& attempt) {
  if (!attempt.pooled || !attempt.replayable || attempt.replayed) return false;
  switch (attempt.failure) {
    case UpstreamFailure::kSendFailed:
      return attempt.bytes_sent == 0;
    case UpstreamFailure::kClosedBeforeAnswer:
      return true;
    case UpstreamFailure::kTimedOut:  // the upstream may be working on it: never twice
    case UpstreamFailure::kOther:
      return false;
  }
  return false;
}

}  // namespace berth::proxy
