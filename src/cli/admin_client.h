// AdminClient: the CLI's side of the admin API: HTTP over the server's unix socket.
#pragma once

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "base/status.h"

namespace berth::cli {

class AdminClient {
 public:
  explicit AdminClient(std::string socket_path) : socket_path_(std::move(socket_path)) {}

  // Sends a request and returns the JSON body of a 2xx answer. An error answer becomes its
  // Status (the server's message); an unreachable server is Unavailable with a hint on how to
  // start it.
  Result<nlohmann::json> Call(const std::string& method, const std::string& target,
                              const nlohmann::json* body = nullptr);

  // For streaming endpoints: calls on_data with each piece of the body as it arrives.
  Status Stream(const std::string& method, const std::string& target,
                const std::function<void(std::string_view)>& on_data);

  const std::string& socket_path() const { return socket_path_; }

 private:
  std::string socket_path_;
};

}  // namespace berth::cli
