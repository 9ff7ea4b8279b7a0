"""Print the report's HTML to an A4 PDF with headless Chromium or WeasyPrint, where one exists.

The page numbers come from the page's own ``@page`` rules (both engines read CSS margin
boxes), so Chromium prints without its own header and footer.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from gisplan._atomic import write_atomically
from gisplan._errors import GisplanError

__all__ = ["CHROMIUM_NAMES", "NO_ENGINE_HINT", "find_chromium", "pdf_engine", "write_pdf"]

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
"""Commands tried for headless Chromium (after the ``GISPLAN_CHROMIUM`` variable)."""

NO_ENGINE_HINT = ("no PDF engine found: install Chromium (Debian/Ubuntu: apt install chromium; "
                  "or set GISPLAN_CHROMIUM to its path) or WeasyPrint (pip install weasyprint), "
                  "then run gisplan report again; index.html prints to PDF from a browser too")
"""The line printed when the report is written without its PDF."""

_TIMEOUT_S = 180


def find_chromium() -> str | None:
    """Return the Chromium command: ``GISPLAN_CHROMIUM`` or the first of :data:`CHROMIUM_NAMES`."""
    given = os.environ.get("GISPLAN_CHROMIUM")
    if given:
        return given if Path(given).exists() or shutil.which(given) else None
    return next((found for name in CHROMIUM_NAMES if (found := shutil.which(name))), None)


def _has_weasyprint() -> bool:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):  # OSError: the library without its Pango
        return False
    return True


def pdf_engine() -> str | None:
    """Return ``"chromium"`` or ``"weasyprint"``, the engine :func:`write_pdf` would use."""
    if find_chromium() is not None:
        return "chromium"
    return "weasyprint" if _has_weasyprint() else None


def _chromium_pdf(command: str, page: Path, target: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="gisplan-chromium-") as profile:
        args = [command, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-pdf-header-footer", f"--user-data-dir={profile}",
                f"--print-to-pdf={target}", page.resolve().as_uri()]
        try:
            done = subprocess.run(args, capture_output=True, text=True, timeout=_TIMEOUT_S,
                                  check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise GisplanError(f"Chromium ({command}) could not print the report: {exc}") from exc
    if done.returncode != 0 or not target.exists() or target.stat().st_size == 0:
        tail = (done.stderr or "").strip().splitlines()[-3:]
        raise GisplanError(f"Chromium ({command}) could not print the report (exit "
                           f"{done.returncode}): {' | '.join(tail)}")


def write_pdf(page: Path, target: Path, engine: str | None = None) -> Path | None:
    """Print ``page`` (an HTML file) to ``target`` (A4), atomically.

    Parameters
    ----------
    page : pathlib.Path
        The report's ``index.html``.
    target : pathlib.Path
        The PDF to write.
    engine : str, optional
        ``"chromium"`` or ``"weasyprint"``; the first available by default.

    Returns
    -------
    pathlib.Path or None
        ``target``, or None when no engine is available (:data:`NO_ENGINE_HINT`).

    Raises
    ------
    GisplanError
        If the engine fails; no PDF is left behind.
    """
    engine = engine or pdf_engine()
    if engine is None:
        return None
    if engine == "chromium":
        command = find_chromium()
        if command is None:
            raise GisplanError("Chromium is not installed; " + NO_ENGINE_HINT)
        return write_atomically(target, lambda tmp: _chromium_pdf(command, page, tmp))
    if engine == "weasyprint":
        import weasyprint

        return write_atomically(
            target, lambda tmp: weasyprint.HTML(filename=str(page)).write_pdf(str(tmp)))
    raise GisplanError(f"unknown PDF engine {engine!r}; use 'chromium' or 'weasyprint'")
