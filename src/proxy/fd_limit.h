// The proxy's guard against running out of file descriptors: which accepted connection it
// refuses, and a log line about the refusals that says why without flooding the log.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

namespace berth::proxy {

// The open-file limit's soft value, or nullopt when there is none (unlimited).
std::optional<int64_t> OpenFileLimit();

// The lowest descriptor number at which an accepted connection is refused, for a soft limit
// of `limit` descriptors. The kernel hands out the lowest free number, so a connection that
// gets this one or a higher one means that every lower one is in use. A reserve (an eighth of
// the limit, at least 64 or half of it) is left for the rest of the server (the admin socket,
// the store, the container engine's pipes), and half of what remains for the upstream
// connections of the clients accepted: a proxied request holds two descriptors.
int RefuseFromFd(std::optional<int64_t> limit);

// Counts the connections refused at the limit and words the warning for them: a line for the
// first refusal, then at most one per `every`, with the number refused since the line before
// (refusals in between are counted into the next line). Thread-safe.
class RefusalLog {
 public:
  using Clock = std::chrono::steady_clock;
  explicit RefusalLog(Clock::duration every = std::chrono::seconds(10)) : every_(every) {}

  // Records a refusal at `now` of the connection that got descriptor `fd` under a soft limit
  // of `limit`. Returns the line to log, or "" when a line went out less than `every` ago.
  std::string Refused(Clock::time_point now, int fd, int64_t limit);
  uint64_t total() const;

 private:
  const Clock::duration every_;
  mutable std::mutex mu_;
  std::optional<Clock::time_point> last_line_;
  uint64_t unreported_ = 0;
  uint64_t total_ = 0;
};

}  // namespace berth::proxy
