#include "app/glob.h"

#include <gtest/gtest.h>

namespace berth::app {
namespace {

struct Case {
  const char* glob;
  const char* path;
  bool want;
};

TEST(GlobTest, Table) {
  const Case cases[] = {
      {"all", "x.com:/a/b", true},
      {"/app", "localhost:/app", true},
      {"/app", "x.com:/app", false},
      {"/app*", "localhost:/app1", true},
      {"/app*", "localhost:/app1/x", false},
      {"/*", "localhost:/", true},
      {"/**", "localhost:/a/b/c", true},
      {"/a/**", "localhost:/a", true},
      {"/a/**", "localhost:/a/b/c", true},
      {"/a/**", "localhost:/ab", false},
      {"/a/*/c", "localhost:/a/b/c", true},
      {"/a/*/c", "localhost:/a/b/x/c", false},
      {"*:**", "x.y.com:/q", true},
      {"*.com:**", "x.com:/q", true},
      {"*.com:**", "x.y.com:/q", false},
      {"**.com:/q", "x.y.com:/q", true},
      {"x.com:", "x.com:/", true},
      {"x.com:/", "x.com:/", true},
      {"x.com:/", "x.com:/a", false},
      {"maps.:", "maps.localhost:/", true},
      {"*:/", "a.com:/", true},
  };
  for (const auto& c : cases) {
    auto g = AppGlob::Parse(c.glob, "localhost");
    ASSERT_TRUE(g.ok()) << c.glob;
    auto p = ParseStoredAppPath(c.path);
    ASSERT_TRUE(p.ok()) << c.path;
    EXPECT_EQ(g->Matches(*p), c.want) << c.glob << " vs " << c.path;
  }
}

TEST(GlobTest, Errors) {
  EXPECT_FALSE(AppGlob::Parse("", "localhost").ok());
  EXPECT_FALSE(AppGlob::Parse("app", "localhost").ok());
}

}  // namespace
}  // namespace berth::app
