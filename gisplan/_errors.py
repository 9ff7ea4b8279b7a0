"""The gisplan exception family.

Each error also inherits the built-in exception a caller would naturally catch, so
``except KeyError`` still works for an unknown layer name.
"""

from __future__ import annotations

__all__ = [
    "AmbiguousNameError",
    "CRSError",
    "GeocodeError",
    "GisplanError",
    "LayerFileError",
    "UnknownLayerError",
]


class GisplanError(Exception):
    """Base class of every error gisplan raises on purpose."""


class CRSError(ValueError, GisplanError):
    """A coordinate reference system is missing, wrong or unsuitable for the operation."""


class UnknownLayerError(KeyError, GisplanError):
    """A layer name that the catalogue does not know."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class LayerFileError(ValueError, GisplanError):
    """A layer file (or a user's replacement file) cannot be used; the message lists why."""


class GeocodeError(LookupError, GisplanError):
    """A name that no gazetteer entry matches."""


class AmbiguousNameError(GeocodeError):
    """A name that matches several features; ``candidates`` lists them."""

    def __init__(self, message: str, candidates: object) -> None:
        super().__init__(message)
        self.candidates = candidates
