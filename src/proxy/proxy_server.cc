#include "proxy/proxy_server.h"

#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <cstdio>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include "proxy/fd_limit.h"
#include "proxy/proxy_session.h"
#include "proxy/proxy_worker.h"
#include "proxy/relay.h"

namespace berth::proxy {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

struct Listener {
  tcp::acceptor acceptor;
  std::unique_ptr<asio::ssl::context> tls;  // null for plain HTTP
};

// Answers 503 (plain HTTP; a TLS connection is only closed) without waiting, then closes.
// What the client has sent by then is read first: closing with unread bytes would reset the
// connection, and the client could lose the answer.
void Refuse(tcp::socket& socket, bool tls) {
  char drain[4096];
  while (::recv(socket.native_handle(), drain, sizeof(drain), MSG_DONTWAIT) > 0) {
  }
  if (!tls) {
    static constexpr char kBusy[] =
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
        "Content-Length: 31\r\nRetry-After: 1\r\nConnection: close\r\n\r\n"
        "server at its open-file limit\r\n";
    (void)::send(socket.native_handle(), kBusy, sizeof(kBusy) - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
  }
  error_code ec;
  socket.shutdown(tcp::socket::shutdown_send, ec);
  socket.close(ec);
}

}  // namespace

ProxyShared::ProxyShared(ProxyOptions o, Router& r) : options(std::move(o)), router(r) {
  std::random_device rd;
  char id[16];
  std::snprintf(id, sizeof(id), "%08x", static_cast<unsigned>(rd()));
  via_pseudonym = std::string("berth-") + id;
  client_tls.set_default_verify_paths();
  client_tls.set_verify_mode(asio::ssl::verify_peer);
}

// The listeners, the worker threads, and the shutdown; sessions are proxy_session.cc's.
struct ProxyServer::Impl {
  Impl(ProxyOptions o, Router& r) : shared(std::move(o), r) {
    const ProxyOptions& options = shared.options;
    size_t n = options.threads > 0 ? static_cast<size_t>(options.threads)
                                   : std::max(1u, std::thread::hardware_concurrency());
    int connects = std::max(1, kUnansweredConnectsPerUpstream / static_cast<int>(n));
    for (size_t i = 0; i < n; ++i) {
      workers.push_back(std::make_unique<Worker>(options.upstream_pool_max_idle,
                                                 options.upstream_pool_idle, connects));
    }
  }

  ProxyShared shared;
  std::vector<std::unique_ptr<Worker>> workers;
  std::vector<std::unique_ptr<Listener>> listeners;
  std::atomic<size_t> next_worker{0};
  bool started = false;

  Worker& NextWorker() { return *workers[next_worker++ % workers.size()]; }

  asio::awaitable<void> AcceptLoop(Listener& l);
  asio::awaitable<void> SweepLoop(Worker& w);
};

// ---------------------------------------------------------------------------------------------

asio::awaitable<void> ProxyServer::Impl::AcceptLoop(Listener& l) {
  // A pending accept holds a socket of another worker's io_context: Shutdown waits for every
  // loop to end before it stops (and may destroy) the io_contexts.
  struct Running {
    ProxyShared& shared;
    ~Running() { shared.AcceptLoopEnded(); }
  } running{shared};
  while (!shared.stopping) {
    Worker& w = NextWorker();
    auto [ec, accepted_socket] = co_await l.acceptor.async_accept(w.ioc, kToken);
    if (ec) {
      if (ec == asio::error::operation_aborted || !l.acceptor.is_open()) break;
      if (ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space) {
        // Out of file descriptors: back off instead of spinning.
        asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(50));
        co_await t.async_wait(kToken);
      }
      continue;
    }
    ++shared.accepted;
    tcp::socket socket(std::move(accepted_socket));
    // Read every time (one system call): the limit may be changed while the server runs.
    if (auto limit = OpenFileLimit(); socket.native_handle() >= RefuseFromFd(limit)) {
      int fd = socket.native_handle();
      Refuse(socket, l.tls != nullptr);
      std::string line = shared.refusals.Refused(RefusalLog::Clock::now(), fd, limit.value_or(0));
      if (!line.empty() && shared.options.warn_log) shared.options.warn_log(line);
      continue;
    }
    SetNoDelay(socket);
    error_code pec;
    auto peer = socket.remote_endpoint(pec);
    std::string ip = pec ? "" : peer.address().to_string();
    if (l.tls) {
      asio::co_spawn(w.ioc,
                     ServeSession(shared, w, TlsStream(TimedStream(std::move(socket)), *l.tls),
                                  std::move(ip), true),
                     asio::detached);
    } else {
      asio::co_spawn(w.ioc,
                     ServeSession(shared, w, TimedStream(std::move(socket)), std::move(ip), false),
                     asio::detached);
    }
  }
}

asio::awaitable<void> ProxyServer::Impl::SweepLoop(Worker& w) {
  while (!shared.stopping) {
    w.sweeper.expires_after(std::chrono::seconds(5));
    auto [ec] = co_await w.sweeper.async_wait(kToken);
    if (ec) break;
    w.pool.Sweep();
    w.SweepGates();
  }
}

// ---------------------------------------------------------------------------------------------

ProxyServer::ProxyServer(ProxyOptions options, Router& router)
    : impl_(std::make_unique<Impl>(std::move(options), router)) {}

ProxyServer::~ProxyServer() {
  if (impl_->started) Shutdown(std::chrono::milliseconds(0));
}

Result<int> ProxyServer::Listen(const std::string& host, int port, SSL_CTX* tls) {
  error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec) return Status::InvalidArgument("invalid listen address \"" + host + "\"");
  tcp::endpoint ep(address, static_cast<unsigned short>(port));
  Worker& w = *impl_->workers[impl_->listeners.size() % impl_->workers.size()];
  auto l = std::make_unique<Listener>(Listener{tcp::acceptor(w.ioc), nullptr});
  l->acceptor.open(ep.protocol(), ec);
  if (!ec) l->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) l->acceptor.bind(ep, ec);
  if (!ec) l->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::Unavailable("cannot listen on " + host + ":" + std::to_string(port) + ": " +
                               ec.message());
  }
  if (tls) {
    // The wrapper frees its SSL_CTX: take a reference of our own for it.
    SSL_CTX_up_ref(tls);
    l->tls = std::make_unique<asio::ssl::context>(tls);
  }
  int bound = l->acceptor.local_endpoint().port();
  impl_->listeners.push_back(std::move(l));
  return bound;
}

void ProxyServer::Start() {
  Impl& im = *impl_;
  im.started = true;
  for (auto& l : im.listeners) {
    ++im.shared.accept_loops;
    asio::co_spawn(l->acceptor.get_executor(), im.AcceptLoop(*l), asio::detached);
  }
  for (auto& w : im.workers) {
    asio::co_spawn(w->ioc, im.SweepLoop(*w), asio::detached);
    Worker* wp = w.get();
    w->thread = std::thread([wp] {
      auto guard = asio::make_work_guard(wp->ioc);
      wp->ioc.run();
    });
  }
}

bool ProxyServer::Shutdown(std::chrono::milliseconds grace) {
  Impl& im = *impl_;
  if (!im.started) return true;
  im.shared.stopping = true;
  for (auto& l : im.listeners) {
    asio::post(l->acceptor.get_executor(), [lp = l.get()] {
      error_code ec;
      lp->acceptor.close(ec);
    });
  }
  // Idle connections close now; a busy one closes after its request (sessions see `stopping`).
  for (auto& w : im.workers) {
    asio::post(w->ioc, [wp = w.get()] {
      for (auto& s : wp->sessions) {
        if (s.idle) s.close();
      }
      wp->sweeper.cancel();
      wp->pool.Clear();
    });
  }
  // Requests in flight get the grace period; accept loops, which hold sockets of other
  // workers' io_contexts, get at least 5 s to end before the io_contexts stop.
  const auto now = std::chrono::steady_clock::now();
  bool clean;
  {
    std::unique_lock lock(im.shared.quiet_mu);
    clean = im.shared.quiet.wait_until(lock, now + grace, [&im] { return im.shared.Quiet(); });
    if (!clean) {
      im.shared.quiet.wait_until(lock, now + std::chrono::seconds(5),
                                 [&im] { return im.shared.accept_loops.load() == 0; });
      clean = im.shared.in_flight.load() == 0;
    }
  }
  for (auto& w : im.workers) w->ioc.stop();
  for (auto& w : im.workers) {
    if (w->thread.joinable()) w->thread.join();
  }
  im.started = false;
  return clean;
}

ProxyStats ProxyServer::Stats() const {
  const ProxyShared& s = impl_->shared;
  return ProxyStats{s.accepted.load(), s.requests.load(), s.in_flight.load(),
                    s.upstream_connects.load(), s.refusals.total()};
}

}  // namespace berth::proxy
