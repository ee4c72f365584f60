#!/usr/bin/env python3
"""A client that gives up: sends one request, waits until a marker file exists, then hangs up.

Usage: hangup_client.py HOST PORT SERVER_NAME PATH MARKER [--tls]
With --tls the hang-up is what browsers and curl do: a TLS close_notify alert, then the TCP
close, without waiting for the server's alert. Exits 0 once it has hung up.
"""
import os
import socket
import ssl
import sys
import time


def main():
    host, port, name, path, marker = sys.argv[1:6]
    raw = socket.create_connection((host, int(port)), timeout=30)
    conn = raw
    if "--tls" in sys.argv[6:]:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        conn = ctx.wrap_socket(raw, server_hostname=name)
    conn.sendall(f"GET {path} HTTP/1.1\r\nHost: {name}\r\n\r\n".encode())
    deadline = time.monotonic() + 30
    while not os.path.exists(marker):
        if time.monotonic() > deadline:
            sys.exit("the request never reached the backend")
        time.sleep(0.01)
    if conn is not raw:
        conn.setblocking(False)
        try:
            conn.unwrap()  # sends close_notify; the server's answer is not awaited
        except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
            pass
    raw.close()


if __name__ == "__main__":
    main()
