"""The end-of-period evaluation report: one self-contained HTML page, its PDF and its table.

:func:`write_report` turns an evaluation (:func:`gisplan.plan.evaluate`) and the layers
it used into ``index.html`` (styles and figures inline: it opens offline and sends no
request), ``headline.csv`` (the scoreboard it prints) and, where Chromium or WeasyPrint
is installed, ``report.pdf`` in A4 with page numbers. The sections follow the plan
file's ``[[sections]]``; each shows its targets, its charts and its static maps
(:mod:`gisplan.outputs.report._figures`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import pandas as pd

from gisplan._atomic import write_atomically
from gisplan._errors import GisplanError
from gisplan.crs import metric_crs_for
from gisplan.outputs.report._figures import ReportFigure, section_figures
from gisplan.outputs.report._model import ReportModel, Section, report_model
from gisplan.outputs.report._pdf import NO_ENGINE_HINT, pdf_engine, write_pdf
from gisplan.outputs.symbology import approximate_mask, has_geometry
from gisplan.plan import Evaluation

__all__ = ["HEADLINE_FILE", "PAGE_FILE", "PDF_FILE", "ReportFiles", "ReportModel",
           "pdf_engine", "render_report", "report_model", "write_report"]

PAGE_FILE = "index.html"
PDF_FILE = "report.pdf"
HEADLINE_FILE = "headline.csv"
MET_TEXT = {True: "yes", False: "no"}


@dataclass
class ReportFiles:
    """What :func:`write_report` wrote.

    Attributes
    ----------
    page : pathlib.Path
        ``index.html``.
    headline : pathlib.Path
        ``headline.csv``: the scoreboard the report prints.
    pdf : pathlib.Path or None
        ``report.pdf``, or None without a PDF engine.
    notes : list of str
        What the reader should know (e.g. how to get the PDF).
    """

    page: Path
    headline: Path
    pdf: Path | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def written(self) -> list[Path]:
        """The files written."""
        return [p for p in (self.page, self.headline, self.pdf) if p is not None]


def _layer_counts(model: ReportModel, names: tuple[str, ...]) -> list[dict[str, Any]]:
    rows = []
    for name in names:
        frame = model.layers.get(name)
        if frame is None:
            continue
        meta = frame.attrs.get("gisplan", {})
        located = (has_geometry(frame) if "geometry" in frame
                   else np.zeros(len(frame), dtype=bool))
        rough = approximate_mask(frame)
        rows.append({
            "title": f"{meta.get('title_zh', '')} {meta.get('title_en', name)}".strip(),
            "features": len(frame),
            "surveyed": int((located & ~rough).sum()),
            "approximate": int((located & rough).sum()),
            "unlocated": int((~located).sum())})
    return rows


def _section_view(model: ReportModel, section: Section, figures: list[ReportFigure]
                  ) -> dict[str, Any]:
    plan_section = section.plan_section
    return {"id": plan_section.section_id, "title_zh": plan_section.title_zh,
            "title_en": plan_section.title_en, "summary_zh": plan_section.summary_zh,
            "summary_en": plan_section.summary_en, "plan_lines": plan_section.plan_lines,
            "rows": section.rows, "figures": figures,
            "layers": [] if section.rows else _layer_counts(model, plan_section.layers)}


def _metric_crs(model: ReportModel) -> str:
    areas = model.layers.get("coverage_area")
    try:
        return metric_crs_for(areas) if areas is not None and len(areas) else "EPSG:4544"
    except GisplanError:
        return "EPSG:4544"


def render_report(model: ReportModel, history: pd.DataFrame | None = None) -> str:
    """Return the report's HTML page (self-contained) for a :class:`ReportModel`.

    Parameters
    ----------
    model : ReportModel
        From :func:`report_model`.
    history : pandas.DataFrame, optional
        :func:`gisplan.plan.history.network_history` for the year-by-year charts.

    Returns
    -------
    str
        The page.
    """
    package = resources.files("gisplan.outputs.report")
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined,
                                     trim_blocks=True, lstrip_blocks=True)
    template = environment.from_string(package.joinpath("report.html.j2").read_text("utf-8"))
    credits = list(dict.fromkeys(s.attribution for s in model.sources if s.attribution))
    sections = [_section_view(model, s, section_figures(model, s, history))
                for s in model.sections]
    return template.render(m=model, plan=model.evaluation.plan, sections=sections,
                           credits=credits, metric_crs=_metric_crs(model),
                           css=package.joinpath("report.css").read_text("utf-8")).lstrip()


def headline_table(evaluation: Evaluation) -> pd.DataFrame:
    """Return the scoreboard as ``headline.csv`` holds it (``met`` as yes, no, unknown)."""
    table = evaluation.table.copy()
    table["met"] = [MET_TEXT.get(m, "unknown") for m in table["met"]]
    return table


def write_report(evaluation: Evaluation, layers: Mapping[str, pd.DataFrame],
                 out_dir: str | os.PathLike[str], *, history: pd.DataFrame | None = None,
                 data_note: str = "", pdf: bool = True) -> ReportFiles:
    """Write the evaluation report: ``index.html``, ``headline.csv`` and ``report.pdf``.

    Parameters
    ----------
    evaluation : Evaluation
        The plan's evaluation, with its period columns.
    layers : mapping of str to (Geo)DataFrame
        The layers it used and the analysis outputs (the GeoPackage's layers).
    out_dir : str or os.PathLike
        Folder of the report (created if missing).
    history : pandas.DataFrame, optional
        :func:`gisplan.plan.history.network_history` for the year-by-year charts.
    data_note : str, optional
        The cover's sentence on the data used.
    pdf : bool, optional
        Print the PDF where an engine exists (default True).

    Returns
    -------
    ReportFiles
        The files written; ``notes`` says how to get the PDF when no engine exists.

    Raises
    ------
    GisplanError
        If the PDF engine fails (the HTML page and the table are written before).
    """
    model = report_model(evaluation, layers, data_note=data_note)
    page_html = render_report(model, history)
    table = headline_table(evaluation)
    folder = Path(out_dir)
    page = write_atomically(folder / PAGE_FILE,
                            lambda tmp: tmp.write_text(page_html, encoding="utf-8"))
    headline = write_atomically(folder / HEADLINE_FILE,
                                lambda tmp: table.to_csv(tmp, index=False))
    files = ReportFiles(page, headline)
    if pdf:
        files.pdf = write_pdf(page, folder / PDF_FILE)
        if files.pdf is None:
            files.notes.append(NO_ENGINE_HINT)
    return files
