#!/usr/bin/env python3
"""Keeps an app busy while something changes under it (standard library only).

Usage: load_client.py PORT HOSTHEADER PATH STOPFILE [--ws WSPATH] [--connections N]
                      [--seen DIR]
N keep-alive connections send GET PATH in a loop until STOPFILE exists; a WebSocket (with
--ws) sends a message every 100 ms and checks the echo until STOPFILE exists or the server
closes it. Prints one JSON object: requests, counts by "status body", errors (connection
errors and non-2xx answers), and the WebSocket's messages and how it ended.
With --seen, progress shows as files in DIR while it runs, so a test can wait for it: one named
"<status> <body>" when that answer first arrives, and "ws-10" once 10 WebSocket echoes came.
"""
import argparse
import http.client
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ws_client import read_exact  # noqa: E402
from backend import ws_frame  # noqa: E402
import base64  # noqa: E402
import socket  # noqa: E402
import struct  # noqa: E402

lock = threading.Lock()
seen_dir = None


def note_seen(name):
    if seen_dir:
        open(os.path.join(seen_dir, name.replace("/", "_")), "w").close()
result = {"requests": 0, "answers": {}, "errors": [], "ws_messages": 0, "ws_end": "not used"}


def note_error(text):
    with lock:
        if len(result["errors"]) < 20:
            result["errors"].append(text)
        result.setdefault("error_count", 0)
        result["error_count"] += 1


def http_loop(port, host, path, stopfile):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while not os.path.exists(stopfile):
        try:
            conn.request("GET", path, headers={"Host": host})
            resp = conn.getresponse()
            body = resp.read().decode(errors="replace").strip()
            key = "%d %s" % (resp.status, body[:60])
            with lock:
                result["requests"] += 1
                first = key not in result["answers"]
                result["answers"][key] = result["answers"].get(key, 0) + 1
            if first:
                note_seen(key)
            if resp.status >= 300:
                note_error(key)
        except Exception as e:  # the test wants none of these
            note_error("%s: %s" % (type(e).__name__, e))
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            time.sleep(0.01)
    conn.close()


def ws_loop(port, host, path, stopfile):
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        sock.sendall((
            f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode())
        head = b""
        while b"\r\n\r\n" not in head:
            head += read_exact(sock, 1)
        if b" 101 " not in head.split(b"\r\n")[0] + b" ":
            result["ws_end"] = "upgrade failed: " + head.split(b"\r\n")[0].decode()
            return
        n = 0
        while not os.path.exists(stopfile):
            msg = ("m%d" % n).encode()
            sock.sendall(ws_frame(1, msg, masked=True))
            hdr = read_exact(sock, 2)
            length = hdr[1] & 0x7F
            if length == 126:
                length = struct.unpack("!H", read_exact(sock, 2))[0]
            if read_exact(sock, length) != msg:
                result["ws_end"] = "wrong echo"
                return
            n += 1
            with lock:
                result["ws_messages"] = n
            if n == 10:
                note_seen("ws-10")
            time.sleep(0.1)
        sock.sendall(ws_frame(8, b"", masked=True))
        result["ws_end"] = "closed by the client"
    except Exception as e:
        result["ws_end"] = "%s: %s" % (type(e).__name__, e)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("host_header")
    ap.add_argument("path")
    ap.add_argument("stopfile")
    ap.add_argument("--ws")
    ap.add_argument("--connections", type=int, default=4)
    ap.add_argument("--seen")
    args = ap.parse_args()
    global seen_dir
    seen_dir = args.seen
    threads = [threading.Thread(target=http_loop,
                                args=(args.port, args.host_header, args.path, args.stopfile))
               for _ in range(args.connections)]
    if args.ws:
        threads.append(threading.Thread(target=ws_loop,
                                        args=(args.port, args.host_header, args.ws, args.stopfile)))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
