"""Benchmark of network station coverage on a synthetic walking network.

Usage::

    python benchmarks/coverage_bench.py --nodes 200000 --stations 400 --json

Builds a jittered street grid of about ``--nodes`` nodes (100 m spacing, +-25 m
jitter, 10 % of the edges removed), picks ``--stations`` station nodes, and times in
one run:

* ``gisplan_s``: :func:`gisplan.station_coverage` with ``method="network"`` end to end
  (snapping, distances, covered share and covered-area geometry, built on its default
  grid of 12.5 m cells);
* ``gisplan_distance_s``: gisplan's distance step alone (one Dijkstra pass from a
  virtual source joined to the snapped stations);
* ``area_grid_s`` and ``area_exact_s``: the covered-area step alone from the same reached
  street parts, on the grid and exactly (GEOS buffer of every part and dissolve, as
  ``exact_area=True``), with ``grid_vs_exact`` = grid area / exact area - 1;
* ``scipy_dijkstra_s``: the floor, ``scipy.sparse.csgraph.dijkstra(graph,
  indices=stations, min_only=True, limit=800)`` on the same symmetric CSR matrix;
* ``per_station_networkx_s``: the osmnx isochrone-example approach,
  ``networkx.ego_graph(G, station, radius=800, distance="length")`` per station and the
  union of the reached nodes; with ``--networkx-sample K`` only K stations are run and
  the time is extrapolated (the output says so).

It checks that all methods agree on the covered nodes, then prints one JSON line with
the ratios ``overhead_vs_scipy`` (gisplan's distance step / the floor),
``speedup_vs_per_station`` (networkx / gisplan's distance step: both find the reached
nodes) and ``area_overhead_vs_scipy`` (gisplan end to end / the floor).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time

import geopandas as gpd
import networkx as nx
import numpy as np
import shapely
from scipy.sparse.csgraph import dijkstra

from gisplan.analysis._network_cover import reached_intervals, street_cover
from gisplan.analysis.coverage import DEFAULT_ACCESS_M, station_coverage
from gisplan.crs import METRIC_CRS
from gisplan.network import WalkNetwork, network_from_edges

RADIUS = 800.0
SPACING = 100.0
JITTER = 25.0
REMOVED = 0.10
TIE_TOLERANCE = 1e-6


def synthetic_network(nodes: int, seed: int) -> WalkNetwork:
    rng = np.random.default_rng(seed)
    side = max(2, round(np.sqrt(nodes)))
    gx, gy = np.meshgrid(np.arange(side) * SPACING, np.arange(side) * SPACING)
    xy = np.stack([gx.ravel(), gy.ravel()], axis=1) + 500_000.0
    xy += rng.uniform(-JITTER, JITTER, xy.shape)
    ids = np.arange(side * side).reshape(side, side)
    u = np.concatenate([ids[:, :-1].ravel(), ids[:-1, :].ravel()])
    v = np.concatenate([ids[:, 1:].ravel(), ids[1:, :].ravel()])
    keep = rng.random(len(u)) >= REMOVED
    u, v = u[keep], v[keep]
    lines = shapely.linestrings(np.stack([xy[u], xy[v]], axis=1))
    return network_from_edges(gpd.GeoSeries(lines, crs=METRIC_CRS), source="synthetic grid")


def timed(func, *args, repeat: int = 1, **kwargs):
    """Return the value and the best wall time of ``repeat`` calls (as timeit does)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        value = func(*args, **kwargs)
        best = min(best, time.perf_counter() - start)
    return value, best


def covered_nodes(dist: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nodes within the radius, and nodes too close to the radius to compare."""
    return dist <= RADIUS, np.abs(dist - RADIUS) < TIE_TOLERANCE


def per_station_networkx(net: WalkNetwork, stations: np.ndarray) -> tuple[set[int], float]:
    graph = nx.Graph()
    graph.add_weighted_edges_from(
        zip(net.edge_u.tolist(), net.edge_v.tolist(), net.edge_length.tolist(), strict=True),
        weight="length",
    )
    start = time.perf_counter()
    reached: set[int] = set()
    for station in stations.tolist():
        reached.update(nx.ego_graph(graph, station, radius=RADIUS, distance="length").nodes)
    return reached, time.perf_counter() - start


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run(nodes: int, stations: int, sample: int | None, seed: int, repeat: int) -> dict:
    net, build_s = timed(synthetic_network, nodes, seed)
    rng = np.random.default_rng(seed + 1)
    station_nodes = rng.choice(net.n_nodes, size=stations, replace=False)
    points = gpd.GeoSeries(shapely.points(net.node_xy[station_nodes]), crs=METRIC_CRS)
    lo, hi = net.node_xy.min(axis=0), net.node_xy.max(axis=0)
    area = gpd.GeoSeries([shapely.box(*lo, *hi)], crs=METRIC_CRS)

    result, gisplan_s = timed(station_coverage, points, area, method="network", network=net,
                              repeat=repeat)
    sources, _ = net.snap(points.values, max_distance=RADIUS)
    gis_dist, gisplan_distance_s = timed(net.distances, sources, RADIUS, repeat=repeat)
    floor, scipy_s = timed(dijkstra, net.graph, directed=True, indices=station_nodes,
                           min_only=True, limit=RADIUS, repeat=repeat)
    parts = reached_intervals(net, gis_dist, sources, RADIUS)
    area_geom = area.iloc[0]
    grid, grid_s = timed(street_cover, net, parts, DEFAULT_ACCESS_M, area_geom, False,
                         repeat=repeat)
    gisplan_rss = rss_mb()
    exact, exact_s = timed(street_cover, net, parts, DEFAULT_ACCESS_M, area_geom, True)

    gis_cov, gis_tie = covered_nodes(gis_dist)
    floor_cov, floor_tie = covered_nodes(floor)
    comparable = ~(gis_tie | floor_tie)
    if not np.array_equal(gis_cov[comparable], floor_cov[comparable]):
        raise SystemExit("gisplan and scipy disagree on the covered nodes")

    sampled = stations if sample is None else min(sample, stations)
    nx_stations = station_nodes[:sampled]
    reached, nx_s = per_station_networkx(net, nx_stations)
    reference = floor if sampled == stations else dijkstra(
        net.graph, directed=True, indices=nx_stations, min_only=True, limit=RADIUS)
    ref_cov, ref_tie = covered_nodes(reference)
    nx_cov = np.zeros(net.n_nodes, dtype=bool)
    nx_cov[list(reached)] = True
    if not np.array_equal(nx_cov[~ref_tie], ref_cov[~ref_tie]):
        raise SystemExit("networkx ego_graph and scipy disagree on the covered nodes")
    per_station_s = nx_s * stations / sampled

    return {
        "nodes": net.n_nodes,
        "edges": net.n_edges,
        "stations": stations,
        "repeat": repeat,
        "covered_nodes": int(gis_cov.sum()),
        "share": round(result.share, 6),
        "network_build_s": round(build_s, 4),
        "gisplan_s": round(gisplan_s, 4),
        "gisplan_distance_s": round(gisplan_distance_s, 5),
        "scipy_dijkstra_s": round(scipy_s, 5),
        "area_grid_s": round(grid_s, 4),
        "area_exact_s": round(exact_s, 4),
        "grid_vs_exact": round(grid.area / exact.area - 1.0, 5),
        "per_station_networkx_s": round(per_station_s, 4),
        "networkx_stations_timed": sampled,
        "networkx_extrapolated": sampled < stations,
        "overhead_vs_scipy": round(gisplan_distance_s / scipy_s, 3),
        "speedup_vs_per_station": round(per_station_s / gisplan_distance_s, 1),
        "area_overhead_vs_scipy": round(gisplan_s / scipy_s, 1),
        "gisplan_peak_rss_mb": round(gisplan_rss, 1),
        "peak_rss_mb": round(rss_mb(), 1),
        "agree": True,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=200_000)
    parser.add_argument("--stations", type=int, default=400)
    parser.add_argument("--networkx-sample", type=int, default=None,
                        help="time networkx on this many stations and extrapolate")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=5,
                        help="best of this many runs for the fast steps (networkx and the "
                             "exact area run once)")
    parser.add_argument("--json", action="store_true", help="print only the JSON line")
    args = parser.parse_args(argv)
    out = run(args.nodes, args.stations, args.networkx_sample, args.seed, args.repeat)
    if not args.json:
        for key, value in out.items():
            print(f"{key:26s} {value}")
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
