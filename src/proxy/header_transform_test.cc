#include "proxy/header_transform.h"

#include <gtest/gtest.h>

namespace berth::proxy {
namespace {

namespace http = boost::beast::http;

TEST(HeaderTransformTest, StripsHopByHopAndConnectionNamed) {
  http::fields f;
  f.set(http::field::connection, "keep-alive, X-Custom-Hop");
  f.set("X-Custom-Hop", "1");
  f.set(http::field::keep_alive, "timeout=5");
  f.set(http::field::transfer_encoding, "chunked");
  f.set(http::field::te, "trailers");
  f.set(http::field::upgrade, "h2c");
  f.set("Proxy-Connection", "keep-alive");
  f.set(http::field::proxy_authorization, "secret");
  f.set(http::field::content_type, "text/plain");
  StripHopByHop(f, false);
  for (const char* gone : {"Connection", "X-Custom-Hop", "Keep-Alive", "Transfer-Encoding", "TE",
                           "Upgrade", "Proxy-Connection", "Proxy-Authorization"}) {
    EXPECT_EQ(f.count(gone), 0u) << gone;
  }
  EXPECT_EQ(f[http::field::content_type], "text/plain");
}

TEST(HeaderTransformTest, UpgradeKeepsUpgradeHeaders) {
  http::fields f;
  f.set(http::field::connection, "Upgrade");
  f.set(http::field::upgrade, "websocket");
  StripHopByHop(f, true);
  EXPECT_EQ(f[http::field::connection], "Upgrade");
  EXPECT_EQ(f[http::field::upgrade], "websocket");
}

TEST(HeaderTransformTest, ForwardedHeadersAreReplacedNeverTrusted) {
  http::fields f;
  f.set(http::field::host, "proxyapp.localhost:25223");
  f.insert("X-Forwarded-For", "6.6.6.6");
  f.insert("x-forwarded-for", "7.7.7.7");
  f.set("X-Forwarded-Proto", "gopher");
  f.set("X-Forwarded-Prefix", "/evil");
  f.set("X-Forwarded-Port", "1");
  f.set(http::field::forwarded, "for=6.6.6.6");
  ForwardInfo info;
  info.client_ip = "127.0.0.1";
  info.tls = true;
  info.client_host = "proxyapp.localhost:25223";
  info.app_path = "/";
  info.upstream_host = "127.0.0.1:9000";
  TransformRequestHeaders(f, info);
  EXPECT_EQ(f.count("X-Forwarded-For"), 1u);
  EXPECT_EQ(f["X-Forwarded-For"], "127.0.0.1");
  EXPECT_EQ(f["X-Forwarded-Proto"], "https");
  EXPECT_EQ(f["X-Forwarded-Host"], "proxyapp.localhost:25223");
  EXPECT_EQ(f.count("X-Forwarded-Prefix"), 0u);
  EXPECT_EQ(f.count("X-Forwarded-Port"), 0u);
  EXPECT_EQ(f.count(http::field::forwarded), 0u);
  EXPECT_EQ(f[http::field::host], "127.0.0.1:9000");
}

TEST(HeaderTransformTest, PrefixAndPreserveHost) {
  http::fields f;
  f.set(http::field::host, "localhost");
  ForwardInfo info;
  info.client_ip = "::1";
  info.client_host = "localhost";
  info.app_path = "/app";
  info.preserve_host = true;
  info.upstream_host = "127.0.0.1:9000";
  TransformRequestHeaders(f, info);
  EXPECT_EQ(f["X-Forwarded-Prefix"], "/app");
  EXPECT_EQ(f["X-Forwarded-Proto"], "http");
  EXPECT_EQ(f[http::field::host], "localhost");
}

TEST(HeaderTransformTest, RealIpViaAndNoProxyHeader) {
  http::fields f;
  f.set(http::field::host, "a.localhost");
  f.set("X-Real-IP", "6.6.6.6");
  f.set("Proxy", "http://evil:3128");
  f.insert(http::field::via, "1.0 edge");
  f.insert(http::field::via, "1.1 cdn (Cache/1)");
  ForwardInfo info;
  info.client_ip = "10.0.0.7";
  info.app_path = "/";
  info.upstream_host = "127.0.0.1:9000";
  info.via = "1.1 berth-00c0ffee";
  TransformRequestHeaders(f, info);
  EXPECT_EQ(f["X-Real-IP"], "10.0.0.7");
  EXPECT_EQ(f.count("Proxy"), 0u);
  EXPECT_EQ(f.count(http::field::via), 1u);
  EXPECT_EQ(f[http::field::via], "1.0 edge, 1.1 cdn (Cache/1), 1.1 berth-00c0ffee");
  EXPECT_TRUE(CameThrough(f, "berth-00c0ffee"));
  EXPECT_TRUE(CameThrough(f, "cdn"));
  EXPECT_FALSE(CameThrough(f, "berth-0badf00d"));
  EXPECT_FALSE(CameThrough(f, "1.1"));

  http::fields res;
  TransformResponseHeaders(res, false, "1.1 berth-00c0ffee");
  EXPECT_EQ(res[http::field::via], "1.1 berth-00c0ffee");
}

TEST(HeaderTransformTest, OnlyHarmlessTrailersPass) {
  for (const char* ok : {"X-Checksum", "grpc-status", "Server-Id", "X-Trace"}) {
    EXPECT_TRUE(IsForwardableTrailer(ok)) << ok;
  }
  for (const char* no : {"Host", "HOST", "Authorization", "X-Forwarded-For", "x-forwarded-host",
                         "Forwarded", "Cookie", "Content-Length", "Transfer-Encoding",
                         "Connection", "Proxy-Authorization", "Via", "Set-Cookie", "X-Real-IP",
                         "Content-Type", ""}) {
    EXPECT_FALSE(IsForwardableTrailer(no)) << no;
  }
}

TEST(HeaderTransformTest, RewriteTarget) {
  EXPECT_EQ(RewriteTarget("/app/x?q=1", "/app", true, ""), "/x?q=1");
  EXPECT_EQ(RewriteTarget("/app", "/app", true, ""), "/");
  EXPECT_EQ(RewriteTarget("/app?q", "/app", true, ""), "/?q");
  EXPECT_EQ(RewriteTarget("/app/x", "/app", false, ""), "/app/x");
  EXPECT_EQ(RewriteTarget("/x", "/", true, ""), "/x");
  EXPECT_EQ(RewriteTarget("/app/x", "/app", true, "/base"), "/base/x");
  EXPECT_EQ(RewriteTarget("/app", "/app", true, "/base"), "/base/");
  EXPECT_EQ(RewriteTarget("http://h:1/app/y?z", "/app", true, ""), "/y?z");
}

TEST(HeaderTransformTest, TargetPath) {
  EXPECT_EQ(TargetPath("/a/b?c"), "/a/b");
  EXPECT_EQ(TargetPath("http://host:80/a?x"), "/a");
  EXPECT_EQ(TargetPath("http://host"), "/");
  EXPECT_EQ(TargetPath("*"), "");
}

}  // namespace
}  // namespace berth::proxy
