#!/usr/bin/env bash
# scripts/check-fresh.sh: proves the README's two commands on a fresh Debian 12 machine, in a
# throwaway podman container on this one (as root). Run it before resolving any change to the
# install scripts (install-deps.sh, test-env.sh, run.sh, test.sh).
#
# Usage:
#   scripts/check-fresh.sh              scripts/run.sh inside, until the demo app answers 200
#                                       at /demo/ through Berth; then everything is removed
#   scripts/check-fresh.sh --tests      scripts/test.sh inside instead (the whole suite: long)
#   --worktree                          copy the working tree's tracked files with their
#                                       uncommitted changes (default: `git archive HEAD`)
#   -h | --help
#
# Phases (each one's duration is printed, and a table of them at the end, also on failure):
#   1. host tools     apt_install debootstrap podman zstd curl git (when missing)
#   2. root           a minimal Debian 12 root: `debootstrap --variant=minbase
#                     --include=ca-certificates,git bookworm`, from this machine's Debian
#                     mirror (scripts/lib/common.sh debian_mirror); cached as a tarball in
#                     /var/cache/berth-check-fresh (BERTH_CHECK_FRESH_CACHE), keyed by the
#                     recipe and the mirror
#   3. import         `podman import` of that root as localhost/berth-check-fresh-<pid>
#   4. start          `podman run --privileged --network host`, with the inner
#                     /var/lib/containers (and /var/lib/docker) on a host folder under
#                     /var/tmp (overlay on overlay does not work)
#   5. copy           `git archive HEAD` (or the working tree) into /root/berth; a berth.toml
#                     with ports 25322/25323 (BERTH_CHECK_FRESH_HTTP_PORT/_HTTPS_PORT), not the
#                     host's 25222/25223
#   6. run.sh         `scripts/run.sh` until it prints that Berth is running; its own step
#                     lines (with their seconds) are repeated here
#   7. demo 200       GET http://127.0.0.1:25322/demo/ until 200 (the first request builds the
#                     image and starts the container)
#   (--tests: 6. test.sh, until it exits; 0 is a pass)
#
# Isolation: the container shares the host's network namespace, so the inner podman's default
# network is redefined (/etc/containers/networks/podman.json: bridge berthchk0,
# 10.231.77.0/24, its own id) and the inner dockerd (--tests) gets the bridge berthchkd0
# (10.231.78.0/24) with iptables off: nothing of the host's podman0/docker0 and their rules is
# touched. On exit (also on failure or Ctrl-C) the inner containers are removed, then the
# container, the image and the host folder; the two bridges and any iptables rule left for
# their subnets are deleted. The tarball cache is kept.
#
# Timeouts: BERTH_CHECK_FRESH_TIMEOUT seconds for the whole run (default 3600; 7200 with
# --tests).
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$BERTH_REPO"

MODE=run
FROM="head"
for arg in "$@"; do
  case $arg in
    --tests) MODE=tests ;;
    --worktree) FROM=worktree ;;
    -h|--help) sed -n '2,/^# shellcheck source=/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$arg' (try --help)" ;;
  esac
done
[[ $(id -u) == 0 ]] || die "must run as root (debootstrap, podman --privileged)"

CACHE=${BERTH_CHECK_FRESH_CACHE:-/var/cache/berth-check-fresh}
HTTP_PORT=${BERTH_CHECK_FRESH_HTTP_PORT:-25322}
HTTPS_PORT=${BERTH_CHECK_FRESH_HTTPS_PORT:-25323}
if [[ $MODE == tests ]]; then TIMEOUT=${BERTH_CHECK_FRESH_TIMEOUT:-7200}
else TIMEOUT=${BERTH_CHECK_FRESH_TIMEOUT:-3600}; fi
SUITE=bookworm
INCLUDE=ca-certificates,git
RECIPE_VERSION=1
NAME=berth-check-fresh-$$
IMAGE=localhost/$NAME
PODMAN_BRIDGE=berthchk0
PODMAN_SUBNET=10.231.77
DOCKER_BRIDGE=berthchkd0
DOCKER_SUBNET=10.231.78
MIRROR=$(debian_mirror)
WORK=""
RUNNER=""
for port in "$HTTP_PORT" "$HTTPS_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then die "port $port is in use on this host"; fi
done

# ------------------------------------------------------------------------- phases

PHASES=()
PHASE=""
PHASE_T0=0
begin() { PHASE=$1; PHASE_T0=$SECONDS; log "== $PHASE"; }
end() {
  PHASES+=("$(printf '  %-12s %5ss  %s' "$PHASE" "$((SECONDS - PHASE_T0))" "${1:-}")")
  log "== $PHASE done in $((SECONDS - PHASE_T0))s${1:+ ($1)}"
  PHASE=""
}
print_phases() {
  local p
  echo "check-fresh ($MODE, $FROM): phases"
  for p in "${PHASES[@]}"; do echo "$p"; done
  if [[ -n $PHASE ]]; then printf '  %-12s %5ss  FAILED\n' "$PHASE" "$((SECONDS - PHASE_T0))"; fi
  echo "  total        $((SECONDS - BERTH_START))s"
}

# ------------------------------------------------------------------------ cleanup

inner() { podman exec -i "$NAME" env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root "$@"; }

delete_rules_for() {  # subnet prefix: iptables rules left for it (nat and filter)
  local t rule
  command -v iptables >/dev/null || return 0
  for t in nat filter; do
    iptables -t "$t" -S 2>/dev/null | grep -F -- "$1." | grep '^-A ' | sed 's/^-A /-D /' |
      while read -r rule; do
        eval "iptables -t $t $rule" 2>/dev/null || true
      done
  done
}

cleanup() {
  local rc=$? t0=$SECONDS
  trap - ERR
  set +e
  if [[ -n $RUNNER ]]; then kill "$RUNNER" 2>/dev/null; fi
  if podman container exists "$NAME" 2>/dev/null; then
    log "cleanup: stopping Berth and the inner containers, removing $NAME"
    # Berth first (it would restart a demo container on a request), then the inner containers,
    # so that netavark and dockerd remove their network set-up in the shared namespace.
    # shellcheck disable=SC2016 # expanded by the container's sh, not here
    inner sh -c 'for p in /proc/[0-9]*; do [ "$(cat "$p/comm" 2>/dev/null)" = berth ] && kill -TERM "${p#/proc/}"; done; sleep 2
                 command -v podman >/dev/null && podman rm -a -f -t 2 >/dev/null 2>&1
                 command -v docker >/dev/null && timeout 20 docker ps -aq | xargs -r docker rm -f >/dev/null 2>&1
                 true' >/dev/null 2>&1 </dev/null
    podman rm -f -t 2 "$NAME" >/dev/null 2>&1
  fi
  if podman image exists "$IMAGE" 2>/dev/null; then podman rmi -f "$IMAGE" >/dev/null 2>&1; fi
  local br
  for br in "$PODMAN_BRIDGE" "$DOCKER_BRIDGE"; do
    if ip link show "$br" >/dev/null 2>&1; then ip link delete "$br" 2>/dev/null; fi
  done
  delete_rules_for "$PODMAN_SUBNET"
  delete_rules_for "$DOCKER_SUBNET"
  if [[ -n $WORK && -d $WORK ]]; then
    # debootstrap mounts proc/sys inside its target: never rm -rf through a mount.
    awk -v w="$WORK/" 'index($2, w) == 1 {print $2}' /proc/mounts | sort -r |
      while read -r m; do umount -l "$m" 2>/dev/null; done
    rm -rf --one-file-system "$WORK"
  fi
  log "cleanup done in $((SECONDS - t0))s"
  print_phases
  if ((rc)); then echo "check-fresh: FAILED (exit $rc)"; else echo "check-fresh: PASSED"; fi
  exit "$rc"
}
on_exit cleanup
trap 'exit 130' INT TERM

WORK=$(mktemp -d /var/tmp/berth-check-fresh.XXXXXX)
mkdir -p "$WORK/containers" "$WORK/docker"

# ------------------------------------------------------------------------- 1..5

begin "host tools"
apt_install debootstrap podman zstd curl git iproute2 iptables
end

begin "root"
KEY=$(printf '%s\n' "$RECIPE_VERSION" "$SUITE" minbase "$INCLUDE" "$MIRROR" | sha256sum | cut -c1-16)
TARBALL=$CACHE/$SUITE-minbase-$KEY.tar.zst
if [[ -s $TARBALL ]]; then
  end "cached: $TARBALL"
else
  log "debootstrap --variant=minbase --include=$INCLUDE $SUITE from $MIRROR"
  run_logged debootstrap debootstrap --variant=minbase --include="$INCLUDE" "$SUITE" \
    "$WORK/root" "$MIRROR"
  mkdir -p "$CACHE"
  tar --numeric-owner -C "$WORK/root" --exclude='./dev/*' --exclude='./proc/*' \
    --exclude='./sys/*' -cf - . | zstd -q -1 -T0 -o "$TARBALL.tmp.$$"
  mv -f "$TARBALL.tmp.$$" "$TARBALL"
  find "$CACHE" -maxdepth 1 -name "$SUITE-minbase-*.tar.zst" ! -name "${TARBALL##*/}" -delete
  rm -rf --one-file-system "$WORK/root"
  end "built and cached: $TARBALL"
fi

begin "import"
run_logged podman podman import -q "$TARBALL" "$IMAGE"
end

begin "start"
# PID 1 is bash, which reaps the orphans (conmon double-forks): a zombie conmon would look
# alive to the inner podman.
run_logged podman podman run -d --name "$NAME" --hostname berth-fresh --privileged \
  --network host -v "$WORK/containers:/var/lib/containers" -v "$WORK/docker:/var/lib/docker" \
  "$IMAGE" bash -c 'trap "exit 0" TERM; while :; do sleep 3600 & wait; done'
end

begin "copy"
if [[ $FROM == worktree ]]; then
  REV=$(git stash create)
  REV=${REV:-HEAD}
else
  REV=HEAD
fi
log "git archive $(git rev-parse --short "$REV") ($FROM) into /root/berth"
git archive --format=tar "$REV" | inner sh -c 'mkdir -p /root/berth && tar -xf - -C /root/berth'
NETWORK_ID=$(head -c 32 /dev/urandom | sha256sum | cut -c1-64)
inner sh -c "mkdir -p /etc/containers/networks /etc/docker /root/.berth
cat >/etc/containers/networks/podman.json <<'EOF'
{
  \"name\": \"podman\",
  \"id\": \"$NETWORK_ID\",
  \"driver\": \"bridge\",
  \"network_interface\": \"$PODMAN_BRIDGE\",
  \"created\": \"$(date -u +%Y-%m-%dT%H:%M:%S.000000000Z)\",
  \"subnets\": [{\"subnet\": \"$PODMAN_SUBNET.0/24\", \"gateway\": \"$PODMAN_SUBNET.1\"}],
  \"ipv6_enabled\": false,
  \"internal\": false,
  \"dns_enabled\": false,
  \"ipam_options\": {\"driver\": \"host-local\"}
}
EOF
printf '{\"bridge\": \"$DOCKER_BRIDGE\", \"iptables\": false, \"ip-masq\": false}\n' >/etc/docker/daemon.json
printf '[http]\nport = $HTTP_PORT\n\n[https]\nport = $HTTPS_PORT\n' >/root/.berth/berth.toml"
if [[ $MODE == tests ]]; then
  # dockerd's bridge, made here in the shared network namespace (dockerd wants it to exist).
  ip link add "$DOCKER_BRIDGE" type bridge
  ip addr add "$DOCKER_SUBNET.1/24" dev "$DOCKER_BRIDGE"
  ip link set "$DOCKER_BRIDGE" up
fi
end "ports $HTTP_PORT/$HTTPS_PORT"

# -------------------------------------------------------------------------- 6..7

LOG=$WORK/inside.log
DEADLINE=$((SECONDS + TIMEOUT))
runner_alive() { kill -0 "$RUNNER" 2>/dev/null; }
runner_failed() {  # prints the end of the inner log and dies
  show_tail "the container's $1" "$LOG" 40
  die "$1 failed inside the container (its last lines above)"
}

if [[ $MODE == tests ]]; then
  begin "test.sh"
  inner bash -c 'cd /root/berth && scripts/test.sh' >"$LOG" 2>&1 </dev/null &
  RUNNER=$!
  while runner_alive; do
    ((SECONDS < DEADLINE)) || die "test.sh still runs after ${TIMEOUT}s"
    sleep 5
  done
  if wait "$RUNNER"; then RUNNER=""; else RUNNER=""; runner_failed scripts/test.sh; fi
  grep -E '^\[(test|install-deps|check-shell|test-env)(\.sh)? +[0-9]+s\]|tests passed|tests failed' "$LOG" | sed 's/^/    /' || true
  end "$(grep -Eo '[0-9]+% tests passed, [0-9]+ tests failed out of [0-9]+' "$LOG" | tail -n 1)"
  exit 0
fi

begin "run.sh"
inner bash -c 'cd /root/berth && scripts/run.sh' >"$LOG" 2>&1 </dev/null &
RUNNER=$!
until grep -q 'Berth is running' "$LOG"; do
  runner_alive || { wait "$RUNNER" || true; RUNNER=""; runner_failed scripts/run.sh; }
  ((SECONDS < DEADLINE)) || die "run.sh did not start Berth in ${TIMEOUT}s"
  sleep 2
done
grep -E '^\[(run|install-deps|test-env)(\.sh)? +[0-9]+s\]' "$LOG" | sed 's/^/    /' || true
end

begin "demo 200"
code=000
while :; do
  code=$(curl -s -m 600 -o "$WORK/demo.body" -D "$WORK/demo.headers" -w '%{http_code}' \
    "http://127.0.0.1:$HTTP_PORT/demo/" || true)
  [[ $code == 200 ]] && break
  runner_alive || runner_failed scripts/run.sh
  ((SECONDS < DEADLINE)) || die "/demo/ answers $code, not 200, after ${TIMEOUT}s"
  log "/demo/ answered $code; again in 5 s"
  sleep 5
done
end "$(grep -i '^server-timing:' "$WORK/demo.headers" | tr -d '\r' || true)"
log "body: $(head -c 200 "$WORK/demo.body")"
