// What Berth reads from a Containerfile/Dockerfile without building it: the exposed ports (for
// the default container port), the volumes (to give them per-app names) and the build args.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace berth::container {

struct ContainerfileInfo {
  std::vector<int> exposed_ports;    // numeric EXPOSE entries, in order ("8080/tcp" -> 8080)
  std::vector<std::string> volumes;  // VOLUME paths, in order
  std::map<std::string, std::string> args;  // ARG name -> default ("" when none)
};

// Parses instructions line by line, honouring "\" continuations and comments; unknown or
// malformed instructions are ignored (the engine reports those at build time).
ContainerfileInfo ParseContainerfile(std::string_view text);

}  // namespace berth::container
