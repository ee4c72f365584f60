#include "cli/admin_client.h"

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace berth::cli {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using local = asio::local::stream_protocol;
using nlohmann::json;

namespace {

Status Unreachable(const std::string& socket_path, const std::string& why) {
  return Status::Unavailable("cannot reach the berth server at " + socket_path + " (" + why +
                             "); start it with: berth server start");
}

Result<std::unique_ptr<local::socket>> Connect(asio::io_context& ioc, const std::string& path) {
  auto sock = std::make_unique<local::socket>(ioc);
  beast::error_code ec;
  sock->connect(local::endpoint(path), ec);
  if (ec == asio::error::access_denied || ec == asio::error::no_permission) {
    // The server runs; this user may not talk to it. Starting another would not help.
    return Status::PermissionDenied("permission denied on the berth server's socket " + path +
                                    ": run the command as the user that started the server");
  }
  if (ec) {
    return Unreachable(path, ec == asio::error::not_found || ec == asio::error::no_such_device
                                 ? "no socket"
                                 : ec.message());
  }
  return sock;
}

http::request<http::string_body> MakeRequest(const char* path, const json& body) {
  http::request<http::string_body> req{http::verb::post, path, 11};
  req.set(http::field::host, "berth");
  req.set(http::field::user_agent, "berth-cli");
  req.set(http::field::content_type, "application/json");
  req.body() = admin::Dump(body);
  req.keep_alive(false);
  req.prepare_payload();
  return req;
}

}  // namespace

Result<json> AdminClient::Post(const char* path, const json& body) {
  BERTH_ASSIGN_OR_RETURN(std::string text, PostRaw(path, body));
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return Status::Internal("the server sent invalid JSON");
  return j;
}

Result<std::string> AdminClient::PostText(const char* path, const json& body) {
  BERTH_ASSIGN_OR_RETURN(std::string text, PostRaw(path, body));
  if (!json::accept(text)) return Status::Internal("the server sent invalid JSON");
  return text;
}

Result<std::string> AdminClient::PostRaw(const char* path, const json& body) {
  asio::io_context ioc;
  BERTH_ASSIGN_OR_RETURN(auto sock, Connect(ioc, socket_path_));
  beast::error_code ec;
  auto req = MakeRequest(path, body);
  http::write(*sock, req, ec);
  if (ec) return Unreachable(socket_path_, ec.message());
  beast::flat_buffer buf;
  http::response_parser<http::string_body> parser;
  parser.body_limit(256 * 1024 * 1024);
  http::read(*sock, buf, parser, ec);
  if (ec) return Unreachable(socket_path_, "the server closed the connection: " + ec.message());
  auto& res = parser.get();
  if (res.result_int() / 100 != 2) return admin::StatusFromError(res.result_int(), res.body());
  return std::move(res.body());
}

Status AdminClient::PostStream(const char* path, const json& body,
                               const std::function<void(std::string_view)>& on_data) {
  asio::io_context ioc;
  BERTH_ASSIGN_OR_RETURN(auto sock, Connect(ioc, socket_path_));
  beast::error_code ec;
  auto req = MakeRequest(path, body);
  http::write(*sock, req, ec);
  if (ec) return Unreachable(socket_path_, ec.message());
  beast::flat_buffer buf;
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(boost::none);
  http::read_header(*sock, buf, parser, ec);
  if (ec) return Unreachable(socket_path_, "the server closed the connection: " + ec.message());
  bool ok = parser.get().result_int() / 100 == 2;
  std::string error_body;
  char chunk[16 * 1024];
  while (!parser.is_done()) {
    parser.get().body().data = chunk;
    parser.get().body().size = sizeof(chunk);
    http::read(*sock, buf, parser, ec);
    if (ec == http::error::need_buffer) ec = {};
    if (ec) return Status::Unavailable("the log stream ended: " + ec.message());
    size_t n = sizeof(chunk) - parser.get().body().size;
    if (ok)
      on_data(std::string_view(chunk, n));
    else
      error_body.append(chunk, n);
  }
  if (!ok) return admin::StatusFromError(parser.get().result_int(), error_body);
  return Status::Ok();
}

}  // namespace berth::cli
