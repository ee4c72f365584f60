// File helpers over the POSIX file system.
#pragma once

#include <string>

#include "base/status.h"

namespace berth {

Result<std::string> ReadFile(const std::string& path);
// Writes via a temporary file and rename, so readers never see a partial file.
Status WriteFileAtomic(const std::string& path, const std::string& contents, int mode = 0644);
// mkdir -p with the given mode for the directories it creates.
Status MakeDirs(const std::string& path, int mode = 0755);
bool PathExists(const std::string& path);
bool IsDirectory(const std::string& path);
// Berth's home folder: $BERTH_HOME, else ~/.berth.
std::string DefaultHome();
// Expands a leading "~" and "$HOME"/"$BERTH_HOME"-style variables from `vars` and the environment.
std::string ExpandPath(const std::string& path, const std::string& berth_home);

}  // namespace berth
