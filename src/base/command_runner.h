// CommandRunner: the seam through which code that drives other programs (the podman/docker
// driver) runs them, so tests can script the programs' answers (see fake_command_runner.h).
#pragma once

#include <stop_token>

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

// Runs commands for real with RunProcess. Thread-safe.
class RealCommandRunner : public CommandRunner {
 public:
  Result<ProcessOutput> Run(const ProcessOptions& options) override;
  // Kills every command running now and refuses every later one (ProcessOutput::cancelled):
  // the server's last step before it waits for its job threads, so none of them stays in a
  // long build. Commands that bring their own ProcessOptions::stop keep it.
  void CancelAll() { stop_.request_stop(); }

 private:
  std::stop_source stop_;
};

}  // namespace berth
