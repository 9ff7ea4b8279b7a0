"""What the evaluation report says, as data: the cover, the headline rows, the sections, the limits.

:func:`report_model` reads an :class:`~gisplan.plan.Evaluation` and the layers it used and
returns a :class:`ReportModel`; it measures nothing, so every figure in the report is one
of the scoreboard's (``evaluation.table``) or the GeoPackage's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from gisplan._version import __version__
from gisplan.plan import Evaluation, PlanTarget
from gisplan.plan.schema import PlanSection
from gisplan.plan.scoreboard import format_value

__all__ = ["STATUS", "HeadlineRow", "LayerSource", "ReportModel", "Section", "report_model"]

STATUS = {True: ("达成", "met", "met"), False: ("未达成", "not met", "not-met"),
          None: ("未知", "unknown", "unknown")}
"""``met`` -> (Chinese, English, CSS class) of the status column."""

BASIS = {"plan": ("规划", "plan"), "standard": ("标准", "standard"), "reading": ("解读", "reading")}
"""``target_basis`` -> (Chinese, English)."""

METHODS = {"euclidean": ("直线", "straight-line"), "network": ("步行路网", "walking network"),
           "route_length": ("线路长度", "route length"), "length": ("长度", "length"),
           "area_ratio": ("面积比", "area ratio")}
"""Methods of the scoreboard, in words."""

OTHER_SECTION = PlanSection("other", "其他指标", "Other targets")
"""The section of targets the plan file puts in no section."""


@dataclass(frozen=True)
class HeadlineRow:
    """One measurement of a target, as the headline table shows it (texts with units)."""

    target_id: str
    name_zh: str
    name_en: str
    measured: str
    basis: str
    baseline: str
    end_of_period: str
    today: str
    threshold: str
    status: tuple[str, str, str]
    caveat: str
    data_needed: str
    notes: str
    first_of_target: bool
    rows_of_target: int


@dataclass(frozen=True)
class Section:
    """One section of the report: its plan section and its rows."""

    plan_section: PlanSection
    targets: tuple[PlanTarget, ...]
    rows: tuple[HeadlineRow, ...]
    kinds: tuple[str, ...]


@dataclass(frozen=True)
class LayerSource:
    """A layer the report rests on: title, source, licence, extent and date."""

    name: str
    title: str
    attribution: str
    licence: str
    extent: str
    compiled: str


@dataclass
class ReportModel:
    """Everything the report prints (see :func:`report_model`)."""

    evaluation: Evaluation
    layers: Mapping[str, pd.DataFrame]
    as_of: str
    areas: dict[str, str]
    headline: list[HeadlineRow]
    sections: list[Section]
    sources: list[LayerSource]
    unknown: list[HeadlineRow]
    data_note: str = ""
    as_of_note: str = ""
    generated: str = field(default_factory=lambda: dt.date.today().isoformat())
    version: str = __version__

    @property
    def table(self) -> pd.DataFrame:
        """The scoreboard the report shows (``evaluation.table``)."""
        return self.evaluation.table


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def area_names(layers: Mapping[str, pd.DataFrame]) -> dict[str, str]:
    """Return ``area_id`` -> "中文 English" of the ``coverage_area`` layer."""
    areas = layers.get("coverage_area")
    if areas is None or "area_id" not in areas.columns:
        return {}
    names = {}
    for row in areas.to_dict("records"):
        zh = _text(row.get("name_zh")).split("（")[0]
        en = _text(row.get("name_en")).split(" (")[0]
        names[str(row["area_id"])] = f"{zh} {en}".strip() or str(row["area_id"])
    return names


def _measured(row: pd.Series, areas: Mapping[str, str]) -> str:
    parts = []
    method = _text(row["method"])
    if method:
        zh, en = METHODS.get(method, (method, method))
        parts.append(f"{zh} {en}")
    area = _text(row["area"])
    if area:
        parts.append(areas.get(area, area))
    denominator = _text(row["denominator"])
    if denominator and denominator != "area":
        parts.append(f"of {denominator}")
    return ", ".join(parts) or "—"


def _threshold(row: pd.Series) -> str:
    return f"{_text(row['comparison'])} {format_value(row['target'], row['unit'])}".strip()


def headline_rows(table: pd.DataFrame, plan_targets: Mapping[str, PlanTarget],
                  areas: Mapping[str, str]) -> list[HeadlineRow]:
    """Return the scoreboard's rows as the headline table prints them, in its order."""
    counts = table["target_id"].value_counts()
    undecided = set(table.loc[[m not in (True, False) for m in table["met"]], "target_id"])
    rows, seen = [], set()
    for _, row in table.iterrows():
        target = plan_targets[row["target_id"]]
        met = row["met"] if row["met"] in (True, False) else None
        rows.append(HeadlineRow(
            target_id=str(row["target_id"]), name_zh=target.name_zh, name_en=target.name_en,
            measured=_measured(row, areas),
            basis=" ".join(BASIS.get(str(row["target_basis"]), ("", str(row["target_basis"])))),
            baseline=format_value(row["baseline"], row["unit"]),
            end_of_period=format_value(row["end_of_period"], row["unit"]),
            today=format_value(row["value"], row["unit"]), threshold=_threshold(row),
            status=STATUS[met], caveat=_text(row["caveat"]),
            data_needed=_text(row["data_needed"]) if row["target_id"] in undecided else "",
            notes=_text(row["notes"]), first_of_target=row["target_id"] not in seen,
            rows_of_target=int(counts[row["target_id"]])))
        seen.add(row["target_id"])
    return rows


def _sections(evaluation: Evaluation, rows: list[HeadlineRow]) -> list[Section]:
    plan = evaluation.plan
    by_id = {t.target_id: t for t in plan.targets}
    placed = {t for s in plan.sections for t in s.targets}
    chosen = list(plan.sections)
    rest = tuple(t.target_id for t in plan.targets if t.target_id not in placed)
    if rest:
        chosen.append(PlanSection(OTHER_SECTION.section_id, OTHER_SECTION.title_zh,
                                  OTHER_SECTION.title_en, targets=rest))
    sections = []
    for plan_section in chosen:
        targets = tuple(by_id[t] for t in plan_section.targets if t in by_id)
        ids = {t.target_id for t in targets}
        sections.append(Section(plan_section, targets,
                                tuple(r for r in rows if r.target_id in ids),
                                tuple(dict.fromkeys(t.kind for t in targets))))
    return sections


def _extent_text(meta: Mapping[str, Any]) -> str:
    extent = meta.get("extent")
    if isinstance(extent, Mapping):
        return _text(extent.get("description"))
    return _text(extent) if isinstance(extent, str) and not extent.startswith("{") else ""


def layer_sources(layers: Mapping[str, pd.DataFrame], names: list[str]) -> list[LayerSource]:
    """Return title, source, licence, extent and date of each named layer that has metadata."""
    found = []
    for name in names:
        frame = layers.get(name)
        meta = {} if frame is None else frame.attrs.get("gisplan", {})
        if not meta:
            continue
        found.append(LayerSource(
            name=name, title=f"{_text(meta.get('title_zh'))} {_text(meta.get('title_en'))}".strip(),
            attribution=_text(meta.get("attribution")), licence=_text(meta.get("licence")),
            extent=_extent_text(meta), compiled=_text(meta.get("data_as_of"))))
    return found


def _input_layers(evaluation: Evaluation, layers: Mapping[str, pd.DataFrame]) -> list[str]:
    names: list[str] = []
    for section in evaluation.plan.sections:
        names += [n for n in section.layers if n in layers]
    for target in evaluation.plan.targets:
        names += [str(v) for v in target.inputs.values() if isinstance(v, str) and v in layers]
    names += [n for n in ("coverage_area", "walk_edges") if n in layers]
    return list(dict.fromkeys(names))


def report_model(evaluation: Evaluation, layers: Mapping[str, pd.DataFrame], *,
                 data_note: str = "") -> ReportModel:
    """Return what the report prints, read from an evaluation and the layers it used.

    Parameters
    ----------
    evaluation : Evaluation
        The plan's evaluation (:func:`gisplan.plan.evaluate`, with its period columns).
    layers : mapping of str to (Geo)DataFrame
        The layers of the GeoPackage (catalogue layers and analysis outputs).
    data_note : str, optional
        A sentence on the cover saying which data were used (e.g. an imported OSM file).

    Returns
    -------
    ReportModel
    """
    areas = area_names(layers)
    table = evaluation.table
    rows = headline_rows(table, {t.target_id: t for t in evaluation.plan.targets}, areas)
    used = sorted({a for a in table["area"].dropna() if a in areas})
    unknown = [r for r in rows if r.status[2] == "unknown"]
    return ReportModel(
        evaluation=evaluation, layers=layers, as_of=str(table.attrs.get("as_of", "")),
        areas={a: areas[a] for a in used}, headline=rows,
        sections=_sections(evaluation, rows),
        sources=layer_sources(layers, _input_layers(evaluation, layers)),
        unknown=unknown, data_note=data_note)
