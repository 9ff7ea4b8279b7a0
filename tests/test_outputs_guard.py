"""The session guard fails a test run that changes a file under build/ or maps/."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

CONFTEST = Path(__file__).resolve().parent / "conftest.py"

WRITER = """
from pathlib import Path
import os

def test_writes_into_the_outputs():
    out = Path(os.environ["GISPLAN_GUARDED_ROOT"]) / "maps" / "station_coverage.html"
    out.write_text("a synthetic city", encoding="utf-8")
"""

READER = """
def test_reads_only():
    assert 1 + 1 == 2
"""


def _run(tmp_path: Path, test: str) -> subprocess.CompletedProcess:
    project = tmp_path / "project"
    (project / "maps").mkdir(parents=True)
    (project / "maps" / "station_coverage.html").write_text("the real map", encoding="utf-8")
    (project / "build").mkdir()
    shutil.copy(CONFTEST, project / "conftest.py")
    (project / "test_it.py").write_text(test, encoding="utf-8")
    env = {**os.environ, "GISPLAN_GUARDED_ROOT": str(project)}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "-c", os.devnull, str(project)], cwd=project, env=env,
                          capture_output=True, text=True, timeout=120)


def test_a_test_writing_into_maps_fails_the_session(tmp_path):
    done = _run(tmp_path, WRITER)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "changed the main job's outputs" in done.stdout
    assert "maps/station_coverage.html" in done.stdout


def test_a_session_that_writes_nothing_there_passes(tmp_path):
    done = _run(tmp_path, READER)
    assert done.returncode == 0, done.stdout + done.stderr
