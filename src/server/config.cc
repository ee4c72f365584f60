#include "server/config.h"

#include <toml++/toml.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "base/files.h"
#include "base/strings.h"

namespace berth {
extern const char kDefaultConfigToml[];
}

namespace berth::server {

namespace {

// Flattens a TOML table into "a.b.c" -> node.
void Flatten(const toml::table& table, const std::string& prefix,
             std::map<std::string, const toml::node*>& out) {
  for (const auto& [key, node] : table) {
    std::string name =
        prefix.empty() ? std::string(key.str()) : prefix + "." + std::string(key.str());
    if (const toml::table* sub = node.as_table()) {
      Flatten(*sub, name, out);
    } else {
      out[name] = &node;
    }
  }
}

std::string NodeToString(const toml::node& node) {
  if (auto s = node.value<std::string>()) return *s;
  if (auto i = node.value_exact<int64_t>()) return std::to_string(*i);
  if (auto b = node.value_exact<bool>()) return *b ? "true" : "false";
  if (auto d = node.value_exact<double>()) return std::to_string(*d);
  return "";
}

// Debian's toml++ library is built with exceptions; they stop here and become a Status.
Result<toml::table> ParseToml(const std::string& text, const std::string& source) {
  try {
    return toml::parse(text, source);
  } catch (const toml::parse_error& err) {
    return Status::InvalidArgument(source + ":" + std::to_string(err.source().begin.line) + ":" +
                                   std::to_string(err.source().begin.column) + ": " +
                                   std::string(err.description()));
  }
}

}  // namespace

const char* DefaultConfigText() { return kDefaultConfigToml; }

Result<Config> LoadConfig(const std::string& home_in, const std::string& config_file) {
  Config c;
  c.home = home_in;
  if (!c.home.empty() && c.home.front() != '/') {
    char cwd[4096];
    if (getcwd(cwd, sizeof(cwd))) c.home = std::string(cwd) + "/" + c.home;
  }
  while (c.home.size() > 1 && c.home.back() == '/') c.home.pop_back();

  BERTH_ASSIGN_OR_RETURN(toml::table defaults, ParseToml(kDefaultConfigToml, "defaults"));
  std::map<std::string, const toml::node*> known;
  Flatten(defaults, "", known);
  std::map<std::string, const toml::node*> values = known;

  std::string path = config_file.empty() ? c.home + "/berth.toml" : config_file;
  toml::table user;
  if (!config_file.empty() || PathExists(path)) {
    BERTH_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
    BERTH_ASSIGN_OR_RETURN(user, ParseToml(text, path));
  }
  std::map<std::string, const toml::node*> given;
  Flatten(user, "", given);
  std::vector<std::string> known_names;
  for (const auto& [k, v] : known) known_names.push_back(k);
  for (const auto& [key, node] : given) {
    if (key.starts_with("secret.")) continue;  // below
    auto it = known.find(key);
    if (it == known.end()) {
      std::string hint = ClosestMatch(key, known_names);
      return Status::InvalidArgument(path + ": unknown config key " + key +
                                     (hint.empty() ? "" : " (did you mean " + hint + "?)"));
    }
    if (node->type() != it->second->type()) {
      return Status::InvalidArgument(path + ": config key " + key + " has the wrong type");
    }
    values[key] = node;
  }

  if (const toml::node* section = user.get("secret")) {
    if (!section->is_table()) {
      return Status::InvalidArgument(path + ": secret must be a table of [secret.<name>] tables");
    }
    for (const auto& [name_key, table_node] : *section->as_table()) {
      std::string name(name_key.str());
      const toml::table* table = table_node.as_table();
      if (!table) {
        return Status::InvalidArgument(path + ": secret." + name + " must be a table: [secret." +
                                       name + "]");
      }
      auto& provider = c.secrets[name];
      for (const auto& [k, v] : *table) {
        std::string key(k.str());
        if (v.is_table() || v.is_array()) {
          return Status::InvalidArgument(path + ": secret." + name + "." + key +
                                         " must be a string, number or boolean");
        }
        std::string value = NodeToString(v);
        if (key == "file_name" || key == "ca_file") value = ExpandPath(value, c.home);
        provider[key] = value;
      }
    }
  }

  auto str = [&](const char* key) {
    return ExpandPath(values.at(key)->value<std::string>().value_or(""), c.home);
  };
  auto node_is_int = [](const toml::node* n) { return n->value_exact<int64_t>().has_value(); };
  auto num = [&](const char* key) {
    return static_cast<int>(values.at(key)->value<int64_t>().value_or(0));
  };
  c.container_command = values.at("system.container_command")->value<std::string>().value_or("");
  c.default_domain = ToLower(str("system.default_domain"));
  c.worker_threads = num("system.worker_threads");
  c.max_source_bytes = values.at("system.max_source_bytes")->value<int64_t>().value_or(0);
  if (c.max_source_bytes < 1) {
    return Status::InvalidArgument("system.max_source_bytes must be at least 1");
  }
  c.max_app_versions = values.at("system.max_app_versions")->value<int64_t>().value_or(0);
  if (c.max_app_versions < 1) {
    return Status::InvalidArgument("system.max_app_versions must be at least 1");
  }
  c.http = {str("http.host"), num("http.port")};
  c.https = {str("https.host"), num("https.port")};
  c.cert_location = str("https.cert_location");
  std::string db = str("metadata.db_connection");
  if (!db.starts_with("sqlite:")) {
    return Status::InvalidArgument("metadata.db_connection must start with sqlite:, got " + db);
  }
  c.db_path = db.substr(7);
  c.log_level = str("log.level");
  c.log_file = str("log.file");
  c.access_log = values.at("log.access_log")->value<bool>().value_or(true);
  ProxyConfig& p = c.proxy;
  p.max_header_bytes = num("proxy.max_header_bytes");
  p.client_header_timeout_secs = num("proxy.client_header_timeout_secs");
  p.keep_alive_timeout_secs = num("proxy.keep_alive_timeout_secs");
  p.body_timeout_secs = num("proxy.body_timeout_secs");
  p.upstream_connect_timeout_secs = num("proxy.upstream_connect_timeout_secs");
  p.upstream_timeout_secs = num("proxy.upstream_timeout_secs");
  p.websocket_idle_timeout_secs = num("proxy.websocket_idle_timeout_secs");
  p.upstream_pool_max_idle = num("proxy.upstream_pool_max_idle");
  p.upstream_pool_idle_secs = num("proxy.upstream_pool_idle_secs");
  p.shutdown_grace_secs = num("proxy.shutdown_grace_secs");
  for (const auto& [key, node] : values) {
    if (key.starts_with("app_config.")) c.app_config[key.substr(11)] = NodeToString(*node);
  }
  // Lists of strings.
  auto strings = [&](const char* key, bool paths,
                     std::vector<std::string>* out) -> Status {
    const toml::array* a = values.at(key)->as_array();
    for (size_t i = 0; a && i < a->size(); ++i) {
      auto v = (*a)[i].value<std::string>();
      if (!v || v->empty()) return Status::InvalidArgument(std::string(key) + " must list strings");
      std::string item = paths ? ExpandPath(*v, c.home) : *v;
      if (paths && !item.starts_with("/")) {
        return Status::InvalidArgument(std::string(key) + ": \"" + *v + "\" is not an absolute path");
      }
      out->push_back(item);
    }
    return Status::Ok();
  };
  BERTH_RETURN_IF_ERROR(strings("security.allowed_mounts", true, &c.security.allowed_mounts));
  BERTH_RETURN_IF_ERROR(
      strings("security.allowed_container_args", false, &c.security.allowed_container_args));
  c.security.default_secrets_provider = str("security.default_secrets_provider");
  {
    const std::string& d = c.security.default_secrets_provider;
    // env and db exist without a table (see secrets/secret_providers.h).
    if (d.empty() || (d != "env" && d != "db" && !c.secrets.count(d))) {
      std::string names = "env, db";
      for (const auto& [name, table] : c.secrets) {
        if (name != "env" && name != "db") names += ", " + name;
      }
      return Status::InvalidArgument("security.default_secrets_provider \"" + d +
                                     "\" is not a secret provider (" + names + ")");
    }
  }

  for (const ListenerConfig* l : {&c.http, &c.https}) {
    if (l->port < -1 || l->port > 65535) {
      return Status::InvalidArgument("port " + std::to_string(l->port) + " is out of range");
    }
  }
  if (c.default_domain.empty()) return Status::InvalidArgument("system.default_domain is empty");
  if (c.http.port == -1 && c.https.port == -1) {
    return Status::InvalidArgument("http.port and https.port are both -1: nothing would be served");
  }
  static const char* kLevels[] = {"trace", "debug", "info", "warn", "error", "critical", "off"};
  if (std::find(std::begin(kLevels), std::end(kLevels), c.log_level) == std::end(kLevels)) {
    return Status::InvalidArgument("log.level \"" + c.log_level +
                                   "\" is not one of trace, debug, info, warn, error, critical, off");
  }
  for (const auto& [key, value] : values) {
    if (key.starts_with("proxy.") && key.ends_with("_secs") && num(key.c_str()) < 1) {
      return Status::InvalidArgument(key + " must be at least 1");
    }
    if (key.starts_with("app_config.") && node_is_int(value) && num(key.c_str()) < 0) {
      return Status::InvalidArgument(key + " cannot be negative");
    }
  }
  if (c.worker_threads < 0) return Status::InvalidArgument("system.worker_threads cannot be negative");
  if (p.max_header_bytes < 1024) {
    return Status::InvalidArgument("proxy.max_header_bytes must be at least 1024");
  }
  if (values.at("app_config.container.max_start_backoff_secs")->value<int64_t>().value_or(0) < 1) {
    return Status::InvalidArgument(
        "app_config.container.max_start_backoff_secs must be at least 1");
  }
  return c;
}

}  // namespace berth::server
