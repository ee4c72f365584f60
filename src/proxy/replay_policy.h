// When the proxy sends a request again after an attempt at the upstream failed: the decision
// as a pure function of what happened, so it is tested without sockets.
//
// A connection taken from the pool may have been closed by the upstream while it sat idle (a
// keep-alive race nobody can see coming). A request that died on such a connection before the
// upstream answered anything is sent once more on a new connection, when that is safe: the
// method is idempotent and the whole request is in hand (a body that streamed from the client
// cannot be sent twice). Everything else is answered 502/504 to the client.
#pragma once

#include <cstdint>

namespace berth::proxy {

enum class UpstreamFailure {
  kSendFailed,          // writing the request to the upstream failed
  kClosedBeforeAnswer,  // the upstream closed or reset the connection before a whole head
  kTimedOut,            // the upstream did not answer in time
  kOther,               // anything else: a malformed answer, an unreachable upstream, ...
};

struct FailedAttempt {
  UpstreamFailure failure = UpstreamFailure::kOther;
  bool pooled = false;      // the connection came from the pool (it had served before)
  bool replayable = false;  // an idempotent method whose whole request has been read
  bool replayed = false;    // this request was already sent again once
  uint64_t bytes_sent = 0;  // for kSendFailed: the request's bytes written before the failure
};

// True when the request goes out again, on a new connection.
bool ShouldReplay(const FailedAttempt& attempt);

}  // namespace berth::proxy
