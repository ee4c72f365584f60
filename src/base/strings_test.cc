#include "base/strings.h"

#include <gtest/gtest.h>

namespace berth {
namespace {

TEST(StringsTest, SplitJoinTrim) {
  EXPECT_EQ(Split("a:b::c", ':'), (std::vector<std::string>{"a", "b", "", "c"}));
  EXPECT_EQ(Split("", ':'), (std::vector<std::string>{""}));
  EXPECT_EQ(Join({"a", "b", "c"}, ", "), "a, b, c");
  EXPECT_EQ(Trim("  x y \n"), "x y");
  EXPECT_TRUE(EqualsIgnoreCase("Upgrade", "upgrade"));
}

TEST(StringsTest, LastLines) {
  EXPECT_EQ(LastLines("a\nb\nc\n", 2), "b\nc");
  EXPECT_EQ(LastLines("a\nb", 5), "a\nb");
  EXPECT_EQ(LastLines("", 3), "");
}

TEST(StringsTest, ParseInt) {
  long long v = 0;
  EXPECT_TRUE(ParseInt("8080", &v));
  EXPECT_EQ(v, 8080);
  EXPECT_TRUE(ParseInt("-1", &v));
  EXPECT_EQ(v, -1);
  EXPECT_FALSE(ParseInt("80a", &v));
  EXPECT_FALSE(ParseInt("", &v));
}

TEST(StringsTest, ClosestMatch) {
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(EditDistance("pyhton", "python"), 1u);          // a swap is one edit
  EXPECT_EQ(EditDistance("Proxy", "proxy"), 0u);            // letters compare case-insensitively
  EXPECT_EQ(ClosestMatch("app", {"app", "apps"}), "apps");  // never the word itself
  EXPECT_EQ(ClosestMatch("lisst", {"list", "last"}, 1), "list");
  EXPECT_EQ(ClosestMatch("lxsxt", {"list"}, 1), "");
  EXPECT_EQ(ClosestMatch("pyhton-flask", {"python-flask", "proxy", "image"}), "python-flask");
  EXPECT_EQ(ClosestMatch("zzzzzz", {"proxy", "image"}), "");
}

}  // namespace
}  // namespace berth
