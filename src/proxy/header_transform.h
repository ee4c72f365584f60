// Header transforms applied to every proxied request and response. Pure functions over Beast
// header fields; no sockets.
#pragma once

#include <boost/beast/http/fields.hpp>
#include <string>
#include <string_view>

namespace berth::proxy {

struct ForwardInfo {
  std::string_view client_ip;      // the peer address of the client connection
  bool tls = false;                // the client connected over HTTPS
  std::string_view client_host;    // the client's Host header, as sent
  std::string_view app_path;       // "/" or "/app"
  bool preserve_host = false;      // send the client's Host instead of the upstream's
  std::string_view upstream_host;  // the upstream's Host header value
  bool upgrade = false;            // a protocol upgrade (WebSocket): keep Connection/Upgrade
  std::string_view via;            // this server's Via entry ("1.1 berth-1f2e3d4c"); "" for none
};

// Removes hop-by-hop headers (Connection and the headers it names, Keep-Alive,
// Proxy-Connection, TE, Trailer, Transfer-Encoding, Upgrade, Proxy-Authorization) from `f`.
// With `upgrade`, Connection: upgrade and the Upgrade header stay.
void StripHopByHop(boost::beast::http::fields& f, bool upgrade);

// Prepares a client request's headers for the upstream: hop-by-hop headers stripped; any
// X-Forwarded-* and Forwarded headers the client sent are dropped (never trusted) and Berth's
// own X-Forwarded-For/Proto/Host (and X-Forwarded-Prefix for an app not at "/") are set;
// Host is the upstream's unless preserve_host. X-Real-IP is the client's address, the Proxy
// header is dropped (httpoxy), and info.via is appended to Via.
void TransformRequestHeaders(boost::beast::http::fields& f, const ForwardInfo& info);

// Prepares an upstream response's headers for the client: hop-by-hop headers stripped and
// `via` (when not empty) appended to Via.
void TransformResponseHeaders(boost::beast::http::fields& f, bool upgrade,
                              std::string_view via = {});

// True when a Via header of `f` names `pseudonym` as a proxy the message already went through
// ("1.1 berth-1f2e3d4c" names "berth-1f2e3d4c"): the request is looping back to this server.
bool CameThrough(const boost::beast::http::fields& f, std::string_view pseudonym);

// True when a chunked message's trailer field `name` may be passed on as a trailer: never a
// field that frames, routes, authenticates or controls a message (RFC 9110 6.5.1): Host,
// Authorization, Cookie, Content-*, Transfer-Encoding, the hop-by-hop and forwarding fields,
// Via, Expect, Range, Set-Cookie, Location, Cache-Control and their kind. Trailers never become
// header fields.
bool IsForwardableTrailer(std::string_view name);

// The request target to send upstream. `target` is the client's origin-form target (path and
// query); with strip_app the app path is removed ("/app/x?q" -> "/x?q", "/app" -> "/"), and the
// upstream URL's base path is put in front.
std::string RewriteTarget(std::string_view target, std::string_view app_path, bool strip_app,
                          std::string_view upstream_base);

// The path part of a request target, accepting origin form ("/a?b") and absolute form
// ("http://host/a?b"). Returns "" for targets that have no path ("*", authority form).
std::string_view TargetPath(std::string_view target);

// For absolute-form targets, the origin-form part ("http://h/a?b" -> "/a?b").
std::string_view OriginForm(std::string_view target);

}  // namespace berth::proxy
