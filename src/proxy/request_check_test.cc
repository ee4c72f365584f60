#include "proxy/request_check.h"

#include <gtest/gtest.h>

#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>

namespace berth::proxy {
namespace {

namespace http = boost::beast::http;

http::request_header<> Head(std::string target, unsigned version = 11) {
  http::request_header<> h;
  h.method(http::verb::get);
  h.target(target);
  h.version(version);
  if (version >= 11) h.set(http::field::host, "app.localhost:25222");
  return h;
}

TEST(RequestCheckTest, OriginFormPassesWithItsHost) {
  auto v = CheckRequest(Head("/echo/x?q=1"));
  EXPECT_EQ(v.status, 0u) << v.reason;
  EXPECT_EQ(v.host, "app.localhost:25222");
  EXPECT_EQ(v.target, "/echo/x?q=1");
}

TEST(RequestCheckTest, DotSegmentsAreRemovedBeforeRouting) {
  EXPECT_EQ(CheckRequest(Head("/echo/../../etc/passwd")).target, "/etc/passwd");
  EXPECT_EQ(CheckRequest(Head("/a/./b/../c?x=/../y")).target, "/a/c?x=/../y");
  EXPECT_EQ(RemoveDotSegments("/a/.."), "/");
  EXPECT_EQ(RemoveDotSegments("/a/b/."), "/a/b/");
  EXPECT_EQ(RemoveDotSegments("/.."), "/");
  EXPECT_EQ(RemoveDotSegments("/a//b/../c"), "/a//c");
  EXPECT_EQ(RemoveDotSegments("/a/..b/c"), "/a/..b/c");
}

TEST(RequestCheckTest, AbsoluteFormRoutesByItsOwnAuthority) {
  auto v = CheckRequest(Head("http://other.localhost:8080/p/../q?z"));
  EXPECT_EQ(v.status, 0u) << v.reason;
  EXPECT_EQ(v.host, "other.localhost:8080");
  EXPECT_EQ(v.target, "/q?z");
  EXPECT_EQ(CheckRequest(Head("HTTPS://h.localhost")).target, "/");
  EXPECT_EQ(CheckRequest(Head("http://h.localhost?a=b")).target, "/?a=b");
  EXPECT_EQ(CheckRequest(Head("http://user@h.localhost/")).status, 400u);
}

TEST(RequestCheckTest, BadTargetsAre400) {
  for (const char* t : {"/a#frag", "relative/path", "?q", "ftp://h/x", "h.localhost:80"}) {
    EXPECT_EQ(CheckRequest(Head(t)).status, 400u) << t;
  }
  EXPECT_EQ(CheckRequest(Head("*")).status, 400u);
  auto options = Head("*");
  options.method(http::verb::options);
  EXPECT_EQ(CheckRequest(options).status, 0u);
  auto connect = Head("h.localhost:443");
  connect.method(http::verb::connect);
  EXPECT_EQ(CheckRequest(connect).status, 405u);
}

TEST(RequestCheckTest, HostIsRequiredOnceInHttp11) {
  auto none = Head("/");
  none.erase(http::field::host);
  EXPECT_EQ(CheckRequest(none).status, 400u);
  EXPECT_EQ(CheckRequest(Head("/", 10)).status, 0u);  // HTTP/1.0 may leave it out
  auto two = Head("/");
  two.insert(http::field::host, "evil.localhost");
  EXPECT_EQ(CheckRequest(two).status, 400u);
  auto bad = Head("/");
  bad.set(http::field::host, "a b");
  EXPECT_EQ(CheckRequest(bad).status, 400u);
}

TEST(RequestCheckTest, OnlyAFinalChunkedTransferCoding) {
  auto with_te = [](std::string te, unsigned version = 11) {
    auto h = Head("/", version);
    h.set(http::field::transfer_encoding, te);
    return CheckRequest(h).status;
  };
  EXPECT_EQ(with_te("chunked"), 0u);
  EXPECT_EQ(with_te("Chunked"), 0u);
  EXPECT_EQ(with_te("xchunked"), 400u);
  EXPECT_EQ(with_te("chunked, identity"), 400u);
  EXPECT_EQ(with_te("chunked, chunked"), 400u);
  EXPECT_EQ(with_te("gzip, chunked"), 501u);
  EXPECT_EQ(with_te(""), 400u);
  EXPECT_EQ(with_te("chunked", 10), 400u);
}

TEST(RequestCheckTest, ContentLengthValuesMustAgree) {
  auto with_cl = [](std::vector<std::string> values) {
    auto h = Head("/");
    for (auto& v : values) h.insert(http::field::content_length, v);
    return CheckRequest(h).status;
  };
  EXPECT_EQ(with_cl({"5"}), 0u);
  EXPECT_EQ(with_cl({"5, 5"}), 0u);
  EXPECT_EQ(with_cl({"5", "5"}), 0u);
  EXPECT_EQ(with_cl({"5", "6"}), 400u);
  EXPECT_EQ(with_cl({"5, 6"}), 400u);
  EXPECT_EQ(with_cl({"-1"}), 400u);
  EXPECT_EQ(with_cl({""}), 400u);
}

}  // namespace
}  // namespace berth::proxy

namespace berth::proxy {
namespace {

// The same checks on heads as Beast's parser leaves them.
unsigned CheckRaw(std::string raw) {
  namespace beast = boost::beast;
  http::request_parser<http::buffer_body> p;
  beast::error_code ec;
  p.put(boost::asio::buffer(raw), ec);
  if (ec && ec != http::error::need_buffer) return 1000;  // Beast itself refused it
  return CheckRequest(p.get()).status;
}

TEST(RequestCheckTest, HeadsAsBeastParsesThem) {
  EXPECT_EQ(CheckRaw("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), 0u);
  EXPECT_EQ(CheckRaw("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n"), 400u);
  EXPECT_EQ(CheckRaw("GET / HTTP/1.1\r\n\r\n"), 400u);
  EXPECT_EQ(CheckRaw("GET /x#y HTTP/1.1\r\nHost: a\r\n\r\n"), 400u);
}

}  // namespace
}  // namespace berth::proxy
