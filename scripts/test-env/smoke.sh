# shellcheck shell=bash disable=SC2016,SC2153,SC2015
# Smoke checks of scripts/test-env.sh --check (sourced by it, after the set-up).
# Every check uses the short names the tests use (nginx, python:3.12.5-slim, ...), so it
# also proves they resolve to the local images without the network. Containers and
# images made here are named berth-testenv-smoke-<pid>-* and removed at the end.

SMOKE_ID="berth-testenv-smoke-$$"
SMOKE_PASSED=0
SMOKE_FAILED=0

# Removes what the checks made, found by the unique name prefix (the checks run in
# subshells, so nothing is recorded in variables).
smoke_cleanup() {
  local x
  for x in $(podman ps -a --filter "name=^$SMOKE_ID-" --format '{{.Names}}' 2>/dev/null); do
    podman rm -f -t 2 "$x" >/dev/null 2>&1 || true
  done
  for x in $(podman images --filter "reference=localhost/$SMOKE_ID-*" --format '{{.Id}}' 2>/dev/null | sort -u); do
    podman rmi -f "$x" >/dev/null 2>&1 || true
  done
  if ((DOCKER_OK)); then
    for x in $(docker ps -a --filter "name=^$SMOKE_ID-" --format '{{.Names}}' 2>/dev/null); do
      docker rm -f "$x" >/dev/null 2>&1 || true
    done
    for x in $(docker images --filter "reference=$SMOKE_ID-*" --format '{{.Repository}}:{{.Tag}}' 2>/dev/null); do
      docker rmi -f "$x" >/dev/null 2>&1 || true
    done
  fi
}

# check NAME FUNCTION [ARGS...]: runs it, prints PASS/FAIL (with its output on failure).
check() {
  local name=$1 out t0=$SECONDS; shift
  if out=$("$@" 2>&1); then
    printf '  PASS  %-58s %3ss\n' "$name" "$((SECONDS - t0))"
    SMOKE_PASSED=$((SMOKE_PASSED + 1))
  else
    printf '  FAIL  %-58s %3ss\n' "$name" "$((SECONDS - t0))"
    printf '%s\n' "$out" | tail -n 20 | sed 's/^/        /'
    SMOKE_FAILED=$((SMOKE_FAILED + 1))
  fi
  smoke_cleanup
}

# http_expect URL SUBSTRING [STATUS]: polls for up to 30 s until URL answers STATUS
# (default 200) with a body containing SUBSTRING.
http_expect() {
  local url=$1 want=$2 status=${3:-200} body code i
  for ((i = 0; i < 60; i++)); do
    body=$(curl -s -m 5 -o - -w '\n%{http_code}' "$url" 2>/dev/null) || body=$'\n000'
    code=${body##*$'\n'}
    body=${body%$'\n'*}
    if [[ $code == "$status" && $body == *"$want"* ]]; then return 0; fi
    sleep 0.5
  done
  echo "GET $url: wanted $status containing '$want', got $code: ${body:0:400}"
  return 1
}

# p_run NAME PORT [podman run args...] IMAGE [CMD...]: starts a detached container with
# PORT published on 127.0.0.1 and prints the host address (127.0.0.1:NNNNN).
p_run() {
  local name="$SMOKE_ID-$1" port=$2; shift 2
  timeout 120 podman run -d --name "$name" -p "127.0.0.1::$port" "$@" >/dev/null || return 1
  podman port "$name" "$port/tcp" | head -n 1
}
d_run() {
  local name="$SMOKE_ID-$1" port=$2; shift 2
  timeout 120 docker run -d --name "$name" -p "127.0.0.1::$port" "$@" >/dev/null || return 1
  docker port "$name" "$port/tcp" | grep -m1 127.0.0.1
}

# ------------------------------------------------------------------------ checks

c_busybox() {
  local out
  out=$(timeout 60 podman run --rm busybox sh -c 'for a in sh httpd echo cat sleep wget nc ls env; do command -v $a >/dev/null || { echo "no $a"; exit 1; }; done; echo ok') &&
    [[ $out == ok ]] || { echo "$out"; return 1; }
  local addr
  addr=$(p_run bb 8080 busybox httpd -f -p 8080 -h /etc) || return 1
  http_expect "http://$addr/passwd" "root:x:0:0"
}

c_nginx() {
  local addr name="$SMOKE_ID-nginx"
  addr=$(p_run nginx 80 nginx) || return 1
  http_expect "http://$addr/" "Welcome to nginx!" || return 1
  http_expect "http://$addr/missing" "404" 404 || return 1
  local logs; logs=$(podman logs "$name" 2>&1)
  [[ $logs == *'GET / HTTP/1.1" 200'* ]] || { echo "access log not in the logs:"; echo "$logs"; return 1; }
  local t0=$SECONDS
  podman stop -t 10 "$name" >/dev/null
  (( SECONDS - t0 < 5 )) || { echo "nginx took $((SECONDS - t0))s to stop"; return 1; }
}

c_python_tag() {  # tag
  timeout 120 podman run --rm "python:$1" sh -ec '
    python -c "import flask, gunicorn, uvicorn, starlette, websockets, venv"
    pip --version
    command -v gunicorn uvicorn pip python python3 >/dev/null
    useradd -m someone && id someone
    cd /tmp && python -m venv v && v/bin/python -c "print(1)"
    ! test -e /usr/lib/python3*/EXTERNALLY-MANAGED'
}

c_python_build() {
  local img="localhost/$SMOKE_ID-pyapp" addr
  timeout 300 podman build -q --layers=false -t "$img:default" "$SMOKE_DIR/python-app" >/dev/null || return 1
  timeout 300 podman build -q --layers=false --build-arg PYTHON_VERSION=3.11.1 -t "$img:3111" \
    "$SMOKE_DIR/python-app" >/dev/null || return 1
  podman image inspect --format '{{.Id}}' "$img:3111" >/dev/null || return 1
  addr=$(p_run pyapp 8000 "$img:default") || return 1
  http_expect "http://$addr/" "hello from flask"
}

c_streamlit() {
  local addr
  addr=$(p_run st 8501 -w /srv python:3.12.5-standin sh -c \
    'echo "import streamlit as st" > app.py && exec streamlit run app.py --server.port 8501 --server.address 0.0.0.0 --server.baseUrlPath /myapp/ --server.headless true') || return 1
  http_expect "http://$addr/myapp/_stcore/health" "ok" || return 1
  http_expect "http://$addr/myapp/" '"base_path": "/myapp"' || return 1
  http_expect "http://$addr/" "outside base path" 404 || return 1
  local t0=$SECONDS
  podman stop -t 10 "$SMOKE_ID-st" >/dev/null
  (( SECONDS - t0 < 5 )) || { echo "stand-in took $((SECONDS - t0))s to stop"; return 1; }
}

c_gradio() {
  local addr
  addr=$(p_run gr 7860 -w /srv -e GRADIO_SERVER_NAME=0.0.0.0 -e GRADIO_ROOT_PATH=/g \
    python:3.12.5-standin sh -c \
    'printf "import gradio as gr\nwith gr.Blocks() as demo:\n    gr.Markdown(\"hi\")\ndemo.launch()\n" > app.py && exec python app.py') || return 1
  http_expect "http://$addr/" '"base_path": "/g"'
}

c_fasthtml() {
  local addr
  addr=$(p_run fh 5001 -w /srv python:3.12.5-standin sh -c \
    'printf "from fasthtml.common import *\napp, rt = fast_app()\n@rt(\"/\")\ndef get():\n    return Titled(\"Hi\", P(\"from fasthtml\"))\nserve()\n" > main.py && exec python main.py') || return 1
  http_expect "http://$addr/" "from fasthtml"
}

c_go_version() {
  timeout 60 podman run --rm golang:1.19 sh -ec '
    go version | grep -q "go1\.19"; go version
    test "$(go env GOPROXY)" = off; test "$(go env CGO_ENABLED)" = 0
    touch "$(go env GOCACHE)/w" "$(go env GOPATH)/w"'
}

c_go_build() {
  local img="localhost/$SMOKE_ID-gohello" addr
  timeout 300 podman build -q --layers=false -t "$img" "$SMOKE_DIR/go-hello" >/dev/null || return 1
  addr=$(p_run go 8080 "$img") || return 1
  http_expect "http://$addr/x" "hello from go /x"
}

c_docker_nginx() {
  local addr
  addr=$(d_run nginx 80 nginx) || return 1
  http_expect "http://$addr/" "Welcome to nginx!"
}

c_docker_build() {
  local img="$SMOKE_ID-dbuild"
  timeout 300 docker build -q -t "$img" "$SMOKE_DIR/docker-build" >/dev/null || return 1
  local out
  out=$(timeout 60 docker run --rm "$img") && [[ $out == built-by-docker ]] || { echo "$out"; return 1; }
}

run_smoke_checks() {
  echo "test-env --check: smoke checks"
  on_exit 'smoke_cleanup; cleanup'
  check "busybox: applets; httpd on a published port" c_busybox
  check "nginx: default page on a published port; logs; stop" c_nginx
  check "python:3.12.5-slim: flask gunicorn uvicorn starlette pip venv" c_python_tag 3.12.5-slim
  check "python:3.11.1: same" c_python_tag 3.11.1
  check "python: FROM python:\${PYTHON_VERSION} build (both tags), run" c_python_build
  check "standin: streamlit run --server.baseUrlPath; health" c_streamlit
  check "standin: gradio launch() with GRADIO_* env" c_gradio
  check "standin: fasthtml serve()" c_fasthtml
  check "golang:1.19: go version and env" c_go_version
  check "golang: multi-stage build to debian:bookworm-slim, run" c_go_build
  if ((DOCKER_OK)); then
    check "docker: nginx on a published port" c_docker_nginx
    check "docker: build FROM busybox" c_docker_build
  else
    echo "  SKIP  docker checks: $DOCKER_WHY"
  fi
  local total=$((SMOKE_PASSED + SMOKE_FAILED))
  if ((SMOKE_FAILED)); then
    echo "test-env --check: $SMOKE_FAILED of $total smoke checks FAILED"
    return 1
  fi
  echo "test-env --check: all $total smoke checks passed ($((SECONDS - START))s in all)"
}
