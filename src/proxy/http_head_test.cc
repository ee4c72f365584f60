#include "proxy/http_head.h"

#include <gtest/gtest.h>

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/write.hpp>
#include <sstream>

namespace berth::proxy {
namespace {

namespace http = boost::beast::http;

// What Beast's own serializer writes for the head.
template <bool isRequest>
std::string BeastHead(const http::header<isRequest>& h) {
  std::ostringstream os;
  os << h;
  return os.str();
}

TEST(HttpHead, RequestMatchesBeast) {
  http::request<http::empty_body> req{http::verb::get, "/a/b?c=d", 11};
  req.set(http::field::host, "example.com:8080");
  req.set("X-Custom-Thing", "v1, v2");
  req.insert(http::field::accept, "text/html");
  req.insert(http::field::accept, "*/*");
  req.set(http::field::user_agent, "");
  req.keep_alive(true);
  std::string out = "prefix:";
  AppendHead(req.base(), &out);
  EXPECT_EQ(out, "prefix:" + BeastHead(req.base()));
  EXPECT_EQ(out.substr(7, 24), "GET /a/b?c=d HTTP/1.1\r\nH");

  req.method_string("PURGE");  // a method Beast does not know
  req.version(10);
  req.chunked(true);
  out.clear();
  AppendHead(req.base(), &out);
  EXPECT_EQ(out, BeastHead(req.base()));
}

TEST(HttpHead, ResponseMatchesBeast) {
  http::response<http::empty_body> res{http::status::ok, 11};
  res.set(http::field::server, "backend");
  res.set(http::field::content_length, "6");
  std::string out;
  AppendHead(res.base(), &out);
  EXPECT_EQ(out, BeastHead(res.base()));
  EXPECT_EQ(out.substr(0, 17), "HTTP/1.1 200 OK\r\n");

  res.reason("Fine Indeed");
  res.version(10);
  out.clear();
  AppendHead(res.base(), &out);
  EXPECT_EQ(out, BeastHead(res.base()));

  res.result(599);  // unknown code, no reason of Beast's own
  res.reason("");
  res.chunked(true);
  out.clear();
  AppendHead(res.base(), &out);
  EXPECT_EQ(out, BeastHead(res.base()));

  http::response<http::empty_body> empty{http::status::no_content, 11};
  out.clear();
  AppendHead(empty.base(), &out);
  EXPECT_EQ(out, "HTTP/1.1 204 No Content\r\n\r\n");
}

}  // namespace
}  // namespace berth::proxy
