#include "proxy/upstream.h"

#include "base/strings.h"

namespace berth::proxy {

std::string Upstream::HostHeader() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if ((tls && port == 443) || (!tls && port == 80)) return h;
  return h + ":" + std::to_string(port);
}

std::string Upstream::PoolKey() const {
  return std::string(tls ? "https://" : "http://") + host + "|" + std::to_string(port);
}

Result<Upstream> ParseUpstreamUrl(const std::string& url) {
  Upstream u;
  std::string_view rest = url;
  if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  } else if (rest.starts_with("https://")) {
    u.tls = true;
    rest.remove_prefix(8);
  } else {
    return Status::InvalidArgument("url \"" + url + "\" must start with http:// or https://");
  }
  size_t slash = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos) {
    return Status::InvalidArgument("url \"" + url + "\" must not contain user info");
  }
  std::string_view port_text;
  if (authority.starts_with("[")) {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return Status::InvalidArgument("bad IPv6 host in " + url);
    u.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (after.starts_with(":")) port_text = after.substr(1);
    else if (!after.empty()) return Status::InvalidArgument("bad host in url " + url);
  } else {
    size_t colon = authority.rfind(':');
    u.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (u.host.empty()) return Status::InvalidArgument("url \"" + url + "\" has no host");
  u.host = ToLower(u.host);
  u.port = u.tls ? 443 : 80;
  if (!port_text.empty()) {
    long long p = 0;
    if (!ParseInt(port_text, &p) || p < 1 || p > 65535) {
      return Status::InvalidArgument("url \"" + url + "\" has an invalid port");
    }
    u.port = static_cast<uint16_t>(p);
  }
  if (path.starts_with("/")) {
    size_t q = path.find_first_of("?#");
    std::string_view p = path.substr(0, q);
    while (!p.empty() && p.back() == '/') p.remove_suffix(1);
    u.base_path = std::string(p);
  }
  return u;
}

bool StaticBackend::TryAcquire(Acquired* out) {
  out->upstream = upstream_;
  return true;
}

void StaticBackend::AcquireAsync(std::function<void(Acquired)> done) {
  Acquired a;
  a.upstream = upstream_;
  done(std::move(a));
}

}  // namespace berth::proxy
