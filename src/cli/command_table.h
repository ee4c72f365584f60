// The berth command line: one table of subcommands drives dispatch and help.
#pragma once

namespace berth::cli {

// Runs the command named by argv; returns the process exit code.
int Main(int argc, char** argv);

}  // namespace berth::cli
