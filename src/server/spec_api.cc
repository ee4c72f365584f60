#include "server/spec_api.h"

#include "spec/params.h"

namespace berth::server {

using nlohmann::json;

void AddSpecRoutes(AdminApi& api, spec::SpecLibrary& specs) {
  api.Add("GET", "/api/v1/specs", [&specs](const AdminRequest&) -> Result<json> {
    json out = json::array();
    for (const auto& name : specs.Names()) {
      BERTH_ASSIGN_OR_RETURN(spec::FileSet files, specs.Get(name));
      json params = json::array();
      auto decls = spec::LoadParams(files);
      if (decls.ok()) {
        for (const auto& d : *decls) {
          params.push_back({{"name", d.name},
                            {"type", spec::ParamTypeName(d.type)},
                            {"default", d.default_value},
                            {"required", d.required},
                            {"description", d.description}});
        }
      }
      json entry = {{"name", name}, {"params", params}, {"container",
                     files.count("Containerfile") || files.count("Dockerfile") ||
                         (files.count("app.star") &&
                          files.at("app.star").find("container.config") != std::string::npos)}};
      if (!decls.ok()) entry["error"] = decls.status().message();
      out.push_back(std::move(entry));
    }
    return json{{"specs", out}};
  });
  api.Add("GET", "/api/v1/specs/show", [&specs](const AdminRequest& req) -> Result<json> {
    auto it = req.query.find("name");
    if (it == req.query.end() || it->second.empty()) {
      return Status::InvalidArgument("a spec name is required");
    }
    BERTH_ASSIGN_OR_RETURN(spec::FileSet files, specs.Get(it->second));
    return json{{"name", it->second}, {"files", files}};
  });
}

}  // namespace berth::server
