#include "app/app_path.h"

#include <gtest/gtest.h>

namespace berth::app {
namespace {

struct Case {
  const char* input;
  const char* want;  // "domain:/path", or nullptr for an error
  const char* error_part = "";
};

TEST(AppPathTest, ParseTable) {
  const Case cases[] = {
      {"/streamlit_app", "localhost:/streamlit_app"},
      {"nginxapp.localhost:/", "nginxapp.localhost:/"},
      {"maps.:", "maps.localhost:/"},
      {"maps.:/x/", "maps.localhost:/x"},
      {"Example.COM:/A/b", "example.com:/A/b"},
      {":/x", "localhost:/x"},
      {"/", "localhost:/"},
      {"example.com:", "example.com:/"},
      {"app", nullptr, "must be [domain:]/path"},
      {"", nullptr, "empty"},
      {"/a//b", nullptr, "empty"},
      {"/a/../b", nullptr, "\"..\""},
      {"/a_cl_x", nullptr, "reserved"},
      {"/x/my_cl_stage", nullptr, "reserved"},
      {"bad_domain!:/x", nullptr, "invalid character"},
      {"-bad.com:/x", nullptr, "invalid domain"},
      {"a..b:/x", nullptr, "invalid domain"},
      {"/a b", nullptr, "invalid character ' '"},
      {"example.com:x", nullptr, "must start with /"},
      // Internationalized domains become their ASCII (punycode) form, as in a Host header.
      {"B\u00fccher.example:/x", "xn--bcher-kva.example:/x"},
      {"m\u00fcnchen.:/", "xn--mnchen-3ya.localhost:/"},
      {"xn--bcher-kva.example:/x", "xn--bcher-kva.example:/x"},
      {"a\xff.com:/x", nullptr, "invalid internationalized domain"},
      {"\u2603\u2603.-x.com:/", nullptr, "invalid"},
      {"/caf\u00e9", nullptr, "non-ASCII character"},
  };
  for (const auto& c : cases) {
    Result<AppPath> got = ParseAppPath(c.input, "localhost");
    if (c.want) {
      ASSERT_TRUE(got.ok()) << c.input << ": " << got.status().ToString();
      EXPECT_EQ(got->ToString(), c.want) << c.input;
    } else {
      ASSERT_FALSE(got.ok()) << c.input << " parsed as " << got->ToString();
      EXPECT_NE(got.status().message().find(c.error_part), std::string::npos)
          << c.input << ": " << got.status().message();
    }
  }
}

TEST(AppPathTest, StageTwin) {
  EXPECT_EQ(ParseAppPath("/app", "localhost")->Stage().ToString(), "localhost:/app_cl_stage");
  EXPECT_EQ(ParseAppPath("x.com:/", "localhost")->Stage().ToString(), "x.com:/_cl_stage");
  EXPECT_TRUE(ParseStoredAppPath("x.com:/_cl_stage").ok());
}

TEST(AppPathTest, PrefixOnSlashBoundary) {
  EXPECT_TRUE(PathHasPrefix("/app", "/app"));
  EXPECT_TRUE(PathHasPrefix("/app/x", "/app"));
  EXPECT_FALSE(PathHasPrefix("/application", "/app"));
  EXPECT_TRUE(PathHasPrefix("/anything", "/"));
  AppPath a{"d", "/a"}, ab{"d", "/a/b"}, other{"e", "/a/b"};
  EXPECT_TRUE(a.Contains(ab));
  EXPECT_FALSE(ab.Contains(a));
  EXPECT_FALSE(a.Contains(other));
}

}  // namespace
}  // namespace berth::app
