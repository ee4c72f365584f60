#include "app/app_policy.h"

#include <climits>
#include <cstdlib>

#include "base/strings.h"
#include "template/template.h"

namespace berth::app {

namespace {

struct BindMount {
  std::string spec;    // as written
  std::string source;  // host path
  std::string target;  // container path
};

std::vector<BindMount> BindMounts(const std::vector<std::string>& volumes) {
  std::vector<BindMount> out;
  for (const auto& v : volumes) {
    std::vector<std::string> parts = Split(v, ':');
    if (parts.size() >= 2 && parts[0].starts_with("/")) out.push_back({v, parts[0], parts[1]});
  }
  return out;
}

bool HasDotSegment(std::string_view path) {
  for (const auto& seg : Split(std::string(path), '/')) {
    if (seg == "." || seg == "..") return true;
  }
  return false;
}

std::string WithoutTrailingSlash(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

bool Under(const std::string& path, const std::string& root) {
  std::string r = WithoutTrailingSlash(root);
  return path == r || r == "/" || path.starts_with(r + "/");
}

std::string OptionName(std::string_view key) {
  while (key.starts_with("-")) key.remove_prefix(1);
  return ToLower(key);
}

}  // namespace

std::vector<std::string> DefaultAllowedContainerArgs() {
  return {"memory",      "memory-reservation",
          "memory-swap", "cpus",
          "cpu-shares",  "cpu-quota",
          "cpu-period",  "cpuset-cpus",
          "pids-limit",  "shm-size",
          "ulimit",      "label",
          "annotation",  "tmpfs",
          "read-only",   "user",
          "workdir",     "stop-timeout",
          "stop-signal", "hostname",
          "add-host",    "dns",
          "dns-search",  "init",
          "env",         "oom-score-adj",
          "tz"};
}

std::vector<std::string> PermissionsAsked(const store::AppRecord& record,
                                          const ContainerSetup& setup) {
  std::vector<std::string> asked;
  for (const auto& m : BindMounts(setup.volumes)) {
    bool from_cli = false;
    for (const auto& v : record.metadata.cvols) from_cli = from_cli || v == m.spec;
    if (!from_cli) asked.push_back("bind-mount host path " + m.source + " at " + m.target);
  }
  // Secrets read by what the app's spec or source writes (not by the user's own --param,
  // --carg or --cvol): param defaults, build args and cl_secret templates.
  std::vector<std::string> readers;
  for (const auto& [name, value] : setup.params) {
    if (!record.metadata.params.count(name) && tmpl::LooksLikeTemplate(value)) {
      readers.push_back("param " + name);
    }
  }
  for (const auto& [name, value] : setup.cargs) {
    if (!record.metadata.cargs.count(name) && tmpl::LooksLikeTemplate(value)) {
      readers.push_back("build arg " + name);
    }
  }
  for (const auto& v : setup.volumes) {
    if (!v.starts_with("cl_secret:")) continue;
    bool from_cli = false;
    for (const auto& c : record.metadata.cvols) from_cli = from_cli || c == v;
    if (!from_cli) readers.push_back("template " + Split(v, ':')[1]);
  }
  if (!readers.empty()) {
    std::vector<std::string> allowed;
    for (const auto& e : setup.secrets_allowed) allowed.push_back("[" + Join(e, ", ") + "]");
    asked.push_back("read secrets (allowed: " + (allowed.empty() ? "none" : Join(allowed, " ")) +
                    ") through " + Join(readers, ", "));
  }
  return asked;
}

Status CheckContainerPolicy(const store::AppRecord& record, const ContainerSetup& setup,
                            const SecurityPolicy& policy) {
  std::vector<std::string> refused;
  for (const auto& m : BindMounts(setup.volumes)) {
    if (HasDotSegment(m.source)) {
      refused.push_back("bind mount " + m.spec + ": the host path has . or .. segments");
      continue;
    }
    // A symlink below an allowed folder must not lead out of it.
    std::string real = WithoutTrailingSlash(m.source);
    char buf[PATH_MAX];
    if (::realpath(m.source.c_str(), buf)) real = buf;
    bool allowed = false;
    for (const auto& root : policy.allowed_mounts) allowed = allowed || Under(real, root);
    if (!allowed) {
      refused.push_back("bind-mounting host path " + real +
                        " is not allowed (security.allowed_mounts: " +
                        (policy.allowed_mounts.empty() ? std::string("none")
                                                       : Join(policy.allowed_mounts, ", ")) +
                        ")");
    }
  }
  for (const auto& [key, value] : setup.copts) {
    std::string name = OptionName(key);
    bool allowed = false;
    for (const auto& a : policy.allowed_container_args) allowed = allowed || OptionName(a) == name;
    if (!allowed) {
      refused.push_back("container option --" + name +
                        " is not allowed (add it to security.allowed_container_args)");
    }
  }
  if (!refused.empty()) return Status::InvalidArgument(Join(refused, "; "));
  if (!record.metadata.approved) {
    std::vector<std::string> asked = PermissionsAsked(record, setup);
    if (!asked.empty()) {
      return Status::PermissionDenied("the app asks to " + Join(asked, "; ") +
                                      ": run the command again with --approve to allow it");
    }
  }
  return Status::Ok();
}

}  // namespace berth::app
