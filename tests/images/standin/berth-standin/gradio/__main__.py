"""`gradio APP.py` stand-in (the real one runs the app in reload mode).

Runs APP.py as __main__; if the script does not call launch() itself, launches its
`demo` (or --demo-name NAME) object, like the real reload mode. `gradio --version`
prints the version.
"""

import os
import runpy
import sys

import gradio


def main(argv=None):
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print("usage: gradio [--demo-name NAME] APP.py   (Berth stand-in)")
        return 0 if args else 2
    if args[0] in ("--version", "version"):
        print("gradio %s" % gradio.__version__)
        return 0
    demo_name = "demo"
    if "--demo-name" in args:
        i = args.index("--demo-name")
        demo_name = args[i + 1]
        del args[i:i + 2]
    script = args[0]
    if not os.path.isfile(script):
        sys.stderr.write("gradio: file not found: %s\n" % script)
        return 2
    sys.argv = args
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    namespace = runpy.run_path(script, run_name="__main__")
    if not gradio._launched:
        demo = namespace.get(demo_name)
        if demo is None or not hasattr(demo, "launch"):
            sys.stderr.write("gradio: %s defines no launchable %r\n" % (script, demo_name))
            return 1
        demo.launch()
    return 0


if __name__ == "__main__":
    sys.exit(main())
