// The berth command line: one table of subcommands drives dispatch and help.
#pragma once

#include <string>

namespace berth::cli {

// The text printed after "error: " for a failed command: one line (newlines become spaces),
// except for an error in a spec file ("app.star:3:5: message"), whose source line and caret
// (and any "called from" lines) stay on the lines below.
std::string ErrorText(std::string message);

// Runs the command named by argv; returns the process exit code.
int Main(int argc, char** argv);

}  // namespace berth::cli
