#!/usr/bin/env bash
# Bounded libFuzzer runs over Berth's parsers (run by scripts/test.sh): the proxy's request-head
# path (request_check_fuzz: Beast's parser, CheckRequest, the header transform), the
# Starlark parser and evaluator, and templates (template_fuzz: parse and execute with a
# budget). Builds build/fuzz with clang (ASan + UBSan + libFuzzer) and runs each target for
# BERTH_FUZZ_SECONDS (default 30) from a small seed corpus. A crash, a sanitizer report or a
# broken invariant fails the script; the input that did it is kept in build/fuzz/artifacts/.
# Installs clang and its fuzzer runtime when missing (as root).
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$BERTH_REPO"

seconds=${BERTH_FUZZ_SECONDS:-30}
apt_install clang libclang-rt-14-dev
log "configuring and building build/fuzz (clang, libFuzzer)"
run_logged cmake env CXX=clang++ cmake -B build/fuzz -G Ninja -DBERTH_FUZZ=ON -DBERTH_TESTS=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo
targets=(request_check_fuzz starlark_parser_fuzz starlark_eval_fuzz template_fuzz)
run_logged cmake cmake --build build/fuzz --target "${targets[@]}"

corpus=build/fuzz/corpus
mkdir -p "$corpus/request_check_fuzz" "$corpus/starlark_parser_fuzz" "$corpus/starlark_eval_fuzz" \
  "$corpus/template_fuzz" build/fuzz/artifacts
printf 'GET /a/../b?q HTTP/1.1\r\nHost: a.localhost\r\nTransfer-Encoding: chunked\r\n\r\n' \
  >"$corpus/request_check_fuzz/seed-get"
printf 'POST http://h.localhost/p HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 5\r\nVia: 1.1 b\r\n\r\n' \
  >"$corpus/request_check_fuzz/seed-absolute"
# Template seeds: the templates of the Go comparison table (one file each).
python3 - "$corpus/template_fuzz" <<'PY'
import json, sys
for i, c in enumerate(json.load(open("src/template/testdata/go_cases.json"))["cases"]):
    with open(f"{sys.argv[1]}/case-{i}", "w") as f:
        f.write(c["template"])
PY
for spec in appspecs/*/app.star appspecs/*/params.star; do
  [[ -f $spec ]] || continue
  name=$(basename "$(dirname "$spec")")-$(basename "$spec")
  cp "$spec" "$corpus/starlark_parser_fuzz/$name"
  cp "$spec" "$corpus/starlark_eval_fuzz/$name"
done

for t in "${targets[@]}"; do
  log "fuzzing $t for ${seconds}s"
  if ! build/fuzz/"$t" -max_total_time="$seconds" -max_len=4096 -artifact_prefix=build/fuzz/artifacts/ \
      "$corpus/$t" >build/fuzz/"$t".log 2>&1; then
    show_tail "$t" build/fuzz/"$t".log 40
    die "$t found a failing input (kept in build/fuzz/artifacts/)"
  fi
  log "$t: $(grep -o 'Done [0-9]* runs in [0-9]* second(s)' build/fuzz/"$t".log | tail -n 1)"
done
log "fuzzing found nothing"
