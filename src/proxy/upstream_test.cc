#include "proxy/upstream.h"

#include <gtest/gtest.h>

namespace berth::proxy {
namespace {

TEST(UpstreamTest, ParsesUrls) {
  auto u = ParseUpstreamUrl("http://127.0.0.1:9000");
  ASSERT_TRUE(u.ok());
  EXPECT_FALSE(u->tls);
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 9000);
  EXPECT_EQ(u->base_path, "");
  EXPECT_EQ(u->HostHeader(), "127.0.0.1:9000");

  u = ParseUpstreamUrl("https://Clace.io/docs/");
  ASSERT_TRUE(u.ok());
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(u->host, "clace.io");
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->base_path, "/docs");
  EXPECT_EQ(u->HostHeader(), "clace.io");

  u = ParseUpstreamUrl("http://[::1]:8080/x");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->HostHeader(), "[::1]:8080");
}

TEST(UpstreamTest, RejectsBadUrls) {
  for (const char* bad : {"ftp://x", "127.0.0.1:9000", "http://", "http://x:0", "http://x:99999",
                          "http://u:p@x/", "http://x:abc"}) {
    EXPECT_FALSE(ParseUpstreamUrl(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace berth::proxy
