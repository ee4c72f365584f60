#!/usr/bin/env bash
# The whole test suite on a fresh Debian 12 machine (as root): installs what the build and the
# tests need, prepares podman/docker and the local base images, builds the sanitizer (dev)
# preset and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/test-env.sh
# The container tests need both engines: say so now, with dockerd's own words, rather
# than as a list of failed tests after the build.
if ! timeout 15 docker info >/dev/null 2>&1; then
  echo "test.sh: docker does not answer after scripts/test-env.sh; dockerd's log ends:" >&2
  tail -n 20 /var/log/berth-test-dockerd.log >&2 || true
  exit 1
fi
cmake --preset dev >/dev/null
cmake --build --preset dev
# Container tests fail (instead of skipping) when an engine is missing.
export BERTH_REQUIRE_ENGINES=podman,docker
ctest --preset dev -j "$(nproc)"
