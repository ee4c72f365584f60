// The argument lists of the podman/docker commands the CLI driver runs: pure functions, so the
// exact command lines are unit-tested without an engine. Each returns the arguments after the
// executable. Order is deterministic: labels sorted by key, env, options, volumes and build args
// in the order given. Values travel as separate argv entries (never through a shell), so spaces,
// quotes, '=' and newlines in them are passed as they are.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "container/flavor.h"
#include "container/runtime.h"

namespace berth::container {

using Args = std::vector<std::string>;

// Checks a container, image or volume name: not empty, no leading '-' (it would read as an
// option), no whitespace or control characters. `what` names it in the message.
Status ValidateName(const std::string& what, const std::string& name);
// Checks everything RunArgs/BuildArgs pass on: names, label/env/build-arg keys (not empty, no
// '='), option keys (not empty, no leading '-', no '='), the port range, and volumes (the source
// an absolute path or a volume name, the target absolute, no ':' in either).
Status ValidateRunSpec(const RunSpec& spec);
Status ValidateBuildSpec(const BuildSpec& spec);

// build --tag IMAGE --file CONTAINERFILE --force-rm [--layers=false (podman)] [--build-arg k=v]...
//       [--label k=v]... CONTEXT. A hidden build arg (HiddenValues) is --build-arg k.
Args BuildArgs(Flavor flavor, const BuildSpec& spec);
// run --detach --name NAME [--publish 127.0.0.1::PORT] [--label k=v]... [--env K=V]...
//     [--volume SRC:DST[:OPTS]]... [--KEY[=VALUE]]... IMAGE. A hidden env entry is --env K.
Args RunArgs(Flavor flavor, const RunSpec& spec);
// The K=V entries the engine process needs in its environment for the name-only --env K and
// --build-arg k above: the hidden ones whose names the engine does not read itself.
std::vector<std::string> HiddenValues(const RunSpec& spec);
std::vector<std::string> HiddenValues(const BuildSpec& spec);
Args StartArgs(const std::string& name);
Args StopArgs(const std::string& name, int timeout_secs);
// podman waits for the stop timeout before killing on `rm --force`; --time 0 kills at once,
// as docker's `rm --force` does.
Args RemoveArgs(Flavor flavor, const std::string& name);
Args RemoveImageArgs(const std::string& image);
Args InspectArgs(const std::string& name);
// podman prints a JSON array; docker one JSON object per line.
Args ListByLabelArgs(Flavor flavor, const std::string& key, const std::string& value);
// tail_lines < 0: the whole log.
Args LogsArgs(const std::string& name, int tail_lines, bool follow);
// podman: `image exists` (exit 0/1); docker: `image inspect` (fails for a missing image).
Args ImageExistsArgs(Flavor flavor, const std::string& image);
Args VolumeCreateArgs(Flavor flavor, const std::string& name, const Labels& labels);
Args VolumeExistsArgs(Flavor flavor, const std::string& name);
Args VolumeRemoveArgs(const std::string& name);
// One volume name a line.
Args VolumeListByLabelArgs(Flavor flavor, const std::string& key, const std::string& value);
// A cheap command that needs a working engine (docker: the daemon).
Args PingArgs(Flavor flavor);

// podman parses some list flags (volume create --label, ps --filter) as CSV, splitting values
// on ','. Quotes such a value as one CSV field when it holds ',' or '"'; otherwise returns it
// unchanged.
std::string CsvField(const std::string& value);

}  // namespace berth::container
