// `berth secret ...` against a real server: the built-in encrypted store end to end. The value
// must never reach the database file in clear (checked on its bytes and through sqlite3), the
// server log, `secret list` or any error.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "base/files.h"
#include "base/process.h"
#include "support/harness.h"

namespace berth::testing {
namespace {

// A distinctive value with characters a shell or a JSON encoder could mangle.
const std::string kValue = "pl41n-V4LUE&<>\"'$x";
const std::string kArgValue = "arg-V4LUE-2";

CommandResult CliWithStdin(const BerthServer& server, const std::vector<std::string>& args,
                           const std::string& input) {
  return server.CliWithInput(args, input);
}

// Every byte of the metadata database: the file, its WAL and a sqlite3 dump.
std::string DatabaseBytes(const std::string& home) {
  std::string db = home + "/metadata/berth.db";
  std::string all = ReadFile(db).value_or("") + ReadFile(db + "-wal").value_or("");
  auto dump = RunCommand({"sqlite3", db, ".dump"});
  EXPECT_EQ(dump.exit_code, 0) << dump.err;
  EXPECT_NE(dump.out.find("CREATE TABLE secrets"), std::string::npos);
  return all + dump.out;
}

int Mode(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<int>(st.st_mode & 0777) : -1;
}

void ExpectNoValue(const std::string& where, const std::string& text) {
  EXPECT_EQ(text.find("V4LUE"), std::string::npos) << "a secret value in " << where;
}

TEST(SecretE2E, CreateListShowRekeyDeleteAndNoValueInTheDatabase) {
  BerthServer server("[secret.db_team]\n");
  ASSERT_TRUE(server.Start().ok());
  const std::string key_file = server.home() + "/config/secret.key";

  auto created = CliWithStdin(server, {"secret", "create", "db", "DB_PASS", "-"}, kValue + "\n");
  EXPECT_EQ(created.exit_code, 0) << created.err;
  EXPECT_EQ(created.out, "Created secret db/DB_PASS\n");
  EXPECT_EQ(Mode(key_file), 0600);
  auto arg = server.Cli({"secret", "create", "db_team", "API_KEY", kArgValue});
  EXPECT_EQ(arg.exit_code, 0) << arg.err;
  auto replaced = server.Cli({"secret", "create", "db_team", "API_KEY", kArgValue});
  EXPECT_EQ(replaced.out, "Updated secret db_team/API_KEY\n");

  auto list = server.Cli({"secret", "list"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(list.out.rfind("PROVIDER  NAME     CREATED", 0), 0u) << list.out;
  EXPECT_NE(list.out.find("\ndb        DB_PASS  "), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("\ndb_team   API_KEY  "), std::string::npos) << list.out;
  ExpectNoValue("secret list", list.out);
  auto json = nlohmann::json::parse(server.Cli({"secret", "list", "db_team", "-f", "json"}).out);
  ASSERT_EQ(json.size(), 1u);
  EXPECT_EQ(json[0]["name"], "API_KEY");
  ExpectNoValue("secret list -f json", json.dump());

  EXPECT_EQ(server.Cli({"secret", "show", "db", "DB_PASS"}).out, kValue + "\n");
  EXPECT_EQ(server.Cli({"secret", "show", "db_team", "API_KEY"}).out, kArgValue + "\n");
  ExpectNoValue("the database", DatabaseBytes(server.home()));

  // Errors: one line, naming provider and key.
  struct Case {
    std::vector<std::string> args;
    std::string err;
  };
  const Case errors[] = {
      {{"secret", "show", "db", "NOPE"},
       "error: secret \"NOPE\" from provider \"db\": no such secret (see berth secret list db)\n"},
      {{"secret", "create", "env", "X", "y"},
       "error: secret provider \"env\" is not the built-in store; berth secret manages the db* "
       "providers (db, db_team)\n"},
      {{"secret", "list", "nope"},
       "error: no secret provider \"nope\"; the built-in store's are db, db_team (add more as "
       "[secret.db_<name>] in berth.toml)\n"},
      {{"secret", "delete", "db", "NOPE"},
       "error: secret \"NOPE\" from provider \"db\": no such secret\n"},
  };
  for (const auto& c : errors) {
    auto r = server.Cli(c.args);
    EXPECT_EQ(r.exit_code, 1) << c.args[1];
    EXPECT_EQ(r.err, c.err);
  }

  std::string old_key = *ReadFile(key_file);
  auto rekey = server.Cli({"secret", "rekey"});
  EXPECT_EQ(rekey.exit_code, 0) << rekey.err;
  EXPECT_EQ(rekey.out, "Re-encrypted 2 secret(s) with a new key\n");
  EXPECT_NE(*ReadFile(key_file), old_key);
  EXPECT_EQ(Mode(key_file), 0600);
  EXPECT_FALSE(PathExists(key_file + ".old"));
  EXPECT_EQ(server.Cli({"secret", "show", "db", "DB_PASS"}).out, kValue + "\n");

  auto deleted = server.Cli({"secret", "delete", "db_team", "API_KEY"});
  EXPECT_EQ(deleted.out, "Deleted secret db_team/API_KEY\n");
  EXPECT_EQ(server.Cli({"secret", "show", "db_team", "API_KEY"}).exit_code, 1);

  // A restarted server opens the values with the key file it left.
  server.Stop();
  BerthServer again("[secret.db_team]\n", server.home());
  ASSERT_TRUE(again.Start().ok()) << again.log();
  EXPECT_EQ(again.Cli({"secret", "show", "db", "DB_PASS"}).out, kValue + "\n");
  ExpectNoValue("the database", DatabaseBytes(again.home()));
  std::string log = again.log();
  EXPECT_NE(log.find("[secrets] created secret db/DB_PASS"), std::string::npos) << log;
  ExpectNoValue("the server log", log);
}

TEST(SecretE2E, GroupReadableKeyFileIsRefused) {
  BerthServer server;
  ASSERT_TRUE(server.Start().ok());
  ASSERT_EQ(server.Cli({"secret", "create", "db", "K", kArgValue}).exit_code, 0);
  std::string key_file = server.home() + "/config/secret.key";
  ASSERT_EQ(::chmod(key_file.c_str(), 0644), 0);
  auto r = server.Cli({"secret", "show", "db", "K"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "error: secret \"K\" from provider \"db\": secret key file " + key_file +
                       " has mode 644: the group or others may read it; refusing to use it "
                       "(chmod 600 " +
                       key_file + ")\n");
}

TEST(SecretE2E, UnknownProviderTypeIsAStartupErrorNamingTheSection) {
  BerthServer server("[secret.aws_prod]\nregion = \"x\"\n");
  Status s = server.Start();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("[secret.aws_prod]: unknown secret provider type: the name must "
                             "start with env, prop, vault or db"),
            std::string::npos)
      << s.message();
}

}  // namespace
}  // namespace berth::testing
