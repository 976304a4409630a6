from __future__ import annotations

import dataclasses
import doctest

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Point

import geo.filters
from geo.filters import (
    FilterState,
    date_bounds,
    escape_markdown,
    excerpt_markdown,
    filter_layers,
    incident_table,
    options_from_layers,
    paragraph_around,
    selection_from_click,
    selection_from_id,
    timeline_frame,
)
from geo.models import ARTICLE_COLUMNS, INCIDENT_COLUMNS, PLACE_COLUMNS, ROUTE_COLUMNS

try:
    from geo.pipeline import Layers
except ImportError:  # pipeline not written yet: a stand-in with the contract's fields

    @dataclasses.dataclass
    class Layers:  # type: ignore[no-redef]
        places: gpd.GeoDataFrame
        incidents: gpd.GeoDataFrame
        routes: gpd.GeoDataFrame
        articles: pd.DataFrame
        skipped: list[str] = dataclasses.field(default_factory=list)


TEXT_A = (
    "Smugglers cross the river\n\n"
    "Five trucks crossed from Dandong to Sinuiju on the bridge in March. "
    "Police <b>arrested</b> two traders.\n\n"
    "Last paragraph."
)


def _gdf(rows: list[dict], columns: tuple[str, ...]) -> gpd.GeoDataFrame:
    frame = pd.DataFrame(rows, columns=[*columns, "geometry"])
    return gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:4326")


def _place(article_id, name, lon, lat, cc, precision=1, gid="", candidates=None):
    return {
        "name": name,
        "mentions": [name],
        "article_id": article_id,
        "country_code": cc,
        "feature_class": "city",
        "geo_precision": precision,
        "gazetteer_id": gid,
        "confidence": 0.8,
        "admin1": "",
        "source": "test",
        "reason": "only candidate",
        "candidates": candidates or [],
        "geometry": Point(lon, lat),
    }


def _incident(
    iid,
    article_id,
    itype,
    place,
    lon,
    lat,
    start,
    end,
    actors,
    excerpt,
    cc="KP",
    precision=1,
    gid="",
):
    return {
        "id": iid,
        "article_id": article_id,
        "type": itype,
        "summary": f"{itype} at {place}",
        "excerpt": excerpt,
        "place": place,
        "date_start": start,
        "date_end": end,
        "date_precision": "day" if start == end else "month",
        "actors": actors,
        "quantities": [],
        "geo_precision": precision,
        "confidence": 0.7,
        "gazetteer_id": gid,
        "date_inferred": False,
        "country_code": cc,
        "sources": [],
        "geometry": None if lon is None else Point(lon, lat),
    }


def make_layers() -> Layers:
    """Two articles: a, with two incidents and a route, and b, with one undated incident."""
    places = _gdf(
        [
            _place(
                "a",
                "Dandong",
                124.39,
                40.13,
                "CN",
                gid="gn:1",
                candidates=[
                    {
                        "gazetteer_id": "gn:1",
                        "name": "Dandong",
                        "country_code": "CN",
                        "score": 0.9,
                        "lat": 40.13,
                        "lon": 124.39,
                    },
                    {
                        "gazetteer_id": "gn:9",
                        "name": "Dandong Xian",
                        "country_code": "CN",
                        "score": 0.2,
                        "lat": 40.5,
                        "lon": 124.0,
                    },
                ],
            ),
            _place("a", "Sinuiju", 124.40, 40.10, "KP", gid="gn:2"),
            _place("b", "Hyesan", 128.18, 41.40, "KP", precision=2, gid="gn:3"),
        ],
        PLACE_COLUMNS,
    )
    incidents = _gdf(
        [
            _incident(
                "a-i001",
                "a",
                "smuggling",
                "Sinuiju",
                124.40,
                40.10,
                "2017-03-01",
                "2017-03-31",
                ["traders"],
                "Five trucks crossed from Dandong to Sinuiju on the bridge in March.",
            ),
            _incident(
                "a-i002",
                "a",
                "arrest",
                "Dandong",
                124.39,
                40.13,
                "2017-04-02",
                "2017-04-02",
                ["police", "traders"],
                "Police <b>arrested</b> two traders.",
            ),
            _incident(
                "b-i001",
                "b",
                "defection",
                "Hyesan",
                128.18,
                41.40,
                None,
                None,
                ["soldiers"],
                "Soldiers crossed near Hyesan.",
                precision=2,
            ),
            _incident(
                "b-i002",
                "b",
                "arrest",
                "",
                None,
                None,
                "2018-01-01",
                "2018-01-01",
                [],
                "Someone was arrested somewhere.",
            ),
        ],
        INCIDENT_COLUMNS,
    )
    routes = _gdf(
        [
            {
                "id": "a-r001",
                "article_id": "a",
                "origin": "Dandong",
                "destination": "Sinuiju",
                "mode": "truck",
                "status": "completed",
                "crosses_border": True,
                "length_km": 4.0,
                "date_start": "2017-03-01",
                "date_end": "2017-03-31",
                "excerpt": "Five trucks crossed from Dandong to Sinuiju on the bridge in March.",
                "via": [],
                "date_precision": "month",
                "origin_id": "gn:1",
                "destination_id": "gn:2",
                "confidence": 0.6,
                "geometry": LineString([(124.39, 40.13), (124.40, 40.10)]),
            },
        ],
        ROUTE_COLUMNS,
    )
    articles = pd.DataFrame(
        [
            {
                "article_id": "a",
                "title": "Smugglers cross the river",
                "published": "2017-04-05",
                "published_inferred": False,
                "url": "https://example.org/a",
                "source": "RFA",
                "path": "a.txt",
                "byline": "",
                "caption": "",
                "text": TEXT_A,
            },
            {
                "article_id": "b",
                "title": "Defections",
                "published": "2018-02-01",
                "published_inferred": False,
                "url": "",
                "source": "",
                "path": "b.txt",
                "byline": "",
                "caption": "",
                "text": "Soldiers crossed near Hyesan.",
            },
        ],
        columns=list(ARTICLE_COLUMNS),
    )
    return Layers(places=places, incidents=incidents, routes=routes, articles=articles, skipped=[])


@pytest.fixture
def layers() -> Layers:
    return make_layers()


def _ids(gdf) -> list[str]:
    return sorted(gdf["id"])


def test_doctests():
    result = doctest.testmod(geo.filters)
    assert result.failed == 0 and result.attempted >= 6


def test_no_filter_keeps_everything(layers):
    out = filter_layers(layers, FilterState())
    assert len(out.incidents) == 4 and len(out.routes) == 1 and len(out.places) == 3
    assert out.incidents.crs == "EPSG:4326"


def test_type_filter_keeps_only_that_type_and_its_places(layers):
    out = filter_layers(layers, FilterState(types=("arrest",)))
    assert _ids(out.incidents) == ["a-i002", "b-i002"]
    assert set(out.places["name"]) == {"Dandong", "Sinuiju"}  # Sinuiju via the route
    assert "Hyesan" not in set(out.places["name"])


def test_incident_only_filter_keeps_places_a_route_passes_through(layers):
    routes = layers.routes.copy()
    routes["destination"] = "Uiju"
    routes["via"] = [np.array(["Sinuiju"], dtype=object)]  # as read back from the store
    layers.routes = routes
    out = filter_layers(layers, FilterState(types=("arrest",)))
    assert set(out.places["name"]) == {"Dandong", "Sinuiju"}  # Sinuiju only as a waypoint
    routes["via"] = [None]
    out = filter_layers(layers, FilterState(types=("arrest",)))
    assert set(out.places["name"]) == {"Dandong"}


def test_type_filter_drops_routes_of_articles_without_kept_incidents(layers):
    out = filter_layers(layers, FilterState(types=("defection",)))
    assert out.routes.empty
    assert list(out.places["name"]) == ["Hyesan"]


def test_article_filter_applies_to_all_layers(layers):
    out = filter_layers(layers, FilterState(articles=("b",)))
    assert _ids(out.incidents) == ["b-i001", "b-i002"]
    assert out.routes.empty
    assert list(out.places["name"]) == ["Hyesan"]


@pytest.mark.parametrize(
    ("date_from", "date_to", "expected"),
    [
        # the March incident spans the whole month: a range touching its end keeps it
        ("2017-03-31", "2017-03-31", ["a-i001"]),
        ("2017-03-15", "2017-04-30", ["a-i001", "a-i002"]),
        ("2017-04-03", None, ["b-i002"]),
        (None, "2017-02-28", []),
    ],
)
def test_date_range_keeps_overlapping_spans_and_drops_undated(layers, date_from, date_to, expected):
    from datetime import date

    state = FilterState(
        date_from=date.fromisoformat(date_from) if date_from else None,
        date_to=date.fromisoformat(date_to) if date_to else None,
    )
    out = filter_layers(layers, state)
    assert _ids(out.incidents) == expected


def test_actor_country_precision_and_text_filters(layers):
    assert _ids(filter_layers(layers, FilterState(actors=("traders",))).incidents) == [
        "a-i001",
        "a-i002",
    ]
    assert _ids(filter_layers(layers, FilterState(countries=("CN",))).incidents) == []
    assert _ids(filter_layers(layers, FilterState(precisions=(2,))).incidents) == ["b-i001"]
    out = filter_layers(layers, FilterState(text="TRUCKS bridge"))
    assert _ids(out.incidents) == ["a-i001"]
    assert _ids(out.routes) == ["a-r001"]
    assert _ids(filter_layers(layers, FilterState(text="trucks zeppelin")).incidents) == []


def test_place_filter_keeps_routes_touching_the_place(layers):
    out = filter_layers(layers, FilterState(places=("Dandong",)))
    assert _ids(out.incidents) == ["a-i002"]
    assert _ids(out.routes) == ["a-r001"]


def test_query_params_round_trip():
    from datetime import date

    state = FilterState(
        articles=("a",),
        types=("smuggling", "arrest"),
        actors=("a, b",),
        precisions=(1, 3),
        date_from=date(2017, 3, 1),
        text="truck",
        selected="a-i001",
    )
    params = state.to_query_params()
    assert params["type"] == ["smuggling", "arrest"]
    back = FilterState.from_query_params(params)
    assert back == state and back.selected == "a-i001"


def test_query_params_ignore_garbage():
    state = FilterState.from_query_params(
        {"precision": ["x", "2"], "from": "2017-13-45", "type": "", "zzz": "1"}
    )
    assert state == FilterState(precisions=(2,))


def test_options_from_layers(layers):
    options = options_from_layers(layers)
    assert options["types"] == ["arrest", "defection", "smuggling"]
    assert options["articles"] == ["a", "b"]
    assert options["titles"]["a"] == "Smugglers cross the river"
    assert options["actors"] == ["police", "soldiers", "traders"]
    assert options["countries"] == ["CN", "KP"]
    assert options["precisions"] == [1, 2]
    assert [d.isoformat() for d in options["dates"]] == ["2017-03-01", "2018-01-01"]
    assert date_bounds(layers.incidents.iloc[2:3]) is None


def test_click_on_feature_gives_incident_detail(layers):
    returned = {
        "last_active_drawing": {
            "type": "Feature",
            "properties": {"id": "a-i002"},
            "geometry": {"type": "Point", "coordinates": [124.39, 40.13]},
        }
    }
    sel = selection_from_click(returned, layers)
    assert sel["kind"] == "incident" and sel["id"] == "a-i002"
    assert sel["record"]["type"] == "arrest"
    assert sel["place"]["name"] == "Dandong"
    assert sel["article"]["title"] == "Smugglers cross the river"
    assert sel["center"] == pytest.approx((40.13, 124.39))
    # untrusted HTML is escaped, not rendered
    assert "<b>" not in sel["excerpt_md"] and "\\<b\\>" in sel["excerpt_md"]
    # the paragraph is the whole paragraph around the excerpt, not the article
    assert "Five trucks" in sel["paragraph_md"] and "Last paragraph" not in sel["paragraph_md"]


def test_click_on_route_and_unknown(layers):
    sel = selection_from_click({"last_active_drawing": {"properties": {"id": "a-r001"}}}, layers)
    assert sel["kind"] == "route" and sel["record"]["mode"] == "truck"
    assert "**Dandong**" in sel["excerpt_md"] and "**Sinuiju**" in sel["excerpt_md"]
    assert (
        selection_from_click({"last_active_drawing": {"properties": {"id": "zz"}}}, layers) is None
    )
    assert selection_from_click(None, layers) is None
    assert (
        selection_from_click({"last_active_drawing": None, "last_object_clicked": None}, layers)
        is None
    )


def test_click_on_plain_marker_uses_nearest_incident(layers):
    returned = {
        "last_active_drawing": {"type": "Feature", "properties": {}},
        "last_object_clicked": {"lat": 41.401, "lng": 128.181},
    }
    assert selection_from_click(returned, layers)["id"] == "b-i001"
    far = {"last_object_clicked": {"lat": 10.0, "lng": 10.0}}
    assert selection_from_click(far, layers) is None


def test_click_on_place_feature(layers):
    sel = selection_from_click(
        {"last_active_drawing": {"properties": {"name": "Hyesan", "article_id": "b"}}}, layers
    )
    assert sel["kind"] == "place" and sel["place"]["geo_precision"] == 2


def test_click_on_place_feature_id(layers):
    sel = selection_from_click(
        {"last_active_drawing": {"properties": {"id": "place:gn:3"}}}, layers
    )
    assert sel["kind"] == "place" and sel["place"]["name"] == "Hyesan"
    sel = selection_from_click(
        {"last_active_drawing": {"properties": {"id": "place:Sinuiju"}}}, layers
    )
    assert sel["place"]["article_id"] == "a"


def test_selection_of_unplaced_incident(layers):
    sel = selection_from_id("b-i002", layers)
    assert sel["center"] is None and sel["place"] is None


def test_excerpt_markdown_highlights_and_escapes():
    md = excerpt_markdown("At *Sinuiju* [link](javascript:x) ${document.title='x'}", ["Sinuiju"])
    assert "\\***Sinuiju**\\*" in md
    assert "](" not in md and "${" not in md
    assert escape_markdown("a\n\nb") == "a b"


def test_paragraph_around_missing_excerpt_returns_excerpt():
    assert paragraph_around("abc", "zzz") == "zzz"
    assert paragraph_around("abc", "") == ""


def test_table_and_timeline(layers):
    table = incident_table(layers.incidents)
    assert list(table["id"]) == ["a-i001", "a-i002", "b-i001", "b-i002"]
    assert table.loc[0, "date"] == "2017-03-01 – 2017-03-31 (month)"
    assert table.loc[1, "actors"] == "police, traders"
    first = incident_table(layers.incidents, max_rows=2)  # a page lists no more
    assert list(first["id"]) == ["a-i001", "a-i002"] and first.equals(table.head(2))
    timeline = timeline_frame(layers.incidents)
    assert list(timeline["id"]) == ["a-i001", "a-i002", "b-i002"]  # undated left out
    assert timeline.loc[0, "end"] == "2017-04-01"  # exclusive end covers the last day
    weekly = timeline_frame(layers.incidents, max_rows=2)
    assert weekly["count"].sum() == 3 and (weekly["id"] == "").all()
    assert list(weekly["start"]) == ["2017-02-27", "2017-03-27", "2018-01-01"]  # Mondays
