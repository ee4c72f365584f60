#include "base/hash.h"

#include <gtest/gtest.h>

namespace berth {
namespace {

TEST(HashTest, KnownDigest) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(HashTest, FieldsAreLengthPrefixed) {
  Sha256 a, b;
  a.AddField("ab");
  a.AddField("c");
  b.AddField("a");
  b.AddField("bc");
  EXPECT_NE(a.Hex(), b.Hex());
}

}  // namespace
}  // namespace berth
