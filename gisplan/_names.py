"""Normalisation of Chinese and romanised place names for matching."""

from __future__ import annotations

import re
import unicodedata

from pypinyin import lazy_pinyin

__all__ = ["name_keys", "normalise_name"]

# Generic suffixes stripped from the end of a name (longest first), kept only when at
# least two characters remain: 火车南站 -> 火车南, 锦江区 -> 锦江, 彭州市 -> 彭州.
_ZH_SUFFIXES = ("地铁站", "火车站", "站", "区", "市", "县")
_EN_SUFFIXES = (
    "metro station", "railway station", "station", "new area", "district", "county", "city",
)
_BRACKETS = re.compile(r"[(\[（【〔][^)\]）】〕]*[)\]）】〕]")
_PUNCTUATION = re.compile(r"[\s·•'’\"“”‘’\-—–_.,，、:：/]+")


def normalise_name(name: str) -> str:
    """Return the matching key of a name.

    Full-width characters become half-width (NFKC), case is folded, bracketed parts,
    punctuation and spaces are removed, and one generic suffix (站, 区, 市, 县,
    station, district, county, city) is stripped when at least two characters remain.

    Parameters
    ----------
    name : str
        A place name in Chinese characters, pinyin or English.

    Returns
    -------
    str
        The normalised key; empty when nothing meaningful remains.
    """
    text = unicodedata.normalize("NFKC", name).casefold().strip()
    text = _BRACKETS.sub("", text)
    for suffix in _EN_SUFFIXES:
        if text.endswith(" " + suffix) and len(text) - len(suffix) > 2:
            text = text[: -len(suffix)]
            break
    text = _PUNCTUATION.sub("", text)
    for suffix in _ZH_SUFFIXES:
        if text.endswith(suffix) and len(text) - len(suffix) >= 2:
            text = text[: -len(suffix)]
            break
    return text


def _bracket_contents(name: str) -> list[str]:
    text = unicodedata.normalize("NFKC", name)
    return [m.group(0)[1:-1] for m in _BRACKETS.finditer(text)]


def _has_han(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def name_keys(name_zh: str | None, name_en: str | None = None) -> dict[str, int]:
    """Return every key under which a feature can be found, with its rank.

    Rank 0: the normalised Chinese or English name. Rank 1: toneless pinyin of the
    Chinese name (with and without its generic suffix) and the name without its
    bracketed part. Rank 2: the bracket content alone (人民北路（人北） -> 人北). A
    query matching several features at different ranks resolves to the best rank.

    Parameters
    ----------
    name_zh, name_en : str or None
        The feature's names.

    Returns
    -------
    dict of str to int
        Non-empty key -> rank (0 best).
    """
    keys: dict[str, int] = {}

    def add(key: str, rank: int) -> None:
        if key and rank < keys.get(key, 99):
            keys[key] = rank

    for raw in (name_zh, name_en):
        if not isinstance(raw, str) or not raw:
            continue
        add(normalise_name(raw), 0)
        if _has_han(raw):
            bare = _BRACKETS.sub("", unicodedata.normalize("NFKC", raw))
            add(normalise_name(bare), 1)
            add(normalise_name("".join(lazy_pinyin(bare))), 1)
            add(normalise_name("".join(lazy_pinyin(normalise_name(bare)))), 1)
        for part in _bracket_contents(raw):
            add(normalise_name(part), 2)
    return keys
