import pytest

from geo.gazetteer import load_gazetteer
from geo.toponyms import toponyms_from_text


@pytest.fixture(scope="module")
def gazetteer():
    return load_gazetteer()


def names(text, gazetteer):
    return [m.search_name for m in toponyms_from_text(text, gazetteer=gazetteer)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Trucks left Sinŭiju for Dandong at dawn.", ["Sinŭiju", "Dandong"]),
        ("The goods were stored in Hoeryeong before crossing.", ["Hoeryeong"]),
        ("Officials in 혜산 said so.", ["혜산"]),
        ("a source in North Hamgyong province told RFA", ["North Hamgyong"]),
        ("It crossed into China's Jilin province.", ["China", "Jilin"]),
        ("The Rajin-Sonbong zone is busy.", ["Rajin-Sonbong"]),
    ],
)
def test_finds_places_in_any_spelling(gazetteer, text, expected):
    assert names(text, gazetteer) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Translated by Leejin Jun. Written in English by Paul Eckert.",
        "Reuters quoted the Meari website and Yonhap News Agency.",
        "North Korean and Chinese traders met on Friday in September.",
        "The Central Committee of the Workers' Party gave orders.",
    ],
)
def test_people_outlets_and_adjectives_are_not_places(gazetteer, text):
    assert names(text, gazetteer) == []


def test_kind_words_become_hints(gazetteer):
    mentions = toponyms_from_text(
        "The Hoeryong city customs post and Jilin province.", gazetteer=gazetteer
    )
    assert [(m.search_name, m.feature_hint) for m in mentions] == [
        ("Hoeryong", "city"),
        ("Jilin", "province"),
    ]


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("The goods moved across the Tumen into China.", "river"),
        ("Sanhe, just across the Tumen river, refused.", "river"),
        ("Rail cars reached Tumen city on Monday.", "city"),
    ],
)
def test_tumen_the_river_or_the_city_from_the_words_around(gazetteer, text, hint):
    tumen = [
        m
        for m in toponyms_from_text(text, gazetteer=gazetteer)
        if m.search_name.startswith("Tumen")
    ]
    assert tumen[0].feature_hint == hint


def test_unknown_village_with_suffix_is_found_with_its_anchor(gazetteer):
    mentions = toponyms_from_text(
        "Smugglers used Sambong-ri village near Musan at night.", gazetteer=gazetteer
    )
    unknown = [m for m in mentions if m.kind == "suffix_rule"]
    assert [(m.search_name, m.anchor) for m in unknown] == [("Sambong-ri", "Musan")]


def test_offsets_index_the_article_text(gazetteer):
    text = "Lorem. Trucks left Hyesan at night."
    (m,) = toponyms_from_text(text[7:], offset=7, sentence=1, gazetteer=gazetteer)
    assert text[m.start_char : m.end_char] == "Hyesan" and m.sentence == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A Fengcheng processor said it had placed an order.", ["Fengcheng"]),
        ("Two Tonghua firms placed orders.", ["Tonghua"]),
        ("Zhang Fengcheng, a trader, said so.", []),
    ],
)
def test_capitalised_sentence_opener_does_not_make_a_name_a_person(gazetteer, text, expected):
    assert names(text, gazetteer) == expected


def test_long_country_names_with_an_apostrophe_are_one_place(gazetteer):
    text = "Ore went from the Democratic People's Republic of Korea across the Linjiang bridge."
    assert names(text, gazetteer) == [
        "Democratic People's Republic of Korea",
        "Linjiang bridge",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tours to the truce village resumed.", []),
        ('"Normal trade is fine," he said.', []),
        ("Whether Moscow's traffic will come is unclear.", ["Moscow"]),
        ("Authorities in North Phyongan province said so.", ["North Phyongan"]),
    ],
)
def test_sentence_openers_spellings_and_common_words(gazetteer, text, expected):
    assert names(text, gazetteer) == expected
