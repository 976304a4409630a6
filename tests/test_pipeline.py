import geopandas as gpd
import pytest
from shapely.geometry import Point

from geo import pipeline
from geo.articles import article_from_text
from geo.models import INCIDENT_COLUMNS, PLACE_COLUMNS, ROUTE_COLUMNS

SINUIJU = """---
title: Trucks cross the Friendship Bridge at night
published: 2024-10-15
source: Border Watch test article (INVENTED events, not real reporting)
---
[Invented article for tests; events are fictional.]

Traders in Sinŭiju moved seafood across the Yalu to Dandong on Sept. 28,
a source in North Pyongan province said.

Ten trucks crossed the Sino-Korean Friendship Bridge from Sinuiju to Dandong
in the early hours of Oct. 3, the source said.
"""


@pytest.fixture(scope="module")
def layers():
    return pipeline.layers_from_articles([article_from_text(SINUIJU, "sinuiju")])


def test_layers_follow_the_output_contract(layers):
    for gdf, columns in (
        (layers.places, PLACE_COLUMNS),
        (layers.incidents, INCIDENT_COLUMNS),
        (layers.routes, ROUTE_COLUMNS),
    ):
        assert isinstance(gdf, gpd.GeoDataFrame)
        assert list(gdf.columns) == [*columns, "geometry"]
        assert gdf.crs.to_string() == "EPSG:4326" and gdf.index.is_unique


def test_points_are_lon_lat(layers):
    sinuiju = layers.places[layers.places["name"] == "Sinuiju"].geometry.iloc[0]
    assert sinuiju.x == pytest.approx(124.398, abs=0.01) and sinuiju.y == pytest.approx(
        40.10, abs=0.01
    )


def test_new_article_gives_dated_incidents_and_a_crossing_route(layers):
    dates = set(layers.incidents["date_start"])
    assert {"2024-09-28", "2024-10-03"} <= dates
    route = layers.routes[
        (layers.routes["origin"] == "Sinuiju") & (layers.routes["destination"] == "Dandong")
    ]
    assert len(route) >= 1 and bool(route["crosses_border"].iloc[0])
    assert 1 < route["length_km"].iloc[0] < 15


def test_store_round_trip(layers, tmp_path):
    pipeline.write_store(layers, tmp_path)
    for name in pipeline.STORE_FILES:
        assert (tmp_path / name).is_file()
    back = pipeline.read_store(tmp_path)
    assert list(back.incidents["id"]) == list(layers.incidents["id"])
    assert (
        back.places["mentions"].iloc[0] == layers.places["mentions"].iloc[0]
    )  # lists survive GPKG
    assert list(back.articles["article_id"]) == ["sinuiju"]


def test_read_store_of_an_empty_folder_is_a_clear_error(tmp_path):
    with pytest.raises(pipeline.StoreError, match="no border.gpkg here"):
        pipeline.read_store(tmp_path)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty"),
        ("binary.txt", bytes(range(256)) * 20, "binary"),
        ("chrome.txt", b"Email story\nPrint story\nView Full Site\n", "chrome"),
    ],
)
def test_bad_files_are_skipped_with_one_line_and_the_rest_is_built(tmp_path, name, content, reason):
    good = tmp_path / "good.txt"
    good.write_text(SINUIJU, encoding="utf-8")
    (tmp_path / name).write_bytes(content)
    layers = pipeline.layers_from_paths(sorted(tmp_path.iterdir()))
    assert list(layers.articles["article_id"]) == ["good"]
    assert len(layers.skipped) == 1 and name in layers.skipped[0] and "\n" not in layers.skipped[0]
    assert reason in layers.skipped[0].lower()


def test_other_encodings_and_html_are_processed_as_text(tmp_path):
    (tmp_path / "latin.txt").write_bytes(
        "Smugglers in Hyesan sold café goods <script>alert(1)</script> on Sept. 3, 2023.".encode(
            "cp1252"
        )
    )
    layers = pipeline.layers_from_paths([tmp_path / "latin.txt"])
    assert layers.skipped == []
    assert "<script>alert(1)</script>" in layers.articles["text"].iloc[0]


def test_upload_texts_and_merge(layers):
    upload = pipeline.layers_from_texts(
        [
            ("hyesan.txt", "Smugglers crossed the Yalu from Hyesan to Changbai on May 5, 2023."),
            ("bad.txt", b""),
        ]
    )
    assert "bad.txt" in upload.skipped[0]
    merged = pipeline.merge_layers(layers, upload)
    assert set(merged.articles["article_id"]) == {"sinuiju", "hyesan"}
    assert merged.incidents["id"].is_unique


def test_same_event_in_two_articles_is_one_incident_with_both_sources():
    text = "Smugglers moved copper across the Yalu from Hyesan to Changbai on May 5, 2023, a source said."  # noqa: E501
    merged = pipeline.layers_from_articles(
        [
            article_from_text(text, "a"),
            article_from_text(text.replace("a source", "two traders"), "b"),
        ]
    )
    crossing = merged.incidents[merged.incidents["date_start"] == "2023-05-05"]
    assert len(crossing) == 1
    assert {s["article_id"] for s in crossing["sources"].iloc[0]} == {"a", "b"}


def test_one_failing_article_does_not_stop_the_others(monkeypatch):
    real = pipeline.process_article

    def flaky(article, **kw):
        if article.article_id == "bad":
            raise RuntimeError("boom")
        return real(article, **kw)

    monkeypatch.setattr(pipeline, "process_article", flaky)
    out = pipeline.layers_from_articles(
        [article_from_text(SINUIJU, "bad"), article_from_text(SINUIJU, "good")]
    )
    assert list(out.articles["article_id"]) == ["good"]
    assert out.skipped == ["bad: could not be processed (RuntimeError: boom)"]


def test_empty_layers_have_contract_columns():
    empty = pipeline.empty_layers()
    assert list(empty.routes.columns) == [*ROUTE_COLUMNS, "geometry"] and empty.routes.empty
    assert isinstance(Point(0, 0), Point)
