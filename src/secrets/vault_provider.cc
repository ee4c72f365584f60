// The only translation unit of the secrets layer that includes Boost.Beast (they are costly to
// compile): the HTTP(S) client lives here, behind VaultProvider.
#include "secrets/vault_provider.h"

#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>

#include "base/strings.h"
#include "secrets/env_provider.h"

namespace berth::secrets {

namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;
using nlohmann::json;

constexpr size_t kMaxBody = 1 << 20;

struct Answer {
  int status = 0;
  std::string body;
};

// Runs one asynchronous operation of `ioc` to completion, or cancels it after `limit`.
class Runner {
 public:
  explicit Runner(net::io_context& ioc) : ioc_(ioc) {}

  // The completion handler for the next operation.
  auto Handler() {
    done_ = false;
    ec_ = {};
    return [this](beast::error_code ec, auto&&...) {
      ec_ = ec;
      done_ = true;
    };
  }
  beast::error_code Wait(std::chrono::milliseconds limit, const std::function<void()>& cancel) {
    ioc_.restart();
    ioc_.run_for(limit);
    if (!done_) {
      cancel();
      ioc_.restart();
      ioc_.run();
      return net::error::timed_out;
    }
    return ec_;
  }

 private:
  net::io_context& ioc_;
  bool done_ = false;
  beast::error_code ec_;
};

std::string PercentEncodePath(const std::string& path) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

// One GET over a new connection. Errors: Unavailable naming the address (unreachable, timed
// out, TLS failure, a malformed answer).
Result<Answer> Fetch(const VaultProvider::Settings& s, const std::string& target) {
  auto fail = [&](const std::string& what, const beast::error_code& ec) {
    std::string why = ec == net::error::timed_out ? "timed out" : ec.message();
    return Status::Unavailable("Vault at " + s.address + ": " + what + ": " + why);
  };
  try {
    net::io_context ioc;
    Runner run(ioc);
    tcp::resolver resolver(ioc);
    tcp::resolver::results_type endpoints;
    resolver.async_resolve(
        s.host, s.port,
        [&, h = run.Handler()](beast::error_code ec, tcp::resolver::results_type r) mutable {
          endpoints = std::move(r);
          h(ec);
        });
    beast::error_code ec = run.Wait(s.connect_timeout, [&] { resolver.cancel(); });
    if (ec) return fail("cannot resolve " + s.host, ec);

    std::optional<ssl::context> ctx;
    std::optional<beast::tcp_stream> plain;
    std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
    beast::tcp_stream* tcp_layer;
    if (s.tls) {
      ctx.emplace(ssl::context::tls_client);
      ctx->set_default_verify_paths(ec);
      if (ec) return fail("cannot load the system CA store", ec);
      if (!s.ca_file.empty()) {
        ctx->load_verify_file(s.ca_file, ec);
        if (ec) return fail("cannot load ca_file " + s.ca_file, ec);
      }
      ctx->set_verify_mode(ssl::verify_peer);
      secure.emplace(ioc, *ctx);
      if (!SSL_set_tlsext_host_name(secure->native_handle(), s.host.c_str())) {
        return Status::Unavailable("Vault at " + s.address + ": cannot set the TLS server name");
      }
      secure->set_verify_callback(ssl::host_name_verification(s.host));
      tcp_layer = &beast::get_lowest_layer(*secure);
    } else {
      plain.emplace(ioc);
      tcp_layer = &*plain;
    }
    tcp_layer->async_connect(endpoints, run.Handler());
    ec = run.Wait(s.connect_timeout, [&] { tcp_layer->close(); });
    if (ec) return fail("cannot connect", ec);
    if (secure) {
      secure->async_handshake(ssl::stream_base::client, run.Handler());
      ec = run.Wait(s.read_timeout, [&] { tcp_layer->close(); });
      if (ec) return fail("TLS handshake failed", ec);
    }

    http::request<http::empty_body> req{http::verb::get, target, 11};
    req.set(http::field::host, s.host);
    req.set(http::field::user_agent, "berth/" BERTH_VERSION);
    req.set("X-Vault-Token", s.token);
    req.set(http::field::connection, "close");
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxBody);
    beast::flat_buffer buffer;
    if (secure) {
      http::async_write(*secure, req, run.Handler());
    } else {
      http::async_write(*plain, req, run.Handler());
    }
    ec = run.Wait(s.read_timeout, [&] { tcp_layer->close(); });
    if (ec) return fail("cannot send the request", ec);
    if (secure) {
      http::async_read(*secure, buffer, parser, run.Handler());
    } else {
      http::async_read(*plain, buffer, parser, run.Handler());
    }
    ec = run.Wait(s.read_timeout, [&] { tcp_layer->close(); });
    if (ec) return fail("no answer", ec);
    tcp_layer->close();
    return Answer{static_cast<int>(parser.get().result_int()), parser.get().body()};
  } catch (const std::exception& e) {
    return Status::Unavailable("Vault at " + s.address + ": " + e.what());
  }
}

// The first of Vault's {"errors": [...]} for a message ("" when there is none).
std::string VaultError(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_object() && j.contains("errors") && j["errors"].is_array() && !j["errors"].empty() &&
      j["errors"][0].is_string()) {
    return ": " + j["errors"][0].get<std::string>();
  }
  return "";
}

}  // namespace

Result<std::unique_ptr<SecretProvider>> VaultProvider::Create(const std::string& name,
                                                              const ProviderConfig& config) {
  BERTH_RETURN_IF_ERROR(CheckProviderKeys(
      name, config,
      {"address", "token", "keys_printf", "ca_file", "connect_timeout_secs", "read_timeout_secs"}));
  auto get = [&](const char* key) {
    auto it = config.find(key);
    return it == config.end() ? std::string() : it->second;
  };
  auto bad = [&](const std::string& what) {
    return Status::InvalidArgument("[secret." + name + "]: " + what);
  };
  Settings s;
  s.address = get("address");
  s.token = get("token");
  s.keys_printf = get("keys_printf");
  s.ca_file = get("ca_file");
  if (s.address.empty()) return bad("address is required, e.g. \"https://vault.example:8200\"");
  if (s.token.empty()) return bad("token is required");
  std::string rest;
  if (s.address.starts_with("https://")) {
    s.tls = true;
    rest = s.address.substr(8);
  } else if (s.address.starts_with("http://")) {
    rest = s.address.substr(7);
  } else {
    return bad("address \"" + s.address + "\" must start with http:// or https://");
  }
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (rest.find('/') != std::string::npos || rest.find('@') != std::string::npos) {
    return bad("address \"" + s.address + "\" must be scheme://host[:port] only");
  }
  s.port = s.tls ? "443" : "80";
  if (!rest.empty() && rest.front() == '[') {  // [::1]:8200
    size_t close = rest.find(']');
    if (close == std::string::npos) return bad("address \"" + s.address + "\" is malformed");
    s.host = rest.substr(1, close - 1);
    if (close + 1 < rest.size()) {
      if (rest[close + 1] != ':') return bad("address \"" + s.address + "\" is malformed");
      s.port = rest.substr(close + 2);
    }
  } else {
    size_t colon = rest.find(':');
    s.host = rest.substr(0, colon);
    if (colon != std::string::npos) s.port = rest.substr(colon + 1);
  }
  long long port = 0;
  if (s.host.empty() || !ParseInt(s.port, &port) || port < 1 || port > 65535) {
    return bad("address \"" + s.address + "\" needs a host and a port from 1 to 65535");
  }
  for (auto [key, field] : {std::pair{"connect_timeout_secs", &s.connect_timeout},
                            std::pair{"read_timeout_secs", &s.read_timeout}}) {
    std::string v = get(key);
    if (v.empty()) continue;
    long long secs = 0;
    if (!ParseInt(v, &secs) || secs < 1 || secs > 3600) {
      return bad(std::string(key) + " must be a whole number of seconds from 1 to 3600");
    }
    *field = std::chrono::milliseconds(secs * 1000);
  }
  return std::unique_ptr<SecretProvider>(new VaultProvider(name, std::move(s)));
}

Result<std::string> VaultProvider::Get(const std::vector<std::string>& keys) {
  BERTH_ASSIGN_OR_RETURN(std::string path, JoinKeys(name_, keys, "/", settings_.keys_printf));
  while (!path.empty() && path.front() == '/') path.erase(0, 1);
  const std::string label = SecretLabel(name_, path);
  const std::string vault = "Vault at " + settings_.address;
  auto get = [&](const std::string& p) -> Result<Answer> {
    auto a = Fetch(settings_, "/v1/" + PercentEncodePath(p));
    if (!a.ok()) return a.status().WithContext(label);
    if (a->status == 403) {
      return Status::PermissionDenied(label + ": " + vault + " refused the token (403" +
                                      VaultError(a->body) + ")");
    }
    return a;
  };

  // Which mount, and which KV version?
  std::string target;  // where the secret is read
  bool v2 = false;
  auto mounts = Fetch(settings_, "/v1/sys/internal/ui/mounts/" + PercentEncodePath(path));
  if (!mounts.ok()) return mounts.status().WithContext(label);
  json m = mounts->status == 200 ? json::parse(mounts->body, nullptr, false) : json();
  if (m.is_object() && m.contains("data") && m["data"].is_object() && m["data"].contains("path") &&
      m["data"]["path"].is_string()) {
    std::string mount = m["data"]["path"].get<std::string>();  // "secret/"
    const json& opts = m["data"].contains("options") ? m["data"]["options"] : json();
    v2 = opts.is_object() && opts.contains("version") && opts["version"] == "2";
    if (!mount.empty() && mount.back() != '/') mount.push_back('/');
    if (v2 && path.starts_with(mount)) {
      target = mount + "data/" + path.substr(mount.size());
    } else {
      v2 = false;
      target = path;
    }
  }

  Result<Answer> answer = Status::Internal("unreached");
  if (!target.empty()) {
    answer = get(target);
  } else {
    // No mount information: try KV v2's layout, then v1's.
    size_t slash = path.find('/');
    if (slash != std::string::npos && slash + 1 < path.size()) {
      answer = get(path.substr(0, slash) + "/data/" + path.substr(slash + 1));
      if (!answer.ok()) return answer.status();
      v2 = answer->status == 200;
    }
    if (!v2) answer = get(path);
  }
  if (!answer.ok()) return answer.status();
  if (answer->status == 404) return Status::NotFound(label + ": no such secret in " + vault);
  if (answer->status != 200) {
    return Status::Unavailable(label + ": " + vault + " answered " +
                               std::to_string(answer->status) + VaultError(answer->body));
  }
  json j = json::parse(answer->body, nullptr, false);
  const json* data = nullptr;
  if (j.is_object() && j.contains("data") && j["data"].is_object()) {
    data = &j["data"];
    if (v2)
      data = data->contains("data") && (*data)["data"].is_object() ? &(*data)["data"] : nullptr;
  }
  if (!data) {
    return Status::Unavailable(label + ": " + vault + " answered without a data object");
  }
  if (data->size() != 1) {
    std::string names;
    for (const auto& [k, v] : data->items()) names += (names.empty() ? "" : ", ") + k;
    return Status::InvalidArgument(label + ": the secret holds " + std::to_string(data->size()) +
                                   " keys (" + names + "); it must hold exactly one");
  }
  const json& value = data->begin().value();
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

}  // namespace berth::secrets
