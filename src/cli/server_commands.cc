#include <cstdlib>

#include "cli/command.h"
#include "server/server.h"

namespace berth::cli {

void AddServerCommands(std::vector<Command>& t) {
  t.push_back(Command{
      "server", "start", "Run the server in the foreground",
      "berth server start --config-file /etc/berth/berth.toml",
      [](CLI::App& cmd) -> std::function<Status()> {
        auto config_file = std::make_shared<std::string>();
        cmd.add_option("--config-file", *config_file,
                       "Configuration file (default: $BERTH_HOME/berth.toml)");
        return [config_file]() -> Status {
          int code = server::RunServer(*config_file);
          std::exit(code);
        };
      }});
}

}  // namespace berth::cli
