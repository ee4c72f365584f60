"""`streamlit` command-line stand-in (also `python -m streamlit`).

Supported like the real tool:
  streamlit run APP.py [--server.port P] [--server.address A] [--server.baseUrlPath B]
                       [--server.headless true] [--any.other value] [-- script args]
  streamlit version | --version
Options may also be written --server.port=P. Settings come, highest first, from the
flags, the STREAMLIT_SERVER_PORT / STREAMLIT_SERVER_ADDRESS /
STREAMLIT_SERVER_BASE_URL_PATH variables, ./.streamlit/config.toml and
~/.streamlit/config.toml ([server] port, address, baseUrlPath). Defaults: port 8501,
all addresses, no base path.

Served: <B>/_stcore/health and <B>/healthz answer "ok"; every other path below <B>
answers 200 with a JSON echo (base path, argv, env, ...); paths outside <B> are 404.
The script is not executed; like the real tool, a missing script is an error.
"""

import os
import sys

import berth_standin

USAGE = """Usage: streamlit [OPTIONS] COMMAND [ARGS]...

  Berth's stand-in for Streamlit (serves a JSON echo, runs no script).

Commands:
  run      Run a Python script.
  version  Print Streamlit's version number.
"""


def _config_files():
    out = {}
    try:
        import tomllib
    except ImportError:  # Python < 3.11
        return out
    for path in (os.path.expanduser("~/.streamlit/config.toml"),
                 os.path.join(os.getcwd(), ".streamlit", "config.toml")):
        try:
            with open(path, "rb") as f:
                server = tomllib.load(f).get("server", {})
        except (OSError, ValueError):
            continue
        for key in ("port", "address", "baseUrlPath", "headless"):
            if key in server:
                out["server." + key] = str(server[key])
    return out


def _env():
    out = {}
    for key, var in (("server.port", "STREAMLIT_SERVER_PORT"),
                     ("server.address", "STREAMLIT_SERVER_ADDRESS"),
                     ("server.baseUrlPath", "STREAMLIT_SERVER_BASE_URL_PATH"),
                     ("server.headless", "STREAMLIT_SERVER_HEADLESS")):
        if os.environ.get(var):
            out[key] = os.environ[var]
    return out


def main(argv=None):
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help", "help"):
        print(USAGE)
        return 0 if args else 2
    cmd = args.pop(0)
    if cmd in ("version", "--version"):
        print("Streamlit, version %s" % berth_standin.VERSIONS["streamlit"])
        return 0
    if cmd != "run":
        sys.stderr.write("Error: No such command '%s'.\n" % cmd)
        return 2
    if not args or args[0].startswith("--"):
        sys.stderr.write("Error: Missing argument 'TARGET'.\n")
        return 2
    script = args.pop(0)
    flags, script_args = {}, []
    while args:
        a = args.pop(0)
        if a == "--":
            script_args = args
            break
        if a.startswith("--"):
            if "=" in a:
                k, v = a[2:].split("=", 1)
            elif args and not args[0].startswith("--"):
                k, v = a[2:], args.pop(0)
            else:
                k, v = a[2:], "true"
            flags[k] = v
        else:
            script_args.append(a)
    if not (script.startswith("http://") or script.startswith("https://")) \
            and not os.path.isfile(script):
        sys.stderr.write("Error: Invalid value: File does not exist: %s\n" % script)
        return 2
    conf = _config_files()
    conf.update(_env())
    conf.update(flags)
    try:
        port = int(conf.get("server.port", "8501"))
    except ValueError:
        sys.stderr.write("Error: invalid server.port %r\n" % conf.get("server.port"))
        return 2
    address = conf.get("server.address", "")
    base = conf.get("server.baseUrlPath", "")
    return berth_standin.serve(
        "streamlit", address, port, base,
        health_paths=("/_stcore/health", "/healthz"),
        routes_under_base=True, script=script,
        extra={"options": conf, "script_args": script_args})


if __name__ == "__main__":
    sys.exit(main())
