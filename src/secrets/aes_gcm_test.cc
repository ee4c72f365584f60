#include "secrets/aes_gcm.h"

#include <gtest/gtest.h>

namespace berth::secrets {
namespace {

TEST(AesGcmTest, RoundTripAndFreshNonces) {
  std::string key = *RandomBytes(kAesKeyBytes);
  std::string nonce = *RandomBytes(kGcmNonceBytes);
  for (std::string plain : {std::string(), std::string("p&ss<w>\"rd'"), std::string(1000, 'x'),
                            std::string("a\0b", 3)}) {
    auto sealed = SealAesGcm(key, nonce, plain, "aad");
    ASSERT_TRUE(sealed.ok());
    EXPECT_EQ(sealed->size(), plain.size() + kGcmTagBytes);
    if (!plain.empty()) {
      EXPECT_EQ(sealed->find(plain), std::string::npos);
    }
    auto opened = OpenAesGcm(key, nonce, *sealed, "aad");
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    EXPECT_EQ(*opened, plain);
  }
  EXPECT_NE(*RandomBytes(kGcmNonceBytes), *RandomBytes(kGcmNonceBytes));
}

TEST(AesGcmTest, AnyChangeFailsTheTag) {
  std::string key = *RandomBytes(kAesKeyBytes);
  std::string nonce = *RandomBytes(kGcmNonceBytes);
  std::string sealed = *SealAesGcm(key, nonce, "the value", "db/NAME");
  auto expect_denied = [&](std::string_view k, std::string_view n, std::string_view s,
                           std::string_view aad, const char* what) {
    auto r = OpenAesGcm(k, n, s, aad);
    ASSERT_FALSE(r.ok()) << what;
    EXPECT_EQ(r.status().code(), Status::Code::kPermissionDenied) << what;
  };
  for (size_t i = 0; i < sealed.size(); ++i) {
    std::string t = sealed;
    t[i] ^= 1;
    expect_denied(key, nonce, t, "db/NAME", "flipped bit");
  }
  std::string other_key = key;
  other_key[0] ^= 1;
  expect_denied(other_key, nonce, sealed, "db/NAME", "other key");
  std::string other_nonce = nonce;
  other_nonce[11] ^= 1;
  expect_denied(key, other_nonce, sealed, "db/NAME", "other nonce");
  expect_denied(key, nonce, sealed, "db/OTHER", "other aad");
  expect_denied(key, nonce, sealed.substr(0, 5), "db/NAME", "truncated");
  EXPECT_EQ(SealAesGcm("short", nonce, "x", "").status().code(), Status::Code::kInternal);
}

}  // namespace
}  // namespace berth::secrets
