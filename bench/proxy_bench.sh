#!/usr/bin/env bash
# proxy_bench.sh: Berth's reverse proxy against nginx's, on loopback, in one run.
#
# What runs:
#   backend  Debian's nginx, 1 worker, `return 200 "hello\n"` (a 6-byte body), access_log off.
#   direct   wrk -> backend (the ceiling: no proxy at all).
#   berth    wrk -> Berth (release build) -> backend. berth.toml: worker_threads = THREADS,
#            [log] access_log = false (the default is true; see BENCH_ACCESS_LOG), one app
#            made with `berth app create --spec proxy --param url=http://127.0.0.1:<backend> - /`.
#   nginx    wrk -> nginx (worker_processes THREADS) -> backend: upstream keepalive 64,
#            proxy_http_version 1.1, Connection "", and the same X-Forwarded-For/Proto/Host
#            headers Berth adds, access_log off. Same work per request as Berth, as far as it
#            can be made the same.
#   With BENCH_HTTPS=1 two more rows: Berth and nginx terminating TLS (the certificate Berth
#   generates for localhost, used by both), still plain HTTP to the backend.
#
# Every target gets a warm-up run (not counted), then a measured run, with the same wrk
# settings: `wrk -t WRK_THREADS -c CONNS -d DURATION`, p50/p99 from wrk's latency histogram
# (a Lua done() hook); any wrk error or non-2xx answer aborts the run. "server CPU" is the CPU
# time the proxy's processes (for direct: the backend's) used during the measured run, from
# /proc/PID/task/*/schedstat, divided by the requests: the cost of one request, which stays
# meaningful on a machine shared with other work, where req/s mostly measures the scheduler.
# With BENCH_ROUNDS > 1 the targets are measured in turn, round after round, and each cell
# shows the median and [min-max].
#
# CPU placement (BENCH_PIN, default auto): with THREADS proxy workers on an N-core machine
# where THREADS < N, the proxy under test is pinned (taskset) to the last THREADS cores and
# wrk plus the backend to the others, so the proxy has its cores to itself and the number
# measures the proxy rather than the scheduler. On 2 cores: proxy on CPU 1, wrk + backend on
# CPU 0. BENCH_PIN=0 turns pinning off.
#
# Settings (environment):
#   BENCH_THREADS=1       Berth worker_threads and nginx worker_processes
#   BENCH_CONNS=64        wrk connections
#   BENCH_WRK_THREADS=1   wrk threads
#   BENCH_DURATION=8      seconds per measured run
#   BENCH_WARMUP=2        seconds of warm-up per target and round
#   BENCH_ROUNDS=1        rounds
#   BENCH_HTTPS=0         1: also measure HTTPS (Berth and nginx)
#   BENCH_ACCESS_LOG=0    1: also measure Berth with its access log on (a second Berth)
#   BENCH_PIN=auto        see above
#   BENCH_BUILD=1         0: use build/release/berth as it is, do not (re)build
#   BERTH_BINARY          a berth binary to measure instead of build/release/berth
#   BERTH_COMPARE         another berth binary (say, a copy of main's build): adds a row for
#                         it, measured in the same rounds, and a berth / compare ratio. The way
#                         to see what a change is worth on a noisy machine.
#
# Needs: wrk, nginx (scripts/install-deps.sh installs both), curl, taskset (util-linux).
# Run as root or as a user who may start nginx on a high port (nginx is started with its own
# prefix and config in a temp dir; nothing of the system's nginx is used or touched).
# A failing step ends the run with a line naming it (scripts/lib/common.sh).
# shellcheck source=../scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/common.sh"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
THREADS=${BENCH_THREADS:-1}
CONNS=${BENCH_CONNS:-64}
WRK_THREADS=${BENCH_WRK_THREADS:-1}
DURATION=${BENCH_DURATION:-8}
WARMUP=${BENCH_WARMUP:-2}
ROUNDS=${BENCH_ROUNDS:-1}
HTTPS=${BENCH_HTTPS:-0}
ACCESS_LOG=${BENCH_ACCESS_LOG:-0}
PIN=${BENCH_PIN:-auto}
BUILD=${BENCH_BUILD:-1}
BERTH=${BERTH_BINARY:-$ROOT/build/release/berth}
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

log() { echo "proxy_bench: $*" >&2; }
die() { log "$*"; exit 1; }

for tool in wrk curl; do command -v "$tool" >/dev/null || die "$tool is missing (scripts/install-deps.sh)"; done
[[ -x $NGINX ]] || die "nginx is missing (scripts/install-deps.sh)"

# ---- Build.
if [[ $BUILD == 1 && -z ${BERTH_BINARY:-} ]]; then
  log "building the release preset"
  (cd "$ROOT" && cmake --preset release >/dev/null && cmake --build --preset release -j2 --target berth >/dev/null) ||
    die "release build failed"
fi
[[ -x $BERTH ]] || die "no berth binary at $BERTH"

# ---- CPU placement.
NCPU=$(nproc)
PROXY_CPUS="" LOAD_CPUS=""
if [[ $PIN != 0 ]] && command -v taskset >/dev/null && ((THREADS < NCPU)); then
  PROXY_CPUS="$((NCPU - THREADS))-$((NCPU - 1))"
  LOAD_CPUS="0-$((NCPU - THREADS - 1))"
elif [[ $PIN == 1 ]]; then
  die "BENCH_PIN=1 needs taskset and fewer BENCH_THREADS ($THREADS) than cores ($NCPU)"
fi
# Command prefixes that pin what follows (empty when not pinning); taskset execs the command,
# so $! of a backgrounded "${PIN_PROXY[@]}" cmd & is the command's own pid.
PIN_PROXY=() PIN_LOAD=()
if [[ -n $PROXY_CPUS ]]; then
  PIN_PROXY=(taskset -c "$PROXY_CPUS")
  PIN_LOAD=(taskset -c "$LOAD_CPUS")
fi

# ---- Temp dir and cleanup: every process started here is killed on exit.
TMP=$(mktemp -d /tmp/berth-bench.XXXXXX)
chmod 755 "$TMP"  # nginx workers run as an unprivileged user
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$TMP"
}
on_exit cleanup
trap 'exit 130' INT TERM

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
  local p
  for _ in $(seq 100); do
    p=$((20000 + RANDOM % 30000))
    port_in_use "$p" || { echo "$p"; return; }
  done
  die "no free port found"
}
wait_http() {  # wait_http URL [curl args...]: until it answers 200, 10 s at most
  local url=$1
  shift
  for _ in $(seq 100); do
    curl -sf -o /dev/null "$@" "$url" && return 0
    sleep 0.1
  done
  return 1
}

# start_nginx NAME PROXY|LOAD WORKERS CONF_BODY: nginx with its own prefix in $TMP/NAME,
# listening where CONF_BODY says @PORT@, on the proxy's or the load's CPUs; sets NGINX_PORT
# and NGINX_PID.
start_nginx() {
  local name=$1 workers=$3 body=$4 dir="$TMP/$1" port pin
  if [[ $2 == PROXY ]]; then pin=("${PIN_PROXY[@]}"); else pin=("${PIN_LOAD[@]}"); fi
  for attempt in 1 2 3; do
    port=$(free_port)
    mkdir -p "$dir/logs"
    cat >"$dir/nginx.conf" <<EOF
daemon off;
worker_processes $workers;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
worker_rlimit_nofile 65536;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/client_body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  keepalive_requests 1000000;
  keepalive_timeout 75s;
${body//@PORT@/$port}
}
EOF
    "${pin[@]}" "$NGINX" -p "$dir" -e "$dir/logs/error.log" -c "$dir/nginx.conf" \
      >"$dir/logs/stdout" 2>&1 &
    PIDS+=($!)
    local pid=$!
    if wait_http "http://127.0.0.1:$port/"; then
      NGINX_PORT=$port
      NGINX_PID=$pid
      return 0
    fi
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    log "nginx $name did not start on port $port (attempt $attempt): $(tail -3 "$dir/logs/error.log" 2>/dev/null)"
  done
  die "cannot start nginx $name"
}

# ---- Backend.
start_nginx backend LOAD 1 "$(cat <<'EOF'
  server {
    listen 127.0.0.1:@PORT@ backlog=4096;
    location / { default_type text/plain; return 200 "hello\n"; }
  }
EOF
)"
BACKEND_PORT=$NGINX_PORT
BACKEND_PID=$NGINX_PID
[[ $(curl -s "http://127.0.0.1:$BACKEND_PORT/") == hello ]] || die "backend does not answer hello"

# ---- Berth. start_berth NAME ACCESS_LOG [BINARY]: sets BERTH_HTTP_PORT, BERTH_HTTPS_PORT and
# BERTH_PID.
start_berth() {
  local name=$1 access=$2 bin=${3:-$BERTH} home="$TMP/$1" https_port=-1
  [[ $HTTPS == 1 ]] && https_port=0
  mkdir -p "$home"
  cat >"$home/berth.toml" <<EOF
[system]
worker_threads = $THREADS
container_command = ""
[http]
port = 0
[https]
host = "127.0.0.1"
port = $https_port
[log]
access_log = $access
EOF
  BERTH_HOME=$home "${PIN_PROXY[@]}" "$bin" server start >"$home/server.out" 2>&1 &
  PIDS+=($!)
  local pid=$!
  BERTH_PID=$pid
  for _ in $(seq 200); do
    [[ -f $home/run/server.json ]] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  [[ -f $home/run/server.json ]] || die "berth did not start: $(cat "$home/server.out")"
  local info
  info=$(cat "$home/run/server.json")
  BERTH_HTTP_PORT=$(sed -E 's/.*"http_port": *([0-9-]+).*/\1/' <<<"$info")
  BERTH_HTTPS_PORT=$(sed -E 's/.*"https_port": *([0-9-]+).*/\1/' <<<"$info")
  BERTH_HOME=$home "$bin" app create --spec proxy --approve \
    --param "url=http://127.0.0.1:$BACKEND_PORT" - / >"$home/create.out" 2>&1 ||
    die "berth app create failed: $(cat "$home/create.out")"
  wait_http "http://127.0.0.1:$BERTH_HTTP_PORT/" || die "berth does not proxy: $(tail "$home/logs/berth.log")"
  [[ $(curl -s "http://127.0.0.1:$BERTH_HTTP_PORT/") == hello ]] || die "berth does not proxy hello"
}
start_berth berth false
BERTH_PORT=$BERTH_HTTP_PORT
BERTH_TLS_PORT=$BERTH_HTTPS_PORT
BERTH_MAIN_PID=$BERTH_PID
if [[ $ACCESS_LOG == 1 ]]; then
  start_berth berth-log true
  BERTH_LOG_PORT=$BERTH_HTTP_PORT
  BERTH_LOG_PID=$BERTH_PID
fi
if [[ -n ${BERTH_COMPARE:-} ]]; then
  [[ -x $BERTH_COMPARE ]] || die "no berth binary at BERTH_COMPARE=$BERTH_COMPARE"
  start_berth berth-compare false "$BERTH_COMPARE"
  BERTH_COMPARE_PORT=$BERTH_HTTP_PORT
  BERTH_COMPARE_PID=$BERTH_PID
fi

# ---- nginx as a keep-alive reverse proxy (and TLS terminator with BENCH_HTTPS=1).
tls_server=""
if [[ $HTTPS == 1 ]]; then
  CERTS="$TMP/berth/config/certs"
  [[ -f $CERTS/default.crt ]] || die "berth made no certificate in $CERTS"
  NGINX_TLS_PORT=$(free_port)
  tls_server="
  server {
    listen 127.0.0.1:$NGINX_TLS_PORT ssl backlog=4096;
    ssl_certificate $CERTS/default.crt;
    ssl_certificate_key $CERTS/default.key;
    location / { include $TMP/proxy.inc; }
  }"
fi
cat >"$TMP/proxy.inc" <<EOF
proxy_pass http://backend;
proxy_http_version 1.1;
proxy_set_header Connection "";
proxy_set_header Host \$proxy_host;
proxy_set_header X-Forwarded-For \$remote_addr;
proxy_set_header X-Forwarded-Proto \$scheme;
proxy_set_header X-Forwarded-Host \$http_host;
EOF
start_nginx nginx-proxy PROXY "$THREADS" "
  upstream backend {
    server 127.0.0.1:$BACKEND_PORT;
    keepalive 64;
  }
  server {
    listen 127.0.0.1:@PORT@ backlog=4096;
    location / { include $TMP/proxy.inc; }
  }$tls_server"
NGINX_PROXY_PORT=$NGINX_PORT
NGINX_PROXY_PID=$NGINX_PID
[[ $(curl -s "http://127.0.0.1:$NGINX_PROXY_PORT/") == hello ]] || die "nginx proxy does not proxy hello"
if [[ $HTTPS == 1 ]]; then
  [[ $(curl -sk "https://127.0.0.1:$BERTH_TLS_PORT/") == hello ]] || die "berth https does not proxy hello"
  [[ $(curl -sk "https://127.0.0.1:$NGINX_TLS_PORT/") == hello ]] || die "nginx https does not proxy hello"
fi

# ---- wrk.
cat >"$TMP/report.lua" <<'EOF'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout))
end
EOF

TARGETS=(direct berth nginx)
declare -A URL=(
  [direct]="http://127.0.0.1:$BACKEND_PORT/"
  [berth]="http://127.0.0.1:$BERTH_PORT/"
  [nginx]="http://127.0.0.1:$NGINX_PROXY_PORT/"
)
declare -A LABEL=([direct]="direct (backend)" [berth]="berth" [nginx]="nginx proxy")
if [[ -n ${BERTH_COMPARE:-} ]]; then
  TARGETS=(direct berth compare nginx)
  URL[compare]="http://127.0.0.1:$BERTH_COMPARE_PORT/"
  LABEL[compare]="berth (BERTH_COMPARE)"
fi
if [[ $ACCESS_LOG == 1 ]]; then
  TARGETS+=(berth_log)
  URL[berth_log]="http://127.0.0.1:$BERTH_LOG_PORT/"
  LABEL[berth_log]="berth, access log on"
fi
if [[ $HTTPS == 1 ]]; then
  TARGETS+=(berth_tls nginx_tls)
  URL[berth_tls]="https://127.0.0.1:$BERTH_TLS_PORT/"
  URL[nginx_tls]="https://127.0.0.1:$NGINX_TLS_PORT/"
  LABEL[berth_tls]="berth https"
  LABEL[nginx_tls]="nginx proxy https"
fi

# The processes that serve each target, whose CPU time is charged to it: the proxy (Berth, or
# nginx's master and workers); for "direct", the backend.
with_children() {  # with_children PID: PID and its children's pids
  echo "$1"
  awk -v p="$1" '$4 == p { print $1 }' /proc/[0-9]*/stat 2>/dev/null || true
}
declare -A SERVER_PIDS=(
  [direct]="$(with_children "$BACKEND_PID")"
  [berth]="$BERTH_MAIN_PID"
  [nginx]="$(with_children "$NGINX_PROXY_PID")"
  [berth_tls]="$BERTH_MAIN_PID"
  [nginx_tls]="$(with_children "$NGINX_PROXY_PID")"
  [berth_log]="${BERTH_LOG_PID:-}"
  [compare]="${BERTH_COMPARE_PID:-}"
)
cpu_ns() {  # cpu_ns PIDS...: the CPU time all their threads have used, in ns (schedstat)
  local p total=0 t
  for p in "$@"; do
    for t in /proc/"$p"/task/*/schedstat; do
      [[ -r $t ]] && total=$((total + $(cut -d' ' -f1 "$t")))
    done
  done
  echo "$total"
}

declare -A RPS P50 P99 CPU
run_wrk() {  # run_wrk TARGET SECONDS: prints "requests duration_us p50_us p99_us errors"
  "${PIN_LOAD[@]}" wrk -t "$WRK_THREADS" -c "$CONNS" -d "${2}s" -s "$TMP/report.lua" "${URL[$1]}" |
    awk '$1 == "BENCH" { print $2, $3, $4, $5, $6 }'
}

log "backend :$BACKEND_PORT, berth :$BERTH_PORT, nginx proxy :$NGINX_PROXY_PORT;" \
  "threads $THREADS, wrk -t$WRK_THREADS -c$CONNS -d${DURATION}s, rounds $ROUNDS," \
  "proxy cpus ${PROXY_CPUS:-any}, wrk+backend cpus ${LOAD_CPUS:-any}"
for round in $(seq "$ROUNDS"); do
  for t in "${TARGETS[@]}"; do
    ((WARMUP > 0)) && run_wrk "$t" "$WARMUP" >/dev/null
    # shellcheck disable=SC2086
    cpu0=$(cpu_ns ${SERVER_PIDS[$t]})
    read -r n us p50 p99 errors < <(run_wrk "$t" "$DURATION")
    # shellcheck disable=SC2086
    cpu1=$(cpu_ns ${SERVER_PIDS[$t]})
    [[ -n ${n:-} ]] || die "wrk printed no result for $t"
    ((errors == 0)) || die "$t: $errors wrk errors (connect/read/write/non-2xx/timeout)"
    RPS[$t]+="$((n * 1000000 / us)) "
    P50[$t]+="$p50 "
    P99[$t]+="$p99 "
    CPU[$t]+="$(((cpu1 - cpu0) / n)) "
    log "round $round: $t $((n * 1000000 / us)) req/s, p50 ${p50}us, p99 ${p99}us," \
      "server CPU $(((cpu1 - cpu0) / n)) ns/req"
  done
done

# ---- Table.
median() { tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
spread() { tr ' ' '\n' <<<"$1" | grep . | sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print lo, hi }'; }
ms() { awk -v u="$1" 'BEGIN { printf "%.2f ms", u / 1000 }'; }
cell() {  # cell VALUES KIND: the median, and [min-max] when there are several rounds
  local m lo hi
  m=$(median "$1")
  read -r lo hi < <(spread "$1")
  if [[ $2 == rps ]]; then
    printf "%d" "$m"
    ((ROUNDS > 1)) && printf " [%d-%d]" "$lo" "$hi"
  elif [[ $2 == cpu ]]; then
    awk -v n="$m" 'BEGIN { printf "%.1f", n / 1000 }'
    ((ROUNDS > 1)) && awk -v a="$lo" -v b="$hi" 'BEGIN { printf " [%.1f-%.1f]", a / 1000, b / 1000 }'
  else
    printf "%s" "$(ms "$m")"
    ((ROUNDS > 1)) && printf " [%s-%s]" "$(ms "$lo" | cut -d' ' -f1)" "$(ms "$hi" | cut -d' ' -f1)"
  fi
  return 0
}
ratio() { awk -v a="$(median "$1")" -v b="$(median "$2")" 'BEGIN { printf "%.2f", a / b }'; }

echo
echo "Berth proxy benchmark: $(date -u +%Y-%m-%dT%H:%MZ), $NCPU cores, threads=$THREADS," \
  "wrk -t$WRK_THREADS -c$CONNS -d${DURATION}s, rounds=$ROUNDS, proxy cpus ${PROXY_CPUS:-any}"
echo
echo "| target | req/s | p50 | p99 | server CPU µs/req |"
echo "|---|---:|---:|---:|---:|"
for t in "${TARGETS[@]}"; do
  echo "| ${LABEL[$t]} | $(cell "${RPS[$t]}" rps) | $(cell "${P50[$t]}" lat) | $(cell "${P99[$t]}" lat) | $(cell "${CPU[$t]}" cpu) |"
done
echo
echo "| ratio (medians) | req/s | p50 | p99 | server CPU/req |"
echo "|---|---:|---:|---:|---:|"
ratio_row() {  # ratio_row LABEL A B
  echo "| $1 | $(ratio "${RPS[$2]}" "${RPS[$3]}") | $(ratio "${P50[$2]}" "${P50[$3]}") |" \
    "$(ratio "${P99[$2]}" "${P99[$3]}") | $(ratio "${CPU[$2]}" "${CPU[$3]}") |"
}
ratio_row "berth / nginx proxy" berth nginx
ratio_row "berth / direct" berth direct
ratio_row "nginx proxy / direct" nginx direct
[[ $HTTPS == 1 ]] && ratio_row "berth https / nginx https" berth_tls nginx_tls
[[ -n ${BERTH_COMPARE:-} ]] && ratio_row "berth / berth (BERTH_COMPARE)" berth compare
[[ $ACCESS_LOG == 1 ]] && ratio_row "berth access log on / off" berth_log berth
echo
echo "server CPU: CPU time of the proxy's processes (for direct: the backend's) during the" \
  "measured run, per request; steadier than req/s on a busy machine."
