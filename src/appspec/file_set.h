// A spec's files as a virtual file set, and its overlay on an app's source.
#pragma once

#include <map>
#include <string>

namespace berth::appspec {

// File name (relative, '/'-separated) -> contents.
using FileSet = std::map<std::string, std::string>;

// The spec's files overlaid on the app's source files: a file present in the source wins,
// so an app can bring its own Containerfile or app.star.
FileSet Overlay(const FileSet& spec, const FileSet& source);

}  // namespace berth::appspec
