// Conversions between Starlark values and JSON, for param values and defaults.
#pragma once

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "appspec/starlark/interpreter.h"

namespace berth::appspec {

// None, bool, int, string, list/tuple and dict (with string keys) to JSON; anything else fails.
Result<nlohmann::json> ToJson(starlark::Value v);

// JSON to a Starlark value; fails for non-integer numbers and integers beyond 64 bits.
Result<starlark::Value> FromJson(starlark::Interpreter& interp, const nlohmann::json& j);

}  // namespace berth::appspec
