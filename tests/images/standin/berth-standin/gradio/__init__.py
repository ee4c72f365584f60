"""Berth's stand-in for the gradio package.

    import gradio as gr
    with gr.Blocks() as demo:
        gr.Markdown("hi")            # any component: a no-op
    demo.launch()                    # or gr.Interface(fn, "text", "text").launch()

launch(server_name=None, server_port=None, root_path=None, **ignored) serves a JSON echo
(see berth_standin) like the real Gradio does, with the real defaults:
  server_name: GRADIO_SERVER_NAME, else "127.0.0.1"   (loopback only, as real Gradio!)
  server_port: GRADIO_SERVER_PORT, else 7860
  root_path:   GRADIO_ROOT_PATH,   else ""
As in real Gradio, root_path does not move the routes: the app answers at "/" and a
proxy in front is expected to strip the prefix; root_path is only reported in the body.
"""

import os
import sys

__version__ = "4.44.0"

_launched = []


class _Component:
    """Any gr.<Component>(...) or .click(...)-style chain: accepted and ignored."""

    def __init__(self, *args, **kwargs):
        pass

    def __call__(self, *args, **kwargs):
        return self

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return self

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class Blocks(_Component):
    def launch(self, server_name=None, server_port=None, root_path=None, **kwargs):
        import berth_standin

        host = server_name or os.environ.get("GRADIO_SERVER_NAME") or "127.0.0.1"
        port = server_port or os.environ.get("GRADIO_SERVER_PORT") or 7860
        root = root_path if root_path is not None else os.environ.get("GRADIO_ROOT_PATH", "")
        _launched.append(self)
        print("Running on local URL:  http://%s:%s" % (host, port), flush=True)
        berth_standin.serve(
            "gradio", host, int(port), root, health_paths=(),
            routes_under_base=False,
            script=sys.argv[0] if sys.argv else None,
            extra={"launch_kwargs": {k: repr(v) for k, v in kwargs.items()}})

    def queue(self, *args, **kwargs):
        return self


class Interface(Blocks):
    pass


class ChatInterface(Blocks):
    pass


class TabbedInterface(Blocks):
    pass


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    return _Component
