"""The ``gisplan`` command."""

from gisplan.cli.main import main

__all__ = ["main"]
