#!/usr/bin/env bash
# Berth's main job on a fresh Debian 12 machine (as root): installs what is needed, builds the
# release binary, starts the server, creates a demo app (examples/hello, a container app) and
# prints the URL to open. The server runs in the foreground; Ctrl-C stops it.
#
# BERTH_HOME (default ~/.berth) holds the config, the metadata database and the logs; its
# berth.toml sets the ports (default 25222 for HTTP, 25223 for HTTPS).
# Each step prints the seconds since the start; a failing step is named on stderr.
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$BERTH_REPO"
repo=$BERTH_REPO

log "installing build packages (scripts/install-deps.sh)"
scripts/install-deps.sh
# podman and a busybox base image, built locally from Debian packages (no registry needed).
log "podman and the busybox image (scripts/test-env.sh --busybox-only)"
scripts/test-env.sh --busybox-only
log "building build/release/berth"
cmake --preset release >/dev/null
cmake --build --preset release --target berth  # the main job needs no test binary

berth="$repo/build/release/berth"
export BERTH_HOME="${BERTH_HOME:-$HOME/.berth}"

log "starting the server (BERTH_HOME=$BERTH_HOME)"
"$berth" server start &
server=$!
trap 'kill -TERM $server 2>/dev/null || true' INT TERM
up=0
for _ in $(seq 1 100); do
  if "$berth" app list >/dev/null 2>&1; then up=1; break; fi
  kill -0 $server 2>/dev/null || die "the server did not start (log: $BERTH_HOME/logs/berth.log)"
  sleep 0.1
done
((up)) || die "the server does not answer 'berth app list' after 10 s (log: $BERTH_HOME/logs/berth.log)"

if [[ $("$berth" app list -f json /demo) == "[]" ]]; then
  "$berth" app create --spec container --approve --param GREETING="Hello from Berth" \
    examples/hello /demo
fi
http_port=$(sed -n 's/.*"http_port":\([0-9-]*\).*/\1/p' "$BERTH_HOME/run/server.json")
https_port=$(sed -n 's/.*"https_port":\([0-9-]*\).*/\1/p' "$BERTH_HOME/run/server.json")
echo
log "Berth is running (home $BERTH_HOME). Open the demo app:"
if ((http_port > 0)); then echo "  http://localhost:$http_port/demo/"; fi
if ((https_port > 0)); then echo "  https://localhost:$https_port/demo/   (self-signed certificate)"; fi
echo "The first request builds the image and starts the container; try: berth app list"
echo "Stop the server with Ctrl-C."
rc=0
while :; do
  if wait $server; then rc=0; else rc=$?; fi
  kill -0 $server 2>/dev/null || break   # else a signal interrupted wait: the server is stopping
done
((rc == 0)) || die "the server exited with status $rc (log: $BERTH_HOME/logs/berth.log)"
