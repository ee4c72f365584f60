#!/usr/bin/env bash
# Berth's main job on a fresh Debian 12 machine (as root): installs what is needed, builds the
# release binary, starts the server, creates a demo app (examples/hello, a container app) and
# prints the URL to open. The server runs in the foreground; Ctrl-C stops it.
#
# BERTH_HOME (default ~/.berth) holds the config, the metadata database and the logs.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

scripts/install-deps.sh
# podman and a busybox base image, built locally from Debian packages (no registry needed).
scripts/test-env.sh --busybox-only
cmake --preset release >/dev/null
cmake --build --preset release --target berth  # the main job needs no test binary

berth="$repo/build/release/berth"
export BERTH_HOME="${BERTH_HOME:-$HOME/.berth}"

"$berth" server start &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server' INT TERM
for _ in $(seq 1 100); do
  "$berth" app list >/dev/null 2>&1 && break
  kill -0 $server 2>/dev/null || { echo "berth: the server did not start" >&2; exit 1; }
  sleep 0.1
done

if [[ $("$berth" app list -f json /demo) == "[]" ]]; then
  "$berth" app create --spec container --approve --param GREETING="Hello from Berth" \
    examples/hello /demo
fi
http_port=$(sed -n 's/.*"http_port":\([0-9-]*\).*/\1/p' "$BERTH_HOME/run/server.json")
https_port=$(sed -n 's/.*"https_port":\([0-9-]*\).*/\1/p' "$BERTH_HOME/run/server.json")
echo
echo "Berth is running (home $BERTH_HOME). Open the demo app:"
[[ $http_port -gt 0 ]] && echo "  http://localhost:$http_port/demo/"
[[ $https_port -gt 0 ]] && echo "  https://localhost:$https_port/demo/   (self-signed certificate)"
echo "The first request builds the image and starts the container; try: berth app list"
echo "Stop the server with Ctrl-C."
wait $server
