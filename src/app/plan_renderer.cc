#include "app/plan_renderer.h"

#include <map>
#include <memory>
#include <regex>

#include "base/files.h"
#include "base/hash.h"
#include "base/strings.h"
#include "template/template.h"

namespace berth::app {

namespace {

bool PatternMatches(const std::string& pattern, const std::string& key) {
  if (!pattern.starts_with("regex:")) return pattern == key;
  try {
    return std::regex_match(key, std::regex(pattern.substr(6), std::regex::ECMAScript));
  } catch (const std::regex_error&) {
    return false;  // a bad pattern allows nothing
  }
}

std::string Describe(const std::vector<std::vector<std::string>>& allowed) {
  std::vector<std::string> entries;
  for (const auto& e : allowed) entries.push_back("[" + Join(e, ", ") + "]");
  return entries.empty() ? "none" : Join(entries, " ");
}

// The functions a template may call to read secrets, checked against the plan's allow-list.
tmpl::FuncMap SecretFunctions(const ContainerPlan& plan, const RenderDeps& deps) {
  // One lookup per secret and render, however many values use it.
  auto cache = std::make_shared<std::map<std::vector<std::string>, std::string>>();
  auto call = [&plan, &deps, cache](const std::vector<tmpl::Value>& values,
                                    bool from) -> Result<tmpl::Value> {
    std::vector<std::string> args;
    for (size_t i = 0; i < values.size(); ++i) {
      if (!values[i].is_string()) {
        return Status::InvalidArgument("argument " + std::to_string(i + 1) + " must be a string");
      }
      args.push_back(values[i].get<std::string>());
    }
    if (from && args.size() < 2) {
      return Status::InvalidArgument("secret_from needs a provider and at least one key");
    }
    if (args.empty()) return Status::InvalidArgument("secret needs a key");
    if (!SecretAllowed(plan.secrets_allowed, args)) {
      std::vector<std::string> keys(args.size() == 1 ? args.begin() : args.begin() + 1, args.end());
      return Status::PermissionDenied(
          "the app may not read secret " + Join(keys, " ") +
          " (its secrets allow-list: " + Describe(plan.secrets_allowed) + ")");
    }
    if (auto hit = cache->find(args); hit != cache->end()) return tmpl::Value(hit->second);
    if (!deps.secret) return Status::FailedPrecondition("no secret providers are configured");
    BERTH_ASSIGN_OR_RETURN(std::string value, deps.secret(args));
    (*cache)[args] = value;
    return tmpl::Value(std::move(value));
  };
  return {{"secret", [call](const std::vector<tmpl::Value>& v) { return call(v, false); }},
          {"secret_from", [call](const std::vector<tmpl::Value>& v) { return call(v, true); }}};
}

// `text` rendered when it is a template, else as it is. `name` names it in errors.
Result<std::string> RenderValue(const std::string& name, const std::string& text,
                                const tmpl::Value& data, const tmpl::FuncMap& functions,
                                bool* rendered) {
  *rendered = tmpl::LooksLikeTemplate(text);
  if (!*rendered) return text;
  BERTH_ASSIGN_OR_RETURN(
      auto t, tmpl::Template::Parse(name, text, {.functions = {"secret", "secret_from"}}));
  return t.Execute(data, functions);
}

std::string BaseName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

bool SecretAllowed(const std::vector<std::vector<std::string>>& allowed,
                   const std::vector<std::string>& args) {
  std::vector<std::string> keys(args.size() <= 1 ? args.begin() : args.begin() + 1, args.end());
  for (const auto& entry : allowed) {
    if (entry.empty() || entry.size() > keys.size()) continue;
    bool all = true;
    for (size_t i = 0; i < keys.size() && all; ++i) {
      all = PatternMatches(entry[std::min(i, entry.size() - 1)], keys[i]);
    }
    if (all) return true;
  }
  return false;
}

std::string SecretFilesDir(const std::string& files_root, const std::string& container_name) {
  return files_root + "/" + container_name;
}

Result<ContainerPlan> RenderPlan(const ContainerPlan& plan, const store::SourceFiles& files,
                                 const RenderDeps& deps) {
  if (!plan.needs_render) return plan;
  ContainerPlan out = plan;
  out.needs_render = false;
  tmpl::FuncMap functions = SecretFunctions(plan, deps);
  tmpl::Value app = {{"path", plan.app_path}, {"port", plan.container_port}};
  tmpl::Value value_data = {{"app", app}};

  // Env: the params (and PORT, CL_APP_PATH), each rendered once; .params gets the results.
  tmpl::Value params = tmpl::Value::object();
  out.run.hidden_env.clear();
  for (auto& [key, value] : out.run.env) {
    bool rendered = false;
    BERTH_ASSIGN_OR_RETURN(value,
                           RenderValue("param " + key, value, value_data, functions, &rendered));
    if (rendered) out.run.hidden_env.insert(key);
    if (plan.params.count(key)) params[key] = value;
  }
  for (const auto& [key, value] : plan.params) {
    if (!params.contains(key)) params[key] = value;
  }

  if (plan.build) {
    std::map<std::string, std::string> args;
    out.build_spec.build_args.clear();
    out.build_spec.hidden_build_args.clear();
    for (const auto& [key, value] : plan.build_args) {
      bool rendered = false;
      BERTH_ASSIGN_OR_RETURN(
          std::string v, RenderValue("build arg " + key, value, value_data, functions, &rendered));
      if (rendered) out.build_spec.hidden_build_args.insert(key);
      out.build_spec.build_args.emplace_back(key, v);
      args[key] = std::move(v);
    }
    out.image = ImageName(plan.app_id, plan.image_inputs, args);
    out.build_spec.image = out.image;
    out.run.image = out.image;
  }

  // cl_secret files: rendered, then named by their content so the container name carries it.
  tmpl::Value file_data = {{"params", params}, {"app", app}};
  std::vector<std::string> contents, extra;
  for (const auto& f : plan.secret_files) {
    auto source = files.find(f.template_path);
    if (source == files.end()) {
      return Status::NotFound("cl_secret template " + f.template_path + " is not in the source");
    }
    BERTH_ASSIGN_OR_RETURN(std::string template_text, store::ReadSourceFile(source->second));
    BERTH_ASSIGN_OR_RETURN(auto t, tmpl::Template::Parse(f.template_path, template_text,
                                                         {.functions = {"secret", "secret_from"}}));
    BERTH_ASSIGN_OR_RETURN(std::string text, t.Execute(file_data, functions));
    Sha256 h;
    h.AddField(text);
    extra.insert(extra.end(), {"cl_secret", f.target, f.options, h.Hex()});
    contents.push_back(std::move(text));
  }
  out.run.name = ContainerName(plan.app_id, out.run, extra);

  if (!plan.secret_files.empty()) {
    std::string dir = SecretFilesDir(deps.files_root, out.run.name);
    BERTH_RETURN_IF_ERROR(MakeDirs(dir, 0700));
    for (size_t i = 0; i < plan.secret_files.size(); ++i) {
      const SecretFileMount& f = plan.secret_files[i];
      std::string path = dir + "/" + std::to_string(i) + "-" + BaseName(f.template_path);
      BERTH_RETURN_IF_ERROR(WriteFileAtomic(path, contents[i], 0600)
                                .WithContext("cannot write the rendered " + f.template_path));
      out.run.volumes.push_back(container::VolumeMount{path, f.target, f.options});
    }
  }
  return out;
}

}  // namespace berth::app
