// One client connection of the proxy, from its first byte to its close: reads each request's
// head, checks it, routes it to its app's backend, forwards it over a pooled or new upstream
// connection and relays the answer back as it arrives (or tunnels a WebSocket), until either
// side ends the connection. Berth's own answers (404, 502, 504, 508, ...) are made here.
// Runs on its worker's thread only. Internal to the proxy: included by proxy_server.cc only.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>

#include "proxy/proxy_worker.h"
#include "proxy/timed_stream.h"
#include "proxy/upstream_pool.h"

namespace berth::proxy {

// Serves the connection `stream` (plain, or TLS before its handshake) of `client_ip`, accepted
// on `worker`'s thread; `tls` says whether the client connected over HTTPS. Registers the
// session in worker.sessions while it runs, so that a shutdown can close it when idle.
template <typename Stream>
boost::asio::awaitable<void> ServeSession(ProxyShared& shared, Worker& worker, Stream stream,
                                          std::string client_ip, bool tls);

extern template boost::asio::awaitable<void> ServeSession<TimedStream>(ProxyShared&, Worker&,
                                                                       TimedStream, std::string,
                                                                       bool);
extern template boost::asio::awaitable<void> ServeSession<TlsStream>(ProxyShared&, Worker&,
                                                                     TlsStream, std::string, bool);

}  // namespace berth::proxy
