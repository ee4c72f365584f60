// libFuzzer target: any bytes as a client's request head, through Beast's parser and then
// everything Berth does with the head before it reaches an upstream (CheckRequest, the header
// transform, Via loop check, target rewrite). Crashes, sanitizer reports and broken invariants
// (a checked target that is not origin form) are bugs.
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "proxy/header_transform.h"
#include "proxy/request_check.h"

namespace http = boost::beast::http;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  http::request_parser<http::buffer_body> p;
  p.header_limit(16384);
  boost::beast::error_code ec;
  p.put(boost::asio::buffer(data, size), ec);
  if (!p.is_header_done()) return 0;
  auto& req = p.get();
  berth::proxy::RequestVerdict v = berth::proxy::CheckRequest(req);
  if (v.status != 0) return 0;
  if (!v.target.empty() && v.target[0] != '/') std::abort();  // origin form, always
  std::string path = v.target.substr(0, v.target.find('?'));  // the query is left as it is
  if (path.find("/../") != std::string::npos || path.ends_with("/..")) std::abort();
  if (path.find("/./") != std::string::npos || path.ends_with("/.")) std::abort();
  (void)berth::proxy::CameThrough(req, "berth-0000");
  berth::proxy::ForwardInfo info;
  info.client_ip = "127.0.0.1";
  info.client_host = v.host;
  info.app_path = "/app";
  info.upstream_host = "127.0.0.1:9000";
  info.via = "1.1 berth-0000";
  berth::proxy::TransformRequestHeaders(req, info);
  std::string t = berth::proxy::RewriteTarget(v.target, "/app", true, "/base");
  if (t.empty() || t[0] != '/') std::abort();
  for (const auto& f : req) {
    if (!berth::proxy::IsForwardableTrailer(f.name_string())) continue;
  }
  return 0;
}
