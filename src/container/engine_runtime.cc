#include "container/engine_runtime.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/strings.h"
#include "container/engine_output.h"

namespace berth::container {

namespace {

// The error text of a failed command: stderr, or stdout when stderr is empty (merged streams).
const std::string& ErrorText(const ProcessOutput& out) {
  return out.err.empty() ? out.out : out.err;
}

ErrorKind KindOf(const ProcessOutput& out) { return ClassifyError(ErrorText(out)); }

Status::Code CodeFor(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kNotFound:
      return Status::Code::kNotFound;
    case ErrorKind::kAlreadyExists:
      return Status::Code::kAlreadyExists;
    case ErrorKind::kInUse:
      return Status::Code::kFailedPrecondition;
    case ErrorKind::kUnavailable:
      return Status::Code::kUnavailable;
    case ErrorKind::kBadOption:
      return Status::Code::kInvalidArgument;
    case ErrorKind::kOther:
      break;
  }
  return Status::Code::kInternal;
}

Status MakeStatus(Status::Code code, std::string message) {
  return code == Status::Code::kOk ? Status::Ok() : Status::FromCode(code, std::move(message));
}

bool IsAlreadyStopped(const ProcessOutput& out) {
  const std::string& text = ErrorText(out);
  return text.find("is not running") != std::string::npos ||
         text.find("already stopped") != std::string::npos;
}

}  // namespace

EngineRuntime::EngineRuntime(Flavor flavor, std::string executable, CommandRunner& runner,
                             EngineRuntimeOptions options)
    : flavor_(flavor),
      executable_(std::move(executable)),
      runner_(runner),
      options_(std::move(options)) {}

std::string EngineRuntime::Name() const { return FlavorName(flavor_); }

bool EngineRuntime::KeepsHostPortsOnRestart() const { return flavor_ == Flavor::kPodman; }

Result<ProcessOutput> EngineRuntime::Exec(const std::string& what, const Args& args,
                                          std::chrono::milliseconds timeout, bool merge_stderr,
                                          std::string* partial_output,
                                          const std::vector<std::string>& extra_env) {
  ProcessOptions p;
  p.argv.reserve(args.size() + 1);
  p.argv.push_back(executable_);
  p.argv.insert(p.argv.end(), args.begin(), args.end());
  p.env = options_.env;
  p.env.insert(p.env.end(), extra_env.begin(), extra_env.end());
  p.timeout = timeout;
  p.merge_stderr = merge_stderr;
  Result<ProcessOutput> out = runner_.Run(p);
  if (!out.ok()) {
    if (out.status().code() == Status::Code::kNotFound) {
      return Status::Unavailable(
          fmt::format("cannot run {} {}: {}", Name(), what, out.status().message()));
    }
    return out.status().WithContext(fmt::format("{} {}", Name(), what));
  }
  if (out->timed_out) {
    if (partial_output != nullptr) *partial_output = std::move(out->out);
    auto secs = std::chrono::duration_cast<std::chrono::seconds>(timeout).count();
    return Status::DeadlineExceeded(fmt::format("{} {} timed out after {} s", Name(), what, secs));
  }
  return out;
}

Status EngineRuntime::Failure(const std::string& what, const ProcessOutput& out) const {
  std::string summary = ErrorSummary(ErrorText(out));
  if (summary.empty()) summary = fmt::format("exit code {}", out.exit_code);
  return MakeStatus(CodeFor(KindOf(out)), fmt::format("{} {} failed: {}", Name(), what, summary));
}

Status EngineRuntime::Ping() {
  BERTH_ASSIGN_OR_RETURN(ProcessOutput out,
                         Exec("info", PingArgs(flavor_), options_.command_timeout));
  if (out.exit_code == 0) return Status::Ok();
  std::string summary = ErrorSummary(ErrorText(out));
  return Status::Unavailable(
      fmt::format("{} is not usable: {}", Name(),
                  summary.empty() ? "exit code " + std::to_string(out.exit_code) : summary));
}

Status EngineRuntime::Build(const BuildSpec& spec, std::string* output) {
  BERTH_RETURN_IF_ERROR(ValidateBuildSpec(spec));
  auto out = Exec("build", BuildArgs(flavor_, spec), options_.build_timeout, /*merge=*/true, output,
                  HiddenValues(spec));
  if (!out.ok()) return out.status();
  if (output != nullptr) *output = out->out;
  if (out->exit_code == 0) return Status::Ok();
  ErrorKind kind = KindOf(*out);
  Status::Code code = kind == ErrorKind::kUnavailable || kind == ErrorKind::kBadOption
                          ? CodeFor(kind)
                          : Status::Code::kInternal;
  return MakeStatus(code,
                    fmt::format("{} build failed: {}", Name(), SummarizeBuildFailure(out->out)));
}

Result<bool> EngineRuntime::ImageExists(const std::string& image) {
  BERTH_RETURN_IF_ERROR(ValidateName("image", image));
  BERTH_ASSIGN_OR_RETURN(ProcessOutput out, Exec("image exists", ImageExistsArgs(flavor_, image),
                                                 options_.command_timeout));
  if (out.exit_code == 0) return true;
  // podman image exists: exit 1 means "no"; docker image inspect: an error naming the image.
  if (flavor_ == Flavor::kPodman && out.exit_code == 1) return false;
  if (KindOf(out) == ErrorKind::kNotFound) return false;
  return Failure("image exists", out);
}

Status EngineRuntime::RemoveImage(const std::string& image) {
  BERTH_RETURN_IF_ERROR(ValidateName("image", image));
  BERTH_ASSIGN_OR_RETURN(ProcessOutput out,
                         Exec("rmi", RemoveImageArgs(image), options_.command_timeout));
  if (out.exit_code == 0 || KindOf(out) == ErrorKind::kNotFound) return Status::Ok();
  return Failure("rmi", out);
}

Result<std::string> EngineRuntime::Run(const RunSpec& spec) {
  BERTH_RETURN_IF_ERROR(ValidateRunSpec(spec));
  BERTH_ASSIGN_OR_RETURN(ProcessOutput out,
                         Exec("run", RunArgs(flavor_, spec), options_.run_timeout,
                              /*merge_stderr=*/false, nullptr, HiddenValues(spec)));
  if (out.exit_code == 0) return ParseContainerId(out.out);
  Status failure = Failure("run", out);
  if (failure.code() != Status::Code::kAlreadyExists) {
    (void)Remove(spec.name);  // best effort: never leave a created-but-not-started container
  }
  return failure;
}

Status EngineRuntime::Start(const std::string& name) {
  BERTH_RETURN_IF_ERROR(ValidateName("container", name));
  BERTH_ASSIGN_OR_RETURN(ProcessOutput out,
                         Exec("start", StartArgs(name), options_.command_timeout));
  if (out.exit_code == 0) return Status::Ok();
  return Failure("start", out);
}

Status EngineRuntime::Stop(const std::string& name, int timeout_secs) {
  BERTH_RETURN_IF_ERROR(ValidateName("container", name));
  auto timeout = options_.command_timeout + std::chrono::seconds(std::max(0, timeout_secs));
  BERTH_ASSIGN_OR_RETURN(ProcessOutput out, Exec("stop", StopArgs(name, timeout_secs), timeout));
  if (out.exit_code == 0 || IsAlreadyStopped(out)) return Status::Ok();
  return Failure("stop", out);
}

Status EngineRuntime::Remove(const std::string& name) {
  BERTH_RETURN_IF_ERROR(ValidateName("container", name));
  BERTH_ASSIGN_OR_RETURN(ProcessOutput out,
                         Exec("rm", RemoveArgs(flavor_, name), options_.command_timeout));
  if (out.exit_code == 0 || KindOf(out) == ErrorKind::kNotFound) return Status::Ok();
  return Failure("rm", out);
}

Result<ContainerInfo> EngineRuntime::Inspect(const std::string& name) {
  BERTH_RETURN_IF_ERROR(ValidateName("container", name));
  BERTH_ASSIGN_OR_RETURN(ProcessOutput out,
                         Exec("inspect", InspectArgs(name), options_.command_timeout));
  if (out.exit_code != 0) return Failure("inspect", out);
  BERTH_ASSIGN_OR_RETURN(std::vector<ContainerInfo> infos, ParseInspect(out.out));
  if (infos.empty()) return Status::NotFound(fmt::format("{}: no container {}", Name(), name));
  return std::move(infos.front());
}

Result<std::vector<ContainerInfo>> EngineRuntime::ListByLabel(const std::string& key,
                                                              const std::string& value) {
  if (key.empty()) return Status::InvalidArgument("label key is empty");
  BERTH_ASSIGN_OR_RETURN(ProcessOutput out, Exec("ps", ListByLabelArgs(flavor_, key, value),
                                                 options_.command_timeout));
  if (out.exit_code != 0) return Failure("ps", out);
  return flavor_ == Flavor::kPodman ? ParsePodmanPs(out.out) : ParseDockerPs(out.out);
}

Result<std::string> EngineRuntime::Logs(const std::string& name, int tail_lines) {
  BERTH_RETURN_IF_ERROR(ValidateName("container", name));
  BERTH_ASSIGN_OR_RETURN(ProcessOutput out, Exec("logs", LogsArgs(name, tail_lines, false),
                                                 options_.command_timeout, /*merge=*/true));
  if (out.exit_code != 0) return Failure("logs", out);
  return std::move(out.out);
}

ProcessOptions EngineRuntime::FollowLogsCommand(const std::string& name, int tail_lines) {
  ProcessOptions p;
  p.argv.push_back(executable_);
  Args args = LogsArgs(name, tail_lines, /*follow=*/true);
  p.argv.insert(p.argv.end(), args.begin(), args.end());
  p.env = options_.env;
  return p;
}

Status EngineRuntime::VolumeCreate(const std::string& name, const Labels& labels) {
  BERTH_RETURN_IF_ERROR(ValidateName("volume", name));
  for (const auto& [k, v] : labels) {
    if (k.empty() || k.find('=') != std::string::npos) {
      return Status::InvalidArgument(fmt::format("bad volume label name \"{}\"", k));
    }
  }
  BERTH_ASSIGN_OR_RETURN(
      ProcessOutput out,
      Exec("volume create", VolumeCreateArgs(flavor_, name, labels), options_.command_timeout));
  if (out.exit_code == 0 || KindOf(out) == ErrorKind::kAlreadyExists) return Status::Ok();
  return Failure("volume create", out);
}

Result<bool> EngineRuntime::VolumeExists(const std::string& name) {
  BERTH_RETURN_IF_ERROR(ValidateName("volume", name));
  BERTH_ASSIGN_OR_RETURN(ProcessOutput out, Exec("volume exists", VolumeExistsArgs(flavor_, name),
                                                 options_.command_timeout));
  if (out.exit_code == 0) return true;
  if (flavor_ == Flavor::kPodman && out.exit_code == 1) return false;
  if (KindOf(out) == ErrorKind::kNotFound) return false;
  return Failure("volume exists", out);
}

Status EngineRuntime::VolumeRemove(const std::string& name) {
  BERTH_RETURN_IF_ERROR(ValidateName("volume", name));
  BERTH_ASSIGN_OR_RETURN(ProcessOutput out,
                         Exec("volume rm", VolumeRemoveArgs(name), options_.command_timeout));
  if (out.exit_code == 0 || KindOf(out) == ErrorKind::kNotFound) return Status::Ok();
  return Failure("volume rm", out);
}

Result<std::vector<std::string>> EngineRuntime::VolumeListByLabel(const std::string& key,
                                                                  const std::string& value) {
  if (key.empty()) return Status::InvalidArgument("label key is empty");
  BERTH_ASSIGN_OR_RETURN(
      ProcessOutput out,
      Exec("volume ls", VolumeListByLabelArgs(flavor_, key, value), options_.command_timeout));
  if (out.exit_code != 0) return Failure("volume ls", out);
  std::vector<std::string> names;
  for (auto& line : Split(out.out, '\n')) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) names.push_back(line);
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace berth::container
