"""The gisplan exception and warning families, all in one place.

Each error inherits :class:`GisplanError` and the built-in exception a caller would
naturally catch, so ``except KeyError`` still works for an unknown layer name and
``except ValueError`` for a corrupt file. Each warning inherits :class:`GisplanWarning`
(a ``UserWarning``).
"""

from __future__ import annotations

__all__ = [
    "AmbiguousNameError",
    "CRSError",
    "CoverageInputError",
    "DateError",
    "GeocodeError",
    "GisplanError",
    "GisplanWarning",
    "GridTooLargeError",
    "IncompleteDataWarning",
    "LayerFileError",
    "OsmAreaError",
    "OsmFileError",
    "PbfError",
    "PbfLayoutError",
    "PlanFileError",
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
    """Inputs of a measurement that would give a wrong number; the message says why."""


class GridTooLargeError(MemoryError, GisplanError):
    """A covered area that would need a raster larger than the coverage grid allows."""


class GeocodeError(LookupError, GisplanError):
    """A name that no gazetteer entry matches.

    ``finding`` holds what was found without the advice on what to pass, so that the
    command line can give its own (options rather than arguments).
    """

    finding: str = ""


class AmbiguousNameError(GeocodeError):
    """A name that matches several features; ``candidates`` lists them."""

    def __init__(self, message: str, candidates: object) -> None:
        super().__init__(message)
        self.candidates = candidates


class DateError(ValueError, GisplanError):
    """A date that is malformed (the form is YYYY-MM-DD) or given where data has no dates."""


class OsmFileError(ValueError, GisplanError):
    """An OpenStreetMap file that cannot be read: missing, not OSM, truncated or corrupt."""


class OsmAreaError(ValueError, GisplanError):
    """An area of interest that an OSM file cannot serve (outside it, no streets)."""


class PbfError(OsmFileError):
    """A PBF file that is truncated or corrupt."""


class PbfLayoutError(PbfError):
    """A sound PBF file laid out in a way the reader does not read (order, compression)."""


class PlanFileError(ValueError, GisplanError):
    """A plan file (targets as data) that cannot be read or breaks the plan schema."""


class GisplanWarning(UserWarning):
    """Base class of the warnings gisplan issues: a result or input worth a second look."""


class IncompleteDataWarning(GisplanWarning):
    """A result measured partly where, or when, its input data are not known to be complete.

    Issued when an area reaches beyond the extent where a layer that makes the
    numerator (stations, parks, streets) is complete, or a day lies after the date the
    data were compiled; the result's notes say the same. Filter it with
    ``warnings.filterwarnings("ignore", category=...)`` or turn it into an error with
    ``"error"`` (or pass ``strict=True`` where offered).
    """
