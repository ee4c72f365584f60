#!/usr/bin/env bash
# scripts/test-env.sh — prepares this machine (Debian 12, as root) for Berth's container
# tests, offline: no container registry is reachable here, only Debian's mirror, so every
# base image the tests use is built locally from Debian packages and tagged with the name
# a Containerfile expects (docker.io/library/...), where podman and docker find it
# without pulling.
#
# Usage:
#   scripts/test-env.sh            set up (idempotent; seconds when everything exists)
#   scripts/test-env.sh --check    set up, then smoke-test every image (and docker)
#   scripts/test-env.sh --clean    remove the images this script made (only those carrying
#                                  its label) and its tarball cache; then exit
#   --no-docker                    skip installing/starting docker entirely
#   --busybox-only                 podman and busybox:latest only (seconds; for the demo app)
#   -h | --help
#
# What it does:
#   1. apt-get installs what is missing: podman runc conmon netavark aardvark-dns iptables
#      debootstrap busybox-static zstd curl ca-certificates; docker.io in the background
#      while images build (optional: on failure, a warning).
#   2. Writes the podman drop-ins: /etc/containers/containers.conf.d/50-berth.conf (runc,
#      ulimits) and /etc/containers/registries.conf.d/50-berth-test.conf (short names
#      such as `nginx` or `python:3.12.5-slim` resolve to docker.io/library/... without
#      a prompt, and without the network when the image is local).
#   3. Builds these podman images (all docker.io/library/...; labelled berth.test-env=1 and
#      berth.test-env.key=<recipe hash>):
#        busybox:latest          /bin/busybox from busybox-static + applet links, CMD sh
#        debian:bookworm-slim    debootstrap --variant=minbase bookworm (docs stripped)
#        nginx:latest            + nginx-light, official-image layout (conf.d/default.conf,
#                                /usr/share/nginx/html, logs to stdout/stderr, port 80)
#        python:3.12.5-slim      + python3 (Debian's 3.11!), pip, venv, flask, gunicorn,
#        python:3.11.1             uvicorn, starlette, websockets, `python`, `pip`;
#                                  no EXTERNALLY-MANAGED marker (same image, two tags)
#        python:3.12.5-standin   FROM python:3.12.5-slim + stand-ins for streamlit, gradio,
#                                fasthtml (podman build of tests/images/standin)
#        golang:1.19             + golang-go (Go 1.19), GOPATH=/go, GOPROXY=off,
#                                GOFLAGS=-mod=mod, CGO_ENABLED=0, warm build cache
#      Root filesystems are cached as zstd tarballs in /var/cache/berth-test-images/
#      (BERTH_TEST_IMAGE_CACHE), named <image>-<key>.tar.zst, where the key hashes the
#      package list and the recipe (the shell functions below): change a recipe and that
#      image (and what derives from it) is rebuilt on the next run. An image whose label
#      carries the current key is left alone.
#   4. Docker, when the docker.io package is installed: starts dockerd if `docker info`
#      does not answer (log: /var/log/berth-test-dockerd.log) and imports busybox:latest
#      and nginx:latest into it from the same tarballs. If docker cannot work, it warns
#      and goes on (tests skip docker).
#   5. Prints a summary; exits 0 when podman is usable and every image is present,
#      non-zero with a one-line error otherwise.
#
# Environment: BERTH_TEST_IMAGE_CACHE (tarball folder), BERTH_TEST_DEBIAN_MIRROR (the Debian
# mirror for debootstrap and the chroots; default: this machine's own apt configuration, the
# first bookworm `URIs:` of /etc/apt/sources.list.d/*.sources or `deb` line of
# /etc/apt/sources.list, else http://deb.debian.org/debian; see scripts/lib/common.sh).
#
# Failures: a failing step ends the script with a line naming it (the ERR trap of
# scripts/lib/common.sh); a failing apt-get, podman or debootstrap shows its last lines.
#
# Safe on a shared machine: never resets podman, removes only images it created (by label
# and exact name), uses a lock (/run/lock/berth-test-env.lock) so concurrent runs wait for
# each other. A dockerd it starts keeps running after it (detached, as a service would).
#
# Timings (2 cores; it is CPU-bound, ~220 s of CPU in all, since every process start is
# slow here): measured 6-7.5 min from a clean state while other builds loaded the machine
# (load 5-9); about 2.5-3 min expected when idle (debootstrap ~65 s, then python ~45 s
# in parallel with golang and nginx). From the tarball cache with no images ~40 s;
# everything present ~5 s.
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$SCRIPT_DIR/.." && pwd)"
CACHE_DIR="${BERTH_TEST_IMAGE_CACHE:-/var/cache/berth-test-images}"
DOCKERD_LOG=/var/log/berth-test-dockerd.log
LOCK_FILE=/run/lock/berth-test-env.lock
RECIPE_VERSION=1            # bump to force every image to be rebuilt
SUITE=bookworm
MIRROR="${BERTH_TEST_DEBIAN_MIRROR:-$(debian_mirror)}"
LABEL=berth.test-env
KEYLABEL=berth.test-env.key
LIB=docker.io/library
STANDIN_DIR="$REPO_DIR/tests/images/standin"
SMOKE_DIR="$SCRIPT_DIR/test-env/smoke"   # used by test-env/smoke.sh
export SMOKE_DIR
DEFAULT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

HOST_PACKAGES=(podman runc conmon netavark aardvark-dns iptables debootstrap busybox-static
               zstd curl ca-certificates)
DOCKER_PACKAGES=(docker.io)
PKGS_NGINX=(nginx-light)
PKGS_PYTHON=(python3 python3-pip python3-venv python3-flask gunicorn uvicorn
             python3-starlette python3-websockets python3-h11 python-is-python3)
PKGS_GOLANG=(golang-go)

START=$SECONDS
log() { printf '[test-env %4ss] %s\n' "$((SECONDS - START))" "$*" >&2; }
warn() { printf '[test-env] WARNING: %s\n' "$*" >&2; }
die() { printf 'test-env: ERROR: %s\n' "$*" >&2; exit 1; }

MODE=setup
WANT_DOCKER=1
BUSYBOX_ONLY=0
for arg in "$@"; do
  case "$arg" in
    --check) MODE=check ;;
    --clean) MODE=clean ;;
    --no-docker) WANT_DOCKER=0 ;;
    --busybox-only) BUSYBOX_ONLY=1; WANT_DOCKER=0 ;;
    -h|--help) sed -n '2,/^# shellcheck source=/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$arg' (try --help)" ;;
  esac
done
[[ $(id -u) == 0 ]] || die "must run as root (it installs packages and builds images)"

# ---------------------------------------------------------------------------- helpers

key_of() { printf '%s\n' "$@" | sha256sum | cut -c1-16; }

# The label key of a local image, or nothing when the image does not exist.
podman_key() {
  podman image inspect --format "{{index .Config.Labels \"$KEYLABEL\"}}" "$1" 2>/dev/null || true
}
docker_key() {
  docker image inspect --format "{{index .Config.Labels \"$KEYLABEL\"}}" "$1" 2>/dev/null || true
}

WORK=""
kill_tree() {  # a background job of ours and its children, by pid
  local c
  for c in $(pgrep -P "$1" 2>/dev/null); do kill_tree "$c"; done
  kill "$1" 2>/dev/null || true
}
cleanup() {
  local rc=$? pid
  for pid in $(jobs -p); do kill_tree "$pid"; done   # background jobs still running
  wait 2>/dev/null || true
  if [[ -n $WORK && -d $WORK ]]; then
    # debootstrap mounts proc/sys inside its target: never rm -rf through a mount.
    awk -v w="$WORK/" 'index($2, w) == 1 {print $2}' /proc/mounts | sort -r |
      while read -r m; do umount -l "$m" 2>/dev/null || true; done
    rm -rf --one-file-system "$WORK"
  fi
  return $rc
}
on_exit cleanup
trap 'exit 130' INT TERM

workdir() {
  if [[ -z $WORK ]]; then
    mkdir -p /var/tmp
    WORK="$(mktemp -d /var/tmp/berth-test-env.XXXXXX)"
  fi
}

# Runs "$@" in the background with output to $WORK/logs/<name>.log; join with wait_job.
declare -A JOBS=()
start_job() {
  local name=$1; shift
  workdir; mkdir -p "$WORK/logs"
  ( set -euo pipefail; "$@" ) >"$WORK/logs/$name.log" 2>&1 &
  JOBS[$name]=$!
}
wait_job() {
  local name=$1
  if ! wait "${JOBS[$name]}"; then
    show_tail "the $name job's" "$WORK/logs/$name.log" 30
    die "building $name failed (the failing command is named at the end of its log, above)"
  fi
}

# ---------------------------------------------------------------- 1. host packages


# apt_install (scripts/lib/common.sh) installs only what is missing; on failure it names apt
# and shows its last lines.
ensure_host_packages() { apt_install "${HOST_PACKAGES[@]}"; }

# docker.io is optional: install it in the background while images build.
DOCKER_INSTALL_JOB=0
start_docker_install() {
  ((WANT_DOCKER)) || return 0
  command -v dockerd >/dev/null && return 0
  log "installing ${DOCKER_PACKAGES[*]} (background)"
  start_job docker-install apt_install "${DOCKER_PACKAGES[@]}"
  DOCKER_INSTALL_JOB=1
}

# ----------------------------------------------------------------- 2. podman config

write_if_changed() {  # path, content
  local path=$1 content=$2
  if [[ ! -f $path ]] || [[ "$(cat "$path")" != "$content" ]]; then
    mkdir -p "$(dirname "$path")"
    printf '%s\n' "$content" >"$path.tmp.$$"
    mv -f "$path.tmp.$$" "$path"
    log "wrote $path"
  fi
}

configure_podman() {
  write_if_changed /etc/containers/containers.conf.d/50-berth.conf '[engine]
runtime = "runc"
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]'
  # Short names: search docker.io only (one candidate, so never a prompt); a local image
  # is used without contacting the registry (pull policy "missing").
  write_if_changed /etc/containers/registries.conf.d/50-berth-test.conf '# Written by Berth scripts/test-env.sh: short names resolve to docker.io/library/...
unqualified-search-registries = ["docker.io"]
short-name-mode = "permissive"

[aliases]
"nginx" = "docker.io/library/nginx"
"golang" = "docker.io/library/golang"
"debian" = "docker.io/library/debian"
"python" = "docker.io/library/python"
"busybox" = "docker.io/library/busybox"'
  local out
  if ! out=$(podman info --format '{{.Host.OCIRuntime.Name}} {{.Store.GraphDriverName}}' 2>&1); then
    printf '%s\n' "$out" | tail -n 20 | sed 's/^/  | /' >&2
    die "podman is not usable: 'podman info' failed (its last lines above)"
  fi
  # The last line: podman may warn first (Debian's podman ships a CNI file it cannot validate).
  log "podman $(podman version --format '{{.Client.Version}}' 2>/dev/null) ($(tail -n 1 <<<"$out"))"
}

# ---------------------------------------------------------------- 3. root filesystems

# Makes a folder usable by chroot apt-get: device nodes, DNS, no service starts.
prepare_chroot() {
  local root=$1 node type major minor
  mkdir -p "$root/dev"
  while read -r node type major minor; do
    [[ -e $root/dev/$node ]] || mknod -m 666 "$root/dev/$node" "$type" "$major" "$minor"
  done <<'EOF'
null c 1 3
zero c 1 5
full c 1 7
random c 1 8
urandom c 1 9
tty c 5 0
EOF
  rm -f "$root/etc/resolv.conf"
  cp -L /etc/resolv.conf "$root/etc/resolv.conf"
}

in_chroot() {  # root, command...
  local root=$1; shift
  env -i PATH="$DEFAULT_PATH" HOME=/root LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
    chroot "$root" "$@"
}

chroot_apt_install() {  # root, packages...
  local root=$1; shift
  in_chroot "$root" apt-get update -qq
  in_chroot "$root" apt-get install -y -qq --no-install-recommends "$@"
}

# Applied to the minbase tree; everything else starts from it.
customize_base() {
  local root=$1
  # Like the official slim images: no docs, man pages or translations; fast dpkg.
  cat >"$root/etc/dpkg/dpkg.cfg.d/berth-slim" <<'EOF'
path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/*/copyright
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/groff/*
path-exclude=/usr/share/lintian/*
path-exclude=/usr/share/locale/*
EOF
  echo force-unsafe-io >"$root/etc/dpkg/dpkg.cfg.d/berth-unsafe-io"
  find "$root/usr/share/doc" -mindepth 1 ! -name copyright ! -type d -delete 2>/dev/null || true
  find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
  rm -rf "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/*
  # No service is started by a package's postinst (no init in a container).
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod 755 "$root/usr/sbin/policy-rc.d"
}

# Cleans a tree and writes it as <cache>/<name>-<key>.tar.zst (atomically).
save_rootfs() {  # root, cache-file
  local root=$1 file=$2
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/cache/apt/*.bin \
         "$root"/var/lib/apt/lists/* "$root"/var/log/apt/* "$root"/var/log/*.log \
         "$root"/tmp/* "$root"/var/tmp/* "$root"/root/.cache
  mkdir -p "$root/var/lib/apt/lists/partial"
  : >"$root/etc/resolv.conf"   # the engine provides these at run time
  : >"$root/etc/hostname"
  printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
  mkdir -p "$CACHE_DIR"
  tar --numeric-owner --xattrs --xattrs-include='*' -C "$root" \
      --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' \
      -cf - . | zstd -q -1 -T0 -o "$file.tmp.$$"
  mv -f "$file.tmp.$$" "$file"
  # Keep only the current key's tarball for this image.
  local base; base="$(basename "$file")"; base="${base%-*.tar.zst}"
  find "$CACHE_DIR" -maxdepth 1 -name "$base-*.tar.zst" ! -name "$(basename "$file")" -delete
}

# Imports a cached tarball into podman: name, key, tarball, extra --change lines...
podman_import() {
  local name=$1 key=$2 file=$3; shift 3
  local args=(--change "LABEL $LABEL=1" --change "LABEL $KEYLABEL=$key")
  local c; for c in "$@"; do args+=(--change "$c"); done
  run_logged podman podman import -q "${args[@]}" "$file" "$name"
}

# --- busybox: no debootstrap, a few seconds
customize_busybox() {
  local root=$1 a
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,root,tmp,var/www,var/tmp,home,dev,proc,sys,run}
  chmod 1777 "$root/tmp" "$root/var/tmp"
  cp /bin/busybox "$root/bin/busybox"
  for a in $("$root/bin/busybox" --list); do
    [[ $a == busybox || $a == linuxrc ]] && continue
    ln -sf busybox "$root/bin/$a"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/bin/false\nwww-data:x:33:33:www-data:/var/www:/bin/false\nnobody:x:65534:65534:nobody:/home:/bin/false\n' >"$root/etc/passwd"
  printf 'root:x:0:\ndaemon:x:1:\nwww-data:x:33:\nnogroup:x:65534:\n' >"$root/etc/group"
  printf 'root:*:19000:0:99999:7:::\n' >"$root/etc/shadow"
  chmod 640 "$root/etc/shadow"
}
BUSYBOX_CHANGES=("ENV PATH=$DEFAULT_PATH" 'CMD ["sh"]')

build_busybox_tar() {  # cache-file
  local root="$WORK/busybox"
  rm -rf "$root"; mkdir -p "$root"
  customize_busybox "$root"
  save_rootfs "$root" "$1"
}

# --- debian:bookworm-slim (minbase); the others start from a copy of it
DEBIAN_CHANGES=("ENV PATH=$DEFAULT_PATH" 'CMD ["bash"]')

build_minbase_tree() {  # dest-dir, cache-file
  local root=$1 file=$2
  debootstrap --variant=minbase --components=main "$SUITE" "$root" "$MIRROR"
  customize_base "$root"
  save_rootfs "$root" "$file"
}

# --- nginx:latest
customize_nginx() {
  local root=$1
  rm -f "$root/etc/nginx/sites-enabled/default"
  # The official image's default server (IPv4 only: IPv6 may be off in the container).
  cat >"$root/etc/nginx/conf.d/default.conf" <<'EOF'
server {
    listen       80;
    server_name  localhost;

    location / {
        root   /usr/share/nginx/html;
        index  index.html index.htm;
    }

    error_page   500 502 503 504  /50x.html;
    location = /50x.html {
        root   /usr/share/nginx/html;
    }
}
EOF
  mkdir -p "$root/usr/share/nginx/html"
  grep -q 'Welcome to nginx!' "$root/usr/share/nginx/html/index.html" 2>/dev/null ||
    printf '<!DOCTYPE html>\n<html><head><title>Welcome to nginx!</title></head>\n<body><h1>Welcome to nginx!</h1></body></html>\n' \
      >"$root/usr/share/nginx/html/index.html"
  printf '<!DOCTYPE html>\n<html><head><title>Error</title></head><body><h1>An error occurred.</h1></body></html>\n' \
    >"$root/usr/share/nginx/html/50x.html"
  in_chroot "$root" nginx -t
  ln -sf /dev/stdout "$root/var/log/nginx/access.log"
  ln -sf /dev/stderr "$root/var/log/nginx/error.log"
}
NGINX_CHANGES=("ENV PATH=$DEFAULT_PATH" 'EXPOSE 80' 'STOPSIGNAL SIGQUIT'
               'CMD ["nginx", "-g", "daemon off;"]')

# --- python:3.12.5-slim == python:3.11.1
customize_python() {
  local root=$1
  rm -f "$root"/usr/lib/python3*/EXTERNALLY-MANAGED
  [[ -e $root/usr/bin/pip ]] || ln -s pip3 "$root/usr/bin/pip"
  [[ -e $root/usr/bin/python ]] || ln -s python3 "$root/usr/bin/python"
  in_chroot "$root" python -c 'import flask, gunicorn, uvicorn, starlette, websockets, venv'
  in_chroot "$root" pip --version
}
PYTHON_CHANGES=("ENV PATH=$DEFAULT_PATH" 'ENV LANG=C.UTF-8' 'ENV PIP_BREAK_SYSTEM_PACKAGES=1'
                'ENV PIP_DISABLE_PIP_VERSION_CHECK=1' 'CMD ["python3"]')

# --- golang:1.19
customize_golang() {
  local root=$1
  mkdir -p "$root/go/bin" "$root/go/src" "$root/go/.cache/go-build" "$root/tmp/warm"
  # Warm the build cache: the standard library rebuilt with CGO_ENABLED=0 (net, net/http,
  # ...) so each test's `go build` of a small server takes about a second, not five.
  cat >"$root/tmp/warm/main.go" <<'EOF'
package main

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"os"
)

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{"path": r.URL.Path})
	})
	fmt.Println("listening")
	log.Fatal(http.ListenAndServe(":"+os.Getenv("PORT"), nil))
}
EOF
  printf 'module warm\n\ngo 1.19\n' >"$root/tmp/warm/go.mod"
  env -i PATH="/go/bin:/usr/lib/go/bin:$DEFAULT_PATH" HOME=/root GOPATH=/go \
    GOCACHE=/go/.cache/go-build GOPROXY=off GOFLAGS=-mod=mod CGO_ENABLED=0 \
    chroot "$root" sh -c 'cd /tmp/warm && go build -o /tmp/warm/warm . && go version'
  rm -rf "$root/tmp/warm"
  chmod -R a+rwX "$root/go"
  chmod 1777 "$root/go"
}
GOLANG_CHANGES=("ENV PATH=/go/bin:/usr/lib/go/bin:$DEFAULT_PATH" 'ENV GOPATH=/go'
                'ENV GOCACHE=/go/.cache/go-build' 'ENV GOPROXY=off' 'ENV GOSUMDB=off'
                'ENV GOFLAGS=-mod=mod' 'ENV CGO_ENABLED=0' 'WORKDIR /go' 'CMD ["bash"]')

# A derived image: copy of the minbase tree + packages + customize, saved and imported.
build_derived() {  # name, minbase-dir, cache-file, packages-var, customize-fn
  local name=$1 base=$2 file=$3 customize=$5
  local -n pkgs=$4
  local root="$WORK/$name"
  rm -rf --one-file-system "$root"
  cp -a "$base" "$root"
  prepare_chroot "$root"
  chroot_apt_install "$root" "${pkgs[@]}"
  "$customize" "$root"
  save_rootfs "$root" "$file"
  rm -rf --one-file-system "$root"
}

# ----------------------------------------------------------------------- the images

# Per image set: KEY = hash of its recipe (and of its base's key), TAR = cached rootfs.
declare -A KEY TAR
compute_keys() {
  KEY[busybox]=$(key_of "$RECIPE_VERSION" "$(sha256sum </bin/busybox)" \
    "$(declare -f customize_busybox save_rootfs)" "${BUSYBOX_CHANGES[@]}")
  KEY[debian]=$(key_of "$RECIPE_VERSION" "$SUITE" "$MIRROR" minbase \
    "$(declare -f build_minbase_tree customize_base save_rootfs)" "${DEBIAN_CHANGES[@]}")
  KEY[nginx]=$(key_of "${KEY[debian]}" "${PKGS_NGINX[*]}" \
    "$(declare -f customize_nginx build_derived prepare_chroot)" "${NGINX_CHANGES[@]}")
  KEY[python]=$(key_of "${KEY[debian]}" "${PKGS_PYTHON[*]}" \
    "$(declare -f customize_python build_derived prepare_chroot)" "${PYTHON_CHANGES[@]}")
  KEY[golang]=$(key_of "${KEY[debian]}" "${PKGS_GOLANG[*]}" \
    "$(declare -f customize_golang build_derived prepare_chroot)" "${GOLANG_CHANGES[@]}")
  KEY[standin]=$(key_of "${KEY[python]}" "$(cd "$STANDIN_DIR" &&
    find . -type f ! -path '*/__pycache__/*' ! -name '*.pyc' -print0 | LC_ALL=C sort -z |
    xargs -0 sha256sum)")
  local n
  for n in busybox debian nginx python golang; do
    TAR[$n]="$CACHE_DIR/$n-${KEY[$n]}.tar.zst"
  done
}

declare -A IMAGES=(
  [busybox]="$LIB/busybox:latest"
  [debian]="$LIB/debian:bookworm-slim"
  [nginx]="$LIB/nginx:latest"
  [python]="$LIB/python:3.12.5-slim $LIB/python:3.11.1"
  [golang]="$LIB/golang:1.19"
  [standin]="$LIB/python:3.12.5-standin"
)
ORDER=(busybox debian nginx python golang standin)

# Is every tag of image set $1 present in podman with the current key?
podman_current() {
  local t
  for t in ${IMAGES[$1]}; do
    [[ "$(podman_key "$t")" == "${KEY[$1]}" ]] || return 1
  done
}

changes_var() { case $1 in
  busybox) echo BUSYBOX_CHANGES ;; debian) echo DEBIAN_CHANGES ;; nginx) echo NGINX_CHANGES ;;
  python) echo PYTHON_CHANGES ;; golang) echo GOLANG_CHANGES ;; esac; }

# Images of ours that a rebuild replaces (they keep no tag) are removed at the end. Kept
# in a file: the imports run in background jobs.
remember_old() {  # tag about to be replaced
  local id
  id=$(podman image inspect --format '{{.Id}}' "$1" 2>/dev/null) || return 0
  if [[ -z "$(podman_key "$1")" ]]; then
    warn "$1 exists but was not made by this script: retagging the name to ours"
  else
    workdir
    echo "$id" >>"$WORK/old-ids"
  fi
}
remove_old() {
  [[ -n $WORK && -s $WORK/old-ids ]] || return 0
  local id
  for id in $(tac "$WORK/old-ids"); do   # newest first: children before parents
    [[ -z "$(podman image inspect --format '{{join .RepoTags ""}}' "$id" 2>/dev/null)" ]] || continue
    if podman rmi "$id" >/dev/null 2>&1; then log "removed the replaced image ${id:0:12}"; fi
  done
}

# Imports tarball of $1 into podman under every tag.
import_podman() {
  local n=$1 first cv
  cv=$(changes_var "$n")
  local -n ch=$cv
  first=${IMAGES[$n]%% *}
  remember_old "$first"
  podman_import "$first" "${KEY[$n]}" "${TAR[$n]}" "${ch[@]}"
  local t
  for t in ${IMAGES[$n]}; do [[ $t == "$first" ]] || podman tag "$first" "$t"; done
}

# Builds (if needed) and imports one derived image; runs as a background job.
derived_job() {  # name
  local n=$1 pv cf
  case $n in
    nginx) pv=PKGS_NGINX cf=customize_nginx ;;
    python) pv=PKGS_PYTHON cf=customize_python ;;
    golang) pv=PKGS_GOLANG cf=customize_golang ;;
  esac
  if [[ ! -s ${TAR[$n]} ]]; then
    echo "building ${TAR[$n]}"
    build_derived "$n" "$WORK/minbase" "${TAR[$n]}" "$pv" "$cf"
  fi
  if ! podman_current "$n"; then import_podman "$n"; fi
}

build_images() {
  compute_keys
  local n need=()
  for n in "${ORDER[@]}"; do
    ((BUSYBOX_ONLY)) && [[ $n != busybox ]] && continue
    podman_current "$n" || need+=("$n")
  done
  if ((${#need[@]} == 0)); then log "all podman images are current"; return 0; fi
  log "to build or import: ${need[*]}"
  workdir
  mkdir -p "$CACHE_DIR"

  # busybox: seconds
  if [[ " ${need[*]} " == *" busybox "* ]]; then
    [[ -s ${TAR[busybox]} ]] || build_busybox_tar "${TAR[busybox]}"
    import_podman busybox
    log "busybox:latest ready"
  fi

  # Derived images to import, and which of them need their tarball built first.
  local todo=() tarless=0
  for n in python golang nginx; do   # python is the slowest: it starts first
    if [[ " ${need[*]} " == *" $n "* ]]; then
      todo+=("$n")
      [[ -s ${TAR[$n]} ]] || tarless=1
    fi
  done
  # The minbase tree: from its tarball, or debootstrap (which also writes the tarball).
  if [[ ! -s ${TAR[debian]} ]] && { ((tarless)) || [[ " ${need[*]} " == *" debian "* ]]; }; then
    log "debootstrap --variant=minbase $SUITE (about a minute)"
    start_job minbase build_minbase_tree "$WORK/minbase" "${TAR[debian]}"
    wait_job minbase
    log "minbase tree done"
  elif ((tarless)); then
    mkdir -p "$WORK/minbase"
    zstd -q -dc "${TAR[debian]}" | tar --numeric-owner -xf - -C "$WORK/minbase"
  fi
  # Each derived job: copy of minbase, chroot apt-get install, tarball, podman import.
  # They run in parallel; debian:bookworm-slim is imported meanwhile.
  for n in "${todo[@]}"; do start_job "$n" derived_job "$n"; done
  if [[ " ${need[*]} " == *" debian "* ]]; then
    import_podman debian
    log "debian:bookworm-slim ready"
  fi
  for n in "${todo[@]}"; do wait_job "$n"; log "$n ready"; done

  if ((BUSYBOX_ONLY)); then return 0; fi
  if ! podman_current standin; then
    remember_old "${IMAGES[standin]}"
    log "podman build ${IMAGES[standin]#"$LIB"/}"
    run_logged podman podman build -q --layers=false --pull=never --network=none \
      --label "$LABEL=1" --label "$KEYLABEL=${KEY[standin]}" \
      --build-arg "BASE=${IMAGES[python]%% *}" -t "${IMAGES[standin]}" \
      -f "$STANDIN_DIR/Containerfile" "$STANDIN_DIR"
    log "standin ready"
  fi
  remove_old
}

# ----------------------------------------------------------------------- 4. docker

DOCKER_OK=0
DOCKER_WHY=""
docker_answers() { timeout 15 docker info >/dev/null 2>&1; }

DOCKERD_PIDFILE=/run/berth-test-dockerd.pid
dockerd_pid() { pgrep -x -F "$DOCKERD_PIDFILE" dockerd 2>/dev/null || true; }

start_dockerd() {
  local flags pid i
  # The first set is docker's default; the others are fallbacks for sandboxes where
  # iptables or overlayfs is unavailable (port publishing then goes through docker-proxy).
  for flags in "" "--iptables=false" "--iptables=false --storage-driver=vfs"; do
    log "starting dockerd $flags (log: $DOCKERD_LOG)"
    # A daemon, not a job of this script: `setsid --fork` returns at once, so the EXIT
    # trap (which stops our background jobs) never sees it and dockerd outlives us.
    # shellcheck disable=SC2086
    setsid --fork dockerd --pidfile "$DOCKERD_PIDFILE" $flags \
      >>"$DOCKERD_LOG" 2>&1 </dev/null 9>&-
    pid=""
    for ((i = 0; i < 60; i++)); do
      if docker_answers; then log "dockerd is up (pid $(dockerd_pid))"; return 0; fi
      [[ -n $pid ]] || pid=$(dockerd_pid)
      # Gone after it wrote its pid file: this set of flags does not work here.
      if [[ -n $pid ]] && ! kill -0 "$pid" 2>/dev/null; then break; fi
      if [[ -z $pid ]] && ((i >= 10)) && ! pgrep -x dockerd >/dev/null; then break; fi
      sleep 0.5
    done
    pid=$(dockerd_pid)
    if [[ -n $pid ]]; then kill "$pid" 2>/dev/null || true; fi
    sleep 1
  done
  return 1
}

setup_docker() {
  ((WANT_DOCKER)) || { DOCKER_WHY="disabled by --no-docker"; return 0; }
  if ((DOCKER_INSTALL_JOB)); then
    if ! wait "${JOBS[docker-install]}"; then
      DOCKER_WHY="apt-get install docker.io failed"
      show_tail "the docker-install job's" "$WORK/logs/docker-install.log" 20
      warn "$DOCKER_WHY; continuing without docker"
      return 0
    fi
  fi
  if ! command -v dockerd >/dev/null || ! command -v docker >/dev/null; then
    DOCKER_WHY="docker.io is not installed"
    warn "$DOCKER_WHY; continuing without docker"
    return 0
  fi
  if ! docker_answers && ! start_dockerd; then
    DOCKER_WHY="dockerd did not start: $(tail -n 1 "$DOCKERD_LOG" 2>/dev/null)"
    show_tail dockerd "$DOCKERD_LOG" 20
    warn "$DOCKER_WHY; continuing without docker (see $DOCKERD_LOG)"
    return 0
  fi
  # Same root filesystems, config and labels as podman's images. (podman save | docker load
  # fails here: "invalid diffID for layer 0" on imported images.)
  local n t cv c cid rc old
  for n in busybox nginx; do
    cid=""
    t=${IMAGES[$n]}
    [[ "$(docker_key "$t")" == "${KEY[$n]}" ]] && continue
    old=""
    [[ -n "$(docker_key "$t")" ]] && old=$(docker image inspect --format '{{.Id}}' "$t")
    cv=$(changes_var "$n")
    local -n ch=$cv
    local args=(--change "LABEL $LABEL=1" --change "LABEL $KEYLABEL=${KEY[$n]}")
    # docker 20.10's import knows no STOPSIGNAL (nginx then stops on SIGTERM: fine).
    for c in "${ch[@]}"; do [[ $c == STOPSIGNAL* ]] || args+=(--change "$c"); done
    unset -n ch
    if [[ -s ${TAR[$n]} ]]; then
      zstd -q -dc "${TAR[$n]}" | docker import "${args[@]}" - "${t#"$LIB"/}" >/dev/null &&
        rc=0 || rc=$?
    else  # tarball gone from the cache but the podman image is current: export it
      cid=$(podman create "$t" true) &&
        podman export "$cid" | docker import "${args[@]}" - "${t#"$LIB"/}" >/dev/null &&
        rc=0 || rc=$?
      if [[ -n $cid ]]; then podman rm -f "$cid" >/dev/null 2>&1 || true; fi
    fi
    if ((rc)); then
      DOCKER_WHY="docker import of ${t#"$LIB"/} failed"
      warn "$DOCKER_WHY; continuing without docker"
      return 0
    fi
    log "docker: imported ${t#"$LIB"/}"
    if [[ -n $old ]]; then docker rmi "$old" >/dev/null 2>&1 || true; fi  # the replaced one
  done
  DOCKER_OK=1
}

# ------------------------------------------------------------------------ summary

summary() {
  local n t ok=1
  echo "test-env: podman images:"
  for n in "${ORDER[@]}"; do
    ((BUSYBOX_ONLY)) && [[ $n != busybox ]] && continue
    for t in ${IMAGES[$n]}; do
      if [[ "$(podman_key "$t")" == "${KEY[$n]}" ]]; then
        printf '  %-40s %s\n' "$t" "$(podman image inspect --format '{{.Id}}' "$t" | cut -c1-12)"
      else
        printf '  %-40s MISSING\n' "$t"; ok=0
      fi
    done
  done
  if ((DOCKER_OK)); then
    echo "test-env: docker: available (server $(docker version --format '{{.Server.Version}}' 2>/dev/null)); images: busybox:latest nginx:latest"
  else
    echo "test-env: docker: NOT available ($DOCKER_WHY); docker tests will skip"
  fi
  echo "test-env: cache $CACHE_DIR ($(du -sh "$CACHE_DIR" 2>/dev/null | cut -f1)); took $((SECONDS - START))s"
  ((ok)) || die "some podman images are missing (see above)"
}

clean() {
  compute_keys 2>/dev/null || true
  local n t
  for n in "${ORDER[@]}"; do
    for t in ${IMAGES[$n]}; do
      if [[ -n "$(podman_key "$t")" ]]; then
        if podman rmi "$t" >/dev/null 2>&1; then echo "removed podman $t"
        else warn "could not remove podman $t (in use?)"; fi
      fi
      if command -v docker >/dev/null && docker_answers && [[ -n "$(docker_key "${t#"$LIB"/}")" ]]; then
        if docker rmi "${t#"$LIB"/}" >/dev/null 2>&1; then echo "removed docker ${t#"$LIB"/}"; fi
      fi
    done
  done
  rm -rf "$CACHE_DIR"
  echo "removed $CACHE_DIR"
}

# ------------------------------------------------------------------------ main

# One run at a time. The lock is held by this parent while a child does the work with the
# lock's descriptor closed, so that nothing long-lived it starts (dockerd, conmon) keeps
# the lock after the run.
if [[ ${BERTH_TEST_ENV_LOCKED:-} != 1 ]]; then
  mkdir -p "$(dirname "$LOCK_FILE")"
  exec 9>"$LOCK_FILE"
  if ! flock -n 9; then
    log "another test-env run holds $LOCK_FILE; waiting"
    flock 9
  fi
  rc=0
  BERTH_TEST_ENV_LOCKED=1 bash "$0" "$@" 9>&- || rc=$?
  exit "$rc"
fi

if [[ $MODE == clean ]]; then
  command -v podman >/dev/null || exit 0
  clean
  exit 0
fi

ensure_host_packages
start_docker_install
configure_podman
build_images
setup_docker
summary
if [[ $MODE == check ]]; then
  # shellcheck source=test-env/smoke.sh
  source "$SCRIPT_DIR/test-env/smoke.sh"
  run_smoke_checks
fi
