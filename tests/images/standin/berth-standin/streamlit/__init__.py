"""Berth's stand-in for the streamlit package: `import streamlit as st` works and every
st.* call is a no-op, so an app.py can be imported; the server lives in __main__."""

__version__ = "1.37.1"


class _NoOp:
    def __call__(self, *args, **kwargs):
        return self

    def __getattr__(self, name):
        return self

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def __iter__(self):
        return iter(())

    def __bool__(self):
        return False


_noop = _NoOp()


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    return _noop
