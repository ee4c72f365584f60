#include "appspec/app_loader.h"

#include <fmt/format.h>

#include "appspec/spec_runner.h"
#include "appspec/starlark_json.h"

namespace berth::appspec {
namespace {

using starlark::Args;
using starlark::Interpreter;
using starlark::NamedValues;
using starlark::StructObj;
using starlark::Type;
using starlark::Value;

// Struct type names of the values the natives return.
constexpr const char* kAppType = "ace.app";
constexpr const char* kRouteType = "ace.proxy";
constexpr const char* kPermissionType = "ace.permission";
constexpr const char* kProxyConfigType = "proxy.config";
constexpr const char* kContainerConfigType = "container.config";

bool IsStruct(Value v, const char* type_name) {
  return v.is(Type::kStruct) && v.struct_value()->type_name == type_name;
}

Status WantType(const Args& args, std::string_view param, Value v, Type t, const char* what) {
  if (v.is(t)) return Status::Ok();
  return args.Error(param, fmt::format("{}: {} must be {}, not {}", args.fn_name(), param, what,
                                       starlark::TypeName(v)));
}

// A frozen copy of a list or tuple, so a value a native checked can't change afterwards.
Value FrozenCopy(Interpreter& interp, Value v) {
  Value copy = interp.NewList(v.is(Type::kList) ? v.list()->items : v.tuple()->items);
  copy.object()->Freeze();
  return copy;
}

// The elements of a list or tuple.
std::vector<Value> Items(Value v) { return v.is(Type::kList) ? v.list()->items : v.tuple()->items; }

// A list (or tuple) whose elements are all of one kind.
Status WantList(const Args& args, std::string_view param, Value v,
                const std::function<bool(Value)>& ok, const char* what) {
  if (!v.is(Type::kList) && !v.is(Type::kTuple)) {
    return args.Error(param, fmt::format("{}: {} must be a list of {}, not {}", args.fn_name(),
                                         param, what, starlark::TypeName(v)));
  }
  const auto& items = v.is(Type::kList) ? v.list()->items : v.tuple()->items;
  for (size_t i = 0; i < items.size(); ++i) {
    if (!ok(items[i])) {
      return args.Error(param, fmt::format("{}: {}[{}] must be {}, not {}", args.fn_name(), param,
                                           i, what, starlark::TypeName(items[i])));
    }
  }
  return Status::Ok();
}

Result<Value> AceApp(Interpreter& interp, const Args& args) {
  Value name, routes = interp.NewList({}), container, permissions = interp.NewList({});
  BERTH_RETURN_IF_ERROR(args.Unpack({{"name", &name},
                                     {"routes?", &routes},
                                     {"container?", &container},
                                     {"permissions?", &permissions}}));
  BERTH_RETURN_IF_ERROR(WantType(args, "name", name, Type::kString, "a string"));
  BERTH_RETURN_IF_ERROR(WantList(
      args, "routes", routes, [](Value v) { return IsStruct(v, kRouteType); },
      "ace.proxy(...) routes"));
  if (!container.is_none() && !IsStruct(container, kContainerConfigType)) {
    return args.Error("container",
                      fmt::format("ace.app: container must be container.config(...), not {}",
                                  starlark::TypeName(container)));
  }
  BERTH_RETURN_IF_ERROR(WantList(
      args, "permissions", permissions, [](Value v) { return IsStruct(v, kPermissionType); },
      "ace.permission(...)"));
  return interp.NewStruct(kAppType, "",
                          {{"name", name},
                           {"routes", FrozenCopy(interp, routes)},
                           {"container", container},
                           {"permissions", FrozenCopy(interp, permissions)}});
}

Result<Value> AceProxy(Interpreter& interp, const Args& args) {
  Value path, config;
  BERTH_RETURN_IF_ERROR(args.Unpack({{"path", &path}, {"config", &config}}));
  BERTH_RETURN_IF_ERROR(WantType(args, "path", path, Type::kString, "a string"));
  if (path.str().empty() || path.str()[0] != '/') {
    return args.Error("path", fmt::format("ace.proxy: path must start with /, got {}",
                                          starlark::Quote(path.str())));
  }
  if (!IsStruct(config, kProxyConfigType)) {
    return args.Error("config", fmt::format("ace.proxy: config must be proxy.config(...), not {}",
                                            starlark::TypeName(config)));
  }
  return interp.NewStruct(kRouteType, "", {{"path", path}, {"config", config}});
}

Result<Value> AcePermission(Interpreter& interp, const Args& args) {
  Value plugin, method, perm_args = interp.NewList({}), secrets = Value::None();
  BERTH_RETURN_IF_ERROR(args.Unpack({{"plugin", &plugin},
                                     {"method", &method},
                                     {"args?", &perm_args},
                                     {"secrets?", &secrets}}));
  BERTH_RETURN_IF_ERROR(WantType(args, "plugin", plugin, Type::kString, "a string"));
  BERTH_RETURN_IF_ERROR(WantType(args, "method", method, Type::kString, "a string"));
  BERTH_RETURN_IF_ERROR(WantList(
      args, "args", perm_args, [](Value v) { return v.is(Type::kString); }, "strings"));
  if (!secrets.is_none()) {
    // [["KEY"], ["regex:DB_.*"], "OTHER"]: each entry a list of key patterns, or one pattern.
    auto strings = [](Value v) {
      if (v.is(Type::kString)) return true;
      if (!v.is(Type::kList) && !v.is(Type::kTuple)) return false;
      for (Value x : Items(v)) {
        if (!x.is(Type::kString)) return false;
      }
      return true;
    };
    BERTH_RETURN_IF_ERROR(
        WantList(args, "secrets", secrets, strings, "strings or lists of strings"));
    secrets = FrozenCopy(interp, secrets);
  }
  return interp.NewStruct(kPermissionType, "",
                          {{"plugin", plugin},
                           {"method", method},
                           {"args", FrozenCopy(interp, perm_args)},
                           {"secrets", secrets}});
}

Result<Value> ProxyConfig(Interpreter& interp, const Args& args) {
  Value url, strip_app = Value::Bool(true), preserve_host = Value::Bool(false);
  BERTH_RETURN_IF_ERROR(
      args.Unpack({{"url", &url}, {"strip_app?", &strip_app}, {"preserve_host?", &preserve_host}}));
  BERTH_RETURN_IF_ERROR(WantType(args, "url", url, Type::kString, "a string"));
  if (url.str().empty()) return args.Error("url", "proxy.config: url must not be empty");
  BERTH_RETURN_IF_ERROR(WantType(args, "strip_app", strip_app, Type::kBool, "True or False"));
  BERTH_RETURN_IF_ERROR(
      WantType(args, "preserve_host", preserve_host, Type::kBool, "True or False"));
  return interp.NewStruct(
      kProxyConfigType, "",
      {{"url", url}, {"strip_app", strip_app}, {"preserve_host", preserve_host}});
}

Result<Value> ContainerConfigFn(Interpreter& interp, const Args& args) {
  Value src = interp.NewString("auto"), port = Value::Int(0), scheme = interp.NewString("http"),
        health = interp.NewString("/"), volumes = interp.NewList({}),
        cargs = Value(interp.NewDict()), build_dir = interp.NewString("");
  BERTH_RETURN_IF_ERROR(args.Unpack({{"src?", &src},
                                     {"port?", &port},
                                     {"scheme?", &scheme},
                                     {"health?", &health},
                                     {"volumes?", &volumes},
                                     {"cargs?", &cargs},
                                     {"build_dir?", &build_dir}}));
  BERTH_RETURN_IF_ERROR(WantType(args, "src", src, Type::kString, "a string"));
  if (src.str().empty()) return args.Error("src", "container.config: src must not be empty");
  if (port.is_none()) port = Value::Int(0);
  BERTH_RETURN_IF_ERROR(WantType(args, "port", port, Type::kInt, "an int"));
  if (port.int_value() < 0 || port.int_value() > 65535) {
    return args.Error("port", fmt::format("container.config: port must be in 0..65535, got {}",
                                          port.int_value()));
  }
  BERTH_RETURN_IF_ERROR(WantType(args, "scheme", scheme, Type::kString, "a string"));
  if (scheme.str() != "http" && scheme.str() != "https") {
    return args.Error("scheme", "container.config: scheme must be \"http\" or \"https\"");
  }
  BERTH_RETURN_IF_ERROR(WantType(args, "health", health, Type::kString, "a string"));
  if (health.str().empty() || health.str()[0] != '/') {
    return args.Error("health", "container.config: health must be a path starting with /");
  }
  BERTH_RETURN_IF_ERROR(WantList(
      args, "volumes", volumes, [](Value v) { return v.is(Type::kString); }, "strings"));
  BERTH_RETURN_IF_ERROR(WantType(args, "cargs", cargs, Type::kDict, "a dict"));
  for (const auto& [k, v] : cargs.dict()->Items()) {
    if (!k.is(Type::kString) || !(v.is(Type::kString) || v.is(Type::kInt) || v.is(Type::kBool))) {
      return args.Error("cargs",
                        "container.config: cargs must map strings to strings, ints or bools");
    }
  }
  starlark::DictObj* cargs_copy = interp.NewDict();
  for (const auto& [k, v] : cargs.dict()->Items()) {
    BERTH_RETURN_IF_ERROR(cargs_copy->Set(interp, k, v));
  }
  cargs_copy->Freeze();
  cargs = Value(cargs_copy);
  volumes = FrozenCopy(interp, volumes);
  BERTH_RETURN_IF_ERROR(WantType(args, "build_dir", build_dir, Type::kString, "a string"));
  return interp.NewStruct(kContainerConfigType, "",
                          {{"src", src},
                           {"port", port},
                           {"scheme", scheme},
                           {"health", health},
                           {"volumes", volumes},
                           {"cargs", cargs},
                           {"build_dir", build_dir}});
}

// Field access on structs made by the natives above, whose field types they guarantee.
Value Field(Value s, const char* name) { return *s.struct_value()->Get(name); }


std::vector<std::string> Strings(Value v) {
  std::vector<std::string> out;
  for (Value x : Items(v)) out.push_back(x.str());
  return out;
}

AppDefinition ToDefinition(Value app) {
  AppDefinition def;
  def.name = Field(app, "name").str();
  for (Value r : Items(Field(app, "routes"))) {
    Value config = Field(r, "config");
    RouteConfig route;
    route.path = Field(r, "path").str();
    route.url = Field(config, "url").str();
    route.strip_app = Field(config, "strip_app").bool_value();
    route.preserve_host = Field(config, "preserve_host").bool_value();
    def.routes.push_back(std::move(route));
  }
  Value c = Field(app, "container");
  if (!c.is_none()) {
    ContainerConfig cc;
    cc.src = Field(c, "src").str();
    cc.port = static_cast<int>(Field(c, "port").int_value());
    cc.scheme = Field(c, "scheme").str();
    cc.health = Field(c, "health").str();
    cc.volumes = Strings(Field(c, "volumes"));
    for (const auto& [k, v] : Field(c, "cargs").dict()->Items()) {
      cc.cargs[k.str()] = v.is(Type::kString) ? v.str()
                          : v.is(Type::kBool) ? (v.bool_value() ? "true" : "false")
                                              : std::to_string(v.int_value());
    }
    cc.build_dir = Field(c, "build_dir").str();
    def.container = std::move(cc);
  }
  for (Value p : Items(Field(app, "permissions"))) {
    Permission perm{Field(p, "plugin").str(), Field(p, "method").str(),
                    Strings(Field(p, "args")), std::nullopt};
    if (Value secrets = Field(p, "secrets"); !secrets.is_none()) {
      perm.secrets.emplace();
      for (Value entry : Items(secrets)) {
        perm.secrets->push_back(entry.is(Type::kString) ? std::vector<std::string>{entry.str()}
                                                        : Strings(entry));
      }
    }
    def.permissions.push_back(std::move(perm));
  }
  return def;
}

}  // namespace

Result<AppDefinition> LoadApp(const FileSet& files,
                              const std::map<std::string, nlohmann::json>& params) {
  if (files.find("app.star") == files.end()) {
    return Status::InvalidArgument("app.star: not found in the spec or the app source");
  }
  SpecRunner runner(files);
  Interpreter& interp = runner.interp();
  auto native = [&](const char* name, starlark::NativeFn fn) {
    return interp.NewBuiltin(name, std::move(fn));
  };

  NamedValues param_fields;
  for (const auto& [name, value] : params) {
    Result<Value> v = FromJson(interp, value);
    if (!v.ok())
      return Status::InvalidArgument(fmt::format("param {}: {}", name, v.status().message()));
    param_fields.emplace_back(name, *v);
  }
  runner.predeclared()["param"] = interp.NewStruct("param", "param", std::move(param_fields));
  runner.predeclared()["ace"] =
      interp.NewStruct("module", "ace",
                       {{"app", native("ace.app", AceApp)},
                        {"proxy", native("ace.proxy", AceProxy)},
                        {"permission", native("ace.permission", AcePermission)}});
  Value proxy =
      interp.NewStruct("module", "proxy", {{"config", native("proxy.config", ProxyConfig)}});
  Value container = interp.NewStruct("module", "container",
                                     {{"config", native("container.config", ContainerConfigFn)},
                                      {"URL", interp.NewString(kContainerUrl)},
                                      {"AUTO", interp.NewString("auto")}});
  runner.native_modules()["proxy.in"] = interp.NewStruct("module", "proxy.in", {{"proxy", proxy}});
  runner.native_modules()["container.in"] =
      interp.NewStruct("module", "container.in", {{"container", container}});

  BERTH_ASSIGN_OR_RETURN(Value module, runner.Run("app.star"));
  const Value* app = module.struct_value()->Get("app");
  if (app == nullptr) {
    return Status::InvalidArgument(
        "app.star: no global named \"app\"; app.star must assign app = ace.app(...)");
  }
  if (!IsStruct(*app, kAppType)) {
    return Status::InvalidArgument(
        fmt::format("app.star: the global \"app\" must be the result of ace.app(...), not {}",
                    starlark::TypeName(*app)));
  }
  return ToDefinition(*app);
}

}  // namespace berth::appspec
