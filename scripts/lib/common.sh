# shellcheck shell=bash
# scripts/lib/common.sh: sourced first by every script under scripts/ and bench/, so that no
# script can exit non-zero without saying which step failed.
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"   (bench/: ../scripts/lib/common.sh)
#
# What it sets up:
#   set -Eeuo pipefail and an ERR trap: a failing command that ends the script prints
#     "<script>: FAILED (exit N) at <file>:<line> in <function>: <command>" on stderr.
#     (A failure inside $(...) or a background job prints one line there and one for the
#     command that contained it.)
#   on_exit CMD      runs CMD at exit; use it instead of `trap CMD EXIT`
#   log MSG...       "[<script> <seconds>s] MSG" on stderr (seconds since the script started)
#   warn MSG...      "<script>: WARNING: MSG" on stderr
#   die MSG...       "<script>: ERROR: MSG" on stderr, exit 1
#   run_logged TOOL CMD...
#                    runs CMD with its output in a temporary log; on success the log is
#                    deleted and nothing is printed; on failure prints
#                    "<script>: TOOL failed (exit N): CMD", the last 20 lines of the log and
#                    its path, and returns N. TOOL names what failed: apt, podman, dockerd,
#                    debootstrap, ... BERTH_VERBOSE=1 also copies the output to stderr.
#                    CMD may be a shell function: it runs with `set -e` unless run_logged
#                    itself is called on the left of || or && (bash ignores -e there).
#   apt_install PKG...
#                    installs the packages that are not installed yet (apt-get, no
#                    recommends, waits up to 10 min for another apt's lock); runs
#                    `apt-get update` first unless one of these scripts ran it less than
#                    30 min ago (stamp /run/berth-apt-updated). The .deb files it
#                    downloads are deleted once installed (the build packages and
#                    clang take about 1.5 GB, and a CI machine's disk may be small).
#                    A failure names apt and shows apt's last lines.
#   debian_mirror    prints the Debian mirror of this machine's apt configuration (see there).
#   show_tail TOOL FILE [N]
#                    "--- last N lines of TOOL's output (FILE) ---" and those lines, on stderr.

set -Eeuo pipefail

BERTH_SCRIPT=${BERTH_SCRIPT:-$(basename "$0")}
BERTH_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BERTH_START=${BERTH_START:-$SECONDS}
_BERTH_REPORTED=""
_BERTH_EXITING=0

_berth_on_err() {
  local rc=$1 line=$2 cmd=$3
  ((_BERTH_EXITING == 0)) || return 0   # a cleanup returning the script's status
  # run_logged said it already (the trap then fires in its caller, for its return).
  if [[ $_BERTH_REPORTED == "$BASH_SUBSHELL:${FUNCNAME[1]:-main}" ]]; then
    _BERTH_REPORTED=""
    return 0
  fi
  _BERTH_REPORTED=""
  local where=${BASH_SOURCE[1]:-$0} fn=${FUNCNAME[1]:-main}
  [[ $fn == main ]] && fn="" || fn=" in $fn()"
  printf '%s: FAILED (exit %d) at %s:%d%s: %s\n' "$BERTH_SCRIPT" "$rc" \
    "${where#"$BERTH_REPO/"}" "$line" "$fn" "$cmd" >&2
}
trap '_berth_on_err $? "$LINENO" "$BASH_COMMAND"' ERR

# on_exit CMD: runs CMD at exit (use it instead of `trap CMD EXIT`); from then on the ERR trap
# is quiet, so a cleanup that returns the script's status reports no second failure.
# CMD sees the script's exit status in $? and runs without `set -e` (a cleanup goes on).
on_exit() {
  _BERTH_ON_EXIT=$1
  trap '_berth_on_exit $?' EXIT
}
_berth_status() { return "$1"; }
_berth_on_exit() {
  _BERTH_EXITING=1
  set +e
  _berth_status "$1"   # so that CMD's first $? is the exit status
  eval "$_BERTH_ON_EXIT"
}

log() { printf '[%s %4ss] %s\n' "$BERTH_SCRIPT" "$((SECONDS - BERTH_START))" "$*" >&2; }
warn() { printf '%s: WARNING: %s\n' "$BERTH_SCRIPT" "$*" >&2; }
die() { printf '%s: ERROR: %s\n' "$BERTH_SCRIPT" "$*" >&2; exit 1; }

show_tail() {  # tool, file, [lines]
  local n=${3:-20}
  printf -- '--- last %d lines of %s output (%s) ---\n' "$n" "$1" "$2" >&2
  tail -n "$n" "$2" 2>/dev/null | sed 's/^/  | /' >&2 || true
  printf -- '---\n' >&2
}

run_logged() {  # tool, command...
  local tool=$1 out rc=0; shift
  out=$(mktemp "${TMPDIR:-/tmp}/berth-$tool.XXXXXX.log")
  # In the background and waited for: a shell function given as the command keeps `set -e`
  # (it would not on the left of `||`). <&0: a background job's stdin is /dev/null otherwise.
  if [[ ${BERTH_VERBOSE:-0} == 1 ]]; then
    "$@" <&0 > >(tee "$out" >&2) 2>&1 &
  else
    "$@" <&0 >"$out" 2>&1 &
  fi
  wait $! || rc=$?
  if ((rc == 0)); then rm -f "$out"; return 0; fi
  printf '%s: %s failed (exit %d): %s\n' "$BERTH_SCRIPT" "$tool" "$rc" "$*" >&2
  show_tail "$tool" "$out" 20
  _BERTH_REPORTED="$BASH_SUBSHELL:${FUNCNAME[1]:-main}"   # the caller's ERR trap stays quiet
  return "$rc"
}

dpkg_installed() {  # package: is it installed?
  [[ $(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true) == installed ]]
}

apt_install() {  # packages...
  local missing=() p
  for p in "$@"; do dpkg_installed "$p" || missing+=("$p"); done
  ((${#missing[@]})) || return 0
  export DEBIAN_FRONTEND=noninteractive
  local lock=(-o DPkg::Lock::Timeout=600)
  # apt-get update keeps the mtime of unchanged lists, so its age is kept in a stamp of ours.
  local stamp=/run/berth-apt-updated
  if [[ -z $(find "$stamp" -mmin -30 2>/dev/null) ]] ||
     [[ -z $(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' 2>/dev/null | head -n 1) ]]; then
    log "apt-get update"
    run_logged apt apt-get update -q "${lock[@]}" || return
    touch "$stamp"
  fi
  log "apt-get install ${missing[*]}"
  run_logged apt apt-get install -y -q --no-install-recommends "${lock[@]}" \
    -o APT::Keep-Downloaded-Packages=false -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}"
}

# The Debian mirror of this machine's apt configuration: the first URI of an enabled deb822
# stanza in /etc/apt/sources.list.d/*.sources whose Types has `deb` and Suites has bookworm
# (or any Debian suite), else the first such `deb` line of /etc/apt/sources.list and
# /etc/apt/sources.list.d/*.list; http://deb.debian.org/debian when none is found.
# BERTH_DEBIAN_MIRROR overrides it.
debian_mirror() {
  if [[ -n ${BERTH_DEBIAN_MIRROR:-} ]]; then echo "$BERTH_DEBIAN_MIRROR"; return 0; fi
  local m="" f
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -r $f ]] || continue
    m=$(awk '
      function flush() {
        if (deb && debian && enabled && uri != "") { print uri; found = 1; exit }
        deb = 0; debian = 0; enabled = 1; uri = ""
      }
      BEGIN { enabled = 1 }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      tolower($1) == "types:" { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1 }
      tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i ~ /^(bookworm|stable)$/) debian = 1 }
      tolower($1) == "enabled:" { if (tolower($2) == "no") enabled = 0 }
      tolower($1) == "uris:" { uri = $2 }
      END { if (!found) flush() }' "$f")
    [[ -n $m ]] && break
  done
  if [[ -z $m ]]; then
    m=$({ cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true; } |
      awk '$1 == "deb" { i = 2; if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
                         if ($(i + 1) ~ /^(bookworm|stable)$/) { print $i; exit } }')
  fi
  echo "${m:-http://deb.debian.org/debian}"
}
