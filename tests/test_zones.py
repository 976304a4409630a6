from __future__ import annotations

from dataclasses import replace

import pyogrio
import pytest
from shapely import Point

from geo import pipeline, settings
from geo.models import Candidate
from geo.zones import point_on_zone_near

DMZ = Candidate("bw:korean-demilitarized-zone", "Korean Demilitarized Zone", 38.31, 127.31, "KP",
                "region")  # fmt: skip
PAJU = Candidate("gn:1", "Paju", 37.75833, 126.77972, "KR", "city")
KAESONG = Candidate("gn:2", "Kaesong", 37.97083, 126.55444, "KP", "city")


def _demarcation_line():
    lines = pyogrio.read_dataframe(settings.data_folder / "basemap" / "boundary_lines.geojson")
    return lines.loc[lines["kind"] == "military_demarcation_line"].geometry.union_all()


@pytest.mark.parametrize(("town", "toward"), [(PAJU, "north"), (KAESONG, "south"), (PAJU, None)])
def test_the_point_is_on_the_demarcation_line_on_the_side_named(town, toward):
    lat, lon = point_on_zone_near(DMZ, town, toward)
    assert _demarcation_line().distance(Point(lon, lat)) < 1e-4  # about 10 m
    if toward == "north":
        assert lat > town.lat
    if toward == "south":
        assert lat < town.lat


def test_a_town_far_from_the_line_or_a_zone_that_is_no_band_gives_no_point():
    dandong = Candidate("gn:3", "Dandong", 40.12917, 124.39472, "CN", "city")
    assert point_on_zone_near(DMZ, dandong, "south") is None
    jsa = replace(DMZ, gazetteer_id="bw:jsa", name="Joint Security Area (Panmunjom)")
    assert point_on_zone_near(jsa, PAJU, "north") is None


@pytest.mark.parametrize(
    ("text", "town", "north"),
    [
        ("On 14 October 2025 about ten North Korean soldiers crossed the MDL by roughly 20 m in "
         "the sector north of Paju; they withdrew after warning shots.", "Paju", True),
        ("On Jan. 9, 2026 North Korean soldiers were seen laying new mines along the Military "
         "Demarcation Line south of Kaesong.", "Kaesong", False),
    ],
)  # fmt: skip
def test_an_event_on_the_demarcation_line_by_a_town_is_in_the_dmz_on_that_side(text, town, north):
    layers = pipeline.layers_from_texts([("dmz.txt", text)])
    incident = layers.incidents.iloc[0]
    near = layers.places.set_index("name").geometry[town]
    assert (incident["place"], incident["geo_precision"]) == ("Korean Demilitarized Zone", 2)
    assert (incident.geometry.y > near.y) == north
    assert incident.geometry.distance(near) < 0.2  # degrees: the stretch by the town


@pytest.mark.parametrize(
    ("where", "place"),
    [("about two kilometres north of Panmunjom", "Joint Security Area (Panmunjom)"),
     ("3 km north of Paju", "Paju")],
)  # fmt: skip
def test_a_distance_from_a_place_keeps_the_place(where, place):
    text = (f"DMZ digging: On August 4, 2025 soldiers were seen pouring concrete for anti-tank "
            f"barriers {where}, a South Korean official said.")  # fmt: skip
    layers = pipeline.layers_from_texts([("dmz.txt", text)])
    assert layers.incidents.iloc[0]["place"] == place
