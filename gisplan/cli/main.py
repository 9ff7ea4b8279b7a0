"""The ``gisplan`` command: layers, GeoPackage and maps, coverage, scoreboard, geocoding.

Run ``gisplan --help`` or ``gisplan COMMAND --help``. Errors are reported on stderr
with exit code 1 (2 for command-line usage errors), never as a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
from tqdm import tqdm

from gisplan._errors import (
    AmbiguousNameError,
    CoverageInputError,
    GeocodeError,
    GisplanError,
    GisplanWarning,
    IncompleteDataWarning,
)
from gisplan._validate import positive_distance
from gisplan._version import __version__
from gisplan.catalogue import load_area
from gisplan.catalogue.layers import layer_metadata, list_layers, load_layer
from gisplan.outputs.maps import MAP_FILES
from gisplan.outputs.maps.basemaps import tianditu
from gisplan.pipeline.main import write_outputs

__all__ = ["main"]

DEFAULT_AREAS = {("stations", "euclidean"): "core_five_districts",
                 ("stations", "network"): "central_osm_extract",
                 ("parks", "euclidean"): "central_osm_extract",
                 ("parks", "network"): "central_osm_extract"}
"""``area_id`` of the ``coverage_area`` row measured when ``--area`` is not given: one
inside the extent where the data of the command are complete (stations: the city;
parks and the walking network: the central OSM extract)."""
COVERAGE_LAYERS = {"stations": "metro_stations", "parks": "parks"}


def _cmd_layers(args: argparse.Namespace) -> int:
    names = args.names or list_layers()
    metas = [layer_metadata(name) for name in names]  # unknown names fail before output
    print(f"{'layer':28s} {'features':>8s}  {'sources':30s} licence")
    for name, meta in zip(names, metas, strict=True):
        count = len(load_layer(name))
        sources = ",".join(s["id"] for s in meta["sources"])
        print(f"{name:28s} {count:8d}  {sources:30s} {meta['licence']}")
    return 0


def _run_outputs(out: Path | None, maps_dir: Path | None, tianditu_key: str | None) -> int:
    if tianditu_key is not None:
        tianditu(tianditu_key)  # a malformed key fails before anything is written
    total = (1 if out is not None else 0) + (len(MAP_FILES) if maps_dir is not None else 0) + 1
    with tqdm(total=total, desc="gisplan", unit="step", file=sys.stderr,
              disable=None) as bar:

        def progress(step: str) -> None:
            bar.set_postfix_str(step)
            bar.update()

        paths = write_outputs(out, maps_dir, tianditu_key=tianditu_key, progress=progress)
    for path in paths:
        print(f"wrote {path}")
    return 0


def _cmd_build(args: argparse.Namespace) -> int:
    if args.osm is not None:
        return _build_osm(args)
    if args.area is not None or args.osm_stations or args.margin is not None:
        raise GisplanError("--area, --margin and --osm-stations need --osm FILE")
    return _run_outputs(args.out, None if args.no_maps else args.maps_dir, args.tianditu_key)


def _build_osm(args: argparse.Namespace) -> int:
    from gisplan.pipeline.osm_build import build_from_osm
    from gisplan.sources.osm import DEFAULT_MARGIN_M

    if args.tianditu_key is not None:
        tianditu(args.tianditu_key)  # a malformed key fails before anything is read
    result = build_from_osm(
        args.osm, args.area, out_dir=args.out,
        maps_dir=None if args.no_maps else args.maps_dir,
        margin_m=DEFAULT_MARGIN_M if args.margin is None else args.margin,
        osm_stations=args.osm_stations, tianditu_key=args.tianditu_key)
    for path in result.written:
        print(f"wrote {path}")
    return 0


def _cmd_map(args: argparse.Namespace) -> int:
    return _run_outputs(None, args.out, args.tianditu_key)


def _cmd_chart(args: argparse.Namespace) -> int:
    from gisplan.pipeline.main import write_chart

    for path in write_chart(args.out):
        print(f"wrote {path}")
    return 0


def _read_area(spec: str) -> gpd.GeoDataFrame:
    """Return the area to measure: an ``area_id`` of ``coverage_area`` or a polygon file."""
    return load_area(spec, what=f"--area {spec!r}")


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):
        return _jsonable(value.item())
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def _positive(option: str) -> Callable[[str], float]:
    """Return an argument type: a finite positive number (the API's check), named ``option``."""

    def parse(text: str) -> float:
        try:
            return positive_distance(text, option)
        except CoverageInputError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from exc

    return parse


def _non_negative(option: str) -> Callable[[str], float]:
    """Return an argument type: a finite number of metres, 0 or more, named ``option``."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or value < 0:
            raise argparse.ArgumentTypeError(
                f"{option} must be a finite distance in metres, 0 or more (for example "
                f"{option}=1000), got {text!r}")
        return value

    return parse


def _cmd_coverage(args: argparse.Namespace) -> int:
    from gisplan.analysis.coverage import park_coverage, station_coverage

    area = _read_area(args.area or DEFAULT_AREAS[args.what, args.method])
    data = load_layer(COVERAGE_LAYERS[args.what], args.data)
    common = {"method": args.method, "groups": load_layer("districts"),
              "exact_area": args.exact_area, "strict": args.strict}
    if args.radius is not None:
        common["radius"] = args.radius
    measure = station_coverage if args.what == "stations" else park_coverage
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", IncompleteDataWarning)
            result = measure(data, area, **common)
    except CoverageInputError as exc:
        raise CoverageInputError(
            f"{exc}. On the command line, pass --area with an area where the data are "
            "complete (an area_id of layer coverage_area or a polygon file), or --data "
            f"with a {COVERAGE_LAYERS[args.what]} file covering the area"
            + (" (a walking network other than the central extract is available through "
               "the API)" if args.method == "network" else "")
        ) from exc
    warned = [str(w.message) for w in caught if issubclass(w.category, IncompleteDataWarning)]
    for other in caught:
        if not issubclass(other.category, IncompleteDataWarning):
            warnings.warn_explicit(other.message, other.category, other.filename, other.lineno)
    by_group = result.by_group
    if args.json:
        report = {
            "indicator": args.what, "share": result.share, "covered_km2": result.covered_km2,
            "total_km2": result.total_km2, "population_share": result.population_share,
            "params": result.params, "notes": result.notes, "warnings": warned,
            "by_group": by_group.to_dict(orient="records"),
        }
        print(json.dumps(_jsonable(report), ensure_ascii=False, indent=1))
        return 0
    print(f"{args.what} coverage ({result.params.get('method')}, area "
          f"{result.params.get('area')}): {result.share:.1%} of {result.total_km2:.1f} km2 "
          f"({result.covered_km2:.1f} km2 covered)")
    if len(by_group):
        table = by_group.copy()
        table["share"] = table["share"].map("{:.1%}".format)
        print(table.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    for note in result.notes:
        print(f"{'warning' if note in warned else 'note'}: {note}")
    return 0


def _cmd_access(args: argparse.Namespace) -> int:
    from gisplan.cli.access import access_report

    report, text = access_report(args.what, _read_area(args.area), method=args.method,
                                 radius=args.radius, minutes=args.minutes,
                                 residential=args.residential)
    print(json.dumps(_jsonable(report), ensure_ascii=False, indent=1) if args.json else text)
    return 0


def _as_of_date(text: str) -> dt.date:
    from gisplan.catalogue.dates import parse_date

    try:
        return parse_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _cmd_scoreboard(args: argparse.Namespace) -> int:
    from gisplan.plan import format_scoreboard, scoreboard

    table = scoreboard(args.plan, as_of=args.as_of)
    if args.json:
        print(table.to_json(orient="records", force_ascii=False, indent=1))
    else:
        print(format_scoreboard(table))
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from gisplan.pipeline.report import report

    if args.osm is not None and not args.osm.exists():
        raise GisplanError(f"--osm {str(args.osm)!r} does not exist; pass an OpenStreetMap "
                           ".osm.pbf or .osm file")
    report(args.out, as_of=args.as_of, area=args.area, osm=args.osm, plan=args.plan,
           pdf=not args.no_pdf, echo=print)
    return 0


def _cmd_geocode(args: argparse.Namespace) -> int:
    from gisplan.sources.geocoder import geocode

    try:
        found = geocode(args.name, layer=args.layer)
    except AmbiguousNameError as exc:
        print(f"gisplan: error: {exc.finding or exc}. Pass --layer LAYER (one of the layers "
              "listed) or a fuller name", file=sys.stderr)
        return 3
    except GeocodeError as exc:
        print(f"gisplan: error: {exc.finding or exc}", file=sys.stderr)
        return 1
    record = {"query": found.query, "name_zh": found.name_zh, "name_en": found.name_en,
              "lon": round(found.lon, 7), "lat": round(found.lat, 7),
              "precision_m": found.precision_m, "layer": found.layer, "source": found.source,
              "geocode_method": found.geocode_method}
    if args.json:
        print(json.dumps(record, ensure_ascii=False))
    else:
        print(f"{found.name_zh or ''} {found.name_en or ''}: {found.lon:.6f}, {found.lat:.6f} "
              f"(±{found.precision_m:.0f} m, layer {found.layer}, source {found.source})")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gisplan", description="Layers and spatial targets of Chengdu's 14th Five-Year Plan.",
        epilog="examples: gisplan build --out build; gisplan coverage stations --json; "
        "gisplan geocode 天府广场",
    )
    parser.add_argument("--version", action="version", version=f"gisplan {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    layers = commands.add_parser("layers", help="list the layers: name, features, source, licence",
                                 description="List catalogue layers with feature counts, "
                                 "source ids and licence.")
    layers.add_argument("names", nargs="*", metavar="NAME", help="only these layers")
    layers.set_defaults(func=_cmd_layers)

    key_help = "Tianditu key (tk); adds Tianditu basemaps (the key is written into the HTML)"
    build = commands.add_parser("build", help="write the GeoPackage and the HTML maps",
                                description="Write <out>/chengdu.gpkg (every layer and analysis "
                                "output, QGIS styles, metadata) and the HTML maps.")
    build.add_argument("--out", type=Path, default=Path("build"),
                       help="folder of the GeoPackage (default: build)")
    build.add_argument("--maps-dir", type=Path, default=Path("maps"),
                       help="folder of the HTML maps (default: maps)")
    build.add_argument("--no-maps", action="store_true", help="write the GeoPackage only")
    build.add_argument("--tianditu-key", help=key_help)
    build.add_argument("--osm", type=Path, metavar="FILE",
                       help="run on an OpenStreetMap .osm.pbf/.osm file of any size instead "
                       "of the embedded extract (walking network, parks, water, facilities, "
                       "residential land)")
    build.add_argument("--area", metavar="NAME|FILE",
                       help="with --osm: an area_id of coverage_area or a polygon file in any "
                       "CRS (default: the 12 central districts, or the part the file covers)")
    build.add_argument("--margin", type=_non_negative("--margin"), metavar="M",
                       help="with --osm: metres kept around the area (default: 1000)")
    build.add_argument("--osm-stations", action="store_true",
                       help="with --osm: measure station coverage with the file's rail "
                       "stations instead of the embedded metro_stations")
    build.set_defaults(func=_cmd_build)

    fmap = commands.add_parser("map", help="write the HTML maps",
                               description="Write the self-contained HTML maps: "
                               + ", ".join(MAP_FILES.values()) + ".")
    fmap.add_argument("--out", type=Path, default=Path("maps"),
                      help="output folder (default: maps)")
    fmap.add_argument("--tianditu-key", help=key_help)
    fmap.set_defaults(func=_cmd_map)

    chart = commands.add_parser("chart", help="chart of the rail network year by year",
                                description="Operating rail length by mode and 800 m station "
                                "coverage at the end of each year since 2010, with the plan's "
                                "targets and the plan period shaded (PNG and SVG).")
    chart.add_argument("--out", type=Path, default=Path("maps"),
                       help="output folder (default: maps)")
    chart.set_defaults(func=_cmd_chart)

    coverage = commands.add_parser(
        "coverage", help="share of an area within reach of rail stations or parks",
        description="Rail-station 800 m coverage (plan L2464) or park service-radius "
        "coverage (plan L1849, GB/T 50563), overall and per district.")
    coverage.add_argument("what", choices=("stations", "parks"), help="what to measure")
    coverage.add_argument("--method", choices=("euclidean", "network"), default="euclidean",
                          help="straight-line or walking distance (default: euclidean)")
    coverage.add_argument("--area", metavar="FILE|AREA_ID",
                          help="polygon file (with a CRS) or an area_id of layer coverage_area "
                          "(default: where the data are complete: core_five_districts for "
                          "stations, central_osm_extract for parks and the network method)")
    coverage.add_argument("--radius", type=_positive("--radius"), metavar="M",
                          help="radius in metres (stations: 800; parks: by size class; a "
                          "radius given applies to every real park, never to schematic "
                          "drawings or non-park green)")
    coverage.add_argument("--data", type=Path, metavar="FILE",
                          help="your own stations or parks file (with a CRS) instead of the "
                          "embedded layer, e.g. for an area beyond its extent")
    coverage.add_argument("--strict", action="store_true",
                          help="fail when the area reaches beyond the extent where the data "
                          "are complete (default: a warning)")
    coverage.add_argument("--exact-area", action="store_true",
                          help="network method: dissolve the street buffers exactly (slow) "
                          "instead of on the 12.5 m grid")
    coverage.add_argument("--json", action="store_true", help="print JSON")
    coverage.set_defaults(func=_cmd_coverage)

    access = commands.add_parser(
        "access", help="walking access to a facility category or a GB 50180 life circle",
        description="Share of an area (and of its residential land) within a walk of a "
        "facility category (e.g. primary_school, market|supermarket) or of every facility "
        "of a life circle (5min, 10min, 15min; GB 50180-2018).")
    access.add_argument("what", metavar="CATEGORY|CIRCLE",
                        help="facility category, categories joined by '|', or a circle")
    access.add_argument("--area", default="central_osm_extract", metavar="FILE|AREA_ID",
                        help="polygon file or area_id of coverage_area inside the walking "
                        "network (default: central_osm_extract)")
    access.add_argument("--method", choices=("network", "euclidean"), default="network",
                        help="walking or straight-line distance (default: network)")
    access.add_argument("--radius", type=_positive("--radius"), metavar="M",
                        help="distance in metres (default: the circle's, or that of the "
                        "first circle requiring the category)")
    access.add_argument("--minutes", type=_positive("--minutes"), metavar="MIN",
                        help="walking time instead of --radius (60 m per minute)")
    access.add_argument("--residential", action="store_true",
                        help="also measure over the residential land (layer residential_land)")
    access.add_argument("--json", action="store_true", help="print JSON")
    access.set_defaults(func=_cmd_access)

    scoreboard = commands.add_parser("scoreboard", help="the plan's spatial targets, measured",
                                     description="Each measurable target of the plan with "
                                     "its value and status.")
    scoreboard.add_argument("--json", action="store_true", help="print JSON")
    scoreboard.add_argument("--plan", type=Path, metavar="FILE",
                            help="a plan file (TOML) to evaluate instead of the packaged plan")
    scoreboard.add_argument("--as-of", type=_as_of_date, metavar="YYYY-MM-DD",
                            help="measure the rail targets on this day (default today); "
                            "2020 and 2025 columns are the plan's baseline and end")
    scoreboard.set_defaults(func=_cmd_scoreboard)

    report = commands.add_parser(
        "report", help="the end-of-period evaluation report (HTML and PDF)",
        description="Write the evaluation report of the plan: every target at the baseline, "
        "the end of the period and the date of the data, with charts, static maps and what "
        "the data cannot tell; <out>/index.html (self-contained), headline.csv and, where "
        "Chromium or WeasyPrint is installed, report.pdf.")
    report.add_argument("--out", type=Path, default=Path("build/report"),
                        help="folder of the report (default: build/report)")
    report.add_argument("--as-of", type=_as_of_date, metavar="YYYY-MM-DD",
                        help="the day of the 'data of' column (default: the latest day the "
                        "dated data know)")
    report.add_argument("--area", metavar="NAME|FILE",
                        help="an area_id of coverage_area or a polygon file: every area "
                        "measurement is made over it (with --osm: the area imported)")
    report.add_argument("--osm", type=Path, metavar="FILE",
                        help="an OpenStreetMap .osm.pbf/.osm file whose streets, parks, "
                        "water and facilities replace the embedded ones")
    report.add_argument("--plan", type=Path, metavar="FILE",
                        help="a plan file (TOML) instead of the packaged plan")
    report.add_argument("--no-pdf", action="store_true", help="write the HTML page only")
    report.set_defaults(func=_cmd_report)

    geocode = commands.add_parser("geocode", help="find a named place of the plan",
                                  description="Look a name (Chinese, pinyin or English) up in "
                                  "the layers; exit code 3 when it is ambiguous.")
    geocode.add_argument("name", metavar="NAME", help="place name, e.g. 天府广场")
    geocode.add_argument("--layer", help="search this layer only")
    geocode.add_argument("--json", action="store_true", help="print JSON")
    geocode.set_defaults(func=_cmd_geocode)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``gisplan`` command line; return the exit code.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; ``sys.argv[1:]`` by default.

    Returns
    -------
    int
        0 on success, 1 on a gisplan error (the message goes to stderr), 2 on a usage
        error, 3 for an ambiguous geocoding query.
    """
    args = _parser().parse_args(argv)
    with warnings.catch_warnings():
        warnings.simplefilter("always", GisplanWarning)  # shown, once per message
        warnings.showwarning = _one_line_warning
        try:
            return int(args.func(args))
        except (GisplanError, OSError) as exc:
            print(f"gisplan: error: {exc}", file=sys.stderr)
            return 1


def _one_line_warning(message: Warning | str, category: type[Warning], filename: str,
                      lineno: int, file: Any = None, line: str | None = None) -> None:
    """Print a warning as one ``warning: ...`` line on stderr (no source file or line)."""
    print(f"warning: {message}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
