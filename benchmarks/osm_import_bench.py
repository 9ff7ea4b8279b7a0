"""Benchmark: importing an OpenStreetMap city with gisplan and with osmnx, pyrosm and pyosmium.

Writes a synthetic city PBF of about ``--nodes`` street nodes (a street grid 100 m
apart cut into ways of 10 blocks, parks, residential land, schools and rail stations;
see ``benchmarks/synthetic_osm.py``), the same data as OSM XML, and a file ``--copies``
(4) times larger that holds the same city among the others (2 km apart). Then, in one run,
each in its own child process (so that each peak memory is its own):

* ``gisplan_s``: ``gisplan.sources.osm.read_osm(city, area)`` (every layer), the walking network
  (``network_build_s``) and the 800 m walking coverage of the city by its stations
  (``coverage_s``), end to end;
* ``clip_s``: the same on the larger file, clipped to the same city;
* ``osmnx_s``: ``osmnx.graph_from_xml`` on the XML (the path osmnx documents for files);
* ``pyrosm_s``: ``pyrosm.OSM(city).get_network(network_type="walking")``;
* ``pyosmium_s``: pyosmium (libosmium) reading the walkable ways with their node locations
  into coordinate arrays, the C++ reader gisplan's own decoder is measured against;
* ``edges_build_best_s``: ``gisplan.network_from_edges`` on the imported ``walk_edges``
  lines (a user's street centre lines take this path), against ``arrays_build_best_s``,
  the build from the reader's arrays (``OsmImport.network``), each the best of
  ``REPEAT`` runs: ``edges_over_arrays`` is their ratio.

The peers do less than ``gisplan_s`` (no parks, facilities or coverage), so the
speed-ups are conservative. A peer that is not installed, fails or runs past
``--timeout`` is reported with the reason instead of a time. The last line printed
is one JSON object.

Run: ``python benchmarks/osm_import_bench.py --nodes 1000000 --json``.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing as mp
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import osmium
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.coverage_bench import rss_mb
from benchmarks.synthetic_osm import write_city

GAP_M = 2000.0
"""Distance between the cities of the larger file (beyond the import margin)."""
REPEAT = 3
"""Runs of the fast network builds, of which the best is reported (as ``timeit`` does)."""
STATIONS_PER_SIDE = 20
"""Stations along each side of the city: 400 stations, as in ``coverage_bench.py``."""


def _best(job: Callable[[], Any], repeat: int = REPEAT) -> tuple[float, Any]:
    """Best time of ``repeat`` runs (as ``timeit`` reports), and the last result."""
    best, out = math.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        out = job()
        best = min(best, time.perf_counter() - start)
    return best, out


def _gisplan(path: str, box: tuple[float, ...]) -> dict[str, Any]:
    import gisplan
    from gisplan.network import network_from_edges
    from gisplan.sources.osm import read_osm

    area = gpd.GeoSeries([shapely.box(*box)], crs="EPSG:4326")
    start = time.perf_counter()
    imported = read_osm(path, area)
    read = time.perf_counter()
    network = imported.network()
    built = time.perf_counter()
    result = gisplan.station_coverage(imported.layers["rail_stations"], area,
                                      method="network", network=network)
    done = time.perf_counter()

    def rebuild() -> Any:
        imported._network = None
        return imported.network()

    build_s, _ = _best(rebuild)
    edges_s, _ = _best(lambda: network_from_edges(imported.layers["walk_edges"]))
    return {"s": done - start, "import_s": read - start, "network_build_s": built - read,
            "coverage_s": done - built, "share": result.share, "nodes": network.n_nodes,
            "edges": network.n_edges, "arrays_build_best_s": build_s,
            "edges_build_best_s": edges_s}


def _osmnx(xml: str) -> dict[str, Any]:
    import osmnx

    start = time.perf_counter()
    graph = osmnx.graph_from_xml(xml)
    return {"s": time.perf_counter() - start, "nodes": graph.number_of_nodes(),
            "edges": graph.number_of_edges()}


def _pyrosm(path: str) -> dict[str, Any]:
    import pyrosm

    start = time.perf_counter()
    edges = pyrosm.OSM(path).get_network(network_type="walking")
    return {"s": time.perf_counter() - start, "edges": len(edges)}


def _pyosmium(path: str) -> dict[str, Any]:
    import numpy as np

    from gisplan.standards.walk_filter import is_walkable

    start = time.perf_counter()
    coords: list[tuple[float, float]] = []
    ways = 0
    for obj in osmium.FileProcessor(path).with_locations():
        if obj.is_way() and "highway" in obj.tags and is_walkable(dict(obj.tags)):
            coords.extend((node.lon, node.lat) for node in obj.nodes)
            ways += 1
    xy = np.asarray(coords)
    return {"s": time.perf_counter() - start, "ways": ways, "vertices": len(xy)}


def _child(job: Callable[..., dict[str, Any]], args: tuple[Any, ...], pipe: Any) -> None:
    try:
        out = job(*args)
        out["peak_rss_mb"] = round(rss_mb(), 1)
        pipe.send(out)
    except BaseException as exc:  # reported, not raised: the other peers still run
        pipe.send({"error": f"{type(exc).__name__}: {exc}".splitlines()[0][:300],
                   "trace": traceback.format_exc()[-600:]})


def _run(job: Callable[..., dict[str, Any]], args: tuple[Any, ...], timeout: float
         ) -> dict[str, Any]:
    """Run ``job`` in a fresh child process; its result, or why there is none."""
    context = mp.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(job, args, send))
    process.start()
    if receive.poll(timeout):
        out = receive.recv()
        process.join()
        return out
    process.kill()
    process.join()
    return {"error": f"did not finish within the {timeout:.0f} s timeout", "timeout": True}


def _copy(pbf: Path, out: Path, options: str) -> None:
    """Write ``pbf`` again in another format (libosmium, in C++)."""
    osmium.apply(osmium.io.Reader(str(pbf)),
                 osmium.SimpleWriter(osmium.io.File(str(out), options), overwrite=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=200_000, help="street nodes of the city")
    parser.add_argument("--timeout", type=float, default=360.0,
                        help="seconds after which a peer is stopped (default 360)")
    parser.add_argument("--skip", nargs="*", default=[], choices=["osmnx", "pyrosm", "pyosmium"],
                        help="peers not to run")
    parser.add_argument("--copies", type=int, default=4,
                        help="cities in the larger file that clip_s reads (default 4)")
    parser.add_argument("--json", action="store_true", help="print the JSON line only")
    args = parser.parse_args()
    began = time.perf_counter()
    side = max(10, round(math.sqrt(args.nodes)))
    report: dict[str, Any] = {"nodes": side * side, "copies": args.copies}
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        city_pbf, big_pbf, city_xml = tmp / "city.osm.pbf", tmp / "big.osm.pbf", tmp / "city.osm"
        start = time.perf_counter()
        every = max(5, side // STATIONS_PER_SIDE)
        city = write_city(city_pbf, side, gap_m=GAP_M, station_every=every)
        write_city(big_pbf, side, copies=args.copies, gap_m=GAP_M, station_every=every)
        _copy(city_pbf, city_xml, "osm")
        report["write_s"] = round(time.perf_counter() - start, 1)
        report["stations"] = city.stations
        report["file_mb"] = round(city_pbf.stat().st_size / 2**20, 1)
        report["big_file_mb"] = round(big_pbf.stat().st_size / 2**20, 1)
        box = city.box
        ours = _run(_gisplan, (str(city_pbf), box), args.timeout * 2)
        clipped = _run(_gisplan, (str(big_pbf), box), args.timeout * 2)
        if "error" in ours or "error" in clipped:
            raise SystemExit(f"gisplan failed: {ours.get('trace') or clipped.get('trace')}")
        report.update({
            "gisplan_s": round(ours["s"], 3), "import_s": round(ours["import_s"], 3),
            "network_build_s": round(ours["network_build_s"], 3),
            "coverage_s": round(ours["coverage_s"], 3), "share": round(ours["share"], 5),
            "network_nodes": ours["nodes"], "network_edges": ours["edges"],
            "clip_s": round(clipped["s"], 3), "clip_import_s": round(clipped["import_s"], 3),
            "clip_share": round(clipped["share"], 5),
            "arrays_build_best_s": round(ours["arrays_build_best_s"], 3),
            "edges_build_best_s": round(ours["edges_build_best_s"], 3),
            "peak_rss_mb": ours["peak_rss_mb"], "clip_peak_rss_mb": clipped["peak_rss_mb"],
        })
        peers = {"osmnx": (_osmnx, (str(city_xml),)), "pyrosm": (_pyrosm, (str(city_pbf),)),
                 "pyosmium": (_pyosmium, (str(city_pbf),))}
        for name, (job, job_args) in peers.items():
            if name in args.skip:
                report[f"{name}_s"] = None
                report[f"{name}_why_not"] = "skipped with --skip"
                continue
            out = _run(job, job_args, args.timeout)
            if "error" in out:
                report[f"{name}_s"] = None
                report[f"{name}_why_not"] = out["error"]
                if out.get("timeout"):  # it ran at least that long: a lower bound
                    report[f"speedup_vs_{name}_at_least"] = round(
                        args.timeout / report["gisplan_s"], 2)
            else:
                report[f"{name}_s"] = round(out["s"], 3)
                report[f"{name}_peak_rss_mb"] = out["peak_rss_mb"]
            if not args.json:
                print(f"{name}: {out}", file=sys.stderr)
    for name in ("osmnx", "pyrosm", "pyosmium"):
        peer = report.get(f"{name}_s")
        report[f"speedup_vs_{name}"] = round(peer / report["gisplan_s"], 2) if peer else None
    report["build_over_query"] = round(report["network_build_s"] / report["coverage_s"], 2)
    report["edges_over_arrays"] = round(report["edges_build_best_s"]
                                        / report["arrays_build_best_s"], 2)
    report["clip_over_gisplan"] = round(report["clip_s"] / report["gisplan_s"], 2)
    report["total_s"] = round(time.perf_counter() - began, 1)
    if not args.json:
        for key, value in report.items():
            print(f"{key:22s} {value}")
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
