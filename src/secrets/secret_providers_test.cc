#include "secrets/secret_providers.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "store/migrations.h"

namespace berth::secrets {
namespace {

SecretProviders::Options Options(std::map<std::string, ProviderConfig> providers) {
  SecretProviders::Options o;
  o.providers = std::move(providers);
  o.env_lookup = [](const std::string& n) -> std::optional<std::string> {
    if (n == "API_KEY") return std::string("from-env");
    return std::nullopt;
  };
  return o;
}

TEST(SecretProvidersTest, TypeByPrefixAndDefaults) {
  EXPECT_EQ(ProviderType("env"), "env");
  EXPECT_EQ(ProviderType("prop_local"), "prop");
  EXPECT_EQ(ProviderType("vault_prod"), "vault");
  EXPECT_EQ(ProviderType("dbx"), "db");
  EXPECT_EQ(ProviderType("aws"), "");
  auto p = SecretProviders::Create(Options({}));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ((*p)->Names(), std::vector<std::string>{"env"});
  EXPECT_EQ(*(*p)->GetDefault({"API_KEY"}), "from-env");
  EXPECT_EQ(*(*p)->Get("env", {"API", "KEY"}), "from-env");
  EXPECT_EQ(*(*p)->FromTemplateArgs({"API_KEY"}), "from-env");
  EXPECT_EQ(*(*p)->FromTemplateArgs({"env", "API", "KEY"}), "from-env");
  EXPECT_EQ((*p)->FromTemplateArgs({}).status().code(), Status::Code::kInvalidArgument);
  auto none = (*p)->Get("vault_x", {"a", "b"});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().message(),
            "secret \"a b\" from provider \"vault_x\": no such provider (configured: env)");
}

TEST(SecretProvidersTest, UnknownTypeAndBadTableAreStartupErrorsNamingTheSection) {
  auto unknown = SecretProviders::Create(Options({{"aws_prod", {}}}));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().message(),
            "[secret.aws_prod]: unknown secret provider type: the name must start with env, "
            "prop, vault or db");
  auto vault = SecretProviders::Create(Options({{"vault_prod", {{"address", "ftp://x"}}}}));
  ASSERT_FALSE(vault.ok());
  EXPECT_EQ(vault.status().message().rfind("[secret.vault_prod]: ", 0), 0u)
      << vault.status().message();
  auto db = SecretProviders::Create(Options({{"db_team", {}}}));  // no database given
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().message(), "[secret.db_team]: no metadata database to use");
}

TEST(SecretProvidersTest, DefaultProviderMustExist) {
  auto o = Options({{"prop_a", {{"file_name", "/nonexistent"}}}});
  o.default_provider = "prop_b";
  auto p = SecretProviders::Create(o);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().message(),
            "security.default_secrets_provider \"prop_b\" is not a secret provider (env, prop_a)");
  o.default_provider = "prop_a";
  EXPECT_TRUE(SecretProviders::Create(o).ok());
}

TEST(SecretProvidersTest, DbProvidersReadTheBuiltInStore) {
  std::string dir = "/tmp/berth-providers-XXXXXX";
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  auto db = store::Database::Open(":memory:");
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(store::Migrate(**db).ok());
  auto o = Options({{"db_team", {{"keys_printf", "team/%s"}}}});
  o.db = db->get();
  o.key_file = dir + "/secret.key";
  o.default_provider = "db";
  auto p = SecretProviders::Create(o);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ((*p)->Names(), (std::vector<std::string>{"db", "db_team", "env"}));
  EXPECT_TRUE((*p)->IsStoreProvider("db_team"));
  EXPECT_FALSE((*p)->IsStoreProvider("env"));
  ASSERT_TRUE((*p)->store()->Put("db", "DB_PASS", "v1").ok());
  ASSERT_TRUE((*p)->store()->Put("db_team", "team/x", "v2").ok());
  EXPECT_EQ(*(*p)->GetDefault({"DB", "PASS"}), "v1");
  EXPECT_EQ(*(*p)->Get("db_team", {"x"}), "v2");
  EXPECT_EQ((*p)->Get("db_team", {"y"}).status().code(), Status::Code::kNotFound);
}

}  // namespace
}  // namespace berth::secrets
