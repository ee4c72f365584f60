#include "container/engine_args.h"

#include <fmt/format.h>

#include <cctype>

namespace berth::container {

namespace {

bool IsVolumeName(const std::string& s) {
  if (s.empty() || !std::isalnum(static_cast<unsigned char>(s[0]))) return false;
  for (unsigned char c : s) {
    if (!std::isalnum(c) && c != '_' && c != '.' && c != '-') return false;
  }
  return true;
}

Status ValidateKey(const std::string& what, const std::string& key) {
  if (key.empty()) return Status::InvalidArgument(what + " with an empty name");
  if (key.find('=') != std::string::npos) {
    return Status::InvalidArgument(fmt::format("{} name \"{}\" contains '='", what, key));
  }
  return Status::Ok();
}

Status ValidateLabels(const Labels& labels) {
  for (const auto& [k, v] : labels) BERTH_RETURN_IF_ERROR(ValidateKey("label", k));
  return Status::Ok();
}

Status ValidateVolume(const VolumeMount& v) {
  if (v.source.empty()) return Status::InvalidArgument("volume with an empty source");
  if (v.source.find(':') != std::string::npos || v.target.find(':') != std::string::npos) {
    return Status::InvalidArgument(
        fmt::format("volume {}:{}: ':' is not allowed in a source or target", v.source, v.target));
  }
  if (v.source[0] != '/' && !IsVolumeName(v.source)) {
    return Status::InvalidArgument(fmt::format(
        "volume source \"{}\" is neither an absolute host path nor a volume name", v.source));
  }
  if (v.target.empty() || v.target[0] != '/') {
    return Status::InvalidArgument(
        fmt::format("volume target \"{}\" is not an absolute path", v.target));
  }
  if (v.options.find(':') != std::string::npos) {
    return Status::InvalidArgument(fmt::format("volume options \"{}\" contain ':'", v.options));
  }
  return Status::Ok();
}

void AddLabels(Args* args, const Labels& labels, bool csv) {
  for (const auto& [k, v] : labels) {  // std::map: sorted by key
    args->push_back("--label");
    std::string kv = k + "=" + v;
    args->push_back(csv ? CsvField(kv) : kv);
  }
}

}  // namespace

Status ValidateName(const std::string& what, const std::string& name) {
  if (name.empty()) return Status::InvalidArgument(what + " name is empty");
  if (name[0] == '-') {
    return Status::InvalidArgument(fmt::format("{} name \"{}\" starts with '-'", what, name));
  }
  for (unsigned char c : name) {
    if (std::isspace(c) || std::iscntrl(c)) {
      return Status::InvalidArgument(
          fmt::format("{} name \"{}\" contains whitespace or a control character", what, name));
    }
  }
  return Status::Ok();
}

Status ValidateRunSpec(const RunSpec& spec) {
  BERTH_RETURN_IF_ERROR(ValidateName("container", spec.name));
  BERTH_RETURN_IF_ERROR(ValidateName("image", spec.image));
  if (spec.container_port < 0 || spec.container_port > 65535) {
    return Status::InvalidArgument(
        fmt::format("container port {} is out of range", spec.container_port));
  }
  for (const auto& [k, v] : spec.env) BERTH_RETURN_IF_ERROR(ValidateKey("env variable", k));
  for (const auto& [k, v] : spec.options) {
    BERTH_RETURN_IF_ERROR(ValidateKey("container option", k));
    if (k[0] == '-') {
      return Status::InvalidArgument(
          fmt::format("container option \"{}\" must be given without leading dashes", k));
    }
  }
  for (const auto& v : spec.volumes) BERTH_RETURN_IF_ERROR(ValidateVolume(v));
  return ValidateLabels(spec.labels);
}

Status ValidateBuildSpec(const BuildSpec& spec) {
  BERTH_RETURN_IF_ERROR(ValidateName("image", spec.image));
  if (spec.context_dir.empty()) return Status::InvalidArgument("build context is empty");
  if (spec.containerfile.empty()) return Status::InvalidArgument("containerfile path is empty");
  for (const auto& [k, v] : spec.build_args) BERTH_RETURN_IF_ERROR(ValidateKey("build arg", k));
  return ValidateLabels(spec.labels);
}

namespace {

// A name the engine's own process reads (its search path, home, dynamic loader, Go runtime,
// configuration, proxies, locale): such an env entry cannot pass through its environment.
bool EngineReads(const std::string& name) {
  static const char* const kNames[] = {"PATH", "HOME", "TMPDIR", "USER", "SHELL", "TERM", "TZ",
                                       "LANG", "http_proxy", "https_proxy", "no_proxy",
                                       "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "NOTIFY_SOCKET"};
  static const char* const kPrefixes[] = {"LD_", "LC_", "XDG_", "GO", "CONTAINER", "DOCKER_",
                                          "BUILDAH_", "PODMAN_", "STORAGE_", "REGISTRIES_",
                                          "SSL_", "DBUS_", "SYSTEMD_", "_"};
  for (const char* n : kNames) {
    if (name == n) return true;
  }
  for (const char* p : kPrefixes) {
    if (name.starts_with(p)) return true;
  }
  return false;
}

bool Hidden(const std::set<std::string>& hidden, const std::string& name) {
  return hidden.count(name) > 0 && !EngineReads(name);
}

}  // namespace

std::vector<std::string> HiddenValues(const RunSpec& spec) {
  std::vector<std::string> out;
  for (const auto& [k, v] : spec.env) {
    if (Hidden(spec.hidden_env, k)) out.push_back(k + "=" + v);
  }
  return out;
}

std::vector<std::string> HiddenValues(const BuildSpec& spec) {
  std::vector<std::string> out;
  for (const auto& [k, v] : spec.build_args) {
    if (Hidden(spec.hidden_build_args, k)) out.push_back(k + "=" + v);
  }
  return out;
}

Args BuildArgs(Flavor flavor, const BuildSpec& spec) {
  Args args = {"build", "--tag", spec.image, "--file", spec.containerfile, "--force-rm"};
  // podman keeps every step's image as cache, and steps that match reuse another build's
  // images whatever their labels: images of one app then hang off another's, concurrent
  // deletes race to remove the shared ones, and the earlier stages of a multi-stage build
  // outlive the app. Without layers only the final image exists, and `rmi` removes all of it.
  if (flavor == Flavor::kPodman) args.push_back("--layers=false");
  for (const auto& [k, v] : spec.build_args) {
    args.push_back("--build-arg");
    args.push_back(Hidden(spec.hidden_build_args, k) ? k : k + "=" + v);
  }
  AddLabels(&args, spec.labels, /*csv=*/false);
  // A context starting with '-' would read as an option; "./" keeps it a path.
  args.push_back(spec.context_dir[0] == '-' ? "./" + spec.context_dir : spec.context_dir);
  return args;
}

Args RunArgs(Flavor flavor, const RunSpec& spec) {
  Args args = {"run", "--detach", "--name", spec.name};
  if (spec.container_port > 0) {
    args.push_back("--publish");
    args.push_back(fmt::format("127.0.0.1::{}", spec.container_port));
  }
  AddLabels(&args, spec.labels, /*csv=*/false);
  for (const auto& [k, v] : spec.env) {
    args.push_back("--env");
    args.push_back(Hidden(spec.hidden_env, k) ? k : k + "=" + v);
  }
  for (const auto& v : spec.volumes) {
    args.push_back("--volume");
    args.push_back(v.source + ":" + v.target + (v.options.empty() ? "" : ":" + v.options));
  }
  for (const auto& [k, v] : spec.options) {
    args.push_back(v.has_value() ? "--" + k + "=" + *v : "--" + k);
  }
  args.push_back(spec.image);
  return args;
}

Args StartArgs(const std::string& name) { return {"start", name}; }

Args StopArgs(const std::string& name, int timeout_secs) {
  return {"stop", "-t", std::to_string(timeout_secs < 0 ? 0 : timeout_secs), name};
}

Args RemoveArgs(Flavor flavor, const std::string& name) {
  if (flavor == Flavor::kPodman) return {"rm", "--force", "--time", "0", name};
  return {"rm", "--force", name};
}

Args RemoveImageArgs(const std::string& image) { return {"rmi", image}; }

Args InspectArgs(const std::string& name) { return {"container", "inspect", name}; }

Args ListByLabelArgs(Flavor flavor, const std::string& key, const std::string& value) {
  std::string filter = "label=" + key + "=" + value;
  if (flavor == Flavor::kPodman) {
    return {"ps", "--all", "--filter", CsvField(filter), "--format", "json"};
  }
  return {"ps", "--all", "--no-trunc", "--filter", filter, "--format", "{{json .}}"};
}

Args LogsArgs(const std::string& name, int tail_lines, bool follow) {
  Args args = {"logs"};
  if (follow) args.push_back("--follow");
  if (tail_lines >= 0) {
    args.push_back("--tail");
    args.push_back(std::to_string(tail_lines));
  }
  args.push_back(name);
  return args;
}

Args ImageExistsArgs(Flavor flavor, const std::string& image) {
  if (flavor == Flavor::kPodman) return {"image", "exists", image};
  return {"image", "inspect", "--format", "{{.Id}}", image};
}

Args VolumeCreateArgs(Flavor flavor, const std::string& name, const Labels& labels) {
  Args args = {"volume", "create"};
  AddLabels(&args, labels, /*csv=*/flavor == Flavor::kPodman);
  args.push_back(name);
  return args;
}

Args VolumeExistsArgs(Flavor flavor, const std::string& name) {
  if (flavor == Flavor::kPodman) return {"volume", "exists", name};
  return {"volume", "inspect", "--format", "{{.Name}}", name};
}

Args VolumeRemoveArgs(const std::string& name) { return {"volume", "rm", name}; }

Args VolumeListByLabelArgs(Flavor flavor, const std::string& key, const std::string& value) {
  std::string filter = "label=" + key + "=" + value;
  if (flavor == Flavor::kPodman) filter = CsvField(filter);
  return {"volume", "ls", "--filter", filter, "--format", "{{.Name}}"};
}

Args PingArgs(Flavor flavor) {
  if (flavor == Flavor::kPodman) return {"info", "--format", "{{.Version.Version}}"};
  return {"version", "--format", "{{.Server.Version}}"};
}

std::string CsvField(const std::string& value) {
  if (value.find_first_of(",\"\n\r") == std::string::npos) return value;
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

}  // namespace berth::container
