#!/usr/bin/env bash
# Installs, from Debian's packages, everything Berth needs to build, run and test.
# Idempotent: packages already present are left alone. A failure names apt and shows its
# last lines.
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost1.81-dev libssl-dev openssl libsqlite3-dev sqlite3 nlohmann-json3-dev
  libtomlplusplus-dev libcli11-dev libspdlog-dev libfmt-dev libidn2-dev
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  curl wrk nginx-light python3
)
[[ $(id -u) == 0 ]] || die "must run as root (it installs Debian packages)"
apt_install "${packages[@]}"
