// berth-server: the server, and the same command line as berth. `berth server start` runs it;
// it can also be run directly (`berth-server server start`), say from a service manager.
#include "cli/command_table.h"
#include "server/server.h"

int main(int argc, char** argv) {
  return berth::cli::Main(argc, argv, {.run_server = berth::server::RunServer});
}
