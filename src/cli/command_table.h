// The berth command line: one table of subcommands drives dispatch and help.
#pragma once

#include <functional>
#include <string>

namespace berth::cli {

// The text printed after "error: " for a failed command: one line (newlines become spaces),
// except for an error in a spec file ("app.star:3:5: message"), whose source line and caret
// (and any "called from" lines) stay on the lines below.
std::string ErrorText(std::string message);

// What the CLI cannot do by itself: main.cc wires these to the server.
struct Hooks {
  // `berth server start [--config-file F]`: runs the server; returns its exit code.
  std::function<int(const std::string& config_file)> run_server;
};

// Runs the command named by argv; returns the process exit code.
int Main(int argc, char** argv, const Hooks& hooks);

}  // namespace berth::cli
