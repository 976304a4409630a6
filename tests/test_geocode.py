from unittest import mock

import pytest
from geopy.location import Location

from geo import settings
from geo.articles import article_from_text
from geo.gazetteer import load_gazetteer
from geo.geocode import GazetteerGeocoder, distance_km, online_geocoder, places_from_toponyms
from geo.models import Candidate
from geo.toponyms import toponyms_from_article


@pytest.fixture(scope="module")
def gazetteer():
    return load_gazetteer()


def resolve(text, gazetteer):
    article = article_from_text(text, "t")
    places, unresolved = places_from_toponyms(
        article, toponyms_from_article(article, gazetteer), gazetteer
    )
    return {m.search_name: p for p in places for m in p.mentions}, unresolved


def km(place, lat, lon):
    return distance_km(place, Candidate("x", "x", lat, lon, "", ""))


def test_sanhe_across_the_tumen_from_hoeryong_is_the_jilin_village(gazetteer):
    text = (
        "The company tried to export goods through the customs post at Hoeryong.\n\n"
        "But the Chinese customs post at Sanhe, just across the Tumen river, refused them."
    )
    places, _ = resolve(text, gazetteer)
    sanhe = places["Sanhe"]
    assert sanhe.candidate.gazetteer_id == "gn:2035142"
    assert km(sanhe, 42.475, 129.736) < 3
    assert "Hoeryong" in sanhe.reason
    assert any(c.gazetteer_id == "gn:1796823" for c, _ in sanhe.scored)  # Hebei was considered


def test_sanhe_in_hebei_is_the_hebei_city_though_the_story_is_on_the_tumen(gazetteer):
    places, _ = resolve(
        "Four men carried the sacks from Onsong across the Tumen to Yanji, in Jilin. Their "
        "goods piled up in a rented warehouse in Sanhe, in Hebei, a short drive from Beijing.",
        gazetteer,
    )
    assert km(places["Sanhe"], 39.98, 117.07) < 10
    assert "'Sanhe … Hebei' pattern" in places["Sanhe"].reason


def test_sanhe_in_hebei_context_is_the_hebei_city(gazetteer):
    places, _ = resolve(
        "A trading firm in Sanhe, Hebei province, near Beijing placed the order.", gazetteer
    )
    assert places["Sanhe"].candidate.country_code == "CN"
    assert km(places["Sanhe"], 39.98, 117.07) < 10


def test_a_province_before_town_says_where_the_town_is(gazetteer):
    places, _ = resolve(
        "Yanji wholesalers now order jackets from Sanhe, the Hebei town east of Beijing.\n\n"
        "Trade through the Tumen city customs post has slowed.",
        gazetteer,
    )
    assert places["Hebei"].candidate.feature_class == "province"
    assert km(places["Sanhe"], 39.98, 117.07) < 10
    assert places["Tumen"].candidate.feature_class == "city"  # a town's own name stays a city


@pytest.mark.parametrize("relation", ["a satellite town of", "the commuter city east of"])
def test_a_town_described_by_a_city_is_placed_by_that_city(gazetteer, relation):
    places, _ = resolve(
        f"She left Hoeryong in 2016 and runs a shop in Sanhe, {relation} Beijing in Hebei.",
        gazetteer,
    )
    assert km(places["Sanhe"], 39.98, 117.07) < 10
    assert "Beijing" in places["Sanhe"].reason


def test_longjing_is_the_one_in_jilin(gazetteer):
    places, _ = resolve(
        "Orders came from a company in Longjing city in China's Jilin province.", gazetteer
    )
    assert km(places["Longjing"], 42.77, 129.42) < 5


def test_country_and_province_names_resolve_to_the_area_not_a_town(gazetteer):
    places, _ = resolve("Goods went from North Korea to China through Jilin province.", gazetteer)
    assert places["China"].candidate.feature_class == "country"
    assert places["Jilin"].candidate.feature_class == "province"
    assert places["China"].geo_precision == 3


def test_unknown_village_is_placed_at_its_neighbour_with_precision_2(gazetteer):
    places, unresolved = resolve(
        "Smugglers gathered at Sambong-ri village near Musan on the river.", gazetteer
    )
    village = places["Sambong-ri"]
    assert village.geo_precision == 2
    assert village.lat == places["Musan"].lat and "Musan" in village.reason
    assert unresolved == []


def test_unknown_village_without_anchor_is_reported_unresolved(gazetteer):
    _, unresolved = resolve("Smugglers gathered at Kkotmul-ri last week.", gazetteer)
    assert [m.search_name for m in unresolved] == ["Kkotmul-ri"]


def test_sinuiju_and_dandong_keep_their_countries(gazetteer):
    places, _ = resolve("Trucks crossed the Friendship Bridge from Sinuiju to Dandong.", gazetteer)
    assert places["Sinuiju"].country_code == "KP" and places["Dandong"].country_code == "CN"


def test_places_carry_candidates_scores_and_confidence(gazetteer):
    places, _ = resolve("Officials in Tumen city checked the rail cars.", gazetteer)
    tumen = places["Tumen"]
    assert tumen.candidate.country_code == "CN" and tumen.candidate.feature_class == "city"
    assert 0 < tumen.confidence <= 1
    assert [s for _, s in tumen.scored] == sorted((s for _, s in tumen.scored), reverse=True)


def test_low_confidence_is_unresolved_not_wrong(gazetteer, monkeypatch):
    monkeypatch.setattr(settings, "min_confidence", 0.999)
    places, _ = resolve("Trucks reached Longjing.", gazetteer)
    assert places["Longjing"].candidate is None


def test_geopy_interface_answers_offline():
    location = GazetteerGeocoder().geocode("Hoeryeong")
    assert location.raw["gazetteer_id"] == "gn:2044091"
    assert location.point.latitude == pytest.approx(42.44, abs=0.01)
    assert GazetteerGeocoder().geocode("Atlantis-on-Sea") is None


def test_online_geocoder_is_rate_limited_and_cached(tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "cache_folder", tmp_path)
    answer = Location("Kkotmul-ri, KP", (41.0, 129.0), {})
    with mock.patch("geopy.geocoders.Nominatim.geocode", return_value=answer) as remote:
        geocode = online_geocoder("nominatim")
        assert geocode("Kkotmul-ri").latitude == 41.0
        assert geocode("Kkotmul-ri").latitude == 41.0
    assert remote.call_count == 1
    with mock.patch("geopy.geocoders.Nominatim.geocode") as remote:
        assert online_geocoder("nominatim")("Kkotmul-ri").longitude == 129.0  # from the disk cache
    remote.assert_not_called()


def test_bare_name_is_the_river_the_article_names(gazetteer):
    text = (
        "Rail freight over Tumen surged.\n\n"
        "Trains crossed the Tumen River from Tumangang to Khasan in July."
    )
    places, _ = resolve(text, gazetteer)
    assert places["Tumen"].candidate.feature_class == "river"


@pytest.mark.parametrize(
    ("text", "feature_class"),
    [
        ("Villagers were ordered to move back from the Tumen in April.", "river"),
        ("Ice covered the frozen Tumen for weeks.", "river"),
        ("Trucks crossed the Tumen River in May. Police searched a warehouse in the port area "
         "of Tumen.", "city"),
        ("Trucks crossed the Tumen River in May. Later the Tumen Municipal Public Security "
         "Bureau made arrests.", "city"),
        ("Trucks crossed the Tumen River in May. Traffic at the crossing at Tumen slowed.",
         "city"),
    ],
)  # fmt: skip
def test_the_tumen_is_the_river_and_a_town_s_preposition_keeps_it_a_city(
    gazetteer, text, feature_class
):
    places, _ = resolve(text, gazetteer)
    assert places["Tumen"].candidate.feature_class == feature_class


def test_appositive_city_keeps_the_bare_name_a_city(gazetteer):
    text = "Tumen, a small city in China's Jilin province, faces Namyang across the Tumen River."
    places, _ = resolve(text, gazetteer)
    assert places["Tumen"].candidate.feature_class == "city"


def test_a_city_called_by_its_own_name_beats_a_village_with_that_alternate_name():
    article = article_from_text(
        "Now I buy from Dalian, she said. North Korea's embassy in Beijing did not comment.", "d"
    )
    gaz = load_gazetteer()
    places, _ = places_from_toponyms(article, toponyms_from_article(article, gaz), gaz)
    dalian = next(p for p in places if p.name == "Dalian")
    assert dalian.candidate.gazetteer_id == "gn:1814087"


def test_a_village_outside_a_town_is_not_a_namesake_hundreds_of_km_away():
    article = article_from_text(
        "On May 19, three persons from Chŏngsŏng, a village outside Sakju, waded across the river.",
        "c",
    )
    gaz = load_gazetteer()
    places, _ = places_from_toponyms(article, toponyms_from_article(article, gaz), gaz)
    village = next(p for p in places if p.name == "Chŏngsŏng")
    sakju = next(p for p in places if p.name == "Sakju")
    assert village.geo_precision == 2
    assert distance_km(village.candidate, sakju.candidate) < 1


@pytest.mark.parametrize(
    ("text", "name", "town"),
    [
        ("Stoves went to 250 households in Kangson-ri, a hamlet just outside Musan.",
         "Kangson-ri", "Musan"),
        ("The herbs were carried to the river at Chongsong, a riverside workers' district near "
         "Sakju, and rowed across.", "Chongsong", "Sakju"),
    ],
)  # fmt: skip
def test_a_hamlet_by_a_town_is_placed_at_the_town_not_a_far_namesake(gazetteer, text, name, town):
    places, _ = resolve(text, gazetteer)
    hamlet, near = places[name], places[town]
    assert hamlet.geo_precision == 2
    assert distance_km(hamlet.candidate, near.candidate) < 1


def test_a_far_city_named_by_its_own_name_beats_a_near_namesake_by_an_alternate_name(gazetteer):
    places, _ = resolve(
        "Traders in Hoeryong say Yanji wholesalers now order jackets from workshops in "
        "Sanhe, the Hebei town east of Beijing, rather than from Guangzhou.",
        gazetteer,
    )
    assert places["Guangzhou"].candidate.country_code == "CN"  # not Gwangju in South Korea


def test_a_korean_given_name_is_not_a_chinese_village(gazetteer):
    places, _ = resolve("In December, Min-ji crossed the Tumen River near Onsong.", gazetteer)
    assert "Min-ji" not in places
    assert "Onsong" in places
