#include "cli/server_launcher.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <vector>

namespace berth::cli {

std::string ServerBinaryBeside(const std::string& self) {
  std::filesystem::path dir = std::filesystem::path(self).parent_path();
  return (dir / "berth-server").string();
}

int ExecServer(const std::string& config_file) {
  std::error_code ec;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) {
    std::fprintf(stderr, "error: cannot find the berth binary (/proc/self/exe): %s\n",
                 ec.message().c_str());
    return 1;
  }
  const std::string server = ServerBinaryBeside(self.string());
  std::vector<std::string> args = {server, "server", "start"};
  if (!config_file.empty()) {
    args.push_back("--config-file");
    args.push_back(config_file);
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::fflush(nullptr);
  execv(server.c_str(), argv.data());
  std::fprintf(stderr, "error: cannot run %s: %s (the server binary is installed beside berth)\n",
               server.c_str(), std::strerror(errno));
  return 1;
}

}  // namespace berth::cli
