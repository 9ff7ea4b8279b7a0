"""Evaluating a plan: every measurement of every target, on a day, and at its baseline and end.

:func:`evaluate` runs the measure kind of each target (:data:`gisplan.plan.measures.
MEASURES`) on each of its measurements and decides whether the threshold is met: yes
when the value reaches it, no when it does not, unknown when the value is missing or
can only undercount (the target's ``lower_bound``, or a measurement that says so). For
the targets whose data carry dates it adds the same measurements at the plan's baseline
and at the end of its period.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from gisplan._errors import CoverageInputError, DateError
from gisplan.analysis import CoverageResult
from gisplan.catalogue.dates import latest_day, parse_as_of
from gisplan.catalogue.layers import current_metadata, list_layers
from gisplan.network import WalkNetwork
from gisplan.plan.measures import MEASURES, MeasureContext, MeasureRow
from gisplan.plan.schema import Measurement, Plan, PlanTarget, load_plan

__all__ = ["SCOREBOARD_COLUMNS", "Evaluation", "data_day", "evaluate", "resolve_plan"]

SCOREBOARD_COLUMNS = ["target_id", "indicator", "method", "area", "denominator", "value",
                      "comparison", "target", "unit", "met", "target_basis", "caveat", "notes",
                      "wording_zh", "plan_line", "data_needed", "as_of", "baseline",
                      "end_of_period"]
"""Columns of the scoreboard: ``value`` is measured on ``as_of``; ``baseline`` and
``end_of_period`` are the same measurement on the plan's baseline and period end (NaN for
targets whose data carry no dates); ``target_basis`` says whose number the threshold is
(``plan``, ``standard`` or ``reading``)."""


@dataclass
class Evaluation:
    """All measurements of a plan's targets.

    Attributes
    ----------
    plan : Plan
        The plan evaluated.
    table : pandas.DataFrame
        The scoreboard, columns :data:`SCOREBOARD_COLUMNS`; ``attrs`` hold the day
        measured and the plan's baseline and period end.
    coverage : dict
        ``(indicator, method, area)`` -> :class:`~gisplan.analysis.CoverageResult` of
        the station and park coverage measurements (``area`` followed by
        `` (residential land)`` for that denominator).
    tables : dict
        Further output layers: ``life_circle_coverage`` and ``life_circle_areas``.
    network : WalkNetwork or None
        The walking network the measurements used.
    periods : dict
        ``"baseline"`` and ``"end_of_period"`` -> the evaluation of the dated targets on
        the plan's baseline and period end (their coverage results, e.g. the station
        catchments then); empty when not measured.
    """

    plan: Plan
    table: pd.DataFrame
    coverage: dict[tuple[str, str, str], CoverageResult] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    network: WalkNetwork | None = None
    periods: dict[str, Evaluation] = field(default_factory=dict)


def resolve_plan(plan: Plan | str | os.PathLike[str] | None) -> Plan:
    """Return ``plan``, or the plan file it names (the packaged plan for None)."""
    return plan if isinstance(plan, Plan) else load_plan(plan)


def data_day(plan: Plan, today: dt.date | None = None) -> dt.date:
    """Return the latest day the plan's dated inputs know: today, or when they were compiled.

    The scoreboard measures on this day by default, so that its "today" says the date of
    its data (and the stations counted are those open then).
    """
    names = {str(spec) for target in plan.targets if target.dated
             for spec in target.inputs.values() if isinstance(spec, str)} & set(list_layers())
    days = [latest_day(current_metadata(name), today) for name in sorted(names)]
    return min(days, default=dt.date.today() if today is None else today)


def _met(target: PlanTarget, measurement: Measurement, row: MeasureRow) -> bool | None:
    if row.value is None or math.isnan(row.value):
        return None
    if target.met(row.value, measurement.threshold):
        return True
    return None if target.lower_bound or row.lower_bound else False


def _base(target: PlanTarget, day: dt.date) -> dict[str, Any]:
    return {"target_id": target.target_id, "indicator": target.indicator,
            "comparison": target.comparison, "target": target.target, "unit": target.unit,
            "target_basis": target.basis,
            "caveat": target.caveat, "wording_zh": target.wording_zh,
            "plan_line": target.plan_line, "data_needed": target.data_needed,
            "as_of": day.isoformat()}


def _rows(ctx: MeasureContext, target: PlanTarget, past: bool) -> list[dict[str, Any]]:
    base = _base(target, ctx.day)
    if not target.measurements:
        row = MEASURES[target.kind](ctx, target, Measurement("", ""))
        return [{**base, "method": None, "area": None, "denominator": None,
                 "value": row.value, "met": None, "notes": "; ".join(row.notes)}]
    rows = []
    for measurement in target.measurements:
        denominator = measurement.denominator or ("area" if target.is_share else None)
        if past and not target.dated:
            row = MeasureRow(math.nan, ["the data of this target have no dates: measured "
                                        "for today only (no as_of)"])
        else:
            try:
                row = MEASURES[target.kind](ctx, target, measurement)
            except CoverageInputError as exc:  # e.g. an area beyond all the data
                row = MeasureRow(math.nan, [f"not measured: {exc}"])
        threshold = target.target if measurement.threshold is None else measurement.threshold
        rows.append({**base, "method": measurement.method, "area": measurement.area,
                     "denominator": denominator, "value": row.value, "target": threshold,
                     "met": _met(target, measurement, row), "notes": "; ".join(row.notes)})
    return rows


def evaluate(plan: Plan | str | os.PathLike[str] | None = None, *,
             network: WalkNetwork | None = None, as_of: str | dt.date | None = None,
             period: bool = True, targets: tuple[str, ...] | None = None) -> Evaluation:
    """Measure every target of a plan.

    Parameters
    ----------
    plan : Plan, str or os.PathLike, optional
        A plan, or a plan file; the packaged Chengdu plan by default.
    network : WalkNetwork, optional
        Walking network for the network method (the catalogue's ``walk_edges``).
    as_of : str or datetime.date, optional
        Measure on this day (YYYY-MM-DD): targets whose data carry dates use the data of
        that day; the others are left unmeasured for another day, with a note. By default
        the latest day the dated data know (:func:`data_day`); a later day warns that the
        data end before it.
    period : bool, optional
        Fill ``baseline`` and ``end_of_period`` for the dated targets (default True).
    targets : tuple of str, optional
        Only these target ids.

    Returns
    -------
    Evaluation
        The scoreboard and the coverage results behind it.
    """
    chosen = resolve_plan(plan)
    latest = data_day(chosen)
    day = parse_as_of(as_of) or latest
    ctx = MeasureContext(chosen, day, dated=True, network=network)
    past = as_of is not None and day != latest
    selected = [t for t in chosen.targets if targets is None or t.target_id in targets]
    rows = [row for target in selected for row in _rows(ctx, target, past)]
    table = pd.DataFrame(rows, columns=SCOREBOARD_COLUMNS[:-2])
    table["met"] = table["met"].astype(object)
    table.attrs.update({"as_of": day.isoformat(), "plan": chosen.plan_id,
                        "baseline": chosen.baseline.isoformat(),
                        "end_of_period": chosen.period_end.isoformat()})
    periods: dict[str, Evaluation] = {}
    if period:
        periods = _add_period_columns(table, chosen, ctx.network,
                                      tuple(t.target_id for t in selected if t.dated))
    else:
        table["baseline"] = table["end_of_period"] = np.nan
    return Evaluation(chosen, table, ctx.coverage, ctx.tables(), ctx.network, periods)


def _add_period_columns(table: pd.DataFrame, plan: Plan, network: WalkNetwork | None,
                        dated: tuple[str, ...]) -> dict[str, Evaluation]:
    """Fill ``baseline`` and ``end_of_period`` for the targets measurable on any day.

    Returns the evaluations made on those two days, keyed by column.
    """
    key = ["target_id", "method", "area", "denominator"]
    periods = {}
    for column, day in (("baseline", plan.baseline), ("end_of_period", plan.period_end)):
        if not dated:
            table[column] = np.nan
            continue
        try:
            then = evaluate(plan, network=network, as_of=day, period=False, targets=dated)
        except DateError:  # dated layers replaced by files without dates
            table[column] = np.nan
            continue
        periods[column] = then
        values = then.table.set_index(key)["value"]
        table[column] = [values.get(k, np.nan) for k in
                         table[key].itertuples(index=False, name=None)]
    return periods
