#!/usr/bin/env python3
"""A real HTTP/1.1 backend for Berth's end-to-end tests (standard library only).

Usage: backend.py [--host H] [--port N] [--marker-dir DIR]
Prints the bound port on the first line of stdout, then serves until killed.

  /echo...        JSON: method, path, headers, body length and sha256, client port; with
                  ?then_close=1 the connection is closed after the (keep-alive) answer
  /slow?ms=N      waits N ms, then 200 "slow done"; touches DIR/slow-started first
  /hang           never answers: touches DIR/hang-started, waits (up to 60 s) until the
                  client (the proxy) closes the connection, then touches DIR/hang-abandoned
  /chunked?n=N    a chunked response of N chunks
  /big?bytes=N    N bytes of a repeating pattern, with Content-Length
  /ws             WebSocket echo (text and binary), closes on a close frame
  /close          closes the connection without answering
  /status?code=N  answers with that status
  /file?path=P    the content of file P (404 "missing" when absent); with &write=TEXT writes
                  TEXT to P first (its folder is created)
"""
import argparse
import base64
import hashlib
import json
import os
import socket
import struct
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    marker_dir = None

    def log_message(self, fmt, *args):
        pass

    def _query(self):
        return {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}

    def _read_body(self):
        h = hashlib.sha256()
        n = 0
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                left = size
                while left:
                    chunk = self.rfile.read(min(left, 1 << 20))
                    h.update(chunk)
                    n += len(chunk)
                    left -= len(chunk)
                self.rfile.readline()
        else:
            left = int(self.headers.get("Content-Length", "0") or 0)
            while left:
                chunk = self.rfile.read(min(left, 1 << 20))
                if not chunk:
                    break
                h.update(chunk)
                n += len(chunk)
                left -= len(chunk)
        return n, h.hexdigest()

    def _hang(self):
        self._touch("hang-started")
        self.close_connection = True
        self.connection.settimeout(60)
        try:
            while self.connection.recv(4096):
                pass  # bytes of another request: not answered either
        except OSError:
            return  # timed out: the proxy kept the connection open
        self._touch("hang-abandoned")

    def _touch(self, name):
        if self.marker_dir:
            open(os.path.join(self.marker_dir, name), "w").close()

    def _send(self, code, body, ctype="text/plain"):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def handle_any(self):
        path = urlsplit(self.path).path
        q = self._query()
        if path == "/ws" and self.headers.get("Upgrade", "").lower() == "websocket":
            return self._websocket()
        if path == "/close":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if path == "/slow":
            if self.marker_dir:
                open(os.path.join(self.marker_dir, "slow-started"), "w").close()
            time.sleep(int(q.get("ms", "1000")) / 1000.0)
            return self._send(200, "slow done\n")
        if path == "/hang":
            return self._hang()
        if path == "/chunked":
            n = int(q.get("n", "5"))
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i in range(n):
                piece = ("chunk %d\n" % i).encode()
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
            return
        if path == "/big":
            n = int(q.get("bytes", "1000"))
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(n))
            self.end_headers()
            block = (b"0123456789abcdef" * 4096)
            left = n
            while left:
                piece = block[: min(left, len(block))]
                self.wfile.write(piece)
                left -= len(piece)
            return
        if path == "/status":
            return self._send(int(q.get("code", "200")), "status\n")
        if path == "/file":
            target = q.get("path", "")
            if "write" in q:
                os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
                with open(target, "w") as f:
                    f.write(q["write"])
            try:
                with open(target) as f:
                    return self._send(200, f.read())
            except FileNotFoundError:
                return self._send(404, "missing")
        if path == "/env":
            return self._send(200, os.environ.get(q.get("name", ""), "") + "\n")
        n, digest = self._read_body()
        info = {
            "method": self.command,
            "path": self.path,
            "headers": {k: v for k, v in self.headers.items()},
            "header_list": [[k, v] for k, v in self.headers.items()],
            "body_length": n,
            "body_sha256": digest,
            "client_port": self.client_address[1],
        }
        self._send(200, json.dumps(info), "application/json")
        if q.get("then_close") == "1":
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = handle_any

    def _websocket(self):
        key = self.headers["Sec-WebSocket-Key"]
        accept = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
        self.send_response(101)
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept)
        self.end_headers()
        self.wfile.flush()
        self.close_connection = True
        while True:
            hdr = self.rfile.read(2)
            if len(hdr) < 2:
                return
            opcode = hdr[0] & 0x0F
            length = hdr[1] & 0x7F
            if length == 126:
                length = struct.unpack("!H", self.rfile.read(2))[0]
            elif length == 127:
                length = struct.unpack("!Q", self.rfile.read(8))[0]
            mask = self.rfile.read(4) if hdr[1] & 0x80 else b"\0\0\0\0"
            data = bytearray(self.rfile.read(length))
            for i in range(len(data)):
                data[i] ^= mask[i % 4]
            if opcode == 8:
                self.wfile.write(b"\x88\x00")
                self.wfile.flush()
                return
            if opcode in (1, 2):
                self.wfile.write(ws_frame(opcode, bytes(data), masked=False))
                self.wfile.flush()


def ws_frame(opcode, data, masked):
    head = bytes([0x80 | opcode])
    mbit = 0x80 if masked else 0
    if len(data) < 126:
        head += bytes([mbit | len(data)])
    elif len(data) < 65536:
        head += bytes([mbit | 126]) + struct.pack("!H", len(data))
    else:
        head += bytes([mbit | 127]) + struct.pack("!Q", len(data))
    if not masked:
        return head + data
    mask = os.urandom(4)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--marker-dir")
    args = ap.parse_args()
    Handler.marker_dir = args.marker_dir
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.request_queue_size = 256
    srv = ThreadingHTTPServer((args.host, args.port), Handler)
    print(srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
