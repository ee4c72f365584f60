// berth: one binary that is both the server and its client. The command line (src/cli) runs
// every command; `server start` is handed to the server (src/server), which the CLI does not
// link otherwise.
#include "cli/command_table.h"
#include "server/server.h"

int main(int argc, char** argv) {
  return berth::cli::Main(argc, argv, {.run_server = berth::server::RunServer});
}
