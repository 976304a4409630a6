from __future__ import annotations

import json

import pytest
from test_filters import make_layers

from geo._errors import StoreError
from geo.corrections import (
    CORRECTIONS_FILE,
    Correction,
    add_correction,
    apply_corrections,
    correction_from_candidate,
    load_corrections,
    remove_correction,
)


@pytest.fixture
def layers():
    return make_layers()


def test_no_file_means_no_corrections(tmp_path):
    assert load_corrections(tmp_path) == []


def test_corrections_survive_a_restart(tmp_path):
    c = Correction(lat=40.2, lon=124.5, article_id="a", place="Sinuiju", note="analyst")
    add_correction(tmp_path, c)
    # a "restart": read back from disk only
    loaded = load_corrections(tmp_path)
    assert len(loaded) == 1 and loaded[0].lat == 40.2 and loaded[0].created
    data = json.loads((tmp_path / CORRECTIONS_FILE).read_text())
    assert data["corrections"][0]["place"] == "Sinuiju"


def test_newer_correction_with_same_key_replaces_older(tmp_path):
    add_correction(tmp_path, Correction(lat=1, lon=1, article_id="a", place="X"))
    add_correction(tmp_path, Correction(lat=2, lon=2, article_id="a", place="X"))
    add_correction(tmp_path, Correction(lat=3, lon=3, scope_gazetteer_id="gn:1"))
    loaded = load_corrections(tmp_path)
    assert [(c.lat, c.key) for c in loaded] == [
        (2, ("article", "a", "X")),
        (3, ("gazetteer", "gn:1")),
    ]
    assert len(remove_correction(tmp_path, ("gazetteer", "gn:1"))) == 1


def test_corrupt_file_names_the_file(tmp_path):
    (tmp_path / CORRECTIONS_FILE).write_text("{not json")
    with pytest.raises(StoreError, match="corrections.json"):
        load_corrections(tmp_path)


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(lat=91, lon=0, article_id="a", place="X"),
        dict(lat=0, lon=0),
        dict(lat=float("nan"), lon=0, article_id="a", place="X"),
    ],
)
def test_bad_correction_is_rejected(kwargs):
    with pytest.raises(StoreError, match="Correction"):
        Correction(**kwargs)


def test_apply_moves_place_incidents_and_route_end(layers):
    c = Correction(lat=40.5, lon=124.6, article_id="a", place="Sinuiju")
    out = apply_corrections(layers, [c])
    place = out.places[out.places["name"] == "Sinuiju"].iloc[0]
    assert (place.geometry.x, place.geometry.y) == (124.6, 40.5)
    assert place["reason"].startswith("analyst correction")
    incident = out.incidents[out.incidents["id"] == "a-i001"].iloc[0]
    assert (incident.geometry.x, incident.geometry.y) == (124.6, 40.5)
    route = out.routes.iloc[0]
    assert route.geometry.coords[0] == (124.39, 40.13)  # origin stays
    assert route.geometry.coords[-1] == (124.6, 40.5)  # destination moved
    # Dandong (124.39, 40.13) -> (124.6, 40.5) is about 45 km along the geodesic
    assert 40 < route["length_km"] < 50
    # the input is not modified, other articles are untouched
    assert layers.places[layers.places["name"] == "Sinuiju"].geometry.iloc[0].x == 124.40
    assert out.incidents[out.incidents["id"] == "b-i001"].geometry.iloc[0].x == 128.18


def test_apply_candidate_everywhere_by_gazetteer_id(layers):
    candidate = layers.places.iloc[0]["candidates"][1]
    c = correction_from_candidate(candidate, scope_gazetteer_id="gn:1")
    out = apply_corrections(layers, [c])
    place = out.places[out.places["name"] == "Dandong"].iloc[0]
    assert place["gazetteer_id"] == "gn:9"
    assert (place.geometry.x, place.geometry.y) == (124.0, 40.5)
    incident = out.incidents[out.incidents["id"] == "a-i002"].iloc[0]
    assert incident["gazetteer_id"] == "gn:9"
    route = out.routes.iloc[0]
    assert route.geometry.coords[0] == (124.0, 40.5) and route["origin_id"] == "gn:9"
    assert route["length_km"] > 40


def test_apply_nothing_returns_same_layers(layers):
    assert apply_corrections(layers, []) is layers
    unrelated = Correction(lat=0, lon=0, article_id="zz", place="Nowhere")
    out = apply_corrections(layers, [unrelated])
    assert out.places.geometry.equals(layers.places.geometry)
