"""Benchmark of nearest-facility distances on a synthetic walking network.

Usage::

    python benchmarks/accessibility_bench.py --nodes 200000 --categories 8 --json

Builds the jittered street grid of ``coverage_bench.py`` (about ``--nodes`` nodes,
100 m spacing), places ``--facilities`` facilities of each of ``--categories``
categories on random nodes, and times, in one run, the walking distance from every
node to the nearest facility of every category, up to ``--limit`` metres (1,000, the
15-minute circle):

* ``gisplan_s``: :func:`gisplan.analysis.access.facility_node_distances` (snapping the facility
  points to the streets, one Dijkstra pass per category over one matrix);
  ``gisplan_frame_s``: :func:`gisplan.nearest_facility_distances`, the same plus the
  GeoDataFrame of node points with a column per category;
* ``floor_s``: ``scipy.sparse.csgraph.dijkstra(graph, indices=<facility nodes>,
  min_only=True, limit=limit)``, once per category, on the same CSR matrix;
* ``pandana_build_s``, ``pandana_precompute_s`` and ``pandana_query_s``: building
  ``pandana.Network`` (its contraction hierarchies), ``Network.precompute(limit)`` (range
  queries; both done once per network) and ``set_pois`` +
  ``nearest_pois(limit, category, num_pois=1)`` for every category;
* ``networkx_s``: ``networkx.multi_source_dijkstra_path_length(G, facilities,
  cutoff=limit)`` per category; with ``--networkx-categories k`` only k categories are
  run and the time is scaled (the output says so);
* ``cityseer_s``: with ``--cityseer``, ``cityseer.metrics.layers.compute_accessibilities``
  for every category at the limit (it assigns facilities to street edges rather than
  nodes, so its distances are not compared).

pandana and cityseer are optional: a peer that does not import, or is left out with
``--skip pandana`` (its network build takes tens of minutes for a million nodes on a
small machine), is reported as null.
gisplan must agree with the floor to 1e-6 m on every node (pandana to the metre, as it
stores float32); the JSON line ends with ``overhead_vs_floor`` (gisplan / floor),
``speedup_vs_networkx`` and ``speedup_vs_pandana_query`` (precompute excluded) and
``peak_rss_mb``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from coverage_bench import rss_mb, synthetic_network, timed
from scipy.sparse.csgraph import dijkstra

from gisplan.analysis.distances import facility_node_distances, nearest_facility_distances
from gisplan.crs import METRIC_CRS
from gisplan.network import WalkNetwork


def facilities_frame(net: WalkNetwork, categories: int, per_category: int,
                     seed: int) -> tuple[gpd.GeoDataFrame, list[np.ndarray]]:
    """Facility points on random nodes: the frame and each category's node ids."""
    rng = np.random.default_rng(seed)
    chosen = [rng.choice(net.n_nodes, size=per_category, replace=False)
              for _ in range(categories)]
    names = np.repeat([f"cat{k}" for k in range(categories)], per_category)
    points = shapely.points(net.node_xy[np.concatenate(chosen)])
    return gpd.GeoDataFrame({"category": names}, geometry=points, crs=METRIC_CRS), chosen


def floor(net: WalkNetwork, chosen: list[np.ndarray], limit: float) -> np.ndarray:
    return np.stack([dijkstra(net.graph, directed=True, indices=nodes, min_only=True,
                              limit=limit) for nodes in chosen])


def run_pandana(net: WalkNetwork, chosen: list[np.ndarray], limit: float
                ) -> tuple[np.ndarray | None, float | None, float | None, float | None]:
    try:
        import pandana
    except ImportError:
        return None, None, None, None
    nodes = pd.DataFrame(net.node_xy, columns=["x", "y"])
    edges = pd.DataFrame({"from": net.edge_u, "to": net.edge_v, "length": net.edge_length})
    network, build_s = timed(pandana.Network, nodes["x"], nodes["y"], edges["from"],
                             edges["to"], edges[["length"]], twoway=True)
    _, precompute_s = timed(network.precompute, limit)

    def query() -> np.ndarray:
        out = []
        for k, ids in enumerate(chosen):
            network.set_pois(f"cat{k}", limit, 1, nodes.loc[ids, "x"], nodes.loc[ids, "y"])
            out.append(network.nearest_pois(limit, f"cat{k}", num_pois=1)[1].to_numpy())
        return np.stack(out)

    distances, query_s = timed(query)
    distances = np.where(distances >= limit, np.inf, distances)
    return distances, build_s, precompute_s, query_s


def run_networkx(net: WalkNetwork, chosen: list[np.ndarray], limit: float, sample: int
                 ) -> tuple[np.ndarray, float]:
    graph = nx.Graph()
    graph.add_weighted_edges_from(zip(net.edge_u.tolist(), net.edge_v.tolist(),
                                      net.edge_length.tolist(), strict=True))
    start = time.perf_counter()
    out = np.full((sample, net.n_nodes), np.inf)
    for k in range(sample):
        found = nx.multi_source_dijkstra_path_length(graph, set(chosen[k].tolist()),
                                                     cutoff=limit)
        out[k, list(found)] = list(found.values())
    return out, time.perf_counter() - start


def run_cityseer(net: WalkNetwork, facilities: gpd.GeoDataFrame, categories: int,
                 limit: float) -> float | None:
    try:
        from cityseer.metrics import layers
        from cityseer.tools import io
    except ImportError:
        return None
    graph = nx.MultiGraph()
    for i, (x, y) in enumerate(net.node_xy.tolist()):
        graph.add_node(str(i), x=x, y=y)
    for u, v, geom in zip(net.edge_u.tolist(), net.edge_v.tolist(), net.edge_geometry,
                          strict=True):
        graph.add_edge(str(u), str(v), geom=geom)
    graph.graph["crs"] = METRIC_CRS
    nodes, _, structure = io.network_structure_from_nx(graph)
    start = time.perf_counter()
    layers.compute_accessibilities(facilities, "category",
                                   [f"cat{k}" for k in range(categories)], nodes,
                                   structure, distances=[int(limit)])
    return time.perf_counter() - start


def run(nodes: int, categories: int, per_category: int, limit: float, seed: int,
        repeat: int, networkx_categories: int | None, cityseer: bool,
        skip: set[str]) -> dict[str, Any]:
    net, build_s = timed(synthetic_network, nodes, seed)
    facilities, chosen = facilities_frame(net, categories, per_category, seed + 1)
    names = [f"cat{k}" for k in range(categories)]

    placed, gisplan_s = timed(facility_node_distances, facilities, net, max_distance=limit,
                              repeat=repeat)
    frame, frame_s = timed(nearest_facility_distances, facilities, network=net,
                           max_distance=limit, repeat=repeat)
    gisplan_rss = rss_mb()
    raw = placed.distances
    reference, floor_s = timed(floor, net, chosen, limit, repeat=repeat)
    got = frame[names].to_numpy().T
    same_reach = np.array_equal(np.isnan(got), np.isinf(reference))
    finite = np.isfinite(reference)
    max_diff = float(np.max(np.abs(got[finite] - reference[finite]))) if finite.any() else 0.0
    raw_diff = float(np.max(np.abs(raw[finite] - reference[finite]))) if finite.any() else 0.0
    if not (same_reach and max_diff < 1e-6 and raw_diff < 1e-6):
        raise SystemExit(f"gisplan and the floor disagree (max {max_diff} m)")

    pandana_dist, pandana_build_s, precompute_s, query_s = (
        run_pandana(net, chosen, limit) if "pandana" not in skip else (None,) * 4)
    pandana_diff = None
    if pandana_dist is not None:
        both = finite & np.isfinite(pandana_dist)
        pandana_diff = float(np.max(np.abs(pandana_dist[both] - reference[both])))
        if pandana_diff > 1.0:
            raise SystemExit(f"pandana and the floor differ by {pandana_diff} m")

    sample = categories if networkx_categories is None else min(networkx_categories,
                                                                 categories)
    nx_dist, nx_s = run_networkx(net, chosen, limit, sample)
    if not np.allclose(nx_dist, reference[:sample], atol=1e-6, equal_nan=False):
        raise SystemExit("networkx and the floor disagree")
    networkx_s = nx_s * categories / sample
    cityseer_s = run_cityseer(net, facilities, categories, limit) if cityseer else None

    def ratio(a: float | None, b: float | None, digits: int = 2) -> float | None:
        return None if a is None or b is None else round(a / b, digits)

    return {
        "nodes": net.n_nodes, "edges": net.n_edges, "categories": categories,
        "facilities_per_category": per_category, "limit_m": limit, "repeat": repeat,
        "reached_share": round(float(finite.mean()), 4),
        "network_build_s": round(build_s, 3),
        "gisplan_s": round(gisplan_s, 4), "gisplan_frame_s": round(frame_s, 4),
        "floor_s": round(floor_s, 4),
        "pandana_build_s": None if pandana_build_s is None else round(pandana_build_s, 3),
        "pandana_precompute_s": None if precompute_s is None else round(precompute_s, 3),
        "pandana_query_s": None if query_s is None else round(query_s, 4),
        "pandana_max_diff_m": None if pandana_diff is None else round(pandana_diff, 4),
        "networkx_s": round(networkx_s, 3), "networkx_categories_timed": sample,
        "networkx_extrapolated": sample < categories,
        "cityseer_s": None if cityseer_s is None else round(cityseer_s, 3),
        "overhead_vs_floor": round(gisplan_s / floor_s, 3),
        "frame_overhead_vs_floor": round(frame_s / floor_s, 3),
        "speedup_vs_networkx": round(networkx_s / gisplan_s, 1),
        "speedup_vs_pandana_query": ratio(query_s, gisplan_s),
        "gisplan_peak_rss_mb": round(gisplan_rss, 1),
        "peak_rss_mb": round(rss_mb(), 1),
        "max_diff_m": max_diff, "agree": True,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=200_000)
    parser.add_argument("--categories", type=int, default=8)
    parser.add_argument("--facilities", type=int, default=1000,
                        help="facilities per category")
    parser.add_argument("--limit", type=float, default=1000.0,
                        help="search radius, metres (the 15-minute circle)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3,
                        help="best of this many runs for gisplan and the floor")
    parser.add_argument("--networkx-categories", type=int, default=None,
                        help="time networkx on this many categories and scale")
    parser.add_argument("--cityseer", action="store_true", help="also time cityseer")
    parser.add_argument("--skip", default="", help="peers to leave out, e.g. 'pandana'")
    parser.add_argument("--json", action="store_true", help="print only the JSON line")
    args = parser.parse_args(argv)
    out = run(args.nodes, args.categories, args.facilities, args.limit, args.seed,
              args.repeat, args.networkx_categories, args.cityseer,
              set(filter(None, args.skip.split(","))))
    if not args.json:
        for key, value in out.items():
            print(f"{key:28s} {value}")
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
