"""English names of metro stations: signed names from OSM, else words of Hanyu Pinyin.

The station files give only spaced syllables ("Tian Fu Guang Chang"). Stations of the
central OSM extract (2018, ODbL) carry the English of the station signs in ``name:en``
("Tianfu Square", "North Railway Station"); a value is kept only when each of its words
is either part of the station's pinyin or an English word of :data:`ENGLISH_WORDS`, which
rejects route lists of bus stops and misspelt pinyin ("Tapingyuan"). Other stations get
their pinyin with syllables joined into words (:func:`gisplan._names.pinyin_place_name`).
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache

import pyogrio
from pypinyin import lazy_pinyin

from compile_layers._osm_extract import OSM_FILE
from gisplan._names import pinyin_place_name

ENGLISH_WORDS = frozenset((
    "north", "south", "east", "west", "road", "street", "avenue", "square", "park", "lake",
    "bridge", "railway", "station", "bus", "terminal", "hospital", "university", "people's",
    "peoples", "cultural", "palace", "city", "financial", "century", "incubation", "zone",
    "hi-tech", "zoo", "museum", "hotel", "plaza", "monastery", "temple", "flyover", "chengdu",
    "sichuan", "provincial", "of", "and", "the", "tcm", "&", "gymnasium", "institute",
    "public", "administration", "technology", "jiaotong", "southwest", "southwestern",
    "finance", "economics", "general", "junqu", "cinema", "alleys", "lane",
))
_STATION_TAG = re.compile(r'"(?:railway"=>"(?:station|stop)|station"=>"subway'
                          r'|public_transport"=>"(?:station|stop_position))"')
_NAME_EN = re.compile(r'"name:en"=>"([^"]*)"')


def _bare(name: str) -> str:
    return name[:-1] if name.endswith("站") and len(name) > 2 else name


def _plausible(english: str, name_zh: str) -> bool:
    pinyin = "".join(lazy_pinyin(name_zh)).lower()
    words = [w for w in re.split(r"[\s]+", english.lower()) if w]
    if not words or not any(ch.isalpha() for ch in english):
        return False
    return all(w in ENGLISH_WORDS or w in pinyin or any(ch.isdigit() for ch in w)
               for w in words)


@cache
def osm_station_english() -> dict[str, str]:
    """Return station name (without 站) -> signed English name from the OSM extract."""
    votes: dict[str, Counter[str]] = {}
    for layer in ("points", "multipolygons"):
        frame = pyogrio.read_dataframe(OSM_FILE, layer=layer, columns=["name", "other_tags"],
                                       read_geometry=False)
        for name, tags in zip(frame["name"], frame["other_tags"], strict=True):
            if not isinstance(name, str) or not isinstance(tags, str):
                continue
            match = _NAME_EN.search(tags)
            if match is None or not _STATION_TAG.search(tags):
                continue
            english = re.sub(r"(?<!Railway) Station$", "", match.group(1).strip())
            if _plausible(english, _bare(name)):
                votes.setdefault(_bare(name), Counter())[english] += 1
    return {name: count.most_common(1)[0][0] for name, count in votes.items()}


def station_english(name_zh: str, source_romanisation: str) -> str:
    """Return a station's English name: the OSM signed name, else word-joined pinyin.

    Parameters
    ----------
    name_zh : str
        The station's Chinese name.
    source_romanisation : str
        The station file's romanisation (spaced syllables, or one capitalised word).
    """
    signed = osm_station_english().get(_bare(name_zh))
    if signed:
        return signed
    return pinyin_place_name(name_zh, re.findall(r"[a-z]+", source_romanisation.lower()))
