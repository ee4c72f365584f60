#include "server/spec_api.h"

#include "appspec/params.h"

namespace berth::server {

void AddSpecRoutes(AdminApi& api, appspec::SpecLibrary& specs) {
  api.On<admin::ListSpecsRequest>(
      [&specs](const admin::ListSpecsRequest&, const Caller&) -> Result<admin::SpecsResponse> {
        admin::SpecsResponse out;
        for (const auto& name : specs.Names()) {
          BERTH_ASSIGN_OR_RETURN(appspec::FileSet files, specs.Get(name));
          admin::SpecInfo info;
          info.name = name;
          auto decls = appspec::LoadParams(files);
          if (decls.ok()) {
            for (const auto& d : *decls) {
              info.params.push_back(admin::SpecParam{d.name, appspec::ParamTypeName(d.type),
                                                     d.default_value, d.required, d.description});
            }
          } else {
            info.error = decls.status().message();
          }
          info.container = files.count("Containerfile") || files.count("Dockerfile") ||
                           (files.count("app.star") &&
                            files.at("app.star").find("container.config") != std::string::npos);
          out.specs.push_back(std::move(info));
        }
        return out;
      });
  api.On<admin::ShowSpecRequest>(
      [&specs](const admin::ShowSpecRequest& req, const Caller&) -> Result<admin::SpecFiles> {
        if (req.name.empty()) return Status::InvalidArgument("a spec name is required");
        BERTH_ASSIGN_OR_RETURN(appspec::FileSet files, specs.Get(req.name));
        return admin::SpecFiles{req.name, std::move(files)};
      });
}

}  // namespace berth::server
