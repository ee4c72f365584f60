#include "appspec/params.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include "appspec/spec_runner.h"
#include "appspec/starlark_json.h"

namespace berth::appspec {
namespace {

using starlark::Args;
using starlark::Interpreter;
using starlark::Type;
using starlark::Value;

struct TypeEntry {
  ParamType type;
  const char* name;      // as params.star writes it
  const char* constant;  // the value of that constant
};
constexpr TypeEntry kTypes[] = {
    {ParamType::kString, "STRING", "string"},    {ParamType::kInt, "INT", "int"},
    {ParamType::kBoolean, "BOOLEAN", "boolean"}, {ParamType::kList, "LIST", "list"},
    {ParamType::kDict, "DICT", "dict"},
};

const char* Article(ParamType t) { return t == ParamType::kInt ? "an" : "a"; }

bool DefaultMatches(ParamType type, Value v) {
  switch (type) {
    case ParamType::kString:
      return v.is(Type::kString);
    case ParamType::kInt:
      return v.is(Type::kInt);
    case ParamType::kBoolean:
      return v.is(Type::kBool);
    case ParamType::kList:
      return v.is(Type::kList) || v.is(Type::kTuple);
    case ParamType::kDict:
      return v.is(Type::kDict);
  }
  return false;
}

Result<Value> ParamBuiltin(Interpreter& interp, const Args& args, std::vector<ParamDecl>* decls) {
  Value name, type = interp.NewString("string"), dflt, description = interp.NewString(""),
              required = Value::Bool(true);
  BERTH_RETURN_IF_ERROR(args.Unpack({{"name", &name},
                                     {"type?", &type},
                                     {"default?", &dflt},
                                     {"description?", &description},
                                     {"required?", &required}}));
  if (!name.is(Type::kString) || name.str().empty()) {
    return args.Error("name", "param: name must be a non-empty string");
  }
  ParamDecl d;
  d.name = name.str();
  for (const ParamDecl& other : *decls) {
    if (other.name == d.name)
      return args.Error("name", fmt::format("param {} is declared twice", d.name));
  }
  const TypeEntry* t = nullptr;
  if (type.is(Type::kString)) {
    for (const TypeEntry& e : kTypes) {
      if (type.str() == e.constant) t = &e;
    }
  }
  if (t == nullptr)
    return args.Error("type", "param: type must be one of STRING, INT, BOOLEAN, LIST, DICT");
  d.type = t->type;
  if (!dflt.is_none()) {
    if (!DefaultMatches(d.type, dflt)) {
      return args.Error("default", fmt::format("param {}: default must be {} {}, got {}", d.name,
                                               Article(d.type), t->name, starlark::TypeName(dflt)));
    }
    Result<nlohmann::json> j = ToJson(dflt);
    if (!j.ok())
      return args.Error("default",
                        fmt::format("param {}: default: {}", d.name, j.status().message()));
    d.default_value = std::move(*j);
  }
  if (!description.is(Type::kString))
    return args.Error("description", "param: description must be a string");
  d.description = description.str();
  if (!required.is(Type::kBool))
    return args.Error("required", "param: required must be True or False");
  d.required = required.bool_value() && d.default_value.is_null();
  decls->push_back(std::move(d));
  return Value::None();
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

Result<nlohmann::json> Convert(const ParamDecl& d, const std::string& raw) {
  auto bad = [&](std::string_view what) {
    return Status::InvalidArgument(
        fmt::format("param {} must be {}, got \"{}\"", d.name, what, raw));
  };
  switch (d.type) {
    case ParamType::kString:
      return nlohmann::json(raw);
    case ParamType::kInt: {
      std::string s = Trim(raw);
      size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
      if (i == s.size() ||
          !std::all_of(s.begin() + i, s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return bad("an INT");
      }
      errno = 0;
      long long v = std::strtoll(s.c_str(), nullptr, 10);
      if (errno == ERANGE) return bad("an INT (64-bit)");
      return nlohmann::json(static_cast<int64_t>(v));
    }
    case ParamType::kBoolean: {
      std::string s = Trim(raw);
      std::transform(s.begin(), s.end(), s.begin(),
                     [](unsigned char c) { return std::tolower(c); });
      if (s == "true") return nlohmann::json(true);
      if (s == "false") return nlohmann::json(false);
      return bad("a BOOLEAN (true or false)");
    }
    case ParamType::kList:
    case ParamType::kDict: {
      nlohmann::json j = nlohmann::json::parse(raw, nullptr, /*allow_exceptions=*/false);
      bool list = d.type == ParamType::kList;
      if (list ? !j.is_array() : !j.is_object())
        return bad(list ? "a LIST (a JSON array)" : "a DICT (a JSON object)");
      return j;
    }
  }
  return bad("valid");
}

nlohmann::json ZeroValue(ParamType type) {
  switch (type) {
    case ParamType::kString:
      return "";
    case ParamType::kInt:
      return 0;
    case ParamType::kBoolean:
      return false;
    case ParamType::kList:
      return nlohmann::json::array();
    case ParamType::kDict:
      return nlohmann::json::object();
  }
  return nullptr;
}

}  // namespace

const char* ParamTypeName(ParamType type) {
  for (const TypeEntry& e : kTypes) {
    if (e.type == type) return e.name;
  }
  return "STRING";
}

Result<std::vector<ParamDecl>> LoadParams(const FileSet& files) {
  std::vector<ParamDecl> decls;
  if (files.find("params.star") == files.end()) return decls;
  SpecRunner runner(files);
  Interpreter& interp = runner.interp();
  runner.predeclared()["param"] = interp.NewBuiltin(
      "param", [&decls](Interpreter& i, const Args& a) { return ParamBuiltin(i, a, &decls); });
  for (const TypeEntry& e : kTypes) runner.predeclared()[e.name] = interp.NewString(e.constant);
  BERTH_RETURN_IF_ERROR(runner.Run("params.star").status());
  return decls;
}

Result<std::map<std::string, nlohmann::json>> ResolveParams(
    const std::vector<ParamDecl>& decls, const std::map<std::string, std::string>& given) {
  std::map<std::string, nlohmann::json> out;
  for (const auto& [name, value] : given) out[name] = value;
  for (const ParamDecl& d : decls) {
    auto it = given.find(d.name);
    if (it != given.end()) {
      BERTH_ASSIGN_OR_RETURN(out[d.name], Convert(d, it->second));
    } else if (!d.default_value.is_null()) {
      out[d.name] = d.default_value;
    } else if (d.required) {
      return Status::InvalidArgument(
          fmt::format("param {} is a required param, a value has to be provided", d.name));
    } else {
      out[d.name] = ZeroValue(d.type);
    }
  }
  return out;
}

std::map<std::string, std::string> ParamsToEnv(
    const std::map<std::string, nlohmann::json>& params) {
  std::map<std::string, std::string> env;
  for (const auto& [name, v] : params) {
    if (v.is_string()) {
      env[name] = v.get<std::string>();
    } else if (v.is_null()) {
      env[name] = "";
    } else {
      // Ints in decimal, true/false, JSON for lists and dicts (bad UTF-8 replaced).
      env[name] = v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
  }
  return env;
}

}  // namespace berth::appspec
