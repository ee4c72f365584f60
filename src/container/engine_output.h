// Parsing what the podman/docker CLI prints: pure functions, unit-tested on output captured
// from the real tools (testdata/). Parsers are lenient about fields they do not need and
// missing/null fields; they fail (InvalidArgument) only on text that is not the expected JSON.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "container/runtime.h"

namespace berth::container {

// `podman container inspect` / `docker container inspect`: a JSON array of containers, with
// State.{Status,Running,ExitCode,StartedAt}, Config.{Image,Labels} and
// NetworkSettings.Ports {"8080/tcp": [{"HostIp": "127.0.0.1", "HostPort": "46707"}]}.
Result<std::vector<ContainerInfo>> ParseInspect(std::string_view json);

// `podman ps --format json`: a JSON array; Labels an object, Ports an array of
// {host_ip, container_port, host_port, range, protocol}, StartedAt in Unix seconds.
Result<std::vector<ContainerInfo>> ParsePodmanPs(std::string_view json);

// `docker ps --format '{{json .}}'`: one JSON object per line; Labels a "k=v,k2=v2" string,
// Ports a string like "127.0.0.1:49153->8080/tcp, 9090/tcp", the exit code only inside Status
// ("Exited (137) 2 seconds ago"), no start time.
Result<std::vector<ContainerInfo>> ParseDockerPs(std::string_view json_lines);

// docker ps's Labels string. docker joins "k=v" pairs with ','; a piece without '=' continues
// the previous value (so "a=1,2" is {a: "1,2"}), but a value containing ",k=v" cannot be told
// apart from two labels.
Labels ParseDockerLabels(std::string_view text);

// docker ps's Ports string: "127.0.0.1:32768->8080/tcp", "[::]:32768->8080/tcp",
// "0.0.0.0:32768-32769->8080-8081/tcp" (ranges expanded), "8080/tcp" (exposed, not published);
// entries separated by ", ". Unparseable entries are skipped.
std::vector<PortBinding> ParseDockerPorts(std::string_view text);

// The container id `run --detach` printed: the last non-empty line of stdout.
Result<std::string> ParseContainerId(std::string_view out);

// What an engine's error message means, for mapping failures to Status codes.
enum class ErrorKind {
  kOther,
  kNotFound,       // no such container/image/volume
  kAlreadyExists,  // a container name or volume already taken
  kInUse,          // an image or volume still used by a container
  kUnavailable,    // the engine (docker daemon) is not reachable
  kBadOption,      // the CLI rejected a flag or its value
};
ErrorKind ClassifyError(std::string_view message);

// The last `max_lines` non-empty lines of `text`, trimmed, joined with ": ", with the engines'
// "Error: " / "Error response from daemon: " / "docker: " prefixes removed. Usage hints
// ("See 'podman run --help'", "Usage: ...", "Run 'docker run --help'...") are left out.
std::string ErrorSummary(std::string_view text, int max_lines = 2);

// For a failed build log (stdout and stderr merged): the last "STEP n/m: ..." (podman) or
// "Step n/m : ..." (docker) line followed by the summary of the last error lines, e.g.
// "STEP 3/3: RUN false: building at STEP "RUN false": while running runtime: exit status 1".
std::string SummarizeBuildFailure(std::string_view log);

// Trims ASCII whitespace at both ends.
std::string_view Trim(std::string_view s);

}  // namespace berth::container
