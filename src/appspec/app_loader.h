// app.star: evaluates a spec's app definition.
//
//   load("proxy.in", "proxy")
//   load("container.in", "container")
//   app = ace.app("name",
//       routes=[ace.proxy("/", proxy.config(container.URL, strip_app=True, preserve_host=False))],
//       container=container.config(container.AUTO, port=param.port, health="/",
//                                  volumes=[...], cargs={...}, build_dir=""),
//       permissions=[ace.permission("proxy.in", "config", [container.URL])])
//
// `param.<name>` holds the resolved params (see ResolveParams); container.URL is the marker
// "$container" (kContainerUrl) and container.AUTO is "auto". Other .star files of the set can
// be loaded as plain Starlark modules.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "base/status.h"
#include "appspec/app_definition.h"
#include "appspec/file_set.h"

namespace berth::appspec {

// Evaluates app.star from the file set with the given resolved params. Fails (InvalidArgument,
// naming the file with the caret format) for errors in the file, when app.star is missing, or
// when it does not assign the result of ace.app(...) to the global `app`.
Result<AppDefinition> LoadApp(const FileSet& files,
                              const std::map<std::string, nlohmann::json>& params);

}  // namespace berth::appspec
