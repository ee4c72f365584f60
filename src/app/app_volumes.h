// App volumes: which volumes a container app gets, and what each one is.
//
// A volume entry is written as in the product document:
//   /dst                      an unnamed volume: engine volume VolumeName(app id, "/dst")
//   name:/dst[:opts]          a named volume: engine volume VolumeName(app id, name)
//   /host:/dst[:opts]         a bind mount of a host path (security.allowed_mounts applies)
//   cl_secret:tmpl:/dst[:opts] a file rendered from the template `tmpl` of the app's source
// Engine volume names carry the app id, so every app (and a prod app's stage twin, which has
// its own id) has its own volumes.
#pragma once

#include <string>
#include <vector>

namespace berth::app {

// The container path an entry mounts at ("" for an entry that names none).
std::string VolumeDestination(const std::string& entry);

// Merges the volume entries of an app's sources, in this order: the Containerfile's VOLUME
// lines, the app's `cvol` metadata, app.star's container `volumes`. An exact duplicate of an
// earlier entry is dropped; a cl_secret entry suppresses a plain entry with the same
// destination (whichever comes first); otherwise, of two entries for one destination, the
// later one wins (it takes the earlier one's place).
std::vector<std::string> MergeVolumes(const std::vector<std::string>& from_containerfile,
                                      const std::vector<std::string>& from_cvols,
                                      const std::vector<std::string>& from_app_star);

struct VolumeDescription {
  std::string destination;  // the path in the container
  std::string kind;         // "volume", "bind" or "cl_secret"
  std::string source;       // volume: the engine volume name; bind: the host path;
                            // cl_secret: the template file in the app's source
  std::string options;      // "ro", ...; may be empty
};

// What `entry` mounts for the app `app_id`. An entry that is not one of the forms above is
// described as a "volume" with an empty source (MakeContainerPlan reports the error).
VolumeDescription DescribeVolume(const std::string& app_id, const std::string& entry);

}  // namespace berth::app
