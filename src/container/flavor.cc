#include "container/flavor.h"

#include <algorithm>
#include <cctype>
#include <optional>

namespace berth::container {

namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// The flavor a text names, or nothing when it names both or neither.
std::optional<Flavor> FlavorIn(const std::string& text) {
  std::string lower = Lower(text);
  bool podman = lower.find("podman") != std::string::npos;
  bool docker = lower.find("docker") != std::string::npos;
  if (podman && !docker) return Flavor::kPodman;
  if (docker && !podman) return Flavor::kDocker;
  return std::nullopt;
}

}  // namespace

const char* FlavorName(Flavor flavor) { return flavor == Flavor::kPodman ? "podman" : "docker"; }

Result<Flavor> DetectFlavor(const std::string& version_output, const std::string& executable) {
  // Only the first line: later lines may mention the other engine (podman's docker emulation).
  std::string first_line = version_output.substr(0, version_output.find('\n'));
  if (auto f = FlavorIn(first_line)) return *f;
  std::string base = executable.substr(executable.rfind('/') + 1);
  if (auto f = FlavorIn(base)) return *f;
  return Status::InvalidArgument("cannot tell whether " + executable +
                                 " is podman or docker from its --version output: \"" + first_line +
                                 "\"");
}

}  // namespace berth::container
