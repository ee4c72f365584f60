// AppPath: where an app is mounted, `[domain:]/path`.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace berth::app {

inline constexpr std::string_view kStageSuffix = "_cl_stage";

struct AppPath {
  std::string domain;  // lowercase, never empty once parsed
  std::string path;    // "/" or "/a/b", no trailing slash

  // "domain:/path".
  std::string ToString() const { return domain + ":" + path; }
  // The stage twin's path: "/app" -> "/app_cl_stage", "/" -> "/_cl_stage".
  AppPath Stage() const;
  // True when `other` lies under this path on the same domain (or equals it).
  bool Contains(const AppPath& other) const;

  bool operator==(const AppPath&) const = default;
  auto operator<=>(const AppPath&) const = default;
};

// Parses user input `[domain:]/path`. A missing or empty domain is `default_domain`; a domain
// ending in "." gets the default domain appended ("maps.:" is "maps.localhost:/"). Rejects
// malformed domains and paths, and path segments containing the reserved "_cl_".
Result<AppPath> ParseAppPath(std::string_view text, std::string_view default_domain);

// Parses a path as stored by Berth itself (reserved segments allowed); for internal use.
Result<AppPath> ParseStoredAppPath(std::string_view text);

// True when `path` (a request path, starting with "/") is `app_path` or lies beneath it on
// a "/" boundary.
bool PathHasPrefix(std::string_view path, std::string_view app_path);

}  // namespace berth::app
