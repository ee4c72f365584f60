// AdminApi: the admin endpoints. Every operation of the admin protocol (admin/protocol.h) is
// registered here with a typed handler; one wrapper decodes the request, calls the handler and
// encodes its Response, or the error with its HTTP status from admin::HttpStatusFor.
//
// Thread safety: routes are added before the admin server starts; Handle() is then called
// concurrently from the admin server's pool, and handlers must be thread-safe.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "admin/json_text.h"
#include "admin/protocol.h"
#include "base/status.h"
#include "server/admin_server.h"

namespace berth::server {

// Who is calling: the admin socket's peer.
struct Caller {
  int uid = -1;  // -1: unknown
};

class AdminApi {
 public:
  // Adds the handler of one protocol operation.
  template <typename Req>
  void On(std::function<Result<typename Req::Response>(const Req&, const Caller&)> handler) {
    Add(Req::kPath, [handler = std::move(handler)](const AdminRequest& raw) -> AdminResponse {
      auto req = Decode<Req>(raw);
      if (!req.ok()) return ErrorResponse(req.status());
      auto result = handler(*req, Caller{raw.uid});
      if (!result.ok()) return ErrorResponse(result.status());
      AdminResponse resp;
      resp.body = admin::ToJsonText(*result);  // no JSON tree: answers can list 10,000 apps
      return resp;
    });
  }

  // Adds the handler of a streaming operation: it answers with an AdminResponse of its own
  // (text, or a descriptor to stream from).
  template <typename Req>
  void OnStream(std::function<AdminResponse(const Req&, const Caller&)> handler) {
    Add(Req::kPath, [handler = std::move(handler)](const AdminRequest& raw) -> AdminResponse {
      auto req = Decode<Req>(raw);
      if (!req.ok()) return ErrorResponse(req.status());
      return handler(*req, Caller{raw.uid});
    });
  }

  AdminResponse Handle(const AdminRequest& req) const;

  // The error answer for a Status (logged at info level).
  static AdminResponse ErrorResponse(const Status& status);

 private:
  using RawHandler = std::function<AdminResponse(const AdminRequest&)>;
  struct Route {
    std::string path;
    RawHandler handler;
  };

  template <typename Req>
  static Result<Req> Decode(const AdminRequest& raw) {
    nlohmann::json body =
        raw.body.empty() ? nlohmann::json::object()
                         : nlohmann::json::parse(raw.body, nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded()) return Status::InvalidArgument("the request body is not valid JSON");
    return admin::FromJson<Req>(body);
  }

  void Add(std::string path, RawHandler handler);

  std::vector<Route> routes_;
};

}  // namespace berth::server
