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
    """Return the scoreboard as aligned text lines for a terminal.

    The value is measured on the day in ``as_of``; the baseline and end-of-period
    columns are shown where the scoreboard has them.
    """
    period = "baseline" in table.columns and table["baseline"].notna().any()
    day = table["as_of"].iloc[0] if "as_of" in table.columns and len(table) else "value"
    header = (f"{'target':6s} {'indicator':36s} {'method':12s} {'area':26s} "
              f"{'denominator':16s} {day:>12s} ")
    if period:
        header += (f"{table.attrs.get('baseline', 'baseline'):>12s} "
                   f"{table.attrs.get('end_of_period', 'end'):>12s} ")
    lines = [header + f"{'target':>14s}  met"]
    for row in table.itertuples(index=False):
        text = f"{format_value(row.value, row.unit):>12s} "
        if period:
            text += (f"{format_value(row.baseline, row.unit):>12s} "
                     f"{format_value(row.end_of_period, row.unit):>12s} ")
        goal = format_value(row.target, row.unit)
        met = {True: "yes", False: "no"}.get(row.met, "unknown")
        method, area, denominator = ("-" if pd.isna(v) else str(v)
                                     for v in (row.method, row.area, row.denominator))
        lines.append(f"{row.target_id:6s} {row.indicator:36s} {method:12s} "
                     f"{area:26s} {denominator:16s} {text}{goal:>14s}  {met}")
    return "\n".join(lines)
