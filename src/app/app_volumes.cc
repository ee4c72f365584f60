#include "app/app_volumes.h"

#include <algorithm>

#include "app/container_plan.h"
#include "base/strings.h"

namespace berth::app {

namespace {

bool IsSecret(const std::string& entry) { return StartsWith(entry, "cl_secret:"); }

}  // namespace

std::string VolumeDestination(const std::string& entry) {
  std::vector<std::string> parts = Split(entry, ':');
  if (parts[0] == "cl_secret") return parts.size() >= 3 ? parts[2] : "";
  if (parts.size() == 1) return parts[0];
  return parts[1];
}

std::vector<std::string> MergeVolumes(const std::vector<std::string>& from_containerfile,
                                      const std::vector<std::string>& from_cvols,
                                      const std::vector<std::string>& from_app_star) {
  std::vector<std::string> out;
  for (const auto* list : {&from_containerfile, &from_cvols, &from_app_star}) {
    for (const auto& v : *list) {
      if (std::find(out.begin(), out.end(), v) != out.end()) continue;
      std::string dst = VolumeDestination(v);
      auto same = std::find_if(out.begin(), out.end(),
                               [&](const std::string& o) { return VolumeDestination(o) == dst; });
      if (same == out.end()) {
        out.push_back(v);
      } else if (IsSecret(*same) && !IsSecret(v)) {
        continue;  // the rendered file stays
      } else {
        *same = v;
      }
    }
  }
  return out;
}

VolumeDescription DescribeVolume(const std::string& app_id, const std::string& entry) {
  std::vector<std::string> parts = Split(entry, ':');
  VolumeDescription d;
  d.destination = VolumeDestination(entry);
  if (parts[0] == "cl_secret") {
    d.kind = "cl_secret";
    d.source = parts.size() >= 2 ? parts[1] : "";
    d.options = parts.size() >= 4 ? parts[3] : "ro";
    return d;
  }
  d.kind = "volume";
  if (parts.size() == 1) {
    if (StartsWith(parts[0], "/")) d.source = VolumeName(app_id, parts[0]);
    return d;
  }
  if (parts.size() > 3 || parts[0].empty()) return d;
  d.options = parts.size() == 3 ? parts[2] : "";
  if (StartsWith(parts[0], "/")) {
    d.kind = "bind";
    d.source = parts[0];
  } else {
    d.source = VolumeName(app_id, parts[0]);
  }
  return d;
}

}  // namespace berth::app
