"""The report's figures: charts of the series and static maps, chosen by the kinds of a section.

Each builder reads the evaluation, its period evaluations (baseline and end) and the
layers, draws with matplotlib and returns :class:`ReportFigure` objects holding SVG
(text drawn as paths, so the page needs no font). Nothing here measures: the figures
draw the scoreboard's coverage results and the layers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gisplan._errors import DateError
from gisplan.analysis import CoverageResult
from gisplan.analysis.distances import requirement_column
from gisplan.catalogue.dates import layer_as_of, section_status
from gisplan.crs import WGS84
from gisplan.outputs._fonts import bilingual, figure_rc
from gisplan.outputs.charts import draw_rail_lengths, draw_station_coverage
from gisplan.outputs.report._model import ReportModel, Section
from gisplan.outputs.static_maps import Panel, PanelLayer, figure_bytes, static_map
from gisplan.outputs.symbology import METHOD_COLOURS, Category, Symbology, has_geometry
from gisplan.plan import Evaluation, Plan, PlanTarget
from gisplan.standards.life_circles import circle_requirements, life_circle

__all__ = ["ReportFigure", "section_figures"]

_AREA_STYLE = Symbology(layer="coverage_area", geometry="polygon", colour="#c51b7d",
                        fill_opacity=0.0, width=2.5)
_CONTEXT_STYLE = Symbology(layer="districts", geometry="polygon", colour="#9e9e9e",
                           fill_opacity=0.0, width=1.0)
_CATCHMENT_COLOUR = "#f5b041"
_GAP_CLASSES = (("0", "#1a9850", "全部可达 every item within reach"),
                ("1", "#fee08b", "缺 1 项 one item out of reach"),
                ("2", "#f46d43", "缺 2 项 two items out of reach"),
                ("3+", "#67001f", "缺 3 项及以上 three or more out of reach (gap)"))


@dataclass(frozen=True)
class ReportFigure:
    """One figure of a section: an id, a caption and the SVG markup."""

    figure_id: str
    caption: str
    svg: str


def _svg(figure: object) -> str:
    text = figure_bytes(figure, "svg").decode("utf-8")
    return text[text.index("<svg"):]


def _history_chart(draw: Callable[[Any, pd.DataFrame, Plan], None],
                   history: pd.DataFrame, plan: Plan) -> str:
    """Return the SVG of a year-by-year chart drawn by ``draw(axis, history, plan)``."""
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(figure_rc()):
        chart = Figure(figsize=(9, 4.2), layout="constrained")
        draw(chart.subplots(), history, plan)
    return _svg(chart)


def _share(value: float) -> str:
    return "n/a" if value is None or np.isnan(value) else f"{value:.1%}"


def _source_line(model: ReportModel, names: list[str]) -> str:
    credits = []
    for name in names:
        meta = model.layers.get(name, pd.DataFrame()).attrs.get("gisplan", {})
        credit = str(meta.get("attribution", "")).strip()
        if credit and credit not in credits:
            credits.append(credit)
    return "Sources: " + "; ".join(credits) if credits else "Sources: gisplan layers"


def _spatial(model: ReportModel, name: str) -> gpd.GeoDataFrame | None:
    frame = model.layers.get(name)
    if isinstance(frame, gpd.GeoDataFrame) and has_geometry(frame).any():
        return frame
    return None


def _area(model: ReportModel, area_id: str) -> gpd.GeoDataFrame | None:
    areas = _spatial(model, "coverage_area")
    if areas is None:
        return None
    row = areas[areas["area_id"] == area_id]
    return row if len(row) else None


def _target_of_kind(section: Section, kind: str) -> PlanTarget | None:
    return next((t for t in section.targets if t.kind == kind and t.measurements), None)


def _result(evaluation: Evaluation | None, key: tuple[str, str, str]) -> CoverageResult | None:
    return None if evaluation is None else evaluation.coverage.get(key)


def _districts_in(model: ReportModel, region: gpd.GeoDataFrame) -> PanelLayer | None:
    districts = _spatial(model, "districts")
    if districts is None:
        return None
    shape = shapely.union_all(region.to_crs(WGS84).geometry.values)
    near = districts[districts.to_crs(WGS84).intersects(shape.buffer(0.05)).to_numpy()]
    return PanelLayer("districts", near, _CONTEXT_STYLE, legend="")


def _covered_layer(result: CoverageResult, colour: str, legend: str) -> PanelLayer:
    frame = gpd.GeoDataFrame(geometry=result.covered.values, crs=result.covered.crs)
    style = Symbology(layer="covered", geometry="polygon", colour=colour, fill_opacity=0.45,
                      width=0.6)
    return PanelLayer("covered", frame, style, legend=legend)


def rail_figures(model: ReportModel, section: Section,
                 history: pd.DataFrame | None) -> list[ReportFigure]:
    """Rail length by mode year by year, and the network at the baseline and the end."""
    figures = []
    plan = model.evaluation.plan
    if history is not None and len(history):
        figures.append(ReportFigure(
            "rail_length", bilingual("轨道交通里程（逐年年末）",
                                     "Route length by mode at each year-end, with the "
                                     "plan's thresholds; lengths official where published, "
                                     "else measured"),
            _history_chart(draw_rail_lengths, history, plan)))
    sections, lines = _spatial(model, "rail_sections"), _spatial(model, "metro_lines")
    if sections is None:
        return figures
    colours = ({} if lines is None else
               dict(zip(lines["line_id"], lines.get("colour", pd.Series(dtype=str)), strict=False)))
    names = {} if lines is None else dict(zip(lines["line_id"], lines["name_zh"], strict=False))
    panels = []
    for day, label in ((plan.baseline, "基期 baseline"), (plan.period_end, "期末 end of period")):
        open_now = sections[(section_status(sections, day) == "operating").to_numpy()
                            & has_geometry(sections)]
        frame = gpd.GeoDataFrame({
            "line_name_zh": [names.get(i, i) for i in open_now["line_id"]],
            "colour": [colours.get(i) for i in open_now["line_id"]],
            "geocode_method": open_now["geocode_method"].to_numpy()
            if "geocode_method" in open_now else None,
        }, geometry=open_now.geometry.values, crs=sections.crs)
        km = model.table[(model.table["target_id"].isin([t.target_id for t in section.targets]))]
        total = km["baseline" if day == plan.baseline else "end_of_period"].iloc[0] if len(
            km) else np.nan
        context = _districts_in(model, sections)
        extent = shapely.box(*sections[has_geometry(sections)].to_crs(WGS84).total_bounds)
        panels.append(Panel(
            [*([context] if context is not None else []),
             PanelLayer("metro_lines", frame, legend=bilingual("运营线路", "Lines operating"))],
            subtitle=f"{label} {day.isoformat()}: {len(open_now)} sections operating"
            + ("" if np.isnan(total) else f"; metro operating and under construction "
               f"{total:,.1f} km"), extent=extent))
    figure = static_map(panels, title=bilingual("轨道交通网络：基期与期末",
                                                "Rail network at the baseline and the end"),
                        source=_source_line(model, ["rail_sections", "metro_lines",
                                                    "districts"]), legend_columns=4)
    figures.append(ReportFigure("rail_network_map", bilingual(
        "运营中的轨道线路", "Sections operating on each day; dashed: drawn schematically"),
        _svg(figure)))
    return figures


def _district_names(model: ReportModel) -> dict[str, str]:
    districts = model.layers.get("districts")
    if districts is None or "name_en" not in districts.columns:
        return {}
    return dict(zip(districts["name_zh"].astype(str), districts["name_en"].astype(str),
                    strict=True))


def _district_chart(model: ReportModel, target: PlanTarget) -> ReportFigure | None:
    baseline = model.evaluation.periods.get("baseline")
    end = model.evaluation.periods.get("end_of_period")
    keys = [(target.indicator, m.method, m.area) for m in target.measurements
            if m.method == "euclidean"]
    found: list[tuple[tuple[str, str, str], CoverageResult, CoverageResult]] = []
    for key in keys:
        before, after = _result(baseline, key), _result(end, key)
        if before is not None and after is not None and len(before.by_group):
            found.append((key, before, after))
    if not found:
        return None
    key, before, after = max(found, key=lambda f: len(f[1].by_group))
    table = before.by_group[["group", "share"]].merge(
        after.by_group[["group", "share"]], on="group", suffixes=("_baseline", "_end"))
    table = table.sort_values("share_end")
    import matplotlib
    from matplotlib.figure import Figure

    plan = model.evaluation.plan
    with matplotlib.rc_context(figure_rc()):
        chart = Figure(figsize=(9, 0.35 * len(table) + 1.4), layout="constrained")
        axis = chart.subplots()
        y = np.arange(len(table))
        axis.barh(y - 0.2, table["share_baseline"] * 100, height=0.4, color="#bdbdbd",
                  label=f"baseline {plan.baseline.isoformat()}")
        axis.barh(y + 0.2, table["share_end"] * 100, height=0.4, color="#2c7fb8",
                  label=f"end of period {plan.period_end.isoformat()}")
        axis.axvline(target.target * 100, color="#b22222", linestyle="--",
                     label=f"target {target.comparison} {target.target:.0%}")
        english = _district_names(model)
        axis.set_yticks(y, [bilingual(str(g), english.get(str(g), "")) or str(g)
                            for g in table["group"]])
        axis.set_xlim(0, 100)
        axis.set_xlabel("share of the district's part of the area within 800 m, % "
                        f"(straight-line; area {key[2]})")
        axis.legend(loc="lower right", fontsize=8)
    return ReportFigure("district_coverage", bilingual(
        "各区县轨道站点800米覆盖率：基期与期末",
        "Share within 800 m of a station by district, baseline and end"), _svg(chart))


def station_figures(model: ReportModel, section: Section,
                    history: pd.DataFrame | None) -> list[ReportFigure]:
    """Coverage year by year, by district at the baseline and the end, and the catchments."""
    target = _target_of_kind(section, "station_coverage")
    if target is None:
        return []
    figures = []
    plan = model.evaluation.plan
    if history is not None and len(history):
        figures.append(ReportFigure("coverage_by_year", bilingual(
            f"{target.target_id} 逐年年末覆盖率", f"{target.target_id} at each year-end "
            "(straight-line 800 m)"), _history_chart(draw_station_coverage, history, plan)))
    chart_by_district = _district_chart(model, target)
    if chart_by_district is not None:
        figures.append(chart_by_district)
    measurement = target.measurements[0]
    area = _area(model, measurement.area)
    key = (target.indicator, measurement.method, measurement.area)
    stations = _spatial(model, "metro_stations")
    panels = []
    for period, day, label in (("baseline", plan.baseline, "基期 baseline"),
                               ("end_of_period", plan.period_end, "期末 end of period")):
        result = _result(model.evaluation.periods.get(period), key)
        if result is None or area is None:
            return figures
        layers = [lay for lay in (_districts_in(model, area),) if lay is not None]
        layers.append(_covered_layer(result, _CATCHMENT_COLOUR, bilingual(
            "800米站点服务范围", "Within 800 m of a station open that day")))
        layers.append(PanelLayer("coverage_area", area, _AREA_STYLE))
        if stations is not None:
            try:
                open_now = layer_as_of("metro_stations", stations, day)
                layers.append(PanelLayer("metro_stations", open_now))
            except DateError:
                pass
        panels.append(Panel(layers, subtitle=f"{label} {day.isoformat()}: "
                            f"{_share(result.share)} of {result.total_km2:,.0f} km²",
                            extent=shapely.union_all(area.to_crs(WGS84).geometry.values)))
    method = "straight-line" if measurement.method == "euclidean" else "walking network"
    figure = static_map(panels, title=bilingual(
        "轨道站点800米覆盖：基期与期末", f"800 m station coverage, {method}: baseline and end"),
        source=_source_line(model, ["metro_stations", "coverage_area", "districts"]))
    figures.append(ReportFigure("station_catchments_map", bilingual(
        "基期与期末的站点服务范围", f"{target.target_id}: stations open at the baseline and at "
        "the end of the period and the land within 800 m of them"), _svg(figure)))
    return figures


def park_figures(model: ReportModel, section: Section,
                 history: pd.DataFrame | None) -> list[ReportFigure]:
    """Park service areas by method over the area measured, with the parks by size class."""
    target = _target_of_kind(section, "park_coverage")
    if target is None:
        return []
    panels = []
    for measurement in target.measurements:
        if measurement.denominator not in (None, "area"):
            continue
        result = _result(model.evaluation, (target.indicator, measurement.method,
                                            measurement.area))
        area = _area(model, measurement.area)
        if result is None or area is None:
            continue
        method = "straight-line" if measurement.method == "euclidean" else "walking network"
        layers = [_covered_layer(result, METHOD_COLOURS.get(measurement.method, "#888888"),
                                 bilingual("公园服务范围", f"Park service area ({method})")),
                  PanelLayer("coverage_area", area, _AREA_STYLE)]
        parks = _spatial(model, "parks")
        if parks is not None:
            layers.append(PanelLayer("parks", parks))
        panels.append(Panel(layers, subtitle=f"{method}: {_share(result.share)}",
                            extent=shapely.union_all(area.to_crs(WGS84).geometry.values)))
    if not panels:
        return []
    figure = static_map(panels, title=bilingual(
        "公园绿地服务半径覆盖", "Park service-radius coverage (GB/T 50563-2010 radii)"),
        source=_source_line(model, ["parks", "coverage_area"]))
    return [ReportFigure("park_service_map", bilingual(
        "公园服务范围", f"{target.target_id}: land within the service radius of a park, "
        "straight-line and along the streets"), _svg(figure))]


def life_circle_figures(model: ReportModel, section: Section,
                        history: pd.DataFrame | None) -> list[ReportFigure]:
    """Where the circle's measured items are out of reach: hexagons by number missing."""
    target = _target_of_kind(section, "life_circle_bundle")
    hexes = _spatial(model, "life_circle_distances")
    if target is None or hexes is None:
        return []
    circle = life_circle(str(target.params.get("circle", "15min")))
    labels = {requirement_column(r): r.label_zh for r in circle_requirements(circle.circle)}
    measured = [n for n in labels if n in hexes and hexes[n].notna().any()]
    unmeasured = [n for n in labels if n not in measured]
    if not measured:
        return []
    missing = (hexes[measured].isna() | (hexes[measured] > circle.radius_m)).sum(axis=1)
    classes = np.where(missing >= 3, "3+", missing.astype(str))
    frame = gpd.GeoDataFrame({"gap": classes}, geometry=hexes.geometry.values, crs=hexes.crs)
    style = Symbology(layer="life_circle_gaps", geometry="polygon", column="gap",
                      categories=tuple(Category(v, label, colour)
                                       for v, colour, label in _GAP_CLASSES),
                      colour="#cccccc", fill_opacity=0.75, width=0.3)
    share = float((missing == 0).mean())
    panel = Panel([PanelLayer("life_circle_gaps", frame, style, legend=bilingual(
        f"{circle.label_zh}：步行{circle.radius_m:,.0f}米内缺少的设施",
        f"items beyond {circle.radius_m:,.0f} m on foot"))],
        subtitle=f"{len(measured)} items measured; {share:.1%} of hexagons reach all of them",
        notes=tuple(bilingual(f"无数据：{labels[n]}", f"no data: {n}") for n in unmeasured))
    figure = static_map([panel], title=bilingual(
        "生活圈缺口", f"{circle.circle} life-circle gaps along the walking streets"),
        source=_source_line(model, ["facilities", "walk_edges"]), width_in=8.0)
    return [ReportFigure("life_circle_gaps", bilingual(
        "生活圈缺口", f"{target.target_id}: hexagons by the number of the circle's measured "
        f"items not reached within {circle.radius_m:,.0f} m; items without data are listed "
        "on the map"), _svg(figure))]


def layers_figure(model: ReportModel, section: Section) -> list[ReportFigure]:
    """Draw the section's layers on one map, framed on the layers other than districts."""
    names = [n for n in section.plan_section.layers if _spatial(model, n) is not None]
    if not names:
        return []
    frames = {n: _spatial(model, n) for n in names}
    focus = [f for n, f in frames.items() if n != "districts"] or list(frames.values())
    extent = shapely.union_all([shapely.box(*f.to_crs(WGS84)[has_geometry(f)].total_bounds)
                                for f in focus if f is not None])
    layers = [PanelLayer(n, f, _CONTEXT_STYLE if n == "districts" else None,
                         legend="" if n == "districts" else None)
              for n, f in frames.items() if f is not None]
    title = bilingual(section.plan_section.title_zh, section.plan_section.title_en)
    figure = static_map([Panel(layers, extent=extent)], title=title,
                        source=_source_line(model, names), width_in=8.0)
    return [ReportFigure(f"{section.plan_section.section_id}_map", title, _svg(figure))]


_BUILDERS: Mapping[str, Callable[[ReportModel, Section, pd.DataFrame | None],
                                 list[ReportFigure]]] = {
    "rail_length": rail_figures,
    "station_coverage": station_figures,
    "park_coverage": park_figures,
    "life_circle_bundle": life_circle_figures,
}
"""Figures drawn for a section holding a target of the kind."""


def section_figures(model: ReportModel, section: Section,
                    history: pd.DataFrame | None = None) -> list[ReportFigure]:
    """Return the figures of one section.

    Parameters
    ----------
    model : ReportModel
        The report's data.
    section : Section
        The section.
    history : pandas.DataFrame, optional
        :func:`gisplan.plan.history.network_history`, for the year-by-year charts.

    Returns
    -------
    list of ReportFigure
        The figures of its targets' kinds (:data:`_BUILDERS`), else one map of its layers.
    """
    figures = [f for kind in section.kinds if kind in _BUILDERS
               for f in _BUILDERS[kind](model, section, history)]
    return figures or layers_figure(model, section)

