// The functions a template may call: Go text/template's builtins and a subset of sprig's
// string helpers, plus the type the caller's own functions have (FuncMap in template.h).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "base/status.h"
#include "template/format.h"

namespace berth::tmpl {

// A template function. `args` hold the evaluated arguments (a missing value arrives as null).
// An error aborts the execution with "error calling <name>: <message>".
using Func = std::function<Result<Value>(const std::vector<Value>& args)>;
using FuncMap = std::map<std::string, Func, std::less<>>;

// Go's builtins: and or not len index slice print printf println html js urlquery eq ne lt le
// gt ge; sprig's: default empty quote squote upper lower trim trimPrefix trimSuffix replace
// contains hasPrefix hasSuffix b64enc b64dec toJson join split splitList. The executor
// evaluates the arguments of "and" and "or" lazily (Go 1.18+); these entries are their eager
// form. Differences from sprig: upper/lower change ASCII letters only, b64dec of bad input is
// an error (sprig returns the error's text as the value).
const FuncMap& Builtins();

// Go's truth: false, 0, "", nil, no value, and empty lists and maps are false.
bool Truth(const Value& v);

// Go's encoding/json of a value (HTML characters escaped as \u003c, floats as Go writes them).
std::string ToJson(const Value& v);

}  // namespace berth::tmpl
