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

Status ErrorFromBody(unsigned status, const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (!j.is_discarded() && j.contains("error") && j["error"].is_object()) {
    std::string code = j["error"].value("code", "internal");
    std::string msg = j["error"].value("message", "unknown error");
    switch (Status::CodeFromName(code)) {
      case Status::Code::kInvalidArgument: return Status::InvalidArgument(msg);
      case Status::Code::kNotFound: return Status::NotFound(msg);
      case Status::Code::kAlreadyExists: return Status::AlreadyExists(msg);
      case Status::Code::kFailedPrecondition: return Status::FailedPrecondition(msg);
      case Status::Code::kUnavailable: return Status::Unavailable(msg);
      case Status::Code::kDeadlineExceeded: return Status::DeadlineExceeded(msg);
      case Status::Code::kIOError: return Status::IOError(msg);
      default: return Status::Internal(msg);
    }
  }
  return Status::Internal("server answered " + std::to_string(status) + ": " + body);
}

Result<std::unique_ptr<local::socket>> Connect(asio::io_context& ioc, const std::string& path) {
  auto sock = std::make_unique<local::socket>(ioc);
  beast::error_code ec;
  sock->connect(local::endpoint(path), ec);
  if (ec) {
    return Unreachable(path, ec == asio::error::not_found || ec == asio::error::no_such_device
                                 ? "no socket"
                                 : ec.message());
  }
  return sock;
}

http::request<http::string_body> MakeRequest(const std::string& method, const std::string& target,
                                             const json* body) {
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, "berth");
  req.set(http::field::user_agent, "berth-cli");
  if (body) {
    req.set(http::field::content_type, "application/json");
    req.body() = body->dump();
  }
  req.keep_alive(false);
  req.prepare_payload();
  return req;
}

}  // namespace

Result<json> AdminClient::Call(const std::string& method, const std::string& target,
                               const json* body) {
  asio::io_context ioc;
  BERTH_ASSIGN_OR_RETURN(auto sock, Connect(ioc, socket_path_));
  beast::error_code ec;
  auto req = MakeRequest(method, target, body);
  http::write(*sock, req, ec);
  if (ec) return Unreachable(socket_path_, ec.message());
  beast::flat_buffer buf;
  http::response_parser<http::string_body> parser;
  parser.body_limit(256 * 1024 * 1024);
  http::read(*sock, buf, parser, ec);
  if (ec) return Unreachable(socket_path_, "the server closed the connection: " + ec.message());
  auto& res = parser.get();
  if (res.result_int() / 100 != 2) return ErrorFromBody(res.result_int(), res.body());
  json j = json::parse(res.body(), nullptr, false);
  if (j.is_discarded()) return Status::Internal("the server sent invalid JSON");
  return j;
}

Status AdminClient::Stream(const std::string& method, const std::string& target,
                           const std::function<void(std::string_view)>& on_data) {
  asio::io_context ioc;
  BERTH_ASSIGN_OR_RETURN(auto sock, Connect(ioc, socket_path_));
  beast::error_code ec;
  auto req = MakeRequest(method, target, nullptr);
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
    if (ok) on_data(std::string_view(chunk, n));
    else error_body.append(chunk, n);
  }
  if (!ok) return ErrorFromBody(parser.get().result_int(), error_body);
  return Status::Ok();
}

}  // namespace berth::cli
