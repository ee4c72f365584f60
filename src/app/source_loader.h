// Loading an app's source: a local folder, a git repository, or nothing ("-").
#pragma once

#include <memory>
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

// Every regular file under `dir` (skipping .git, following no symlinks that leave it), as
// kDisk files: hashed while read a chunk at a time, not held in memory.
Result<store::SourceFiles> ReadFolder(const std::string& dir, const SourceLimits& limits = {});

// A source as loaded: kDisk files, to be read or stored (SourceStore::Put) while `hold` lives.
struct LoadedSource {
  store::SourceFiles files;
  std::string head;            // git: the full id of the commit the files came from
  std::shared_ptr<void> hold;  // git: the temporary clone, removed with the last copy of this
};

// The files of `source`: none for "-", a folder's files, or a shallow clone of the branch (or
// the commit, when given) of a git repository.
Result<LoadedSource> LoadSource(const std::string& source, const std::string& branch,
                                const std::string& commit, const SourceLimits& limits = {});

}  // namespace berth::app
