#!/usr/bin/env python3
"""A small HashiCorp-Vault-compatible KV endpoint for Berth's tests (Vault itself is not
packaged for Debian). Serves the KV v2 mount "secret/" and the KV v1 mount "kv/", checks
X-Vault-Token, and answers /v1/sys/internal/ui/mounts/<path> like Vault unless
--no-ui-mounts (then 403, as for a token without that permission). Prints its port on
stdout once it listens. --tls CERT KEY serves HTTPS.
"""
import argparse
import http.server
import json
import ssl
import sys

TOKEN = "test-root-token"
MOUNTS = {"secret/": "2", "kv/": "1"}
DATA = {
    "secret/": {"app/db": {"password": "v2-s3cret&<>"}, "app/two": {"a": "1", "b": "2"}},
    "kv/": {"app/db": {"password": "v1-s3cret"}, "app/num": {"n": 42}},
}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    ui_mounts = True

    def log_message(self, *args):
        pass

    def answer(self, status, body):
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_GET(self):
        if self.headers.get("X-Vault-Token") != TOKEN:
            return self.answer(403, {"errors": ["permission denied"]})
        path = self.path
        if not path.startswith("/v1/"):
            return self.answer(404, {"errors": []})
        path = path[4:]
        if path.startswith("sys/internal/ui/mounts/"):
            if not Handler.ui_mounts:
                return self.answer(403, {"errors": ["permission denied"]})
            rest = path[len("sys/internal/ui/mounts/"):]
            for mount, version in MOUNTS.items():
                if rest.startswith(mount):
                    return self.answer(200, {"data": {"path": mount, "type": "kv",
                                                      "options": {"version": version}}})
            return self.answer(400, {"errors": ["no mount"]})
        for mount, version in MOUNTS.items():
            if not path.startswith(mount):
                continue
            rest = path[len(mount):]
            if version == "2":
                if not rest.startswith("data/"):
                    return self.answer(404, {"errors": []})
                secret = DATA[mount].get(rest[len("data/"):])
                if secret is None:
                    return self.answer(404, {"errors": []})
                return self.answer(200, {"data": {"data": secret, "metadata": {"version": 1}}})
            secret = DATA[mount].get(rest)
            if secret is None:
                return self.answer(404, {"errors": []})
            return self.answer(200, {"data": secret})
        return self.answer(404, {"errors": []})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-ui-mounts", action="store_true")
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    args = ap.parse_args()
    Handler.ui_mounts = not args.no_ui_mounts
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if args.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls[0], args.tls[1])
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
