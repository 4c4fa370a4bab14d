"""The ``prioritize`` command line."""

from prioritize.cli._main import main

__all__ = ["main"]
