"""The test session leaves the main job's outputs alone: nothing under build/ or maps/ changes.

Every test writes under a temporary folder; this hook checks it. The files under
``build/`` and ``maps/`` of the checkout (the outputs of ``make run``) are fingerprinted
before the session and after it, and the session fails if any was written, removed or
added.
"""

import hashlib
import os
from pathlib import Path

import pytest

ROOT = Path(os.environ.get("GISPLAN_GUARDED_ROOT", Path(__file__).resolve().parents[1]))
"""The checkout whose outputs are guarded (the variable serves the guard's own test)."""
GUARDED = ("build", "maps")


def fingerprint() -> dict[str, str]:
    """Return a digest of every file under the guarded folders, by path."""
    found = {}
    for folder in GUARDED:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file():
                found[str(path.relative_to(ROOT))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash[GUARD] = fingerprint()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    before = session.config.stash.get(GUARD, None)
    if before is None:
        return
    after = fingerprint()
    changed = sorted(name for name in set(before) | set(after)
                     if before.get(name) != after.get(name))
    if changed:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        message = ("the test session changed the main job's outputs (tests must write only "
                   f"under temporary folders): {', '.join(changed[:20])}")
        if reporter is not None:
            reporter.write_line(f"ERROR: {message}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


GUARD = pytest.StashKey[dict]()
