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

// IndentJson lays text out as nlohmann's dump(2) does, keys in their order.
TEST(JsonTextTest, IndentJsonMatchesNlohmannsLayout) {
  const char* texts[] = {
      R"({"apps":[{"id":"app_prd_x","path":"localhost:/a","permissions":[],"meta":{},"n":-12,"ok":true,"x":null}],"dry_run":false})",
      R"([])",
      R"({})",
      R"("just a string")",
      R"(3.5)",
      R"([[],[{}],{"a":[1,2,[3]]}])",
      R"({"tricky \" {[:,]} \\":"value with \"quotes\", [brackets] and {braces}: yes","u":"café € \u0001"})",
      " { \"spaced\" : [ 1 , 2 ] , \"e\" : [ ] } ",
  };
  for (const char* text : texts) {
    auto tree = nlohmann::ordered_json::parse(text);
    EXPECT_EQ(IndentJson(text, 2), tree.dump(2)) << text;
    EXPECT_EQ(IndentJson(text, 4), tree.dump(4)) << text;
  }
  AppsResponse r;
  AppInfo a;
  a.path = "localhost:/a";
  a.permissions = {"bind /x", "quote \" backslash \\ tab \t"};
  r.apps = {a, a};
  std::string text = ToJsonText(r);
  EXPECT_EQ(IndentJson(text, 2), nlohmann::ordered_json::parse(text).dump(2));
}

TEST(JsonTextTest, JsonMemberTextFindsATopLevelMember) {
  std::string_view text = R"( {"a\"pps":[1], "skip":{"apps":[2]}, "apps" : [{"x":"]"}], "z":1})";
  EXPECT_EQ(JsonMemberText(text, "apps"), R"([{"x":"]"}])");
  EXPECT_EQ(JsonMemberText(text, "z"), "1");
  EXPECT_EQ(JsonMemberText(text, "skip"), R"({"apps":[2]})");
  EXPECT_EQ(JsonMemberText(text, "none"), std::nullopt);
  EXPECT_EQ(JsonMemberText("[1,2]", "apps"), std::nullopt);
  EXPECT_EQ(JsonMemberText("{}", "apps"), std::nullopt);
  EXPECT_EQ(JsonMemberText(R"({"apps":"s"})", "apps"), R"("s")");
}

}  // namespace
}  // namespace berth::admin
