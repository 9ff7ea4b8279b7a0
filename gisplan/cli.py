"""The ``gisplan`` command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from gisplan._errors import GisplanError
from gisplan.layers import layer_metadata, list_layers, load_layer
from gisplan.pipeline import build_geopackage

__all__ = ["main"]


def _cmd_layers(args: argparse.Namespace) -> int:
    for name in list_layers():
        meta = layer_metadata(name)
        count = len(load_layer(name))
        sources = ",".join(s["id"] for s in meta["sources"])
        print(f"{name:28s} {count:6d}  {sources:30s} {meta['licence']}")
    return 0


def _cmd_build(args: argparse.Namespace) -> int:
    path = build_geopackage(args.out)
    print(f"wrote {path}")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gisplan", description="Layers and spatial targets of Chengdu's 14th Five-Year Plan."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    layers = commands.add_parser("layers", help="list the layers: name, features, source, licence")
    layers.set_defaults(func=_cmd_layers)
    build = commands.add_parser("build", help="write the GeoPackage chengdu.gpkg")
    build.add_argument("--out", type=Path, default=Path("build"), help="output folder")
    build.set_defaults(func=_cmd_build)
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
        0 on success, 1 on a gisplan error (the message goes to stderr).
    """
    args = _parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (GisplanError, OSError) as exc:
        print(f"gisplan: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
