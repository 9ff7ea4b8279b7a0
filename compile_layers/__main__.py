"""Compile every layer: ``python -m compile_layers [--out DIR]``."""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path

from compile_layers._common import LAYERS, RAW

# Compilers in dependency order; each module has ``run(out_dir) -> list[str]``.
ORDER = ["districts", "metro", "rail_sections", "tod", "functional_zones", "ecosystems",
         "osm_central", "ecology", "parks", "facilities", "places"]


def compile_all(out_dir: Path) -> list[str]:
    """Run every compiler into ``out_dir``; return the file names written."""
    if not RAW.is_dir():
        raise SystemExit(f"raw data folder {RAW} not found; set GISPLAN_SHARED_DIR")
    written: list[str] = []
    for module_name in ORDER:
        module = importlib.import_module(f"compile_layers.{module_name}")
        written.extend(module.run(out_dir))
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=LAYERS, help="output folder")
    args = parser.parse_args()
    for name in compile_all(args.out):
        print(name)


if __name__ == "__main__":
    main()
