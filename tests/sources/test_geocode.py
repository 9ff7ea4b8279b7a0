"""Offline geocoder: name normalisation, ambiguity, bad input; online providers mocked."""

import doctest
import importlib
import json
import re
import unicodedata
from pathlib import Path

import geopandas as gpd
import pytest
from pypinyin import lazy_pinyin
from shapely.geometry import LineString, Point

import gisplan
from gisplan import settings
from gisplan._errors import AmbiguousNameError, GeocodeError, GisplanError, UnknownLayerError
from gisplan._names import exact_key, name_keys, normalise_name, pinyin_place_name
from gisplan.crs import METRIC_CRS, WGS84, gcj02_to_wgs84
from gisplan.sources import _online_geocoders
from gisplan.sources.geocoder import clear_geocoder_cache


def _write_layer(folder, name, frame):
    meta = {
        "name": name, "kind": "spatial", "title_zh": name, "title_en": name,
        "description": "test", "licence": "test", "attribution": "test",
        "sources": [{"id": "t"}], "required": ["name_zh"], "feature_count": len(frame),
        "geometry_types": sorted(set(frame.geom_type)),
        "columns": {c: {"type": "float" if c == "precision_m" else "str"}
                    for c in frame.columns if c != "geometry"},
    }
    (folder / f"{name}.meta.json").write_text(json.dumps(meta, ensure_ascii=False))
    frame.to_file(folder / f"{name}.geojson", driver="GeoJSON")


@pytest.fixture
def catalogue(tmp_path, monkeypatch):
    stations = gpd.GeoDataFrame({
        "name_zh": ["人民北路（人北）", "新津站", "天府广场", "高新"],
        "name_en": ["Renmin Beilu", "Xinjin Zhan", "Tianfu Square", "Hi-Tech Zone"],
        "source": "t", "precision_m": [10.0, 10.0, 10.0, 10.0],
    }, geometry=[Point(104.0705, 30.6872), Point(103.8712, 30.4658), Point(104.06339, 30.65957),
                 Point(104.0612, 30.5967)], crs=WGS84)
    places = gpd.GeoDataFrame({
        "name_zh": ["新津区", "天府广场", "沙河", "成都高新区"],
        "name_en": ["Xinjin District", None, "Sha River", "Chengdu Hi-tech Zone"],
        "aliases": [None, None, None, "高新区;成都高新技术产业开发区"],
        "source": "t", "precision_m": [100.0, 30.0, 50.0, 9000.0],
    }, geometry=[Point(103.80, 30.41), Point(104.06340, 30.65960),
                 LineString([(104.10, 30.70), (104.12, 30.64)]), Point(104.05, 30.55)],
        crs=WGS84)
    _write_layer(tmp_path, "stations", stations)
    _write_layer(tmp_path, "places", places)
    monkeypatch.setattr(settings, "layers_dir", tmp_path)
    clear_geocoder_cache()
    yield tmp_path
    clear_geocoder_cache()


@pytest.mark.parametrize(
    ("raw", "key"),
    [("锦江区", "锦江"), ("火车南站", "火车南"), ("人民北路（人北）", "人民北路"),
     ("Ｔｉａｎｆｕ　Ｓｑｕａｒｅ", "tianfusquare"), ("Jinjiang District", "jinjiang"),
     ("  Chengdu East Railway Station ", "chengdueast"), ("区", "区"),
     ("Longquan Mountains", "longquan")],
)
def test_normalise_name(raw, key):
    assert normalise_name(raw) == key


@pytest.mark.parametrize("name", ["Chengdu East Railway Station", "天府广场站", "Tianfu Square",
                                  "Longquan Mountains"])
def test_brackets_go_before_spaces_and_suffixes(name):
    for bracketed in (f"{name} (metro hub)", f"{name}（枢纽）", f"{name} [2021] "):
        assert normalise_name(bracketed) == normalise_name(name)
        assert exact_key(bracketed) == exact_key(name)


def test_name_keys_rank_aliases_below_names():
    keys = name_keys("人民北路（人北）", "Renmin Beilu", ["Renmin Road North"])
    assert keys["人民北路"] == 0 and keys["renminbeilu"] == 0 and keys["人北"] == 5
    assert keys["renminroadnorth"] == 1
    assert name_keys("东部新区站")["东部新区"] > name_keys(None, None, ["东部新区"])["东部新区"]


@pytest.mark.parametrize(
    ("zh", "syllables", "expected"),
    [("天府广场", ["tian", "fu", "guang", "chang"], "Tianfu Guangchang"),
     ("人民北路", None, "Renmin Beilu"), ("骡马市", ["luo", "ma", "shi"], "Luomashi"),
     ("金科北路", None, "Jinke Beilu"), ("春熙路", None, "Chunxi Lu")],
)
def test_pinyin_place_name_joins_words_not_syllables(zh, syllables, expected):
    assert pinyin_place_name(zh, syllables) == expected


@pytest.mark.parametrize("query", ["天府广场", "天府广场站", "tianfuguangchang", "Tianfu Square",
                                   "ＴＩＡＮＦＵ　ＳＱＵＡＲＥ"])
def test_same_place_in_two_layers_is_one_match(catalogue, query):
    result = gisplan.geocode(query)
    assert result.name_zh == "天府广场"
    assert result.layer == "stations" and result.precision_m == 10.0  # most precise wins
    assert result.point.distance(Point(104.06339, 30.65957)) < 1e-9


def test_bracket_alias_and_pinyin(catalogue):
    assert gisplan.geocode("人北").name_zh == "人民北路（人北）"
    assert gisplan.geocode("renminbeilu").layer == "stations"


def test_ambiguous_name_lists_candidates(catalogue):
    with pytest.raises(AmbiguousNameError) as info:
        gisplan.geocode("xinjin")
    candidates = info.value.candidates
    assert set(candidates["layer"]) == {"stations", "places"}
    assert "layer=" in str(info.value)
    assert gisplan.geocode("xinjin", layer="places").name_en == "Xinjin District"
    assert len(gisplan.geocode_candidates("xinjin")) == 2


def test_exact_name_beats_a_suffix_stripped_one(catalogue):
    assert gisplan.geocode("高新区").name_zh == "成都高新区"  # not the station 高新
    assert gisplan.geocode("高新").layer == "stations"
    assert gisplan.geocode("成都高新技术产业开发区").name_zh == "成都高新区"
    hits = gisplan.geocode_candidates("高新区")
    assert list(hits["name_zh"]) == ["成都高新区", "高新"] and list(hits["tier"]) == [0, 1]
    assert gisplan.geocode("新津区").name_zh == "新津区"  # exact, ahead of station 新津站
    with pytest.raises(AmbiguousNameError):
        gisplan.geocode("新津")  # 新津站 and 新津区 both lose a suffix: two places


def test_line_precision_covers_its_extent(catalogue):
    result = gisplan.geocode("沙河")
    assert result.layer == "places"
    assert result.precision_m > 3000  # the line is about 7 km long


@pytest.mark.parametrize("bad", ["", "   ", "（）"])
def test_empty_name_is_an_error(catalogue, bad):
    with pytest.raises(GeocodeError, match="non-empty"):
        gisplan.geocode(bad)


def test_unknown_name_and_layer(catalogue):
    with pytest.raises(GeocodeError, match="no feature named"):
        gisplan.geocode("不存在的地方")
    with pytest.raises(GeocodeError, match="closest known names: 天府广场") as info:
        gisplan.geocode("天府广常")
    assert "人民北路" not in str(info.value)
    with pytest.raises(UnknownLayerError):
        gisplan.geocode("新津", layer="nope")


def test_embedded_catalogue_finds_districts():
    clear_geocoder_cache()
    for query in ("锦江区", "Jinjiang District", "jinjiangqu", "郫都"):
        result = gisplan.geocode(query, layer="districts")
        assert result.layer == "districts"
        assert result.precision_m > 1000  # a district is not a point
    assert gisplan.geocode("郫都区", layer="districts").name_en == "Pidu District"


def _variants(name_zh, name_en):
    """Ways a user writes a name other than the stored string itself."""
    wide = unicodedata.normalize("NFKC", name_zh).translate(_FULL_WIDTH)
    variants = [f"{wide}（示意）", f" {name_zh} (x) "]
    if all("\u4e00" <= ch <= "\u9fff" for ch in name_zh):
        variants.append(" ".join(lazy_pinyin(name_zh)).upper())  # spaced pinyin
    if isinstance(name_en, str) and name_en.strip():
        variants.append(f"  {name_en.lower()}  ")
    return variants


_FULL_WIDTH = {code: code + 0xFEE0 for code in range(0x21, 0x7F)}


def test_every_embedded_name_is_found():
    """Up to 25 features per layer (spread over the layer), each asked for as users write it."""
    clear_geocoder_cache()
    missing = []
    for name in gisplan.list_layers():
        meta = gisplan.layer_metadata(name)
        if meta["kind"] != "spatial" or "name_zh" not in meta["columns"]:
            continue
        frame = gisplan.load_layer(name)
        located = frame[~(frame.geometry.isna() | frame.geometry.is_empty)
                        & frame["name_zh"].notna()]
        located = located.iloc[::max(1, len(located) // 25)]
        english = located["name_en"] if "name_en" in located else [None] * len(located)
        for zh, en in zip(located["name_zh"], english, strict=True):
            for query in _variants(zh, en):
                if zh not in set(gisplan.geocode_candidates(query, layer=name)["name_zh"]):
                    missing.append(f"{name}: {zh} as {query!r}")
    assert not missing, f"{len(missing)} not found, e.g. {missing[:5]}"


@pytest.mark.parametrize(
    ("query", "name_zh", "layer"),
    [("天府新区", "四川天府新区成都直管区", "places"), ("东部新区", "成都东部新区", "places"),
     ("天府国际机场", "成都天府国际机场", "places"), ("双流国际机场", "成都双流国际机场", "places"),
     ("成都东站", "成都东站", "places"), ("空港新城", "天府国际空港新城", "places"),
     ("高新区", "成都高新区", "places"), ("Tianfu New Area", "四川天府新区成都直管区", "places"),
     ("Tianfu Square", "天府广场", "metro_stations"),
     ("tianfuguangchang", "天府广场", "metro_stations"),
     ("Longquan Mountain", "龙泉山", "eco_pattern_areas"), ("成都站", "成都站", "places"),
     ("tian fu xin qu", "四川天府新区成都直管区", "places"),
     ("dongbuxinqu", "成都东部新区", "places"),
     ("Chengdu Tianfu International Airport", "成都天府国际机场", "places")],
)
def test_the_plans_places_are_found(query, name_zh, layer):
    result = gisplan.geocode(query)
    assert (result.name_zh, result.layer) == (name_zh, layer)


def test_chengdu_east_railway_station_is_the_hub():
    hub = gisplan.geocode("成都东站", layer="places")
    english = gisplan.geocode("Chengdu East Railway Station")
    assert hub.name_en == "Chengdu East Railway Station"
    metric = gpd.GeoSeries([hub.point, english.point], crs=WGS84).to_crs(METRIC_CRS)
    assert metric.iloc[0].distance(metric.iloc[1]) <= hub.precision_m


def test_hubs_sit_at_their_metro_station_and_areas_cover_their_districts():
    stations = gisplan.load_layer("metro_stations").set_index("name_zh")
    hubs = [("成都东站", "成都东客站"), ("成都南站", "火车南站"), ("成都西站", "成都西站"),
            ("天府站", "天府站")]
    for hub, station in hubs:
        found = gisplan.geocode(hub, layer="places")
        assert found.point.distance(stations.geometry[station]) < 1e-6
        assert found.geocode_method == "metro_station_of_place" and found.precision_m >= 500
    districts = gisplan.load_layer("districts").set_index("name_zh").to_crs(METRIC_CRS)
    area = gisplan.geocode("东部新区")
    centre = gpd.GeoSeries([area.point], crs=WGS84).to_crs(METRIC_CRS).iloc[0]
    assert districts.geometry["简阳市"].contains(centre)
    assert centre.hausdorff_distance(districts.geometry["简阳市"]) <= area.precision_m


def test_station_english_names_are_words_not_syllables():
    stations = gisplan.load_layer("metro_stations").set_index("name_zh")
    assert stations.loc["天府广场", "name_en"] == "Tianfu Square"  # OSM name:en (signs)
    assert stations.loc["骡马市", "name_en"] == "Luomashi"
    spaced = [zh for zh, en in stations["name_en"].items()
              if len(zh) > 1 and en.lower() == " ".join(lazy_pinyin(zh))]
    assert not spaced, spaced[:5]


def _inventory():
    from compile_layers._common import SPEC

    path = SPEC / "plan_inventory.json"
    if not path.exists():
        pytest.skip(f"{path} not available")
    return [e for e in json.loads(path.read_text(encoding="utf-8"))["entities"]
            if e["layer"] != "targets"]


def test_every_inventory_name_resolves_or_is_listed_with_a_reason():
    from compile_layers.places import display_name

    clear_geocoder_cache()
    unlocated = gisplan.load_layer("places_unlocated").set_index("inventory_id")
    assert unlocated["reason"].str.len().gt(10).all()
    lost = []
    for entity in _inventory():
        if entity["id"] in unlocated.index:
            assert gisplan.geocode_candidates(entity["name_zh"]).empty, entity["name_zh"]
            continue
        names = (entity["name_zh"], display_name(entity["name_zh"]))
        if all(gisplan.geocode_candidates(n).empty for n in names):
            lost.append(entity["name_zh"])
    assert not lost, f"{len(lost)} inventory names neither found nor listed: {lost[:10]}"


def test_geocode_docstring_examples_run():
    module = importlib.import_module("gisplan.sources.geocoder")
    clear_geocoder_cache()
    result = doctest.testmod(module)
    assert result.attempted >= 8 and result.failed == 0


# --- online providers, with the network replaced -------------------------------

def test_amap_converts_gcj02_and_never_leaks_the_key(monkeypatch):
    secret = "SECRET-KEY-123"
    monkeypatch.setenv("AMAP_KEY", secret)
    calls = []

    def fake_get(url, params, timeout=10.0):
        calls.append(params)
        return {"status": "1", "geocodes": [{"location": "104.065891,30.657141",
                                             "level": "兴趣点",
                                             "formatted_address": "四川省成都市天府广场"}]}

    monkeypatch.setattr(_online_geocoders, "_http_get_json", fake_get)
    result = gisplan.geocode("天府广场", provider="amap")
    expected = gcj02_to_wgs84(104.065891, 30.657141)
    assert (result.lon, result.lat) == pytest.approx(expected)
    assert result.precision_m == 50.0 and calls[0]["key"] == secret
    assert secret not in repr(result)

    def failing_get(url, params, timeout=10.0):
        raise ValueError(f"bad answer for key={params['key']}")

    monkeypatch.setattr(_online_geocoders, "_http_get_json", failing_get)
    with pytest.raises(GeocodeError) as info:
        gisplan.geocode("天府广场", provider="amap")
    assert secret not in str(info.value) and "***" in str(info.value)


def test_amap_without_key(monkeypatch):
    monkeypatch.delenv("AMAP_KEY", raising=False)
    with pytest.raises(GisplanError, match="AMAP_KEY"):
        gisplan.geocode("天府广场", provider="amap")


def test_unknown_provider():
    with pytest.raises(GisplanError, match="unknown geocoding provider"):
        gisplan.geocode("天府广场", provider="google")


def test_geocoder_and_compilers_agree_on_a_district_point():
    from compile_layers._common import LAYERS
    from compile_layers._places import district_placement, read_districts

    clear_geocoder_cache()
    found = gisplan.geocode("锦江区", layer="districts")
    placed = district_placement("锦江区", read_districts(LAYERS))
    assert placed.precision_m == found.precision_m
    assert placed.geometry.distance(found.point) < 1e-9
    tod = gisplan.load_layer("tod_sites").set_index("name_zh").loc["林家坝"]  # placed at 锦江区
    assert tod["precision_m"] == found.precision_m
    assert tod.geometry.distance(found.point) < 1e-6


def test_readme_geocoding_examples_run():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Geocoding\n", 1)[1].split("\n## ", 1)[0]
    examples = "\n".join(re.findall(r"```python\n(.*?)```", section, flags=re.S))
    assert examples.count(">>>") >= 8
    clear_geocoder_cache()
    test = doctest.DocTestParser().get_doctest(examples, {}, "README geocoding", None, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.failures == 0
