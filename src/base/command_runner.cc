#include "base/command_runner.h"

namespace berth {

CommandRunner::~CommandRunner() = default;

Result<ProcessOutput> RealCommandRunner::Run(const ProcessOptions& options) {
  if (options.stop.stop_possible()) return RunProcess(options);
  ProcessOptions stoppable = options;
  stoppable.stop = stop_.get_token();
  return RunProcess(stoppable);
}

}  // namespace berth
