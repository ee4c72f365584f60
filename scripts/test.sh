#!/usr/bin/env bash
# The whole test suite on a fresh Debian 12 machine (as root): installs what the build and the
# tests need, prepares podman/docker and the local base images, builds the sanitizer (dev)
# preset and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/test-env.sh
cmake --preset dev >/dev/null
cmake --build --preset dev
# Container tests fail (instead of skipping) when an engine is missing.
export BERTH_REQUIRE_ENGINES=podman,docker
ctest --preset dev -j "$(nproc)"
