#include "admin/json_text.h"

#include <gtest/gtest.h>

#include "admin/protocol.h"

namespace berth::admin {
namespace {

// ToJsonText must give the value Dump(ToJson(...)) gives, for every kind of field.
template <typename T>
void ExpectSameAsTree(const T& value) {
  std::string text = ToJsonText(value);
  auto parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(parsed.is_discarded()) << text;
  EXPECT_EQ(parsed, nlohmann::json::parse(Dump(ToJson(value)))) << text;
}

TEST(JsonTextTest, AppsResponseMatchesTheTree) {
  AppsResponse r;
  r.dry_run = true;
  AppInfo a;
  a.id = "app_prd_x";
  a.path = "localhost:/a";
  a.version = -12345678901234;
  a.is_stage = true;
  a.permissions = {"bind /x", "quote \" backslash \\ tab \t newline \n", "\x01\x1f\x7f"};
  r.apps.push_back(a);
  a.error = "caf\xc3\xa9 \xe2\x82\xac";  // UTF-8 passes as it is
  a.permissions.clear();
  r.apps.push_back(a);
  ExpectSameAsTree(r);
  ExpectSameAsTree(AppsResponse{});
}

TEST(JsonTextTest, InvalidUtf8BecomesTheReplacementCharacter) {
  AppInfo a;
  a.error = "bad \xff\xfe end";
  std::string text = ToJsonText(a);
  EXPECT_NE(text.find("bad \xef\xbf\xbd"), std::string::npos) << text;
  ExpectSameAsTree(a);
}

TEST(JsonTextTest, MapsOptionalsAndJsonValues) {
  CreateAppRequest req;
  req.settings.params = {{"A", "1"}, {"B", "two"}};
  req.settings.copts = {{"k", std::nullopt}, {"k2", "v"}};
  req.settings.cvols = {"/data"};
  ExpectSameAsTree(req);
  SpecParam p;
  p.default_value = nlohmann::json{{"x", {1, 2.5, "s"}}};
  ExpectSameAsTree(p);
  p.default_value = nullptr;
  ExpectSameAsTree(p);
}

}  // namespace
}  // namespace berth::admin
