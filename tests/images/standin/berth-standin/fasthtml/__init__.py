"""Berth's stand-in for python-fasthtml: see fasthtml.common."""

__version__ = "0.6.9"
