// AdminClient: the CLI's side of the admin protocol (admin/protocol.h), over the server's
// unix socket. One connection per call; not thread-safe (the CLI is single-threaded).
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "admin/protocol.h"
#include "base/status.h"

namespace berth::cli {

class AdminClient {
 public:
  explicit AdminClient(std::string socket_path) : socket_path_(std::move(socket_path)) {}

  // Sends a protocol request and decodes its answer. An error answer becomes its Status (the
  // server's message); an unreachable server is Unavailable with a hint on how to start it.
  template <typename Req>
  Result<typename Req::Response> Call(const Req& request) {
    BERTH_ASSIGN_OR_RETURN(nlohmann::json body, Post(Req::kPath, admin::ToJson(request)));
    return admin::FromJson<typename Req::Response>(body);
  }

  // The answer's JSON text as it came (checked to be JSON, not decoded): for printing it
  // without building it as a tree (`app list -f json` with thousands of apps).
  template <typename Req>
  Result<std::string> CallText(const Req& request) {
    return PostText(Req::kPath, admin::ToJson(request));
  }

  // For streaming operations: calls on_data with each piece of the answer as it arrives.
  template <typename Req>
  Status Stream(const Req& request, const std::function<void(std::string_view)>& on_data) {
    return PostStream(Req::kPath, admin::ToJson(request), on_data);
  }

  const std::string& socket_path() const { return socket_path_; }

 private:
  Result<nlohmann::json> Post(const char* path, const nlohmann::json& body);
  // The answer's body as it came, after checking the status; Post parses it, PostText checks
  // that it is JSON (each answer is scanned once).
  Result<std::string> PostRaw(const char* path, const nlohmann::json& body);
  Result<std::string> PostText(const char* path, const nlohmann::json& body);
  Status PostStream(const char* path, const nlohmann::json& body,
                    const std::function<void(std::string_view)>& on_data);

  std::string socket_path_;
};

}  // namespace berth::cli
