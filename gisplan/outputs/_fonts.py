"""Fonts of the static figures: a CJK font where one is installed, else English labels only."""

from __future__ import annotations

from functools import cache
from typing import Any

__all__ = ["CJK_FAMILIES", "bilingual", "cjk_family", "figure_rc"]

CJK_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "WenQuanYi Zen Hei",
                "WenQuanYi Micro Hei", "Droid Sans Fallback", "Microsoft YaHei", "SimHei",
                "PingFang SC", "Noto Serif CJK SC")
"""Font families that draw Chinese, in order of preference."""


@cache
def cjk_family() -> str | None:
    """Return the first installed font family of :data:`CJK_FAMILIES` (None without one)."""
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    return next((family for family in CJK_FAMILIES if family in installed), None)


def bilingual(zh: str, en: str) -> str:
    """Return ``"zh en"`` where a CJK font can draw it, else ``en`` alone."""
    if not zh or cjk_family() is None:
        return en
    return f"{zh} {en}".strip()


def figure_rc() -> dict[Any, Any]:
    """Return matplotlib settings of every static figure: fonts, text drawn as paths in SVG."""
    family = cjk_family()
    return {"font.family": [family, "DejaVu Sans"] if family else ["DejaVu Sans"],
            "svg.fonttype": "path", "axes.unicode_minus": False, "svg.hashsalt": "gisplan"}
