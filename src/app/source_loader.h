// Loading an app's source: a local folder, a git repository, or nothing ("-").
#pragma once

#include <string>

#include "base/status.h"
#include "store/source_store.h"

namespace berth::app {

struct SourceLimits {
  size_t max_files = 20000;
  size_t max_bytes = 100u * 1024 * 1024;  // system.max_source_bytes
};

// A git source split into what to clone and the folder inside it.
struct GitSource {
  std::string repo;    // clone URL
  std::string subdir;  // "" for the repository root
};

// True for sources that name a git repository rather than a local folder:
// "github.com/owner/repo[/sub/dir]", "https://...", "http://...", "git@...", "file:///...".
bool IsGitSource(const std::string& source);

// Splits a git source: "github.com/o/r/a/b" -> {"https://github.com/o/r", "a/b"};
// a ".git" path segment ends the repository ("file:///srv/r.git/sub" -> {"file:///srv/r.git",
// "sub"}).
GitSource SplitGitSource(const std::string& source);

// Reads every regular file under `dir` (skipping .git, following no symlinks that leave it).
Result<store::SourceFiles> ReadFolder(const std::string& dir, const SourceLimits& limits = {});

// The files of `source`: none for "-", a folder's files, or a shallow clone of the branch (or
// the commit, when given) of a git repository. For git, `head` (when given) gets the full id of
// the commit the files came from.
Result<store::SourceFiles> LoadSource(const std::string& source, const std::string& branch,
                                      const std::string& commit,
                                      const SourceLimits& limits = {},
                                      std::string* head = nullptr);

}  // namespace berth::app
