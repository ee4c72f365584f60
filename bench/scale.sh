#!/usr/bin/env bash
# scale.sh: Berth with N apps on one server: list, create, restart, memory and proxying.
#
#   bench/scale.sh [N]          N apps (default 1000; 10000 for the full run)
#
# What it does, on loopback, in a temp dir it removes on exit:
#   backend  Debian's nginx, 1 worker, `return 200 "hello\n"` to every request.
#   berth    the release build (build/release/berth) on a temporary BERTH_HOME: HTTP on a free
#            port, HTTPS off (port -1), containers off (container_command = ""), access log off.
#   create   N `proxy` apps /a1 .. /aN (each with its stage twin: 2N rows), one
#            `berth app create --spec proxy --approve --param url=<backend> - /aI` process per
#            app, as a user would: all but the last 100 SCALE_PARALLEL (2) at a time, the last
#            100 one at a time. Every call is timed from the shell ($EPOCHREALTIME around the
#            process, so it includes the CLI's start): the average over all calls (inflated by
#            the parallel ones on a small machine) and over the last 100 (one create at a time,
#            at about N apps).
#   list     `berth app list -f json` (all apps) and `berth app list /a<N/2>` (one app), each
#            SCALE_LIST_RUNS (5) times: the median wall time of the CLI process.
#   floor    /bin/true started and timed the same way: what starting any process from this shell
#            costs (fork and exec; several ms on a small VM), included in every wall time.
#   rss      the server's VmRSS (/proc/PID/status) after the creates (and, with SCALE_VERSIONS,
#            after the updates), and after the restart.
#   restart  SIGTERM, wait for the exit, start again: the time from the new process's start
#            until /a1/ answers 200 through it (curl polling every 10 ms).
#   req/s    wrk -t1 -c64 -d SCALE_WRK_SECS (5) s to /a1/, /a<N/2>/ and /a<N>/ after a 1 s
#            warm-up each: is routing as fast for the last app as for the first.
#   db       the size of the SQLite database (with its WAL) at the end.
# It prints a markdown table of these: wall times, and for the server's part the CPU time its
# threads used (/proc/PID/task/*/schedstat; per call for list and create, from the process's
# start for the restart), which stays meaningful on a machine busy with other work.
#
# Settings (environment):
#   SCALE_PARALLEL=2      concurrent `app create` processes
#   SCALE_LIST_RUNS=5     runs of each list measurement
#   SCALE_WRK_SECS=5      seconds of each wrk run (0: skip the req/s rows)
#   SCALE_VERSIONS=1      versions per app: after the creates, SCALE_VERSIONS-1 calls of
#                         `berth param update SCALE_V <v> all --promote` (each a new version of
#                         every prod app and of its stage twin), timed, before the lists
#   SCALE_DISTINCT=0      1: every app also gets its own param (APP_N=<i>), so no two apps
#                         have equal metadata (as apps made one by one by hand): the memory
#                         then includes one metadata per app (shared with its stage twin only)
#   BENCH_BUILD=1         0: use build/release/berth as it is, do not (re)build
#   BERTH_BINARY          a berth binary to measure instead of build/release/berth
#   SCALE_SEED_BINARY     another berth binary (say, a faster build) whose server takes the
#                         parallel creates; the measured binary's server then starts on the same
#                         home for the last 100 creates and everything after. Measures a slow
#                         binary at N apps without waiting for its own N creates (the row of the
#                         average over all creates is then the seed's). Both must use the same
#                         database schema.
#   SCALE_SEED=cli        api: the parallel creates (all but the last 100) are posted by one
#                         python3 process to the admin API (POST /api/v1/apps/create on
#                         run/berth.sock), SCALE_PARALLEL connections at a time, instead of one
#                         CLI process each: the same server work without N process starts, for
#                         10000 apps on a busy machine. The last 100 are still CLI calls.
#
# Needs: wrk and nginx (scripts/install-deps.sh), curl. Takes about 2 minutes for 1000 apps on
# 2 cores; 10000 apps take about as many seconds as the creates cost (10000 x create time / 2).
# shellcheck source=../scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/common.sh"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N=${1:-1000}
PARALLEL=${SCALE_PARALLEL:-2}
LIST_RUNS=${SCALE_LIST_RUNS:-5}
WRK_SECS=${SCALE_WRK_SECS:-5}
VERSIONS=${SCALE_VERSIONS:-1}
DISTINCT=${SCALE_DISTINCT:-0}
BUILD=${BENCH_BUILD:-1}
BERTH=${BERTH_BINARY:-$ROOT/build/release/berth}
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

if ! [[ $N =~ ^[0-9]+$ ]] || ((N < 1)); then die "N must be a positive number, got '$N'"; fi
command -v curl >/dev/null || die "curl is missing"
[[ -x $NGINX ]] || die "nginx is missing (scripts/install-deps.sh)"
((WRK_SECS == 0)) || command -v wrk >/dev/null || die "wrk is missing (scripts/install-deps.sh)"

# ---- Build.
if [[ $BUILD == 1 && -z ${BERTH_BINARY:-} ]]; then
  log "building the release preset"
  (cd "$ROOT" && cmake --preset release >/dev/null && cmake --build --preset release -j2 --target berth >/dev/null) ||
    die "release build failed"
fi
[[ -x $BERTH ]] || die "no berth binary at $BERTH"

# ---- Temp dir and cleanup: every process started here is killed on exit.
TMP=$(mktemp -d /tmp/berth-scale.XXXXXX)
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
# stamp VAR: the time now in microseconds, into VAR. No command substitution: a subshell's fork
# costs several ms on a small VM and would be counted in every timed call.
stamp() { local t=${EPOCHREALTIME/./}; printf -v "$1" '%d' "$((10#$t))"; }
ms() { awk -v u="$1" 'BEGIN { printf "%.1f ms", u / 1000 }'; }
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
rss_kb() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status"; }
cpu_us() {  # cpu_us PID: the CPU time all of PID's threads have used, in us (schedstat)
  local t total=0
  for t in /proc/"$1"/task/*/schedstat; do
    [[ -r $t ]] && total=$((total + $(cut -d' ' -f1 "$t")))
  done
  echo $((total / 1000))
}

# ---- Backend: nginx answering hello.
BACKEND_PORT=$(free_port)
mkdir -p "$TMP/nginx/logs"
cat >"$TMP/nginx/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $TMP/nginx/client_body;
  proxy_temp_path $TMP/nginx/proxy;
  fastcgi_temp_path $TMP/nginx/fastcgi;
  uwsgi_temp_path $TMP/nginx/uwsgi;
  scgi_temp_path $TMP/nginx/scgi;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$BACKEND_PORT backlog=4096;
    location / { default_type text/plain; return 200 "hello\n"; }
  }
}
EOF
"$NGINX" -p "$TMP/nginx" -e "$TMP/nginx/logs/error.log" -c "$TMP/nginx/nginx.conf" \
  >"$TMP/nginx/logs/stdout" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$BACKEND_PORT/" && break; sleep 0.1; done
[[ $(curl -s "http://127.0.0.1:$BACKEND_PORT/") == hello ]] || die "the nginx backend does not answer"

# ---- Berth.
HOME_DIR="$TMP/berth"
HTTP_PORT=$(free_port)
mkdir -p "$HOME_DIR"
cat >"$HOME_DIR/berth.toml" <<EOF
[system]
worker_threads = 1
container_command = ""
[http]
host = "127.0.0.1"
port = $HTTP_PORT
[https]
host = "127.0.0.1"
port = -1
[log]
access_log = false
EOF
export BERTH_HOME=$HOME_DIR
BERTH_PID=""
start_berth() {  # start_berth BINARY: starts the server, sets BERTH_PID and START_US (its start time)
  stamp START_US
  "$1" server start >>"$HOME_DIR/server.out" 2>&1 &
  BERTH_PID=$!
  PIDS+=("$BERTH_PID")
}
wait_app() {  # wait_app PATH: polls every 10 ms (20 s at most) until PATH answers 200
  for _ in $(seq 2000); do
    curl -sf -o /dev/null "http://127.0.0.1:$HTTP_PORT$1" && return 0
    kill -0 "$BERTH_PID" 2>/dev/null || die "berth exited: $(tail -5 "$HOME_DIR/server.out")"
    sleep 0.01
  done
  die "$1 did not answer through berth in 20 s: $(tail -5 "$HOME_DIR/server.out")"
}
SEED=${SCALE_SEED_BINARY:-$BERTH}
[[ -x $SEED ]] || die "no berth binary at SCALE_SEED_BINARY=$SEED"
start_berth "$SEED"
for _ in $(seq 200); do
  [[ -f $HOME_DIR/run/server.json ]] && break
  kill -0 "$BERTH_PID" 2>/dev/null || break
  sleep 0.05
done
[[ -f $HOME_DIR/run/server.json ]] || die "berth did not start: $(cat "$HOME_DIR/server.out")"

# ---- Create N apps: all but the last 100 by PARALLEL workers (worker W creates apps W+1,
# W+1+PARALLEL, ...), then the last 100 one at a time, so that their average is the latency of
# one create at about N apps with nothing else running. Each call's time in microseconds goes
# to $TMP/create.W as "I US".
URL="http://127.0.0.1:$BACKEND_PORT"
LAST=$((N > 100 ? N - 100 : 0))
create_worker() {  # create_worker W FIRST LAST STEP
  local w=$1 i t0 t1
  for ((i = $2; i <= $3; i += $4)); do
    stamp t0
    local own=()
    ((DISTINCT == 1)) && own=(--param "APP_N=$i")
    "$BERTH" app create --spec proxy --approve --param "url=$URL" "${own[@]}" - "/a$i" >/dev/null 2>"$TMP/create.err.$w" ||
      { echo "app create /a$i failed: $(cat "$TMP/create.err.$w")" >&2; return 1; }
    stamp t1
    echo "$i $((t1 - t0))"
  done >"$TMP/create.$w"
}
log "creating $N apps: $LAST $PARALLEL at a time (${SCALE_SEED:-cli}), then $((N - LAST)) one at a time"
stamp T0
WORKERS=()
for ((w = 0; w < PARALLEL; w++)); do
  [[ ${SCALE_SEED:-cli} == api ]] && break
  create_worker "$w" $((w + 1)) "$LAST" "$PARALLEL" &
  WORKERS+=($!)
done
for pid in "${WORKERS[@]}"; do wait "$pid" || die "app create failed"; done
if [[ ${SCALE_SEED:-cli} == api ]]; then
  python3 - "$HOME_DIR/run/berth.sock" "$URL" "$LAST" "$PARALLEL" "$DISTINCT" >"$TMP/create.api" <<'PY' ||
import http.client, json, socket, sys, threading, time
sock_path, url, last, parallel = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
distinct = sys.argv[5] == "1"
class Conn(http.client.HTTPConnection):
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(sock_path)
out, lock, failed = [], threading.Lock(), []
def work(w):
    for i in range(w + 1, last + 1, parallel):
        body = json.dumps({"path": "/a%d" % i, "source": "-", "spec": "proxy",
                           "settings": {"params": dict({"url": url}, **({"APP_N": str(i)} if distinct else {}))},
                           "approve": True})
        t0 = time.monotonic()
        c = Conn("berth")
        c.request("POST", "/api/v1/apps/create", body, {"Content-Type": "application/json"})
        r = c.getresponse()
        data = r.read()
        c.close()
        if r.status // 100 != 2:
            failed.append("/a%d: %d %s" % (i, r.status, data[:200]))
            return
        with lock:
            out.append("%d %d" % (i, int((time.monotonic() - t0) * 1e6)))
threads = [threading.Thread(target=work, args=(w,)) for w in range(parallel)]
for t in threads: t.start()
for t in threads: t.join()
print("\n".join(out))
if failed: sys.exit("admin API create failed: " + failed[0])
PY
    die "admin API creates failed"
fi
if [[ $SEED != "$BERTH" ]]; then
  log "created $LAST apps with $SEED; now $BERTH"
  kill -TERM "$BERTH_PID"
  wait "$BERTH_PID" || true
  start_berth "$BERTH"
  if ((LAST > 0)); then wait_app "/a1/"; else sleep 1; fi
fi
C0=$(cpu_us "$BERTH_PID")
create_worker last $((LAST + 1)) "$N" 1 || die "app create failed"
CREATE_CPU=$((($(cpu_us "$BERTH_PID") - C0) / (N - LAST)))
stamp T1
CREATE_ALL=$(cat "$TMP"/create.[0-9l]* | awk '{ s += $2 } END { print int(s / NR) }')
[[ ${SCALE_SEED:-cli} == api ]] && CREATE_ALL=$(awk '{ s += $2 } END { print int(s / NR) }' "$TMP/create.api")
CREATE_LAST=$(awk '{ s += $2 } END { print int(s / NR) }' "$TMP/create.last")
log "created $N apps in $(ms $((T1 - T0))): $(ms "$CREATE_ALL") per call, last 100 $(ms "$CREATE_LAST")"
wait_app "/a1/"
wait_app "/a$N/"
RSS_CREATED=$(rss_kb "$BERTH_PID")

# ---- Versions: VERSIONS-1 param updates of every app, each promoted, so that each prod app
# and its stage twin end with VERSIONS versions (one call changes all N apps).
VERSION_CALL=""
if ((VERSIONS > 1)); then
  stamp T0
  for ((v = 2; v <= VERSIONS; v++)); do
    "$BERTH" param update SCALE_V "$v" all --promote >/dev/null || die "param update $v failed"
  done
  stamp T1
  VERSION_CALL=$(((T1 - T0) / (VERSIONS - 1)))
  log "$((VERSIONS - 1)) promoted param updates of all $N apps: $(ms "$VERSION_CALL") each"
fi

# ---- List.
time_cmd() {  # time_cmd RUNS CMD...: the median wall time of CMD in microseconds
  local runs=$1 t0 t1
  shift
  for _ in $(seq "$runs"); do
    stamp t0
    "$@" >"$TMP/out" || die "failed: $*"
    stamp t1
    echo $((t1 - t0))
  done | median
}
C0=$(cpu_us "$BERTH_PID")
LIST_ALL=$(time_cmd "$LIST_RUNS" "$BERTH" app list -f json)
LIST_ALL_CPU=$((($(cpu_us "$BERTH_PID") - C0) / LIST_RUNS))
LISTED=$(grep -o '"id"' "$TMP/out" | wc -l)
((LISTED == N)) || die "app list -f json listed $LISTED apps, not $N"
MID=$(((N + 1) / 2))
C0=$(cpu_us "$BERTH_PID")
LIST_ONE=$(time_cmd "$LIST_RUNS" "$BERTH" app list "/a$MID")
LIST_ONE_CPU=$((($(cpu_us "$BERTH_PID") - C0) / LIST_RUNS))
grep -q "/a$MID" "$TMP/out" || die "app list /a$MID did not list it"
# The floor of every wall time above: a process that does nothing, started and timed the same way.
FLOOR=$(time_cmd "$LIST_RUNS" /bin/true)
log "list all $(ms "$LIST_ALL"), list one $(ms "$LIST_ONE"), /bin/true $(ms "$FLOOR")"
RSS_BEFORE=$(rss_kb "$BERTH_PID")

# ---- Restart.
kill -TERM "$BERTH_PID"
wait "$BERTH_PID" || true
start_berth "$BERTH"
wait_app "/a1/"
stamp T1
RESTART=$((T1 - START_US))
RESTART_CPU=$(cpu_us "$BERTH_PID")
RSS_AFTER=$(rss_kb "$BERTH_PID")
log "restart until /a1/ answers $(ms "$RESTART"); RSS $RSS_BEFORE kB before, $RSS_AFTER kB after"

# ---- Proxied req/s.
rps() {  # rps PATH: wrk's requests per second through berth to PATH
  wrk -t1 -c64 -d1s "http://127.0.0.1:$HTTP_PORT$1" >/dev/null
  wrk -t1 -c64 -d"${WRK_SECS}s" "http://127.0.0.1:$HTTP_PORT$1" |
    awk '$1 == "Requests/sec:" { printf "%d", $2 } /Non-2xx|Socket errors/ { print "ERRORS" > "/dev/stderr" }'
}
RPS=""
if ((WRK_SECS > 0)); then
  RPS="$(rps /a1/) / $(rps "/a$MID/") / $(rps "/a$N/")"
  log "req/s /a1/ /a$MID/ /a$N/: $RPS"
fi

DB_BYTES=$(find "$HOME_DIR" -name '*.db*' -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')

echo
echo "Berth scale benchmark: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $N proxy apps" \
  "($((2 * N)) with stage twins$( ((DISTINCT == 1)) && echo ", each with its own param")), $PARALLEL creates at a time," \
  "$("$BERTH" --version 2>/dev/null | head -1)"
echo
echo "| measure | $N apps | server CPU |"
echo "|---|---:|---:|"
echo "| \`app list -f json\` (all), median of $LIST_RUNS | $(ms "$LIST_ALL") | $(ms "$LIST_ALL_CPU") |"
echo "| \`app list /a$MID\` (one), median of $LIST_RUNS | $(ms "$LIST_ONE") | $(ms "$LIST_ONE_CPU") |"
SEEDED=""
[[ $SEED != "$BERTH" ]] && SEEDED=" (seed binary)"
[[ ${SCALE_SEED:-cli} == api ]] && SEEDED="$SEEDED (admin API, no CLI)"
echo "| \`app create\`, average of the first $LAST calls$SEEDED | $(ms "$CREATE_ALL") | |"
echo "| \`app create\`, average of the last $((N - LAST)) (one at a time) | $(ms "$CREATE_LAST") | $(ms "$CREATE_CPU") |"
echo "| \`/bin/true\` started and timed the same way (the floor of the wall times above), median of $LIST_RUNS | $(ms "$FLOOR") | |"
echo "| restart until /a1/ answers | $(ms "$RESTART") | $(ms "$RESTART_CPU") |"
if [[ -n $VERSION_CALL ]]; then
  echo "| server RSS after the creates / after the $((VERSIONS - 1)) updates and the lists / after the restart |" \
    "$((RSS_CREATED / 1024)) MB / $((RSS_BEFORE / 1024)) MB / $((RSS_AFTER / 1024)) MB | |"
else
  echo "| server RSS after the creates and the lists / after the restart | $((RSS_BEFORE / 1024)) MB / $((RSS_AFTER / 1024)) MB | |"
fi
[[ -n $RPS ]] && echo "| proxied req/s, /a1/ / /a$MID/ / /a$N/ (wrk -t1 -c64 ${WRK_SECS}s) | $RPS | |"
[[ -n $VERSION_CALL ]] && echo "| \`param update SCALE_V <v> all --promote\` (all $N apps), average of $((VERSIONS - 1)) | $(ms "$VERSION_CALL") | |"
echo "| database size (with WAL)$([[ -n $VERSION_CALL ]] && echo ", $VERSIONS versions per app") | $((DB_BYTES / 1024)) kB | |"
