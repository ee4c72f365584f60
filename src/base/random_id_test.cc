#include "base/random_id.h"

#include <gtest/gtest.h>

#include <set>

namespace berth {
namespace {

TEST(RandomIdTest, LowercaseBase32OfTheAskedLength) {
  for (size_t n : {0u, 1u, 8u, 20u, 64u, 65u, 200u}) {
    std::string id = RandomId(n);
    EXPECT_EQ(id.size(), n);
    EXPECT_EQ(id.find_first_not_of("abcdefghijklmnopqrstuvwxyz234567"), std::string::npos) << id;
  }
}

TEST(RandomIdTest, NamesDoNotRepeat) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(seen.insert(RandomId(20)).second);
}

TEST(RandomIdTest, UsesEveryLetterOfTheAlphabet) {
  std::string all;
  for (int i = 0; i < 20; ++i) all += RandomId(64);
  std::set<char> letters(all.begin(), all.end());
  EXPECT_EQ(letters.size(), 32u);
}

}  // namespace
}  // namespace berth
