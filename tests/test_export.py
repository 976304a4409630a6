from __future__ import annotations

import csv
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely
from geojson_validator import validate_geometries, validate_structure
from shapely.geometry import LineString, Point, Polygon

from geo._errors import ExportError
from geo.export import (
    CSV_COLUMNS,
    export_layers,
    featurecollection_from_layers,
    write_geojson,
)
from geo.models import INCIDENT_COLUMNS, PLACE_COLUMNS, ROUTE_COLUMNS

SCRIPT = "Smugglers said <script>alert('x')</script> & left."
KML_NS = {"k": "http://www.opengis.net/kml/2.2"}


@dataclass
class FakeLayers:
    """Stand-in for geo.pipeline.Layers (same attribute names)."""

    places: gpd.GeoDataFrame
    incidents: gpd.GeoDataFrame
    routes: gpd.GeoDataFrame
    articles: pd.DataFrame = field(default_factory=pd.DataFrame)
    skipped: list[str] = field(default_factory=list)


def _gdf(rows: list[dict], columns: tuple[str, ...], geoms: list) -> gpd.GeoDataFrame:
    frame = pd.DataFrame([{c: r.get(c) for c in columns} for r in rows], columns=list(columns))
    return gpd.GeoDataFrame(frame, geometry=geoms, crs="EPSG:4326")


def make_layers() -> FakeLayers:
    places = _gdf(
        [
            {
                "name": "Sinuiju",
                "mentions": ["Sinuiju", "Sinŭiju"],
                "article_id": "a1",
                "country_code": "KP",
                "feature_class": "city",
                "geo_precision": 1,
                "gazetteer_id": "gn:2040893",
                "confidence": 0.9,
                "candidates": [
                    {
                        "gazetteer_id": "gn:2040893",
                        "name": "Sinuiju",
                        "country_code": "KP",
                        "score": 0.9,
                        "lat": 40.10056,
                        "lon": 124.39806,
                    },
                ],
            },
            {
                "name": "North Pyongan",
                "mentions": ["North Pyongan Province"],
                "article_id": "a1",
                "country_code": "KP",
                "feature_class": "province",
                "geo_precision": 3,
                "gazetteer_id": "bw:north-pyongan",
                "confidence": float("nan"),
                "candidates": [],
            },
        ],
        PLACE_COLUMNS,
        # the province as a clockwise (wrong for RFC 7946) polygon with 8+ decimals
        [
            Point(124.398061234, 40.100561234),
            Polygon([(124.0, 40.0), (124.0, 40.5), (125.0, 40.5), (125.0, 40.0)]),
        ],
    )
    incidents = _gdf(
        [
            {
                "id": "a1-i001",
                "article_id": "a1",
                "type": "smuggling",
                "summary": "Smuggling at Sinuiju",
                "excerpt": SCRIPT,
                "place": "Sinuiju",
                "date_start": "2024-09-11",
                "date_end": "2024-09-20",
                "date_precision": "range",
                "actors": ["smugglers", "border guards"],
                "quantities": ["five 15-ton trucks"],
                "geo_precision": 1,
                "confidence": 0.8,
                "country_code": "KP",
                "gazetteer_id": "gn:2040893",
            },
            {
                "id": "a1-i002",
                "article_id": "a1",
                "type": "arrest",
                "summary": "Arrest somewhere",
                "excerpt": "Two people were arrested.",
                "place": None,
                "date_start": None,
                "date_end": None,
                "date_precision": "unknown",
                "actors": [],
                "quantities": [],
                "geo_precision": None,
                "confidence": 0.4,
            },
        ],
        INCIDENT_COLUMNS,
        [Point(124.39806, 40.10056), None],
    )
    routes = _gdf(
        [
            {
                "id": "a1-r001",
                "article_id": "a1",
                "origin": "Dandong",
                "destination": "Sinuiju",
                "mode": "truck",
                "status": "completed",
                "crosses_border": True,
                "length_km": 3.2,
                "date_start": "2024-09-11",
                "date_end": "2024-09-20",
                "excerpt": "Trucks crossed from Dandong to Sinuiju.",
                "via": ["Sino-Korean Friendship Bridge"],
            }
        ],
        ROUTE_COLUMNS,
        [LineString([(124.39472, 40.12917), (124.39806, 40.10056)])],
    )
    return FakeLayers(places, incidents, routes)


@pytest.fixture
def layers() -> FakeLayers:
    return make_layers()


def _all_numbers(obj) -> list[float]:
    if isinstance(obj, int | float):
        return [obj]
    return [n for item in obj for n in _all_numbers(item)]


# ------------------------------------------------------------------ FeatureCollection


def test_featurecollection_is_valid_rfc7946(layers):
    fc = featurecollection_from_layers(layers)
    assert "crs" not in fc
    assert validate_structure(fc, check_crs=True) == {}
    problems = validate_geometries(fc)
    assert problems["invalid"] == {}
    assert "excessive_coordinate_precision" not in problems["problematic"]


def test_featurecollection_layers_ids_and_lists(layers):
    fc = featurecollection_from_layers(layers)
    by_layer = {}
    for f in fc["features"]:
        by_layer.setdefault(f["properties"]["layer"], []).append(f)
    assert {k: len(v) for k, v in by_layer.items()} == {"places": 2, "incidents": 2, "routes": 1}
    ids = [f["id"] for f in fc["features"]]
    assert len(set(ids)) == len(ids)
    assert "a1-i001" in ids and "a1-r001" in ids
    sinuiju = by_layer["places"][0]
    assert sinuiju["properties"]["mentions"] == ["Sinuiju", "Sinŭiju"]
    assert sinuiju["properties"]["candidates"][0]["gazetteer_id"] == "gn:2040893"
    assert by_layer["places"][1]["properties"]["confidence"] is None  # NaN -> null
    # strict JSON: no NaN tokens
    json.dumps(fc, allow_nan=False)


def test_featurecollection_lonlat_order_and_six_decimals(layers):
    fc = featurecollection_from_layers(layers)
    sinuiju = fc["features"][0]["geometry"]["coordinates"]
    lon, lat = sinuiju
    assert lon > lat  # a Korean point: lon ~124, lat ~40
    assert sinuiju == [124.398061, 40.100561]
    for f in fc["features"]:
        if f["geometry"]:
            for n in _all_numbers(f["geometry"]["coordinates"]):
                assert len(repr(n).split(".")[-1]) <= 6


def test_featurecollection_polygon_exterior_ring_is_counter_clockwise(layers):
    assert not layers.places.geometry.iloc[1].exterior.is_ccw  # input is clockwise
    fc = featurecollection_from_layers(layers)
    ring = fc["features"][1]["geometry"]["coordinates"][0]
    assert shapely.LinearRing(ring).is_ccw


def test_featurecollection_unlocated_incident_has_null_geometry(layers):
    fc = featurecollection_from_layers(layers)
    unplaced = next(f for f in fc["features"] if f["id"] == "a1-i002")
    assert unplaced["geometry"] is None
    assert unplaced["properties"]["place"] is None


def test_featurecollection_reprojects_other_crs(layers):
    layers.places = layers.places.to_crs(3857)
    fc = featurecollection_from_layers(layers)
    assert fc["features"][0]["geometry"]["coordinates"] == pytest.approx([124.398061, 40.100561])


def test_featurecollection_place_ids_are_generated_and_unique(layers):
    fc = featurecollection_from_layers(layers)
    place_ids = [f["id"] for f in fc["features"] if f["properties"]["layer"] == "places"]
    assert place_ids == ["a1-p001", "a1-p002"]


# ------------------------------------------------------------------- export_layers


def test_export_geojson_reads_back_with_gdal(layers, tmp_path):
    path = export_layers(layers, tmp_path / "out" / "border.geojson")
    assert path.exists()
    fc = json.loads(path.read_text(encoding="utf-8"))
    assert "crs" not in fc
    gdf = pyogrio.read_dataframe(path)
    assert len(gdf) == 5
    assert gdf.crs.to_epsg() == 4326
    assert sorted(gdf["layer"].unique()) == ["incidents", "places", "routes"]
    incident = gdf[gdf["id"] == "a1-i001"].iloc[0]
    assert incident["excerpt"] == SCRIPT  # data, not HTML: kept verbatim
    assert list(incident["actors"]) == ["smugglers", "border guards"]
    assert gdf.geometry.iloc[0].x == pytest.approx(124.398061)


def test_write_geojson_one_layer_keeps_lists(layers, tmp_path):
    path = write_geojson(layers.places, tmp_path / "places.geojson")
    fc = json.loads(path.read_text(encoding="utf-8"))
    assert "crs" not in fc
    assert fc["features"][0]["properties"]["mentions"] == ["Sinuiju", "Sinŭiju"]
    assert validate_structure(fc, check_crs=True) == {}
    ring = fc["features"][1]["geometry"]["coordinates"][0]
    assert shapely.LinearRing(ring).is_ccw
    assert fc["features"][0]["geometry"]["coordinates"] == [124.398061, 40.100561]
    back = pyogrio.read_dataframe(path)
    assert list(back["mentions"].iloc[0]) == ["Sinuiju", "Sinŭiju"]


def test_write_geojson_overwrites(layers, tmp_path):
    path = tmp_path / "incidents.geojson"
    write_geojson(layers.incidents, path)
    write_geojson(layers.incidents.iloc[:1], path)
    assert len(pyogrio.read_dataframe(path)) == 1


def test_export_csv_one_row_per_incident(layers, tmp_path):
    path = export_layers(layers, tmp_path / "incidents.csv", fmt="csv")
    raw = path.read_text(encoding="utf-8")
    assert raw.startswith('"event_id_cnty","event_date"')
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert [r["event_id_cnty"] for r in rows] == ["a1-i001", "a1-i002"]
    first = rows[0]
    assert first["notes"] == SCRIPT
    assert first["event_date"] == "2024-09-11" and first["date_end"] == "2024-09-20"
    assert first["time_precision"] == "2"
    assert first["actor1"] == "smugglers"
    assert first["actors"] == "smugglers; border guards"
    assert first["quantities"] == "five 15-ton trucks"
    assert float(first["latitude"]) == pytest.approx(40.10056)
    assert float(first["longitude"]) == pytest.approx(124.39806)
    assert first["country"] == "KP" and first["source"] == "a1"
    second = rows[1]
    assert second["latitude"] == "" and second["time_precision"] == "" and second["actor1"] == ""


def test_export_kml_escapes_html_and_styles(layers, tmp_path):
    path = export_layers(layers, tmp_path / "border.kml", fmt="kml")
    raw = path.read_text(encoding="utf-8")
    assert "<script>" not in raw
    root = ET.parse(path).getroot()
    placemarks = root.findall(".//k:Placemark", KML_NS)
    descriptions = [p.findtext("k:description", namespaces=KML_NS) for p in placemarks]
    smuggling = next(d for d in descriptions if "Smugglers" in d)
    # after XML parsing, the description is HTML in which the script is escaped text
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; left." in smuggling
    assert "<script>" not in smuggling
    # incidents (1 located; the unlocated one is left out), the route, and 2 places
    assert len(root.findall(".//k:Point", KML_NS)) == 1 + 2
    line = root.find(".//k:LineString/k:coordinates", KML_NS).text.split()
    assert line[0].startswith("124.39472,40.12917")
    assert len(root.findall(".//k:Style", KML_NS)) >= 2
    assert all(p.findtext("k:styleUrl", namespaces=KML_NS) for p in placemarks[:2])


@pytest.mark.parametrize("fmt", ["shp", "GeoPackage", ""])
def test_export_bad_format_message(layers, tmp_path, fmt):
    with pytest.raises(ExportError) as info:
        export_layers(layers, tmp_path / "x.out", fmt=fmt)
    assert str(info.value) == f"Format '{fmt}' is not supported. Use 'geojson', 'csv' or 'kml'."
    assert not (tmp_path / "x.out").exists()


def test_export_to_folder_is_an_error(layers, tmp_path):
    with pytest.raises(ExportError, match=re.escape(str(tmp_path))):
        export_layers(layers, tmp_path)


def test_export_empty_layers(tmp_path):
    empty = make_layers()
    empty.places = empty.places.iloc[:0]
    empty.incidents = empty.incidents.iloc[:0]
    empty.routes = empty.routes.iloc[:0]
    assert featurecollection_from_layers(empty) == {"type": "FeatureCollection", "features": []}
    path = export_layers(empty, tmp_path / "e.csv", fmt="csv")
    assert path.read_text(encoding="utf-8").count("\n") == 1  # header only


def test_featurecollection_drops_repeated_route_vertices(layers):
    line = LineString([(124.39806, 40.10056), (124.39058, 40.11644), (124.390580001, 40.11644)])
    layers.routes = layers.routes.set_geometry([line], crs="EPSG:4326")
    fc = featurecollection_from_layers(layers)
    route = next(f for f in fc["features"] if f["id"] == "a1-r001")
    assert route["geometry"]["coordinates"] == [[124.39806, 40.10056], [124.39058, 40.11644]]
    assert "duplicate_nodes" not in validate_geometries(fc)["problematic"]


def test_export_real_pipeline_layers_of_the_seeds(tmp_path):
    pipeline = pytest.importorskip("geo.pipeline")
    from geo.articles import find_articles
    from geo.settings import seeds_folder

    layers = pipeline.layers_from_paths(find_articles(seeds_folder))
    assert len(layers.incidents) > 0
    fc = featurecollection_from_layers(layers)
    assert validate_structure(fc, check_crs=True) == {}
    assert validate_geometries(fc)["invalid"] == {}
    json.dumps(fc, allow_nan=False)
    for fmt in ("geojson", "csv", "kml"):
        path = export_layers(layers, tmp_path / f"seeds.{fmt}", fmt=fmt)
        assert path.stat().st_size > 0
    assert len(pyogrio.read_dataframe(tmp_path / "seeds.geojson")) == len(fc["features"])
    with (tmp_path / "seeds.csv").open(encoding="utf-8", newline="") as f:
        assert len(list(csv.DictReader(f))) == len(layers.incidents)
    ET.parse(tmp_path / "seeds.kml")  # well-formed XML


def test_csv_cells_cannot_run_as_spreadsheet_formulas(tmp_path):
    from geo.export import _csv_cell

    assert _csv_cell('=HYPERLINK("http://evil")').startswith("'=")
    assert _csv_cell("Sinuiju") == "Sinuiju"
