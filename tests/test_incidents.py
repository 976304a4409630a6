from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from geo._errors import GeoError
from geo.incidents import (
    IncidentType,
    actors_from_text,
    incidents_from_places,
    load_incident_types,
    quantities_from_text,
)
from geo.models import Article, Place

# ---------------------------------------------------------------------------- helpers
from tests.records import make_article, make_places

SEED_LIKE = [
    "The manufacturing firm, called the 800 Trading Company, receives orders for custom-made "
    "apparel from a company in Longjing city in northeastern China’s Jilin province, a source in "
    "North Hamgyong province in North Korea told RFA.",
    "The company tried recently to send finished goods to China through the customs post at "
    "North Korea’s Hoeryong city, RFA’s source said.",
    "“But the Chinese customs post at Sanhe, just across the Tumen river, did not approve their "
    "delivery,” the source said.",
    "After holding their goods in storage at Hoeryong for ten days in mid-September, the 800 "
    "Trading Company loaded them onto trucks sent from North Korea’s Rason city, the source said.",
    "The clothing was then moved illegally into China on two separate dates, Sept. 28 and Oct. 2, "
    "through Inge-ri town near Hoeryong, a second source told RFA.",
    "“The 800 Trading Company blocked the road into Inge-ri town from 1:00 a.m. to 3:00 a.m. on "
    "Sept. 28 and used five 15-ton trucks to move the goods across the river to China,” he said.",
    "A second delivery using six trucks was made in the early morning hours of Oct. 2, the source "
    "said.",
]
SEED_PLACES = (
    "Longjing",
    "Jilin",
    "North Hamgyong",
    "North Korea",
    "China",
    "Hoeryong",
    "Sanhe",
    "Tumen river",
    "Rason",
    "Inge-ri",
)


@pytest.fixture
def seed_like() -> tuple[Article, list[Place]]:
    article = make_article(SEED_LIKE, caption="North Korean soldiers stand on a boat near China.")
    return article, make_places(article, *SEED_PLACES, anchors={"Inge-ri": "Hoeryong"})


def by_type(incidents, kind):
    return [i for i in incidents if i.type == kind]


# ---------------------------------------------------------------------------- vocabulary


def test_vocabulary_has_the_documented_types():
    types = {t.type for t in load_incident_types()}
    assert {
        "smuggling_crossing",
        "customs_refusal",
        "storage",
        "covert_production",
        "seizure",
        "closure",
        "trade_order",
        "sale_of_seized_goods",
        "transport",
        "arrest",
        "defection",
        "border_security",
        "other",
    } <= types


def test_bad_vocabulary_path_names_the_file(tmp_path):
    with pytest.raises(GeoError, match="nothere.csv"):
        load_incident_types(tmp_path / "nothere.csv")


def test_bad_vocabulary_columns(tmp_path):
    path = tmp_path / "types.csv"
    path.write_text("type,label\nx,X\n", encoding="utf-8")
    with pytest.raises(GeoError, match="cues"):
        load_incident_types(path)


def test_caller_vocabulary_is_used():
    article = make_article(["Farmers harvested rice at Hyesan on May 3, 2018."])
    table = [IncidentType("harvest", "Harvest", 10, cues=r"harvest\w*")]
    (inc,) = incidents_from_places(article, make_places(article, "Hyesan"), incident_types=table)
    assert inc.type == "harvest"
    assert inc.summary == "Harvest at Hyesan (2018-05-03)"


def test_looser_cues_count_only_in_a_clause_with_its_own_date():
    table = [IncidentType("transport", "Transport", 40, cues=r"convoy of trucks",
                          dated_cues=r"crossed")]  # fmt: skip
    dated = make_article(["Empty lorries crossed the bridge at Tumen on March 11, 2025."])
    undated = make_article(["Empty lorries crossed the bridge at Tumen in those years."])
    (inc,) = incidents_from_places(dated, make_places(dated, "Tumen"), incident_types=table)
    assert (inc.type, inc.place.name, inc.date.start) == ("transport", "Tumen", date(2025, 3, 11))
    assert incidents_from_places(undated, make_places(undated, "Tumen"), incident_types=table) == []


def test_default_vocabulary_reads_dated_action_verbs_as_events():
    article = make_article(
        [
            "Wholesalers in Dandong say business is slow.",
            "Local officials sealed part of a warehouse in Dandong on Feb. 24, 2017.",
            "Officials in Dandong often seal warehouses.",
        ]
    )
    (inc,) = incidents_from_places(article, make_places(article, "Dandong"))
    assert (inc.place.name, inc.date.start) == ("Dandong", date(2017, 2, 24))


@pytest.mark.parametrize(
    ("sentence", "names", "itype"),
    [
        ("Pyongyang blew up the liaison office in Kaesong in 2020.", ["Kaesong"], "other"),
        ("The crossing at Tumen handled its first ore trucks in months on 3 June 2017.",
         ["Tumen"], "transport"),
        ("Rain fell all week; on 3 June 2017 twenty trucks drive from Tumen to Namyang.",
         ["Tumen", "Namyang"], "transport"),
        ("The vessel lay at anchor off Nampo between May 2 and 9, 2024.", ["Nampo"], "transport"),
        ("Off Nampo on May 2, 2024 it took on roughly 3,900 tonnes of anthracite.", ["Nampo"],
         "transport"),
        ("The same hull had called at Rajin in autumn 2023 to discharge flour.", ["Rajin"],
         "transport"),
    ],
)  # fmt: skip
def test_dated_wordings_of_demolitions_and_deliveries(sentence, names, itype):
    article = make_article([sentence])
    incidents = incidents_from_places(article, make_places(article, *names))
    assert [(i.type, i.place.name) for i in incidents] == [(itype, names[0])]


def test_short_of_a_port_is_near_it():
    article = make_article(
        ["On May 14, 2024 the coast guard seized the vessel 20 miles short of Dalian.",
         "Two days later the Liaoning port authority rejected the import declaration."]
    )  # fmt: skip
    incidents = incidents_from_places(article, make_places(article, "Dalian", "Liaoning"))
    assert [(i.type, i.place.name) for i in incidents][0] == ("seizure", "Dalian")


def test_reported_content_keeps_its_own_date():
    article = make_article(
        ["The yard at Tumen was empty in imagery from August 29, 2023, consistent with local "
         "reports that the crossing has been closed to trucks since early August."],
        published=date(2023, 9, 15),
    )  # fmt: skip
    (inc,) = incidents_from_places(article, make_places(article, "Tumen"))
    assert (inc.type, inc.date.start, inc.date.end) == (
        "closure", date(2023, 8, 1), date(2023, 8, 10))  # fmt: skip


def test_a_plant_named_after_its_town_ordered_there():
    article = make_article(
        ["A source said a Hyesan plant had placed the order with a Chinese broker in May 2018 "
         "through a trading firm based in Tonghua."]
    )  # fmt: skip
    (inc,) = incidents_from_places(article, make_places(article, "Hyesan", "Tonghua"))
    assert (inc.type, inc.place.name) == ("trade_order", "Hyesan")


def test_a_clause_describing_the_bridge_does_not_take_the_events_date():
    article = make_article(
        ["North Korea brought in dozens of freight cars of machine tools over the railway "
         "bridge that spans the Yalu River between Linjiang and Manpo from late June to "
         "mid-July, sources said."],
        published=date(2018, 7, 30),
    )  # fmt: skip
    (inc,) = incidents_from_places(article, make_places(article, "Linjiang", "Manpo"))
    assert (inc.type, inc.date.start, inc.date.end) == (
        "transport", date(2018, 6, 21), date(2018, 7, 20))  # fmt: skip


@pytest.mark.parametrize(("words", "dated"), [("in earlier crackdowns", False), ("", True)])
def test_goods_seized_in_earlier_crackdowns_do_not_take_the_days_date(words, dated):
    article = make_article(
        ["A vendor in Hyesan was arrested on Feb. 19, 2024 over a hidden Chinese phone.",
         f"Phones confiscated {words} have turned up for sale in the city's market."],
    )  # fmt: skip
    *_, sale = incidents_from_places(article, make_places(article, "Hyesan"))
    assert (sale.type, sale.place.name) == ("sale_of_seized_goods", "Hyesan")
    assert (sale.date.start == date(2024, 2, 19)) is dated


def test_a_season_after_since_dates_the_where_clause_it_ends():
    article = make_article(
        ["Legal imports are still piling up at the airfield in Uiju, where the authorities have "
         "held Chinese goods in quarantine sheds since the previous autumn."],
        published=date(2023, 6, 1),
    )  # fmt: skip
    (inc,) = incidents_from_places(article, make_places(article, "Uiju"))
    assert (inc.type, inc.date.start, inc.date.end) == (
        "storage", date(2022, 9, 1), date(2022, 11, 30))  # fmt: skip


@pytest.mark.parametrize(
    ("words", "year"),
    [
        ("The previous autumn", 2022),  # the one before the story's 2023
        ("That autumn", 2023),  # the story's own
        ("Last autumn", 2023),  # before the article's date (July 2024)
    ],
)
def test_previous_season_counts_from_the_story_time(words, year):
    article = make_article(
        ["In 2023 smugglers crossed near Hyesan almost every week.",
         f"{words} guards were posted around Hyesan to patrol the riverbank."],
        published=date(2024, 7, 1),
    )  # fmt: skip
    incs = incidents_from_places(article, make_places(article, "Hyesan"))
    assert incs[-1].date.start == date(year, 9, 1)


def test_there_and_sites_come_before_a_destination():
    article = make_article(
        ["Dandong, by contrast, slipped 12% month on month.",
         "Customs officers there refused car parts bound for Sinuiju on August 14, 2024.",
         "The port of Nampo was busy.",
         "Down at the port we watched trucks being loaded with squid bound for Dalian on "
         "May 2, 2024."]
    )  # fmt: skip
    places = make_places(article, "Dandong", "Sinuiju", "Nampo", "Dalian")
    assert [i.place.name for i in incidents_from_places(article, places)] == ["Dandong", "Nampo"]


def test_the_complex_is_the_named_complex_and_its_shutdown_happened_there():
    article = make_article(
        ["The shutdown of the Kaesong Industrial Complex on 10 February 2016 was abrupt.",
         "Since mid-April 2025, North Korea has been tearing down buildings in the complex."]
    )  # fmt: skip
    incs = incidents_from_places(article, make_places(article, "Kaesong Industrial Complex",
                                                      "North Korea"))  # fmt: skip
    kic = "Kaesong Industrial Complex"
    assert [(i.type, i.place.name) for i in incs] == [("closure", kic), ("other", kic)]


def test_an_answer_takes_the_date_of_the_question():
    article = make_article(
        ["Q: Can you confirm that a soldier came south near Panmunjom last Tuesday?",
         "A: Yes.",
         "A soldier fled across the border near Panmunjom in the early morning.",
         "Q: Has the North removed its loudspeakers?",
         "A: The military has confirmed that in the first week of August the North took "
         "down loudspeakers near Panmunjom."],
        published=date(2025, 8, 18),
    )  # fmt: skip
    *_, defection, removal = incidents_from_places(article, make_places(article, "Panmunjom"))
    assert (defection.type, defection.date.start) == ("defection", date(2025, 8, 12))
    assert (removal.date.start, removal.date.end) == (date(2025, 8, 1), date(2025, 8, 7))


def test_seized_goods_auctioned_is_a_sale():
    article = make_article(["The fish was auctioned by the customs office in Tumen on May 3."])
    (inc,) = incidents_from_places(article, make_places(article, "Tumen"))
    assert inc.type == "sale_of_seized_goods"


def test_second_part_of_a_sentence_takes_the_first_part_s_date():
    article = make_article(
        ['"On the night of July 9 the broker paid the guard post, and six porters brought cloth '
         'over from Sanhe," the listener said.'],
        published=date(2025, 7, 30),
    )  # fmt: skip
    incs = incidents_from_places(article, make_places(article, "Sanhe"))
    assert incs[-1].type == "smuggling_crossing"
    assert incs[-1].date.start == date(2025, 7, 9)


def test_dated_event_without_a_place_goes_on_where_the_story_is():
    story = [
        "A freight train crossed from Khasan into North Korea on 3 March 2025.",
        "Builders finished the river piers in February, the Jilin government said.",
    ]
    later = ["Trade was slow.", "Prices rose.", "Buyers waited.", "Sellers waited."]
    near = make_article(story, published=date(2025, 3, 20))
    far = make_article([story[0], *later, story[1]], published=date(2025, 3, 20))
    incs = incidents_from_places(near, make_places(near, "Khasan", "Jilin"))
    assert [(i.place.name, i.date.start) for i in incs] == [
        ("Khasan", date(2025, 3, 3)), ("Khasan", date(2025, 2, 1))]  # fmt: skip
    assert incs[1].confidence < incs[0].confidence
    assert incidents_from_places(far, make_places(far, "Khasan", "Jilin"))[-1].place is None


@pytest.mark.parametrize(
    ("body", "names", "expected"),
    [
        (["In July 2025 a further 80 workers reached Khasan on a ferry from Rason.",
          "In May 2025 a firm arranged for trucks to be driven from Hunchun to Rason."],
         ("Khasan", "Rason", "Hunchun"), ["Rason", "Hunchun"]),
        # a ship sailed from where it left, not where it later lay off or was bound
        (["A tanker left Nampo in late January 2025 and reappeared off Dalian after nine days "
          "dark.", "Dec. 27, 2025 — A cargo ship leaves Rajin with iron ore bound for Dalian."],
         ("Nampo", "Dalian", "Rajin"), ["Nampo", "Rajin"]),
        (["Data showed a bulk carrier that left the port of Nampo in late February 2024 "
          "anchoring off Dalian, in Liaoning province, where it unloaded what traders called "
          "anthracite."],
         ("Nampo", "Dalian", "Liaoning"), ["Nampo"]),
        # a bridge on the way is not where the transport began, unless nothing else says so
        (["In May 2025 trucks carried squid from Rajin over the Quanhe bridge, a trader said.",
          "Traders from Sinuiju said trucks crossed the Friendship Bridge on 3 June 2025."],
         ("Rajin", "Quanhe", "Sinuiju", "Friendship Bridge"), ["Rajin", "Friendship Bridge"]),
    ],
)  # fmt: skip
def test_a_transport_happened_where_it_started(body, names, expected):
    article = make_article(body)
    incs = incidents_from_places(article, make_places(article, *names))
    assert [(i.type, i.place.name) for i in incs] == [("transport", n) for n in expected]


def test_the_bank_there_is_the_town_just_named_but_there_was_is_not():
    article = make_article(
        ["Downstream, the river bends past Onsong, a border county.",
         "Locals say the bank there was fenced again in the spring of 2025.",
         "In May 2025 there was a new fence along the river at Namyang."]
    )  # fmt: skip
    incs = incidents_from_places(article, make_places(article, "Onsong", "Namyang"))
    assert [(i.type, i.place.name) for i in incs] == [
        ("border_security", "Onsong"), ("border_security", "Namyang")]  # fmt: skip


def test_the_county_of_council_minutes_is_the_county_in_the_title():
    article = make_article(
        ["Item 1. A patrol detained four men from Uiju on 2 September 2021.",
         "Members noted that the county's border trade point has been closed since January 2020."],
        title="Minutes: Kuandian county council, border affairs session",
    )  # fmt: skip
    incs = incidents_from_places(article, make_places(article, "Kuandian", "Uiju"))
    assert [(i.type, i.place.name) for i in incs][-1] == ("closure", "Kuandian")


def test_where_we_reach_is_where_we_are_but_not_where_he_meant_to_reach():
    article = make_article(
        ["On 8 April 2019 we reach Khasan, where border officers check every passport twice.",
         "On 11 October 2025 the soldier walked toward the Demilitarized Zone, intending to "
         "cross and reach Kaesong."]
    )  # fmt: skip
    places = make_places(article, "Khasan", "Demilitarized Zone", "Kaesong")
    incs = incidents_from_places(article, places)
    assert [i.place.name for i in incs] == ["Khasan", "Demilitarized Zone"]


def test_carried_out_moves_nothing():
    article = make_article(["Customs carried out a campaign at Quanhe from 9 to 30 October 2023."])
    (inc,) = incidents_from_places(article, make_places(article, "Quanhe"))
    assert inc.type == "border_security"


def test_wire_dateline_without_parentheses_and_the_teller_s_seat_are_not_the_event():
    article = make_article(
        ["SEOUL, Oct. 2 Kyodo — A soldier crossed the border near Panmunjom on Tuesday night, "
         "the Joint Chiefs of Staff in Paju said Thursday."],
        published=date(2025, 10, 2),
    )  # fmt: skip
    (inc,) = incidents_from_places(article, make_places(article, "Paju", "Panmunjom"))
    assert (inc.place.name, inc.date.start) == ("Panmunjom", date(2025, 9, 30))


def test_where_a_witness_lives_now_is_not_where_it_happened():
    article = make_article(
        ["A woman who waded across the river into Changbai in 2021 and now lives in Paju "
         "said she was never caught."]
    )  # fmt: skip
    (inc,) = incidents_from_places(article, make_places(article, "Changbai", "Paju"))
    assert inc.place.name == "Changbai"


def test_from_the_area_of_a_town_is_that_town():
    article = make_article(
        ["On 26 February 2022 the suspects used a dinghy to bring sea cucumber across the "
         "river from the area of Hyesan."]
    )  # fmt: skip
    (inc,) = incidents_from_places(article, make_places(article, "Hyesan"))
    assert inc.place.name == "Hyesan"


def test_a_city_s_name_is_not_the_city_referred_to():
    article = make_article(
        ["(A notice posted in Tonghua.)",
         "On 3 March 2022, officers of the Hyesan City police detained four suspects in the city."]
    )  # fmt: skip
    (inc,) = incidents_from_places(article, make_places(article, "Hyesan", "Tonghua"))
    assert inc.place.name == "Hyesan"


@pytest.mark.parametrize(
    ("text", "second"),
    [
        ("On April 11, 2017 the police in Tumen started checking every boat, and two days "
         "later they seized a boat of mushrooms at Namyang.", ("seizure", date(2017, 4, 13))),
        ("Two women walked across the frozen river near Tumen in early January 2026 and were "
         "caught on the Chinese bank near Namyang within hours.", ("arrest", date(2026, 1, 1))),
    ],
)  # fmt: skip
def test_two_events_in_one_sentence_with_loose_verbs(text, second):
    article = make_article([text])
    incs = incidents_from_places(article, make_places(article, "Tumen", "Namyang"))
    assert len(incs) == 2
    assert (incs[1].type, incs[1].date.start) == second
    assert incs[1].place.name == "Namyang"


@pytest.mark.parametrize(
    ("entry", "kind"),
    [
        ("May 19, 2025 — Border guards at Namyang seize two rail wagons of cigarettes.",
         "seizure"),
        ("Mid-March 2025 — Customs at Tumen shuts its inspection yard for fumigation.",
         "closure"),
        ("Dec. 27, 2025 — A cargo ship leaves Rason with 4,000 tonnes of iron ore.",
         "transport"),
        ("Jan. 6, 2025 — Two soldiers cross the frozen river from Namyang at night.",
         "defection"),
    ],
)  # fmt: skip
def test_present_tense_timeline_entries_are_events(entry, kind):
    article = make_article([entry])
    (inc,) = incidents_from_places(article, make_places(article, "Namyang", "Tumen", "Rason"))
    assert inc.type == kind


def test_that_year_is_the_year_just_named():
    article = make_article(
        ["In 2024 trade was slow at Dandong.",
         "Her name is on a 2019 police file: that year, officers in Dandong confiscated "
         "300 cartons of cigarettes."]
    )  # fmt: skip
    (inc,) = incidents_from_places(article, make_places(article, "Dandong"))
    assert (inc.type, inc.date.start, inc.date.end) == (
        "seizure", date(2019, 1, 1), date(2019, 12, 31))  # fmt: skip


def test_the_park_and_the_court_are_the_places_named_before():
    article = make_article(
        ["Officials visited the Kaesong Industrial Complex, the joint factory park.",
         "The park stopped operating in 2016."]
    )  # fmt: skip
    (inc,) = incidents_from_places(article, make_places(article, "Kaesong Industrial Complex"))
    assert (inc.type, inc.place.name) == ("closure", "Kaesong Industrial Complex")


def test_the_city_is_the_dateline_s_city():
    article = make_article(
        ["DANDONG, China — Workshops here sew jackets for export.",
         "In 2019 contracts were signed at a hotel in Tonghua, a buyer said.",
         "On Nov. 3, 2024 customs officers impounded 14 containers at the city's rail yard."]
    )  # fmt: skip
    incs = incidents_from_places(article, make_places(article, "Dandong", "Tonghua"))
    assert (incs[-1].type, incs[-1].place.name) == ("seizure", "Dandong")


def test_a_place_in_a_relative_clause_is_not_where_the_main_event_happened():
    article = make_article(
        ["In the first week of August 2025, a vessel that had called at Rason was detained "
         "on arrival in Nampo."]
    )  # fmt: skip
    (inc,) = incidents_from_places(article, make_places(article, "Rason", "Nampo"))
    assert inc.place.name == "Nampo"


def test_an_abbreviation_in_brackets_does_not_outweigh_the_place_named():
    article = make_article(
        ["On 14 August 2022, a soldier crossed the Demilitarized Zone (DMZ) in the western "
         "sector, inside the Joint Security Area."]
    )  # fmt: skip
    names = "Demilitarized Zone", "DMZ", "Joint Security Area"
    (inc,) = incidents_from_places(article, make_places(article, *names))
    assert inc.place.name == "Joint Security Area"


def test_people_put_on_a_train_are_transported():
    article = make_article(
        ["On 3 March 2024, about 260 women were put on the afternoon train from Dandong."]
    )  # fmt: skip
    (inc,) = incidents_from_places(article, make_places(article, "Dandong"))
    assert (inc.type, inc.place.name) == ("transport", "Dandong")


def test_a_dated_event_without_a_place_takes_the_next_incident_s_place():
    article = make_article(
        ["On January 14, 2021, guards fired warning shots at a man wading across the frozen "
         "river toward China.",
         "Two days later, security agents arrested his brother at home in Hoeryong."]
    )  # fmt: skip
    first, second = incidents_from_places(article, make_places(article, "Hoeryong", "China"))
    assert (first.type, first.place.name) == ("border_security", "Hoeryong")
    assert first.confidence < second.confidence


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Over the Lunar New Year holiday of 2024, officers at Linjiang cleared 46 trucks of "
         "flour.", "transport"),
        ("On 6 February 2024 border police found 300 kilograms of pine nuts in a van at "
         "Linjiang.", "seizure"),
        ("In July 2024 two drivers were fined at Quanhe.", "other"),
        ("Passenger trains across the bridge at Khasan remain suspended.", "closure"),
    ],
)  # fmt: skip
def test_more_event_wordings(text, kind):
    article = make_article([text])
    places = make_places(article, *(n for n in ("Linjiang", "Hoeryong", "Quanhe", "Khasan")
                                    if n in text))  # fmt: skip
    (inc,) = incidents_from_places(article, places)
    assert inc.type == kind


def test_an_arrest_and_a_seizure_in_one_sentence_are_two_incidents_at_the_police_s_town():
    article = make_article(
        ["On 19 April 2021 officers of the Hyesan anti-smuggling police detained the "
         "defendant at the cold store and seized the goods, valued at 1.86 million yuan."]
    )  # fmt: skip
    incs = incidents_from_places(article, make_places(article, "Hyesan"))
    assert [(i.type, i.place.name) for i in incs] == [("arrest", "Hyesan"), ("seizure", "Hyesan")]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Two days later, on 4 Feb. 2016, my cousin was picked up by Chinese police at a "
         "guesthouse in Namyang.", "arrest"),
        ("On 17 August 2019 the Chinese police caught me in Namyang.", "arrest"),
        ("In Namyang, police had in September 2017 begun stopping every car.", "border_security"),
    ],
)  # fmt: skip
def test_first_person_and_plain_wordings(text, kind):
    article = make_article([text])
    (inc,) = incidents_from_places(article, make_places(article, "Namyang"))
    assert inc.type == kind


def test_a_short_sentence_that_only_sets_the_time_dates_the_next_event():
    article = make_article(
        ["In January 2017 the inspectors at Sanhe turned back my truck of polyester.",
         "Worse came in late February of that year.",
         "Pak was arrested in Hoeryong, and for weeks nobody would tell me where he was."],
        published=date(2019, 5, 1),
    )  # fmt: skip
    *_, arrest = incidents_from_places(article, make_places(article, "Sanhe", "Hoeryong"))
    assert (arrest.type, arrest.date.start, arrest.date.end) == (
        "arrest", date(2017, 2, 21), date(2017, 2, 28))  # fmt: skip


def test_a_relative_clause_of_another_kind_is_a_second_event_dated_from_the_first():
    article = make_article(
        ["On August 8 Chinese border police in Tumen detained four North Korean women who had "
         "waded across from Namyang the night before, a court notice said."],
        published=date(2023, 10, 1),
    )  # fmt: skip
    found = incidents_from_places(article, make_places(article, "Tumen", "Namyang"))
    assert sorted((i.type, i.place.name, i.date.start) for i in found) == [
        ("arrest", "Tumen", date(2023, 8, 8)),
        ("defection", "Namyang", date(2023, 8, 7)),
    ]


def test_a_relative_clause_of_the_same_kind_is_not_a_second_event():
    article = make_article(
        ["On May 3 police in Hyesan arrested two traders who had been arrested before."],
        published=date(2023, 10, 1),
    )  # fmt: skip
    (arrest,) = incidents_from_places(article, make_places(article, "Hyesan"))
    assert (arrest.type, arrest.date.start) == ("arrest", date(2023, 5, 3))


def test_a_posts_time_is_when_it_was_written_not_when_the_event_happened():
    article = make_article(
        ["@riverbank_dad (8 Oct, 19:20): Also the port at Tumen was shut for the whole "
         "National Day holiday, not one truck.",
         "@jilin_truckers (10 Oct, 22:11): Heard from police friends: on October 3 police "
         "arrested a woman from Namyang near Tumen."],
        published=date(2022, 10, 12),
    )  # fmt: skip
    closure, arrest = incidents_from_places(article, make_places(article, "Tumen", "Namyang"))
    assert (closure.type, closure.date.start, closure.date.end) == (
        "closure", date(2022, 10, 1), date(2022, 10, 7))  # fmt: skip
    assert (arrest.type, arrest.date.start) == ("arrest", date(2022, 10, 3))


def test_a_diary_entrys_day_dates_what_its_paragraph_tells():
    article = make_article(
        ["9 March.", "Uncle's partner carried copper wire over the ice from Onsong tonight.",
         "20 April, Tumen.", "We crossed from Namyang on the night of the 17th."],
        published=date(2016, 7, 1),
    )  # fmt: skip
    article.sentences[2:] = [replace(s, paragraph=1) for s in article.sentences[2:]]
    found = incidents_from_places(article, make_places(article, "Onsong", "Namyang", "Tumen"))
    assert [(i.place.name, i.date.start) for i in found] == [
        ("Onsong", date(2016, 3, 9)), ("Namyang", date(2016, 4, 17))]  # fmt: skip


def test_a_chat_messages_day_dates_what_it_tells_without_a_date_of_its_own():
    article = make_article(
        ["4 March, Brother Song: Trucks are moving again!",
         "Customs at Dandong seized a van of cigarettes hidden under cabbages.",
         "12 March, Auntie Wang: Disaster.",
         "Sinuiju customs sent back all nine of my trucks this morning."],
        published=date(2024, 3, 20),
    )  # fmt: skip
    article.sentences[2:] = [replace(s, paragraph=1) for s in article.sentences[2:]]
    found = incidents_from_places(article, make_places(article, "Dandong", "Sinuiju"))
    assert [(i.type, i.date.start) for i in found] == [
        ("seizure", date(2024, 3, 4)), ("customs_refusal", date(2024, 3, 12))]  # fmt: skip


def test_every_sentence_of_a_diary_entry_happened_on_its_day_unless_told_later():
    article = make_article(
        ["Tuesday 9 April.", "At dawn a single carriage takes us to Tumangang.",
         "Customs officers open every bag on the platform.",
         "The mineral water is confiscated at Tumangang.",
         "Two days later the customs officers at Tumangang seized a camera."],
        published=date(2019, 4, 30),
    )  # fmt: skip
    found = incidents_from_places(article, make_places(article, "Tumangang"))
    assert [(i.type, i.date.start) for i in found if i.type == "seizure"] == [
        ("seizure", date(2019, 4, 9)), ("seizure", date(2019, 4, 11))]  # fmt: skip


def test_a_notebook_entry_headed_by_a_numeric_day_and_a_place_dates_its_paragraph():
    article = make_article(
        ["Wed 26/9 — Khasan.", "Big news: traffic restarted.",
         "Watched a train of thirty wagons roll across from Tumangang at 14:10."],
        published=date(2018, 10, 5),
    )  # fmt: skip
    found = incidents_from_places(article, make_places(article, "Khasan", "Tumangang"))
    assert [(i.type, i.place.name, i.date.start) for i in found] == [
        ("transport", "Tumangang", date(2018, 9, 26))]  # fmt: skip


def test_two_days_after_a_span_of_weeks_is_no_day_of_that_span():
    article = make_article(
        ["Since mid-September 2021 their goods had been piling up in a warehouse in Yanji.",
         "Two days later, police arrested the courier outside the station in Yanji."],
        published=date(2021, 12, 1),
    )  # fmt: skip
    storage, arrest = incidents_from_places(article, make_places(article, "Yanji"))
    assert (storage.type, storage.date.start) == ("storage", date(2021, 9, 11))
    assert (arrest.type, arrest.date.precision) == ("arrest", "unknown")


def test_the_19th_is_in_the_month_of_the_day_told_before():
    article = make_article(
        ["On March 3, two men were caught carrying batteries across the ice at Hyesan.",
         "They were sentenced at a public trial in Hyesan on the 19th."],
        published=date(2021, 6, 1),
    )  # fmt: skip
    *_, trial = incidents_from_places(article, make_places(article, "Hyesan"))
    assert trial.date.start == date(2021, 3, 19)


def test_the_day_a_statement_was_made_is_not_the_events_day():
    article = make_article(
        ["The network today called on China to halt repatriations after confirming that "
         "28 North Koreans were sent back from Dandong on 16 April 2024."],
        published=date(2024, 4, 25),
    )  # fmt: skip
    (inc,) = incidents_from_places(article, make_places(article, "Dandong"))
    assert inc.date.start == date(2024, 4, 16)


@pytest.mark.parametrize(
    ("setting", "year"),
    [("In 2019.", 2019), ("A: That was in the summer of 2018.", 2018),
     # a sentence that says more than the time does not move the next one's day
     ("Sanctions tightened at Hoeryong in 2017 and trade never recovered.", 2024)],
)  # fmt: skip
def test_a_sentence_that_only_names_a_year_sets_the_year_of_the_days_after_it(setting, year):
    article = make_article(
        [setting, "On August 3 a special unit took over the riverbank at Onsong.",
         "Two days later the police caught me in Hoeryong."],
        published=date(2025, 1, 20),
    )  # fmt: skip
    *_, arrest = incidents_from_places(article, make_places(article, "Onsong", "Hoeryong"))
    assert (arrest.type, arrest.date.start.year) == ("arrest", year)


def test_a_relative_date_keeps_the_publication_year_after_a_year_alone():
    article = make_article(
        ["In 2019.", "Last month police arrested two smugglers in Hoeryong."],
        published=date(2025, 1, 20),
    )  # fmt: skip
    (arrest,) = incidents_from_places(article, make_places(article, "Hoeryong"))
    assert (arrest.date.start, arrest.date.end) == (date(2024, 12, 1), date(2024, 12, 31))


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("On November 13, 2025, police picked up three of them at a bus station in Tumen.",
         "arrest"),
        ("From late December to mid-January 2025 they went house to house at night in Hyesan "
         "looking for phones.", "border_security"),
        ("On 8 April 2026, our camera recorded a goods train rolling slowly into Sinuiju.",
         "transport"),
        ("Several relatives were put on a public trial in Hoeryong in December 2025.", "other"),
        ("Since mid-April 2023 a workshop outside Manpo has been turning out counterfeit "
         "cigarettes.", "covert_production"),
    ],
)  # fmt: skip
def test_yet_more_event_wordings(text, kind):
    article = make_article([text])
    names = [n for n in ("Tumen", "Hyesan", "Sinuiju", "Hoeryong", "Manpo") if n in text]
    (inc,) = incidents_from_places(article, make_places(article, *names))
    assert inc.type == kind


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("In June 2018 my mother was taken in for questioning in Hoeryong.", "arrest"),
        ("She was driven to a village outside Yanji and sold to a farmer as a wife.", "other"),
        ("On 9 August 2025 the river overtopped embankments in the eastern districts of "
         "Hyesan, flooding homes.", "other"),
        ("In February 2024 border police stopped two men who had walked across the ice to "
         "Linjiang.", "arrest"),
    ],
)  # fmt: skip
def test_wordings_of_held_out_sets_16_and_17(text, kind):
    article = make_article([text])
    names = [n for n in ("Hoeryong", "Yanji", "Hyesan", "Linjiang") if n in text]
    (inc,) = incidents_from_places(article, make_places(article, *names))
    assert (inc.type, inc.place.name) == (kind, names[0])


def test_it_was_disclosed_that_on_a_day_keeps_the_day():
    article = make_article(
        ["At the meeting it was disclosed that on July 15, security personnel in Hoeryong "
         "apprehended a gang that had tried to bring goods over from Sanhe."],
        published=date(2018, 9, 1),
    )  # fmt: skip
    (inc,) = incidents_from_places(article, make_places(article, "Hoeryong", "Sanhe"))
    assert (inc.type, inc.place.name, inc.date.start) == ("arrest", "Hoeryong", date(2018, 7, 15))


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("A wooden fishing boat was found on a beach near Rason on November 26, 2023.", "other"),
        ("In 2019 a wave of arrests swept through the markets of Rason.", "arrest"),
        ("Around noon on 2 September 2025 a freight train crawled out of Rason.", "transport"),
    ],
)  # fmt: skip
def test_wordings_of_held_out_sets_18_and_19(text, kind):
    article = make_article([text])
    (inc,) = incidents_from_places(article, make_places(article, "Rason"))
    assert inc.type == kind


def test_a_dated_event_far_from_any_place_goes_to_the_town_the_article_is_about():
    article = make_article(
        ["Hyesan faces China across the river.",
         "Traders in Hyesan say business is slow.",
         "Prices rose.", "Buyers waited.", "Sellers waited.",
         "On Oct. 9, 2022, soldiers unrolled a second coil of barbed wire below the post."]
    )  # fmt: skip
    (inc,) = incidents_from_places(article, make_places(article, "Hyesan"))
    assert (inc.type, inc.place.name) == ("border_security", "Hyesan")
    assert inc.confidence < 0.7


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("In late June 2016, a group of five North Koreans slipped out of Hyesan.", "defection"),
        ("On March 3, 2024, a soldier sprinted across the line near Panmunjom.", "defection"),
        ("In September 2017 border police near Sakju led away two women.", "arrest"),
        ("In late March 2019, soldiers searched every house in Onsong for phones.",
         "border_security"),
    ],
)  # fmt: skip
def test_wordings_of_held_out_sets_22_and_23(text, kind):
    article = make_article([text])
    names = [n for n in ("Hyesan", "Panmunjom", "Sakju", "Onsong") if n in text]
    (inc,) = incidents_from_places(article, make_places(article, *names))
    assert inc.type == kind


# ---------------------------------------------------------------------------- seed-like article


def test_customs_refusal_at_the_customs_post(seed_like):
    incidents = incidents_from_places(*seed_like)
    (refusal,) = by_type(incidents, "customs_refusal")
    assert refusal.place.name == "Sanhe"  # not the Tumen river
    assert "Chinese customs post" in refusal.actors
    assert refusal.excerpt.startswith("“But the Chinese customs post at Sanhe")


def test_storage_at_hoeryong_mid_september(seed_like):
    (storage,) = by_type(incidents_from_places(*seed_like), "storage")
    assert storage.place.name == "Hoeryong"
    assert (storage.date.start, storage.date.end) == (date(2017, 9, 11), date(2017, 9, 20))
    assert storage.date.precision == "range"
    assert "800 Trading Company" in storage.actors
    assert storage.quantities == []  # "ten days" is a duration, not a quantity


def test_two_dates_make_two_smuggling_incidents_at_the_crossing_point(seed_like):
    smuggling = by_type(incidents_from_places(*seed_like), "smuggling_crossing")
    smuggling.sort(key=lambda i: i.date.start)
    assert [i.date.start for i in smuggling] == [date(2017, 9, 28), date(2017, 10, 2)]
    assert {i.place.name for i in smuggling} == {"Inge-ri"}  # not China, not Hoeryong
    sept, octo = smuggling
    assert "five 15-ton trucks" in sept.quantities  # merged from the same-date sentence
    assert "six trucks" in octo.quantities  # "A second delivery" inherits Inge-ri


def test_trade_order_not_located_at_the_source(seed_like):
    incidents = incidents_from_places(*seed_like)
    (order,) = by_type(incidents, "trade_order")
    assert order.place.name == "Longjing"
    assert order.actors == ["800 Trading Company"]
    assert all(i.place is None or i.place.name != "North Hamgyong" for i in incidents)


def test_ids_text_order_and_verbatim_excerpts(seed_like):
    article, places = seed_like
    incidents = incidents_from_places(article, places)
    assert [i.id for i in incidents] == [f"t1-i{n:03d}" for n in range(1, len(incidents) + 1)]
    assert [i.sentence for i in incidents] == sorted(i.sentence for i in incidents)
    for inc in incidents:
        assert inc.excerpt in article.text
        assert 0 <= inc.confidence <= 1
        assert inc.article_id == "t1"


def test_caption_is_never_an_incident():
    article = make_article(
        ["The weather was cold."], caption="Soldiers seized smuggled goods at Hyesan on May 3."
    )
    assert incidents_from_places(article, make_places(article, "Hyesan")) == []


def test_year_unknown_dates_still_split_the_event():
    article = make_article([SEED_LIKE[4]], published=None)
    incidents = incidents_from_places(article, make_places(article, "China", "Inge-ri", "Hoeryong"))
    assert [i.date.text for i in incidents] == ["Sept. 28", "Oct. 2"]
    assert (
        incidents[0].summary == "Smuggling / illegal crossing at Inge-ri (Sept. 28, year unknown)"
    )


# ---------------------------------------------------------------------------- new sentences


def test_source_location_is_only_a_fallback_for_the_event_place():
    article = make_article(
        [
            "Guards arrested two smugglers in Changbai on May 3, 2018, a source in Hyesan said.",
            "A source in Hyesan said a dealer was arrested on May 9, 2018.",
            "Police arrested a broker in Hyesan on May 12, 2018.",
        ]
    )
    named, reported, direct = incidents_from_places(
        article, make_places(article, "Changbai", "Hyesan")
    )
    assert named.place.name == "Changbai"  # the event's own place beats the source's
    assert reported.place.name == "Hyesan"  # nothing else says where: the source's town
    assert reported.confidence < direct.confidence


def test_anaphoric_sentence_inherits_place_and_gets_context():
    article = make_article(
        [
            "Smugglers moved copper across the Yalu near Hyesan on May 3, 2018.",
            "A second shipment was made on May 9, 2018.",
        ]
    )
    first, second = incidents_from_places(article, make_places(article, "Yalu", "Hyesan"))
    assert first.type == "smuggling_crossing" and first.place.name == "Hyesan"
    assert second.place.name == "Hyesan"
    assert second.date.start == date(2018, 5, 9)
    assert second.excerpt.startswith("Smugglers moved copper")  # previous sentence prepended
    assert second.confidence < first.confidence


def test_province_fallback_with_actors_and_quantities():
    article = make_article(
        ["Authorities arrested 12 smugglers in North Hamgyong province on June 1, 2018."]
    )
    (inc,) = incidents_from_places(article, make_places(article, "North Hamgyong"))
    assert inc.type == "arrest"
    assert inc.place.name == "North Hamgyong"
    assert inc.quantities == ["12 smugglers"]
    assert "Authorities" in inc.actors


def test_seizure_at_nampo_with_tons():
    article = make_article(
        ["Chinese customs seized a shipment of 10 tons of coal at Nampo port on April 4, 2018."]
    )
    (inc,) = incidents_from_places(article, make_places(article, "Nampo"))
    assert inc.type == "seizure"
    assert inc.place.name == "Nampo"
    assert inc.quantities == ["10 tons of coal"]
    assert inc.actors == ["Chinese customs"]
    assert inc.date.start == date(2018, 4, 4)


def test_bridge_crossing_located_at_the_bridge_not_the_ends():
    article = make_article(
        [
            "Trucks loaded with coal crossed the Friendship Bridge from Sinuiju to Dandong on "
            "March 3, 2018."
        ]
    )
    (inc,) = incidents_from_places(
        article, make_places(article, "Sinuiju", "Dandong", "Friendship Bridge")
    )
    assert inc.type == "transport"
    assert inc.place.name == "Friendship Bridge"


def test_duplicate_reports_of_one_event_are_one_incident():
    article = make_article(
        [
            "Border guards seized a boat near Hyesan on May 3, 2018.",
            "The weather was cold.",
            "Witnesses said 20 soldiers seized the boat at Hyesan on May 3, 2018.",
        ]
    )
    (inc,) = incidents_from_places(article, make_places(article, "Hyesan"))
    assert inc.type == "seizure"
    assert "20 soldiers" in inc.quantities  # the more informative report is kept
    assert inc.sentence == 2


def test_subordinate_clause_does_not_set_type_or_date():
    article = make_article(
        [
            "North Korea is secretly running 12 sewing factories in Sinuiju, a city that was "
            "closed to tourists last year, sources in China told RFA."
        ]
    )
    (inc,) = incidents_from_places(article, make_places(article, "Sinuiju", "China"))
    assert inc.type == "covert_production"
    assert inc.place.name == "Sinuiju"
    assert inc.date.precision == "unknown"
    assert inc.quantities == ["12 sewing factories"]


def test_unplaced_dated_incident_is_kept():
    article = make_article(
        ["In December, seized cookware was seen on sale in Chinese cities near the border."]
    )
    (inc,) = incidents_from_places(article, [])
    assert inc.type == "sale_of_seized_goods"
    assert inc.place is None
    assert inc.summary == "Sale of seized goods place unknown (2016-12)"


def test_rejects_non_article():
    with pytest.raises(TypeError, match="'article'"):
        incidents_from_places("text", [])


# ---------------------------------------------------------------------------- actors, quantities


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The 800 Trading Company paid North Korean border guards.",
            ["800 Trading Company", "North Korean border guards"],
        ),
        ("Agents of the Ministry of State Security detained them.", ["Ministry of State Security"]),
        ("This shows North Korea’s Central Committee is involved.", ["Central Committee"]),
        ("They were given textiles by the Chinese firm.", ["Chinese firm"]),
        ("The source told RFA’s Korean Service.", []),
    ],
)
def test_actors(text, expected):
    assert actors_from_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("used five 15-ton trucks to move the goods", ["five 15-ton trucks"]),
        ("running 19 clothing factories in Kaesong", ["19 clothing factories"]),
        ("a deal worth $2 million was signed", ["$2 million"]),
        ("200 workers were sent to Russia", ["200 workers"]),
        ("on Sept. 28 and Oct. 2, through the town", []),
        ("from 1:00 a.m. to 3:00 a.m. for ten days in 2016", []),
        ("The 800 Trading Company", []),
        ("confiscated more than 300 smartphones last week", ["more than 300 smartphones"]),
        ("on two separate dates, Sept. 28", []),
        ("Five North Koreans waded across", ["Five North Koreans"]),
    ],
)
def test_quantities(text, expected):
    assert quantities_from_text(text) == expected


# ---------------------------------------------------------------------------- clauses, references


def test_two_events_joined_by_but_are_two_incidents():
    article = make_article(
        [
            "Trucks loaded with coal crossed the Friendship Bridge from Sinuiju on March 3, 2018, "
            "but a second convoy was turned back by Chinese customs on March 9, 2018."
        ]
    )
    first, second = incidents_from_places(
        article, make_places(article, "Sinuiju", "Friendship Bridge")
    )
    assert (first.type, first.date.start) == ("transport", date(2018, 3, 3))
    assert (second.type, second.date.start) == ("customs_refusal", date(2018, 3, 9))
    assert second.place.name == "Friendship Bridge"  # the second clause names no place


def test_the_bridge_refers_to_the_crossing_named_before():
    article = make_article(
        [
            "Traffic on the Friendship Bridge has been light since May, a source in Sinuiju said.",
            "On March 14, 2018, border guards stopped a convoy of 20 trucks at the Korean end of "
            "the bridge.",
        ]
    )
    incidents = incidents_from_places(article, make_places(article, "Sinuiju", "Friendship Bridge"))
    (stop,) = [i for i in incidents if i.date.start == date(2018, 3, 14)]
    assert stop.type == "border_security"
    assert stop.place.name == "Friendship Bridge"
    assert "20 trucks" in stop.quantities


def test_reporting_segment_does_not_hide_the_event_place():
    article = make_article(
        [
            "Chinese police arrested two brokers, along with four defectors, in an apartment in "
            "Dandong on June 14, 2018, the source said.",
            "Smuggling has resumed, a trader in Dandong, the city across the river, told RFA.",
        ]
    )
    incidents = incidents_from_places(article, make_places(article, "Dandong"))
    assert [(i.type, i.place and i.place.name) for i in incidents] == [("arrest", "Dandong")]


def test_crossing_from_a_town_is_located_at_the_town():
    article = make_article(
        [
            "Four North Koreans who crossed the Tumen river from Namyang on the night of June 9, "
            "2018 were arrested five days later in Tumen, a source in China said."
        ]
    )
    incidents = incidents_from_places(
        article, make_places(article, "Tumen river", "Namyang", "Tumen", "China")
    )
    assert incidents[0].type == "defection"
    assert incidents[0].place.name == "Namyang"
    assert incidents[0].date.start == date(2018, 6, 9)


def test_anaphoric_sentence_without_date_takes_the_previous_date():
    article = make_article(
        [
            "Smugglers moved copper across the Yalu near Hyesan on May 3, 2018.",
            "They were arrested by border guards.",
        ]
    )
    first, second = incidents_from_places(article, make_places(article, "Yalu", "Hyesan"))
    assert (second.type, second.place.name) == ("arrest", "Hyesan")
    assert second.date.start == date(2018, 5, 3)


def test_the_warehouse_refers_to_the_previous_incident_place():
    article = make_article(
        [
            "The fuel was stored in a warehouse in Hyesan for a week, the source said.",
            "On March 12, 2023, State Security agents raided the warehouse and seized 15 barrels.",
            "Chinese police detained two Chinese drivers in Changbai on March 14, 2023.",
        ]
    )
    storage, seizure, arrest = incidents_from_places(
        article, make_places(article, "Hyesan", "Changbai")
    )
    assert storage.type == "storage"
    assert (seizure.type, seizure.place.name) == ("seizure", "Hyesan")
    assert "State Security agents" in seizure.actors
    assert seizure.quantities == ["15 barrels"]
    assert arrest.quantities == ["two Chinese drivers"]


def test_dateline_and_reporting_dates_are_not_event_dates():
    article = make_article(
        [
            "SEOUL, Sept. 8 (Yonhap) -- A source told Yonhap on Tuesday that guards arrested "
            "three smugglers in Hyesan on Aug. 29.",
        ],
        published=date(2017, 9, 8),
    )
    (arrest,) = incidents_from_places(article, make_places(article, "Hyesan"))
    assert (arrest.type, arrest.date.start) == ("arrest", date(2017, 8, 29))


def test_a_following_sentence_without_place_or_date_continues_the_event():
    article = make_article(
        [
            "Border guards arrested three smugglers in Hyesan on Aug. 29.",
            "About 200 handsets were confiscated on the spot.",
        ]
    )
    incidents = incidents_from_places(article, make_places(article, "Hyesan"))
    seizure = next(i for i in incidents if i.type == "seizure")
    assert (seizure.place.name, seizure.date.start) == ("Hyesan", date(2017, 8, 29))


def test_that_morning_and_the_next_day_take_the_previous_events_date():
    article = make_article(
        [
            "Border guards arrested three smugglers in Hyesan on Aug. 29.",
            "The riverside road in Hyesan was closed that morning.",
            "The market in Hyesan was closed the next day.",
        ]
    )
    closures = [
        i
        for i in incidents_from_places(article, make_places(article, "Hyesan"))
        if i.type == "closure"
    ]
    assert sorted(i.date.start for i in closures) == [date(2017, 8, 29), date(2017, 8, 30)]


def test_place_datelines_and_days_later_and_since_dates():
    article = make_article(
        [
            "HYESAN — Border guards arrested three smugglers in Changbai on Aug. 29.",
            "Four days later the market in Hyesan was closed.",
            "Customs officers in Hyesan have refused to process goods since late September.",
        ]
    )
    incidents = incidents_from_places(article, make_places(article, "Hyesan", "Changbai"))
    arrest = next(i for i in incidents if i.type == "arrest")
    assert arrest.place.name == "Changbai"  # not the dateline's Hyesan
    closure = next(i for i in incidents if i.type == "closure")
    assert closure.date.start == date(2017, 9, 2)
    refusal = next(i for i in incidents if i.type == "customs_refusal")
    assert (refusal.date.start, refusal.date.end) == (date(2017, 9, 21), date(2017, 9, 30))


def test_undated_event_takes_the_date_that_opens_the_next_sentence():
    article = make_article(
        [
            "A source said that the security bureau in Hyesan has arrested three traders.",
            "“On Aug. 18 they took a woman who sells noodles at the market.”",
        ]
    )
    (arrest,) = incidents_from_places(article, make_places(article, "Hyesan"))
    assert arrest.date.start == date(2017, 8, 18)


def test_noun_phrase_of_a_place_takes_the_preposition_before_it():
    article = make_article(
        [
            "A soldier crossed the Military Demarcation Line at the truce village of Panmunjom "
            "on 14 November 2023 and was taken to Paju."
        ]
    )
    (inc,) = incidents_from_places(article, make_places(article, "Panmunjom", "Paju"))
    assert (inc.type, inc.place.name) == ("defection", "Panmunjom")


def test_facility_named_after_a_town_locates_the_event_there():
    article = make_article(
        ["Russian border guards closed the Khasan checkpoint from July 21 to July 24, 2025."]
    )
    (inc,) = incidents_from_places(article, make_places(article, "Khasan"))
    assert (inc.type, inc.place.name) == ("closure", "Khasan")
    assert (inc.date.start, inc.date.end) == (date(2025, 7, 21), date(2025, 7, 24))


def test_where_clause_is_located_at_the_place_before_it():
    article = make_article(
        [
            "The trucks returned from Dandong to Sinuiju, where the garments were stored in a "
            "state warehouse in mid-March 2025."
        ]
    )
    (inc,) = incidents_from_places(article, make_places(article, "Dandong", "Sinuiju"))
    assert (inc.type, inc.place.name) == ("storage", "Sinuiju")


def test_date_after_a_reported_event_is_the_event_date():
    article = make_article(["A source in Kapsan said a local dealer was arrested on May 9, 2018."])
    (inc,) = incidents_from_places(article, make_places(article, "Kapsan"))
    assert inc.date.start == date(2018, 5, 9)


def test_coordinated_clause_with_its_own_event_is_a_second_incident():
    article = make_article(
        [
            "Smugglers carried copper across the Yalu near Hyesan on October 17, 2024, and police "
            "arrested three of them in Hyesan a week later."
        ]
    )
    crossing, arrest = incidents_from_places(article, make_places(article, "Yalu", "Hyesan"))
    assert (crossing.type, crossing.date.start) == ("smuggling_crossing", date(2024, 10, 17))
    assert (arrest.type, arrest.date.start) == ("arrest", date(2024, 10, 24))


@pytest.mark.parametrize(
    ("since", "when", "start"),
    [("after", "on April 3, 2025", date(2025, 4, 3)), ("since", "in 2017", date(2017, 1, 1))],
)
def test_dated_event_in_an_after_clause_is_an_incident_of_its_own(since, when, start):
    article = make_article(
        [
            f"Smugglers are ferrying antibiotics to Hyesan {since} customs officers stopped "
            f"accepting medicine at the Friendship Bridge {when}."
        ]
    )
    incidents = incidents_from_places(article, make_places(article, "Hyesan", "Friendship Bridge"))
    refusal = [i for i in incidents if i.type == "customs_refusal"]
    assert [(i.place.name, i.date.start) for i in refusal] == [("Friendship Bridge", start)]


def test_same_night_takes_the_date_of_the_previous_event():
    article = make_article(
        [
            "Guards arrested two smugglers in Hyesan on March 9, 2025.",
            "Their goods were confiscated that same night.",
        ]
    )
    _, seizure = incidents_from_places(article, make_places(article, "Hyesan"))
    assert (seizure.type, seizure.date.start) == ("seizure", date(2025, 3, 9))


def test_source_town_locates_an_undated_event_only_when_the_next_sentence_dates_it():
    article = make_article(
        [
            "A partner in Hoeryong said the security bureau has detained five people.",
            "On November 18, 2024, they took a woman from the market.",
            "A trader in Hoeryong said smuggling has increased.",
        ]
    )
    (inc,) = incidents_from_places(article, make_places(article, "Hoeryong"))
    assert (inc.type, inc.place.name, inc.date.start) == ("arrest", "Hoeryong", date(2024, 11, 18))


def test_relative_day_counts_from_the_last_day_told_even_without_an_event():
    article = make_article(
        [
            "Police arrested a courier in Hyesan on March 2, 2025.",
            "A train reached Khasan on October 12, 2025.",
            "Officials were not available.",
            "Its cargo was seized in Khasan that morning.",
        ]
    )
    incidents = incidents_from_places(article, make_places(article, "Hyesan", "Khasan"))
    seizure = next(i for i in incidents if i.type == "seizure")
    assert seizure.date.start == date(2025, 10, 12)


def test_what_documents_show_is_the_event_with_its_date():
    article = make_article(
        [
            "Company records show that in February 2023 a firm in Tonghua placed an order "
            "for 18,000 jackets."
        ]
    )
    (inc,) = incidents_from_places(article, make_places(article, "Tonghua"))
    assert (inc.type, inc.date.start, inc.date.precision) == (
        "trade_order",
        date(2023, 2, 1),
        "month",
    )


def test_fled_names_the_place_the_crossing_began():
    article = make_article(
        ["A woman fled Hyesan across the river on October 26, 2024 and reached Changbai."]
    )
    (inc,) = incidents_from_places(article, make_places(article, "Hyesan", "Changbai"))
    assert (inc.type, inc.place.name) == ("defection", "Hyesan")


def test_the_factory_is_where_the_article_named_the_factory():
    article = make_article(
        [
            "A firm in Tonghua placed an order with a factory in Hyesan in February 2023.",
            "Trucks crossed the Friendship Bridge on 3 May 2023.",
            "The factory sewed the jackets between April and June 2023.",
        ]
    )
    places = make_places(article, "Tonghua", "Hyesan", "Friendship Bridge")
    sewing = next(i for i in incidents_from_places(article, places) if "sewed" in i.excerpt)
    assert (sewing.type, sewing.place.name) == ("covert_production", "Hyesan")


def test_police_picking_her_up_in_the_restaurant_arrested_her_where_the_restaurant_is():
    article = make_article(
        ["Within a week she was working in a restaurant kitchen in Yanji.",
         "Her luck ran out in 2021.",
         "Police checking residence permits picked her up in the restaurant."]
    )  # fmt: skip
    incidents = incidents_from_places(article, make_places(article, "Yanji"))
    assert [(i.type, i.place.name, i.date.start) for i in incidents] == [
        ("arrest", "Yanji", date(2021, 1, 1))]  # fmt: skip


def test_where_officials_spoke_is_not_where_it_happened():
    article = make_article(
        [
            "A soldier defected on Oct. 22, 2024, a JCS official told reporters in Sinuiju.",
        ]
    )
    incidents = incidents_from_places(article, make_places(article, "Sinuiju"))
    assert [i.place for i in incidents] == [None]


def test_second_reported_statement_after_and_that_is_reported_too():
    article = make_article(
        [
            "A source in Kapsan said the copper came from a mine in the county and that a "
            "dealer was arrested in mid-February 2025."
        ]
    )
    (inc,) = incidents_from_places(article, make_places(article, "Kapsan"))
    assert (inc.type, inc.place.name, inc.date.start) == ("arrest", "Kapsan", date(2025, 2, 11))


def test_subject_after_an_opening_phrase_can_be_the_place():
    article = make_article(
        ["In the first quarter of 2024, Hunchun dispatched 1,460 containers of seafood by truck."]
    )
    (inc,) = incidents_from_places(article, make_places(article, "Hunchun"))
    assert (inc.type, inc.place.name, inc.date.end) == ("transport", "Hunchun", date(2024, 3, 31))


def test_event_told_only_in_a_relative_clause_is_found():
    article = make_article(
        [
            "Hunchun customs recorded no imports during the period in which the Friendship "
            "Bridge was closed for repairs, from Dec. 4 to Dec. 18, 2023, the data show."
        ]
    )
    (inc,) = incidents_from_places(article, make_places(article, "Hunchun", "Friendship Bridge"))
    assert (inc.type, inc.place.name, inc.date.start) == (
        "closure",
        "Friendship Bridge",
        date(2023, 12, 4),
    )


def test_origin_beats_destination_and_waypoints():
    article = make_article(
        [
            "The goods had been brought by truck from Sinuiju to Hyesan in early February 2026, "
            "passing through Dandong, an official said."
        ]
    )
    (inc,) = incidents_from_places(article, make_places(article, "Sinuiju", "Hyesan", "Dandong"))
    assert (inc.type, inc.place.name) == ("transport", "Sinuiju")


def test_town_just_above_which_it_happened():
    article = make_article(
        [
            "He points to a bend in the Tumen river just above Namyang where a woman waded "
            "across during the second week of June 2019."
        ]
    )
    (inc,) = incidents_from_places(article, make_places(article, "Tumen river", "Namyang"))
    assert (inc.type, inc.place.name, inc.date.start) == ("defection", "Namyang", date(2019, 6, 8))


def test_the_firm_that_orders_is_where_the_order_is_placed():
    article = make_article(
        [
            "A trading firm in Tonghua ordered two tons of wigs from a factory in Sinuiju in "
            "September 2021, a trader said."
        ]
    )
    (inc,) = incidents_from_places(article, make_places(article, "Tonghua", "Sinuiju"))
    assert (inc.type, inc.place.name) == ("trade_order", "Tonghua")


def test_the_port_is_the_port_named_before():
    article = make_article(
        [
            "The Quanhe (圈河) port in Hunchun resumed clearance on April 8, 2024.",
            "Passenger clearance at the port was suspended on January 25, 2024.",
        ]
    )
    places = make_places(article, "Quanhe", "Hunchun")
    closure = next(i for i in incidents_from_places(article, places) if i.type == "closure")
    assert closure.place.name == "Quanhe"


def test_a_second_move_told_with_two_days_later_is_its_own_incident():
    article = make_article(
        [
            "A freight train left Tumen for Namyang on March 11, 2026 and continued to Hyesan "
            "two days later."
        ]
    )
    first, second = incidents_from_places(
        article, make_places(article, "Tumen", "Namyang", "Hyesan")
    )
    assert (first.place.name, first.date.start) == ("Tumen", date(2026, 3, 11))
    assert (second.place.name, second.date.start) == ("Hyesan", date(2026, 3, 13))


def test_relative_clause_ends_where_the_main_verb_begins():
    article = make_article(
        [
            "A shipment of flour that was due to come over the Friendship Bridge was refused by "
            "customs in October 2023."
        ]
    )
    (inc,) = incidents_from_places(article, make_places(article, "Friendship Bridge"))
    assert (inc.type, inc.date.start) == ("customs_refusal", date(2023, 10, 1))


def test_a_shipment_bound_for_a_town_is_stopped_there():
    article = make_article(
        ["A shipment of rice bound for Rason was halted on Nov. 21, 2019, a notice said."]
    )
    (inc,) = incidents_from_places(article, make_places(article, "Rason"))
    assert (inc.type, inc.place.name) == ("customs_refusal", "Rason")


def test_town_placed_by_a_distance_from_another_is_where_it_happened():
    article = make_article(
        ["In Hyesan, a city downstream of Changbai, police arrested five people on Dec. 1, 2017."]
    )
    (inc,) = incidents_from_places(article, make_places(article, "Hyesan", "Changbai"))
    assert inc.place.name == "Hyesan"


def test_relative_day_applies_when_the_only_other_date_is_vague():
    article = make_article(
        [
            "Customs at Namyang refused a consignment on Nov. 28, 2017.",
            "Two days later the wagons were stored in a warehouse in Tumen until this week.",
        ]
    )
    places = make_places(article, "Namyang", "Tumen")
    storage = next(i for i in incidents_from_places(article, places) if i.type == "storage")
    assert storage.date.start == date(2017, 11, 30)


def test_destination_site_near_a_town_is_not_where_a_shipment_happened():
    article = make_article(
        ["Between May 2 and 9, 2024, freighters carried coal from Nampo to a wharf near Dalian."]
    )
    (inc,) = incidents_from_places(article, make_places(article, "Nampo", "Dalian"))
    assert inc.place.name == "Nampo"


def test_the_city_and_there_point_to_the_town_named_before():
    article = make_article(
        [
            "Trade through Hyesan has collapsed, traders said.",
            "In 2019, soldiers built a second line of fencing along the riverbank below the city.",
        ]
    )
    incidents = incidents_from_places(article, make_places(article, "Hyesan"))
    fence = next(i for i in incidents if i.type == "border_security")
    assert (fence.place.name, fence.date.precision) == ("Hyesan", "year")


def test_a_timeline_bullet_opens_like_a_sentence():
    article = make_article(["- In January 2020, North Korea sealed its border with China."])
    (inc,) = incidents_from_places(article, make_places(article, "North Korea", "China"))
    assert (inc.type, inc.place.name) == ("closure", "North Korea")


def test_a_country_that_seals_its_borders_is_the_place_of_the_closure():
    article = make_article(
        ["* North Korea sealed its borders in January 2020, and trucks no longer crossed "
         "from Dandong."]
    )  # fmt: skip
    (inc,) = incidents_from_places(article, make_places(article, "North Korea", "Dandong"))
    assert (inc.type, inc.place.name) == ("closure", "North Korea")


def test_a_berth_of_a_port_is_at_the_port():
    article = make_article(
        ["On 7 August 2025 customs in Dalian refused entry to a ship from Nampo.",
         "Berth 3 of Rajin port, used for coal, has been closed for dredging since mid-July 2025."]
    )  # fmt: skip
    places = make_places(article, "Nampo", "Dalian", "Rajin port")
    closure = next(i for i in incidents_from_places(article, places) if i.type == "closure")
    assert closure.place.name == "Rajin port"


def test_the_town_is_the_town_named_after_the_previous_incident():
    article = make_article(
        ["On 18 July 2024 guards near Onsong fired on a raft.",
         "Near Kaishantun, residents were more talkative.",
         "Since mid-April 2024 police have banned photography outside the town."]
    )  # fmt: skip
    incidents = incidents_from_places(article, make_places(article, "Onsong", "Kaishantun"))
    ban = next(i for i in incidents if i.date.start == date(2024, 4, 11))
    assert ban.place.name == "Kaishantun"


def test_a_chronology_entry_s_heading_dates_every_clause():
    article = make_article(
        ["From late June to mid-July 2018 — Rain fell for weeks; customs suspends its work "
         "and the crossing at Manpo closes."]
    )  # fmt: skip
    (inc,) = incidents_from_places(article, make_places(article, "Manpo"))
    assert (inc.type, inc.place.name) == ("closure", "Manpo")
    assert (inc.date.start, inc.date.end) == (date(2018, 6, 21), date(2018, 7, 20))


def test_this_border_city_is_the_dateline_city_and_an_intermediary_is_not_the_place():
    article = make_article(
        [
            "DANDONG, China -- Wholesalers in this border city say customs officers began "
            "reopening consignments at random in early March 2025.",
            "A manager at a processor in Dalian said her company placed an order in January 2025 "
            "through an intermediary in Hyesan.",
        ]
    )
    incidents = incidents_from_places(article, make_places(article, "Dandong", "Dalian", "Hyesan"))
    order = next(i for i in incidents if i.type == "trade_order")
    assert order.place.name == "Dalian"


def test_captions_in_the_present_tense_and_first_person_accounts_are_events():
    article = make_article(
        [
            "PHOTO 1: A locomotive hauls 14 wagons across the Friendship Bridge toward Sinuiju "
            "on June 12, 2023.",
            "In January 2019 I crossed the river near Hyesan for the last time.",
        ]
    )
    places = make_places(article, "Friendship Bridge", "Sinuiju", "Hyesan")
    kinds = {(i.type, i.place.name) for i in incidents_from_places(article, places)}
    assert ("transport", "Friendship Bridge") in kinds
    assert ("defection", "Hyesan") in kinds


def test_the_province_points_to_the_province_named_before():
    article = make_article(
        [
            "Police in Hyesan, North Hamgyong, said trade was slow.",
            "Since early August 2022, units across the province have carried out inspections "
            "of households.",
        ]
    )
    places = make_places(article, "Hyesan", "North Hamgyong")
    (inc,) = [i for i in incidents_from_places(article, places) if i.type == "border_security"]
    assert inc.place.name == "North Hamgyong"
