"""The scoreboard: each target's value, threshold and status, as a table and as text."""

from __future__ import annotations

import datetime as dt
import os

import pandas as pd

from gisplan.network import WalkNetwork
from gisplan.plan.evaluate import evaluate
from gisplan.plan.schema import Plan

__all__ = ["format_scoreboard", "format_value", "scoreboard"]


def scoreboard(plan: Plan | str | os.PathLike[str] | None = None, *,
               network: WalkNetwork | None = None,
               as_of: str | dt.date | None = None) -> pd.DataFrame:
    """Return the scoreboard: each target's measured value, threshold and status.

    Parameters
    ----------
    plan : Plan, str or os.PathLike, optional
        A plan or plan file (TOML); the packaged Chengdu plan by default.
    network : WalkNetwork, optional
        Walking network for the network method.
    as_of : str or datetime.date, optional
        The day measured (YYYY-MM-DD; today by default). The columns ``baseline`` and
        ``end_of_period`` give the dated targets at the plan's baseline and period end
        whatever the day.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`gisplan.plan.evaluate.SCOREBOARD_COLUMNS`; ``met`` is True, False
        or None (cannot be decided with the data); ``value`` is NaN where the data is
        missing.
    """
    return evaluate(plan, network=network, as_of=as_of).table


def format_value(value: float, unit: str) -> str:
    """Return a value with its unit for reading (``61.8 %``, ``688.3 km``, ``n/a``)."""
    if pd.isna(value):
        return "n/a"
    if unit == "share":
        return f"{value:.1%}".replace("%", " %")
    digits = 0 if abs(value) >= 1000 else 1
    return f"{value:,.{digits}f} {unit}"


def format_scoreboard(table: pd.DataFrame) -> str:
    """Return the scoreboard as aligned text lines for a terminal, caveats under it.

    Values carry their unit; the value column is headed with the day of the data (the
    scoreboard's ``as_of``), and the baseline and end-of-period columns with their days
    where the scoreboard has them. Each row points to its caveat by number, and says
    whose number its threshold is (``plan``, ``standard``, ``reading``); the caveats
    follow the table.
    """
    period = "baseline" in table.columns and table["baseline"].notna().any()
    day = str(table["as_of"].iloc[0]) if "as_of" in table.columns and len(table) else "value"
    header = (f"{'target':6s} {'indicator':36s} {'method':12s} {'area':26s} "
              f"{'denominator':16s} {'data of ' + day:>20s} ")
    if period:
        header += (f"{table.attrs.get('baseline', 'baseline'):>12s} "
                   f"{table.attrs.get('end_of_period', 'end'):>12s} ")
    lines = [header + f"{'target':>26s} {'basis':8s} {'met':7s} caveat"]
    caveats: dict[str, int] = {}
    for row in table.itertuples(index=False):
        text = f"{format_value(row.value, row.unit):>20s} "
        if period:
            text += (f"{format_value(row.baseline, row.unit):>12s} "
                     f"{format_value(row.end_of_period, row.unit):>12s} ")
        comparison = getattr(row, "comparison", None) or ""
        goal = f"{comparison} {format_value(row.target, row.unit)}".strip()
        met = {True: "yes", False: "no"}.get(row.met, "unknown")
        caveat = str(getattr(row, "caveat", "") or "")
        mark = f"[{caveats.setdefault(caveat, len(caveats) + 1)}]" if caveat else ""
        basis = str(getattr(row, "target_basis", "") or "")
        method, area, denominator = ("-" if pd.isna(v) else str(v)
                                     for v in (row.method, row.area, row.denominator))
        lines.append(f"{row.target_id:6s} {row.indicator:36s} {method:12s} "
                     f"{area:26s} {denominator:16s} {text}{goal:>26s} {basis:8s} {met:7s} "
                     f"{mark}")
    lines.append("")
    lines.append("basis: plan = the plan's own figure; standard = a national standard's; "
                 "reading = the plan names the goal without a figure and gisplan reads one")
    lines += [f"[{number}] {caveat}" for caveat, number in caveats.items()]
    return "\n".join(lines)
