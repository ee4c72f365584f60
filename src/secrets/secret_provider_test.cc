#include "secrets/secret_provider.h"

#include <gtest/gtest.h>

#include "secrets/env_provider.h"

namespace berth::secrets {
namespace {

TEST(JoinKeysTest, JoinsWithTheSeparator) {
  EXPECT_EQ(*JoinKeys("p", {"A"}, "_", ""), "A");
  EXPECT_EQ(*JoinKeys("p", {"DB", "PASS"}, "_", ""), "DB_PASS");
  EXPECT_EQ(*JoinKeys("p", {"secret", "app", "db"}, "/", ""), "secret/app/db");
}

TEST(JoinKeysTest, KeysPrintfPlacesEachKey) {
  EXPECT_EQ(*JoinKeys("p", {"app", "db"}, "_", "%s/prod/%s"), "app/prod/db");
  EXPECT_EQ(*JoinKeys("p", {"x"}, "_", "100%%_%s"), "100%_x");
}

TEST(JoinKeysTest, BadFormatsAndKeysAreErrorsNamingTheProvider) {
  struct Case {
    std::vector<std::string> keys;
    std::string format;
    std::string message;
  };
  const Case cases[] = {
      {{}, "", "provider \"p\": a secret needs a key"},
      {{"a", ""}, "", "provider \"p\": a secret key is empty"},
      {{"a"}, "%d", "provider \"p\": keys_printf \"%d\" may only use %s and %%, not %d"},
      {{"a"}, "%s%n", "provider \"p\": keys_printf \"%s%n\" may only use %s and %%, not %n"},
      {{"a"}, "%s_%s", "provider \"p\": keys_printf \"%s_%s\" has more %s than the 1 key(s) given"},
      {{"a", "b"}, "%s", "provider \"p\": keys_printf \"%s\" has 1 %s for 2 key(s)"},
      {{"a"}, "%s%", "provider \"p\": keys_printf \"%s%\" ends with a lone %"},
  };
  for (const auto& c : cases) {
    auto r = JoinKeys("p", c.keys, "_", c.format);
    ASSERT_FALSE(r.ok()) << c.format;
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
    EXPECT_EQ(r.status().message(), c.message);
  }
}

TEST(EnvProviderTest, ReadsJoinedVariableAndNamesMissingOne) {
  auto p = EnvProvider::Create("env", {}, [](const std::string& n) -> std::optional<std::string> {
    if (n == "DB_PASS") return std::string("hunter2");
    return std::nullopt;
  });
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(*(*p)->Get({"DB", "PASS"}), "hunter2");
  auto missing = (*p)->Get({"NOPE"});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Status::Code::kNotFound);
  EXPECT_EQ(missing.status().message(),
            "secret \"NOPE\" from provider \"env\": no such variable in the berth server's "
            "environment");
}

TEST(EnvProviderTest, RealEnvironmentAndUnknownKey) {
  ::setenv("BERTH_SECRETS_TEST_VAR", "v1", 1);
  auto p = EnvProvider::Create("env_x", {{"keys_printf", "BERTH_%s_TEST_VAR"}});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(*(*p)->Get({"SECRETS"}), "v1");
  auto bad = EnvProvider::Create("env", {{"file_name", "/x"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "[secret.env]: unknown key file_name; known keys: keys_printf");
}

}  // namespace
}  // namespace berth::secrets
