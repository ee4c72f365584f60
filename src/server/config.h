// Config: the server's settings, from the embedded defaults overlaid by the user's berth.toml.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "admin/protocol.h"
#include "base/files.h"
#include "base/status.h"

namespace berth::server {

struct ListenerConfig {
  std::string host;
  int port = -1;  // -1: disabled; 0: any free port (tests)
};

struct ProxyConfig {
  int max_header_bytes = 16384;
  int client_header_timeout_secs = 30;
  int keep_alive_timeout_secs = 75;
  int body_timeout_secs = 60;
  int upstream_connect_timeout_secs = 10;
  int upstream_timeout_secs = 60;
  int websocket_idle_timeout_secs = 3600;
  int upstream_pool_max_idle = 64;
  int upstream_pool_idle_secs = 60;
  int shutdown_grace_secs = 30;
};

struct SecurityConfig {
  std::vector<std::string> allowed_mounts;  // absolute, $BERTH_HOME and ~ expanded
  std::vector<std::string> allowed_container_args;
  // The provider of {{secret "KEY"}} (a template naming no provider).
  std::string default_secrets_provider = "env";
};

struct Config {
  std::string home;  // $BERTH_HOME, absolute

  std::string container_command;
  std::string default_domain;
  int worker_threads = 0;
  int64_t max_source_bytes = 100 << 20;
  int64_t max_app_versions = 20;  // versions kept per app

  ListenerConfig http;
  ListenerConfig https;
  std::string cert_location;

  std::string db_path;

  std::string log_level;
  std::string log_file;
  bool access_log = true;

  ProxyConfig proxy;
  SecurityConfig security;

  // [app_config], flattened: "container.idle_shutdown_secs" -> "180". Per-app --conf values
  // override these keys.
  std::map<std::string, std::string> app_config;
  // [secret.<name>] tables: name -> {key -> value}; an empty table gives an empty map.
  // file_name and ca_file have $BERTH_HOME and ~ expanded.
  std::map<std::string, std::map<std::string, std::string>> secrets;

  std::string socket_path() const { return admin::SocketPath(home); }
  std::string lock_path() const { return home + "/run/berth.lock"; }
};

// Loads the embedded defaults, then `config_file` (when empty: <home>/berth.toml if it
// exists). Unknown keys and values of the wrong type are errors naming the key.
Result<Config> LoadConfig(const std::string& home, const std::string& config_file);

// The embedded, commented default configuration.
const char* DefaultConfigText();

}  // namespace berth::server
