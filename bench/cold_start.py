#!/usr/bin/env python3
"""Cold start of a stopped container through Berth, against the floor measured in the same run.

  floor  bare `podman start <container>`, then polling its port (every 1 ms) until the first 200
  berth  one request through Berth to the same kind of app while its container is stopped
         (stopped by Berth's idle shutdown), until the full response arrives

Both run the same image (busybox httpd, ready in milliseconds) and alternate, RUNS times each;
the table gives median, min and max. Then the burst: 100 concurrent first requests to the
stopped app, the time until all 100 are answered, and how many got 200. A second app that
sleeps 1 s before listening shows that a 1 s app answers its first request in about 1 s.

Usage: bench/cold_start.py [--berth build/release/berth] [--runs 7]
Needs root, podman and the local busybox:latest image (scripts/test-env.sh --busybox-only).
"""
import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CONTAINERFILE = """FROM busybox:latest
RUN mkdir -p /www && echo ok > /www/index.html
EXPOSE 8080
CMD sh -c 'sleep ${DELAY:-0}; exec httpd -f -p "$PORT" -h /www'
"""


def run(*args, check=True, env=None):
    return subprocess.run(args, check=check, capture_output=True, text=True, env=env)


def http_get(host, port, path="/", host_header="localhost", timeout=60.0):
    """One GET over a fresh connection; returns the status code (or None on a refused
    connection)."""
    try:
        s = socket.create_connection((host, port), timeout=timeout)
    except OSError:
        return None
    try:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: {host_header}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        if not data.startswith(b"HTTP/1."):
            return None
        return int(data.split(b" ", 2)[1])
    except OSError:
        return None
    finally:
        s.close()


class Berth:
    def __init__(self, binary):
        self.binary = binary
        self.home = tempfile.mkdtemp(prefix="berth-bench-")
        with open(os.path.join(self.home, "berth.toml"), "w") as f:
            f.write("[http]\nport = 0\n[https]\nport = -1\n[log]\naccess_log = false\n"
                    "[system]\ncontainer_command = \"podman\"\n")
        self.env = dict(os.environ, BERTH_HOME=self.home)
        self.proc = subprocess.Popen([binary, "server", "start"], env=self.env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        info = os.path.join(self.home, "run", "server.json")
        for _ in range(600):
            if os.path.exists(info):
                break
            time.sleep(0.05)
        with open(info) as f:
            self.port = json.load(f)["http_port"]

    def cli(self, *args):
        return run(self.binary, *args, env=self.env)

    def state(self, path):
        apps = json.loads(self.cli("app", "list", "-f", "json", path).stdout)
        return apps[0]["state"] if apps else None

    def wait_state(self, path, state, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.state(path) == state:
                return
            time.sleep(0.05)
        raise RuntimeError(f"{path} did not reach state {state}")

    def close(self):
        self.cli("app", "delete", "all")
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=60)
        shutil.rmtree(self.home, ignore_errors=True)


def floor_once(name, port):
    t0 = time.perf_counter()
    run("podman", "start", name)
    while http_get("127.0.0.1", port, timeout=5) != 200:
        time.sleep(0.001)
    t1 = time.perf_counter()
    run("podman", "stop", "-t", "0", name)
    return (t1 - t0) * 1000


def berth_once(berth, path):
    berth.wait_state(path, "stopped")
    t0 = time.perf_counter()
    code = http_get("127.0.0.1", berth.port, path + "/")
    t1 = time.perf_counter()
    if code != 200:
        raise RuntimeError(f"berth answered {code}")
    return (t1 - t0) * 1000


def burst(berth, path, n=100):
    berth.wait_state(path, "stopped")
    codes = [None] * n
    barrier = threading.Barrier(n + 1)

    def one(i):
        barrier.wait()
        codes[i] = http_get("127.0.0.1", berth.port, path + "/")

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    return (time.perf_counter() - t0) * 1000, sum(1 for c in codes if c == 200)


def row(name, values):
    return (f"| {name} | {statistics.median(values):.1f} | {min(values):.1f} | "
            f"{max(values):.1f} |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--berth", default=os.path.join(REPO, "build", "release", "berth"))
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    if not os.path.exists(args.berth):
        sys.exit(f"no berth binary at {args.berth}: cmake --preset release && "
                 "cmake --build --preset release")

    app_dir = tempfile.mkdtemp(prefix="berth-bench-app-")
    with open(os.path.join(app_dir, "Containerfile"), "w") as f:
        f.write(CONTAINERFILE)
    image = "localhost/berth-bench-floor:latest"
    floor_name = f"berth-bench-floor-{os.getpid()}"
    run("podman", "build", "-q", "-t", image, app_dir)
    run("podman", "create", "--name", floor_name, "-p", "127.0.0.1::8080", "--env", "PORT=8080",
        image)
    # The host port is chosen at the first start and kept by podman.
    run("podman", "start", floor_name)
    port = int(run("podman", "port", floor_name, "8080/tcp").stdout.strip().rsplit(":", 1)[1])
    run("podman", "stop", "-t", "0", floor_name)

    berth = Berth(args.berth)
    try:
        for path, delay in (("/cold", "0"), ("/slow1s", "1")):
            berth.cli("app", "create", "--spec", "container", "--approve", "--param",
                      f"DELAY={delay}", "--conf", "container.idle_shutdown_secs=1", app_dir, path)
            assert http_get("127.0.0.1", berth.port, path + "/") == 200  # build + first run
        floor, through = [], []
        for _ in range(args.runs):
            floor.append(floor_once(floor_name, port))
            through.append(berth_once(berth, "/cold"))
        slow = [berth_once(berth, "/slow1s") for _ in range(3)]
        burst_ms, ok = burst(berth, "/cold")
    finally:
        berth.close()
        run("podman", "rm", "-f", floor_name, check=False)
        run("podman", "rmi", image, check=False)
        shutil.rmtree(app_dir, ignore_errors=True)

    print(f"Cold start of a stopped container (podman, busybox httpd), {args.runs} runs each, ms\n")
    print("| scenario | median | min | max |")
    print("| --- | --- | --- | --- |")
    print(row("floor: podman start + poll until 200", floor))
    print(row("Berth: first request to a stopped app", through))
    print(row("Berth: app that sleeps 1 s before listening", slow))
    print(f"\nBerth minus floor (medians): {statistics.median(through) - statistics.median(floor):+.1f} ms")
    print(f"Burst: 100 concurrent first requests to a stopped app: all answered in "
          f"{burst_ms:.0f} ms, {ok}/100 with 200")


if __name__ == "__main__":
    main()
