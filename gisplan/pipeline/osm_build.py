"""The main job on an imported OpenStreetMap file: GeoPackage, maps and scoreboard for any area.

:func:`build_from_osm` imports the file for the area (:func:`gisplan.sources.osm.read_osm`),
puts the imported layers in place of the embedded ones they replace (``walk_edges``,
``walk_nodes``, ``parks``, ``water``, ``waterways``, ``facilities``,
``residential_land``; ``metro_stations`` only when asked), adds the area as the
``coverage_area`` row :data:`OSM_AREA_ID`, measures the targets there (the
measurements the embedded data makes on ``central_osm_extract`` move to the imported
area, with the imported walking network), and writes the GeoPackage and the maps.
Everything is computed before anything is written; each file is written atomically.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from tqdm import tqdm

from gisplan import settings
from gisplan.catalogue.layers import list_layers, load_layer
from gisplan.crs import WGS84, format_bounds, metric_crs_for
from gisplan.outputs.geopackage import write_geopackage
from gisplan.outputs.maps import MAP_FILES, write_maps
from gisplan.pipeline.main import GEOPACKAGE_NAME, collect_layers
from gisplan.plan import Evaluation, Plan, evaluate, format_scoreboard, load_plan
from gisplan.plan.indicators import analysis_layers
from gisplan.sources.osm import DEFAULT_MARGIN_M, OsmImport, file_bounds, read_osm

__all__ = ["DEFAULT_BUILD_AREA", "OSM_AREA_ID", "REPLACED_LAYERS", "OsmBuild", "build_from_osm"]

DEFAULT_BUILD_AREA = "central_urban_12_districts"
"""``coverage_area`` row measured when no area is given (cut to what the file covers)."""

OSM_AREA_ID = "osm_import_area"
"""``area_id`` of the imported area in ``coverage_area`` and the scoreboard."""

EMBEDDED_EXTRACT_AREA = "central_osm_extract"
"""The area of the embedded OSM extract, whose measurements move to the imported area."""

REPLACED_LAYERS = ("walk_edges", "walk_nodes", "parks", "water", "waterways", "facilities",
                   "residential_land")
"""Catalogue layers the import replaces (``metro_stations`` too with ``osm_stations``)."""


@dataclass
class OsmBuild:
    """The result of :func:`build_from_osm`.

    Attributes
    ----------
    imported : OsmImport
        The import (layers, network, OSM date).
    area : geopandas.GeoDataFrame
        The ``coverage_area`` row measured (:data:`OSM_AREA_ID`).
    layers : dict of str to (Geo)DataFrame
        Every layer written to the GeoPackage.
    evaluation : Evaluation
        The scoreboard and the coverage results.
    written : list of pathlib.Path
        The files written.
    notes : list of str
        How the area was chosen (the import's own notes are in ``imported.notes``).
    """

    imported: OsmImport
    area: gpd.GeoDataFrame
    layers: dict[str, pd.DataFrame]
    evaluation: Evaluation
    written: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """Return the import summary, the area measured and each indicator."""
        row = self.area.iloc[0]
        lines = [self.imported.summary(),
                 f"area measured ({OSM_AREA_ID}): {row['name_en']}, {row['area_km2']:.1f} km2"]
        lines += [f"note: {n}" for n in self.notes]
        lines.append(format_scoreboard(self.evaluation.table))
        return "\n".join(lines)


@contextmanager
def replaced_layers(frames: dict[str, pd.DataFrame]) -> Iterator[None]:
    """Let :func:`gisplan.load_layer` return ``frames`` in place of those layers for a while."""
    saved = dict(settings.layer_frames)
    settings.layer_frames.update(frames)
    try:
        yield
    finally:
        settings.layer_frames.clear()
        settings.layer_frames.update(saved)


def _area_row(geometry: shapely.Geometry, name_en: str, description: str,
              precision_m: float) -> gpd.GeoDataFrame:
    region = gpd.GeoSeries([geometry], crs=WGS84)
    km2 = float(region.to_crs(metric_crs_for(region)).area.iloc[0]) / 1e6
    return gpd.GeoDataFrame({
        "area_id": [OSM_AREA_ID], "name_zh": ["OSM导入分析范围"], "name_en": [name_en],
        "description": [description], "area_km2": [round(km2, 2)], "source": ["user"],
        "precision_m": [precision_m]}, geometry=[geometry], crs=WGS84)


def _choose_area(path: Path, area: Any, coverage_area: gpd.GeoDataFrame
                 ) -> tuple[Any, str, float, list[str]]:
    """Return (area for read_osm, its name, its precision, notes)."""
    if area is not None:
        name = str(area) if isinstance(area, str | os.PathLike) else "the given polygons"
        precision = 0.0
        if isinstance(area, str) and area in set(coverage_area["area_id"]):
            row = coverage_area[coverage_area["area_id"] == area]
            name, precision = f"{row['name_en'].iloc[0]} ({area})", float(
                row["precision_m"].iloc[0])
        return area, name, precision, []
    default = coverage_area[coverage_area["area_id"] == DEFAULT_BUILD_AREA]
    precision = float(default["precision_m"].iloc[0])
    name = f"{default['name_en'].iloc[0]} ({DEFAULT_BUILD_AREA})"
    bounds = file_bounds(path)
    whole = shapely.union_all(default.geometry.values)
    if bounds is None or shapely.box(*bounds).covers(whole):
        return default, name, precision, [f"area: {name}"]
    part = shapely.intersection(whole, shapely.box(*bounds))
    if part.is_empty:
        return default, name, precision, []  # read_osm names the file's bounds
    note = (f"area: the part of {name} that {path.name} covers (its bounds "
            f"{format_bounds(bounds)}), since the file does not cover all of it")
    return gpd.GeoSeries([part], crs=WGS84), f"part of {name} covered by {path.name}", \
        precision, [note]


def _plan(plan: Plan | str | os.PathLike[str] | None) -> Plan:
    """Return the plan, the embedded extract's measurements moved to the imported area."""
    chosen = plan if isinstance(plan, Plan) else load_plan(plan)
    return chosen.with_area(EMBEDDED_EXTRACT_AREA, OSM_AREA_ID)


def _replacements(imported: OsmImport, osm_stations: bool) -> dict[str, pd.DataFrame]:
    frames = {name: imported.layers[name] for name in REPLACED_LAYERS}
    if osm_stations:
        frames["metro_stations"] = imported.layers["rail_stations"].copy()  # keeps attrs
    return frames


def build_from_osm(
    path: str | os.PathLike[str],
    area: Any = None,
    *,
    out_dir: str | os.PathLike[str] | None = None,
    maps_dir: str | os.PathLike[str] | None = None,
    margin_m: float = DEFAULT_MARGIN_M,
    osm_stations: bool = False,
    plan: Plan | str | os.PathLike[str] | None = None,
    as_of: str | dt.date | None = None,
    tianditu_key: str | None = None,
    progress: bool | None = None,
    echo: Callable[[str], None] | None = print,
) -> OsmBuild:
    """Run the main job (GeoPackage, maps, scoreboard) on an OpenStreetMap file.

    Parameters
    ----------
    path : str or os.PathLike
        ``.osm.pbf`` or ``.osm`` file, of any size.
    area : str, os.PathLike, GeoDataFrame or GeoSeries, optional
        An ``area_id`` of ``coverage_area`` or polygons in any CRS. By default the 12
        central districts (:data:`DEFAULT_BUILD_AREA`), or the part of them the file
        covers (said in the notes).
    out_dir : str or os.PathLike or None
        Folder of ``chengdu.gpkg``; None (the default) writes no GeoPackage.
    maps_dir : str or os.PathLike or None
        Folder of the HTML maps; None (the default) writes no maps.
    margin_m : float
        Margin kept around the area (:data:`gisplan.sources.osm.DEFAULT_MARGIN_M`).
    osm_stations : bool
        Measure station coverage with the file's rail stations instead of the embedded
        ``metro_stations``.
    plan : Plan, str or os.PathLike, optional
        The plan evaluated (the packaged plan by default); its measurements over
        :data:`EMBEDDED_EXTRACT_AREA` are made over the imported area.
    as_of : str or datetime.date, optional
        The day the dated targets (the embedded rail) are measured on (the latest day
        their data know by default).
    tianditu_key : str, optional
        Adds Tianditu basemaps to the maps.
    progress : bool or None
        Progress bars on stderr (None: only on a terminal).
    echo : callable, optional
        Receives the final summary; None keeps quiet.

    Returns
    -------
    OsmBuild

    Raises
    ------
    gisplan.sources.osm.OsmFileError, gisplan.sources.osm.OsmAreaError, gisplan.CRSError
        Before anything is written.
    """
    path = Path(path)
    disable = None if progress is None else not progress
    steps = ["import", "network", "targets"] + (["GeoPackage"] if out_dir is not None else [])
    steps += list(MAP_FILES.values()) if maps_dir is not None else []
    with tqdm(total=len(steps), desc="gisplan build --osm", unit="step", file=sys.stderr,
              disable=disable) as bar:
        coverage_area = load_layer("coverage_area")
        chosen, name, precision, notes = _choose_area(path, area, coverage_area)
        with tqdm(desc=f"reading {path.name}", total=100, unit="%", file=sys.stderr,
                  disable=disable, leave=False) as reading:

            def advance(share: float) -> None:
                reading.update(round(100 * share) - reading.n)

            imported = read_osm(path, chosen, margin_m=margin_m, progress=advance)
        bar.update()
        network = imported.network()
        bar.set_postfix_str(f"{network.n_nodes} nodes")
        bar.update()
        hull = gpd.GeoSeries([network.extent()], crs=network.crs).to_crs(WGS84).iloc[0]
        geometry = hull if imported.area is None else imported.area
        if area is None and imported.file_bounds is None and imported.data_box is not None:
            # no bounds: the default area where the file's own data are
            box = shapely.box(*imported.data_box)
            geometry = shapely.intersection(shapely.union_all(chosen.geometry.values), box)
            name = f"part of {DEFAULT_BUILD_AREA} where {path.name} has its data"
            notes.append(f"area: {path.name} declares no bounds; measured where its own "
                         f"data are ({format_bounds(imported.data_box)}): " + "; ".join(
                             n for n in imported.notes if "declares no bounds" in n))
        if area is None and shapely.area(shapely.difference(geometry, hull)) > 1e-3 * (
                shapely.area(geometry)):
            geometry = shapely.intersection(geometry, hull)
            name = f"part of {DEFAULT_BUILD_AREA} within the streets of {path.name}"
            notes.append(f"area: only the part of {DEFAULT_BUILD_AREA} within the walking "
                         f"network's hull is measured; {path.name} holds no streets elsewhere")
        row = _area_row(geometry, name, f"Area measured on OpenStreetMap file {path.name} "
                        f"({imported.source}): {name}.", precision)
        layers = collect_layers()
        catalogue = set(list_layers())
        layers.update(_replacements(imported, osm_stations))
        areas = pd.concat([layers["coverage_area"], row], ignore_index=True)
        areas = gpd.GeoDataFrame(areas, geometry="geometry", crs=WGS84)
        areas.attrs["gisplan"] = layers["coverage_area"].attrs.get("gisplan", {})
        layers["coverage_area"] = areas
        for extra in ("rail_stations", "cycleways"):
            layers[f"osm_{extra}"] = imported.layers[extra]
        with replaced_layers({k: v for k, v in layers.items() if k in catalogue}):
            evaluation = evaluate(_plan(plan), network=network, as_of=as_of)
            everything = {**layers, **analysis_layers(evaluation, history=True)}
        bar.update()
        result = OsmBuild(imported, row, everything, evaluation, notes=notes)
        if out_dir is not None:
            result.written.append(write_geopackage(everything, Path(out_dir) / GEOPACKAGE_NAME))
            bar.update()
        if maps_dir is not None:
            for key, filename in MAP_FILES.items():
                bar.set_postfix_str(filename)
                result.written += write_maps(everything, maps_dir, tianditu_key=tianditu_key,
                                             which=[key])
                bar.update()
    if echo is not None:
        echo(result.summary())
    return result

