#!/usr/bin/env bash
# Runs shellcheck over every shell script of the repository (files named *.sh, and files without
# an extension whose first line is a bash/sh shebang), following sourced files. No warning
# may be left: fix it, or disable it in place with a comment that says why.
# Installs Debian's shellcheck package when it is missing (as root).
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$BERTH_REPO"

if ! command -v shellcheck >/dev/null; then
  [[ $(id -u) == 0 ]] || die "shellcheck is not installed (apt-get install shellcheck)"
  apt_install shellcheck
fi

files=()
while IFS= read -r -d '' f; do
  [[ -f $f ]] || continue
  case ${f##*/} in
    *.sh|*.bash) files+=("$f") ;;
    *.*) ;;
    *) if head -n 1 "$f" | grep -qE '^#!.*[/ ](ba)?sh( |$)'; then files+=("$f"); fi ;;
  esac
done < <(if [[ -d .git || -f .git ]]; then git ls-files -z; else find . -path ./build -prune -o -type f -print0; fi)
((${#files[@]})) || die "no shell script found"

if shellcheck -x -P SCRIPTDIR "${files[@]}"; then
  log "shellcheck: ${#files[@]} scripts, no warnings"
else
  die "shellcheck found problems in the scripts above (fix them, or disable one in place with the reason)"
fi
