#include "container/engine_output.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>
#include <nlohmann/json.hpp>

namespace berth::container {

namespace {

using nlohmann::json;

// Safe field access: a missing field or one of another type gives the empty value.
const json& Field(const json& obj, const char* key) {
  static const json kNull;
  if (!obj.is_object()) return kNull;
  auto it = obj.find(key);
  return it == obj.end() ? kNull : *it;
}
std::string Str(const json& obj, const char* key) {
  const json& v = Field(obj, key);
  return v.is_string() ? v.get<std::string>() : std::string();
}
long long Int(const json& obj, const char* key) {
  const json& v = Field(obj, key);
  if (v.is_number_integer()) return v.get<long long>();
  if (v.is_number_float()) {
    double d = v.get<double>();
    return d > -1e15 && d < 1e15 ? static_cast<long long>(d) : 0;  // no UB on absurd values
  }
  return 0;
}
bool Bool(const json& obj, const char* key) {
  const json& v = Field(obj, key);
  return v.is_boolean() && v.get<bool>();
}

Labels LabelsFrom(const json& obj) {
  Labels labels;
  if (!obj.is_object()) return labels;
  for (const auto& [k, v] : obj.items()) {
    labels[k] = v.is_string() ? v.get<std::string>()
                              : v.dump(-1, ' ', false, json::error_handler_t::replace);
  }
  return labels;
}

bool ParseInt(std::string_view s, int* out) {
  s = Trim(s);
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

// "8080/tcp" -> {8080, "tcp"}; a missing protocol means tcp.
bool ParsePortProto(std::string_view s, int* port, std::string* proto) {
  auto slash = s.find('/');
  *proto = slash == std::string_view::npos ? "tcp" : std::string(s.substr(slash + 1));
  return ParseInt(s.substr(0, slash), port);
}

// "8080" or "8080-8082" -> first and last.
bool ParseRange(std::string_view s, int* first, int* last) {
  auto dash = s.find('-');
  if (dash == std::string_view::npos) {
    if (!ParseInt(s, first)) return false;
    *last = *first;
    return true;
  }
  return ParseInt(s.substr(0, dash), first) && ParseInt(s.substr(dash + 1), last) &&
         *last >= *first;
}

void SortPorts(std::vector<PortBinding>* ports) {
  std::stable_sort(ports->begin(), ports->end(), [](const PortBinding& a, const PortBinding& b) {
    return std::tie(a.container_port, a.protocol) < std::tie(b.container_port, b.protocol);
  });
}

// Fills host_port from ports for a running container.
void SetHostPort(ContainerInfo* info) {
  info->host_port = 0;
  if (!info->running) return;
  for (const auto& p : info->ports) {
    if (p.protocol == "tcp" && p.host_port != 0) {
      info->host_port = p.host_port;
      return;
    }
  }
}

std::string NormalizeTime(std::string t) {
  // Go's zero time means "never".
  if (t.rfind("0001-01-01", 0) == 0) return "";
  return t;
}

std::string UnixToRfc3339(long long secs) {
  if (secs <= 0) return "";
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr) return "";
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Result<json> ParseJson(std::string_view text, const char* what) {
  json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    std::string_view head = Trim(text).substr(0, 80);
    return Status::InvalidArgument(fmt::format("cannot parse {} output: \"{}\"", what, head));
  }
  return j;
}

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// A line of an error text that says nothing about the error itself.
bool IsNoise(std::string_view line) {
  return line.empty() || StartsWith(line, "See '") || StartsWith(line, "Usage:") ||
         StartsWith(line, "Run '") || line.find("level=warning") != std::string_view::npos ||
         StartsWith(line, "--->") || StartsWith(line, "Removing intermediate container");
}

std::string_view StripErrorPrefixes(std::string_view line) {
  for (bool again = true; again;) {
    again = false;
    for (std::string_view p : {"docker: ", "Error: ", "Error response from daemon: ", "error: "}) {
      if (StartsWith(line, p)) {
        line.remove_prefix(p.size());
        again = true;
      }
    }
  }
  return line;
}

bool IsBuildStep(std::string_view line) {
  // podman: "STEP 3/3: RUN false"; docker: "Step 3/3 : RUN false".
  return (StartsWith(line, "STEP ") || StartsWith(line, "Step ")) &&
         line.find('/') != std::string_view::npos && line.find(':') != std::string_view::npos;
}

constexpr size_t kMaxSummary = 600;

std::string Clip(std::string s) {
  if (s.size() > kMaxSummary) s = s.substr(0, kMaxSummary - 3) + "...";
  return s;
}

}  // namespace

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

Result<std::vector<ContainerInfo>> ParseInspect(std::string_view text) {
  BERTH_ASSIGN_OR_RETURN(json j, ParseJson(text, "inspect"));
  if (!j.is_array()) return Status::InvalidArgument("inspect output is not a JSON array");
  std::vector<ContainerInfo> result;
  for (const json& c : j) {
    ContainerInfo info;
    info.id = Str(c, "Id");
    info.name = Str(c, "Name");
    if (!info.name.empty() && info.name[0] == '/') info.name.erase(0, 1);
    const json& config = Field(c, "Config");
    info.image = Str(config, "Image");
    if (info.image.empty()) info.image = Str(c, "ImageName");
    if (info.image.empty()) info.image = Str(c, "Image");
    const json& state = Field(c, "State");
    info.state = Str(state, "Status");
    info.running = Bool(state, "Running");
    info.exit_code = static_cast<int>(Int(state, "ExitCode"));
    info.started_at = NormalizeTime(Str(state, "StartedAt"));
    info.labels = LabelsFrom(Field(config, "Labels"));
    const json& ports = Field(Field(c, "NetworkSettings"), "Ports");
    if (ports.is_object()) {
      for (const auto& [key, bindings] : ports.items()) {
        PortBinding base;
        if (!ParsePortProto(key, &base.container_port, &base.protocol)) continue;
        if (!bindings.is_array() || bindings.empty()) {
          info.ports.push_back(base);
          continue;
        }
        for (const json& b : bindings) {
          PortBinding p = base;
          p.host_ip = Str(b, "HostIp");
          ParseInt(Str(b, "HostPort"), &p.host_port);
          info.ports.push_back(p);
        }
      }
    }
    SortPorts(&info.ports);
    SetHostPort(&info);
    result.push_back(std::move(info));
  }
  return result;
}

Result<std::vector<ContainerInfo>> ParsePodmanPs(std::string_view text) {
  if (Trim(text).empty()) return std::vector<ContainerInfo>();
  BERTH_ASSIGN_OR_RETURN(json j, ParseJson(text, "ps"));
  if (!j.is_array()) return Status::InvalidArgument("podman ps output is not a JSON array");
  std::vector<ContainerInfo> result;
  for (const json& c : j) {
    ContainerInfo info;
    info.id = Str(c, "Id");
    const json& names = Field(c, "Names");
    if (names.is_array() && !names.empty() && names[0].is_string()) {
      info.name = names[0].get<std::string>();
    }
    info.image = Str(c, "Image");
    info.state = Str(c, "State");
    info.running = info.state == "running";
    info.exit_code = static_cast<int>(Int(c, "ExitCode"));
    info.started_at = UnixToRfc3339(Int(c, "StartedAt"));
    info.labels = LabelsFrom(Field(c, "Labels"));
    const json& ports = Field(c, "Ports");
    if (ports.is_array()) {
      for (const json& p : ports) {
        long long range = std::max(1LL, Int(p, "range"));
        for (long long i = 0; i < range && i < 65536; ++i) {
          PortBinding b;
          b.container_port = static_cast<int>(Int(p, "container_port") + i);
          b.host_port = Int(p, "host_port") > 0 ? static_cast<int>(Int(p, "host_port") + i) : 0;
          b.host_ip = Str(p, "host_ip");
          b.protocol = Str(p, "protocol");
          if (b.protocol.empty()) b.protocol = "tcp";
          info.ports.push_back(b);
        }
      }
    }
    SortPorts(&info.ports);
    SetHostPort(&info);
    result.push_back(std::move(info));
  }
  return result;
}

Labels ParseDockerLabels(std::string_view text) {
  Labels labels;
  std::string last_key;
  size_t start = 0;
  while (start <= text.size() && !text.empty()) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view piece = text.substr(start, comma - start);
    size_t eq = piece.find('=');
    if (eq != std::string_view::npos && eq > 0) {
      last_key = std::string(piece.substr(0, eq));
      labels[last_key] = std::string(piece.substr(eq + 1));
    } else if (!last_key.empty()) {
      labels[last_key] += "," + std::string(piece);
    }
    start = comma + 1;
  }
  return labels;
}

std::vector<PortBinding> ParseDockerPorts(std::string_view text) {
  std::vector<PortBinding> ports;
  size_t start = 0;
  while (start < text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view entry = Trim(text.substr(start, comma - start));
    start = comma + 1;
    if (entry.empty()) continue;

    std::string_view host_part, container_part = entry;
    size_t arrow = entry.find("->");
    if (arrow != std::string_view::npos) {
      host_part = entry.substr(0, arrow);
      container_part = entry.substr(arrow + 2);
    }
    std::string proto;
    auto slash = container_part.find('/');
    proto = slash == std::string_view::npos ? "tcp" : std::string(container_part.substr(slash + 1));
    int c_first, c_last;
    if (!ParseRange(container_part.substr(0, slash), &c_first, &c_last)) continue;

    std::string host_ip;
    int h_first = 0, h_last = 0;
    if (!host_part.empty()) {
      auto colon = host_part.rfind(':');
      if (colon == std::string_view::npos) continue;
      host_ip = std::string(host_part.substr(0, colon));
      if (host_ip.size() >= 2 && host_ip.front() == '[' && host_ip.back() == ']') {
        host_ip = host_ip.substr(1, host_ip.size() - 2);
      }
      if (!ParseRange(host_part.substr(colon + 1), &h_first, &h_last)) continue;
    }
    for (int i = 0; i <= c_last - c_first && i < 65536; ++i) {
      PortBinding b;
      b.container_port = c_first + i;
      b.protocol = proto;
      b.host_ip = host_ip;
      b.host_port = h_first > 0 && h_first + i <= h_last ? h_first + i : 0;
      ports.push_back(b);
    }
  }
  SortPorts(&ports);
  return ports;
}

Result<std::vector<ContainerInfo>> ParseDockerPs(std::string_view text) {
  std::vector<ContainerInfo> result;
  for (std::string_view line : SplitLines(text)) {
    line = Trim(line);
    if (line.empty()) continue;
    BERTH_ASSIGN_OR_RETURN(json c, ParseJson(line, "docker ps"));
    if (!c.is_object()) return Status::InvalidArgument("docker ps line is not a JSON object");
    ContainerInfo info;
    info.id = Str(c, "ID");
    std::string names = Str(c, "Names");
    info.name = names.substr(0, names.find(','));
    info.image = Str(c, "Image");
    info.state = Str(c, "State");
    std::string status = Str(c, "Status");
    if (info.state.empty()) {  // docker before 20.10 had no State field
      info.state = StartsWith(status, "Up") ? "running" : Lower(status.substr(0, status.find(' ')));
    }
    info.running = info.state == "running";
    if (StartsWith(status, "Exited (")) {
      std::string_view rest = std::string_view(status).substr(8);
      ParseInt(rest.substr(0, rest.find(')')), &info.exit_code);
    }
    info.labels = ParseDockerLabels(Str(c, "Labels"));
    info.ports = ParseDockerPorts(Str(c, "Ports"));
    SetHostPort(&info);
    result.push_back(std::move(info));
  }
  return result;
}

Result<std::string> ParseContainerId(std::string_view out) {
  std::string_view id;
  for (std::string_view line : SplitLines(out)) {
    if (!Trim(line).empty()) id = Trim(line);
  }
  bool ok = !id.empty() &&
            std::all_of(id.begin(), id.end(), [](unsigned char c) { return std::isalnum(c) != 0; });
  if (!ok) {
    return Status::Internal(fmt::format("unexpected output instead of a container id: \"{}\"",
                                        Trim(out).substr(0, 80)));
  }
  return std::string(id);
}

ErrorKind ClassifyError(std::string_view message) {
  std::string m = Lower(message);
  auto has = [&m](std::initializer_list<const char*> needles) {
    for (const char* n : needles) {
      if (m.find(n) != std::string::npos) return true;
    }
    return false;
  };
  if (has({"cannot connect to the docker daemon", "is the docker daemon running",
           "cannot connect to podman", "unable to connect to podman"})) {
    return ErrorKind::kUnavailable;
  }
  if (has({"no such container", "no such image", "no such volume", "no such object",
           "image not known", "no container with name or id", "no volume with name"})) {
    return ErrorKind::kNotFound;
  }
  if (has({"is already in use by", "already exists"})) return ErrorKind::kAlreadyExists;
  if (has({"image is in use", "image used by", "is being used", "volume is in use", "(must force)",
           "unable to remove repository reference"})) {
    return ErrorKind::kInUse;
  }
  if (has({"unknown flag", "unknown shorthand flag", "invalid argument", "invalid value",
           "flag needs an argument", "invalid reference format"})) {
    return ErrorKind::kBadOption;
  }
  return ErrorKind::kOther;
}

std::string ErrorSummary(std::string_view text, int max_lines) {
  std::vector<std::string_view> kept;
  for (std::string_view line : SplitLines(text)) {
    line = Trim(line);
    if (!IsNoise(line)) kept.push_back(StripErrorPrefixes(line));
  }
  size_t first = kept.size() > static_cast<size_t>(max_lines) ? kept.size() - max_lines : 0;
  std::string out;
  for (size_t i = first; i < kept.size(); ++i) {
    if (!out.empty()) out += ": ";
    out += kept[i];
  }
  return Clip(out);
}

std::string SummarizeBuildFailure(std::string_view log) {
  std::vector<std::string_view> lines = SplitLines(log);
  for (size_t i = lines.size(); i-- > 0;) {
    std::string_view line = Trim(lines[i]);
    if (!IsBuildStep(line)) continue;
    // The text after the step line, without the step line itself.
    size_t offset = static_cast<size_t>(lines[i].data() - log.data()) + lines[i].size();
    std::string rest = ErrorSummary(log.substr(std::min(offset, log.size())), 2);
    std::string step(line);
    return Clip(rest.empty() ? step : step + ": " + rest);
  }
  return ErrorSummary(log, 3);
}

}  // namespace berth::container
