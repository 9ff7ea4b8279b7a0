"""Layers for the map tests: the catalogue and the analysis outputs, as the main job has them."""

from gisplan.pipeline import collect_layers, geopackage_layers


def map_layers() -> dict:
    """Return the catalogue layers plus the analysis outputs (no scoreboard echo)."""
    return geopackage_layers(collect_layers(), echo=None)
