// The checks a client's request head passes before Berth routes it: HTTP/1.1's message
// framing and target rules (RFC 9112), and where the request goes. A pure function over Beast's
// header; no sockets. A request that fails is answered with the verdict's status and closed.
#pragma once

#include <boost/beast/http/message.hpp>
#include <string>
#include <string_view>

namespace berth::proxy {

struct RequestVerdict {
  unsigned status = 0;  // 0: the request may go on; else the status to answer (400, 405, 501)
  std::string reason;   // why, for the client (one line)

  // Set when status is 0:
  std::string host;    // the host to route by: the absolute-form target's authority, else Host
  std::string target;  // origin form with dot segments removed ("/a/../b?q" -> "/b?q");
                       // "" for "OPTIONS *"
};

// Checks `h` (as Beast parsed it) and works out its routing host and target:
// - Transfer-Encoding: only "chunked", once, as the final coding (anything else is 400, or 501
//   for a coding before chunked); never in an HTTP/1.0 request.
// - Content-Length: every value (repeated fields, comma lists) the same number.
// - Host: exactly one in HTTP/1.1 (at most one in 1.0), with no characters a host cannot hold.
// - Target: origin form ("/p?q"), absolute form ("http://host/p?q", routed by its own
//   authority), or "*" for OPTIONS; a fragment, a relative target or userinfo is 400; CONNECT
//   (authority form) is 405.
RequestVerdict CheckRequest(const boost::beast::http::request_header<>& h);

// RFC 3986 5.2.4 over a path: "/a/./b/../c" -> "/a/c", "/../x" -> "/x", "/a/.." -> "/".
std::string RemoveDotSegments(std::string_view path);

}  // namespace berth::proxy
