#include "container/runtime.h"

namespace berth::container {

ContainerRuntime::~ContainerRuntime() = default;

int ContainerInfo::HostPortFor(int container_port) const {
  for (const auto& p : ports) {
    if (p.container_port == container_port && p.protocol == "tcp" && p.host_port != 0) {
      return p.host_port;
    }
  }
  return 0;
}

}  // namespace berth::container
