#include "app/container_plan.h"

#include "base/hash.h"
#include "base/strings.h"
#include "template/template.h"

namespace berth::app {

namespace {

std::string Sanitize(std::string_view s) {
  std::string out;
  for (char c : s) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
    out.push_back(ok ? c : '_');
  }
  while (!out.empty() && (out.front() == '_' || out.front() == '.' || out.front() == '-')) {
    out.erase(out.begin());
  }
  return out.empty() ? "root" : out;
}

Result<SecretFileMount> ParseSecretFile(const std::string& spec, const store::SourceFiles& files) {
  std::vector<std::string> parts = Split(spec, ':');
  if (parts.size() < 3 || parts.size() > 4 || parts[1].empty() || !StartsWith(parts[2], "/")) {
    return Status::InvalidArgument("volume \"" + spec +
                                   "\" must be cl_secret:<template file>:/dst[:opts]");
  }
  if (!files.count(parts[1])) {
    return Status::InvalidArgument("volume \"" + spec + "\": the template file " + parts[1] +
                                   " is not in the app's source");
  }
  return SecretFileMount{parts[1], parts[2], parts.size() == 4 ? parts[3] : "ro"};
}

Result<container::VolumeMount> ParseVolume(const std::string& app_id, const std::string& spec,
                                           bool* named) {
  std::vector<std::string> parts = Split(spec, ':');
  *named = false;
  if (parts.size() == 1) {
    if (!StartsWith(parts[0], "/")) {
      return Status::InvalidArgument("volume \"" + spec + "\" must be an absolute path");
    }
    *named = true;
    return container::VolumeMount{VolumeName(app_id, parts[0]), parts[0], ""};
  }
  if (parts.size() > 3 || parts[0].empty() || !StartsWith(parts[1], "/")) {
    return Status::InvalidArgument("volume \"" + spec +
                                   "\" must be /dst, name:/dst[:opts] or /host:/dst[:opts]");
  }
  std::string opts = parts.size() == 3 ? parts[2] : "";
  if (StartsWith(parts[0], "/")) return container::VolumeMount{parts[0], parts[1], opts};
  *named = true;
  return container::VolumeMount{VolumeName(app_id, parts[0]), parts[1], opts};
}

}  // namespace

std::string VolumeName(const std::string& app_id, const std::string& name) {
  return "berth-" + app_id + "-" + Sanitize(name);
}

Result<ContainerPlan> MakeContainerPlan(const store::AppRecord& record, const ResolvedApp& app,
                                        const std::string& home) {
  if (!app.container) return Status::InvalidArgument("app " + record.id + " has no container");
  const ContainerSetup& c = *app.container;
  ContainerPlan plan;
  plan.app_id = record.id;
  plan.build = c.build;
  plan.health_path = c.health_path;
  plan.container_port = c.port;
  container::Labels labels = {{kLabelAppId, record.id},
                              {kLabelAppPath, record.domain + ":" + record.path},
                              {kLabelVersion, std::to_string(record.version)},
                              {kLabelHome, home}};

  if (c.build) {
    plan.build_dir = c.build_dir;
    plan.containerfile = c.containerfile;
    Sha256 h;
    // v2: files by their digest, not their bytes (which need not be in memory).
    h.AddField("berth-image-v2");
    std::string prefix = c.build_dir.empty() ? "" : c.build_dir + "/";
    for (const auto& [path, file] : app.files) {
      if (!prefix.empty() && !StartsWith(path, prefix)) continue;
      h.AddField(path);
      h.AddField(std::to_string(file.mode));
      h.AddField(file.Digest());
    }
    h.AddField(c.containerfile);
    h.AddField(app.files.at(c.containerfile).Digest());
    plan.image_inputs = h.Hex();
    plan.build_args = c.cargs;
    plan.image = ImageName(record.id, plan.image_inputs, c.cargs);
    plan.build_spec.image = plan.image;
    for (const auto& [k, v] : c.cargs) {
      plan.build_spec.build_args.emplace_back(k, v);
      plan.needs_render = plan.needs_render || tmpl::LooksLikeTemplate(v);
    }
    plan.build_spec.labels = {{kLabelAppId, record.id}, {kLabelHome, home}};
  } else {
    plan.image = c.image;
  }

  container::RunSpec& run = plan.run;
  run.image = plan.image;
  run.container_port = c.port;
  for (const auto& [k, v] : c.env) {
    run.env.emplace_back(k, v);
    plan.needs_render = plan.needs_render || tmpl::LooksLikeTemplate(v);
  }
  for (const auto& [k, v] : c.copts) run.options.emplace_back(k, v);
  for (const auto& v : c.volumes) {
    if (StartsWith(v, "cl_secret:")) {
      BERTH_ASSIGN_OR_RETURN(SecretFileMount f, ParseSecretFile(v, app.files));
      plan.secret_files.push_back(std::move(f));
      continue;
    }
    bool named = false;
    BERTH_ASSIGN_OR_RETURN(container::VolumeMount m, ParseVolume(record.id, v, &named));
    if (named) plan.volumes_to_create.push_back(m.source);
    run.volumes.push_back(std::move(m));
  }
  plan.needs_render = plan.needs_render || !plan.secret_files.empty();
  plan.volume_labels = {{kLabelAppId, record.id}, {kLabelHome, home}};
  plan.params = c.params;
  plan.app_path = c.app_path;
  plan.secrets_allowed = c.secrets_allowed;

  std::vector<std::string> extra;
  for (const auto& f : plan.secret_files) {
    extra.insert(extra.end(), {"cl_secret", f.template_path, f.target, f.options});
  }
  run.name = ContainerName(record.id, run, extra);
  run.labels = labels;
  run.labels[kLabelPlan] = run.name;
  return plan;
}

std::string ImageName(const std::string& app_id, const std::string& image_inputs,
                      const std::map<std::string, std::string>& build_args) {
  Sha256 h;
  h.AddField("berth-image-v2");
  h.AddField(image_inputs);
  for (const auto& [k, v] : build_args) {
    h.AddField(k);
    h.AddField(v);
  }
  return "berth-" + ToLower(app_id) + ":" + h.Hex().substr(0, 16);
}

std::string ContainerName(const std::string& app_id, const container::RunSpec& run,
                          const std::vector<std::string>& extra) {
  Sha256 h;
  h.AddField("berth-container-v1");
  h.AddField(run.image);
  h.AddField(std::to_string(run.container_port));
  for (const auto& [k, v] : run.env) {
    h.AddField(k);
    h.AddField(v);
  }
  for (const auto& [k, v] : run.options) {
    h.AddField(k);
    h.AddField(v ? "=" + *v : "");
  }
  for (const auto& m : run.volumes) {
    h.AddField(m.source);
    h.AddField(m.target);
    h.AddField(m.options);
  }
  for (const auto& e : extra) h.AddField(e);
  return "berth-" + ToLower(app_id) + "-" + h.Hex().substr(0, 16);
}

}  // namespace berth::app
