"""A plan's targets as data: the schema of a plan file and its reader.

A plan file (TOML, e.g. the packaged ``chengdu_14th.toml``) holds a ``[plan]`` table
(ids, titles, the period and its baseline), optional ``[[sections]]`` tables that group
the targets and layers for the evaluation report, and one ``[[targets]]`` table per target:
its id and wording, the plan line, the threshold and whose number it is
(:data:`BASES`), the measure kind that measures it (:data:`MEASURE_KINDS`), its inputs
(catalogue layers or files), its measurements (method, area, denominator) and what data
would measure it better. :func:`load_plan` reads and checks a file and reports every
problem at once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import operator
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from gisplan._errors import PlanFileError

__all__ = ["BASES", "COMPARISONS", "DEFAULT_PLAN", "MEASURE_KINDS", "Measurement", "Plan",
           "PlanSection", "PlanTarget", "load_plan"]

DEFAULT_PLAN = "chengdu_14th.toml"
"""The plan file shipped with the package (Chengdu's 14th Five-Year Plan outline)."""

BASES = ("plan", "standard", "reading")
"""Whose number a threshold is: the plan's, a national standard's, or gisplan's reading of
a goal the plan names without a figure."""

COMPARISONS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}
"""How a value is compared with its threshold (超过 ``>``, 不低于/达到 ``>=``)."""

MEASURE_KINDS = ("station_coverage", "park_coverage", "facility_coverage",
                 "life_circle_bundle", "park_access", "waterfront_access", "area_share",
                 "line_length", "rail_length", "absent")
"""Measure kinds the evaluator knows (:mod:`gisplan.plan.measures`); ``absent`` marks a
target no data measures yet."""

_TARGET_KEYS = {"id", "indicator", "name_zh", "name_en", "wording_zh", "plan_line",
                "threshold", "comparison", "unit", "basis", "basis_note", "kind", "dated",
                "lower_bound", "inputs", "params", "caveat", "data_needed", "measurements",
                "due"}
_REQUIRED = ("id", "indicator", "name_zh", "name_en", "wording_zh", "threshold", "comparison",
             "unit", "basis", "kind", "data_needed")


@dataclass(frozen=True)
class Measurement:
    """One way a target is measured: method, area and denominator.

    Attributes
    ----------
    method : str
        ``euclidean``, ``network`` (walking), ``area_ratio``, ``length`` or
        ``route_length``, as the measure kind takes it.
    area : str
        An ``area_id`` of the ``coverage_area`` layer, a polygon file (absolute, or
        relative to the plan file), or a scope the kind knows (``urban_rail``).
    denominator : str or None
        ``"area"`` or ``"residential land"`` for shares; None for lengths.
    threshold : float or None
        A threshold of this measurement alone (e.g. the plan's 力争 figure), else the
        target's.
    params : dict
        Parameters of this measurement, over the target's ``params``.
    """

    method: str
    area: str
    denominator: str | None = None
    threshold: float | None = None
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PlanTarget:
    """A target of the plan, as its file states it.

    Attributes
    ----------
    target_id : str
        Id (``T01`` ...), unique in the plan.
    indicator : str
        Short key of the indicator (used in tables and file names).
    name_zh, name_en : str
        Name of the indicator.
    wording_zh : str
        The plan's own words.
    plan_line : int or None
        Line of the plan text holding the wording.
    target : float
        The threshold, in ``unit``.
    comparison : str
        A key of :data:`COMPARISONS`.
    unit : str
        ``"share"`` (0-1), ``"km"``, ``"m2 per person"`` ...
    basis : str
        Whose number the threshold is (:data:`BASES`).
    basis_note : str
        Why, where the basis is a standard or a reading.
    kind : str
        The measure kind (:data:`MEASURE_KINDS`).
    measurements : tuple of Measurement
        What the evaluator measures.
    inputs : dict
        Input name (``stations``, ``parks`` ...) -> catalogue layer, file, or a table
        ``{file, crs, precision_m, extent}`` for a file that needs them.
    params : dict
        Parameters of the kind (radius, categories, circle ...).
    dated : bool
        Whether its data carry dates, so that it can be measured on any day.
    lower_bound : bool
        Whether the data can only undercount (a value under the threshold then does not
        show the target missed: ``met`` is unknown).
    caveat : str
        One line a reader must know next to the number.
    data_needed : str
        What data would measure it (better).
    due : datetime.date or None
        When the threshold is due (the plan's period end by default).
    """

    target_id: str
    indicator: str
    name_zh: str
    name_en: str
    wording_zh: str
    plan_line: int | None
    target: float
    comparison: str
    unit: str
    basis: str
    kind: str
    data_needed: str
    measurements: tuple[Measurement, ...] = ()
    basis_note: str = ""
    inputs: Mapping[str, Any] = field(default_factory=dict)
    params: Mapping[str, Any] = field(default_factory=dict)
    dated: bool = False
    lower_bound: bool = False
    caveat: str = ""
    due: dt.date | None = None

    @property
    def is_share(self) -> bool:
        """Whether the value is a share between 0 and 1."""
        return self.unit == "share"

    def met(self, value: float, threshold: float | None = None) -> bool:
        """Return whether ``value`` reaches the threshold (the target's, or ``threshold``)."""
        goal = self.target if threshold is None else threshold
        return bool(COMPARISONS[self.comparison](value, goal))

    def param(self, measurement: Measurement, name: str, default: Any = None) -> Any:
        """Return a parameter of a measurement, else of the target, else ``default``."""
        if name in measurement.params:
            return measurement.params[name]
        return self.params.get(name, default)


@dataclass(frozen=True)
class PlanSection:
    """A group of targets and layers, one section of the evaluation report.

    Attributes
    ----------
    section_id : str
        Id (``rail``, ``parks`` ...), unique in the plan.
    title_zh, title_en : str
        Heading.
    targets : tuple of str
        Ids of the targets reported in the section, in order.
    layers : tuple of str
        Catalogue layers drawn on the section's map (bottom first).
    summary_zh, summary_en : str
        What the plan asks of this part of the city, in a sentence.
    plan_lines : tuple of int
        Lines of the plan text the section rests on.
    """

    section_id: str
    title_zh: str
    title_en: str
    targets: tuple[str, ...] = ()
    layers: tuple[str, ...] = ()
    summary_zh: str = ""
    summary_en: str = ""
    plan_lines: tuple[int, ...] = ()


@dataclass(frozen=True)
class Plan:
    """A plan: its period and its targets.

    Attributes
    ----------
    plan_id : str
        Id of the plan.
    title_zh, title_en : str
        Titles.
    issued_by : str
        Who issued it, and when.
    period_start, period_end, baseline : datetime.date
        The plan period and the day its baseline is measured on.
    targets : tuple of PlanTarget
        The targets, in the file's order.
    sections : tuple of PlanSection
        The report's sections, in the file's order (none when the file has none).
    path : pathlib.Path or None
        The file read (relative areas and inputs are resolved against its folder).
    """

    plan_id: str
    title_zh: str
    title_en: str
    issued_by: str
    period_start: dt.date
    period_end: dt.date
    baseline: dt.date
    targets: tuple[PlanTarget, ...]
    sections: tuple[PlanSection, ...] = ()
    path: Path | None = None

    def target(self, target_id: str) -> PlanTarget:
        """Return the target with this id.

        Raises
        ------
        PlanFileError
            If the plan has no such target (the message lists the ids).
        """
        for target in self.targets:
            if target.target_id == target_id:
                return target
        raise PlanFileError(f"plan {self.plan_id!r} has no target {target_id!r}; its targets "
                            f"are {', '.join(t.target_id for t in self.targets)}")

    def resolve(self, value: str) -> str:
        """Return an area or input as given, or as a path next to the plan file."""
        if self.path is None or not Path(value).suffix:
            return value
        candidate = Path(value)
        return str(candidate if candidate.is_absolute() else self.path.parent / candidate)

    def with_area(self, old: str, new: str) -> Plan:
        """Return the plan with every measurement over area ``old`` made over ``new``."""
        targets = tuple(dataclasses.replace(t, measurements=tuple(
            dataclasses.replace(m, area=new) if m.area == old else m for m in t.measurements))
            for t in self.targets)
        return dataclasses.replace(self, targets=targets)


def _date(value: Any, where: str, problems: list[str]) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    problems.append(f"{where} must be a date YYYY-MM-DD, got {value!r}")
    return dt.date.min


def _measurement(raw: Any, where: str, problems: list[str]) -> Measurement | None:
    if not isinstance(raw, Mapping):
        problems.append(f"{where} must be a table (method, area, ...), got {raw!r}")
        return None
    unknown = set(raw) - {"method", "area", "denominator", "threshold", "params"}
    missing = [k for k in ("method", "area") if k not in raw]
    if unknown or missing:
        problems.append(f"{where}: " + "; ".join(
            ([f"unknown keys {sorted(unknown)}"] if unknown else [])
            + ([f"missing {missing}"] if missing else [])))
        return None
    threshold = raw.get("threshold")
    if threshold is not None and not isinstance(threshold, int | float):
        problems.append(f"{where}: threshold must be a number, got {threshold!r}")
        threshold = None
    return Measurement(str(raw["method"]), str(raw["area"]), raw.get("denominator"),
                       None if threshold is None else float(threshold),
                       dict(raw.get("params", {})))


def _target(raw: Mapping[str, Any], where: str, period_end: dt.date,
            problems: list[str]) -> PlanTarget | None:
    before = len(problems)
    unknown = set(raw) - _TARGET_KEYS
    if unknown:
        problems.append(f"{where}: unknown keys {sorted(unknown)} (known: "
                        f"{', '.join(sorted(_TARGET_KEYS))})")
    missing = [k for k in _REQUIRED if k not in raw]
    if missing:
        problems.append(f"{where}: missing {', '.join(missing)}")
        return None
    if raw["basis"] not in BASES:
        problems.append(f"{where}: basis must be one of {', '.join(BASES)}, got {raw['basis']!r}")
    if raw["kind"] not in MEASURE_KINDS:
        problems.append(f"{where}: kind {raw['kind']!r} is not a measure kind; known kinds: "
                        f"{', '.join(MEASURE_KINDS)}")
    if raw["comparison"] not in COMPARISONS:
        problems.append(f"{where}: comparison must be one of {', '.join(COMPARISONS)}")
    if not isinstance(raw["threshold"], int | float) or isinstance(raw["threshold"], bool):
        problems.append(f"{where}: threshold must be a number, got {raw['threshold']!r}")
    measurements = [_measurement(m, f"{where}, measurement {k + 1}", problems)
                    for k, m in enumerate(raw.get("measurements", []))]
    if raw["kind"] != "absent" and not raw.get("measurements"):
        problems.append(f"{where}: kind {raw['kind']!r} needs at least one measurement")
    if len(problems) > before:
        return None
    due = _date(raw["due"], f"{where}: due", problems) if "due" in raw else period_end
    return PlanTarget(
        target_id=str(raw["id"]), indicator=str(raw["indicator"]), name_zh=str(raw["name_zh"]),
        name_en=str(raw["name_en"]), wording_zh=str(raw["wording_zh"]),
        plan_line=raw.get("plan_line"), target=float(raw["threshold"]),
        comparison=str(raw["comparison"]), unit=str(raw["unit"]), basis=str(raw["basis"]),
        kind=str(raw["kind"]), data_needed=str(raw["data_needed"]),
        measurements=tuple(m for m in measurements if m is not None),
        basis_note=str(raw.get("basis_note", "")), inputs=dict(raw.get("inputs", {})),
        params=dict(raw.get("params", {})), dated=bool(raw.get("dated", False)),
        lower_bound=bool(raw.get("lower_bound", False)), caveat=str(raw.get("caveat", "")),
        due=due)


_SECTION_KEYS = {"id", "title_zh", "title_en", "targets", "layers", "summary_zh", "summary_en",
                 "plan_lines"}


def _sections(raw: Any, target_ids: set[str], problems: list[str]) -> list[PlanSection]:
    """Read the ``[[sections]]`` tables; each target may be in one section at most."""
    sections, placed = [], set()
    for k, entry in enumerate(raw if isinstance(raw, list) else []):
        where = f"section {entry.get('id', k + 1) if isinstance(entry, Mapping) else k + 1!s}"
        if not isinstance(entry, Mapping) or not {"id", "title_en"} <= set(entry):
            problems.append(f"{where}: needs id and title_en")
            continue
        unknown = set(entry) - _SECTION_KEYS
        if unknown:
            problems.append(f"{where}: unknown keys {sorted(unknown)} (known: "
                            f"{', '.join(sorted(_SECTION_KEYS))})")
        ids = [str(t) for t in entry.get("targets", [])]
        for target_id in ids:
            if target_id not in target_ids:
                problems.append(f"{where}: no target {target_id!r} in the plan")
            elif target_id in placed:
                problems.append(f"{where}: target {target_id} is already in another section")
            placed.add(target_id)
        sections.append(PlanSection(
            section_id=str(entry["id"]), title_zh=str(entry.get("title_zh", "")),
            title_en=str(entry["title_en"]), targets=tuple(ids),
            layers=tuple(str(n) for n in entry.get("layers", [])),
            summary_zh=str(entry.get("summary_zh", "")),
            summary_en=str(entry.get("summary_en", "")),
            plan_lines=tuple(int(n) for n in entry.get("plan_lines", []))))
    return sections


def _read(path: str | os.PathLike[str] | None) -> tuple[dict[str, Any], Path | None]:
    try:
        if path is None:
            text = resources.files("gisplan.plan").joinpath(DEFAULT_PLAN).read_bytes()
            return tomllib.loads(text.decode("utf-8")), None
        file = Path(path)
        return tomllib.loads(file.read_text(encoding="utf-8")), file.resolve()
    except FileNotFoundError as exc:
        raise PlanFileError(f"plan file {str(path)!r} does not exist") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PlanFileError(f"plan file {str(path)!r} is not valid TOML: {exc}") from exc


def load_plan(path: str | os.PathLike[str] | None = None) -> Plan:
    """Read a plan file: its period and targets as data.

    Parameters
    ----------
    path : str or os.PathLike, optional
        A TOML plan file; the packaged Chengdu plan (:data:`DEFAULT_PLAN`) by default.

    Returns
    -------
    Plan

    Raises
    ------
    PlanFileError
        If the file is missing, not TOML, or breaks the schema; the message lists every
        problem.
    """
    data, file = _read(path)
    name = DEFAULT_PLAN if file is None else str(path)
    problems: list[str] = []
    head = data.get("plan")
    if not isinstance(head, Mapping):
        raise PlanFileError(f"plan file {name!r} has no [plan] table (id, titles, period)")
    missing = [k for k in ("id", "title_en", "period_end", "baseline") if k not in head]
    if missing:
        problems.append(f"[plan]: missing {', '.join(missing)}")
    period_end = _date(head.get("period_end", dt.date.min), "[plan] period_end", problems)
    baseline = _date(head.get("baseline", dt.date.min), "[plan] baseline", problems)
    start = _date(head.get("period_start", baseline + dt.timedelta(days=1)),
                  "[plan] period_start", problems)
    raw_targets = data.get("targets", [])
    if not raw_targets:
        problems.append("the file holds no [[targets]]")
    targets = [_target(t, f"target {t.get('id', k + 1)!s}", period_end, problems)
               for k, t in enumerate(raw_targets) if isinstance(t, Mapping)]
    ids = [t.target_id for t in targets if t is not None]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        problems.append(f"target ids must be unique: {', '.join(duplicated)}")
    sections = _sections(data.get("sections", []), set(ids), problems)
    if problems:
        raise PlanFileError(f"plan file {name!r} breaks the plan schema:\n- "
                            + "\n- ".join(problems))
    return Plan(plan_id=str(head["id"]), title_zh=str(head.get("title_zh", "")),
                title_en=str(head["title_en"]), issued_by=str(head.get("issued_by", "")),
                period_start=start, period_end=period_end, baseline=baseline,
                targets=tuple(t for t in targets if t is not None), sections=tuple(sections),
                path=file)
