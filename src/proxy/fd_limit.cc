#include "proxy/fd_limit.h"

#include <sys/resource.h>

#include <algorithm>
#include <climits>

namespace berth::proxy {

std::optional<int64_t> OpenFileLimit() {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return std::nullopt;
  return static_cast<int64_t>(std::min<rlim_t>(rl.rlim_cur, INT64_MAX));
}

int RefuseFromFd(std::optional<int64_t> limit) {
  if (!limit) return INT_MAX;
  int64_t reserve = std::max(std::min<int64_t>(64, *limit / 2), *limit / 8);
  return static_cast<int>(std::min<int64_t>((*limit - reserve) / 2, INT_MAX));
}

std::string RefusalLog::Refused(Clock::time_point now, int fd, int64_t limit) {
  std::lock_guard lock(mu_);
  ++total_;
  ++unreported_;
  if (last_line_ && now - *last_line_ < every_) return "";
  std::string line =
      "refused " + std::to_string(unreported_) + " new connection" + (unreported_ == 1 ? "" : "s") +
      (last_line_ ? " since the last warning" : "") +
      " with 503: the server is near its open-file limit (descriptor " + std::to_string(fd) +
      " of " + std::to_string(limit) + "; half of what is left after a reserve goes to the " +
      "clients' upstream connections); raise the limit (ulimit -n, systemd LimitNOFILE=)";
  last_line_ = now;
  unreported_ = 0;
  return line;
}

uint64_t RefusalLog::total() const {
  std::lock_guard lock(mu_);
  return total_;
}

}  // namespace berth::proxy
