"""End to end: the CLI on the seed articles, as a user runs it."""

import json
import subprocess
import sys

import pyogrio
import pytest
from geopy.distance import geodesic

from geo import settings

SEEDS = settings.seeds_folder


def run(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "geo", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    out = tmp_path_factory.mktemp("build")
    result = run("build", "--articles", SEEDS, "--out", out)
    assert result.returncode == 0, result.stderr
    layers = {
        name: json.loads((out / f"{name}.geojson").read_text(encoding="utf-8"))
        for name in ("places", "incidents", "routes")
    }
    return out, layers


def props(layer):
    return [f["properties"] for f in layer["features"]]


# True positions (GeoNames / Wikipedia), for checking only: the code never sees them.
TRUE_POSITIONS = {
    "Kaesong": (37.971, 126.554),
    "Kaesong Industrial Complex": (37.94, 126.66),
    "Hoeryong": (42.441, 129.746),
    "Sanhe": (42.475, 129.736),
    "Longjing": (42.771, 129.423),
    "Rason": (42.256, 130.283),
    "Inge-ri": (42.44, 129.75),
}
TOLERANCE_KM = {"Inge-ri": 30, "Kaesong Industrial Complex": 5}


@pytest.mark.parametrize("mention", sorted(TRUE_POSITIONS))
def test_seed_places_are_within_a_few_km(build, mention):
    _, layers = build
    found = [f for f in layers["places"]["features"] if mention in f["properties"]["mentions"]]
    assert found, f"{mention} not found"
    lon, lat = found[0]["geometry"]["coordinates"]
    assert geodesic((lat, lon), TRUE_POSITIONS[mention]).km < TOLERANCE_KM.get(mention, 3)


def test_inge_ri_is_marked_as_located_through_hoeryong(build):
    _, layers = build
    inge = next(p for p in props(layers["places"]) if "Inge-ri" in p["mentions"])
    assert inge["geo_precision"] == 2


def test_sanhe_is_the_jilin_one_and_says_why(build):
    _, layers = build
    sanhe = next(p for p in props(layers["places"]) if p["name"] == "Sanhe")
    assert sanhe["gazetteer_id"] == "gn:2035142" and sanhe["country_code"] == "CN"
    assert len(sanhe["candidates"]) > 1 and sanhe["reason"]


def test_no_byline_or_outlet_is_a_place(build):
    _, layers = build
    mentions = {m for p in props(layers["places"]) for m in p["mentions"]}
    assert not mentions & {
        "Leejin Jun",
        "Jun",
        "Paul Eckert",
        "Reuters",
        "Yonhap",
        "Meari",
        "Uriminzokkiri",
        "Korean",
        "Chinese",
    }


def test_two_night_crossings_are_separate_dated_incidents(build):
    _, layers = build
    crossings = [
        p
        for p in props(layers["incidents"])
        if p["type"] == "smuggling_crossing" and p["date_precision"] == "day"
    ]
    days = {p["date_start"] for p in crossings}
    assert {"2017-09-28", "2017-10-02"} <= days
    for p in crossings:
        if p["date_start"] in ("2017-09-28", "2017-10-02"):
            assert p["place"] == "Inge-ri" and p["date_inferred"] is True
    sept = next(p for p in crossings if p["date_start"] == "2017-09-28")
    assert "Sept. 28" in sept["excerpt"]


def test_refused_export_and_storage_are_incidents(build):
    _, layers = build
    incidents = props(layers["incidents"])
    assert any(p["type"] == "customs_refusal" and p["place"] == "Sanhe" for p in incidents)
    storage = next(p for p in incidents if p["type"] == "storage")
    assert storage["place"] == "Hoeryong"
    assert (storage["date_start"], storage["date_end"], storage["date_precision"]) == (
        "2017-09-11",
        "2017-09-20",
        "range",
    )


def test_caption_is_not_an_incident(build):
    _, layers = build
    assert not any(
        p["date_start"] and p["date_start"].startswith("2013") for p in props(layers["incidents"])
    )


@pytest.mark.parametrize(
    ("origin", "destination", "status"),
    [
        ("Hoeryong", "Sanhe", "blocked"),
        ("Rajin", "Hoeryong", "completed"),
        ("Inge-ri", None, "completed"),
    ],
)
def test_seed_routes(build, origin, destination, status):
    _, layers = build
    routes = [
        p
        for p in props(layers["routes"])
        if p["origin"] == origin and (destination is None or p["destination"] == destination)
    ]
    assert routes, f"no route {origin} -> {destination}"
    assert routes[0]["status"] == status
    if origin == "Inge-ri":
        assert any(r["crosses_border"] for r in routes)


def test_export_is_rfc7946_and_gdal_reads_it(build, tmp_path):
    out, _ = build
    target = tmp_path / "all.geojson"
    result = run("export", "--from", out, "--out", target)
    assert result.returncode == 0, result.stderr
    collection = json.loads(target.read_text(encoding="utf-8"))
    assert "crs" not in collection
    assert {f["properties"]["layer"] for f in collection["features"]} == {
        "places",
        "incidents",
        "routes",
    }
    for feature in collection["features"]:
        if feature["geometry"] and feature["geometry"]["type"] == "Point":
            lon, lat = feature["geometry"]["coordinates"]
            assert 119 < lon < 136 and 33 < lat < 47  # lon/lat order
    assert len(pyogrio.read_dataframe(target)) == len(collection["features"])


@pytest.mark.parametrize("fmt", ["csv", "kml"])
def test_export_other_formats(build, tmp_path, fmt):
    out, _ = build
    result = run("export", "--from", out, "--out", tmp_path / f"all.{fmt}", "--format", fmt)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / f"all.{fmt}").stat().st_size > 100


def test_standalone_map_needs_no_cdn(build, tmp_path):
    out, _ = build
    result = run("map", "--from", out, "--out", tmp_path / "map.html")
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "map.html").read_text(encoding="utf-8")
    assert (
        "cdn.jsdelivr" not in html and "unpkg.com" not in html and '<script src="http' not in html
    )


def test_bad_inputs_are_skipped_one_line_each_exit_1(tmp_path):
    (tmp_path / "good.txt").write_text(
        (SEEDS / "004_041c0f3c5762d66b.txt").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 10)
    (tmp_path / "huge.txt").write_bytes(b"Hoeryong smuggling. " * 300_000)
    result = run("build", "--articles", tmp_path, "--out", tmp_path / "out", "--quiet")
    assert result.returncode == 1
    skipped = [line for line in result.stderr.splitlines() if line.startswith("skipped:")]
    assert len(skipped) == 3 and all(
        n in result.stderr for n in ("empty.txt", "binary.txt", "huge.txt")
    )
    assert "Traceback" not in result.stderr
    assert "1 article(s)" in result.stdout


def test_missing_folder_is_one_line_exit_2(tmp_path):
    result = run("build", "--articles", tmp_path / "nope", "--out", tmp_path / "out")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "nope" in result.stderr


def test_geocode_command_answers_offline():
    result = run("geocode", "회령")
    assert result.returncode == 0 and "Hoeryong" in result.stdout and "KP" in result.stdout
