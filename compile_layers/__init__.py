"""Maintainer step: compile gisplan's layers from public raw data.

Reads ``../shared/data/raw`` (public data with PROVENANCE.md files) and
``../shared/spec`` (the plan inventory) and writes ``layers/<name>.geojson`` or
``layers/<name>.csv`` plus ``layers/<name>.meta.json``. Each layer module names its
sources and licences in the metadata it writes. Run ``python -m compile_layers``.
"""
