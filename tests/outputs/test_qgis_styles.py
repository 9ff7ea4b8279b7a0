"""Open the GeoPackage in real QGIS (Debian's python3-qgis) when it is installed."""

import json
import os
import shutil
import subprocess

import pytest

from gisplan.outputs.geopackage import write_geopackage
from gisplan.pipeline import collect_layers, geopackage_layers

SYSTEM_PYTHON = "/usr/bin/python3"
QGIS_SCRIPT = """
import json, sqlite3, sys
from qgis.core import QgsApplication, QgsVectorLayer
app = QgsApplication([], False)
app.initQgis()
path = sys.argv[1]
with sqlite3.connect(path) as connection:
    names = [r[0] for r in connection.execute("SELECT table_name FROM gpkg_geometry_columns")]
report = {}
for name in names:
    layer = QgsVectorLayer(f"{path}|layername={name}", name, "ogr")
    message, ok = layer.loadDefaultStyle()
    renderer = layer.renderer()
    report[name] = {
        "valid": layer.isValid(), "style_loaded": ok, "renderer": renderer.type(),
        "attr": renderer.classAttribute() if hasattr(renderer, "classAttribute") else None,
        "labels": layer.labelsEnabled(), "title": layer.metadata().title(),
        "licences": layer.metadata().licenses(),
    }
print("REPORT" + json.dumps(report), flush=True)
import os
os._exit(0)  # QGIS may crash while tearing down; the report is out
"""


def _has_qgis():
    if not shutil.which(SYSTEM_PYTHON):
        return False
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import qgis.core"], capture_output=True,
                           check=False)
    return probe.returncode == 0


@pytest.mark.skipif(not _has_qgis(), reason="QGIS Python bindings (python3-qgis) not installed")
def test_qgis_opens_every_spatial_layer_with_its_stored_style(tmp_path):
    layers = geopackage_layers(collect_layers(), echo=None)
    path = write_geopackage(layers, tmp_path / "chengdu.gpkg")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path)}
    env.pop("PYTHONPATH", None)
    done = subprocess.run([SYSTEM_PYTHON, "-c", QGIS_SCRIPT, str(path)], capture_output=True,
                          text=True, env=env, timeout=120, check=False, cwd=tmp_path)
    lines = [s for s in done.stdout.splitlines() if s.startswith("REPORT")]
    assert lines, f"QGIS failed (exit {done.returncode}): {done.stderr[-2000:]}"
    line = lines[0]
    report = json.loads(line.removeprefix("REPORT"))
    spatial = {name for name, frame in layers.items() if hasattr(frame, "geometry")}
    assert set(report) == spatial
    for name, info in report.items():
        assert info["valid"] and info["style_loaded"], name
        assert info["renderer"] in {"singleSymbol", "categorizedSymbol", "graduatedSymbol"}
        assert info["title"], name
        assert info["licences"] == [layers[name].attrs["gisplan"]["licence"]] or not \
            layers[name].attrs.get("gisplan")
    if "metro_lines" in report:
        assert report["metro_lines"]["renderer"] == "categorizedSymbol"
    if "metro_stations" in report:
        assert report["metro_stations"]["labels"]
