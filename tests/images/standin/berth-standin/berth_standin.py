"""Shared HTTP server of Berth's stand-ins for streamlit, gradio and fasthtml.

The stand-ins mimic the command line and environment variables of the real
frameworks closely enough to test how Berth plumbs ports, bind addresses,
base paths and health checks, without shipping the frameworks themselves.

Every response is JSON (except the health endpoints, which answer "ok" like
Streamlit's). The echo body looks like:

    {"tool": "streamlit", "base_path": "/app", "path": "/app/x?y=1",
     "method": "GET", "host": "0.0.0.0", "port": 8501, "argv": [...],
     "script": "app.py", "cwd": "/app", "headers": {...}, "env": {...},
     "body": "..."}

Only the Python standard library is used, so it runs in any python3 image.
"""

import json
import os
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

VERSIONS = {"streamlit": "1.37.1", "gradio": "4.44.0", "fasthtml": "0.6.9"}


def normalize_base(base):
    """'', '/', 'app', '/app/' -> '' or '/app' (Streamlit's rules)."""
    base = (base or "").strip().strip("/")
    return "/" + base if base else ""


def _install_signal_handlers(server):
    # As PID 1 in a container a process gets no default SIGTERM action:
    # without a handler `podman stop` would wait for its timeout.
    def stop(signum, frame):
        sys.stderr.write("berth-standin: signal %d, stopping\n" % signum)
        sys.stderr.flush()
        threading.Thread(target=server.shutdown, daemon=True).start()

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, stop)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def serve(tool, host, port, base_path="", health_paths=(), routes_under_base=True,
          script=None, extra=None):
    """Serve until SIGTERM/SIGINT.

    tool             -- "streamlit", "gradio", ...
    host, port       -- bind address ("" or "0.0.0.0" for all IPv4 addresses)
    base_path        -- served prefix; echoed in every body
    health_paths     -- paths (below the prefix when routes_under_base) that answer "ok"
    routes_under_base -- True: only paths below base_path exist, others are 404
                        (Streamlit's --server.baseUrlPath). False: routes stay at "/",
                        base_path is only reported (Gradio's root_path, which expects
                        the proxy to strip the prefix).
    """
    base = normalize_base(base_path)
    info = {
        "tool": tool,
        "version": VERSIONS.get(tool, "0"),
        "standin": True,
        "base_path": base,
        "host": host,
        "port": int(port),
        "argv": sys.argv,
        "script": script,
        "cwd": os.getcwd(),
    }
    if extra:
        info.update(extra)
    prefix = base if routes_under_base else ""
    health = {prefix + h for h in health_paths}

    class Handler(BaseHTTPRequestHandler):
        server_version = "berth-standin-%s/%s" % (tool, info["version"])
        protocol_version = "HTTP/1.1"

        def _reply(self, code, body, ctype):
            data = body.encode()
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        def _handle(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
            path = urlsplit(self.path).path
            if path in health:
                return self._reply(200, "ok", "text/plain; charset=utf-8")
            inside = (not prefix) or path == prefix or path.startswith(prefix + "/")
            echo = dict(info)
            echo.update({
                "path": self.path,
                "method": self.command,
                "headers": {k: v for k, v in self.headers.items()},
                "env": dict(os.environ),
                "body": body,
            })
            if not inside:
                echo["error"] = "not found: outside base path %r" % prefix
                return self._reply(404, json.dumps(echo, indent=1) + "\n",
                                   "application/json")
            return self._reply(200, json.dumps(echo, indent=1) + "\n", "application/json")

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _handle

        def log_message(self, fmt, *args):
            sys.stderr.write("%s %s - %s\n" % (tool, self.address_string(), fmt % args))
            sys.stderr.flush()

    bind = "" if host in ("", "0.0.0.0") else host
    try:
        server = _Server((bind, int(port)), Handler)
    except OSError as e:
        sys.stderr.write("%s: cannot listen on %s:%s: %s\n" % (tool, host, port, e))
        sys.exit(1)
    _install_signal_handlers(server)
    shown = host if host not in ("", "0.0.0.0") else "0.0.0.0"
    print("%s (berth stand-in) listening on http://%s:%s%s/" % (tool, shown, port, base),
          flush=True)
    server.serve_forever()
    server.server_close()
    return 0
