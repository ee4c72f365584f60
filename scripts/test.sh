#!/usr/bin/env bash
# The whole test suite on a fresh Debian 12 machine (as root): installs what the build and the
# tests need, checks every shell script with shellcheck, prepares podman/docker and the local
# base images, builds the sanitizer (dev) preset and runs every test.
# Each step prints the seconds since the start; a failing step is named on stderr.
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$BERTH_REPO"

log "installing build packages (scripts/install-deps.sh)"
scripts/install-deps.sh
log "shellcheck (scripts/check-shell.sh)"
scripts/check-shell.sh
log "podman, docker and the base images (scripts/test-env.sh)"
scripts/test-env.sh
# The container tests need both engines: say so now, with dockerd's own words, rather
# than as a list of failed tests after the build.
if ! timeout 15 docker info >/dev/null 2>&1; then
  show_tail dockerd /var/log/berth-test-dockerd.log 20
  die "docker does not answer after scripts/test-env.sh (dockerd's log above)"
fi
log "building the dev preset (ASan + UBSan)"
cmake --preset dev >/dev/null
cmake --build --preset dev
# Container tests fail (instead of skipping) when an engine is missing.
export BERTH_REQUIRE_ENGINES=podman,docker
log "running the tests (ctest --preset dev)"
ctest --preset dev -j "$(nproc)"
log "fuzzing the parsers (scripts/fuzz.sh, BERTH_FUZZ_SECONDS=${BERTH_FUZZ_SECONDS:-30} each)"
scripts/fuzz.sh
log "all tests passed"
