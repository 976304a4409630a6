"""Temporal expressions in article text, resolved to spans of days.

A small, explicit grammar (``dateparser`` is too slow and too loose for news text).
:func:`dates_from_text` finds, left to right and without overlaps:

=============================================  ===========  =========================
expression                                     precision    span
=============================================  ===========  =========================
``Sept. 28``, ``September 28, 2017``           day          that day
``28 September``, ``2024-09-28``               day          that day
``Sept. 28 and Oct. 2``                        day, day     two separate spans
``Sept. 3-9``, ``between Sept. 3 and 9``       range        3rd to 9th
``early``/``mid-``/``late September``          range        1–10 / 11–20 / 21–end
``September 2013``, ``in December``            month        the whole month
``in 2016``, ``last year``, ``this year``      year         the whole year
``early 2016``, ``mid-2016``, ``late 2016``    range        Jan–Apr / May–Aug / Sep–Dec
``last month``, ``this month``                 month        relative to the reference
``the first quarter (of 2024)``, ``Q3 2023``  range        that quarter
``in the spring``, ``last winter``            range        Mar–May / Jun–Aug / Sep–Nov / Dec–Feb
``the Lunar New Year holiday``                range        China's official Spring Festival days
``the National Day holiday``, ``Golden Week``  range        October 1-7
``New Year's Day``                            day          January 1
``today``, ``tonight``, ``this morning``       day          the reference day
``on the 19th``, ``the night of the 17th``     day          that day of the reference's month
``recently``, ``last week``, ``on Friday``     unknown      start and end None
=============================================  ===========  =========================

Rules
-----
- Month names are matched case-sensitively (``March`` the month, not ``march``).
  A month name standing alone needs a preposition before it (``in``, ``since``,
  ``during``, ``until``, ``by``, ``of``, ...), so ``March to the border`` is not a
  date. ``May`` (also a modal verb and a surname) needs a day number or a year next
  to it, ``mid-``/``early``/``late``, or ``in``/``during``/``throughout``/``since``/
  ``until`` before it (not ``by May``, which may be a person).
- Numbers that are not dates are left alone: ``19 clothing factories``,
  ``15-ton``, ``800 Trading Company``, ``1:00 a.m.``.
- Year missing: the year comes from ``reference`` (the article's date) and the span
  is marked ``inferred=True``. A day (or day range) after the reference date, or a
  month later than the reference month, is taken from the previous year (news reports
  the past) — unless the sentence speaks of the future ("will", "scheduled", "plans"
  …), which lets a day lie up to 61 days ahead. With ``reference_inferred=True`` the
  reference is a lower bound guessed by :mod:`geo.articles` (mid-year, or the end of
  the latest explicitly dated period of the text), so months and parts of months get
  the same 61-day allowance as days ("September 2016 ... mid-October" stays in 2016,
  while "In December" against a July 1 guess is the previous December).
- Relative years (``last year``, ``this year``, ``next year``) are resolved against
  ``reference`` and marked inferred, because the year comes from the article date.
  Relative months (``last month``) are resolved only when the reference is an
  actual publication date; with ``reference_inferred=True`` (a mid-year guess made
  by :mod:`geo.articles`) they are ``unknown``.
- ``today``, ``yesterday``, ``on Friday`` and ``on the 19th`` count from a known
  publication date only (an inferred one leaves them ``unknown``); ``on the 19th`` is the
  19th of the reference's month, or of the month before when that lies ahead. A weekday
  written before a date is part of it (``Friday, 4 March 2016``).
- No reference and no year in the text: there is no date object for "Sept. 28 of
  an unknown year", so the span has precision ``"unknown"``, ``start``/``end``
  ``None`` and keeps its ``text``; later stages can still show the words.
"""

from __future__ import annotations

import bisect
import calendar
import logging
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from itertools import zip_longest

from geo.models import DateSpan

__all__ = ["MONTHS", "dates_from_text", "span_in_year"]

logger = logging.getLogger(__name__)

#: Month number by every spelling the grammar accepts (full names and abbreviations).
MONTHS: dict[str, int] = {
    "January": 1,
    "February": 2,
    "March": 3,
    "April": 4,
    "May": 5,
    "June": 6,
    "July": 7,
    "August": 8,
    "September": 9,
    "October": 10,
    "November": 11,
    "December": 12,
    "Jan": 1,
    "Feb": 2,
    "Mar": 3,
    "Apr": 4,
    "Jun": 6,
    "Jul": 7,
    "Aug": 8,
    "Sep": 9,
    "Sept": 9,
    "Oct": 10,
    "Nov": 11,
    "Dec": 12,
}

#: Year-less dates later than this after the reference date belong to the previous year.
_LOOKAHEAD = timedelta(days=61)
#: A past-tense sentence ("was caught on March 3") against an exact publication date: a day
#: after publication is last year's (two days' slack for time zones and print dates).
_PAST_SLACK = timedelta(days=2)
_FUTURE = re.compile(
    r"\b(?:will|would|shall|is to|are to|to be|to open|to resume|scheduled|planned|plans?|"
    r"expects?|expected|due|upcoming|next|from now)\b",
    re.IGNORECASE,
)

_FULL = "January|February|March|April|May|June|July|August|September|October|November|December"
_ABBR = "Sept|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec"


def _month(name: str) -> str:
    """Month group: full name, or abbreviation with optional period."""
    return rf"(?P<{name}>(?:{_FULL})\b|(?:{_ABBR})(?:\.|\b))"


def _day(name: str) -> str:
    """Day-of-month group; refuses times (1:00), decimals, '15-ton', '1,000'."""
    return rf"(?P<{name}>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?(?![\d:]|\.\d|,\d|-(?!\d)|[^\W\d])"


_YEAR = r"(?P<y>(?:1[89]|20)\d{2})(?![\d:]|\.\d|,\d|-\w|[^\W\d])"
_SEP = r"(?P<sep>\s*(?:-|–|—|\bto\b|\bthrough\b|\buntil\b|\btill\b|\band\b)\s*)"
_MOD = (
    r"(?P<mod>(?i:early|mid|late|(?:the\s+)?(?:first|last)\s+days\s+of|"
    r"(?:the\s+)?(?:middle|end|beginning|start)\s+of))"
    r"(?:-|\s+)"
)
#: "the first days of February" is early February, "the middle of May" mid-May, "the end of
#: May" late May.
_MOD_WORDS = {
    "first": "early", "beginning": "early", "start": "early",
    "middle": "mid", "last": "late", "end": "late",
}  # fmt: skip

_MONTH_DAY = re.compile(
    rf"(?<![\w.]){_month('m')}\s*{_day('d')}"
    rf"(?:{_SEP}(?:{_month('m2')}\s*)?{_day('d2')})?"
    rf"(?:,?\s+{_YEAR})?"
)
_DAY_MONTH = re.compile(
    rf"(?<![\w.:,-]){_day('d')}(?:\s*(?P<dsep>-|–|\bto\b|\band\b)\s*{_day('d2')})?"
    rf"\s+(?:of\s+)?{_month('m')}(?:,?\s+{_YEAR})?"
)
_MONTH_YEAR = re.compile(rf"(?<![\w.-])(?:{_MOD})?{_month('m')}(?:,?\s+{_YEAR})?")
_ISO = re.compile(r"(?<![\w.-])(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?![\w-])")
#: "Thu 27/9", "Monday 3/10/2022": numbers in either order, told apart by the weekday.
_WEEKDAY_NUMERIC = re.compile(
    r"(?<![\w/])(?P<wd>(?i:mon|tue|wed|thu|fri|sat|sun))(?i:[a-z]*)\.?,?\s+"
    r"(?P<a>\d{1,2})/(?P<b>\d{1,2})(?:/(?P<y>(?:19|20)?\d\d))?(?![\w/])"
)
_YEAR_ONLY = re.compile(rf"(?<![\w.,:-])(?:{_MOD})?{_YEAR}")
_RELATIVE = re.compile(
    r"\b(?P<earlier>(?i:earlier)\s+)?(?:(?P<mod>(?i:early|mid|late))[-\s]+)?"
    r"(?P<rel>(?i:last|this|next))\s+(?P<unit>(?i:year|month))\b"
)
_WEEK_OF = re.compile(
    rf"\b(?i:the\s+)?(?P<nth>(?i:first|second|third|fourth|last))\s+(?i:week)\s+of\s+{_month('m')}"
    rf"(?:,?\s+{_YEAR})?"
)
_QUARTER = re.compile(
    r"\b(?:(?i:the)\s+)?(?P<nth>(?i:first|second|third|fourth|final|last|1st|2nd|3rd|4th))"
    r"\s+(?i:quarter)(?:\s+(?i:of)\s+(?:(?i:the\s+year)|(?P<y1>(?:19|20)\d\d)))?\b"
    r"|\bQ(?P<q>[1-4])(?:\s+(?P<y2>(?:19|20)\d\d))?\b"
)
#: Seasons need a word that makes them a time ("in the spring", "last winter", "autumn 2019").
_SEASON = re.compile(
    r"\b(?:(?P<rel>(?i:last|this|previous|the\s+previous|past|the\s+past|that))\s+"
    r"|(?i:in|during|over|throughout|since|until|by|through)\s+(?:(?i:the)\s+)?)"
    r"(?P<season>(?i:spring|summer|autumn|fall|winter))"
    r"(?:\s+(?i:of\s+)?(?P<y>(?:19|20)\d\d))?\b(?!\s+(?i:of)\s+[A-Z])"
)
#: "over the Lunar New Year holiday": China's official Spring Festival holiday (State Council
#: notices), the days border crossings and customs close. Years outside the table stay unknown.
SPRING_FESTIVAL = {
    2015: ((2, 18), (2, 24)), 2016: ((2, 7), (2, 13)), 2017: ((1, 27), (2, 2)),
    2018: ((2, 15), (2, 21)), 2019: ((2, 4), (2, 10)), 2020: ((1, 24), (1, 30)),
    2021: ((2, 11), (2, 17)), 2022: ((1, 31), (2, 6)), 2023: ((1, 21), (1, 27)),
    2024: ((2, 10), (2, 17)), 2025: ((1, 28), (2, 4)), 2026: ((2, 15), (2, 23)),
}  # fmt: skip
#: China's National Day holiday ("Golden Week"): October 1-7 (a year's adjusted days may
#: shift the end by a day).
NATIONAL_DAY = ((10, 1), (10, 7))
_HOLIDAY = re.compile(
    r"\b(?:(?i:the)\s+)?(?:(?P<y>(?:19|20)\d\d)\s+)?"
    r"(?:(?i:lunar new year|chinese new year|spring festival)"
    r"|(?P<nd>(?i:national day\s+(?:holidays?|break)|golden week))"  # not Sept. 9 in the North
    r"|(?P<ny>(?i:new year['’]s day)))"
    r"(?:\s+(?i:holidays?|break|festival))?(?:\s+(?:(?i:of|in)\s+)?(?P<y2>(?:19|20)\d\d))?"
)
_VAGUE = re.compile(
    r"\b(?:(?i:recently|yesterday|today|tonight|this\s+(?:morning|afternoon|evening)"
    r"|(?:earlier\s+|late\s+|last\s+|this\s+)(?:week|weekend))"
    r"|(?:(?i:on|last)\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday))\b"
)
#: "on the 19th", "the night of the 17th": a day of the reference's month (not "the 17th
#: century", "the 38th parallel").
_NTH_DAY = re.compile(
    r"\b(?i:on|of|by|until|since|from|before|after)\s+the\s+(?P<d>3[01]|[12]\d|0?[1-9])"
    r"(?:st|nd|rd|th)\b(?!-|\s+(?!(?i:a|an|the|and|or|but|at|in|on|to|when|we|they|he|she"
    r"|i|it|after|before|police|guards|soldiers)\b)[A-Za-z])"
)
#: Words that make a lone month name or a lone year a date ("in December", "since 2013").
_CONTEXT = re.compile(
    r"\b(?i:in|since|during|throughout|until|till|by|from|before|after|through|of|to|and|or"
    r"|between|last|this|next|early|late|mid)[-\s]+$"
)
#: Prepositions after which "May" can only be the month.
_MAY_CONTEXT = re.compile(r"\b(?i:in|during|throughout|since|until|till|through)\s+$")

_ANY_MONTH = re.compile(
    r"[JFMASOND](?:anuary|ebruary|arch|pril|ay|une|uly|ugust|eptember|ctober|ovember|ecember"
    r"|ept|an|eb|ar|pr|un|ul|ug|ep|ct|ov|ec)"
)
_ANY_YEAR = re.compile(r"(?:1[89]|20)\d\d")
_GATES: dict[str, re.Pattern[str] | None] = {
    "iso": _ANY_YEAR,
    "weekday_numeric": re.compile(r"\d/\d"),
    "month_day": _ANY_MONTH,
    "day_month": _ANY_MONTH,
    "month_year": _ANY_MONTH,
    "year": _ANY_YEAR,
    "relative": re.compile(r"[Yy]ear|[Mm]onth|YEAR|MONTH"),
    "week_of": re.compile(r"(?i:week of)"),
    "quarter": re.compile(r"(?i:quarter)|Q[1-4]"),
    "season": re.compile(r"(?i:spring|summer|autumn|fall|winter)"),
    "holiday": re.compile(r"(?i:new year|spring festival|national day|golden week)"),
    "vague": re.compile(r"(?i:recent|day|week|tonight|morning|afternoon|evening)"),
    "nth_day": re.compile(r"\d(?:st|nd|rd|th)\b"),
}


def _mod(m: re.Match[str]) -> str:
    """The part of a month or year: "early", "mid", "late" or ""."""
    words = (m["mod"] or "").lower().split()
    word = next((w for w in words if w in _MOD_WORDS), words[0] if words else "")
    return _MOD_WORDS.get(word, word)


#: First day of "early", "mid-" and "late" parts of a month.
_PART_FIRST_DAY = {"early": 1, "mid": 11, "late": 21}

_PRECEDENCE = (
    "iso",
    "weekday_numeric",
    "month_day",
    "day_month",
    "week_of",
    "holiday",
    "quarter",
    "season",
    "month_year",
    "year",
    "relative",
    "vague",
    "nth_day",
)


@dataclass(frozen=True, slots=True)
class _Hit:
    """A candidate match before overlap resolution."""

    start: int
    end: int
    kind: str
    match: re.Match[str]


def dates_from_text(
    text: str, *, reference: date | None, reference_inferred: bool = False
) -> list[DateSpan]:
    """Find the date expressions of a text and resolve them to spans of days.

    Parameters
    ----------
    text
        Any text: a sentence, a paragraph or a whole article.
    reference
        The article's publication date; supplies the year of year-less dates and
        anchors relative ones. ``None`` when unknown.
    reference_inferred
        True when ``reference`` itself was guessed from the text (see
        :mod:`geo.articles`): year-less months get the 61-day allowance of days and
        relative months are left ``unknown``.

    Returns
    -------
    spans
        DateSpan objects in text order; ``start_char``/``end_char`` index ``text``.

    Examples
    --------
    >>> ref = date(2017, 10, 10)
    >>> [(s.text, s.start.isoformat(), s.precision) for s in dates_from_text(
    ...     "moved on two separate dates, Sept. 28 and Oct. 2.", reference=ref)]
    [('Sept. 28', '2017-09-28', 'day'), ('Oct. 2', '2017-10-02', 'day')]
    >>> s, = dates_from_text("for ten days in mid-September", reference=ref)
    >>> s.start, s.end, s.precision, s.inferred
    (datetime.date(2017, 9, 11), datetime.date(2017, 9, 20), 'range', True)
    >>> s, = dates_from_text("In December, sources said", reference=date(2017, 7, 1))
    >>> s.text, s.start, s.precision
    ('December', datetime.date(2016, 12, 1), 'month')
    >>> [s.text for s in dates_from_text(
    ...     "19 clothing factories, five 15-ton trucks, 800 Trading Company, "
    ...     "from 1:00 a.m. to 3:00 a.m.", reference=ref)]
    []
    >>> s, = dates_from_text("on Sept. 28", reference=None)
    >>> s.start, s.end, s.precision, s.text
    (None, None, 'unknown', 'Sept. 28')
    >>> [s.text for s in dates_from_text("Officials may visit. They March on.", reference=ref)]
    []
    >>> s, = dates_from_text("between Sept. 3 and 9", reference=ref)
    >>> s.start, s.end, s.precision
    (datetime.date(2017, 9, 3), datetime.date(2017, 9, 9), 'range')
    """
    if not isinstance(text, str):
        msg = f"'text' should be str, got {type(text).__name__}"
        raise TypeError(msg)
    if reference is not None and not isinstance(reference, date):
        msg = f"'reference' should be datetime.date or None, got {type(reference).__name__}"
        raise TypeError(msg)
    if isinstance(reference, datetime):
        reference = reference.date()
    # Overlaps are settled before validation, so "Feb. 30, 2017" is dropped whole
    # rather than read as "Feb." (a month).
    found: list[DateSpan] = []
    for hit in sorted(_resolve_overlaps(_find_hits(text)), key=lambda h: h.start):
        found.extend(_spans_from_hit(hit, text, reference, reference_inferred))
    return _with_relative_year(_join_ranges(_without_weekday_of(found, text), text), text)


def _without_weekday_of(spans: list[DateSpan], text: str) -> list[DateSpan]:
    """Drop a weekday that names the day written next to it ("Friday, 4 March 2016")."""
    return [
        span for span, after in zip_longest(spans, spans[1:])
        if after is None
        or after.precision != "day"
        or span.text.split()[-1].lower() not in _WEEKDAYS
        or not re.fullmatch(r"\s*,?\s*(?:the\s+)?", text[span.end_char : after.start_char])
    ]  # fmt: skip


_OF_THAT_YEAR = re.compile(r"\s*,?\s*(?:of\s+)?$")


def _with_relative_year(spans: list[DateSpan], text: str) -> list[DateSpan]:
    """Join a year-less date to a relative year after it ("mid-April last year")."""
    out: list[DateSpan] = []
    for span in spans:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.inferred
            and prev.start is not None
            and prev.end is not None
            and span.precision == "year"
            and span.start is not None
            and span.text.lower().endswith("year")
            and _OF_THAT_YEAR.match(text[prev.end_char : span.start_char])
        ):
            moved = span_in_year(prev, span.start.year)
            out[-1] = (
                prev
                if moved is None
                else replace(
                    moved, text=text[prev.start_char : span.end_char], end_char=span.end_char
                )  # fmt: skip
            )
            continue
        out.append(span)
    return out


def span_in_year(span: DateSpan, year: int) -> DateSpan | None:
    """Move a resolved date into ``year``, keeping its months and days.

    Parameters
    ----------
    span
        A date with ``start`` and ``end``; a range keeps its length in years.
    year
        The year its start moves to.

    Returns
    -------
    span
        The moved date, or None when it has no days or the day does not exist in that
        year (February 29).

    Examples
    --------
    >>> s, = dates_from_text("in mid-April", reference=date(2017, 10, 10))
    >>> span_in_year(s, 2015).start
    datetime.date(2015, 4, 11)
    """
    if span.start is None or span.end is None:
        return None
    shift = year - span.start.year
    try:
        return replace(span, start=span.start.replace(year=year),
                       end=span.end.replace(year=span.end.year + shift))  # fmt: skip
    except ValueError:  # February 29
        return None


_RANGE_START = re.compile(r"\b(?i:from|between)\s+(?:the\s+)?$")
_RANGE_JOIN = re.compile(r"\s*(?:-|–|—|\b(?i:to|through|until|till|and)\b)\s*(?:the\s+)?")


def _join_ranges(spans: list[DateSpan], text: str) -> list[DateSpan]:
    """'from mid-July to early August', 'between March 14 and May 2': one range."""
    out: list[DateSpan] = []
    for span in spans:
        prev = out[-1] if out else None
        joinable = (
            prev is not None
            and _RANGE_JOIN.fullmatch(text[prev.end_char : span.start_char]) is not None
            and _RANGE_START.search(text[: prev.start_char]) is not None
        )
        if joinable:
            prev, span = _one_named_year(prev, span)  # "late June to mid-July 2018"
            out[-1] = prev
        if joinable and span.end is not None and prev.start and prev.start > span.end:
            prev = out[-1] = _year_before(prev, span.end)  # "from December to February"
        if joinable and prev.start is not None and span.end is not None and prev.start <= span.end:
            out[-1] = DateSpan(
                prev.start,
                span.end,
                "range",
                prev.inferred or span.inferred,
                text[prev.start_char : span.end_char],
                prev.start_char,
                span.end_char,
            )
            continue
        out.append(span)
    return out


def _one_named_year(first: DateSpan, second: DateSpan) -> tuple[DateSpan, DateSpan]:
    """The two ends of a range when only one names its year: the other end takes it.

    "late June to mid-July 2018" is June 2018; "mid-July 2016 to early August" ends in
    August 2016 (the following year when the end's month comes before the start's).
    """
    if first.inferred == second.inferred or first.start is None or second.start is None:
        return first, second
    if first.inferred:
        year = second.start.year
        moved = span_in_year(first, year)
        if moved is not None and moved.start is not None and moved.start > second.start:
            moved = span_in_year(first, year - 1)
        return moved or first, second
    year = first.start.year
    moved = span_in_year(second, year)
    if moved is not None and moved.start is not None and moved.start < first.start:
        moved = span_in_year(second, year + 1)
    return first, moved or second


def _year_before(span: DateSpan, limit: date) -> DateSpan:
    """Move a year-less span to the latest year in which it starts by ``limit``."""
    if span.start is None or span.end is None or span.start <= limit:
        return span
    moved = span_in_year(span, limit.year)
    if moved is not None and moved.start is not None and moved.start > limit:
        moved = span_in_year(span, limit.year - 1)
    return moved or span  # February 29 stays where it was


def _find_hits(text: str) -> list[_Hit]:
    """Every candidate match of every pattern (may overlap)."""
    patterns = {
        "iso": _ISO,
        "weekday_numeric": _WEEKDAY_NUMERIC,
        "month_day": _MONTH_DAY,
        "day_month": _DAY_MONTH,
        "month_year": _MONTH_YEAR,
        "year": _YEAR_ONLY,
        "relative": _RELATIVE,
        "week_of": _WEEK_OF,
        "quarter": _QUARTER,
        "season": _SEASON,
        "holiday": _HOLIDAY,
        "vague": _VAGUE,
        "nth_day": _NTH_DAY,
    }
    hits = []
    for kind, pattern in patterns.items():
        gate = _GATES[kind]
        if gate is not None and gate.search(text) is None:
            continue  # cheap pre-check: most sentences hold no date at all
        for m in pattern.finditer(text):
            hits.append(_Hit(m.start(), m.end(), kind, m))
    return hits


def _resolve_overlaps(hits: list[_Hit]) -> list[_Hit]:
    """Keep the longest hit (then the most specific kind) where hits overlap."""
    ranked = sorted(hits, key=lambda h: (-(h.end - h.start), _PRECEDENCE.index(h.kind), h.start))
    kept: list[_Hit] = []
    starts: list[int] = []  # sorted starts of kept (non-overlapping) hits
    ends: list[int] = []
    for hit in ranked:
        i = bisect.bisect_right(starts, hit.start)
        if (i > 0 and ends[i - 1] > hit.start) or (i < len(starts) and starts[i] < hit.end):
            continue
        starts.insert(i, hit.start)
        ends.insert(i, hit.end)
        kept.append(hit)
    return kept


def _spans_from_hit(
    hit: _Hit, text: str, reference: date | None, reference_inferred: bool
) -> list[DateSpan]:
    """Turn one kept hit into zero, one or two DateSpans."""
    handler = {
        "iso": _from_iso,
        "weekday_numeric": _from_weekday_numeric,
        "month_day": _from_month_day,
        "day_month": _from_day_month,
        "month_year": _from_month_year,
        "year": _from_year,
        "relative": _from_relative,
        "week_of": _from_week_of,
        "quarter": _from_quarter,
        "season": _from_season,
        "holiday": _from_holiday,
        "vague": _from_vague,
        "nth_day": _from_nth_day,
    }[hit.kind]
    return handler(hit.match, text, reference, reference_inferred)


# --------------------------------------------------------------------------- helpers


def _month_number(token: str) -> int:
    """Month number of a matched month token ('Sept.' -> 9)."""
    return MONTHS[token.rstrip(".")]


def _valid(year: int, month: int, day: int) -> bool:
    """Tell whether the calendar has that day."""
    return 1 <= day <= calendar.monthrange(year, month)[1]


def _month_end(year: int, month: int) -> date:
    """Last day of a month."""
    return date(year, month, calendar.monthrange(year, month)[1])


def _year_for_day(month: int, day: int, reference: date, ahead: timedelta) -> int | None:
    """Year of a year-less day: the reference year, or the previous one when too far ahead."""
    for year in (reference.year, reference.year - 1):
        if not _valid(year, month, day):
            continue
        if year == reference.year and date(year, month, day) > reference + ahead:
            continue
        return year
    return None


def _lookahead(text: str, inferred: bool) -> timedelta:
    """How far after the reference a year-less day may lie and keep the reference year.

    A guessed reference is a lower bound, and a sentence that speaks of the future may
    name a coming day: 61 days. A past-tense report against a publication date: 2 days.
    """
    return _LOOKAHEAD if inferred or _FUTURE.search(text) else _PAST_SLACK


def _year_for_month(month: int, first_day: int, reference: date, inferred: bool) -> int:
    """Year of a year-less month (or part of a month starting on ``first_day``).

    Exact reference: the previous year when the month is after the reference month.
    Inferred reference (a lower-bound guess): the previous year only when the period
    starts more than 61 days after it, as for days.
    """
    if inferred:
        ahead = date(reference.year, month, first_day) > reference + _LOOKAHEAD
        return reference.year - 1 if ahead else reference.year
    return reference.year - 1 if month > reference.month else reference.year


def _span(
    match: re.Match[str],
    start: date | None,
    end: date | None,
    precision: str,
    *,
    inferred: bool = False,
    bounds: tuple[int, int] | None = None,
) -> DateSpan:
    """Build a DateSpan for the whole match (or ``bounds``) of ``match``."""
    s, e = bounds if bounds is not None else match.span()
    text = match.string[s:e]
    if start is None:
        precision, end, inferred = "unknown", None, False
    return DateSpan(start, end, precision, inferred, text, s, e)


def _has_context(text: str, start: int) -> bool:
    """Tell whether a preposition-like word directly precedes ``start``."""
    return _CONTEXT.search(text, max(0, start - 16), start) is not None


# --------------------------------------------------------------------------- handlers


def _from_iso(m: re.Match[str], text: str, reference: date | None, ri: bool) -> list[DateSpan]:
    """'2024-09-28' -> day."""
    y, mo, d = int(m["y"]), int(m["m"]), int(m["d"])
    if not (1 <= mo <= 12 and _valid(y, mo, d)):
        return []
    day = date(y, mo, d)
    return [_span(m, day, day, "day")]


def _from_weekday_numeric(
    m: re.Match[str], text: str, reference: date | None, ri: bool
) -> list[DateSpan]:
    """'Thu 27/9' -> the day, as day/month or month/day: whichever falls on that weekday.

    The year is the text's, else the reference's (or the one before, as for "Sept. 27").
    No reading on that weekday (or no year to check it in): a date of unknown day, so that
    the weekday alone is not read as last Monday.
    """
    weekday = [d[:3] for d in _WEEKDAYS].index(m["wd"].lower())
    given = m["y"] and int(m["y"]) + (2000 if len(m["y"]) == 2 else 0)
    days = set()
    for day, month in ((int(m["a"]), int(m["b"])), (int(m["b"]), int(m["a"]))):
        if not 1 <= month <= 12 or not _valid(given or 2000, month, day):
            continue
        year = given or (reference and _year_for_day(month, day, reference, _lookahead(text, ri)))
        if year and date(year, month, day).weekday() == weekday:
            days.add(date(year, month, day))
    if len(days) != 1:
        return [_span(m, None, None, "unknown")]
    (day,) = days
    return [_span(m, day, day, "day", inferred=not m["y"])]


def _from_month_day(
    m: re.Match[str], text: str, reference: date | None, ri: bool
) -> list[DateSpan]:
    """'Sept. 28', 'Sept. 28, 2017', 'Sept. 3-9', 'Sept. 28 and Oct. 2'."""
    month1, day1 = _month_number(m["m"]), int(m["d"])
    month2 = _month_number(m["m2"]) if m["m2"] else month1
    day2 = int(m["d2"]) if m["d2"] else None
    year = int(m["y"]) if m["y"] else None
    sep = (m["sep"] or "").strip()
    # "between May 2 and 9", "over the weekend of November 23 and 24": one range
    between = re.search(
        r"\b(?:between|weekend of)\s+$", text[max(0, m.start() - 12) : m.start()], re.I
    )
    if day2 is not None and sep == "and" and not between:
        # Two separate days: "Sept. 28 and Oct. 2", "Sept. 28 and 29".
        first_end = m.start("sep")
        second_start = m.start("m2") if m["m2"] else m.start("d2")
        days = [
            _day_span(m, month1, day1, year, reference, (m.start(), first_end), ri),
            _day_span(m, month2, day2, year, reference, (second_start, m.end()), ri),
        ]
        return [d for d in days if d is not None]
    if day2 is None:
        day = _day_span(m, month1, day1, year, reference, None, ri)
        return [] if day is None else [day]
    return [_range_span(m, (month1, day1), (month2, day2), year, reference, ri)]


def _from_day_month(
    m: re.Match[str], text: str, reference: date | None, ri: bool
) -> list[DateSpan]:
    """'28 September', '28 Sept. 2017', '3-9 September', 'between 3 and 11 February'."""
    month = _month_number(m["m"])
    year = int(m["y"]) if m["y"] else None
    between = re.search(r"\bbetween\s+$", text[max(0, m.start() - 10) : m.start()], re.I)
    if m["d2"] and m["dsep"] == "and" and not between:  # "on 3 and 11 February": two days
        days = [
            _day_span(m, month, int(m["d"]), year, reference, (m.start(), m.end("d")), ri),
            _day_span(m, month, int(m["d2"]), year, reference, (m.start("d2"), m.end()), ri),
        ]
        return [d for d in days if d is not None]
    if m["d2"]:
        return [_range_span(m, (month, int(m["d"])), (month, int(m["d2"])), year, reference, ri)]
    day = _day_span(m, month, int(m["d"]), year, reference, None, ri)
    return [] if day is None else [day]


def _day_span(
    m: re.Match[str],
    month: int,
    day: int,
    year: int | None,
    reference: date | None,
    bounds: tuple[int, int] | None,
    ri: bool,
) -> DateSpan | None:
    """One day, year from the text or from the reference; None for "Feb. 30"."""
    if not _valid(year or 2000, month, day):  # 2000: a leap year accepts Feb. 29
        return None
    inferred = year is None
    if year is None and reference is not None:
        year = _year_for_day(month, day, reference, _lookahead(m.string, ri))
    if year is None:
        return _span(m, None, None, "unknown", bounds=bounds)
    found = date(year, month, day)
    return _span(m, found, found, "day", inferred=inferred, bounds=bounds)


def _range_span(
    m: re.Match[str],
    first: tuple[int, int],
    last: tuple[int, int],
    year: int | None,
    reference: date | None,
    ri: bool,
) -> DateSpan:
    """Build a range of days, possibly across a month (or year) end."""
    inferred = year is None
    if year is None and reference is not None:
        year = _year_for_day(first[0], first[1], reference, _lookahead(m.string, ri))
    if year is None or not _valid(year, *first):
        return _span(m, None, None, "unknown")
    end_year = year + 1 if last[0] < first[0] else year
    if not _valid(end_year, *last):
        return _span(m, None, None, "unknown")
    start, end = date(year, *first), date(end_year, *last)
    if end < start:
        return _span(m, None, None, "unknown")
    return _span(m, start, end, "range", inferred=inferred)


def _from_month_year(
    m: re.Match[str], text: str, reference: date | None, ri: bool
) -> list[DateSpan]:
    """'September 2013', 'in December', 'mid-September', 'late May 2016'."""
    token, mod = m["m"], _mod(m)
    if not m["y"] and not _month_alone_is_date(token, mod, text, m.start()):
        return []
    month = _month_number(token)
    inferred = not m["y"]
    if m["y"]:
        year: int | None = int(m["y"])
    else:
        first = _PART_FIRST_DAY.get(mod, 1)
        year = None if reference is None else _year_for_month(month, first, reference, ri)
    if year is None:
        return [_span(m, None, None, "unknown")]
    last = calendar.monthrange(year, month)[1]
    first_day, last_day = {"early": (1, 10), "mid": (11, 20), "late": (21, last)}.get(
        mod, (1, last)
    )
    precision = "range" if mod else "month"
    start, end = date(year, month, first_day), date(year, month, last_day)
    return [_span(m, start, end, precision, inferred=inferred)]


def _month_alone_is_date(token: str, mod: str, text: str, start: int) -> bool:
    """Tell whether a month name without day or year is a date here.

    It needs "early"/"mid-"/"late" or a preposition before it ("in December"); an
    abbreviation needs its period ("in Sept."). "May" needs "mid-", or "early"/"late"
    not preceded by "the" ("the late May"), or one of :data:`_MAY_CONTEXT`
    ("in May", "throughout May"; not "by May", which may be the surname).
    """
    if token.rstrip(".") not in _FULL.split("|") and not token.endswith(".") and token != "Sept":
        return False
    before = text[max(0, start - 16) : start]
    if token == "May":
        if mod == "mid":
            return True
        if mod:
            return re.search(r"\bthe\s+$", before, re.I) is None
        return _MAY_CONTEXT.search(before) is not None
    return bool(mod) or _has_context(text, start)


def _from_year(m: re.Match[str], text: str, reference: date | None, ri: bool) -> list[DateSpan]:
    """'in 2016', 'since 2013', 'early 2016' (Jan–Apr), 'mid-2016', 'late 2016'."""
    mod = _mod(m)
    if not mod and not _has_context(text, m.start()):
        return []
    year = int(m["y"])
    if not mod:
        return [_span(m, date(year, 1, 1), date(year, 12, 31), "year")]
    first, last = {"early": (1, 4), "mid": (5, 8), "late": (9, 12)}[mod]
    return [_span(m, date(year, first, 1), _month_end(year, last), "range")]


def _from_relative(m: re.Match[str], text: str, reference: date | None, ri: bool) -> list[DateSpan]:
    """'last year', 'this year', 'next year', 'last month', 'this month'."""
    offset = {"last": -1, "this": 0, "next": 1}[m["rel"].lower()]
    unit = m["unit"].lower()
    if reference is None or (unit == "month" and ri):
        return [_span(m, None, None, "unknown")]
    if unit == "year":
        year = reference.year + offset
        return [_span(m, date(year, 1, 1), date(year, 12, 31), "year", inferred=True)]
    index = reference.year * 12 + reference.month - 1 + offset
    year, month = divmod(index, 12)
    end = _month_end(year, month + 1)
    mod = _mod(m)
    if mod:  # "late last month"
        first, last = {"early": (1, 10), "mid": (11, 20), "late": (21, end.day)}[mod]
        return [
            _span(
                m, date(year, month + 1, first), date(year, month + 1, last), "range", inferred=True
            )
        ]
    if m["earlier"] and offset == 0 and reference < end:  # "earlier this month": not after today
        return [_span(m, date(year, month + 1, 1), reference, "range", inferred=True)]
    return [_span(m, date(year, month + 1, 1), end, "month", inferred=True)]


def _from_week_of(m: re.Match[str], text: str, reference: date | None, ri: bool) -> list[DateSpan]:
    """'the second week of June' -> 8-14 June; 'the last week of June' -> its last seven days."""
    month = _month_number(m["m"])
    year = int(m["y"]) if m["y"] else None
    if year is None and reference is not None:
        year = _year_for_month(month, 1, reference, ri)
    if year is None:
        return [_span(m, None, None, "unknown")]
    end_of_month = _month_end(year, month)
    nth = m["nth"].lower()
    if nth == "last":
        first = end_of_month - timedelta(days=6)
    else:
        first = date(year, month, 1 + 7 * ("first", "second", "third", "fourth").index(nth))
    return [_span(m, first, first + timedelta(days=6), "range", inferred=not m["y"])]


def _from_quarter(m: re.Match[str], text: str, reference: date | None, ri: bool) -> list[DateSpan]:
    """'the first quarter (of 2024)', 'Q3 2023': its three months.

    Without a year: the latest such quarter begun by the reference date.
    """
    nth = (m["nth"] or m["q"] or "").lower()
    index = {"first": 1, "1st": 1, "1": 1, "second": 2, "2nd": 2, "2": 2, "third": 3, "3rd": 3,
             "3": 3, "fourth": 4, "4th": 4, "4": 4, "final": 4, "last": 4}[nth]  # fmt: skip
    given = m["y1"] or m["y2"]
    first_month = 3 * index - 2
    if given:
        year = int(given)
    elif reference is not None:
        year = _latest_begun(first_month, reference)
    else:
        return [_span(m, None, None, "unknown")]
    start = date(year, first_month, 1)
    return [_span(m, start, _three_months_end(year, first_month), "range", inferred=not given)]


def _from_holiday(m: re.Match[str], text: str, reference: date | None, ri: bool) -> list[DateSpan]:
    """'the Lunar New Year holiday' (of a year): China's official Spring Festival days.

    Without a year: the latest holiday that began by the reference date.
    """
    given = m["y"] or m["y2"]
    if m["nd"] or m["ny"]:
        days = NATIONAL_DAY if m["nd"] else ((1, 1), (1, 1))
        return [_fixed_holiday(m, days, int(given) if given else None, reference)]
    if given:
        year: int | None = int(given)
    elif reference is not None:
        begun = [y for y, (md, _) in SPRING_FESTIVAL.items() if date(y, *md) <= reference]
        year = max(begun) if begun and reference.year - max(begun) <= 1 else None
    else:
        year = None
    if year not in SPRING_FESTIVAL:
        return [_span(m, None, None, "unknown")]
    first, last = SPRING_FESTIVAL[year]
    return [_span(m, date(year, *first), date(year, *last), "range", inferred=not given)]


def _fixed_holiday(
    m: re.Match[str],
    days: tuple[tuple[int, int], tuple[int, int]],
    year: int | None,
    reference: date | None,
) -> DateSpan:
    """A holiday on fixed days of ``year``, else the latest one begun by the reference."""
    first, last = days
    if year is None and reference is not None:
        year = _latest_begun(first[0], reference, first[1])
    if year is None:
        return _span(m, None, None, "unknown")
    precision = "day" if first == last else "range"
    return _span(m, date(year, *first), date(year, *last), precision,
                 inferred=m["y"] is None and m["y2"] is None)  # fmt: skip


_SEASON_MONTHS = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}


def _from_season(m: re.Match[str], text: str, reference: date | None, ri: bool) -> list[DateSpan]:
    """'in the spring' (Mar-May), 'last summer' (Jun-Aug), 'autumn 2019' (Sep-Nov), 'winter'.

    Winter is Dec-Feb. Without a year: the latest such season begun by the reference date
    ("last"/"previous" when the reference is inside it: the one before).
    """
    first_month = _SEASON_MONTHS[m["season"].lower()]
    bounds = (m.start("season") if not m["rel"] else m.start(), m.end())
    if m["y"]:
        year = int(m["y"])
    elif reference is not None:
        year = _latest_begun(first_month, reference)
        rel = (m["rel"] or "").lower()
        if rel.endswith(("last", "previous", "past")) and reference <= _three_months_end(
            year, first_month
        ):
            year -= 1  # "last spring" said in May is the spring of the year before
    else:
        return [_span(m, None, None, "unknown", bounds=bounds)]
    start = date(year, first_month, 1)
    inferred = not m["y"]
    return [_span(m, start, _three_months_end(year, first_month), "range", inferred=inferred,
                  bounds=bounds)]  # fmt: skip


def _latest_begun(first_month: int, reference: date, first_day: int = 1) -> int:
    """Year of the latest period starting on ``first_day`` of ``first_month`` by ``reference``."""
    return reference.year - (date(reference.year, first_month, first_day) > reference)


def _three_months_end(year: int, first_month: int) -> date:
    """Last day of the three months (a quarter, a season) from ``first_month`` of ``year``."""
    last = first_month + 2
    return _month_end(year + (last > 12), (last - 1) % 12 + 1)


_TODAY = frozenset({"today", "tonight", "morning", "afternoon", "evening"})
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _from_nth_day(m: re.Match[str], text: str, reference: date | None, ri: bool) -> list[DateSpan]:
    """'on the 19th': that day of the reference's month, else of the month before.

    Only against a publication date (or an entry's own day): never invented.
    """
    if reference is None or ri:
        return [_span(m, None, None, "unknown")]
    day = int(m["d"])
    year, month = reference.year, reference.month
    if not _valid(year, month, day) or date(year, month, day) > reference + _PAST_SLACK:
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    if not _valid(year, month, day):
        return [_span(m, None, None, "unknown")]
    found = date(year, month, day)
    return [_span(m, found, found, "day", inferred=True)]


def _from_vague(m: re.Match[str], text: str, reference: date | None, ri: bool) -> list[DateSpan]:
    """'yesterday', 'last week', 'on Friday' count back from a known publication date.

    With no publication date, or only an inferred one, they stay unknown: never invented.
    'recently' and 'this week' are always unknown. "On Friday" is the latest Friday on or
    before the publication day; "last week" the Monday–Sunday week before its week.
    """
    words = m.group(0).lower().split()
    if reference is None or ri or not words:
        return [_span(m, None, None, "unknown")]
    if words[-1] in _TODAY:
        return [_span(m, reference, reference, "day")]
    if words[-1] == "yesterday":
        day = reference - timedelta(days=1)
        return [_span(m, day, day, "day")]
    if words[-1] in _WEEKDAYS:
        back = (reference.weekday() - _WEEKDAYS.index(words[-1])) % 7
        if words[0] == "last" and back == 0:
            back = 7
        day = reference - timedelta(days=back)
        return [_span(m, day, day, "day")]
    if words == ["last", "week"]:
        monday = reference - timedelta(days=reference.weekday() + 7)
        return [_span(m, monday, monday + timedelta(days=6), "range")]
    return [_span(m, None, None, "unknown")]
