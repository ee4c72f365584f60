#include "server/admin_server.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <thread>

namespace berth::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using local = asio::local::stream_protocol;
using beast::error_code;

namespace {

constexpr size_t kTrimAfterBytes = 256 * 1024;
constexpr auto kToken = asio::as_tuple(asio::use_awaitable);
constexpr size_t kMaxBodyBytes = 64 * 1024 * 1024;

int PeerUid(local::socket& socket) {
  ucred cred{};
  socklen_t len = sizeof(cred);
  if (::getsockopt(socket.native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return -1;
  return static_cast<int>(cred.uid);
}

}  // namespace

struct AdminServer::Impl {
  Impl(AdminHandler h, int threads) : handler(std::move(h)), pool(threads), acceptor(ioc) {}

  AdminHandler handler;
  asio::io_context ioc{1};
  asio::thread_pool pool;
  local::acceptor acceptor;
  std::string socket_path;
  std::thread thread;
  bool started = false;

  // A descriptor held in reserve (on /dev/null): when the process is out of descriptors (the
  // proxy full of connections), closing it lets the admin socket accept one connection, so the
  // CLI still gets an answer. Taken again after each accepted connection, when a descriptor
  // is free by then; with none free, a failed accept waits 50 ms before the next instead of
  // spinning.
  int spare_fd = -1;

  void TakeSpare() {
    if (spare_fd < 0) spare_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  }

  asio::awaitable<void> AcceptLoop() {
    TakeSpare();
    while (true) {
      auto [ec, socket] = co_await acceptor.async_accept(kToken);
      if (ec) {
        if (!acceptor.is_open()) break;
        if (ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space ||
            ec.value() == ENFILE) {
          if (spare_fd >= 0) {
            ::close(spare_fd);  // the next accept gets its number
            spare_fd = -1;
            continue;
          }
          // No spare either: wait for a descriptor to be freed instead of spinning.
          asio::steady_timer t(ioc, std::chrono::milliseconds(50));
          co_await t.async_wait(kToken);
        }
        continue;
      }
      asio::co_spawn(ioc, Session(beast::basic_stream<local>(std::move(socket))), asio::detached);
      TakeSpare();
    }
  }

  asio::awaitable<void> Session(beast::basic_stream<local> stream) {
    beast::flat_buffer buffer;
    while (true) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(kMaxBodyBytes);
      stream.expires_after(std::chrono::minutes(10));
      auto [ec, n] = co_await http::async_read(stream, buffer, parser, kToken);
      if (ec) break;
      auto& req = parser.get();
      AdminRequest ar;
      ar.method = std::string(req.method_string());
      std::string_view target = req.target();
      ar.path = std::string(target.substr(0, target.find('?')));
      ar.body = std::move(req.body());
      ar.uid = PeerUid(stream.socket());
      bool keep_alive = req.keep_alive();

      // Run the (possibly blocking) handler on the pool, then come back to this thread.
      co_await asio::post(pool, asio::use_awaitable);
      AdminResponse resp = handler(ar);
      co_await asio::post(ioc, asio::use_awaitable);

      if (resp.stream_fd < 0) {
        http::response<http::string_body> res{http::int_to_status(resp.status), 11};
        res.set(http::field::content_type, resp.content_type);
        res.body() = std::move(resp.body);
        res.keep_alive(keep_alive);
        res.prepare_payload();
        stream.expires_after(std::chrono::seconds(60));
        bool large = res.body().size() >= kTrimAfterBytes;
        auto [wec, wn] = co_await http::async_write(stream, res, kToken);
#ifdef __GLIBC__
        // Building a large answer (say, the list of 10,000 apps) leaves megabytes of small
        // freed blocks in the heap: give them back rather than keep them in the RSS.
        if (large) {
          res = {};
          malloc_trim(0);
        }
#endif
        if (wec || !keep_alive) break;
        continue;
      }
      co_await Stream(stream, resp);
      break;
    }
    error_code ec;
    stream.socket().shutdown(local::socket::shutdown_send, ec);
  }

  // Sends resp.body, then what resp.stream_fd yields until EOF, chunked.
  asio::awaitable<void> Stream(beast::basic_stream<local>& stream, AdminResponse& resp) {
    asio::posix::stream_descriptor fd(ioc, resp.stream_fd);
    http::response<http::empty_body> res{http::int_to_status(resp.status), 11};
    res.set(http::field::content_type, resp.content_type);
    res.chunked(true);
    res.keep_alive(false);
    http::response_serializer<http::empty_body> sr{res};
    stream.expires_never();
    auto [hec, hn] = co_await http::async_write_header(stream, sr, kToken);
    bool ok = !hec;
    if (ok && !resp.body.empty()) {
      auto [ec, n] = co_await asio::async_write(stream, http::make_chunk(asio::buffer(resp.body)),
                                                kToken);
      ok = !ec;
    }
    std::vector<char> buf(16 * 1024);
    while (ok) {
      auto [rec, n] = co_await fd.async_read_some(asio::buffer(buf), kToken);
      if (rec || n == 0) break;
      auto [wec, wn] =
          co_await asio::async_write(stream, http::make_chunk(asio::buffer(buf.data(), n)), kToken);
      ok = !wec;
    }
    if (ok) co_await asio::async_write(stream, http::make_chunk_last(), kToken);
    error_code ec;
    fd.close(ec);
    if (resp.on_close) {
      co_await asio::post(pool, asio::use_awaitable);
      resp.on_close();
      co_await asio::post(ioc, asio::use_awaitable);
    }
  }
};

AdminServer::AdminServer(AdminHandler handler, int pool_threads)
    : impl_(std::make_unique<Impl>(std::move(handler), pool_threads)) {}

AdminServer::~AdminServer() { Stop(); }

Status AdminServer::Listen(const std::string& socket_path) {
  error_code ec;
  if (::access(socket_path.c_str(), F_OK) == 0) {
    // Is a server alive on it? A connect that succeeds says yes.
    local::socket probe(impl_->ioc);
    probe.connect(local::endpoint(socket_path), ec);
    if (!ec) {
      return Status::AlreadyExists("a berth server is already running on " + socket_path);
    }
    ::unlink(socket_path.c_str());
  }
  if (socket_path.size() >= sizeof(sockaddr_un::sun_path)) {
    return Status::InvalidArgument("socket path is too long: " + socket_path);
  }
  mode_t old = ::umask(0177);
  impl_->acceptor.open(local(), ec);
  if (!ec) impl_->acceptor.bind(local::endpoint(socket_path), ec);
  ::umask(old);
  if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Status::IOError("cannot listen on " + socket_path + ": " + ec.message());
  ::chmod(socket_path.c_str(), 0600);
  impl_->socket_path = socket_path;
  return Status::Ok();
}

void AdminServer::Start() {
  impl_->started = true;
  asio::co_spawn(impl_->ioc, impl_->AcceptLoop(), asio::detached);
  impl_->thread = std::thread([this] {
    auto guard = asio::make_work_guard(impl_->ioc);
    impl_->ioc.run();
  });
}

void AdminServer::Stop() {
  if (!impl_->started) return;
  impl_->started = false;
  asio::post(impl_->ioc, [this] {
    error_code ec;
    impl_->acceptor.close(ec);
  });
  impl_->ioc.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
  impl_->pool.join();
  if (impl_->spare_fd >= 0) ::close(impl_->spare_fd);
  impl_->spare_fd = -1;
  if (!impl_->socket_path.empty()) ::unlink(impl_->socket_path.c_str());
}

}  // namespace berth::server
