#include "base/command_runner.h"

namespace berth {

CommandRunner::~CommandRunner() = default;

Result<ProcessOutput> RealCommandRunner::Run(const ProcessOptions& options) {
  return RunProcess(options);
}

}  // namespace berth
