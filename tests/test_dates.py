from __future__ import annotations

import doctest
from datetime import date, datetime

import pytest

import geo.dates
from geo.dates import dates_from_text

REF = date(2017, 10, 10)


def _one(text: str, reference: date | None = REF, **kw: bool):
    spans = dates_from_text(text, reference=reference, **kw)
    assert len(spans) == 1, spans
    return spans[0]


@pytest.mark.parametrize(
    ("text", "expr", "start", "end", "precision", "inferred"),
    [
        ("on Sept. 28 they moved", "Sept. 28", "2017-09-28", "2017-09-28", "day", True),
        ("on September 28 they moved", "September 28", "2017-09-28", "2017-09-28", "day", True),
        ("on 28 September they moved", "28 September", "2017-09-28", "2017-09-28", "day", True),
        ("on Sept. 28, 2015, they", "Sept. 28, 2015", "2015-09-28", "2015-09-28", "day", False),
        ("on 3rd of March 2014", "3rd of March 2014", "2014-03-03", "2014-03-03", "day", False),
        ("dated 2024-09-28 in", "2024-09-28", "2024-09-28", "2024-09-28", "day", False),
        ("from 1:00 a.m. to 3:00 a.m. on Sept. 28", "Sept. 28", "2017-09-28", "2017-09-28",
         "day", True),
        ("in the early morning hours of Oct. 2", "Oct. 2", "2017-10-02", "2017-10-02", "day",
         True),
        ("for ten days in mid-September", "mid-September", "2017-09-11", "2017-09-20", "range",
         True),
        ("in early September", "early September", "2017-09-01", "2017-09-10", "range", True),
        ("in late September", "late September", "2017-09-21", "2017-09-30", "range", True),
        ("in late February 2016", "late February 2016", "2016-02-21", "2016-02-29", "range",
         False),
        ("between Sept. 3 and 9", "Sept. 3 and 9", "2017-09-03", "2017-09-09", "range", True),
        ("on Sept. 3-9", "Sept. 3-9", "2017-09-03", "2017-09-09", "range", True),
        ("from Sept. 28 to Oct. 2", "Sept. 28 to Oct. 2", "2017-09-28", "2017-10-02", "range",
         True),
        ("closed in February 2016 after", "February 2016", "2016-02-01", "2016-02-29", "month",
         False),
        ("in September 2013 photo", "September 2013", "2013-09-01", "2013-09-30", "month",
         False),
        ("In September, trade fell", "September", "2017-09-01", "2017-09-30", "month", True),
        ("In December, sources said", "December", "2016-12-01", "2016-12-31", "month", True),
        ("was shut in 2016.", "2016", "2016-01-01", "2016-12-31", "year", False),
        ("shuttered last year as", "last year", "2016-01-01", "2016-12-31", "year", True),
        ("earlier this year", "earlier this year", "2017-01-01", "2017-12-31", "year", True),
        ("earlier this month", "earlier this month", "2017-10-01", "2017-10-10", "range", True),
        ("in early 2016", "early 2016", "2016-01-01", "2016-04-30", "range", False),
        ("last month, a source", "last month", "2017-09-01", "2017-09-30", "month", True),
        ("on May 5 police", "May 5", "2017-05-05", "2017-05-05", "day", True),
        ("by mid-May", "mid-May", "2017-05-11", "2017-05-20", "range", True),
        ("In early May, officials", "early May", "2017-05-01", "2017-05-10", "range", True),
        ("piled up throughout May, waiting", "May", "2017-05-01", "2017-05-31", "month", True),
    ],
)  # fmt: skip
def test_date_expressions(text, expr, start, end, precision, inferred):
    span = _one(text)
    assert span.text == expr
    assert text[span.start_char : span.end_char] == expr
    assert (span.start.isoformat(), span.end.isoformat()) == (start, end)
    assert span.precision == precision
    assert span.inferred is inferred


@pytest.mark.parametrize(
    "text",
    [
        "North Korea is secretly running 19 clothing factories",
        "used five 15-ton trucks",
        "called the 800 Trading Company",
        "from 1:00 a.m. to 3:00 a.m.",
        "Officials may visit the site.",
        "They will March to the border.",
        "Prime Minister May said",
        "the plan was criticised by May.",
        "the late May was honoured",
        "May I ask in Mar the",
        "a total of 1,200 tons",
        "about 2,000 workers",
        "the Sept. issue",
        "in the 17th century",
        "troops on the 38th parallel",
        "an office on the 5th floor",
        "delegates of the 7th Party Congress",
    ],
)
def test_numbers_and_words_that_are_not_dates(text):
    assert dates_from_text(text, reference=REF) == []


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("Thu 27/9 — Border guards detained two men.", date(2018, 9, 27)),  # day/month
        ("Thursday 9/27: a train crossed.", date(2018, 9, 27)),  # month/day
        ("Fri 5/10/2018 — Permit refused.", date(2018, 10, 5)),  # 5 October was a Friday
        ("Mon 27/9 — a typo in the notebook.", None),  # 27 September 2018 was a Thursday
        ("Sun 24/7 patrols.", None),
    ],
)
def test_numeric_days_are_read_in_the_order_their_weekday_allows(text, day):
    (span,) = dates_from_text(text, reference=date(2018, 10, 5))
    assert (span.start, span.precision) == (day, "day" if day else "unknown")


def test_a_weekday_before_a_date_is_part_of_it():
    (span,) = dates_from_text("Friday, 4 March 2016.", reference=REF)
    assert (span.start, span.end, span.precision) == (date(2016, 3, 4), date(2016, 3, 4), "day")


def test_two_dates_joined_by_and_are_two_day_spans():
    text = "moved on two separate dates, Sept. 28 and Oct. 2, through Inge-ri"
    spans = dates_from_text(text, reference=REF)
    assert [s.text for s in spans] == ["Sept. 28", "Oct. 2"]
    assert [s.start for s in spans] == [date(2017, 9, 28), date(2017, 10, 2)]
    assert all(s.precision == "day" for s in spans)
    assert [text[s.start_char : s.end_char] for s in spans] == ["Sept. 28", "Oct. 2"]


def test_explicit_year_after_two_days_applies_to_both():
    spans = dates_from_text("on Sept. 28 and Oct. 2, 2015", reference=REF)
    assert [s.start for s in spans] == [date(2015, 9, 28), date(2015, 10, 2)]
    assert not any(s.inferred for s in spans)


@pytest.mark.parametrize(
    ("text", "reference", "expected"),
    [
        ("was caught on Sept. 28", date(2017, 10, 10), date(2017, 9, 28)),  # just before
        ("was caught on Sept. 28", date(2017, 9, 27), date(2017, 9, 28)),  # print-date slack
        ("was caught on Sept. 28", date(2017, 8, 15), date(2016, 9, 28)),  # reported past
        ("will reopen on Sept. 28", date(2017, 8, 15), date(2017, 9, 28)),  # 44 days ahead
        ("will reopen on Sept. 28", date(2017, 3, 1), date(2016, 9, 28)),  # too far ahead
    ],
)
def test_year_less_day_takes_year_from_reference(text, reference, expected):
    assert _one(text, reference).start == expected


def test_guessed_reference_lets_a_day_lie_ahead():
    (span,) = dates_from_text("was caught on Sept. 28", reference=date(2017, 8, 15),
                              reference_inferred=True)  # fmt: skip
    assert span.start == date(2017, 9, 28)


@pytest.mark.parametrize(
    ("reference", "year"),
    [(date(2017, 7, 1), 2016), (date(2017, 12, 20), 2017)],
)
def test_year_less_month_after_reference_month_is_previous_year(reference, year):
    assert _one("In December, sources", reference).start == date(year, 12, 1)


@pytest.mark.parametrize(
    "text", ["on Sept. 28", "in mid-September", "In December", "last year", "Sept. 3-9"]
)
def test_without_reference_year_less_dates_are_unknown_but_kept(text):
    span = _one(text, None)
    assert span.precision == "unknown"
    assert span.start is None and span.end is None
    assert span.text and span.text in text


def test_without_reference_explicit_years_still_resolve():
    spans = dates_from_text("closed in February 2016, reopened on Sept. 28, 2017", reference=None)
    assert [(s.start, s.precision) for s in spans] == [
        (date(2016, 2, 1), "month"),
        (date(2017, 9, 28), "day"),
    ]


@pytest.mark.parametrize(
    "text", ["last week", "recently", "yesterday", "on Friday", "today", "on the 3rd"]
)
@pytest.mark.parametrize("reference", [None, "inferred"])
def test_vague_expressions_are_unknown_without_a_known_publication_date(text, reference):
    kw = {"reference_inferred": True} if reference else {"reference": None}
    span = _one(f"Smugglers were caught {text}, he said.", **kw)
    assert span.precision == "unknown"
    assert span.start is None


@pytest.mark.parametrize(
    ("text", "start", "end", "precision"),
    [
        ("yesterday", date(2017, 10, 9), date(2017, 10, 9), "day"),
        ("on Friday", date(2017, 10, 6), date(2017, 10, 6), "day"),  # REF is a Tuesday
        ("last week", date(2017, 10, 2), date(2017, 10, 8), "range"),
        ("recently", None, None, "unknown"),
        ("today", date(2017, 10, 10), date(2017, 10, 10), "day"),
        ("this morning", date(2017, 10, 10), date(2017, 10, 10), "day"),
        ("on the 3rd", date(2017, 10, 3), date(2017, 10, 3), "day"),
        ("on the night of the 28th", date(2017, 9, 28), date(2017, 9, 28), "day"),  # after REF
    ],
)
def test_vague_expressions_count_back_from_a_known_publication_date(text, start, end, precision):
    span = _one(f"Smugglers were caught {text}, he said.")
    assert (span.start, span.end, span.precision) == (start, end, precision)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("crossed late last month", date(2017, 9, 21), date(2017, 9, 30)),
        ("between March 14 and May 2", date(2017, 3, 14), date(2017, 5, 2)),
        ("from mid-July to early August", date(2017, 7, 11), date(2017, 8, 10)),
        ("in the second week of June", date(2017, 6, 8), date(2017, 6, 14)),
        ("during the last week of June 2016", date(2016, 6, 24), date(2016, 6, 30)),
    ],
)
def test_ranges_parts_of_months_and_weeks(text, start, end):
    span = _one(text)
    assert (span.start, span.end, span.precision) == (start, end, "range")


def test_two_dates_joined_by_and_stay_two_events():
    assert len(dates_from_text("on Sept. 28 and Oct. 2", reference=REF)) == 2


def test_relative_month_unknown_when_reference_is_a_guess():
    assert _one("last month", date(2017, 7, 1), reference_inferred=True).precision == "unknown"
    last_year = _one("last year", date(2017, 7, 1), reference_inferred=True)
    assert last_year.start == date(2016, 1, 1)


@pytest.mark.parametrize(
    ("text", "inferred_ref", "year"),
    [
        ("in mid-October", False, 2015),  # exact reference: October is after September
        ("in mid-October", True, 2016),  # guessed lower bound: within 61 days
        ("In December", True, 2015),  # far beyond the guess: previous December
    ],
)
def test_month_year_rule_depends_on_reference_kind(text, inferred_ref, year):
    span = _one(text, date(2016, 9, 30), reference_inferred=inferred_ref)
    assert span.start.year == year


def test_offsets_index_the_given_text_in_order():
    text = (
        "After holding their goods in storage at Hoeryong for ten days in mid-September, "
        "they moved on Sept. 28; a second delivery came on Oct. 2."
    )
    spans = dates_from_text(text, reference=REF)
    assert [s.text for s in spans] == ["mid-September", "Sept. 28", "Oct. 2"]
    assert [s.start_char for s in spans] == sorted(s.start_char for s in spans)
    for s in spans:
        assert text[s.start_char : s.end_char] == s.text


def test_datetime_reference_is_accepted():
    assert _one("on Sept. 28", datetime(2017, 10, 10, 12, 0)).start == date(2017, 9, 28)


def test_invalid_calendar_dates_are_not_dates():
    assert dates_from_text("on 2017-02-30 and Feb. 30, 2017", reference=REF) == []


@pytest.mark.parametrize("bad", [None, 42, b"Sept. 28"])
def test_text_type_is_checked(bad):
    with pytest.raises(TypeError, match="'text'"):
        dates_from_text(bad, reference=REF)


def test_reference_type_is_checked():
    with pytest.raises(TypeError, match="'reference'"):
        dates_from_text("Sept. 28", reference="2017-10-10")


def test_doctests():
    result = doctest.testmod(geo.dates)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("In the first quarter, exports rose", date(2024, 1, 1), date(2024, 3, 31)),
        ("in the third quarter of 2023", date(2023, 7, 1), date(2023, 9, 30)),
        ("figures for Q4 2022 show", date(2022, 10, 1), date(2022, 12, 31)),
        ("in the spring", date(2024, 3, 1), date(2024, 5, 31)),
        ("since last summer", date(2023, 6, 1), date(2023, 8, 31)),
        ("last winter", date(2023, 12, 1), date(2024, 2, 29)),
        ("during the summer of 2018", date(2018, 6, 1), date(2018, 8, 31)),
    ],
)
def test_quarters_and_seasons_are_ranges(text, start, end):
    (span,) = dates_from_text(text, reference=date(2024, 5, 20))
    assert (span.start, span.end, span.precision) == (start, end, "range")


@pytest.mark.parametrize(
    "text", ["the fall of the regime", "prices fall sharply", "a spring flood"]
)
def test_season_words_that_are_not_dates(text):
    assert dates_from_text(text, reference=date(2024, 5, 20)) == []


def test_year_less_start_of_a_range_takes_the_year_of_its_end():
    (span,) = dates_from_text(
        "from late June to mid-July 2019", reference=date(2020, 7, 1), reference_inferred=True
    )
    assert (span.start, span.end) == (date(2019, 6, 21), date(2019, 7, 20))


def test_a_later_unjoined_month_does_not_move_a_range_to_another_year():
    spans = dates_from_text(
        "moored between May 2 and May 6, next to heaps building up since April.",
        reference=date(2025, 6, 20),
    )
    assert [(s.start, s.end) for s in spans] == [
        (date(2025, 5, 2), date(2025, 5, 6)),
        (date(2025, 4, 1), date(2025, 4, 30)),
    ]


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("over the Lunar New Year holiday", date(2024, 2, 10), date(2024, 2, 17)),
        ("during the 2018 Spring Festival", date(2018, 2, 15), date(2018, 2, 21)),
        ("the Chinese New Year break in 2019", date(2019, 2, 4), date(2019, 2, 10)),
    ],
)
def test_lunar_new_year_is_chinas_official_holiday(text, start, end):
    (span,) = dates_from_text(text, reference=date(2024, 3, 5))
    assert (span.start, span.end, span.precision) == (start, end, "range")


def test_a_new_year_greeting_is_no_date():
    assert dates_from_text("Happy new year to all", reference=date(2024, 3, 5)) == []


def test_a_weekend_of_two_days_is_one_range():
    (span,) = dates_from_text("over the weekend of November 23 and 24", reference=REF)
    assert (span.start, span.end, span.precision) == (
        date(2016, 11, 23), date(2016, 11, 24), "range")  # fmt: skip


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sat in a depot over the National Day holiday", (date(2017, 10, 1), date(2017, 10, 7))),
        ("during Golden Week 2015", (date(2015, 10, 1), date(2015, 10, 7))),
    ],
)  # fmt: skip
def test_china_s_national_day_holiday(text, expected):
    (span,) = dates_from_text(text, reference=REF)
    assert (span.start, span.end) == expected


def test_north_korea_s_national_day_is_not_china_s_holiday():
    assert dates_from_text("the National Day parade in Pyongyang", reference=REF) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("since mid-April last year", (date(2016, 4, 11), date(2016, 4, 20))),
        ("in March this year", (date(2017, 3, 1), date(2017, 3, 31))),
        ("on New Year's Day", (date(2017, 1, 1), date(2017, 1, 1))),
    ],
)
def test_a_month_with_a_relative_year_and_new_year_s_day(text, expected):
    (span,) = dates_from_text(text, reference=REF)
    assert (span.start, span.end) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("between 3 and 11 February", [(date(2017, 2, 3), date(2017, 2, 11))]),
        ("on 3 and 11 February", [(date(2017, 2, 3), date(2017, 2, 3)),
                                  (date(2017, 2, 11), date(2017, 2, 11))]),
        ("in the first days of February", [(date(2017, 2, 1), date(2017, 2, 10))]),
        ("in the middle of May", [(date(2017, 5, 11), date(2017, 5, 20))]),
        ("at the end of May", [(date(2017, 5, 21), date(2017, 5, 31))]),
        ("from late June to mid-July 2018", [(date(2018, 6, 21), date(2018, 7, 20))]),
        ("from mid-July 2015 to early August", [(date(2015, 7, 11), date(2015, 8, 10))]),
        ("from November 2015 to March", [(date(2015, 11, 1), date(2016, 3, 31))]),
        ("at the beginning of March 2019", [(date(2019, 3, 1), date(2019, 3, 10))]),
    ],
)  # fmt: skip
def test_day_month_ranges_and_parts_of_a_month(text, expected):
    assert [(s.start, s.end) for s in dates_from_text(text, reference=REF)] == expected


@pytest.mark.parametrize("text", ["from Feb. 29 to December", "from 29 February 2020 to late 2019"])
def test_a_range_from_february_29_does_not_break_the_parse(text):
    spans = dates_from_text(text, reference=date(2025, 1, 5))
    assert spans and spans[0].start is not None
