"""Berth's stand-in for `from fasthtml.common import *` (a small subset, on Starlette).

    from fasthtml.common import *
    app, rt = fast_app()

    @rt("/")
    def get(request):
        return Titled("Hello", P("world"))

    serve()   # uvicorn on 0.0.0.0:$PORT (default 5001), only when run as __main__

Handlers get `request`/`req` and query or path parameters by name, and may return
a str, an FT element (Div, P, ...), a tuple of them, or a Starlette Response.
"""

import html
import inspect
import os
import sys

from starlette.applications import Starlette
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

__all__ = ["fast_app", "serve", "FT", "Response", "HTMLResponse"]

_VERBS = {"get", "post", "put", "delete", "patch", "head", "options"}


class FT:
    def __init__(self, tag, children, attrs):
        self.tag, self.children, self.attrs = tag, children, attrs

    def __html__(self):
        attrs = "".join(' %s="%s"' % (k, html.escape(str(v), quote=True))
                        for k, v in self.attrs.items() if v is not False and v is not None)
        inner = "".join(to_xml(c) for c in self.children)
        return "<%s%s>%s</%s>" % (self.tag, attrs, inner, self.tag)

    __str__ = __html__


def _attr_name(k):
    k = {"cls": "class", "klass": "class", "_class": "class", "_for": "for", "fr": "for"}.get(k, k)
    return k.lstrip("_").replace("_", "-")


def _tag(name):
    def make(*children, **attrs):
        return FT(name, children, {_attr_name(k): v for k, v in attrs.items()})
    make.__name__ = name.capitalize()
    return make


for _name in ("html head body title meta link script style main header footer nav section "
              "article div span p a h1 h2 h3 h4 h5 h6 ul ol li form input button label "
              "textarea select option table tr td th pre code img br hr").split():
    globals()[_name.capitalize()] = _tag(_name)
    __all__.append(_name.capitalize())


def Titled(title, *children, **attrs):
    return (Title(title), Main(H1(title), *children, cls="container", **attrs))
__all__.append("Titled")


def to_xml(x):
    if isinstance(x, FT):
        return x.__html__()
    if isinstance(x, (tuple, list)):
        return "".join(to_xml(c) for c in x)
    return html.escape(str(x), quote=False)
__all__.append("to_xml")


def _page(result):
    if isinstance(result, Response):
        return result
    if isinstance(result, str):
        return HTMLResponse(result)
    items = list(result) if isinstance(result, (tuple, list)) else [result]
    if len(items) == 1 and isinstance(items[0], FT) and items[0].tag == "html":
        return HTMLResponse("<!doctype html>" + to_xml(items[0]))
    head = [i for i in items if isinstance(i, FT) and i.tag in ("title", "meta", "link", "style")]
    body = [i for i in items if i not in head]
    return HTMLResponse("<!doctype html><html><head>%s</head><body>%s</body></html>"
                        % (to_xml(head), to_xml(body)))


def _endpoint(fn):
    sig = inspect.signature(fn)

    async def endpoint(request):
        kwargs = {}
        for name in sig.parameters:
            if name in ("request", "req"):
                kwargs[name] = request
            elif name in request.path_params:
                kwargs[name] = request.path_params[name]
            elif name in request.query_params:
                kwargs[name] = request.query_params[name]
        result = fn(**kwargs)
        if inspect.isawaitable(result):
            result = await result
        return _page(result)
    return endpoint


class _App(Starlette):
    def route(self, path=None, methods=None, **kwargs):
        def register(fn, path=path):
            name = fn.__name__
            if path is None:
                path = "/" if name == "index" else "/" + name
            meths = methods or ([name.upper()] if name in _VERBS else ["GET", "POST"])
            self.router.routes.append(Route(path, _endpoint(fn), methods=meths))
            return fn
        if callable(path):  # bare @rt
            fn, path = path, None
            return register(fn)
        return register


def fast_app(*args, **kwargs):
    app = _App()
    return app, app.route


def serve(appname=None, app="app", host="0.0.0.0", port=None, reload=True, **kwargs):
    caller = inspect.currentframe().f_back.f_globals
    if caller.get("__name__") != "__main__":
        return
    import uvicorn
    port = int(port or os.environ.get("PORT", 5001))
    print("fasthtml (berth stand-in) serving on http://%s:%s" % (host, port), flush=True)
    uvicorn.run(caller[app], host=host, port=port)
