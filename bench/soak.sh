#!/usr/bin/env bash
# soak.sh: 10 minutes (SOAK_SECS) of mixed traffic through one Berth server, with idle stops,
# WebSockets and container kills, printing errors, latency, RSS, fds and threads over time.
# The work is bench/soak.py's (its header says what runs, what is checked and which errors
# are tolerated); this script builds the release binary first and runs it.
#
#   bench/soak.sh                          # build/release/berth, 600 s
#   SOAK_SECS=120 bench/soak.sh            # a short run
#   BENCH_BUILD=0 BERTH_BINARY=/path/to/berth bench/soak.sh
#
# Settings (environment): SOAK_SECS=600, SOAK_EVERY=30 (seconds between rows),
# SOAK_KILL_EVERY=60 (a `podman kill` of /c1 or /c2), SOAK_KILL_GRACE=2 (seconds after a
# kill during which a failed request to that app is tolerated), SOAK_PAUSE_MS=5 (each
# traffic thread's pause between requests), BENCH_BUILD=1, BERTH_BINARY.
# Exit status: 0 with no unexpected error, 1 otherwise (or if the server died).
# Needs: podman and the local python:3.12.5-slim image (scripts/test-env.sh), python3.
# shellcheck source=../scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/common.sh"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BERTH=${BERTH_BINARY:-$ROOT/build/release/berth}
command -v podman >/dev/null || die "podman is missing (scripts/test-env.sh)"
if [[ ${BENCH_BUILD:-1} == 1 && -z ${BERTH_BINARY:-} ]]; then
  log "building the release preset"
  (cd "$ROOT" && cmake --preset release >/dev/null && cmake --build --preset release -j2 --target berth >/dev/null) ||
    die "release build failed"
fi
[[ -x $BERTH ]] || die "no berth binary at $BERTH"
exec python3 "$ROOT/bench/soak.py" --berth "$BERTH"
