"""The main job."""

from gisplan.pipeline.main import (
    GEOPACKAGE_NAME,
    build_geopackage,
    collect_layers,
    geopackage_layers,
    write_chart,
    write_outputs,
)
from gisplan.pipeline.osm_build import build_from_osm

__all__ = ["GEOPACKAGE_NAME", "build_from_osm", "build_geopackage", "collect_layers",
           "geopackage_layers", "write_chart", "write_outputs"]
