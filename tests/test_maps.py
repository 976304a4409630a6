"""Tests of geo.maps: offline assets, one incidents layer, styles, escaping, view."""

from __future__ import annotations

import base64
import json
import os
import re
from types import SimpleNamespace

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from folium.map import Layer
from folium.plugins import MarkerCluster
from folium.utilities import validate_location
from shapely.geometry import LineString, Point

from geo import maps
from geo.models import INCIDENT_COLUMNS, PLACE_COLUMNS, ROUTE_COLUMNS

XSS = (
    "<script>document.title='pwned'</script> "
    "<img src=x onerror=\"document.title='pwned'\"> ${document.title='pwned'} `x`"
)
CDN_HOSTS = ("cdn.jsdelivr.net", "cdnjs.cloudflare.com", "code.jquery.com", "bootstrapcdn.com")


def _incident(i: int, **kw: object) -> dict[str, object]:
    row: dict[str, object] = {c: None for c in INCIDENT_COLUMNS}
    row.update(
        id=f"t-i{i:03d}",
        article_id="t",
        type="seizure",
        summary=f"Seizure {i}",
        excerpt=f"Customs seized goods in Sinuiju ({i}).",
        place="Sinuiju",
        date_start="2024-05-01",
        date_end="2024-05-01",
        date_precision="day",
        actors=["customs"],
        quantities=["two trucks"],
        geo_precision=1,
        confidence=0.8,
        sources=[],
    )
    row.update(kw)
    return row


def make_layers(
    incidents: list[dict[str, object]],
    points: list[Point | None],
    routes: list[tuple[dict[str, object], LineString]] = (),
) -> SimpleNamespace:
    gdf_incidents = gpd.GeoDataFrame(
        pd.DataFrame(incidents, columns=list(INCIDENT_COLUMNS)), geometry=points, crs="EPSG:4326"
    )
    place = {c: None for c in PLACE_COLUMNS}
    place.update(
        name="Sinuiju", mentions=["Sinŭiju"], article_id="t", gazetteer_id="gn:1", geo_precision=1
    )
    gdf_places = gpd.GeoDataFrame([place], geometry=[Point(124.4, 40.1)], crs="EPSG:4326")
    route_rows = []
    for props, _ in routes:
        row = {c: None for c in ROUTE_COLUMNS}
        row.update(props)
        route_rows.append(row)
    gdf_routes = gpd.GeoDataFrame(
        pd.DataFrame(route_rows, columns=list(ROUTE_COLUMNS)),
        geometry=[g for _, g in routes],
        crs="EPSG:4326",
    )
    return SimpleNamespace(
        places=gdf_places, incidents=gdf_incidents, routes=gdf_routes, articles=pd.DataFrame()
    )


@pytest.fixture
def layers() -> SimpleNamespace:
    incidents = [
        _incident(
            1, excerpt="Trucks crossed from Sinuiju to Dandong. " + XSS, type="smuggling_crossing"
        ),
        _incident(
            2, place="Hoeryong", geo_precision=2, excerpt="Arrests near Hoeryong.", type="arrest"
        ),
        _incident(3, place=None, geo_precision=None),
    ]
    routes = [
        (
            {
                "id": "t-r001",
                "origin": "Sinuiju",
                "destination": "Dandong",
                "status": "blocked",
                "crosses_border": False,
                "mode": "truck",
            },
            LineString([(124.40, 40.10), (124.38, 40.13)]),
        ),
        (
            {
                "id": "t-r002",
                "origin": "Hoeryong",
                "destination": "Sanhe",
                "status": "completed",
                "crosses_border": True,
                "mode": "on_foot",
            },
            LineString([(129.75, 42.44), (129.73, 42.47)]),
        ),
    ]
    return make_layers(incidents, [Point(124.4, 40.1), Point(129.75, 42.44), None], routes)


def _geojson(group: folium.FeatureGroup, name: str) -> dict:
    """The layer's features, decoded from its columnar payload as the browser does."""
    found = [c for c in group._children.values() if isinstance(c, Layer) and c.layer_name == name]
    assert len(found) == 1
    c = json.loads(found[0].payload_json)  # what the page receives
    features = []
    if name == "Places":
        for x, y, id_, label in zip(c["x"], c["y"], c["id"], c["l"], strict=True):
            props = {"id": id_, "label": label}
            features.append({"properties": props, "geometry": {"coordinates": [x, y]}})
    if name == "Incidents":
        for i, id_ in enumerate(c["id"]):
            props = {
                "id": c["A"][c["a"][i]] + id_,
                "type": c["T"][c["t"][i]],
                "label": c["l"][i],
                "date": c["D"][c["d"][i]],
            }
            if "p" in c:
                props["popup"] = c["p"][i]
            features.append(
                {
                    "properties": props,
                    "geometry": {"type": "Point", "coordinates": [c["x"][i], c["y"][i]]},
                }
            )
    elif name == "Location uncertainty":
        for x, y, r in zip(c["x"], c["y"], c["r"], strict=True):
            features.append({"properties": {"r": r}, "geometry": {"coordinates": [x, y]}})
    elif name == "Routes":
        for i, id_ in enumerate(c["id"]):
            props = {"id": id_, "label": c["l"][i], "s": c["S"][c["s"][i]]}
            features.append({"properties": props, "geometry": {"coordinates": c["c"][i]}})
    return {"type": "FeatureCollection", "features": features}


def _render(m: folium.Map) -> str:
    return m.get_root().render()


def test_standalone_map_has_no_cdn_urls(layers, tmp_path):
    path = maps.save_map(maps.map_from_layers(layers), tmp_path / "map.html")
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=[\"']?(https?:)?//", text)
    assert not re.search(r"<link[^>]+href=[\"']?(https?:)?//", text)
    assert not any(host in text for host in CDN_HOSTS)
    assert "L.map(" in text and "leaflet-container" in text  # Leaflet inlined


def test_url_mode_points_every_asset_at_base_url(layers):
    m = maps.base_map()
    m.add_child(MarkerCluster())  # a plugin with its own CDN files
    maps.localize_assets(m, mode="url", base_url="app/static/vendor/")
    html = _render(m)
    links = re.findall(r"<(?:script|link)[^>]+(?:src|href)=\"([^\"]+)\"", html)
    assert links and all(u.startswith("app/static/vendor/") for u in links)
    assert "app/static/vendor/leaflet.markercluster/leaflet.markercluster.js" in links
    files = maps.vendor_files()
    assert all(u.removeprefix("app/static/vendor/") in files for u in links)
    assert MarkerCluster.default_js[0][1].startswith("https://")  # class lists untouched


def test_asset_without_local_copy_is_dropped_with_warning(caplog):
    m = folium.Map(tiles=None)  # folium's defaults include Bootstrap and awesome-markers
    with caplog.at_level("WARNING"):
        maps.localize_assets(m, mode="url", base_url="static")
    html = _render(m)
    assert "bootstrap" not in html.lower()
    assert any("bootstrap" in r.message for r in caplog.records)


def test_vendor_files_exist_and_include_leaflet():
    files = maps.vendor_files()
    assert {"leaflet/leaflet.js", "leaflet/leaflet.css", "leaflet/images/layers.png"} <= set(files)
    assert all(p.is_file() for p in files.values())


def test_copy_vendor_files_keeps_relative_layout(tmp_path):
    written = maps.copy_vendor_files(tmp_path)
    assert (tmp_path / "leaflet" / "images" / "layers.png").is_file()
    assert len(written) == len(maps.vendor_files())


def test_many_incidents_are_one_geojson_layer():
    n = 500
    incidents = [_incident(i) for i in range(n)]
    points = [Point(124 + i / 1000, 40 + i / 1000) for i in range(n)]
    group = maps.feature_group_from_layers(make_layers(incidents, points), popups="short")
    data = _geojson(group, "Incidents")
    assert len(data["features"]) == n
    assert all(set(f["properties"]) == {"id", "type", "label", "date"} for f in data["features"])
    small = make_layers(incidents[:5], points[:5])
    html_small = _render(maps.map_from_layers(small, popups="short"))
    html_big = _render(maps.map_from_layers(make_layers(incidents, points), popups="short"))
    assert html_big.count("new BwPoints(") == html_small.count("new BwPoints(") == 1
    assert html_big.count("L.geoJson(") == html_small.count("L.geoJson(")
    assert html_big.count("L.circleMarker(") == html_small.count("L.circleMarker(")
    assert len(html_big) - len(html_small) < 495 * 120  # compact: ~100 bytes per incident


def test_unplaced_incident_is_not_drawn(layers):
    group = maps.feature_group_from_layers(layers)
    ids = [f["properties"]["id"] for f in _geojson(group, "Incidents")["features"]]
    assert ids == ["t-i001", "t-i002"]


def test_every_clickable_feature_has_an_id(layers):
    group = maps.feature_group_from_layers(layers)
    for name in ("Incidents", "Routes", "Places"):
        features = _geojson(group, name)["features"]
        assert features and all(f["properties"]["id"] for f in features)
    places = _geojson(group, "Places")["features"]
    assert places[0]["properties"]["id"] == "place:gn:1"


def test_legend_lists_incident_types_with_colours(layers):
    html = _render(maps.map_from_layers(layers))
    assert "bw-legend" in html
    legend = re.search(r"div\.innerHTML = (\".*?\");", html).group(1)
    legend_html = json.loads(legend.replace("<\\/", "</"))
    assert maps.color_for_type("arrest") in legend_html
    assert maps.color_for_type("smuggling_crossing") in legend_html
    assert "dashed" in legend_html and "±5 km" in legend_html


def test_popups_are_escaped(layers):
    html = _render(maps.map_from_layers(layers, popups="full"))
    assert "<script>document.title" not in html
    assert "<img src=x" not in html
    assert "${document.title" not in html
    group = maps.feature_group_from_layers(layers, popups="full")
    popup = _geojson(group, "Incidents")["features"][0]["properties"]["popup"]
    assert "&lt;script&gt;" in popup and "&#36;&#123;document.title" in popup
    assert "`" not in popup and "<img" not in popup


def test_full_popup_highlights_the_place_and_shows_details(layers):
    group = maps.feature_group_from_layers(layers, popups="full")
    popup = _geojson(group, "Incidents")["features"][0]["properties"]["popup"]
    assert "<mark>Sinuiju</mark>" in popup
    assert "customs" in popup and "two trucks" in popup and "2024-05-01" in popup


def test_short_popups_carry_no_excerpt(layers):
    group = maps.feature_group_from_layers(layers, popups="short")
    props = _geojson(group, "Incidents")["features"][0]["properties"]
    assert "popup" not in props and "Trucks crossed" not in json.dumps(props)


def test_blocked_route_is_dashed_and_border_route_red(layers):
    group = maps.feature_group_from_layers(layers)
    routes = _geojson(group, "Routes")["features"]
    lines = {f["properties"]["id"]: f for f in routes}
    blocked, crossing = lines["t-r001"]["properties"]["s"], lines["t-r002"]["properties"]["s"]
    html = _render(maps.map_from_layers(layers))
    options = re.search(r"new BwRoutes\(.*?, (\{\"styles\".*?\}\}\})\)", html).group(1)
    table = json.loads(options)["styles"]
    assert table[blocked]["dashArray"] and not table[crossing]["dashArray"]
    assert (
        table[crossing]["color"] == "#c62828"
        and table[crossing]["weight"] > table[blocked]["weight"]
    )


def test_route_lines_end_at_the_destination(layers):
    # arrow heads are drawn in the browser at the last vertex (tests/browser)
    group = maps.feature_group_from_layers(layers)
    lines = {f["properties"]["id"]: f for f in _geojson(group, "Routes")["features"]}
    assert lines["t-r001"]["geometry"]["coordinates"] == [[124.4, 40.1, 124.38, 40.13]]


def test_precision_circle_for_uncertain_incidents(layers):
    group = maps.feature_group_from_layers(layers)
    halos = _geojson(group, "Location uncertainty")["features"]
    assert [h["properties"]["r"] for h in halos] == [maps.PRECISION_RADIUS_M[2]]
    assert halos[0]["geometry"]["coordinates"] == [129.75, 42.44]


def test_map_centre_valid_and_bounds_fit_incidents(layers):
    m = maps.map_from_layers(layers)
    assert validate_location(m.location) == m.location
    html = _render(m)
    fit = re.search(r"fitBounds\(\s*(\[\[.*?\]\])", html, re.S).group(1)
    (south, west), (north, east) = json.loads(fit)
    assert south <= 40.1 and west <= 124.4 and north >= 42.44 and east >= 129.75
    assert north - south < 5 and east - west < 8  # fitted, not the whole region


def test_single_incident_bounds_are_padded():
    m = maps.map_from_layers(make_layers([_incident(1)], [Point(124.4, 40.1)]))
    fit = json.loads(re.search(r"fitBounds\(\s*(\[\[.*?\]\])", _render(m), re.S).group(1))
    assert fit[0][0] < 40.1 < fit[1][0] and fit[0][1] < 124.4 < fit[1][1]


def test_empty_layers_give_the_default_region():
    empty = make_layers([], [])
    empty.places = empty.places.iloc[0:0]
    m = maps.map_from_layers(empty)
    assert validate_location(m.location)
    assert "bw-legend" in _render(m)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [({"popups": "long"}, ValueError)],
)
def test_bad_popups_argument(layers, kwargs, error):
    with pytest.raises(error, match="popups"):
        maps.feature_group_from_layers(layers, **kwargs)


@pytest.mark.parametrize("bounds", [(130, 40, 124, 42), (float("nan"), 40, 124, 42)])
def test_bad_bounds(bounds):
    with pytest.raises(ValueError, match="bounds"):
        maps.base_map(bounds=bounds)


def test_bad_mode():
    with pytest.raises(ValueError, match="mode"):
        maps.localize_assets(maps.base_map(), mode="cdn")


def test_basemap_layers_and_tiles(layers):
    html = _render(maps.base_map(tiles=True))
    assert "tile.openstreetmap.org" in html and "World_Imagery" in html
    assert "Offline basemap only" in html and "bw-minimap" in html and "bw-fullscreen" in html
    assert "CHN-PRK" in html and "Tumen" in html  # boundary + border rivers
    assert "L.control.scale" in html
    no_tiles = _render(maps.base_map(tiles=False))
    assert "tile.openstreetmap.org" not in no_tiles


def test_escape_html_neutralises_template_syntax():
    text = "</script><b>${x}</b>`y`\\"
    out = maps.escape_html(text)
    assert not set("<>$`{}\\") & set(out)


def test_data_places_are_not_labelled_twice(layers):
    html = _render(maps.map_from_layers(layers))
    data_places = json.loads(re.search(r"new BwPlaces\((\{.*?\}), ", html).group(1))
    assert data_places["l"] == ["Sinuiju"]  # the data place; no basemap label under it
    assert html.count('"label":"Sinuiju"') == 0
    assert html.count('"label":"Dandong"') == 1  # basemap label
    assert _render(maps.base_map()).count('"label":"Sinuiju"') == 1


def test_missing_values_of_any_kind_are_tolerated():
    rows = [
        _incident(1, geo_precision=pd.NA, date_start=float("nan"), actors=None),
        _incident(2, geo_precision=2.0, quantities=("a", "b")),
    ]
    group = maps.feature_group_from_layers(
        make_layers(rows, [Point(124.4, 40.1), Point(124.5, 40.2)]), popups="full"
    )
    incidents = _geojson(group, "Incidents")["features"]
    assert [f["properties"]["date"] for f in incidents] == ["", "2024-05-01"]
    assert "a, b" in incidents[1]["properties"]["popup"]
    assert len(_geojson(group, "Location uncertainty")["features"]) == 1


def test_route_payload_follows_changed_routes(layers):
    before = _geojson(maps.feature_group_from_layers(layers), "Routes")["features"]
    moved = layers.routes.copy()
    moved.loc[0, "geometry"] = LineString([(124.40, 40.10), (124.5, 40.2)])  # a correction
    moved.loc[1, "status"] = "blocked"
    layers.routes = moved
    after = _geojson(maps.feature_group_from_layers(layers), "Routes")["features"]
    assert before[0]["geometry"] != after[0]["geometry"]
    assert after[0]["geometry"]["coordinates"] == [[124.4, 40.1, 124.5, 40.2]]
    assert after[1]["properties"]["s"] == "blocked|1" != before[1]["properties"]["s"]


# ---------------------------------------------------------------- fetched data + row masks


def _apply(data: maps.MapData, group: folium.FeatureGroup) -> dict[str, dict]:
    """What each canvas layer of ``group`` draws: the data file's rows under its mask."""
    full = json.loads(data.payload)
    drawn = {}
    for layer in group._children.values():
        if not getattr(layer, "source", None):
            continue
        _, key, mask, extra = layer.source
        c = full[key]
        n = len(c["id"] if "id" in c else c["x"])
        keep = list(range(n))
        if mask is not None:
            bits = np.unpackbits(np.frombuffer(base64.b64decode(mask), np.uint8), bitorder="little")
            keep = [i for i in keep if bits[i]]
        if key == "places":  # the browser keeps the first visible row of each id
            first = {}
            for i in keep:
                first.setdefault(c["id"][i], i)
            keep = sorted(first.values())
        drawn[key] = {k: [v[i] for i in keep] if k.islower() else v for k, v in c.items()}
        drawn[key].update(extra)
    return drawn


def _inline(group: folium.FeatureGroup) -> dict[str, dict]:
    keys = {"Incidents": "incidents", "Routes": "routes", "Places": "places"}
    keys["Location uncertainty"] = "halos"
    return {
        keys[c.layer_name]: json.loads(c.payload_json)
        for c in group._children.values()
        if isinstance(c, Layer) and c.layer_name in keys
    }


def _subset(layers: SimpleNamespace, incidents: list[int], routes: list[int], places: list[int]):
    return SimpleNamespace(
        incidents=layers.incidents.iloc[incidents],
        routes=layers.routes.iloc[routes],
        places=layers.places.iloc[places],
    )


@pytest.fixture
def wide(layers) -> SimpleNamespace:
    """``layers`` plus a second Sinuiju row (another article, same gazetteer id, moved)."""
    extra = layers.places.iloc[[0]].copy()
    extra["article_id"] = "u"
    extra = extra.set_geometry([Point(124.41, 40.11)])
    places = pd.concat([layers.places, extra], ignore_index=True)
    layers.places = gpd.GeoDataFrame(places, geometry="geometry", crs="EPSG:4326")
    return layers


@pytest.mark.parametrize(
    ("incidents", "routes", "places"),
    [([0, 1, 2], [0, 1], [0, 1]), ([1], [1], [1]), ([0, 2], [], [0]), ([], [], [])],
)
def test_masked_map_data_draws_what_the_filtered_layers_draw(wide, incidents, routes, places):
    data = maps.map_data_from_layers(wide)
    visible = _subset(wide, incidents, routes, places)
    drawn = _apply(data, maps.feature_group_from_map_data(data, "/d.json", visible=visible))
    expected = _inline(maps.feature_group_from_layers(visible))
    for key in ("incidents", "halos", "routes", "places"):
        for column in ("x", "y", "id", "l", "r", "c", "s", "t", "R"):
            if column in expected[key]:
                got = drawn[key][column]
                if column in ("t", "s"):  # codes into the (unfiltered) lookup tables
                    table = "T" if column == "t" else "S"
                    got = [drawn[key][table][v] for v in got]
                    want = [expected[key][table][v] for v in expected[key][column]]
                else:
                    want = expected[key][column]
                assert got == want, (key, column)


def test_map_data_group_is_small_and_refers_to_one_url(layers):
    data = maps.map_data_from_layers(layers)
    group = maps.feature_group_from_map_data(data, "/app/static/mapdata/x.json")
    sources = [c.source for c in group._children.values() if getattr(c, "source", None)]
    assert {s[0] for s in sources} == {"/app/static/mapdata/x.json"}
    assert all(s[2] is None for s in sources)  # everything visible: no mask at all
    inline = [c.payload_json for c in group._children.values() if isinstance(c, Layer)]
    assert all('"x":[]' in p or '"id":[]' in p for p in inline)  # no rows travel with it
    assert b"Trucks crossed" not in data.payload  # excerpts come on click, not on the map
    assert b"Seizure 1" in data.payload  # short labels do travel


def test_save_map_data_writes_once_and_prunes_stale_files(layers, tmp_path):
    data = maps.map_data_from_layers(layers)
    path = maps.save_map_data(data, tmp_path)
    assert path.name == f"{data.digest}.json" and path.read_bytes() == data.payload
    assert json.loads(path.read_text())["incidents"]["x"] == [124.4, 129.75]
    for i in range(3):
        old = tmp_path / f"old{i}.json"
        old.write_text("{}")
        os.utime(old, ns=(1, 1 + i))
    moved = layers.incidents.copy()
    moved.loc[0, "geometry"] = Point(124.5, 40.2)
    layers.incidents = moved
    other = maps.save_map_data(maps.map_data_from_layers(layers), tmp_path, keep=2)
    assert other != path and sorted(p.name for p in tmp_path.glob("*.json")) == sorted(
        [other.name, path.name]
    )


def test_prefetch_script_is_written_beside_the_data_and_loaded_first(layers, tmp_path):
    path = maps.save_map_data(maps.map_data_from_layers(layers), tmp_path)
    script = path.with_suffix(".js").read_text()
    assert "fetch(url" in script and '.replace(/\\.js$/, ".json")' in script
    m = maps.localize_assets(maps.base_map(), mode="url", base_url="/app/static/vendor")
    maps.prefetch_map_data(m, f"/app/static/mapdata/{path.name}")
    assert m.default_js[0] == ("bw_map_data", f"/app/static/mapdata/{path.stem}.js")
    assert [n for n, _ in m.default_js[1:]] == ["leaflet"]
    with pytest.raises(ValueError, match="json"):
        maps.prefetch_map_data(m, "/app/static/mapdata/x.js")


def test_map_data_rejects_bad_arguments(layers):
    with pytest.raises(ValueError, match="popups"):
        maps.map_data_from_layers(layers, popups="long")
    with pytest.raises(TypeError, match="MapData"):
        maps.feature_group_from_map_data({"incidents": {}}, "/d.json")
