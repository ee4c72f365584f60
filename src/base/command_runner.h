// CommandRunner: the seam through which code that drives other programs (the podman/docker
// driver) runs them, so tests can script the programs' answers (see fake_command_runner.h).
#pragma once

#include "base/process.h"
#include "base/status.h"

namespace berth {

class CommandRunner {
 public:
  virtual ~CommandRunner();
  // Runs a command to completion. Same contract as RunProcess: an error Status only when the
  // command could not be run; a non-zero exit or a timeout is reported in the ProcessOutput.
  // Implementations are thread-safe.
  virtual Result<ProcessOutput> Run(const ProcessOptions& options) = 0;
};

// Runs commands for real with RunProcess.
class RealCommandRunner : public CommandRunner {
 public:
  Result<ProcessOutput> Run(const ProcessOptions& options) override;
};

}  // namespace berth
