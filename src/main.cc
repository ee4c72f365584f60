// berth: the command line. Every command but `server start` talks to the server over its admin
// socket; `server start` becomes berth-server (src/server_main.cc), installed beside this
// binary, which is the only one that links the server.
#include "cli/command_table.h"
#include "cli/server_launcher.h"

int main(int argc, char** argv) {
  return berth::cli::Main(argc, argv, {.run_server = berth::cli::ExecServer});
}
