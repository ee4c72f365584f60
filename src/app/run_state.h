// RunState: what a backend says about an app's runtime for `berth app list`.
#pragma once

#include <cstdint>
#include <string>

namespace berth::app {

struct RunState {
  std::string state;  // "" when the backend has nothing to say; else stopped, building,
                      // starting, waiting for health, running, stopping, failed
  std::string error;  // the last failure, "" for none
  // failed: seconds until a request may start the app again (0: the next request does).
  int64_t retry_in_secs = 0;
  // failed: the image build failed, and is not tried again with the same inputs until the app
  // changes or `berth app restart`.
  bool build_held = false;
  int64_t start_attempts = 0;  // starts begun since the app was loaded
};

}  // namespace berth::app
