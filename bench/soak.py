#!/usr/bin/env python3
"""Soak: mixed traffic through one Berth server for SOAK_SECS, with idle stops and container
kills, printing errors, latency, RSS, fds and threads over time.

Started by bench/soak.sh (which builds the release binary); on its own:
  bench/soak.py [--berth build/release/berth] [--secs 600] [--every 30] [--kill-every 60]

Setup, in a temp dir removed at the end: a host backend (tests/support/backend.py) and a
Berth server on a temporary BERTH_HOME (HTTP on a free port, HTTPS off, access log off,
podman), with these apps:
  /p1, /p2   proxy apps to the host backend
  /c1, /c2   container apps (the same backend.py in python:3.12.5-slim), busy all the time;
             the killer `podman kill`s one of them every --kill-every seconds, alternating
  /idle      a container app with idle_shutdown_secs=3 that gets one request every 20 s: each
             request finds it stopped by Berth's idle shutdown and cold-starts it (python as
             PID 1 ignores SIGTERM, so each stop takes podman's 10 s stop timeout: a request
             every 8 s would find it still stopping and wait for that)

Traffic, one thread per kind, each paced by a short pause (the soak is about time, not
throughput; the machine may be shared):
  get-keepalive  GET /echo and /big?bytes=200000 on keep-alive connections to /p1 /p2 /c1 /c2
  get-new        GET /echo on a new connection per request (Connection: close)
  post           POST /echo with a 1 kB - 512 kB body (Content-Length, or chunked one time in
                 four) on a keep-alive connection; the echoed sha256 must match
  stream         GET /chunked?n=200 (a chunked response of 200 chunks) and /big?bytes=4 MB
  websocket      an upgrade to /ws on /p1 or /c1, 20 echoed messages of 10 B - 20 kB, close
  idle           GET /idle/echo every 20 s, each a cold start
Every response is checked (status 200 and its body: the echoed digest, the chunk count, the
length, the WebSocket echo).

Errors. A request that fails is an error of its kind (status-502, reset, timeout, bad-body,
...). Tolerated, counted apart as "during kill" and not failing the run: a request to the
app being killed that was in flight while `podman kill` ran, or that started before the
kill's effects settled (within --kill-grace seconds, default 2, after `podman kill`
returned); the summary names each kind "in flight" or "after". Why: a request or WebSocket
on the killed container's connection loses it (Berth cannot answer for a process that died
mid-answer, and replays only an idempotent request that got no byte of answer); and between the process's death and podman's knowledge of it
(conmon records the exit asynchronously), a new request may be sent to the dying container
or see it "running" still. Every other failure is unexpected: the exit status is 1 if there
was one (or if the server died), 0 otherwise.

Every --every seconds a row: elapsed, requests ok, errors by kind, p50/p99 latency of the
requests of that interval (the idle cold starts apart), the server's RSS (VmRSS), open fds
and threads from /proc; at the end a summary.

Needs: podman with the local python:3.12.5-slim image (scripts/test-env.sh), python3.
"""
import argparse
import base64
import collections
import hashlib
import http.client
import json
import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUPPORT = os.path.join(REPO, "tests", "support")
sys.path.insert(0, SUPPORT)
from backend import ws_frame  # noqa: E402
from ws_client import read_exact  # noqa: E402

IMAGE = "python:3.12.5-slim"
CONTAINERFILE = (f"FROM {IMAGE}\nCOPY backend.py /backend.py\nEXPOSE 8000\n"
                 "CMD exec python3 /backend.py --host 0.0.0.0 --port $PORT\n")
IDLE_SECS = 3
IDLE_PERIOD = 20
KILLED_APPS = ("/c1", "/c2")


class RequestError(Exception):
    def __init__(self, kind, detail=""):
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail


def classify(e):
    if isinstance(e, RequestError):
        return e.kind
    if isinstance(e, socket.timeout):
        return "timeout"
    if isinstance(e, ConnectionResetError):
        return "reset"
    if isinstance(e, ConnectionRefusedError):
        return "refused"
    if isinstance(e, BrokenPipeError):
        return "broken-pipe"
    if isinstance(e, (http.client.RemoteDisconnected, http.client.IncompleteRead, EOFError)):
        return "closed-early"
    if isinstance(e, http.client.HTTPException):
        return "bad-http"
    return type(e).__name__


def pct(values, p):
    if not values:
        return 0.0
    s = sorted(values)
    return s[min(len(s) - 1, int(len(s) * p / 100))]


class Stats:
    """Counts and latencies, shared by the traffic threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.ok = 0
        self.errors = collections.Counter()       # unexpected, by kind
        self.during_kill = collections.Counter()  # tolerated, by kind
        self.cold = []                            # the idle app's cold starts, ms
        self.window = []                          # latencies (ms) since the last row
        self.all = []
        self.samples = []                         # (elapsed, rss kB, fds, threads)
        self.first_errors = []

    def record_ok(self, ms, cold=False):
        with self.lock:
            self.ok += 1
            if cold:
                self.cold.append(ms)
            else:
                self.window.append(ms)
                self.all.append(ms)

    def record_error(self, kind, tolerated, what):
        with self.lock:
            if tolerated:
                self.during_kill[kind] += 1
            else:
                self.errors[kind] += 1
                if len(self.first_errors) < 20:
                    self.first_errors.append(f"{time.strftime('%H:%M:%S')} {what}: {kind}")


class Kills:
    """When each killed app was killed: a request to it that overlaps a kill is tolerated."""

    def __init__(self, grace):
        self.lock = threading.Lock()
        self.grace = grace
        self.windows = collections.defaultdict(list)  # app -> [(start, end or None)]
        self.count = 0

    def begin(self, app):
        with self.lock:
            self.windows[app].append([time.monotonic(), None])
            self.count += 1

    def end(self, app):
        with self.lock:
            self.windows[app][-1][1] = time.monotonic()

    def overlaps(self, app, t0, t1):
        """None, "in flight" (the request overlapped `podman kill`) or "after" (it started
        within the grace after the kill returned)."""
        with self.lock:
            for start, end in self.windows.get(app, ()):
                if start <= t1 and (end is None or t0 <= end):
                    return "in flight"
                if end is not None and end < t0 <= end + self.grace:
                    return "after"
        return None


def read_proc(pid):
    rss = threads = 0
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
                elif line.startswith("Threads:"):
                    threads = int(line.split()[1])
        fds = len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None
    return rss, fds, threads


def run(*args, check=True, env=None, timeout=600):
    r = subprocess.run(args, capture_output=True, text=True, env=env, timeout=timeout)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({r.returncode}): {r.stderr.strip()}")
    return r


class Soak:
    def __init__(self, args):
        self.args = args
        self.stats = Stats()
        self.kills = Kills(args.kill_grace)
        self.stop = threading.Event()
        self.tmp = tempfile.mkdtemp(prefix="berth-soak-")
        self.home = os.path.join(self.tmp, "home")
        os.makedirs(self.home)
        self.env = dict(os.environ, BERTH_HOME=self.home)
        self.backend = None
        self.server = None
        self.port = None

    # ---- setup and teardown

    def start(self):
        self.backend = subprocess.Popen(
            [sys.executable, os.path.join(SUPPORT, "backend.py"), "--port", "0"],
            stdout=subprocess.PIPE, text=True)
        backend_port = int(self.backend.stdout.readline())
        with open(os.path.join(self.home, "berth.toml"), "w") as f:
            f.write("[http]\nhost = \"127.0.0.1\"\nport = 0\n[https]\nport = -1\n"
                    "[log]\naccess_log = false\n[system]\ncontainer_command = \"podman\"\n")
        self.server_out = open(os.path.join(self.tmp, "server.out"), "w")
        self.server = subprocess.Popen([self.args.berth, "server", "start"], env=self.env,
                                       stdout=self.server_out, stderr=subprocess.STDOUT)
        info = os.path.join(self.home, "run", "server.json")
        for _ in range(600):
            if os.path.exists(info) or self.server.poll() is not None:
                break
            time.sleep(0.05)
        with open(info) as f:
            self.port = json.load(f)["http_port"]
        url = f"http://127.0.0.1:{backend_port}"
        for app in ("/p1", "/p2"):
            self.cli("app", "create", "--spec", "proxy", "--approve", "--param", f"url={url}",
                     "-", app)
        app_dir = os.path.join(self.tmp, "app")
        os.makedirs(app_dir)
        shutil.copy(os.path.join(SUPPORT, "backend.py"), app_dir)
        with open(os.path.join(app_dir, "Containerfile"), "w") as f:
            f.write(CONTAINERFILE)
        for app in KILLED_APPS:
            self.cli("app", "create", "--spec", "container", app_dir, app)
        self.cli("app", "create", "--spec", "container", "--conf",
                 f"container.idle_shutdown_secs={IDLE_SECS}", app_dir, "/idle")
        for app in ("/p1", "/p2") + KILLED_APPS + ("/idle",):
            status, _ = self.get(app + "/echo", timeout=300)  # the first builds the image
            if status != 200:
                raise RuntimeError(f"{app}/echo answered {status}")

    def cli(self, *args):
        return run(self.args.berth, *args, env=self.env)

    def close(self):
        self.stop.set()
        try:
            if self.server and self.server.poll() is None:
                self.cli("app", "delete", "all")
        except Exception as e:  # noqa: BLE001 (cleanup goes on)
            print(f"cleanup: {e}", file=sys.stderr)
        for p in (self.server, self.backend):
            if p and p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    p.kill()
        shutil.rmtree(self.tmp, ignore_errors=True)

    # ---- requests

    def connection(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.args.timeout)

    def get(self, path, timeout=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout or self.args.timeout)
        try:
            c.request("GET", path, headers={"Connection": "close"})
            r = c.getresponse()
            return r.status, r.read()
        finally:
            c.close()

    def timed(self, app, what, fn, cold=False):
        """Runs fn() (which raises on a bad answer) and records it."""
        t0 = time.monotonic()
        try:
            fn()
        except Exception as e:  # noqa: BLE001 (every failure is counted by kind)
            t1 = time.monotonic()
            kind = classify(e)
            when = self.kills.overlaps(app, t0, t1) if app in KILLED_APPS else None
            self.stats.record_error(f"{kind} ({when})" if when else kind, when is not None,
                                    f"{what} {e}"[:200])
            return False
        self.stats.record_ok((time.monotonic() - t0) * 1000, cold)
        return True

    @staticmethod
    def expect(r, body_check=None):
        data = r.read()
        if r.status != 200:
            raise RequestError(f"status-{r.status}", data[:100])
        if body_check and not body_check(data):
            raise RequestError("bad-body", data[:100])
        return data

    def pause(self):
        self.stop.wait(self.args.pause_ms / 1000.0)

    # ---- traffic kinds

    def keepalive_loop(self):
        conns = {}
        apps = ("/p1", "/p2") + KILLED_APPS
        i = 0
        while not self.stop.is_set():
            app = apps[i % len(apps)]
            path = "/big?bytes=200000" if i % 5 == 0 else "/echo"
            i += 1

            def one():
                c = conns.get(app) or conns.setdefault(app, self.connection())
                try:
                    c.request("GET", app + path)
                    r = c.getresponse()
                    if path == "/echo":
                        self.expect(r, lambda d: json.loads(d)["method"] == "GET")
                    else:
                        self.expect(r, lambda d: len(d) == 200000)
                    if r.will_close:
                        raise RequestError("server-closed-keepalive")
                except BaseException:
                    conns.pop(app).close()
                    raise

            self.timed(app, f"GET {app}{path} keep-alive", one)
            self.pause()

    def new_connection_loop(self):
        apps = ("/p1", "/p2") + KILLED_APPS
        i = 0
        while not self.stop.is_set():
            app = apps[i % len(apps)]
            i += 1

            def one():
                c = self.connection()
                try:
                    c.request("GET", app + "/echo", headers={"Connection": "close"})
                    self.expect(c.getresponse(), lambda d: json.loads(d)["method"] == "GET")
                finally:
                    c.close()

            self.timed(app, f"GET {app}/echo new connection", one)
            self.pause()

    def post_loop(self):
        conns = {}
        apps = ("/p1",) + KILLED_APPS
        i = 0
        while not self.stop.is_set():
            app = apps[i % len(apps)]
            chunked = i % 4 == 3
            i += 1
            body = os.urandom(random.choice((1000, 20000, 100000, 512 * 1024)))
            digest = hashlib.sha256(body).hexdigest()

            def one():
                c = conns.get(app) or conns.setdefault(app, self.connection())
                try:
                    if chunked:
                        pieces = [body[k:k + 65536] for k in range(0, len(body), 65536)]
                        c.request("POST", app + "/echo", body=iter(pieces),
                                  encode_chunked=True, headers={"Transfer-Encoding": "chunked"})
                    else:
                        c.request("POST", app + "/echo", body=body)
                    self.expect(c.getresponse(),
                                lambda d: json.loads(d)["body_sha256"] == digest)
                except BaseException:
                    conns.pop(app).close()
                    raise

            self.timed(app, f"POST {app}/echo {len(body)} B{' chunked' if chunked else ''}", one)
            self.pause()

    def stream_loop(self):
        apps = ("/p2",) + KILLED_APPS
        i = 0
        while not self.stop.is_set():
            app = apps[i % len(apps)]
            big = i % 2 == 1
            i += 1

            def one():
                c = self.connection()
                try:
                    if big:
                        c.request("GET", app + "/big?bytes=4194304")
                        self.expect(c.getresponse(), lambda d: len(d) == 4194304)
                    else:
                        c.request("GET", app + "/chunked?n=200")
                        self.expect(c.getresponse(), lambda d: d.count(b"chunk ") == 200)
                finally:
                    c.close()

            self.timed(app, f"GET {app} {'/big 4 MB' if big else '/chunked n=200'}", one)
            self.pause()

    def websocket_loop(self):
        apps = ("/p1", "/c1")
        i = 0
        while not self.stop.is_set():
            app = apps[i % len(apps)]
            i += 1
            self.timed(app, f"WebSocket {app}/ws", lambda: self.websocket(app))
            self.pause()

    def websocket(self, app):
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=self.args.timeout)
        try:
            key = base64.b64encode(os.urandom(16)).decode()
            sock.sendall((f"GET {app}/ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
                          f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                          "Sec-WebSocket-Version: 13\r\n\r\n").encode())
            head = b""
            while b"\r\n\r\n" not in head:
                head += read_exact(sock, 1)
            status = head.split(b"\r\n")[0]
            if b" 101 " not in status + b" ":
                raise RequestError(f"ws-status-{status.split(b' ')[1].decode()}", status)
            for _ in range(20):
                msg = os.urandom(random.choice((10, 1000, 20000)))
                sock.sendall(ws_frame(2, msg, masked=True))
                hdr = read_exact(sock, 2)
                length = hdr[1] & 0x7F
                if length == 126:
                    length = struct.unpack("!H", read_exact(sock, 2))[0]
                elif length == 127:
                    length = struct.unpack("!Q", read_exact(sock, 8))[0]
                if read_exact(sock, length) != msg:
                    raise RequestError("ws-bad-echo")
            sock.sendall(ws_frame(8, b"", masked=True))
        finally:
            sock.close()

    def idle_loop(self):
        while not self.stop.wait(IDLE_PERIOD):
            def one():
                c = self.connection()
                try:
                    c.request("GET", "/idle/echo")
                    self.expect(c.getresponse(), lambda d: json.loads(d)["method"] == "GET")
                finally:
                    c.close()

            self.timed("/idle", "GET /idle/echo (cold start)", one, cold=True)

    def kill_loop(self):
        i = 0
        while not self.stop.wait(self.args.kill_every):
            app = KILLED_APPS[i % len(KILLED_APPS)]
            i += 1
            app_id = json.loads(self.cli("app", "list", "-f", "json", app).stdout)[0]["id"]
            names = run("podman", "ps", "--format", "{{.Names}}", "--filter",
                        f"label=berth.app.id={app_id}").stdout.split()
            if not names:
                continue
            self.kills.begin(app)
            run("podman", "kill", *names, check=False)
            self.kills.end(app)

    # ---- the run

    def row(self, elapsed, label=None):
        with self.stats.lock:
            window, self.stats.window = self.stats.window, []
            ok = self.stats.ok
            errors = sum(self.stats.errors.values())
            during = sum(self.stats.during_kill.values())
            kinds = ",".join(f"{k}:{v}" for k, v in sorted(self.stats.errors.items())) or "-"
        proc = read_proc(self.server.pid) or (0, 0, 0)
        self.stats.samples.append((elapsed, *proc))
        print(f"| {label or f'{elapsed:5.0f} s'} | {ok:8d} | {errors:4d} | {kinds:<20} | {during:4d} | "
              f"{self.kills.count:3d} | {len(self.stats.cold):3d} | {pct(window, 50):7.1f} | "
              f"{pct(window, 99):7.1f} | {proc[0] / 1024:6.1f} | {proc[1]:4d} | {proc[2]:3d} |",
              flush=True)

    def run(self):
        loops = [self.keepalive_loop, self.keepalive_loop, self.new_connection_loop,
                 self.post_loop, self.stream_loop, self.websocket_loop, self.idle_loop,
                 self.kill_loop]
        threads = [threading.Thread(target=f, daemon=True) for f in loops]
        print("| elapsed | ok | errors | error kinds | during kill | kills | cold starts | "
              "p50 ms | p99 ms | RSS MB | fds | threads |")
        print("|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        t0 = time.monotonic()
        self.row(0)
        for t in threads:
            t.start()
        next_row = self.args.every
        while True:
            now = time.monotonic() - t0
            if now >= self.args.secs or self.server.poll() is not None:
                break
            time.sleep(min(1.0, max(0.0, next_row - now)))
            if time.monotonic() - t0 >= next_row:
                self.row(next_row)
                next_row += self.args.every
        self.stop.set()
        for t in threads:
            t.join(timeout=self.args.timeout + 30)
        died = self.server.poll() is not None
        self.row(time.monotonic() - t0, "end")
        return died


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--berth", default=os.path.join(REPO, "build", "release", "berth"))
    ap.add_argument("--secs", type=float, default=float(os.environ.get("SOAK_SECS", 600)))
    ap.add_argument("--every", type=float, default=float(os.environ.get("SOAK_EVERY", 30)))
    ap.add_argument("--kill-every", type=float,
                    default=float(os.environ.get("SOAK_KILL_EVERY", 60)))
    ap.add_argument("--kill-grace", type=float,
                    default=float(os.environ.get("SOAK_KILL_GRACE", 2)))
    ap.add_argument("--pause-ms", type=float, default=float(os.environ.get("SOAK_PAUSE_MS", 5)))
    ap.add_argument("--timeout", type=float, default=60.0, help="per request, seconds")
    args = ap.parse_args()
    if not os.access(args.berth, os.X_OK):
        sys.exit(f"no berth binary at {args.berth}")
    if run("podman", "image", "exists", IMAGE, check=False).returncode != 0:
        sys.exit(f"the local image {IMAGE} is missing (scripts/test-env.sh)")

    soak = Soak(args)
    try:
        soak.start()
        print(f"Berth soak: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
              f"{os.cpu_count()} cores, {args.secs:.0f} s, a podman kill every "
              f"{args.kill_every:.0f} s, {run(args.berth, '--version').stdout.strip()}\n",
              flush=True)
        died = soak.run()
    finally:
        soak.close()

    s = soak.stats
    first, last = s.samples[0], s.samples[-1]
    print("\n| summary | |")
    print("|---|---|")
    print(f"| requests ok | {s.ok} |")
    print(f"| unexpected errors | {sum(s.errors.values())} "
          f"{dict(s.errors) if s.errors else ''} |")
    print(f"| during a kill (tolerated) | {sum(s.during_kill.values())} "
          f"{dict(s.during_kill) if s.during_kill else ''} |")
    print(f"| container kills | {soak.kills.count} |")
    print(f"| latency p50 / p99 / max (all but cold starts) | {pct(s.all, 50):.1f} / "
          f"{pct(s.all, 99):.1f} / {max(s.all, default=0):.1f} ms |")
    print(f"| idle cold starts, p50 / max | {len(s.cold)}, {pct(s.cold, 50):.0f} / "
          f"{max(s.cold, default=0):.0f} ms |")
    print(f"| server RSS start / max / end | {first[1] / 1024:.1f} / "
          f"{max(x[1] for x in s.samples) / 1024:.1f} / {last[1] / 1024:.1f} MB |")
    print(f"| server fds start / max / end | {first[2]} / {max(x[2] for x in s.samples)} / "
          f"{last[2]} |")
    print(f"| server threads start / end | {first[3]} / {last[3]} |")
    for line in s.first_errors:
        print(f"  error: {line}")
    if died:
        print("the berth server exited during the soak")
    return 1 if s.errors or died else 0


if __name__ == "__main__":
    sys.exit(main())
