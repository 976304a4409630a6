from __future__ import annotations

import time
from datetime import date

import geopandas as gpd
import pytest
from shapely.geometry import LineString

from geo.routes import (
    geodesic_coords,
    load_boundaries,
    mode_from_text,
    routes_from_places,
    status_from_text,
)

# ---------------------------------------------------------------------------- helpers
from tests.records import make_article, make_places


def one_route(sentences: list[str], *names: str, **kw):
    article = make_article(sentences)
    (route,) = routes_from_places(article, make_places(article, *names), **kw)
    return route


# ---------------------------------------------------------------------------- new sentences


def test_truck_across_the_friendship_bridge():
    route = one_route(
        [
            "Trucks loaded with coal crossed the Friendship Bridge from Sinuiju to Dandong on "
            "March 3, 2018."
        ],
        "Sinuiju",
        "Dandong",
        "Friendship Bridge",
    )
    assert (route.origin.name, route.destination.name) == ("Sinuiju", "Dandong")
    assert [p.name for p in route.via] == ["Friendship Bridge"]
    assert (route.mode, route.status, route.crosses_border) == ("truck", "completed", True)
    assert 2 < route.length_km < 10
    assert route.coords[0] == (124.39806, 40.10056)  # lon, lat
    assert route.coords[-1] == (124.39472, 40.12917)
    assert route.date.start == date(2018, 3, 3)
    assert route.id == "t1-r001"
    assert route.excerpt.startswith("Trucks loaded with coal")


def test_boat_across_the_yalu_at_hyesan():
    route = one_route(
        ["A small boat carried smuggled copper across the Yalu from Hyesan to Changbai at night."],
        "Yalu",
        "Hyesan",
        "Changbai",
    )
    assert (route.origin.name, route.destination.name, route.mode) == ("Hyesan", "Changbai", "boat")
    assert route.via == []  # a river is not a vertex of the line
    assert route.crosses_border


def test_rail_from_tumen_to_namyang():
    route = one_route(
        ["Freight wagons moved by rail from Tumen to Namyang on May 5, 2018."], "Tumen", "Namyang"
    )
    assert route.mode == "rail"
    assert route.crosses_border
    assert 1 < route.length_km < 4


def test_blocked_shipment_from_nampo():
    route = one_route(
        ["Chinese customs turned back a shipment of coal sent by ship from Nampo port to Dalian."],
        "Nampo",
        "Dalian",
    )
    assert (route.origin.name, route.destination.name) == ("Nampo", "Dalian")
    assert (route.mode, route.status) == ("ship", "blocked")
    assert 300 < route.length_km < 400


def test_attempted_movement():
    route = one_route(
        ["Smugglers tried to move copper by boat from Hyesan to Changbai."], "Hyesan", "Changbai"
    )
    assert route.status == "attempted"


def test_same_place_route_is_dropped():
    article = make_article(["Goods were moved from Hyesan to Hyesan by truck."])
    assert routes_from_places(article, make_places(article, "Hyesan")) == []


def test_country_destination_without_named_place_stays_the_country():
    route = one_route(["Smugglers carried copper from Hyesan into China."], "Hyesan", "China")
    assert route.destination.name == "China"
    assert route.destination.geo_precision == 3
    assert route.crosses_border


def test_no_movement_no_route():
    article = make_article(["Officials in Hyesan and Changbai met on May 3, 2018."])
    assert routes_from_places(article, make_places(article, "Hyesan", "Changbai")) == []


# ---------------------------------------------------------------------------- seed-like article

SEED_LIKE = [
    "The company tried recently to send finished goods to China through the customs post at "
    "North Korea’s Hoeryong city, RFA’s source said.",
    "“But the Chinese customs post at Sanhe, just across the Tumen river, did not approve their "
    "delivery,” the source said.",
    "After holding their goods in storage at Hoeryong for ten days in mid-September, the company "
    "loaded them onto trucks sent from North Korea’s Rason city, the source said.",
    "The clothing was then moved illegally into China on two separate dates, Sept. 28 and Oct. 2, "
    "through Inge-ri town near Hoeryong, a second source told RFA.",
    "“The company blocked the road into Inge-ri town from 1:00 a.m. to 3:00 a.m. on Sept. 28 and "
    "used five 15-ton trucks to move the goods across the river to China,” he said.",
    "A second delivery using six trucks was made in the early morning hours of Oct. 2.",
    "Also speaking to RFA, a second source in North Hamgyong said that the clothing was taken by "
    "trucks instead of directly by rail from Rason.",
]


@pytest.fixture
def seed_routes():
    article = make_article(SEED_LIKE)
    places = make_places(
        article,
        "China",
        "North Korea",
        "Hoeryong",
        "Sanhe",
        "Tumen river",
        "Rason",
        "Inge-ri",
        "North Hamgyong",
        "Longjing",
    )
    return routes_from_places(article, places)


def test_refused_delivery_hoeryong_to_sanhe(seed_routes):
    first = seed_routes[0]
    assert (first.origin.name, first.destination.name) == ("Hoeryong", "Sanhe")  # nearest CN town
    assert first.status == "blocked"  # "But ... did not approve" in the next sentence
    assert first.crosses_border
    assert 2 < first.length_km < 8


def test_trucks_sent_from_rason_to_the_storage_place(seed_routes):
    (leg,) = [r for r in seed_routes if r.origin.name == "Rason"]
    assert leg.destination.name == "Hoeryong"
    assert leg.mode == "truck"
    assert not leg.crosses_border
    assert leg.date.precision == "range"


def test_smuggling_routes_one_per_date_with_mode_from_same_event(seed_routes):
    legs = [r for r in seed_routes if r.origin.name == "Inge-ri"]
    assert [r.date.start for r in legs] == [date(2017, 9, 28), date(2017, 10, 2)]
    assert {r.destination.name for r in legs} == {"Sanhe"}  # "into China" -> town across the river
    assert {r.mode for r in legs} == {"truck"}
    assert all(r.crosses_border for r in legs)


def test_ids_unique_and_in_text_order(seed_routes):
    assert [r.id for r in seed_routes] == [f"t1-r{n:03d}" for n in range(1, len(seed_routes) + 1)]
    assert [r.sentence for r in seed_routes] == sorted(r.sentence for r in seed_routes)
    assert len(seed_routes) == 4  # the reporting source and "instead of by rail" add no route


# ---------------------------------------------------------------------------- text rules


@pytest.mark.parametrize(
    ("text", "mode"),
    [
        ("taken by trucks instead of directly by rail from Rason", "truck"),
        ("loaded onto a freight train", "rail"),
        ("a small vessel slipped across", "boat"),
        ("a tanker unloaded oil", "ship"),
        ("they waded across the river", "on_foot"),
        ("the goods were delivered", "unknown"),
    ],
)
def test_mode(text, mode):
    assert mode_from_text(text) == mode


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("customs did not approve their delivery", "blocked"),
        ("the shipment was seized at the border", "blocked"),
        ("they blocked the road into town and moved the goods", "completed"),
        ("the company tried to send goods", "attempted"),
        ("the goods were moved", "completed"),
    ],
)
def test_status(text, status):
    assert status_from_text(text) == status


# ---------------------------------------------------------------------------- geometry


def test_geodesic_coords_ends_and_points():
    coords = geodesic_coords((129.74601, 42.44113), (124.39472, 40.12917), 8)
    assert len(coords) == 10
    assert coords[0] == (129.74601, 42.44113) and coords[-1] == (124.39472, 40.12917)
    assert all(124.3 < lon < 129.8 and 40.1 < lat < 42.5 for lon, lat in coords)


def test_geodesic_coords_rejects_negative_npts():
    with pytest.raises(ValueError, match="'npts'"):
        geodesic_coords((0, 0), (1, 1), -1)


def test_load_boundaries_keeps_north_korean_international_lines():
    gdf = load_boundaries()
    assert gdf.crs.to_epsg() == 4326
    assert set(gdf["kind"]) == {"international_boundary"}
    assert set(gdf["pair"]) == {"CHN-PRK", "PRK-RUS"}


def test_line_test_decides_when_country_codes_are_missing():
    boundary = gpd.GeoDataFrame(
        {"kind": ["international_boundary"]},
        geometry=[LineString([(126.0, 40.0), (126.0, 43.0)])],
        crs="EPSG:4326",
    )
    article = make_article(["Trucks moved coal from Sinuiju to Hyesan on May 3, 2018."])
    places = make_places(article, "Sinuiju", "Hyesan", codes={"Sinuiju": "", "Hyesan": ""})
    (route,) = routes_from_places(article, places, boundaries=boundary)
    assert route.crosses_border  # lon 124.4 -> 128.2 crosses the test line at 126


def test_country_codes_decide_over_the_line_test():
    boundary = gpd.GeoDataFrame(
        {"kind": ["international_boundary"]},
        geometry=[LineString([(126.0, 40.0), (126.0, 43.0)])],
        crs="EPSG:4326",
    )
    article = make_article(["Trucks moved coal from Sinuiju to Hyesan on May 3, 2018."])
    (route,) = routes_from_places(
        article, make_places(article, "Sinuiju", "Hyesan"), boundaries=boundary
    )
    assert not route.crosses_border  # both KP


def test_rejects_bad_boundaries():
    with pytest.raises(TypeError, match="'boundaries'"):
        routes_from_places(make_article(["x"]), [], boundaries=[1, 2])


# ---------------------------------------------------------------------------- continuation, roles


def test_second_clause_reuses_the_leg_and_blocks_it():
    article = make_article(
        [
            "Trucks carrying coal went from Sinuiju to Dandong on March 3, 2018, but a second "
            "convoy was turned back by Chinese customs on March 9, 2018."
        ]
    )
    first, second = routes_from_places(article, make_places(article, "Sinuiju", "Dandong"))
    assert (first.status, first.date.start) == ("completed", date(2018, 3, 3))
    assert (second.origin.name, second.destination.name) == ("Sinuiju", "Dandong")
    assert (second.status, second.date.start, second.mode) == ("blocked", date(2018, 3, 9), "truck")


def test_departure_for_and_buyer_from():
    article = make_article(
        [
            "A cargo ship left the port of Nampo for Dalian on June 3, 2018.",
            "Smugglers carried copper across the river from Hyesan to a buyer from Changbai.",
        ]
    )
    ship, copper = routes_from_places(
        article, make_places(article, "Nampo", "Dalian", "Hyesan", "Changbai")
    )
    assert (ship.origin.name, ship.destination.name, ship.mode) == ("Nampo", "Dalian", "ship")
    assert (copper.origin.name, copper.destination.name) == ("Hyesan", "Changbai")


def test_back_to_a_named_place_and_back_to_a_country():
    article = make_article(
        [
            "A freight train moved coal from Namyang to Tumen on May 5, 2018.",
            "The coal went back to Hyesan on the same train.",
        ]
    )
    first, back = routes_from_places(article, make_places(article, "Namyang", "Tumen", "Hyesan"))
    assert (back.origin.name, back.destination.name, back.mode) == ("Tumen", "Hyesan", "rail")
    article = make_article(
        [
            "Smugglers moved copper from Hyesan to Changbai by boat on May 5, 2018.",
            "They were given textiles to take back to North Korea.",
        ]
    )
    routes = routes_from_places(article, make_places(article, "Hyesan", "Changbai", "North Korea"))
    assert [(r.origin.name, r.destination.name) for r in routes] == [
        ("Hyesan", "Changbai"),
        ("Changbai", "Hyesan"),
    ]


def test_country_destination_becomes_the_nearest_town_not_the_bridge():
    article = make_article(
        [
            "Trucks carried steel from Sinuiju across the Friendship Bridge into China on "
            "May 3, 2018.",
            "Chinese buyers in Dandong paid in cash.",
        ]
    )
    (route,) = routes_from_places(
        article, make_places(article, "Sinuiju", "Friendship Bridge", "China", "Dandong")
    )
    assert (route.origin.name, route.destination.name) == ("Sinuiju", "Dandong")
    assert [p.name for p in route.via] == ["Friendship Bridge"]
    assert route.confidence < 0.8


def test_positional_across_the_river_from_is_not_a_route():
    article = make_article(
        ["Chinese customs at Sanhe, across the Tumen river from Hoeryong, closed on Jan. 28, 2020."]
    )
    assert (
        routes_from_places(article, make_places(article, "Sanhe", "Tumen river", "Hoeryong")) == []
    )


def test_return_train_reverses_the_route_that_ended_there():
    article = make_article(
        [
            "A freight train carried timber from Namyang to Tumen on July 21, 2021.",
            "The timber had been brought to Namyang from Hoeryong by truck.",
            "A return train carrying fertilizer was held at Tumen because its papers were wrong.",
        ]
    )
    routes = routes_from_places(article, make_places(article, "Namyang", "Tumen", "Hoeryong"))
    back = routes[-1]
    assert (back.origin.name, back.destination.name) == ("Tumen", "Namyang")
    assert (back.status, back.mode) == ("blocked", "rail")


def test_back_to_a_town_starts_where_the_last_sentence_was():
    article = make_article(
        [
            "A train crossed the river from Namyang to Tumen on Feb. 17, 2025.",
            "On Feb. 24, 2025, customs officers at Sanhe refused to clear six wagons of coal.",
            "The coal went back to Hoeryong on the same train.",
        ]
    )
    routes = routes_from_places(
        article, make_places(article, "Namyang", "Tumen", "Sanhe", "Hoeryong")
    )
    assert (routes[-1].origin.name, routes[-1].destination.name) == ("Sanhe", "Hoeryong")
    assert routes[-1].mode == "rail"


def test_a_sentence_with_hundreds_of_names_stays_fast():
    article = make_article(
        ["Trucks moved coal from Sinuiju to Dandong, " * 150 + "on May 3, 2018."]
    )
    places = make_places(article, "Sinuiju", "Dandong")
    start = time.perf_counter()
    routes_from_places(article, places)
    assert time.perf_counter() - start < 1.0


def test_goods_sent_on_continue_from_the_last_destination():
    article = make_article(
        [
            "Smugglers ferried diesel across the Yalu from Changbai to Hyesan on March 4, 2023.",
            "Agents seized 15 barrels on March 12, 2023, but the rest had been sent by train to "
            "Nampo.",
        ]
    )
    first, onward = routes_from_places(article, make_places(article, "Changbai", "Hyesan", "Nampo"))
    assert (first.mode, first.crosses_border) == ("boat", True)
    assert (onward.origin.name, onward.destination.name, onward.mode) == ("Hyesan", "Nampo", "rail")
    assert onward.date.start == date(2023, 3, 12)
    assert not onward.crosses_border


def test_goods_returned_go_back_from_where_they_were_held():
    article = make_article(
        [
            "A trader said 12 tons of seafood had been held at the customs office in Dandong "
            "since May 28, 2021.",
            "The seafood was later returned to Sinuiju by truck.",
        ]
    )
    (route,) = routes_from_places(article, make_places(article, "Dandong", "Sinuiju"))
    assert (route.origin.name, route.destination.name, route.mode) == (
        "Dandong",
        "Sinuiju",
        "truck",
    )
    assert route.crosses_border


def test_route_from_a_country_to_an_inland_place_is_not_drawn():
    article = make_article(["The factory in Nampo processes orders sent from China by ship."])
    routes = routes_from_places(article, make_places(article, "Nampo", "China"))
    assert routes == []  # a line from China's centre to Nampo would show no real path
