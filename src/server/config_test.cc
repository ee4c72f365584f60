#include "server/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "base/files.h"

namespace berth::server {
namespace {

std::string TempDir() {
  char tmpl[] = "/tmp/berth-config-test-XXXXXX";
  return mkdtemp(tmpl);
}

TEST(ConfigTest, DefaultsMatchTheReference) {
  std::string home = TempDir();
  auto c = LoadConfig(home, "");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->http.host, "127.0.0.1");
  EXPECT_EQ(c->http.port, 25222);
  EXPECT_EQ(c->https.host, "0.0.0.0");
  EXPECT_EQ(c->https.port, 25223);
  EXPECT_EQ(c->default_domain, "localhost");
  EXPECT_EQ(c->container_command, "auto");
  EXPECT_EQ(c->db_path, home + "/metadata/berth.db");
  EXPECT_EQ(c->cert_location, home + "/config/certs");
  EXPECT_EQ(c->app_config.at("container.idle_shutdown_secs"), "180");
  EXPECT_EQ(c->app_config.at("container.health_url"), "/");
  EXPECT_EQ(c->app_config.at("container.max_start_backoff_secs"), "60");
  EXPECT_EQ(c->socket_path(), home + "/run/berth.sock");
}

TEST(ConfigTest, UserFileOverridesAndSecrets) {
  std::string home = TempDir();
  ASSERT_TRUE(WriteFileAtomic(home + "/berth.toml", R"(
[http]
port = 9999
[https]
port = -1
[app_config]
container.idle_shutdown_secs = 2
[security]
default_secrets_provider = "prop_local"
[secret.env]
[secret.prop_local]
file_name = "$BERTH_HOME/x.properties"
keys_printf = "app.%s"
[secret.vault_prod]
address = "http://127.0.0.1:8200"
connect_timeout_secs = 3
)")
                  .ok());
  auto c = LoadConfig(home, "");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->http.port, 9999);
  EXPECT_EQ(c->https.port, -1);
  EXPECT_EQ(c->app_config.at("container.idle_shutdown_secs"), "2");
  EXPECT_EQ(c->secrets.size(), 3u);
  EXPECT_TRUE(c->secrets.at("env").empty());
  EXPECT_EQ(c->secrets.at("prop_local").at("file_name"), home + "/x.properties");
  EXPECT_EQ(c->secrets.at("prop_local").at("keys_printf"), "app.%s");
  EXPECT_EQ(c->secrets.at("vault_prod").at("connect_timeout_secs"), "3");
  EXPECT_EQ(c->security.default_secrets_provider, "prop_local");
}

TEST(ConfigTest, DefaultSecretsProvider) {
  std::string home = TempDir();
  auto c = LoadConfig(home, "");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->security.default_secrets_provider, "env");
  ASSERT_TRUE(WriteFileAtomic(home + "/c.toml",
                              "[security]\ndefault_secrets_provider = \"vault_x\"\n"
                              "[secret.prop_a]\nfile_name = \"/x\"\n")
                  .ok());
  auto bad = LoadConfig(home, home + "/c.toml");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "security.default_secrets_provider \"vault_x\" is not a secret provider (env, db, "
            "prop_a)");
  ASSERT_TRUE(WriteFileAtomic(home + "/d.toml", "[secret]\nprop_a = \"x\"\n").ok());
  auto not_table = LoadConfig(home, home + "/d.toml");
  ASSERT_FALSE(not_table.ok());
  EXPECT_EQ(not_table.status().message(),
            home + "/d.toml: secret.prop_a must be a table: [secret.prop_a]");
}

TEST(ConfigTest, StartBackoffOfAtLeastOneSecond) {
  std::string home = TempDir();
  ASSERT_TRUE(
      WriteFileAtomic(home + "/c.toml", "[app_config]\ncontainer.max_start_backoff_secs = 5\n")
          .ok());
  auto c = LoadConfig(home, home + "/c.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->app_config.at("container.max_start_backoff_secs"), "5");
  ASSERT_TRUE(
      WriteFileAtomic(home + "/d.toml", "[app_config]\ncontainer.max_start_backoff_secs = 0\n")
          .ok());
  EXPECT_EQ(LoadConfig(home, home + "/d.toml").status().message(),
            "app_config.container.max_start_backoff_secs must be at least 1");
}

TEST(ConfigTest, UnknownKeySuggests) {
  std::string home = TempDir();
  ASSERT_TRUE(WriteFileAtomic(home + "/c.toml", "[http]\nprot = 1\n").ok());
  auto c = LoadConfig(home, home + "/c.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("unknown config key http.prot (did you mean http.port?)"),
            std::string::npos)
      << c.status().message();
}

TEST(ConfigTest, WrongTypeAndSyntaxErrors) {
  std::string home = TempDir();
  ASSERT_TRUE(WriteFileAtomic(home + "/c.toml", "[http]\nport = \"x\"\n").ok());
  EXPECT_NE(LoadConfig(home, home + "/c.toml").status().message().find("wrong type"),
            std::string::npos);
  ASSERT_TRUE(WriteFileAtomic(home + "/d.toml", "[http\n").ok());
  EXPECT_NE(LoadConfig(home, home + "/d.toml").status().message().find("d.toml:1:"),
            std::string::npos);
  EXPECT_EQ(LoadConfig(home, home + "/missing.toml").status().code(), Status::Code::kNotFound);
}

TEST(ConfigTest, BadValuesAreOneLineErrors) {
  std::string home = TempDir();
  const std::pair<const char*, const char*> cases[] = {
      {"[log]\nlevel = \"verbose\"\n", "log.level \"verbose\" is not one of"},
      {"[proxy]\nclient_header_timeout_secs = 0\n", "proxy.client_header_timeout_secs must be at least 1"},
      {"[http]\nport = -1\n[https]\nport = -1\n", "both -1"},
      {"[app_config]\ncontainer.start_timeout_secs = -1\n", "cannot be negative"},
      {"[security]\nallowed_mounts = [\"relative/dir\"]\n", "is not an absolute path"},
      {"[security]\nallowed_mounts = [1]\n", "must list strings"},
  };
  for (const auto& [toml, message] : cases) {
    ASSERT_TRUE(WriteFileAtomic(home + "/c.toml", toml).ok());
    auto c = LoadConfig(home, home + "/c.toml");
    ASSERT_FALSE(c.ok()) << toml;
    EXPECT_NE(c.status().message().find(message), std::string::npos) << c.status().message();
    EXPECT_EQ(c.status().message().find('\n'), std::string::npos) << c.status().message();
  }
}

TEST(ConfigTest, SecurityDefaults) {
  std::string home = TempDir();
  auto c = LoadConfig(home, "");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->security.allowed_mounts, std::vector<std::string>{home + "/data"});
  auto& args = c->security.allowed_container_args;
  EXPECT_NE(std::find(args.begin(), args.end(), "memory"), args.end());
  EXPECT_EQ(std::find(args.begin(), args.end(), "privileged"), args.end());
  EXPECT_EQ(std::find(args.begin(), args.end(), "cap-add"), args.end());
}

}  // namespace
}  // namespace berth::server
