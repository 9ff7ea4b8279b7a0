"""The plan: targets as data, their evaluation, the scoreboard and the indicator tables.

A plan is a TOML file (:func:`load_plan`; the packaged one is Chengdu's 14th Five-Year
Plan outline); :func:`evaluate` measures every target by its measure kind
(:mod:`gisplan.plan.measures`), never by its id.
"""

from gisplan.plan.evaluate import SCOREBOARD_COLUMNS, Evaluation, evaluate
from gisplan.plan.schema import Measurement, Plan, PlanTarget, load_plan
from gisplan.plan.scoreboard import format_scoreboard, scoreboard

TARGETS: tuple[PlanTarget, ...] = load_plan().targets
"""The targets of the packaged plan (:func:`load_plan`)."""

__all__ = ["SCOREBOARD_COLUMNS", "TARGETS", "Evaluation", "Measurement", "Plan", "PlanTarget",
           "evaluate", "format_scoreboard", "load_plan", "scoreboard"]
