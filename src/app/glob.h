// App globs select apps for list, delete and (later) reload, promote and updates.
//
//   all             every app on every domain
//   /app*           apps on the default domain whose single path segment starts with "app"
//   /a/**           /a and everything beneath it on the default domain
//   *.example.com:** every app on any direct subdomain of example.com
//
// `*` matches within one segment (path segments split at "/", domain labels at "."), `**`
// matches any number of segments (including none); a lone "*" as the domain is any domain.
// A glob without "domain:" selects apps on
// the default domain only.
#pragma once

#include <string>
#include <string_view>

#include "app/app_path.h"
#include "base/status.h"

namespace berth::app {

class AppGlob {
 public:
  static Result<AppGlob> Parse(std::string_view text, std::string_view default_domain);
  bool Matches(const AppPath& path) const;
  const std::string& text() const { return text_; }
  // True when the glob has no wildcard: it matches the one app at domain():path() only.
  bool IsExact() const;
  bool all() const { return all_; }
  const std::string& domain() const { return domain_; }
  const std::string& path() const { return path_; }

 private:
  std::string text_;
  bool all_ = false;
  std::string domain_;
  std::string path_;
};

// Wildcard match where `*` does not cross `sep` and `**` does. Exposed for tests.
bool WildcardMatch(std::string_view pattern, std::string_view text, char sep);

}  // namespace berth::app
