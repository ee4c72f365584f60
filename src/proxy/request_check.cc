#include "proxy/request_check.h"

#include <vector>

#include "base/strings.h"

namespace berth::proxy {

namespace http = boost::beast::http;

namespace {

RequestVerdict Refuse(unsigned status, std::string reason) {
  RequestVerdict v;
  v.status = status;
  v.reason = std::move(reason);
  return v;
}

// The comma-separated tokens of every field named `name`, trimmed, empty ones skipped.
std::vector<std::string_view> Tokens(const http::request_header<>& h, http::field name) {
  std::vector<std::string_view> out;
  for (auto it = h.find(name); it != h.end() && it->name() == name; ++it) {
    std::string_view value = it->value();
    size_t start = 0;
    while (start <= value.size()) {
      size_t comma = value.find(',', start);
      std::string_view t =
          Trim(value.substr(start, comma == std::string_view::npos ? value.npos : comma - start));
      if (!t.empty()) out.push_back(t);
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
  }
  return out;
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// reg-name, IPv4 or a bracketed IPv6 literal, then an optional ":port".
bool ValidHost(std::string_view host) {
  if (host.empty()) return false;
  for (char c : host) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.' || c == '_' || c == '~' || c == ':' || c == '[' || c == ']' ||
              c == '%';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::string RemoveDotSegments(std::string_view path) {
  // RFC 3986 5.2.4, step by step; empty segments ("//") stay as they are.
  std::string in(path);
  std::string out;
  std::string_view s = in;
  auto drop_last = [&out] {
    size_t slash = out.rfind('/');
    out.resize(slash == std::string::npos ? 0 : slash);
  };
  while (!s.empty()) {
    if (s.starts_with("../")) {
      s.remove_prefix(3);
    } else if (s.starts_with("./")) {
      s.remove_prefix(2);
    } else if (s.starts_with("/./")) {
      s.remove_prefix(2);
    } else if (s == "/.") {
      s = "/";
    } else if (s.starts_with("/../")) {
      s.remove_prefix(3);
      drop_last();
    } else if (s == "/..") {
      s = "/";
      drop_last();
    } else if (s == "." || s == "..") {
      s = {};
    } else {
      size_t next = s.find('/', 1);
      std::string_view seg = s.substr(0, next);
      out += seg;
      s.remove_prefix(seg.size());
    }
  }
  if (out.empty() || out[0] != '/') out.insert(out.begin(), '/');
  return out;
}

RequestVerdict CheckRequest(const http::request_header<>& h) {
  const unsigned version = h.version();

  // ---- Body framing.
  auto codings = Tokens(h, http::field::transfer_encoding);
  if (h.count(http::field::transfer_encoding) > 0) {
    if (version < 11) return Refuse(400, "Transfer-Encoding in an HTTP/1.0 request");
    if (codings.empty() || !EqualsIgnoreCase(codings.back(), "chunked")) {
      return Refuse(400, "bad Transfer-Encoding: the final transfer-coding must be chunked");
    }
    for (size_t i = 0; i + 1 < codings.size(); ++i) {
      if (EqualsIgnoreCase(codings[i], "chunked")) {
        return Refuse(400, "bad Transfer-Encoding: chunked applied twice");
      }
      return Refuse(501, "transfer-coding \"" + std::string(codings[i]) + "\" is not supported");
    }
  }
  auto lengths = Tokens(h, http::field::content_length);
  for (auto l : lengths) {
    if (!AllDigits(l) || l != lengths.front()) {
      return Refuse(400, "bad Content-Length");
    }
  }
  if (h.count(http::field::content_length) > 0 && lengths.empty()) {
    return Refuse(400, "bad Content-Length");
  }

  // ---- Host.
  size_t hosts = h.count(http::field::host);
  if (hosts > 1) return Refuse(400, "more than one Host header");
  if (hosts == 0 && version >= 11) return Refuse(400, "missing Host header");
  std::string_view host = hosts ? Trim(h[http::field::host]) : std::string_view();
  if (hosts && !ValidHost(host)) return Refuse(400, "bad Host header");

  // ---- Target.
  std::string_view target = h.target();
  if (target.find('#') != std::string_view::npos) {
    return Refuse(400, "a request target cannot hold a fragment (#)");
  }
  if (h.method() == http::verb::connect) return Refuse(405, "CONNECT is not supported");
  RequestVerdict v;
  std::string_view origin;
  if (target == "*") {
    if (h.method() != http::verb::options) return Refuse(400, "\"*\" is a target for OPTIONS only");
    v.host = std::string(host);
    return v;
  }
  if (target.starts_with("/")) {
    origin = target;
    v.host = std::string(host);
  } else {
    size_t scheme_end = target.find("://");
    std::string_view scheme =
        scheme_end == std::string_view::npos ? std::string_view() : target.substr(0, scheme_end);
    if (!EqualsIgnoreCase(scheme, "http") && !EqualsIgnoreCase(scheme, "https")) {
      return Refuse(400, "bad request target (not a path or an http URL)");
    }
    std::string_view rest = target.substr(scheme_end + 3);
    size_t end = rest.find_first_of("/?");
    std::string_view authority = rest.substr(0, end);
    if (authority.find('@') != std::string_view::npos) {
      return Refuse(400, "a request target cannot hold user information");
    }
    if (!ValidHost(authority)) return Refuse(400, "bad host in the request target");
    v.host = std::string(authority);
    origin = end == std::string_view::npos ? std::string_view("/") : rest.substr(end);
  }
  size_t q = origin.find('?');
  std::string_view path = origin.substr(0, q);
  std::string_view query = q == std::string_view::npos ? std::string_view() : origin.substr(q);
  v.target = path.empty() ? std::string("/") : RemoveDotSegments(path);
  v.target += query;
  return v;
}

}  // namespace berth::proxy
