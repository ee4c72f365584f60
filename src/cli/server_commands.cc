#include <cstdlib>

#include "cli/command.h"

namespace berth::cli {

void AddServerCommands(std::vector<Command>& t, const Hooks& hooks) {
  t.push_back(Command{"server", "start", "Run the server in the foreground",
                      "berth server start --config-file /etc/berth/berth.toml",
                      [run = hooks.run_server](CLI::App& cmd) -> std::function<Status()> {
                        auto config_file = std::make_shared<std::string>();
                        cmd.add_option("--config-file", *config_file,
                                       "Configuration file (default: $BERTH_HOME/berth.toml)");
                        return [run, config_file]() -> Status {
                          if (!run) return Status::Internal("this berth binary has no server");
                          std::exit(run(*config_file));
                        };
                      }});
}

}  // namespace berth::cli
