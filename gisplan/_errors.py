"""The gisplan exception family.

Each error also inherits the built-in exception a caller would naturally catch, so
``except KeyError`` still works for an unknown layer name.
"""

from __future__ import annotations

__all__ = [
    "AmbiguousNameError",
    "CRSError",
    "CoverageInputError",
    "GeocodeError",
    "GisplanError",
    "GisplanWarning",
    "IncompleteDataWarning",
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


class CoverageInputError(ValueError, GisplanError):
    """Inputs of a coverage computation that would give a wrong number; the message says why."""


class GisplanWarning(UserWarning):
    """Base class of the warnings gisplan issues: a result or input worth a second look."""


class IncompleteDataWarning(GisplanWarning):
    """A result measured partly where its input data are not known to be complete.

    Issued when an area reaches beyond the extent where a layer that makes the
    numerator (stations, parks, streets) is complete; the result's ``notes`` say the
    same. Filter it with ``warnings.filterwarnings("ignore", category=...)`` or turn it
    into an error with ``"error"`` (or pass ``strict=True``).
    """


class GeocodeError(LookupError, GisplanError):
    """A name that no gazetteer entry matches."""


class AmbiguousNameError(GeocodeError):
    """A name that matches several features; ``candidates`` lists them."""

    def __init__(self, message: str, candidates: object) -> None:
        super().__init__(message)
        self.candidates = candidates


class DateError(ValueError, GisplanError):
    """A date that is malformed (the form is YYYY-MM-DD) or given where data has no dates."""
