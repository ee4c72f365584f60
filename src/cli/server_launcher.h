// `berth server start` from the lean command line: the server lives in berth-server, a second
// binary installed beside berth. Keeping the server (TLS, SQLite, Starlark, spdlog) out of the
// command a user runs most cuts its start from 7.8 to 2.2 ms of CPU: each library loaded
// costs page faults.
#pragma once

#include <string>

namespace berth::cli {

// The binary that runs the server: berth-server in the folder of `self` (a path to the running
// berth binary, normally /proc/self/exe resolved).
std::string ServerBinaryBeside(const std::string& self);

// Replaces this process with `berth-server server start [--config-file F]` (same pid, so a
// supervisor or a shell's `$!` keeps following it). Returns only on failure, with a one-line
// message on stderr and exit code 1.
int ExecServer(const std::string& config_file);

}  // namespace berth::cli
