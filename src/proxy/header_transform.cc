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

bool HasToken(std::string_view value, std::string_view token) {
  bool found = false;
  ForEachToken(value, [&](std::string_view t) { found = found || EqualsIgnoreCase(t, token); });
  return found;
}

}  // namespace

void StripHopByHop(http::fields& f, bool upgrade) {
  // Headers named in Connection are hop-by-hop too.
  std::vector<std::string> named;
  for (auto it = f.find(http::field::connection); it != f.end() && it->name() == http::field::connection; ++it) {
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
  f.set("X-Forwarded-For", info.client_ip);
  f.set("X-Forwarded-Proto", info.tls ? "https" : "http");
  if (!info.client_host.empty()) f.set("X-Forwarded-Host", info.client_host);
  if (info.app_path != "/") f.set("X-Forwarded-Prefix", info.app_path);
  if (!info.preserve_host) f.set(http::field::host, info.upstream_host);
}

void TransformResponseHeaders(http::fields& f, bool upgrade) { StripHopByHop(f, upgrade); }

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
