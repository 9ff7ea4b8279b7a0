"""Normalisation of Chinese and romanised place names for matching.

Two keys are made from every name:

* the **exact key**: full-width characters made half-width (NFKC), case folded,
  bracketed parts removed, then spaces and punctuation removed;
* the **loose key**: the same, with one generic suffix (站/区/市/县, station, district,
  county, city, new area, mountains ...) stripped when at least two characters remain.

Brackets go first, so "X (metro hub)" and "X" give the same keys.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from pypinyin import lazy_pinyin

__all__ = ["exact_key", "name_keys", "normalise_name", "pinyin_place_name", "query_keys"]

# Generic suffixes stripped from the end of a name (longest first), kept only when at
# least two characters remain: 火车南站 -> 火车南, 锦江区 -> 锦江, 彭州市 -> 彭州.
_ZH_SUFFIXES = ("地铁站", "火车站", "站", "区", "市", "县")
_EN_SUFFIXES = (
    "metro station", "railway station", "station", "new area", "district", "county", "city",
    "mountains", "mountain",
)
_BRACKETS = re.compile(r"[(\[（【〔][^)\]）】〕]*[)\]）】〕]")
_PUNCTUATION = re.compile(r"[\s·•'’\"“”‘’\-—–_.,，、:：/]+")


def _clean(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).casefold()
    return _BRACKETS.sub("", text).strip()


def exact_key(name: str) -> str:
    """Return the exact matching key of a name (no suffix stripped).

    Parameters
    ----------
    name : str
        A place name in Chinese characters, pinyin or English.

    Returns
    -------
    str
        The name half-width, case-folded, without bracketed parts, spaces or
        punctuation; empty when nothing meaningful remains.
    """
    return _PUNCTUATION.sub("", _clean(name))


def normalise_name(name: str) -> str:
    """Return the loose matching key of a name.

    Full-width characters become half-width (NFKC), case is folded, bracketed parts
    are removed, then one generic English suffix (station, district, county, city, new
    area, mountains, ...), spaces and punctuation, and one generic Chinese suffix (站,
    区, 市, 县) are removed, each only when at least two characters remain.

    Parameters
    ----------
    name : str
        A place name in Chinese characters, pinyin or English.

    Returns
    -------
    str
        The normalised key; empty when nothing meaningful remains.
    """
    text = _clean(name)
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


def query_keys(name: str) -> tuple[str, str]:
    """Return the (exact, loose) keys of a query; a match on the first ranks higher."""
    return exact_key(name), normalise_name(name)


def _bracket_contents(name: str) -> list[str]:
    text = unicodedata.normalize("NFKC", name)
    return [m.group(0)[1:-1] for m in _BRACKETS.finditer(text)]


def _has_han(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _pinyin_keys(name: str) -> tuple[str, str]:
    """Return the pinyin keys of a name's exact and loose forms."""
    bare = _BRACKETS.sub("", unicodedata.normalize("NFKC", name))
    return (exact_key("".join(lazy_pinyin(bare))),
            exact_key("".join(lazy_pinyin(normalise_name(bare)))))


def name_keys(
    name_zh: str | None, name_en: str | None = None, aliases: Iterable[str] = ()
) -> dict[str, int]:
    """Return every key under which a feature can be found, with its rank.

    Exact forms rank above loose ones (generic suffix stripped), a feature's names
    above its aliases, and a name above its pinyin: 0 the exact key of the Chinese or
    English name; 1 the pinyin of the Chinese name, and the exact key of an alias; 2
    the pinyin of an alias; 3 the loose keys of the names and the pinyin of their loose
    form; 4 the same for aliases; 5 a bracketed part alone (人民北路（人北） -> 人北).
    Pinyin is toneless and spaces never count, so spaced and unspaced pinyin match
    alike. A query resolves to the best rank it reaches.

    Parameters
    ----------
    name_zh, name_en : str or None
        The feature's names.
    aliases : iterable of str
        Other names of the feature (English forms, names as printed in the plan).

    Returns
    -------
    dict of str to int
        Non-empty key -> rank (0 best).
    """
    keys: dict[str, int] = {}

    def add(key: str, rank: int) -> None:
        if key and rank < keys.get(key, 99):
            keys[key] = rank

    names = [(raw, 0) for raw in (name_zh, name_en) if isinstance(raw, str) and raw]
    names += [(raw, 1) for raw in aliases if isinstance(raw, str) and raw]
    for raw, alias in names:
        add(exact_key(raw), alias)
        add(normalise_name(raw), 3 + alias)
        if _has_han(raw):
            exact_pinyin, loose_pinyin = _pinyin_keys(raw)
            add(exact_pinyin, 1 + alias)
            add(loose_pinyin, 3 + alias)
        for part in _bracket_contents(raw):
            add(exact_key(part), 5)
    return keys


# Generic words written apart from the specific part of a place name (GB/T 17693.1:
# 专名 and 通名 are written separately), longest first.
_GENERIC_PARTS = ("大道", "大街", "广场", "公园", "立交", "机场", "路", "街", "巷", "站")
_DIRECTIONS = "东西南北中"
_HAN_RUNS = re.compile(r"[\u4e00-\u9fff]+|[^\u4e00-\u9fff]+")


def _pinyin_words(run: str, syllables: list[str]) -> str:
    split = len(run)
    for generic in _GENERIC_PARTS:
        if run.endswith(generic) and len(run) > len(generic) + 1:
            split = len(run) - len(generic)
            if run[split - 1] in _DIRECTIONS and split - 1 >= 2:
                split -= 1
            break
    words = ["".join(syllables[:split]), "".join(syllables[split:])]
    return " ".join(w.lower().capitalize() for w in words if w)


def pinyin_place_name(name_zh: str, syllables: list[str] | None = None) -> str:
    """Return the Hanyu Pinyin form of a Chinese place name, words joined as in signs.

    In each run of Han characters the specific part is written as one word and a
    trailing generic part (路, 街, 大道, 广场, 公园, 机场, ... with a direction before
    it) as another: 天府广场 -> "Tianfu Guangchang", 人民北路 -> "Renmin Beilu",
    骡马市 -> "Luomashi"; digits and brackets are kept.

    Parameters
    ----------
    name_zh : str
        The Chinese name.
    syllables : list of str, optional
        One pinyin syllable per Han character, when a source gives them (polyphonic
        characters are then read as the source reads them); else pypinyin's reading.

    Returns
    -------
    str
        The romanised name.
    """
    text = unicodedata.normalize("NFKC", name_zh)
    runs = _HAN_RUNS.findall(text)
    han_count = sum(len(r) for r in runs if _has_han(r))
    use_source = syllables is not None and len(syllables) == han_count
    parts: list[str] = []
    position = 0
    for run in runs:
        if _has_han(run):
            reading = (syllables[position:position + len(run)] if use_source and syllables
                       else lazy_pinyin(run))
            position += len(run)
            parts.append(_pinyin_words(run, reading))
        elif run.strip():
            parts.append(run.strip())
    return re.sub(r"\( ", "(", re.sub(r" \)", ")", " ".join(parts)))
