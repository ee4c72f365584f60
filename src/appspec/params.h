// params.star: the params a spec declares, and the resolution of the values an app is given.
//
//   param("port", type=INT, default=5000, description="...")
//   param("image", description="...")                  # STRING, required
//   param("debug", type=BOOLEAN, required=False)        # optional, zero value False
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/status.h"
#include "appspec/app_definition.h"
#include "appspec/file_set.h"

namespace berth::appspec {

// Evaluates params.star from the file set; no params.star means no declared params. Errors
// (InvalidArgument) name the file with the caret format.
Result<std::vector<ParamDecl>> LoadParams(const FileSet& files);

// Typed values for every declared param plus the given undeclared ones:
// - a given value is converted to the declared type: INT must parse as a 64-bit integer,
//   BOOLEAN is true/false, LIST and DICT are JSON; a bad value fails with
//   `param port must be an INT, got "abc"`;
// - else the default; else, for a required param, it fails with exactly
//   `param NAME is a required param, a value has to be provided`;
// - else the type's zero value ("", 0, false, [], {});
// - given keys that are not declared pass through as strings.
Result<std::map<std::string, nlohmann::json>> ResolveParams(
    const std::vector<ParamDecl>& decls, const std::map<std::string, std::string>& given);

// Resolved params as container environment strings: strings as they are, ints in decimal,
// booleans true/false, lists and dicts as JSON, null as "".
std::map<std::string, std::string> ParamsToEnv(const std::map<std::string, nlohmann::json>& params);

}  // namespace berth::appspec
