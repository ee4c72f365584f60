#!/usr/bin/env python3
"""A minimal WebSocket client for the end-to-end tests (standard library only).

Usage: ws_client.py HOST PORT HOSTHEADER PATH MESSAGE... [--tls] [--interval-ms N]
Connects (through Berth), upgrades, sends each MESSAGE as a text frame, waiting
--interval-ms between them, prints each echoed message on its own line, then closes.
Exits 1 with a one-line error on any failure.
"""
import argparse
import base64
import os
import socket
import ssl
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from backend import ws_frame  # noqa: E402


def read_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError("connection closed")
        buf += chunk
    return buf


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("host_header")
    ap.add_argument("path")
    ap.add_argument("messages", nargs="+")
    ap.add_argument("--tls", action="store_true")
    ap.add_argument("--interval-ms", type=int, default=0)
    args = ap.parse_args()
    sock = socket.create_connection((args.host, args.port), timeout=30)
    if args.tls:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        sock = ctx.wrap_socket(sock, server_hostname=args.host_header.split(":")[0])
    key = base64.b64encode(os.urandom(16)).decode()
    req = (
        f"GET {args.path} HTTP/1.1\r\nHost: {args.host_header}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    sock.sendall(req.encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += read_exact(sock, 1)
    status = head.split(b"\r\n")[0].decode()
    if " 101 " not in status + " ":
        print(f"upgrade failed: {status}", file=sys.stderr)
        return 1
    for i, msg in enumerate(args.messages):
        if i and args.interval_ms:
            time.sleep(args.interval_ms / 1000.0)
        sock.sendall(ws_frame(1, msg.encode(), masked=True))
        hdr = read_exact(sock, 2)
        length = hdr[1] & 0x7F
        if length == 126:
            length = struct.unpack("!H", read_exact(sock, 2))[0]
        elif length == 127:
            length = struct.unpack("!Q", read_exact(sock, 8))[0]
        print(read_exact(sock, length).decode(), flush=True)
    sock.sendall(ws_frame(8, b"", masked=True))
    sock.close()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as e:  # one line for the test log
        print(f"ws_client: {e}", file=sys.stderr)
        sys.exit(1)
