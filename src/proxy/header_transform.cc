#include "proxy/header_transform.h"

#include <vector>

#include "base/strings.h"

namespace berth::proxy {

namespace http = boost::beast::http;

namespace {

// Calls fn on each comma-separated token of a header value, trimmed.
template <typename Fn>
void ForEachToken(std::string_view value, Fn fn) {
  size_t start = 0;
  while (start <= value.size()) {
    size_t comma = value.find(',', start);
    std::string_view token =
        Trim(value.substr(start, comma == std::string_view::npos ? value.npos : comma - start));
    if (!token.empty()) fn(token);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
}

// Appends `entry` to the Via list (all Via fields become one).
void AppendVia(http::fields& f, std::string_view entry) {
  if (entry.empty()) return;
  std::string via;
  for (auto it = f.find(http::field::via); it != f.end() && it->name() == http::field::via; ++it) {
    via.append(it->value());
    via.append(", ");
  }
  via.append(entry);
  f.set(http::field::via, via);
}

}  // namespace

void StripHopByHop(http::fields& f, bool upgrade) {
  // Headers named in Connection are hop-by-hop too.
  std::vector<std::string> named;
  for (auto it = f.find(http::field::connection);
       it != f.end() && it->name() == http::field::connection; ++it) {
    ForEachToken(it->value(), [&](std::string_view t) {
      if (!EqualsIgnoreCase(t, "close") && !EqualsIgnoreCase(t, "keep-alive") &&
          !(upgrade && EqualsIgnoreCase(t, "upgrade"))) {
        named.emplace_back(t);
      }
    });
  }
  for (const auto& n : named) f.erase(n);
  f.erase(http::field::keep_alive);
  f.erase("Proxy-Connection");
  f.erase(http::field::te);
  f.erase(http::field::trailer);
  f.erase(http::field::transfer_encoding);
  f.erase(http::field::proxy_authorization);
  f.erase(http::field::proxy_authenticate);
  if (upgrade) {
    f.set(http::field::connection, "Upgrade");
  } else {
    f.erase(http::field::connection);
    f.erase(http::field::upgrade);
  }
}

void TransformRequestHeaders(http::fields& f, const ForwardInfo& info) {
  StripHopByHop(f, info.upgrade);
  std::vector<std::string> forwarded;
  for (const auto& field : f) {
    std::string_view name = field.name_string();
    if (name.size() >= 12 && EqualsIgnoreCase(name.substr(0, 12), "x-forwarded-")) {
      forwarded.emplace_back(name);
    }
  }
  for (const auto& n : forwarded) f.erase(n);
  f.erase(http::field::forwarded);
  f.erase("Proxy");  // httpoxy: never let it reach a CGI-style HTTP_PROXY
  f.set("X-Forwarded-For", info.client_ip);
  f.set("X-Real-IP", info.client_ip);
  f.set("X-Forwarded-Proto", info.tls ? "https" : "http");
  if (!info.client_host.empty()) f.set("X-Forwarded-Host", info.client_host);
  if (info.app_path != "/") f.set("X-Forwarded-Prefix", info.app_path);
  if (!info.preserve_host) f.set(http::field::host, info.upstream_host);
  AppendVia(f, info.via);
}

void TransformResponseHeaders(http::fields& f, bool upgrade, std::string_view via) {
  StripHopByHop(f, upgrade);
  AppendVia(f, via);
}

bool CameThrough(const http::fields& f, std::string_view pseudonym) {
  bool found = false;
  for (auto it = f.find(http::field::via); it != f.end() && it->name() == http::field::via; ++it) {
    ForEachToken(it->value(), [&](std::string_view entry) {
      // "<protocol> <received-by> [comment]"
      size_t space = entry.find_first_of(" \t");
      if (space == std::string_view::npos) return;
      std::string_view by = Trim(entry.substr(space + 1));
      by = by.substr(0, by.find_first_of(" \t"));
      found = found || EqualsIgnoreCase(by, pseudonym);
    });
  }
  return found;
}

bool IsForwardableTrailer(std::string_view name) {
  static constexpr std::string_view kNever[] = {"host",
                                                "authorization",
                                                "proxy-authorization",
                                                "proxy-authenticate",
                                                "www-authenticate",
                                                "cookie",
                                                "set-cookie",
                                                "content-length",
                                                "content-type",
                                                "content-encoding",
                                                "content-range",
                                                "content-location",
                                                "content-language",
                                                "content-disposition",
                                                "transfer-encoding",
                                                "te",
                                                "trailer",
                                                "connection",
                                                "keep-alive",
                                                "upgrade",
                                                "proxy-connection",
                                                "proxy",
                                                "forwarded",
                                                "x-real-ip",
                                                "via",
                                                "expect",
                                                "max-forwards",
                                                "range",
                                                "if-match",
                                                "if-none-match",
                                                "if-modified-since",
                                                "if-unmodified-since",
                                                "if-range",
                                                "cache-control",
                                                "expires",
                                                "date",
                                                "age",
                                                "vary",
                                                "location",
                                                "retry-after",
                                                "pragma",
                                                "warning",
                                                "server-timing",
                                                "alt-svc",
                                                "strict-transport-security"};
  if (name.empty()) return false;
  for (auto n : kNever) {
    if (EqualsIgnoreCase(name, n)) return false;
  }
  if (name.size() >= 12 && EqualsIgnoreCase(name.substr(0, 12), "x-forwarded-")) return false;
  if (name.size() >= 6 && EqualsIgnoreCase(name.substr(0, 6), "proxy-")) return false;
  return true;
}

std::string_view OriginForm(std::string_view target) {
  if (target.starts_with("/")) return target;
  size_t scheme = target.find("://");
  if (scheme == std::string_view::npos) return target;
  size_t slash = target.find('/', scheme + 3);
  size_t query = target.find('?', scheme + 3);
  if (slash == std::string_view::npos || (query != std::string_view::npos && query < slash)) {
    return query == std::string_view::npos ? std::string_view("/") : target.substr(query);
  }
  return target.substr(slash);
}

std::string_view TargetPath(std::string_view target) {
  std::string_view origin = OriginForm(target);
  if (!origin.starts_with("/")) return origin.starts_with("?") ? "/" : "";
  size_t q = origin.find_first_of("?#");
  return origin.substr(0, q);
}

std::string RewriteTarget(std::string_view target, std::string_view app_path, bool strip_app,
                          std::string_view upstream_base) {
  std::string_view origin = OriginForm(target);
  if (origin.starts_with("?")) {
    return std::string(upstream_base.empty() ? "/" : upstream_base) + std::string(origin);
  }
  std::string_view rest = origin;
  if (strip_app && app_path != "/" && rest.starts_with(app_path)) {
    rest.remove_prefix(app_path.size());
  }
  std::string out(upstream_base);
  if (rest.empty() || !rest.starts_with("/")) out += "/";
  out += rest;
  return out;
}

}  // namespace berth::proxy
