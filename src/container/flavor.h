// Which container engine CLI a driver speaks: podman and docker take nearly the same commands
// but differ in a few flags and in the shape of their JSON output.
#pragma once

#include <string>

#include "base/status.h"

namespace berth::container {

enum class Flavor { kPodman, kDocker };

// "podman" or "docker".
const char* FlavorName(Flavor flavor);

// Tells the flavor of an engine executable from what `<exe> --version` printed ("podman version
// 4.3.1", "Docker version 28.2.2, build e6534b4"), falling back to the executable's basename
// (".../podman-remote" -> podman). InvalidArgument when neither says.
Result<Flavor> DetectFlavor(const std::string& version_output, const std::string& executable);

}  // namespace berth::container
