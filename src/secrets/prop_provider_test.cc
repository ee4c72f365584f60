#include "secrets/prop_provider.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>

#include "base/files.h"

namespace berth::secrets {
namespace {

std::string TempDir() {
  std::string dir = "/tmp/berth-prop-XXXXXX";
  EXPECT_NE(::mkdtemp(dir.data()), nullptr);
  return dir;
}

TEST(ParsePropertiesTest, KeyValueLinesCommentsAndSpaces) {
  auto m = ParseProperties(
      "# a comment\n\n  db.pass = s3cr=t \nempty=\n  # indented comment\nurl=http://x?a=b\n"
      "db.pass=later\r\n",
      "f");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->size(), 3u);
  EXPECT_EQ(m->at("db.pass"), "later");
  EXPECT_EQ(m->at("empty"), "");
  EXPECT_EQ(m->at("url"), "http://x?a=b");
}

TEST(ParsePropertiesTest, BadLineNamesFileAndLineButNotItsText) {
  auto m = ParseProperties("a=1\nhunter2\n", "/etc/s.properties");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().message(), "/etc/s.properties:2: expected key = value");
  auto empty_key = ParseProperties(" = hunter2\n", "f");
  ASSERT_FALSE(empty_key.ok());
  EXPECT_EQ(empty_key.status().message().find("hunter2"), std::string::npos);
}

TEST(PropProviderTest, ReadsJoinedKeysAndRereadsAChangedFile) {
  std::string file = TempDir() + "/secrets.properties";
  ASSERT_TRUE(WriteFileAtomic(file, "db.pass = one\n", 0600).ok());
  auto p = PropProvider::Create("prop_local", {{"file_name", file}});
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(*(*p)->Get({"db", "pass"}), "one");
  // Same size, new content: the modification time (or inode, after the atomic rename) says so.
  ASSERT_TRUE(WriteFileAtomic(file, "db.pass = two\n", 0600).ok());
  EXPECT_EQ(*(*p)->Get({"db.pass"}), "two");
  auto missing = (*p)->Get({"db", "user"});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Status::Code::kNotFound);
  EXPECT_EQ(missing.status().message(),
            "secret \"db.user\" from provider \"prop_local\": no such key in " + file);
}

TEST(PropProviderTest, MissingFileAndBadConfig) {
  auto p = PropProvider::Create("prop_x", {{"file_name", "/nonexistent/berth.properties"}});
  ASSERT_TRUE(p.ok());
  auto r = (*p)->Get({"K"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kUnavailable);
  EXPECT_EQ(r.status().message(),
            "secret \"K\" from provider \"prop_x\": cannot read /nonexistent/berth.properties: "
            "No such file or directory");
  EXPECT_EQ(PropProvider::Create("prop_x", {}).status().message(),
            "[secret.prop_x]: file_name is required");
  EXPECT_EQ(PropProvider::Create("prop_x", {{"file_name", "rel.properties"}}).status().message(),
            "[secret.prop_x]: file_name \"rel.properties\" is not an absolute path");
  EXPECT_EQ(PropProvider::Create("prop_x", {{"file", "/x"}}).status().message(),
            "[secret.prop_x]: unknown key file; known keys: file_name, keys_printf");
  EXPECT_EQ(PropProvider::Create("prop_x", {{"file_nme", "/x"}}).status().message(),
            "[secret.prop_x]: unknown key file_nme (did you mean file_name?); known keys: "
            "file_name, keys_printf");
}

}  // namespace
}  // namespace berth::secrets
