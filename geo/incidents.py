"""Sentence-level incidents: what happened, where, when, who and how much.

Each body sentence (titles, captions and bylines never count) is split into clauses at
", but" / " but " / ";" and at ", and" / "and, two days later," where both parts tell events of
their own. A clause with an event cue of ``data/incident_types.csv`` becomes an incident; a
clause that gives its own date (or is dated by "two days later" or by the clause before) may
also use the looser ``dated_cues`` of that file ("crossed", "sealed", "held", "loaded"):

- type: cues inside a non-initial subordinate clause ("..., that was shuttered last year")
  are ignored; among the others, those within 15 priority points of the strongest compete
  and the earliest wins ("seized 300 kg ... and detained four people" is a seizure);
- place: chosen by the role of its mention. "at/in/through/near/off X" beats "from X",
  "to X" and rivers; "X near Y" and "Dalian in China" mean X; settlements (city, town,
  village, port of entry, bridge, industrial zone) beat provinces, which beat countries; a
  country only counts as "in/at China". For crossings and defections "from X" is the
  crossing point. "the bridge" / "the crossing" refers to the last crossing named before.
  Places named only in a reporting clause ("a source in X told RFA", "a Hoeryong
  resident", "according to ...") never locate an incident. A clause whose place is only
  implied ("A second delivery ... on Oct. 2", the clause after ", but") takes the place of
  the previous incident;
- date: :func:`geo.dates.dates_from_text` on the clause, without dates of a subordinate
  clause; a listed set of dates ("on Sept. 28 and Oct. 2") gives one incident per date; a
  clause after ", but" without a date keeps the first clause's date;
- actors (:func:`actors_from_text`), quantities (:func:`quantities_from_text`), the
  verbatim excerpt (with the previous sentence when the sentence opens with an anaphor) and
  a summary "<Label> at <place> (<date>)";
- duplicates: the same type, place and date reported by several sentences is one incident
  (the most informative excerpt is kept, actors and quantities of dated reports pooled); a
  report without a date joins a dated one of the same type and place; a generic transport
  report joins a more specific incident of the same place and date.

A dated incident that names no place goes on at the story's place — the previous incident's
(three sentences back at most) or else the next one's — with a low confidence; "the city",
"there", "the port", "the complex" are resolved to the dateline's town or the place named
before. Undated incidents take the date of a question they answer, of a short sentence just
before that only sets the time, or of the next sentence that opens with a date. Incidents with
a date but no usable place are kept with ``place=None``.
"""

from __future__ import annotations

import calendar
import csv
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cache, lru_cache
from itertools import chain, islice
from pathlib import Path

from . import settings
from ._errors import GeoError
from .caseless import CaselessPattern
from .dates import dates_from_text, span_in_year
from .models import Article, DateSpan, Incident, Mention, Place, Sentence
from .zones import AZIMUTHS, point_on_zone_near

__all__ = [
    "IncidentType",
    "actors_from_text",
    "incidents_from_places",
    "load_incident_types",
    "quantities_from_text",
]

logger = logging.getLogger(__name__)

#: Feature classes of places precise enough to say "it happened here".
SETTLEMENT_CLASSES = frozenset(
    {"city", "town", "village", "port_of_entry", "port", "bridge", "industrial_zone", "county"}
)
_AREA_CLASSES = frozenset({"province", "region", "district"})
_FACILITY_CLASSES = frozenset({"bridge", "port_of_entry", "port", "industrial_zone"})
_INCIDENT_COLUMNS = ("type", "label", "priority", "description", "cues")
_UNKNOWN_DATE = DateSpan(None, None, "unknown")
_MIN_DATE = date.min


@dataclass(frozen=True, slots=True)
class IncidentType:
    """One row of the incident vocabulary."""

    type: str
    label: str
    priority: int = 0
    description: str = ""
    cues: str = ""  # pipe-separated regex fragments, matched case-insensitively
    pattern: CaselessPattern | None = field(default=None, compare=False, repr=False)
    #: looser cues, trusted only in a clause that gives its own date ("a convoy of empty
    #: lorries crossed it last Tuesday"): a dated clause with an action verb tells an event
    dated_cues: str = ""
    dated_pattern: CaselessPattern | None = field(default=None, compare=False, repr=False)


# ----------------------------------------------------------------------------- vocabulary


def load_incident_types(path: str | Path | None = None) -> tuple[IncidentType, ...]:
    """Read the incident vocabulary (cached per path).

    Parameters
    ----------
    path
        CSV with columns type, label, priority, description, cues. Default:
        ``settings.data_folder / "incident_types.csv"``.

    Returns
    -------
    incident_types
        Highest priority first.
    """
    path = Path(settings.data_folder / "incident_types.csv" if path is None else path)
    return _load_incident_types(path.resolve())


@cache
def _load_incident_types(path: Path) -> tuple[IncidentType, ...]:
    try:
        with path.open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
    except OSError as e:
        msg = f"{path}: cannot read the incident types ({e.strerror})"
        raise GeoError(msg) from e
    if not rows or any(c not in rows[0] for c in _INCIDENT_COLUMNS):
        msg = f"{path}: incident types need the columns {', '.join(_INCIDENT_COLUMNS)}"
        raise GeoError(msg)
    types = [_type_from_row(row, path, n) for n, row in enumerate(rows, start=2)]
    logger.info("Loaded %d incident types from %s", len(types), path)
    return tuple(sorted(types, key=lambda t: -t.priority))


def _type_from_row(row: dict[str, str], path: Path, line: int) -> IncidentType:
    cues = (row.get("cues") or "").strip()
    dated_cues = (row.get("dated_cues") or "").strip()
    try:
        priority = int(row["priority"] or 0)
        pattern = _compile(cues) if cues else None
        dated_pattern = _compile(dated_cues) if dated_cues else None
    except (ValueError, re.error) as e:
        msg = f"{path}, line {line}: bad priority or cue for type {row['type']!r} ({e})"
        raise GeoError(msg) from e
    return IncidentType(
        type=row["type"].strip(),
        label=(row.get("label") or row["type"]).strip(),
        priority=priority,
        description=(row.get("description") or "").strip(),
        cues=cues,
        pattern=pattern,
        dated_cues=dated_cues,
        dated_pattern=dated_pattern,
    )


def _as_types(incident_types: Iterable[IncidentType] | str | Path | None) -> list[IncidentType]:
    if incident_types is None or isinstance(incident_types, str | Path):
        return list(load_incident_types(incident_types))
    types = list(incident_types)
    bad = [t for t in types if not isinstance(t, IncidentType)]
    if bad:
        msg = f"'incident_types' should hold IncidentType records, got {type(bad[0]).__name__}"
        raise TypeError(msg)
    return sorted((_compiled(t) for t in types), key=lambda t: -t.priority)


def _compiled(t: IncidentType) -> IncidentType:
    if t.cues and t.pattern is None:
        t = replace(t, pattern=_compile(t.cues))
    if t.dated_cues and t.dated_pattern is None:
        t = replace(t, dated_pattern=_compile(t.dated_cues))
    return t


def _compile(cues: str) -> CaselessPattern:
    return CaselessPattern(rf"\b(?:{cues})")


@cache
def _any_cue(types: tuple[IncidentType, ...], dated: bool = False) -> CaselessPattern:
    """One pattern that matches where any type's cue matches (a fast negative test)."""
    cues = (t.dated_cues if dated else t.cues for t in types)
    return _compile("|".join(f"(?:{c})" for c in cues if c) or "(?!)")


def _cue_pattern(t: IncidentType, dated: bool) -> CaselessPattern | None:
    return t.dated_pattern if dated else t.pattern


def _classify(
    text: str, types: Sequence[IncidentType], *, dated: bool = False
) -> tuple[IncidentType, re.Match[str]] | None:
    """Return the event type of a sentence and the cue that decided it.

    Cues inside a (non-initial) subordinate clause ("..., that was shuttered last year")
    are ignored when the main clause has one. Among the remaining cues, those within
    ``_PRIORITY_WINDOW`` of the highest priority compete and the earliest wins ("seized
    300 kg ... and detained four people" is a seizure); otherwise the highest priority wins.
    ``dated`` uses the looser cues of a clause that gives its own date.
    """
    first = _any_cue(tuple(types), dated).search(text)
    if first is None:
        return None  # most sentences tell no event: one scan instead of one per type
    clauses = _subordinate_spans(text)
    every = [
        (t.priority, m.start(), t, m)
        for t in types
        if (pattern := _cue_pattern(t, dated)) is not None
        for m in pattern.finditer(text, first.start())  # no cue starts before the first
        if not _not_a_cue(text, m.start())
    ]
    # a main clause without an event of its own tells the subordinate one ("recorded no
    # imports during the period in which the crossing was closed")
    hits = [h for h in every if not _inside(h[1], clauses)] or every
    if not hits:
        return None
    top = max(h[0] for h in hits)
    _, _, itype, match = min(
        (h for h in hits if h[0] >= top - _PRIORITY_WINDOW), key=lambda h: (h[1], -h[0])
    )
    return itype, match


_PRIORITY_WINDOW = 15
#: Idioms that start like a cue: "carried out a campaign" moved nothing.
_NOT_A_CUE = re.compile(r"carr(?:y|ies|ied|ying) out\b", re.IGNORECASE)


def _not_a_cue(text: str, start: int) -> bool:
    """An idiom ("carried out") or a name ("the anti-smuggling police") that looks like a cue."""
    return bool(_NOT_A_CUE.match(text, start)) or text[max(0, start - 5) : start].lower() == "anti-"


_SUBORDINATE = re.compile(
    r"(?:[,;]\s*|\s)(that|which|after|before|since|because|when|while|although|though)\s",
    re.IGNORECASE,
)
_COMPLEMENT = re.compile(
    r"(?:\b(?:said|says|say|told|tells|reported|reports|added|claimed|believes?|believed|"
    r"confirmed|knows?|learned|noted|stated|revealed|disclosed|announced|explained|"
    r"shows?|showed|shown|indicates?|"
    r"indicated|suggests?|suggested|found|finds|alleges?|alleged|estimates?|estimated)\b"
    r"[^,;.“”\"]{0,60}"
    r"|\b(?:evidence|is|was|aware)\s*)$",
    re.IGNORECASE,
)


_TIME_ADVERBIAL = re.compile(
    r"(?:the\s+)?(?:early|mid|late|last|this|previous|past|spring|summer|autumn|winter|\d|"
    r"(?:same\s+)?(?:morning|day|night|evening|"
    r"afternoon|week|month|year|time)\b|January|February|March|April|May|June|July|"
    r"August|September|October|November|December|Jan\.|Feb\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)",
    re.IGNORECASE,
)


#: "that spans / links / connects": a relative clause that only describes a landmark.
_LANDMARK_VERB = re.compile(
    r"(?:spans|links|connects|joins|separates|runs|lies|stands|overlooks|faces|borders)\b"
)
_FINITE = re.compile(r"\s(?:was|were|is|are|has|have|had)\b")
#: A subordinate clause ends at a comma, semicolon or quote — not at "April 3, 2025".
_CLAUSE_END = re.compile(r"[;“”\"]|,(?!\s*(?:19|20)\d\d\b)")


def _subordinate_spans(text: str) -> list[tuple[int, int]]:
    """Non-initial subordinate clauses of a sentence (to the next comma, semicolon or quote).

    "that" after a reporting verb ("told RFA that ...") opens the reported content, which
    is the main event, so it is not a subordinate clause here.
    """
    spans: list[tuple[int, int]] = []
    for m in _SUBORDINATE.finditer(text):
        if m.group(1).lower() == "that" and (
            _COMPLEMENT.search(_window(text, m.start(1), 90))
            or (text[: m.start(1)].rstrip().endswith(" and") and _REPORT_VERB.search(text))
        ):
            continue  # "said X and that Y": Y is reported content too
        if _TIME_ADVERBIAL.match(text, m.end()):
            continue  # "since late December", "after March 3": a date, not a clause
        if _LANDMARK_VERB.match(text, m.end()):
            continue  # "the bridge that spans the Yalu ... from late June": a date of the event
        end = _CLAUSE_END.search(text, m.end())
        stop = end.start() if end else len(text)
        if m.group(1).lower() in ("that", "which"):
            # "a shipment that was due to come over the bridge was refused": the relative
            # clause ends where the main clause's own verb begins
            verbs = list(_FINITE.finditer(text, m.end() - 1, stop))
            stop = verbs[1].start() if len(verbs) > 1 else stop
        spans.append((m.start(1), stop))
    return spans


def _inside(pos: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(a <= pos < b for a, b in spans)


# ----------------------------------------------------------------------------- text helpers

_ANAPHOR = re.compile(
    r"^[\s“”\"'‘’(]*(?:they|it|this|these|those|he|she|then|there|after (?:they|it|that)|"
    r"the (?:goods|company|firm|shipment|cargo|delivery|consignment|coal|steel|ore|timber|"
    r"logs|crab|seafood|squid|copper|cement|phones|machines|convoy|consignments|load|workers|"
    r"soldiers|defectors|group|train|trucks|ship|boat|vessel)|"
    r"(?:a|the) (?:second|third|further|later)|another|the same)\b"
    r"(?!\s+(?:sources?|persons?|residents?|traders?|officials?|defectors?|informants?)\b)",
    re.IGNORECASE,
)
_PREP_END = CaselessPattern(
    r"\b(at|in|inside|within|near|outside|around|through|via|by way of|across from|"
    r"across|crossed|into|onto|from|back to|to|toward|towards|for|along|on|between|of|with|"
    r"off|left|leaves?|leaving|departed|departs?|departing|fled|escaped|reach(?:ed|es|ing)?|"
    r"entered|over|"
    r"and|or)"
    r"\s*$",
)
_FILLER_END = CaselessPattern(
    r"(?:\b(?:the|a|an|its|their|his|her|just|northeastern|northwestern|southeastern|"
    r"southwestern|northern|southern|eastern|western|nearby|neighbou?ring|border|"
    r"chinese|korean|russian|city of|town of|port of|county of|province of|port|coastal|"
    r"riverside|industrial|mining|frontier)|,)\s*$",
)
_POSSESSIVE_END = re.compile(r"\b[A-Z][\w-]*(?:\s+[A-Z][\w-]*)*['’]s\s*$")
_PEOPLE_OF = CaselessPattern(
    r"\b(?:residents|people|villagers|citizens|farmers|fishermen|workers|smugglers|traders|"
    r"authorities|officials|police|guards|soldiers)\s+of\s*$",
)
_TO_SOMEONE = re.compile(
    r"\bto\s+(?!be\s|have\s)(?:(?:an?|the|their|its)\s+)?(?:(?:Chinese|Korean|North Korean|"
    r"South Korean|Russian|local)\s+)?(?:[a-z][\w'’-]*\s+){1,3}(?:from|in|at|based in)\s+$"
)
_TO_A_SITE_NEAR = re.compile(
    r"\bto\s+(?:an?|the)\s+(?:[a-z][\w'’-]*\s+){1,3}(?:near|outside|off)\s*$"
)
_VIA_SOMEONE = re.compile(
    r"\b(?:through|via|by)\s+(?:an?|the|its|their)\s+(?:[a-z][\w'’-]*\s+){0,2}"
    r"(?:intermediary|intermediaries|middleman|middlemen|bank|account)\s+"
    r"(?:from|in|at|based in)\s+$"
)
_ACROSS_FROM = CaselessPattern(
    r"(?:,\s*|\bjust\s+|\b(?:is|are|was|were|lies|lie|located|situated|sits|directly)\s+)"
    r"(?:across|opposite)\s+(?:the\s+(?:[\w-]+\s+)?(?:river|border|bridge|water|strait)\s+)?"
    r"from\s*$",
)
_POSITIONAL = CaselessPattern(
    r"\b(?:downstream|upstream|upriver|downriver|north|south|east|west|northeast|northwest|"
    r"southeast|southwest|outside|opposite|just outside|close to|next to|on the outskirts|"
    r"above|below|beyond|off|short)"
    r"(?:\s+of)?\s*$",
)
#: "at the truce village of Panmunjom", "in the western sector of the DMZ", "near the mouth
#: of the Tumen": the preposition before the noun phrase governs the name after "of".
_PART_OF = re.compile(
    r"\b((?i:at|on|near|in|inside|through|across|along|into|outside))\s+(?i:the)\s+"
    r"(?!(?:request|orders?|behest|invitation|expense|hands|name|help|cost|instructions?|"
    r"command|case|wake|absence|face|basis|words?|government|authorities|people)\b)"
    r"(?:[\w'’-]+\s+){1,3}of\s*$"
)
_SOURCE_NOUN = re.compile(
    r"\b(?:sources?|residents?|informants?|insiders?|defectors?|officials?|traders?|brokers?|"
    r"merchants?|businessm[ae]n|agents?|witnesses|partners?|processors?|managers?|executives?|"
    r"drivers?|wholesalers?|dealers?|employees?|spokes(?:man|woman|person)|relatives?|"
    r"villagers?|fishermen|analysts?|researchers?|diplomats?|owners?)\b",
    re.IGNORECASE,
)
_REPORT_VERB = re.compile(
    r"\b(?:said|says|say|told|tells|reported|added|explained|claimed|confirmed|noted|stated|"
    r"warned|recalled|described)\b",
    re.IGNORECASE,
)
_SEGMENT_BREAK = re.compile(r"[,;:“”\"()]")
_REPORTING = (
    re.compile(r"\baccording to\b[^,.;:“”\"]{0,80}", re.IGNORECASE),
    re.compile(
        r"\b(?:a|an|the|two|many|local)\s+(?:[A-Z][\w'’-]+\s+){1,3}"
        r"(?:residents?|natives?|sources?|officials?)\b"
    ),
    # "told reporters in Seoul", "said at a briefing in Seoul": where the telling happened
    re.compile(
        r"\b(?:told|said|briefed|speaking|spoke)\s+(?:to\s+)?(?:(?:reporters|journalists|"
        r"the press|lawmakers|a (?:news )?(?:briefing|conference|press conference))\s+)?"
        r"(?:in|at)\s+[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?"
    ),
    # "..., the Joint Chiefs of Staff in Seoul said Thursday": the teller's seat
    re.compile(
        r",\s+(?:the|a|an)\s+[^,.;:“”\"]{0,60}?\b(?:in|at|from)\s+[A-Z][\w'’-]+"
        r"(?:\s+[A-Z][\w'’-]+)?\s+(?:said|says|reported|reports|announced|told)\b"
    ),
)
_ROLE_WEIGHT = {
    "at": 3.0,
    "in": 3.0,
    "inside": 3.0,
    "within": 3.0,
    "near": 3.0,
    "outside": 2.5,
    "around": 2.5,
    "through": 3.0,
    "via": 3.0,
    "by way of": 3.0,
    "across from": 2.5,
    "on": 2.5,
    "along": 2.0,
    "subject": 2.5,
    "into": 2.0,
    "crossed": 1.5,
    "across": 1.0,
    "from": 1.2,  # origin before destination ("from X to Y" happened at X)
    "to": 1.0,
    "back to": 1.0,
    "toward": 1.0,
    "towards": 1.0,
    "off": 2.5,
    "left": 2.0,
    "between": 2.0,
    "anchor": 0.5,
}
_MOVEMENT_TYPES = frozenset({"smuggling_crossing", "defection", "customs_refusal", "transport"})
#: Movements that happened where they started ("from X" is the place).
_ORIGIN_TYPES = frozenset({"smuggling_crossing", "defection", "transport"})
_COUNTRY_ROLES = frozenset({"at", "in", "inside", "within", "subject"})
#: Roles that never say where something happened ("cash for Pyongyang", "trade with X").
_NOT_WHERE = frozenset({"for", "of", "with", "other"})


def _role(before: str) -> str:
    """Return the preposition that governs a mention, from the sentence text before it."""
    text = before.rstrip()
    for _ in range(6):
        stripped = _POSSESSIVE_END.sub("", text).rstrip()
        filler = _FILLER_END.search(stripped)
        stripped = stripped[: filler.start()].rstrip() if filler else stripped
        if stripped == text:
            break
        text = stripped
    if _GLOSS.search(text):
        return "other"  # "the Military Demarcation Line (MDL)": a gloss of the name before it
    if not text or text[-1] in '“"‘(*•' or _OPENING_PHRASE.search(before):
        return "subject"
    if _ACROSS_FROM.search(text):
        return "across from"
    if _TO_A_SITE_NEAR.search(text):
        return "to"  # "carried coal from Nampo to a wharf near Dalian": the destination
    if _POSITIONAL.search(text) or _AREA_OF.search(text):
        return "near"
    part = _PART_OF.search(text)
    if part:
        return part.group(1).lower()
    m = _PREP_END.search(text)
    if m is None:
        return "subject" if re.search(r"[.;:]\s*$", text) else "other"
    role = m.group(1).lower()
    if role in ("and", "or") or text.endswith(","):
        return "list"
    if role in ("in", "at") and _RESIDES.search(text):
        return "other"  # "now lives in Seoul": where a person is now, not the event's place
    if role == "of" and _PEOPLE_OF.search(text):
        return "in"  # "Residents of Sokha-ri carried ...": they are there
    if role in ("leaving", "leave", "leaves", "departed", "depart", "departs", "departing"):
        return "left"
    if role == "for" and re.search(r"\b(?:bound|destined|headed|heading)\s+for\s*$", text, re.I):
        return "to"  # "a shipment bound for Sonbong": its destination
    if role in ("fled", "escaped"):
        return "from"  # "fled Hyesan across the river": where the crossing began
    if role == "reach" and not re.search(r"\b(?:we|they|I|you)\s+reach\s*$", text, re.I):
        return "other"  # "intending to cross and reach Kaesong": only where he meant to go
    if role in ("reach", "reached", "reaches", "reaching", "entered"):
        return "into"
    if role == "over":
        return "through"
    if role == "from" and re.search(
        r"\b(?:barred|banned|excluded|expelled)\s+from\s*$", text, re.I
    ):
        return "at"  # "barred from Samjiyon": what happened, happened there
    if role in ("from", "in", "at") and _TO_SOMEONE.search(text + " "):
        return "to"  # "to a buyer from Longjing", "to traders in Changbai"
    if role in ("from", "in", "at") and _VIA_SOMEONE.search(text + " "):
        return "with"  # "through an intermediary in Shenyang": where a party sits
    return "through" if role in ("via", "by way of") else role


_GLOSS = re.compile(r"(?:[A-Z][\w'’-]*|[\u3131-\u9fff]+)\s*\($")
_RESIDES = CaselessPattern(
    r"\b(?:lives?|living|lived|resides?|residing|resident|settled)\s+(?:now\s+)?(?:in|at)\s*$",
)
#: "the area of Chunggang", "the outskirts of Hyesan", "Berth 3 of Rajin port": near the place.
_AREA_OF = CaselessPattern(
    r"\b(?:the\s+)?(?:(?:\w+\s+)?(?:districts?|parts?|neighbou?rhoods?|quarters?)|area|vicinity|"
    r"outskirts|environs|suburbs|edge|(?:berths?|piers?|wharf|wharves|docks?|quays?|terminals?)"
    r"(?:\s+(?:No\.\s*)?\d+)?)\s+of\s*$",
)

#: "In the first quarter, Hunchun dispatched": a name after an opening phrase is the subject.
_OPENING_PHRASE = re.compile(
    r"(?:^|[.;:]\s+)[\s“\"•*–-]*(?:In|On|During|By|Since|After|Before|Last|Earlier|Later|"
    r"Meanwhile|However|Then|At|Also|Separately|Instead)\b[^,.;:]*,\s*$"
)

#: How far back (characters) the words governing a mention are looked for.
_LOOKBACK = 120


def _window(text: str, end: int, size: int = _LOOKBACK) -> str:
    """Return the text before ``end``, at most ``size`` characters (bounded regex work)."""
    return text[max(0, end - size) : end]


def _blank(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """Return ``text`` with the given spans replaced by spaces (offsets unchanged)."""
    chars = list(text)
    for a, b in spans:
        chars[a:b] = " " * (b - a)
    return "".join(chars)


def _reporting_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of ``text`` that are reporting clauses ("a source in X told RFA").

    A reporting clause is a comma-delimited segment with a source noun followed by a
    reporting verb, in the same segment or after one appositive segment ("a trader in
    Helong, the city that administers Nanping, told RFA"), plus "according to ..." and
    "a Hoeryong resident".
    """
    spans = [
        m.span() for rx in (*_REPORTING, _DATELINE, _PLACE_DATELINE) for m in rx.finditer(text)
    ]
    cuts = [0, *(m.end() for m in _SEGMENT_BREAK.finditer(text)), len(text) + 1]
    segments = [
        (a, b - 1 if b <= len(text) else len(text)) for a, b in zip(cuts, cuts[1:], strict=False)
    ]
    for i, (a, b) in enumerate(segments):
        noun = _SOURCE_NOUN.search(text, a, b)
        if noun is None:
            continue
        verb = _REPORT_VERB.search(text, noun.end(), b)
        if verb is not None:
            spans.append((noun.start(), verb.end()))
            continue
        for c, d in segments[i + 1 : i + 3]:
            lead = len(text[c:d]) - len(text[c:d].lstrip())
            verb = _REPORT_VERB.match(text, c + lead, d)
            if verb is not None:
                spans.append((noun.start(), verb.end()))  # "..., said" + what was said
                break
    return spans


def _is_anaphoric(text: str) -> bool:
    return bool(_ANAPHOR.match(text))


@dataclass(slots=True)
class _Located:
    """A mention of a place within one sentence, with its role."""

    place: Place
    mention: Mention
    start: int  # offsets within the sentence text
    end: int
    role: str
    reporting: bool
    where: bool = False  # followed by ", where ...": the place of what the clause tells
    dateline: bool = False  # "SEOUL, June 30 (Yonhap) --": where the report was filed
    venue: bool = False  # "told reporters in Seoul": where it was told
    en_route: bool = False  # "passing through X", "via X" after a "from ... to ..."


def _mentions_by_sentence(places: Sequence[Place]) -> dict[int, list[tuple[Mention, Place]]]:
    found: dict[int, list[tuple[Mention, Place]]] = {}
    for place in places:
        for mention in place.mentions:
            found.setdefault(mention.sentence, []).append((mention, place))
    for items in found.values():
        items.sort(key=lambda mp: mp[0].start_char)
    return found


def _located(
    sentence: Sentence, items: Sequence[tuple[Mention, Place]], article: Article
) -> list[_Located]:
    """Roles of the place mentions of one sentence."""
    text = sentence.text
    spans = _reporting_spans(text)
    dateline = _DATELINE.match(text) or _PLACE_DATELINE.match(text)
    out: list[_Located] = []
    for mention, place in items:
        start = mention.start_char - sentence.start_char
        end = mention.end_char - sentence.start_char
        if not 0 <= start < end <= len(text):  # offsets do not fit this sentence: search
            found = text.find(mention.search_name)
            if found < 0:
                continue
            start, end = found, found + len(mention.search_name)
        role = _role(_window(text, start))
        if role in ("other", "of", "subject") and _FACILITY_AFTER.match(text, end):
            role = "at"  # "closed the Khasan checkpoint", "officers of Hunchun Customs"
        elif role == "crossed" and _facility(place):
            role = "through"  # "the train crossed the Friendship Bridge"
        elif role == "other" and _facility(place):
            role = "at"  # "closed the Ji'an bridge": what happens to a crossing happens there
        reporting = any(a <= start and end <= b for a, b in spans)
        if role == "list":  # "from Sinuiju and Uiju": the role of the previous name
            role = out[-1].role if out and out[-1].end >= start - 12 else "other"
        where = _WHERE_AFTER.match(text, end) is not None
        dated = dateline is not None and end <= dateline.end()
        venue = _VENUE_BEFORE.search(_window(text, start, 60)) is not None
        en_route = role == "through" and (
            _FROM_TO.search(_window(text, start, 200)) is not None
            or any(
                o.role in ("from", "left") and not _REPORT_VERB.search(text, o.end, start)
                for o in out
            )  # "ran from Rajin over the bridge", not "traders from Sinuiju said ... over"
        )
        out.append(
            _Located(place, mention, start, end, role, reporting, where, dated, venue, en_route)
        )
    _mark_anchors(out, text)
    return out


_VENUE_BEFORE = re.compile(
    r"\b(?:told|said|briefed|speaking|spoke)\b[^,.;]{0,40}\b(?:in|at)\s+$", re.IGNORECASE
)
_FROM_TO = re.compile(r"\bfrom\s+[A-Z][^.;]{0,60}?\bto\s+(?:the\s+)?[A-Z]")
_WHERE_AFTER = re.compile(r"\s*,?\s*where\b")

#: A facility named after its place: "the Khasan checkpoint", "Hunchun Customs", "the
#: Quanhe (圈河) port" — whatever happens to the facility happens at the place.
_FACILITY_AFTER = re.compile(
    r"\s*(?:\([^)]{1,20}\)\s*)?(?:[Cc]ustoms|checkpoint|port|railway station|station|"
    r"border crossing|crossing|bridge|market|mine|factory|plant|mill|smelter|customs house|"
    r"customs office|"
    r"land port|port of entry|border post|terminal|wharf|pier|jetty|(?:[A-Z][\w']+ )*[Cc]ourt|"
    r"police station|prison|(?:[A-Za-z-]+\s+){0,3}(?:police|[Ss]ecurity [Bb]ureau))\b"
)  # "officers of the Ji'an anti-smuggling police" work in Ji'an


def _mark_anchors(located: list[_Located], text: str) -> None:
    """Mark "Y" of "X (town) near Y" as the anchor of X, not the place of the event."""
    fine = [m for m in located if _settlement(m.place)]  # only a resolved place has an anchor
    anchors = {m.mention.anchor for m in fine if m.mention.anchor}
    for loc in located:
        if loc.mention.search_name in anchors and loc.role in ("near", "other", "subject"):
            loc.role = "anchor"
            continue
        area = loc.place.candidate is not None and not _settlement(loc.place)
        if loc.role != "near" and not (loc.role == "in" and area):
            continue  # "X near Y", "Dalian in China": Y only says where X is
        offset = max(0, loc.start - _LOOKBACK)
        head = _ANCHOR_WORDS_END.sub("", text[offset : loc.start])
        for o in fine:
            end = o.end - offset
            between = head[end:] if o is not loc and 0 <= end <= len(head) else "x"
            if _APPOSITION.fullmatch(between):
                loc.role = "anchor"


#: "Onsong, a county downstream of Namyang": the words that tie X to its anchor Y.
_ANCHOR_WORDS_END = re.compile(
    r"\s*,?\s*(?:near|in|outside|just outside|(?:up|down)(?:stream|river)\s+(?:of|from)|"
    r"(?:north|south|east|west|northeast|northwest|southeast|southwest)\s+of|"
    r"(?:about|some|roughly)?\s*\d+\s*(?:km|kilometers|kilometres|miles)\s+(?:\w+\s+)?(?:of|from))"
    r"\s*$",
    re.IGNORECASE,
)
_APPOSITION = re.compile(
    r"\s*(?:,\s*(?:a|an|the)\s+(?:small\s+|border\s+|nearby\s+|riverside\s+)?)?"
    r"(?:town|city|county|village|port|district|area|township|hamlet)?\s*",
    re.IGNORECASE,
)


def _of_class(place: Place | None, classes: frozenset[str] | set[str]) -> bool:
    """Tell whether a place is resolved to a candidate of one of ``classes``."""
    return (
        place is not None
        and place.candidate is not None
        and (place.candidate.feature_class in classes)
    )


def _facility(place: Place) -> bool:
    return _of_class(place, _FACILITY_CLASSES)


def _area(place: Place) -> bool:
    return _of_class(place, _AREA_CLASSES)


def _settlement(place: Place) -> bool:
    return _of_class(place, SETTLEMENT_CLASSES)


def _place_score(
    loc: _Located, cue: re.Match[str] | None, itype: IncidentType | None = None
) -> float | None:
    """How well a mention says where the event happened (None: it cannot)."""
    cand = loc.place.candidate
    # "the shutdown of the Kaesong Industrial Complex": what the event noun is about
    about = loc.role == "of" and cue is not None and 0 <= loc.start - cue.end() <= 8
    if cand is None or loc.reporting:
        return None
    closes = cue is not None and _AREA_CLOSES_ITS_BORDER.match(cue.string, loc.end)
    if closes and cand.feature_class in _AREA_CLASSES | {"country"}:
        return _ROLE_WEIGHT["at"] + 5.0  # "North Korea sealed its borders": the whole country
    if loc.role in _NOT_WHERE and not about:
        return None
    if cand.feature_class == "country" and loc.role not in _COUNTRY_ROLES:
        return None  # "into China", "sanctions on North Korea": not where it happened
    score = _ROLE_WEIGHT.get(loc.role, 1.5)
    if _told_where(loc, cue):
        score = max(score, _ROLE_WEIGHT["at"])  # "returned to Sinuiju, where they were stored"
    if loc.role in ("from", "left") and itype is not None and itype.type in _ORIGIN_TYPES:
        # people or goods crossing "from X": X is the crossing point; a ship that "left X"
        # (not where it later lay "off Y" or unloaded, even near the cue): where the voyage
        # began
        score = 2.5 if loc.role == "from" else 4.0
    elif loc.role == "through" and loc.en_route:
        if not _facility(loc.place):
            score = 0.5  # "from Sinuiju to Kaesong, passing through Pyongyang": on the way
        elif itype is not None and itype.type == "transport":
            score = 1.5  # "trucks ran from Rajin to Hunchun over the bridge": began at Rajin
    if cand.feature_class in SETTLEMENT_CLASSES:
        score += 3.0
    elif cand.feature_class in _AREA_CLASSES:
        score += 1.0
    elif cand.feature_class not in ("country", "river"):
        score += 1.5
    if cue is not None and min(abs(loc.start - cue.end()), abs(cue.start() - loc.end)) <= 60:
        score += 1.0
    if itype is not None and itype.type == "trade_order" and cue is not None:
        score += 1.5 * (loc.end <= cue.start())  # the firm that orders, not the supplier
    return score + 0.5 * max(0.0, min(1.0, loc.place.confidence))


#: "North Korea sealed its borders", "China has shut its border": what closed is the area.
_AREA_CLOSES_ITS_BORDER = re.compile(
    r"\s+(?:(?:has|had|have|abruptly|suddenly|then|again|effectively)\s+){0,2}"
    r"(?:sealed|shut|closed|locked\s+down)\s+(?:off\s+)?(?:its|their)\s+(?:\w+\s+)?borders?\b",
    re.IGNORECASE,
)


def _told_where(loc: _Located, cue: re.Match[str] | None) -> bool:
    """The event is told in a ", where" clause after the mention."""
    return loc.where and cue is not None and cue.start() > loc.end


def _best_place(
    located: Sequence[_Located],
    cue: re.Match[str] | None,
    itype: IncidentType | None = None,
    *,
    destinations: bool = True,
    aside: Sequence[tuple[int, int]] = (),
) -> tuple[Place, float] | None:
    """The mention that best says where the event happened.

    ``destinations=False`` leaves out "bound for X", "to X" (tried before a site or "there").
    A mention inside an ``aside`` (a subordinate clause the cue is not in: "a vessel that had
    called at Rajin was detained in Vladivostok") counts less.
    """
    cue_aside = cue is not None and _inside(cue.start(), aside)
    scored = [
        (s - (_ASIDE_PENALTY if not cue_aside and _inside(loc.start, aside) else 0.0), n, loc)
        for n, loc in enumerate(located)
        if (destinations or loc.role not in _DESTINATION_ROLES or _told_where(loc, cue))
        and (s := _place_score(loc, cue, itype))
    ]
    if not scored:
        return None
    score, _, loc = max(scored, key=lambda x: (x[0], -x[1]))
    return loc.place, score


_ASIDE_PENALTY = 1.0


def _zone_instead(
    text: str, located: Sequence[_Located], best: tuple[Place, float] | None
) -> tuple[Place, float] | None:
    """In "crossed the MDL ... in the sector north of Paju" the event is in the zone.

    A town named only to say which stretch of a band-shaped zone is meant (a compass word
    before it) gives way to the zone, placed on its line on that side of the town
    (:func:`geo.zones.point_on_zone_near`, geo_precision 2). "two kilometres north of
    Panmunjom" measures from the place, which stays.
    """
    town = next((loc for loc in located if best and loc.place is best[0]), None)
    before = _window(text, town.start) if town and _settlement(town.place) else ""
    compass = _COMPASS_OF.search(before)
    if not compass or _DISTANCE_END.search(before, 0, compass.start()) or town is None:
        return best
    for loc in located:
        zone = loc.place.candidate
        point = zone and not loc.reporting and point_on_zone_near(
            zone, town.place.candidate, compass.group(1).lower())  # fmt: skip
        if point:
            at = replace(zone, lat=point[0], lon=point[1], estimate=True, precision=2)
            why = f"on the line {compass.group(1).lower()} of {town.place.name}"
            return replace(loc.place, candidate=at, geo_precision=2, anchor=town.place,
                           reason=f"{loc.place.reason}; {why}"), best[1]  # fmt: skip
    return best


_COMPASS_OF = re.compile(rf"\b({'|'.join(AZIMUTHS)})\s+of\s+(?:the\s+)?$", re.IGNORECASE)
_DISTANCE_END = re.compile(r"\b(?:km|kilomet(?:re|er)s?|miles?|met(?:re|er)s?|m)\s*$", re.I)


_DESTINATION_ROLES = frozenset({"to", "back to", "toward", "towards"})
_WATER_CLASSES = frozenset({"river", "lake", "sea"})
_STORY_REACH = 3  # sentences
_VAGUE_CLASSES = _WATER_CLASSES | {"country"}


def _reported_place(
    located: Sequence[_Located], *, settlements: bool
) -> tuple[Place, float] | None:
    """The place of the source when the event itself names none.

    "A Fengcheng processor said it had placed an order", "a second source in Kapsan said a
    dealer was arrested": the source's town is the best guess (a low score). With
    ``settlements`` only towns and crossings count, else also provinces.
    """
    classes = SETTLEMENT_CLASSES if settlements else SETTLEMENT_CLASSES | _AREA_CLASSES
    for loc in located:
        cand = loc.place.candidate
        usable = loc.reporting and not loc.dateline and not loc.venue
        if usable and cand is not None and cand.feature_class in classes:
            return loc.place, 0.5
    return None


# ----------------------------------------------------------------------------- dates


#: A dateline without a date, "SEOUL — ", "HUNCHUN -": where the report was filed.
_PLACE_DATELINE = re.compile(r"^\s*[A-Z][A-Z'.-]+(?:[ ,]+[A-Z][A-Za-z'.-]+){0,3}\s+(?:—|–|--)\s")

#: A wire dateline, "SEOUL, Sept. 8 (Yonhap) --", "SEOUL, Oct. 2 Kyodo —": its date is the
#: report's, not the event's.
_DATELINE = re.compile(
    r"^\s*[A-Z][A-Z .'-]+(?:,\s*[A-Z][A-Za-z .'-]+)?,\s+[^()—–]{3,30}?\s*"
    r"(?:\([A-Za-z .]+\)\s*(?:--|-|–|—)|(?:--|–|—|\s-\s))"
)


def _when_told(text: str, span: DateSpan) -> bool:
    """The date is when the news was told: "told Daily NK on Tuesday", "today called on"."""
    return bool(
        _REPORTED_ON.search(_window(text, span.start_char, 60))
        or (_NEWS_DAY.fullmatch(span.text) and _TELLS.match(text, span.end_char))
    )


#: "The network today called on ...", "Police on Tuesday said ...": when it was told
_NEWS_DAY = re.compile(
    r"(?:on\s+)?(?:today|yesterday|monday|tuesday|wednesday|thursday|friday|saturday|sunday)",
    re.IGNORECASE,
)
_TELLS = re.compile(
    r"\s+(?:said|says|called\s+(?:on|for)|urged|announced|reported|told|published|released"
    r"|confirmed|warned|issued|stated)\b",
    re.IGNORECASE,
)


def _header_end(text: str, spans: Sequence[DateSpan]) -> int:
    """Where a post's header ends ("@user (10 Oct, 22:11):", "4 March, Brother Song:"), else 0."""
    header = _POST_HEADER.match(text)
    if header is not None:
        return header.end()
    first = spans[0] if spans else None
    if first is not None and first.start_char <= 1:
        speaker = _NAMED_SPEAKER.match(text, first.end_char)
        return speaker.end() if speaker is not None else 0
    return 0


def _paragraph_head(article: Article, sentence: Sentence) -> Sentence | None:
    """The first sentence of a body sentence's paragraph."""
    if sentence.section != "body":
        return None
    return next(
        (s for s in article.sentences if s.paragraph == sentence.paragraph and s.section == "body"),
        None,
    )


def _posted_day(article: Article, sentence: Sentence) -> date | None:
    """The day in the header of the post a sentence belongs to (its paragraph's first)."""
    return _header_day(article, _paragraph_head(article, sentence))


def _header_day(article: Article, first: Sentence | None) -> date | None:
    """The day in a paragraph's first sentence's post header, if it has one."""
    if first is None:
        return None
    spans = _dates(first.text, article.published, article.published_inferred)
    end = _header_end(first.text, spans)
    days = [d.start for d in spans if d.end_char <= end and d.precision == "day"]
    return days[0] if end and days else None


#: "@jilin_truckers (10 Oct, 22:11):", "Mr Pak (March 2019):": who wrote or spoke, and when
_POST_HEADER = re.compile(r"^\s*@?[\w.’'-]+(?:\s+[\w.’'-]+){0,2}\s*\([^()]{3,40}\)\s*:")
#: "4 March, Brother Song:" after the day that opens a chat message
_NAMED_SPEAKER = re.compile(r"\s*,\s*[A-Z][\w.’'-]*(?:\s+[\w.’'-]+){0,3}\s*:\s")


#: "told Daily NK on Tuesday", "said Monday" — not "said a dealer was arrested on May 9".
_REPORTED_ON = re.compile(
    r"\b(?:told|tells|said|says|reported|added|announced|stated|confirmed)\b"
    r"(?:\s+(?!(?:was|were|is|are|had|has|have|been|that)\b)[\w'’.-]+(?<!ed)){0,4}\s*$",
    re.IGNORECASE,
)


@lru_cache(maxsize=4096)
def _dates(text: str, reference: date | None, inferred: bool) -> tuple[DateSpan, ...]:
    """:func:`geo.dates.dates_from_text`, remembered: a clause's dates are asked for often."""
    return tuple(dates_from_text(text, reference=reference, reference_inferred=inferred))


def _sentence_dates(article: Article, sentence: Sentence) -> list[DateSpan]:
    """Dates of a sentence; resolved ones only when there are any, never the dateline's."""
    reference, inferred = article.published, article.published_inferred
    entry = _entry_day(article, sentence)
    if entry is not None:  # "9 March. Uncle's partner carried copper over the ice tonight."
        reference, inferred = entry, False
    anaphoric = _ANAPHORIC_TIME.search(sentence.text)
    told = None if anaphoric is None else _narrative_time(article, sentence)
    if told is not None and anaphoric is not None:
        # "the previous autumn" is the one before the story's time, "that autumn" its own;
        # a year in the same sentence is the season's own ("..., which we date to 2017")
        own, told = told
        that = own or anaphoric.group(1).lower() == "that"
        reference, inferred = (told.end if that else told.start), False
    spans = list(_dates(sentence.text, reference, inferred))
    dateline = _DATELINE.match(sentence.text)
    if dateline is not None:
        spans = [d for d in spans if d.start_char >= dateline.end()]
    # "told Daily NK on Tuesday that …": the date of the telling, not of the event
    spans = [d for d in spans if not _when_told(sentence.text, d)]
    header = _header_end(sentence.text, spans)
    if header and (
        any(d.start_char >= header for d in spans) or _SAME_DAY.search(sentence.text, header)
    ):  # "@user (10 Oct, 22:11): on October 3 a woman waded across": when it was posted
        spans = [d for d in spans if d.start_char >= header]
    kept = [d for d in spans if d.start is not None or d.text]
    if entry is None:
        kept = [_in_month_told(article, sentence, d) if _ORDINAL_DAY.search(d.text) else d
                for d in kept]  # fmt: skip
    if any(d.start is not None for d in kept):
        kept = [d for d in kept if d.start is not None]  # "on Tuesday … on the 14th of March"
    that = _anaphoric_year(article, sentence)
    if that is not None and kept:  # "in late February of that year": the story's year
        year = that.start.year  # type: ignore[union-attr]
        kept = [(span_in_year(d, year) or d) if d.inferred else d for d in kept]
    elif that is not None:
        kept = [that]
    elif anaphoric is None:
        kept = _in_story_year(article, sentence, kept)
    if entry is not None and not kept and not _SAME_DAY.search(sentence.text):
        # "Tuesday 9 April. … The mineral water is confiscated." (not "two days later")
        kept = [DateSpan(entry, entry, "day")]
    return sorted(kept, key=lambda d: d.start_char)


def _in_month_told(article: Article, sentence: Sentence, span: DateSpan) -> DateSpan:
    """Move "on the 19th" to the first 19th after the last day told before it.

    "On March 3, two men were caught ... They were sentenced in Hyesan on the 19th" is
    March 19. With no day told in the sentence or the five before, the span stays in the
    publication's month.
    """
    ref = article.published, article.published_inferred
    own = [d for d in _dates(sentence.text, *ref) if d.end_char <= span.start_char]
    recent = islice(_body_before(article, sentence), _RELATIVE_REACH)
    earlier = (_dates(s.text, *ref) for s in recent)
    for spans in chain([own], earlier):
        days = [d.start for d in spans if d.precision == "day" and d.start is not None
                and not _ORDINAL_DAY.search(d.text)]  # fmt: skip
        if days:
            base = days[-1]
            day = int(_ORDINAL_DAY.search(span.text).group(1))  # type: ignore[union-attr]
            later = date(base.year + base.month // 12, base.month % 12 + 1, 1)  # next month
            for month in (base, later):
                if day <= calendar.monthrange(month.year, month.month)[1]:
                    moved = month.replace(day=day)
                    if moved >= base:
                        return replace(span, start=moved, end=moved)
            return span
    return span


_ORDINAL_DAY = re.compile(r"\bthe\s+(\d{1,2})(?:st|nd|rd|th)$")


def _entry_day(article: Article, sentence: Sentence) -> date | None:
    """The day a diary or log entry's heading gives to the sentences of its paragraph.

    The heading is the paragraph's first sentence and says only a day, perhaps with a
    weekday and a place: "9 March.", "Friday, 4 March 2016.", "20 April, Helong."
    """
    heading = _paragraph_head(article, sentence)
    posted = _header_day(article, heading)
    if posted is not None:
        return posted
    if heading is None or heading.start_char >= sentence.start_char:
        return None
    days = [d for d in _dates(heading.text, article.published, article.published_inferred)
            if d.precision == "day"]  # fmt: skip
    if len(days) != 1:
        return None
    return days[0].start if _only_the_time(heading.text, days[0], place=True) else None


def _only_the_time(text: str, span: DateSpan, *, place: bool = False) -> bool:
    """The sentence says nothing but ``span`` ("In 2019.", "A: That was in 2018.").

    With ``place``, the place it was written may follow the date ("20 April, Helong.").
    """
    after = _HEADING_PLACE.sub("", text[span.end_char :]) if place else text[span.end_char :]
    return bool(_TIME_ONLY.fullmatch(_SPEAKER.sub("", text[: span.start_char] + " " + after)))


#: ", Helong." or " — Khasan." after an entry's day: where it was written
_HEADING_PLACE = re.compile(r"^\s*(?:,|—|–|--?)\s*[A-Z][\w'’-]*(?:[\s-][A-Z][\w'’-]*){0,2}(?=\W*$)")


def _in_story_year(article: Article, sentence: Sentence, spans: list[DateSpan]) -> list[DateSpan]:
    """Move year-less dates into the year a sentence that only sets the time gave before.

    "In 2019. In the first week of August a special unit took over the riverbank." is
    August 2019, not the August before publication. Only the latest sentence naming a
    year counts, and only when it says nothing else: after "Sanctions tightened in 2017."
    a year-less day still belongs to the publication year.
    """
    yearless = [d for d in spans if d.inferred and d.start is not None
                and not _RELATIVE_WORD.search(d.text)]  # fmt: skip
    if not yearless:
        return spans
    found = _year_told(article, (s.text for s in _body_before(article, sentence)))
    if found is None or not _only_the_time(found[1], found[2]):
        return spans
    year = found[2].start.year  # type: ignore[union-attr]
    return [(span_in_year(d, year) or d) if d in yearless and d.start.year > year else d
            for d in spans]  # type: ignore[union-attr]  # fmt: skip


# "[00:02:47] Pak:" or "Q:" before what a speaker says
_SPEAKER = re.compile(r"^\s*(?:\[[^\]]*\]\s*)?(?:[A-Z][\w .]{0,20}:\s*)?")
# what else a sentence that only sets the time says: "In 2019.", "That was in the summer of
# 2018.", "Friday, 4 March 2016."
_TIME_ONLY = re.compile(
    r"\W*(?:(?:in|it|that|this|was|the|of|during|by|around|back|then|so|and|monday|tuesday"
    r"|wednesday|thursday|friday|saturday|sunday)\b\W*)*",
    re.IGNORECASE,
)
_RELATIVE_WORD = re.compile(
    r"\b(?:last|this|next|ago|earlier|later|past|previous|coming|yesterday|today|tomorrow"
    r"|tonight|recent(?:ly)?)\b",
    re.IGNORECASE,
)


_ANAPHORIC_YEAR = re.compile(
    r"\b(?:(that|the same)|(the previous|the preceding))\s+year\b|\bthe year before\b",
    re.IGNORECASE,
)
_BARE_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def _anaphoric_year(article: Article, sentence: Sentence) -> DateSpan | None:
    """Return the year of "that year" (the story's) or "the previous year" (the one before).

    The year is a bare one written earlier in the sentence ("a 2019 police file: that
    year, officers ..."), else the story's time (:func:`_narrative_time`).
    """
    m = _ANAPHORIC_YEAR.search(sentence.text)
    if m is None:
        return None
    bare = _BARE_YEAR.findall(sentence.text, 0, m.start())
    told = _narrative_time(article, sentence)
    if bare:
        year = int(bare[-1])
    elif told is not None:
        year = told[1].start.year  # type: ignore[union-attr]
    else:
        return None
    year -= 0 if m.group(1) else 1
    return DateSpan(date(year, 1, 1), date(year, 12, 31), "year", True, m.group(0),
                    m.start(), m.end())  # fmt: skip


_ANAPHORIC_TIME = re.compile(
    r"\b(?:the\s+)?(previous|preceding|that)\s+(?:spring|summer|autumn|fall|winter)\b",
    re.IGNORECASE,
)


def _body_before(article: Article, sentence: Sentence) -> Iterator[Sentence]:
    """The body sentences before ``sentence``, nearest first."""
    return (
        s for s in reversed(article.sentences)
        if s.section == "body" and s.end_char <= sentence.start_char
    )  # fmt: skip


def _narrative_time(article: Article, sentence: Sentence) -> tuple[bool, DateSpan] | None:
    """The date with a year of its own that the sentence gives, else the latest one before.

    Returns whether the date is the sentence's own, and the date.
    """
    earlier = (s.text for s in _body_before(article, sentence))
    found = _year_told(article, chain([sentence.text], earlier))
    return None if found is None else (found[0] == 0, found[2])


def _year_told(article: Article, texts: Iterable[str]) -> tuple[int, str, DateSpan] | None:
    """The first of ``texts`` with a date naming its year: its position, text and last such date."""
    for n, text in enumerate(texts):
        spans = _dates(text, article.published, article.published_inferred)
        given = [d for d in spans if d.start is not None and not d.inferred]
        if given:
            return n, text, given[-1]
    return None


def _clause_dates(article: Article, sentence: Sentence, cue_start: int) -> list[DateSpan]:
    """Return the sentence's dates, without those of a subordinate clause.

    Only when the cue is in the main clause: "running factories ..., that was shuttered
    last year" keeps no date. A cue inside a subordinate clause takes that clause's dates
    when it has any ("empty in imagery from August 29, consistent with reports that the
    crossing has been closed since early August").
    """
    spans = _sentence_dates(article, sentence)
    clauses = _subordinate_spans(sentence.text)
    own = [c for c in clauses if c[0] <= cue_start < c[1]]
    if own:
        return [d for d in spans if _inside(d.start_char, own)] or spans
    spans = [d for d in spans if not _inside(d.start_char, clauses)]
    # "empty in imagery from August 29, consistent with reports that the crossing has been
    # closed since early August": the reported content's own date
    content = [p for p in _reported_content(sentence.text) if p < cue_start]
    return [d for d in spans if content and d.start_char > content[-1]] or spans


def _reported_content(text: str) -> list[int]:
    """Where a "that" after a reporting verb opens reported content ("reports that ...")."""
    return [
        m.start(1)
        for m in _SUBORDINATE.finditer(text)
        if m.group(1).lower() == "that" and _COMPLEMENT.search(_window(text, m.start(1), 90))
    ]


def _event_dates(spans: Sequence[DateSpan], text: str) -> list[DateSpan]:
    """Dates of one event: all dates of a list ("Sept. 28 and Oct. 2"), else the first."""
    if not spans:
        return [_UNKNOWN_DATE]
    listed = [spans[0]]
    for prev, cur in zip(spans, spans[1:], strict=False):
        between = text[prev.end_char : cur.start_char]
        if not re.fullmatch(r"\s*(?:,|and|or|&|,\s*and|,\s*or)\s*", between, re.IGNORECASE):
            break
        if re.search(r"\b(?:from|between)\s*$", text[: spans[0].start_char], re.IGNORECASE):
            break  # "from Sept. 1 and ..." is one range, not a list
        listed.append(cur)
    unique: list[DateSpan] = []
    for d in listed:
        if all(_date_key(d) != _date_key(u) for u in unique):
            unique.append(d)
    return unique


def _date_key(span: DateSpan | None) -> tuple[object, ...] | None:
    """Identity of a date: its days, or its words when the year is unknown; None if no date."""
    if span is None:
        return None
    if span.start is not None:
        return (span.start, span.end)
    text = re.sub(r"\W+", " ", span.text).strip().lower()
    return ("text", text) if text else None


def _date_label(span: DateSpan | None) -> str:
    if span is None or span.start is None:
        if span is None or not span.text:
            return "date unknown"
        return (
            f"{span.text}, year unknown"
            if re.search(r"\d", span.text)
            else f"{span.text}, unresolved"
        )
    if span.precision == "day" or span.end in (None, span.start):
        return span.start.isoformat()
    if span.precision == "month":
        return span.start.strftime("%Y-%m")
    if span.precision == "year":
        return str(span.start.year)
    return f"{span.start.isoformat()} – {span.end.isoformat()}"


def _known(span: DateSpan | None) -> bool:
    """Tell whether the span says when (its days, or at least its words)."""
    return _date_key(span) is not None


# ----------------------------------------------------------------------------- actors, quantities

_ORG_HEADS = (
    r"Company|Corporation|Corp\.?|Group|Bureau|Ministry|Committee|Department|Agency|"
    r"Trading Co\.?|Commission|Administration|Office|Council|Party|Army|Navy|Police|"
    r"Command|Enterprise|Factory|Trust|Association|Bank|Customs|Guard"
)
_ORG = re.compile(
    rf"\b((?:[A-Z0-9][\w&'’.-]*\s+){{0,5}}(?:{_ORG_HEADS})\b"
    r"(?:\s+of\s+(?:the\s+)?[A-Z][\w'’-]*(?:\s+(?:and\s+)?[A-Z][\w'’-]*){0,4})?)"
)
_GENERIC_ACTORS = re.compile(
    r"\b((?:(?:North Korean|South Korean|Chinese|Russian|local|provincial|state|military|"
    r"army-run|army|police|security|customs|border)\s+){0,2}"
    r"(?:border guards?|guards|customs (?:officials?|officers?|posts?|authorities|agents)|"
    r"customs|authorities|traders|trader|smugglers?|soldiers|the army|police(?:men)?|"
    r"security (?:forces|agents|officials|services)|brokers?|defectors|merchants|"
    r"officials|workers|army))\b",
    re.IGNORECASE,
)
_QUALIFIED_ACTORS = re.compile(
    r"\b((?:North Korean|South Korean|Chinese|Russian|state-run|state|army-run|military|"
    r"trading|local|foreign)\s+(?:firms?|companies|company|manufacturers?|enterprises?|"
    r"factories|factory|traders|merchants))\b",
    re.IGNORECASE,
)
_NOT_ACTORS = re.compile(
    r"\b(?:RFA|Radio Free Asia|Reuters|Yonhap|News|Service|Agency France|AFP|Associated)\b"
)
_LEADING = re.compile(
    r"^(?:(?:The|A|An|This|That|Its|Their)\s+|[A-Z][\w-]*(?:\s+[A-Z][\w-]*)*['’]s\s+)+"
)


def actors_from_text(text: str) -> list[str]:
    """Organisations and groups named in a sentence.

    Parameters
    ----------
    text
        One sentence.

    Returns
    -------
    actors
        Named organisations ("<Name> Company", "Ministry of State Security") and generic
        groups ("North Korean border guards", "Chinese customs post"), longest form only,
        in text order.

    Examples
    --------
    >>> actors_from_text("The Sinuiju Trading Company paid border guards.")
    ['Sinuiju Trading Company', 'border guards']
    """
    found: list[tuple[int, str]] = []
    for m in _ORG.finditer(text):
        name = _LEADING.sub("", m.group(1).strip())
        if " " in name and not _NOT_ACTORS.search(name):
            found.append((m.end(1) - len(name), name))
    for m in _QUALIFIED_ACTORS.finditer(text):
        found.append((m.start(1), m.group(1)))
    for m in _GENERIC_ACTORS.finditer(text):
        name = m.group(1).strip()
        if name.lower() in {"army", "workers"} and not re.search(r"\bthe army\b", name, re.I):
            continue
        found.append((m.start(1), name))
    found.sort()
    actors: list[str] = []
    for _, name in found:
        low = name.lower()
        if any(low in a.lower() for a in actors):
            continue
        actors = [a for a in actors if a.lower() not in low]
        actors.append(name)
    return actors


_NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
    r"eighty|ninety|hundreds?|thousands?|dozens?|a dozen|a hundred|a thousand|several dozen"
)
_MONEY = re.compile(
    r"(?:US)?\$\s?\d+(?:,\d{3})*(?:\.\d+)?(?:\s?(?:million|billion|thousand|m|bn)\b)?|"
    r"\b\d+(?:,\d{3})*(?:\.\d+)?\s?(?:million|billion|thousand)?\s?"
    r"(?:dollars|yuan|won|rubles|roubles|euros|RMB)\b"
)
_NUMBER = re.compile(
    rf"(?<![\w:$.,])(?:\d+(?:,\d{{3}})*(?:\.\d+)?(?:\s(?:million|billion|thousand))?|(?:{_NUMBER_WORDS})"
    rf"(?:[\s-](?:{_NUMBER_WORDS}))?(?:\s(?:million|billion))?)(?![\w:]|\.\d|,\d)",
    re.IGNORECASE,
)
_UNITS = re.compile(
    r"^(?:tons?|tonnes?|kg|kilograms?|kilos?|grams?|barrels?|boxes|box|containers?|bags?|"
    r"sacks?|loads?|truckloads?|cartons?|crates?|pieces?|units?|liters?|litres?|meters?|"
    r"metres?|km|kilometers?|kilometres?|head)$",
    re.IGNORECASE,
)
_TIME_UNITS = re.compile(
    r"^(?:seconds?|minutes?|hours?|days?|nights?|weeks?|months?|years?|decades?|dates?|times?|"
    r"a\.m\.?|p\.m\.?|am|pm|o'clock|mornings?|evenings?|occasions?|percent|per|halves|sides|"
    r"ways|koreas|nations|countries|parties)$",
    re.IGNORECASE,
)
_DEMONYMS = frozenset(
    {"Chinese", "Korean", "Koreans", "Russian", "Russians", "Japanese", "North", "South"}
)
_MONTH_BEFORE = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s*$", re.IGNORECASE
)
_TIME_WORDS = frozenset({"last", "next", "later", "earlier", "ago", "previous", "every", "each"})
_QUALIFIER = re.compile(
    r"\b(?:more than|less than|fewer than|at least|at most|up to|about|around|nearly|almost|"
    r"over|some|roughly|approximately)\s+$",
    re.IGNORECASE,
)
_STOP = frozenset(
    "a an the of for in at to and or but was were is are be been has have had that which who "
    "with from on by as into than then this these those it its their his her they he she "
    "would will could should can may might per each more most less about after before "
    "since until while when where so not no".split()
)


def quantities_from_text(text: str) -> list[str]:
    """Find number + unit phrases as written ("five 15-ton trucks", "$2 million").

    Parameters
    ----------
    text
        One sentence.

    Returns
    -------
    quantities
        In text order; durations ("ten days"), times and years are left out.

    Examples
    --------
    >>> quantities_from_text("It used five 15-ton trucks for ten days at 3:00 a.m.")
    ['five 15-ton trucks']
    """
    found: list[tuple[int, int, str]] = [
        (m.start(), m.end(), m.group(0)) for m in _MONEY.finditer(text)
    ]
    for m in _NUMBER.finditer(text):
        if any(a <= m.start() < b for a, b, _ in found):
            continue
        if re.fullmatch(r"(?:19|20)\d\d", m.group(0)) or _MONTH_BEFORE.search(
            _window(text, m.start(), 12)
        ):
            continue  # a year or a day of a month
        phrase_end = _noun_phrase_end(text, m.end())
        if phrase_end is not None:
            qualifier = _QUALIFIER.search(_window(text, m.start(), 24))
            start = m.start() - (len(qualifier.group(0)) if qualifier else 0)
            found.append((start, phrase_end, text[start:phrase_end]))
    return [q for _, _, q in sorted(found)]


def _noun_phrase_end(text: str, pos: int) -> int | None:
    """End offset of the (at most three-word) noun phrase counted by a number at ``pos``."""
    words = list(re.finditer(r"[\s-]?([A-Za-z0-9][\w'’.-]*)", text[pos : pos + 60]))
    kept: list[re.Match[str]] = []
    for w in words:
        token = w.group(1).rstrip(".")
        if kept and w.start() != kept[-1].end() or not kept and w.start() != 0:
            break  # punctuation in between
        capital = token[:1].isupper() and token not in _DEMONYMS
        if token.lower() in _STOP or capital or len(kept) == 3:
            break
        if _TIME_UNITS.match(token):
            if kept and kept[-1].group(1).lower() in _TIME_WORDS:
                break  # "300 smartphones last week"
            return None  # "ten days", "two separate dates": a duration or count of times
        kept.append(w)
        if _UNITS.match(token):
            end = pos + w.start(1) + len(token)
            of = re.match(r"\s+of\s+([a-z][\w-]*)", text[end:])
            return end + of.end() if of else end
    while kept and (
        re.search(r"(?:ing|ed|ly)$", kept[-1].group(1))
        and not _plural(kept[-1])
        or kept[-1].group(1).lower() in _TIME_WORDS
    ):
        kept.pop()
    if not kept:
        return None
    last = kept[-1]
    return pos + last.start(1) + len(last.group(1).rstrip("."))


def _plural(word: re.Match[str]) -> bool:
    return word.group(1).endswith(("ings",))


# ----------------------------------------------------------------------------- incidents


@dataclass(slots=True)
class _Draft:
    type: IncidentType
    place: Place | None
    date: DateSpan
    sentence: int
    excerpt: str
    actors: list[str]
    quantities: list[str]
    confidence: float
    place_score: float
    position: int = 0  # offset of the date (or clause) within the sentence
    tentative: bool = False  # placed only by its source and undated: kept only if dated later


def incidents_from_places(
    article: Article,
    places: Sequence[Place],
    *,
    incident_types: Iterable[IncidentType] | str | Path | None = None,
) -> list[Incident]:
    """Find the incidents of one article and locate each at the place where it happened.

    Parameters
    ----------
    article
        A cleaned article with sentences.
    places
        The article's places (from :func:`geo.geocode.places_from_toponyms`).
    incident_types
        The vocabulary, as records or a CSV path. Default: ``data/incident_types.csv``.

    Returns
    -------
    incidents
        In text order, ids ``"<article_id>-i001"`` …; an incident with a date but no
        usable place has ``place=None``.
    """
    if not isinstance(article, Article):
        msg = f"'article' should be an Article, got {type(article).__name__}"
        raise TypeError(msg)
    types = [t for t in _as_types(incident_types) if t.pattern is not None]
    by_sentence = _mentions_by_sentence(places)
    crossings = _crossing_mentions(places)
    sites = sorted(
        (
            (m.start_char, m.end_char, p)
            for p in places
            if _settlement(p) or _area(p)
            for m in p.mentions
        ),
        key=lambda x: x[0],
    )
    drafts: list[_Draft] = []
    previous: _Draft | None = None
    body_prev: int | None = None
    for idx, sentence in enumerate(article.sentences):
        if sentence.section != "body":
            continue
        items = _sentence_items(sentence, idx, by_sentence, crossings)
        before = {_date_key(d.date) for d in drafts if d.sentence == body_prev}
        earlier = None
        anaphoric, entry = _is_anaphoric(sentence.text), _timeline_entry(sentence.text)
        for n, clause in enumerate(_event_clauses(sentence, types)):
            inside = _in_clause(items, clause)
            context = _Context(idx, body_prev, anaphoric, n > 0, len(before) == 1, earlier, entry)
            new = _drafts_from_clause(article, clause, context, inside, types, previous, sites)
            drafts.extend(new)
            earlier = next((d.date for d in reversed(new) if _known(d.date)), earlier)
            if new and new[-1].place is not None:
                previous = new[-1]
        body_prev = idx
    _dates_told_next(article, drafts)
    _dates_told_before(article, drafts)
    _places_told_next(drafts, _main_place(article, sites))
    drafts = [d for d in drafts if not d.tentative or _known(d.date)]
    incidents = _number(article, _deduplicate(drafts))
    logger.info("Found %d incidents in article %r", len(incidents), article.article_id)
    return incidents


#: The next sentence tells when: 'the bureau has detained three people. "On November 18 they
#: took a woman …"' — a sentence that opens with its date and reports no event of its own.
_OPENS_WITH_DATE = re.compile(
    r"^[\s“”\"'‘’(]*(?:on|in|early on|late on|at dawn on)\s", re.IGNORECASE
)


def _dates_told_next(article: Article, drafts: list[_Draft]) -> None:
    """Give an undated incident the date that opens the next sentence, if that one has no event."""
    with_events = {d.sentence for d in drafts}
    for i, draft in enumerate(drafts):
        if _known(draft.date):
            continue
        nxt = draft.sentence + 1
        if nxt >= len(article.sentences) or nxt in with_events:
            continue
        sentence = article.sentences[nxt]
        if sentence.section != "body" or not _OPENS_WITH_DATE.match(sentence.text):
            continue
        spans = [d for d in _sentence_dates(article, sentence) if d.start is not None]
        if len(spans) == 1 and spans[0].start_char < 20:
            drafts[i] = replace(draft, date=spans[0])


def _dates_told_before(article: Article, drafts: list[_Draft]) -> None:
    """Give an undated incident the one date of the sentence just before, if that tells none.

    "Worse came in late February of that year. Pak was arrested in Hoeryong."
    """
    with_events = {d.sentence for d in drafts}
    for i, draft in enumerate(drafts):
        before = draft.sentence - 1
        if _known(draft.date) or draft.tentative or before < 0 or before in with_events:
            continue  # a source's talk ("smuggling has increased") is not dated by this
        sentence = article.sentences[before]
        if sentence.section != "body" or len(sentence.text) > _SHORT_SENTENCE:
            continue
        spans = [d for d in _sentence_dates(article, sentence) if d.start is not None]
        if len(spans) == 1:
            drafts[i] = replace(draft, date=spans[0])


_SHORT_SENTENCE = 80  # characters: a sentence that only sets the time


def _places_told_next(drafts: list[_Draft], main: Place | None = None) -> None:
    """Give a dated incident that names no place the place of the next one nearby.

    "On January 14 guards fired warning shots at a man wading across the Tumen. Two days
    later agents arrested his brother in Hoeryong." — the story is in Hoeryong. With no
    incident nearby, the article's own town (``main``: its dateline's, or the town it names
    most) is the best guess.
    """
    for i, draft in enumerate(drafts):
        if draft.place is not None or not _known(draft.date):
            continue
        nxt = next((d for d in drafts[i + 1 :] if d.place is not None), None)
        near = nxt is not None and 0 < nxt.sentence - draft.sentence <= _STORY_REACH
        place = nxt.place if near and nxt is not None else main
        if place is not None:
            confidence = _confidence(draft.type, place, 0.0, True, draft.date)
            drafts[i] = replace(draft, place=place, confidence=confidence)


def _main_place(article: Article, sites: Sequence[tuple[int, int, Place]]) -> Place | None:
    """Return the town an article is about.

    Its dateline's, else the settlement it names most (twice or more, and more often than any
    other).
    """
    dateline = _dateline_place(article, sites)
    if dateline is not None:
        return dateline
    counts = Counter(id(p) for _, _, p in sites if _settlement(p))
    ranked = counts.most_common(2)
    if not ranked or ranked[0][1] < 2 or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
        return None
    return next(p for _, _, p in sites if id(p) == ranked[0][0])


#: A definite site without a name refers to the place of the previous incident.
#: Sites an article names once and then calls "the <site>".
_SITE_NOUNS = "warehouse|depot|storehouse|market|factory|mine|yard|plant|workshop"
_DEFINITE_SITE = re.compile(
    rf"\bthe (?:same )?(?:{_SITE_NOUNS}|factories|landing|boats?|trucks?|shipment|cargo|goods)\b",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(r",?\s+but\s+(?!also\b)|;\s+")
_SITE_NOUN = re.compile(
    rf"\bthe (?:same )?({_SITE_NOUNS}|laboratory|compound|farm|shop|port|station|complex|"
    r"harbou?r|industrial zone|park|court|restaurant|hotel|guesthouse|hospital|camp)\b",
    re.IGNORECASE,
)


_SITE_THEN_PLACE = re.compile(r"[^.;]*?\s(?:in|at|near|of)\s+")  # "factory in Kanggye"
#: "Kanggye's garment factory"
_PLACE_THEN_SITE = re.compile(
    r"(?:['’]s)?(?:\s*\([^)]{1,20}\))?(?:,\s+(?:the|a|an))?(?:\s+[a-z][\w-]*){0,2}\s+"
)  # also "the Kaesong Industrial Complex, the joint factory park"


_DEICTIC = re.compile(
    r"\b(?:the|this) (?:[A-Z][\w-]+ )?(?:port |border |riverside )?"
    r"(?P<noun>(?-i:city|town|county|village|province|zone))\b(?!\s+of\b)"  # not "Linjiang City"
    r"|\bthere\b",
    re.IGNORECASE,
)
#: "there was", "and there were": "there" says nothing is somewhere, not where ("the bank
#: there was fenced" is a place).
_EXISTENTIAL = re.compile(
    r"(?:^|[,;:.“”\"(—–-]|\b(?:and|but|or|that|because|since|when|if|as|said|says|say|so|then|"
    r"while|where|though|although|after|before|until|now|whether|once|again)"
    r")\s*there\s+(?:is|are|was|were|has|have|had|will|would|may|might|seems?|used|could)\b",
    re.IGNORECASE,
)
_DEICTIC_CLASSES = {
    "city": {"city"},
    "town": {"town", "city"},
    "county": {"county", "town"},
    "village": {"village", "town"},
    "province": {"province"},
    "zone": {"city", "province", "region", "industrial_zone"},  # "the zone's only casino"
}


def _deictic_place(
    article: Article,
    clause: Sentence,
    sites: Sequence[tuple[int, int, Place]],
    previous: _Draft | None,
) -> tuple[Place, float] | None:
    """Return the town meant by "below the city", "port officials there", "this border city".

    The previous incident's place if it is of the kind named, else the last such town
    named before the word (within 600 characters).
    """
    spans = _reporting_spans(clause.text)
    text = clause.text
    m = next(
        (
            d
            for d in _DEICTIC.finditer(text)
            if not _inside(d.start(), spans) and not _existential(text, d.start())
        ),
        None,
    )
    if m is None:
        return None  # "a trader in Dandong, the city across the river, said": the source
    noun = (m.group("noun") or "").lower()
    classes = _DEICTIC_CLASSES.get(noun, SETTLEMENT_CLASSES)
    at = clause.start_char + m.start()
    near = [(a, p) for a, _, p in sites if at - 600 <= a < at and _of_class(p, classes)]
    last_is_where = bool(near) and (
        _role(_window(article.text, near[-1][0])) not in _DESTINATION_ROLES
    )
    if not noun and last_is_where:
        return near[-1][1], 0.8  # "Dandong slipped 12%. Customs officers there refused ..."
    if noun in ("city", "town", "county"):  # "DANDONG — ... the city's yard"
        home = _dateline_place(article, sites) or _title_place(article, sites)
        if _of_class(home, classes):
            return home, 0.8  # type: ignore[return-value]
    if previous is not None and _of_class(previous.place, classes):
        told_after = last_is_where and near[-1][0] >= article.sentences[previous.sentence].end_char
        if not told_after:  # "Near Kaishantun, residents talked: ... outside the town"
            return previous.place, 0.8  # type: ignore[return-value]
    return (near[-1][1], 0.8) if near else None


def _existential(text: str, start: int) -> bool:
    """Tell whether the "there" at ``start`` opens an existential clause ("there was")."""
    head = text[max(0, start - 12) : start]
    return _EXISTENTIAL.search(head + text[start : start + 20]) is not None


def _dateline_place(article: Article, sites: Sequence[tuple[int, int, Place]]) -> Place | None:
    """The town of the article's dateline ("DANDONG, China — ..."), if it has one."""
    opening = [s for s in article.sentences if s.section == "body"][:3]
    for first in opening:  # after an editor's note, if any
        line = _DATELINE.match(first.text) or _PLACE_DATELINE.match(first.text)
        if line is not None:
            start, end = first.start_char, first.start_char + line.end()
            return next((p for a, _, p in sites if start <= a < end), None)
    return None


def _title_place(article: Article, sites: Sequence[tuple[int, int, Place]]) -> Place | None:
    """The one town the title names ("Minutes: Kuandian county council"), if only one."""
    titles = [s for s in article.sentences if s.section == "title"]
    named = {
        id(p): p
        for a, _, p in sites
        for t in titles
        if t.start_char <= a < t.end_char and _settlement(p)
    }
    return next(iter(named.values())) if len(named) == 1 else None


def _site_antecedent(
    article: Article, clause: Sentence, sites: Sequence[tuple[int, int, Place]]
) -> tuple[Place, float] | None:
    """Where "the factory" is: the town named with the last "factory" before this clause.

    "... an order with a clothing factory in Kanggye. ... The factory sewed the jackets"
    happened in Kanggye, whatever the incidents in between.
    """
    m = _SITE_NOUN.search(clause.text)
    if m is None:
        return None
    noun = re.compile(rf"\b{m.group(1)}\b", re.IGNORECASE)
    before = article.text[max(0, clause.start_char - 3000) : clause.start_char]
    offset = clause.start_char - len(before)
    for hit in reversed(list(noun.finditer(before))):
        start, end = offset + hit.start(), offset + hit.end()
        named = [
            p for a, b, p in sites if a <= start < b  # "the Kaesong Industrial Complex"
        ] + [
            p for a, b, p in sites
            if 0 <= start - b <= 30 and _PLACE_THEN_SITE.fullmatch(article.text[b:start])
        ] + [
            p for a, b, p in sites
            if 0 <= a - end <= 40 and _SITE_THEN_PLACE.fullmatch(article.text[end:a])
        ]  # fmt: skip
        if named:  # "the Quanhe port in Hunchun" is in Quanhe
            return named[0], 1.0
    return None


_CROSSING_CLASSES = frozenset({"bridge", "port_of_entry"})
_DEFINITE = re.compile(
    r"\b(?i:the)\s+(?:[a-z][\w-]*\s+)?(?i:bridge|border crossing|crossing|port of entry|"
    r"customs post|customs house|checkpoint)\b"
)  # not "the Kraskino checkpoint": a named one the gazetteer lacks is another crossing


def _clauses(sentence: Sentence) -> list[Sentence]:
    """Split "X happened on July 2, but Y happened on July 8" into two clause views."""
    cuts = [m for m in _CLAUSE_BREAK.finditer(sentence.text)]
    bounds, start = [], 0
    for m in cuts:
        if m.start() - start >= 20 and len(sentence.text) - m.end() >= 20:
            bounds.append((start, m.start()))
            start = m.end()
    bounds.append((start, len(sentence.text)))
    return [
        Sentence(
            sentence.text[a:b],
            sentence.start_char + a,
            sentence.start_char + b,
            sentence.section,
            sentence.paragraph,
        )
        for a, b in bounds
    ]


#: ", and police arrested three of them a week later": a coordinated clause may tell a
#: second event.
_AND_BREAK = re.compile(r",?\s+and,?\s+(?:then\s+)?")  # also "X and, two days later, Y"


def _event_clauses(sentence: Sentence, types: Sequence[IncidentType]) -> list[Sentence]:
    """The clauses of :func:`_clauses`, split again at ", and" where both parts tell events.

    "Smugglers crossed near Hyesan on Oct. 17, and police arrested three of them a week
    later" is a crossing and an arrest.
    """
    out: list[Sentence] = []
    for clause in _clauses(sentence):
        start = 0
        for m in _AND_BREAK.finditer(clause.text):
            left, right = clause.text[start : m.start()], clause.text[m.end() :]
            if min(len(left), len(right)) < 20:
                continue
            right_cue = _event_cue(right, types)
            if right_cue is None and not right.lower().startswith("that "):
                continue  # ", and that ..." is a new reported statement, event or not
            left_cue = _event_cue(left, types)
            if left_cue is None:
                continue
            if (
                not m.group(0).startswith(",")
                and not _SAME_DAY.search(right)
                and not _two_acts(left_cue, right_cue)
            ):
                continue  # "seized 300 kg and detained four": one event, unless "two days later"
            out.append(_part(clause, start, m.start()))
            start = m.end()
        out.append(_part(clause, start, len(clause.text)))
        out.extend(_dated_subordinates(clause, types))
    return out


def _two_acts(
    left: tuple[IncidentType, re.Match[str]] | None,
    right: tuple[IncidentType, re.Match[str]] | None,
) -> bool:
    """Tell whether two parts joined by "and" are two acts of different kinds.

    "detained the defendant at the cold store and seized the goods": an arrest and a
    seizure, each told by its own verb at the start of its part.
    """
    return (
        left is not None
        and right is not None
        and left[0].type != right[0].type
        and right[1].start() < 12
    )


def _event_cue(
    text: str, types: Sequence[IncidentType]
) -> tuple[IncidentType, re.Match[str]] | None:
    """The cue of a part of a sentence: a strict one, or a looser one if the part is dated.

    "On April 11 the police started checking every boat" tells an event.
    """
    return _cue_of(text, types, lambda: bool(_SAME_DAY.search(text)) or _has_date(text))


def _cue_of(
    text: str, types: Sequence[IncidentType], is_dated: Callable[[], bool]
) -> tuple[IncidentType, re.Match[str]] | None:
    """Return a strict cue, else a looser one when the text is dated.

    ``is_dated()`` is asked last, only when a loose cue is there: dating a clause costs more
    than the cue scan.
    """
    found = _classify(text, types)
    if found is None and _any_cue(tuple(types), True).search(text) and is_dated():
        found = _classify(text, types, dated=True)
    return found


def _has_date(text: str) -> bool:
    return any(d.precision != "unknown" for d in _dates(text, _ANY_REFERENCE, False))


_ANY_REFERENCE = date(2000, 6, 30)
_EVENT_SUBORDINATORS = frozenset({"after", "before", "when", "since", "because", "while", "until"})


def _dated_subordinates(clause: Sentence, types: Sequence[IncidentType]) -> list[Sentence]:
    """Subordinate clauses that tell an event of their own.

    "..., after North Korean customs stopped accepting shipments at the bridge on April 3":
    the main clause ignores what the "after" clause says; this makes it an event of its
    own, but only with a day, range or month (not "that was shuttered last year"). A
    relative clause on people, or in the past perfect, that tells an event of another kind
    is one too, dated or not: "police in Linjiang detained four women who had waded across
    from Chunggang the night before" is an arrest and a defection.
    """
    spans = _subordinate_spans(clause.text) + _who_clauses(clause.text)
    main = cache(lambda: _classify(_blank(clause.text, spans), types))  # asked at most once
    out = []
    for a, b in spans:
        text = clause.text[a:b]
        relative = bool(_EARLIER_ACT.match(text) or _WHO.match(text))
        subordinator = text.split(maxsplit=1)[0].lower() in _EVENT_SUBORDINATORS
        found = _classify(text, types) if relative or subordinator else None
        if found is None:
            continue
        if relative:
            if (told := main()) is not None and found[0].type != told[0].type:
                out.append(_part(clause, a, b))
            continue
        dated = _dates(text, _ANY_REFERENCE, False)  # only the kind of date counts
        if any(d.precision in ("day", "range", "month") or _NAMED_YEAR.fullmatch(d.text)
               for d in dated):  # fmt: skip
            out.append(_part(clause, a, b))
    return out


#: "in 2017": a year told as a number, not "last year".
_NAMED_YEAR = re.compile(r"(?:(?:in|during|by)\s+)?(?:19|20)\d\d")


def _who_clauses(text: str) -> list[tuple[int, int]]:
    """Relative clauses on people, with the noun they tell of ("women who had waded ...")."""
    spans = []
    for m in _WHO.finditer(text):
        end = _CLAUSE_END.search(text, m.end())
        spans.append((m.start(), end.start() if end else len(text)))
    return spans


_WHO = re.compile(r"[\w'’-]+\s+(?:who|whom)\s", re.IGNORECASE)
#: "copper that had been smuggled across": an act before the main one ("a city that was
#: closed to tourists" describes the city)
_EARLIER_ACT = re.compile(r"(?:that|which)\s+had\b", re.IGNORECASE)


def _part(clause: Sentence, a: int, b: int) -> Sentence:
    return Sentence(
        clause.text[a:b],
        clause.start_char + a,
        clause.start_char + b,
        clause.section,
        clause.paragraph,
    )


def _sentence_items(
    sentence: Sentence,
    idx: int,
    by_sentence: dict[int, list[tuple[Mention, Place]]],
    crossings: Sequence[tuple[int, Place]],
) -> list[tuple[Mention, Place]]:
    """The place mentions of a sentence plus its "the bridge" references, in text order."""
    items = by_sentence.get(idx, [])
    return sorted(
        [*items, *_definite_references(sentence, idx, items, crossings)],
        key=lambda mp: mp[0].start_char,
    )


def _in_clause(
    items: Sequence[tuple[Mention, Place]], clause: Sentence
) -> list[tuple[Mention, Place]]:
    """The mentions that start inside a clause."""
    return [mp for mp in items if clause.start_char <= mp[0].start_char < clause.end_char]


def _crossing_mentions(places: Sequence[Place]) -> list[tuple[int, Place]]:
    return sorted(
        (
            (m.start_char, p)
            for p in places
            if p.candidate is not None and p.candidate.feature_class in _CROSSING_CLASSES
            for m in p.mentions
        ),
        key=lambda x: x[0],
    )


def _definite_references(
    sentence: Sentence,
    idx: int,
    items: Sequence[tuple[Mention, Place]],
    crossings: Sequence[tuple[int, Place]],
) -> list[tuple[Mention, Place]]:
    """Resolve "the bridge" / "the crossing" to the crossing named last before it."""
    if any(p.candidate and p.candidate.feature_class in _CROSSING_CLASSES for _, p in items):
        return []
    out: list[tuple[Mention, Place]] = []
    for m in _DEFINITE.finditer(sentence.text):
        after = sentence.text[m.end() : m.end() + 30]
        if re.match(r"\s+(?:at|in|of|near|between|linking|across|from)\s", after):
            continue  # "the customs post at Hoeryong" names its own place
        start = sentence.start_char + m.start()
        earlier = [(pos, p) for pos, p in crossings if pos < start]
        if earlier:
            mention = Mention(m.group(0), start, sentence.start_char + m.end(), idx, "reference")
            out.append((mention, earlier[-1][1]))
    return out


@dataclass(frozen=True, slots=True)
class _Context:
    sentence: int  # index into article.sentences
    body_prev: int | None  # previous body sentence
    anaphoric: bool  # the sentence opens with an anaphor
    follows: bool  # a clause after ", but" in the same sentence
    one_date_before: bool = False  # the previous sentence reported a single date
    earlier: DateSpan | None = None  # the date of an earlier clause of the same sentence
    entry: bool = False  # a chronology entry: its heading date dates every clause


#: A chronology entry, "From late June to mid-July 2018 — Floodwater reaches ...; customs
#: suspends inspections": a short heading, then a dash or colon.
_ENTRY_HEAD = re.compile(r"^[\s*•-]*(?P<head>[^—–:;]{4,40}?)\s*(?:—|–|--|:)\s")
_ENTRY_WORDS = re.compile(r"(?i:from|between|in|on|since|to|and|until|the|of)\b|[\s,.]")


def _timeline_entry(text: str) -> bool:
    """Whether a sentence is a chronology entry headed by a date alone (not a dateline)."""
    head = _ENTRY_HEAD.match(text)
    if head is None or _DATELINE.match(text):
        return False
    rest = head["head"]
    for span in _dates(rest, _ANY_REFERENCE, False):
        rest = rest.replace(span.text, " ")
    rest = _BARE_YEAR.sub(" ", rest)  # a year alone heads an entry too
    return rest != head["head"] and not _ENTRY_WORDS.sub("", rest)


#: "that morning", "the same day", "the next day": a date told through the previous event's.
_SAME_DAY = re.compile(
    r"\b(?:that|the same|that same)\s+(?:morning|day|night|evening|afternoon)\b"
    r"|\b(?:within|after|in)\s+(?:a\s+few\s+|several\s+)?(?:hours|minutes)\b"
    r"|\b(?:hours|minutes)\s+later\b"
    r"|\bthe\s+(next|following)\s+(?:morning|day|night|evening|afternoon)\b"
    r"|\b(a|one|two|three|four|five|six|seven|\d)\s+(days?|weeks?)\s+later\b"
    r"|\bthe\s+(?:(previous|preceding)\s+(?:morning|day|night|evening|afternoon)"
    r"|(?:morning|day|night|evening|afternoon)\s+(before)(?!\s+(?:the|a|an|his|her|their|its)\b))",
    re.IGNORECASE,
)
_COUNT = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}


def _relative_days(relative: re.Match[str]) -> int:
    """Days after the base day: "that morning" 0, "the next day" 1, "a week later" 7.

    "The night before" and "the previous day" are -1.
    """
    if relative.group(4) or relative.group(5):
        return -1  # "the night before", "the previous day"
    later = relative.group(2)
    if not later:
        return 1 if relative.group(1) else 0
    days = int(later) if later.isdigit() else _COUNT[later.lower()]
    return days * (7 if relative.group(3).lower().startswith("week") else 1)


#: How many sentences back "that morning" or "two days later" may find its day.
_RELATIVE_REACH = 5


def _narrative_day(article: Article, previous: _Draft | None, context: _Context) -> DateSpan | None:
    """The day a relative date counts from: the latest day told in the last five sentences.

    That is the previous incident's date or, if a later sentence named a day without an
    event ("The train crossed on October 12. The cargo was seized the same day."), that day.
    """
    options = []
    if previous is not None and _known(previous.date) and previous.date.start is not None:
        options.append((previous.sentence, 1, previous.date))
        if previous.date.start != previous.date.end:
            options.pop()  # "Since mid-September goods piled up ... Two days later": no day
    recent = _last_day_told(article, context.sentence)
    if recent is not None:
        options.append((recent[0], 0, recent[1]))
    options = [o for o in options if context.sentence - o[0] <= _RELATIVE_REACH]
    return max(options, key=lambda o: (o[0], o[1]))[2] if options else None


def _last_day_told(article: Article, idx: int) -> tuple[int, DateSpan] | None:
    """The last single day a body sentence before ``idx`` names (five sentences back at most)."""
    for back in range(idx - 1, max(-1, idx - 1 - _RELATIVE_REACH), -1):
        sentence = article.sentences[back]
        if sentence.section != "body":
            continue
        days = [d for d in _sentence_dates(article, sentence) if d.start and d.start == d.end]
        if days:
            return back, days[-1]
    return None


def _shifted(span: DateSpan, days: int) -> DateSpan:
    """The previous event's day, moved by ``days`` (only for a single known day)."""
    if days == 0 or span.start is None or span.start != span.end:
        return span
    day = span.start + timedelta(days=days)
    return replace(span, start=day, end=day)


def _drafts_from_clause(
    article: Article,
    clause: Sentence,
    context: _Context,
    items: Sequence[tuple[Mention, Place]],
    types: Sequence[IncidentType],
    previous: _Draft | None,
    sites: Sequence[tuple[int, int, Place]] = (),
) -> list[_Draft]:
    # a dated clause, or one dated by the clause before: looser cues count
    found = _cue_of(
        clause.text,
        types,
        lambda: (
            bool(_SAME_DAY.search(clause.text))
            or (context.follows and context.earlier is not None)
            or any(d.start is not None for d in _sentence_dates(article, clause))
            or context.entry
        ),
    )
    if found is None:
        return []
    itype, cue = found
    idx = context.sentence
    located = _located(clause, items, article)
    # "the harbour ... trucks loaded with squid bound for Hunchun", "customs officers there
    # refused consignments bound for Sinuiju": the site or the town meant comes before a
    # destination
    aside = _subordinate_spans(clause.text)
    best = _zone_instead(clause.text, located, _best_place(
        located, cue, itype, destinations=False, aside=aside))  # fmt: skip
    if best is None or _of_class(best[0], _VAGUE_CLASSES):  # "North Korea ... in the complex"
        best = _site_antecedent(article, clause, sites) or best
    deictic = None if best else _deictic_place(article, clause, sites, previous)
    if deictic is None and (best is None or _of_class(best[0], _WATER_CLASSES)):
        best = _best_place(located, cue, itype, aside=aside)
    # "the county's police seized ...": the previous incident's town goes on, with its date
    inherited = deictic is not None and previous is not None and deictic[0] is previous.place
    best = best or deictic
    linked = (
        context.follows or _is_anaphoric(clause.text) or bool(_DEFINITE_SITE.search(clause.text))
    )
    # the next sentence goes on about the same event: "About 200 handsets were confiscated
    # on the spot." names neither place nor date but follows the arrest at Hyesan
    continues = (
        previous is not None
        and all(_of_class(p, _VAGUE_CLASSES) for _, p in items)  # "over the ice of the Amnok"
        and idx - previous.sentence <= _STORY_REACH
    )
    if (
        best is None
        and previous is not None
        and (linked and idx - previous.sentence <= _STORY_REACH or continues)
    ):
        best, inherited = (previous.place, 0.0), True  # type: ignore[assignment]
    dates = _event_dates(_clause_dates(article, clause, cue.start()), clause.text)
    resolved = any(d.start is not None for d in dates)  # "until this week" says no day
    relative = None if resolved else _SAME_DAY.search(clause.text)
    base = _narrative_day(article, previous, context) if relative is not None else None
    if relative is not None and base is not None:
        dates = [_shifted(base, _relative_days(relative))]  # "that morning", "4 days later"
    elif not _known(dates[0]) and context.follows and context.earlier is not None:
        dates = [context.earlier]  # "tried to cross on Oct. 2, but customs turned it back"
    elif not _known(dates[0]) and previous is not None and _known(previous.date):
        if (
            inherited
            and (context.anaphoric and context.one_date_before or continues)
            and not _EARLIER_TIME.search(clause.text)  # "confiscated in earlier crackdowns"
        ):
            dates = [previous.date]  # "On May 3 ... at Hyesan. They were caught."
    if not any(_known(d) for d in dates) and context.entry:
        dates = _sentence_dates(article, article.sentences[idx])[:1]  # the entry's heading
    posted = None if any(_known(d) for d in dates) else _posted_day(article, clause)
    if posted is not None:  # "4 March, Brother Song: My six lorries left Dandong at seven"
        dates = [DateSpan(posted, posted, "day")]
    if not any(_known(d) for d in dates):
        dates = _asked_date(article, idx) or dates
    tentative = False
    if best is None or inherited:
        # an event that names no place of its own: the source's town, else inherited; an
        # undated one stays only if the next sentence dates it (else it is talk, not an event)
        reported = _reported_place(located, settlements=True)
        dated = any(_known(d) for d in dates)
        if reported is not None and (dated or best is None):
            best, inherited, tentative = reported, False, not dated
        elif dated:
            best = best or _reported_place(located, settlements=False)
    if best is None and not any(_known(d) for d in dates):
        logger.debug(
            "Sentence %d of %r: %s cue without place or date", idx, article.article_id, itype.type
        )
        return []
    if best is None and previous is not None and idx - previous.sentence <= _STORY_REACH:
        # a dated event that names no place goes on where the story is ("Builders finished
        # the last of the river piers in February"), with a low score
        best, inherited = (previous.place, 0.0), True  # type: ignore[assignment]
    place, score = best if best is not None else (None, 0.0)
    excerpt = _excerpt(article, idx, context.body_prev if context.anaphoric else None)
    actors = actors_from_text(_blank(clause.text, _reporting_spans(clause.text)))
    quantities = quantities_from_text(clause.text)
    offset = clause.start_char - article.sentences[idx].start_char
    return [
        _Draft(
            type=itype,
            place=place,
            date=d,
            sentence=idx,
            excerpt=excerpt,
            actors=list(actors),
            quantities=list(quantities),
            confidence=_confidence(itype, place, score, inherited, d),
            place_score=score,
            position=offset + d.start_char,
            tentative=tentative,
        )
        for d in dates
    ]


_EARLIER_TIME = re.compile(r"\b(?:earlier|previous|former|past)\s+[a-z]+s\b|\bpreviously\b", re.I)


def _asked_date(article: Article, idx: int) -> list[DateSpan]:
    """The date of the question an answer replies to (briefings, interviews).

    "Q: Can you confirm that a soldier came south last Tuesday? A: Yes. A soldier walked
    across ...": the answer's event is the question's, two sentences back at most.
    """
    for back in range(idx - 1, max(-1, idx - 3), -1):
        sentence = article.sentences[back]
        if sentence.section != "body":
            return []
        spans = [d for d in _sentence_dates(article, sentence) if d.start is not None]
        if not sentence.text.rstrip().endswith("?"):
            if spans:
                return []  # a dated sentence between them: that is the answer's time
            continue
        return spans[:1] if len(spans) == 1 else []
    return []


def _excerpt(article: Article, idx: int, prev: int | None) -> str:
    sentence = article.sentences[idx]
    start = sentence.start_char
    if prev is not None:
        start = article.sentences[prev].start_char
    text = article.text[start : sentence.end_char]
    return text if text.strip() else sentence.text


def _confidence(
    itype: IncidentType, place: Place | None, score: float, inherited: bool, date: DateSpan
) -> float:
    value = 0.3 + (0.2 if itype.priority >= 60 else 0.12)
    if place is not None:
        value += 0.05 if inherited else min(0.25, 0.25 * score / 7.0)
        value += 0.05 * max(0.0, min(1.0, place.confidence))
    if _known(date):
        value += 0.15
    return round(max(0.05, min(0.95, value)), 2)


def _same_place(a: Place | None, b: Place | None) -> bool:
    if a is None or b is None:
        return a is b
    if a is b:
        return True
    ida = a.candidate.gazetteer_id if a.candidate else None
    idb = b.candidate.gazetteer_id if b.candidate else None
    return (ida is not None and ida == idb) or (ida is None and idb is None and a.name == b.name)


def _compatible_dates(a: DateSpan, b: DateSpan) -> bool:
    """Tell whether two dates may be one: equal, one unknown, or a day inside <= a month."""
    if not _known(a) or not _known(b) or _date_key(a) == _date_key(b):
        return True
    if None in (a.start, a.end, b.start, b.end):
        return False
    outer, inner = (a, b) if (a.end - a.start) >= (b.end - b.start) else (b, a)  # type: ignore[operator]
    return (
        (outer.end - outer.start).days <= 31
        and outer.start <= inner.start
        and inner.end <= outer.end
    )  # type: ignore[operator]


def _finer_date(a: DateSpan, b: DateSpan) -> DateSpan:
    """Return the more precise of two compatible dates."""
    if not _known(a):
        return b
    if not _known(b) or None in (a.start, a.end, b.start, b.end):
        return a
    return b if (b.end - b.start) < (a.end - a.start) else a  # type: ignore[operator]


def _mergeable(a: _Draft, b: _Draft) -> bool:
    same_date = not _known(a.date) or not _known(b.date) or _date_key(a.date) == _date_key(b.date)
    if not _same_place(a.place, b.place) or not same_date:
        return False
    if a.place is None and not (_known(a.date) and _known(b.date)):
        return False  # unplaced and undated: nothing says it is the same event
    if a.type.type == b.type.type:
        return True
    generic, specific = (a, b) if a.type.priority <= b.type.priority else (b, a)
    if generic.type.priority > 40:
        return False
    # a generic transport report joins an incident of the same date, or (undated) a movement
    return (_known(a.date) and _known(b.date)) or specific.type.type in _MOVEMENT_TYPES


def _informativeness(d: _Draft) -> tuple[float, ...]:
    return (
        2.0 * _known(d.date) + len(d.actors) + len(d.quantities) + d.place_score / 3.0,
        -d.sentence,
    )


def _deduplicate(drafts: Sequence[_Draft]) -> list[_Draft]:
    kept: list[_Draft] = []
    for draft in drafts:
        match = next((k for k in reversed(kept) if _mergeable(k, draft)), None)
        if match is None:
            kept.append(draft)
            continue
        kept[kept.index(match)] = _merge(match, draft)
    return kept


def _merge(a: _Draft, b: _Draft) -> _Draft:
    main, other = (a, b) if _informativeness(a) >= _informativeness(b) else (b, a)
    itype = a.type if a.type.priority >= b.type.priority else b.type
    date = _finer_date(main.date, other.date)
    return _Draft(
        type=itype,
        place=main.place,
        date=date,
        sentence=main.sentence,
        excerpt=main.excerpt,
        # pool only what a dated report of the same event adds
        actors=_pool(main.actors, other.actors if _known(other.date) else []),
        quantities=_pool(main.quantities, other.quantities if _known(other.date) else []),
        confidence=max(a.confidence, b.confidence),
        place_score=max(a.place_score, b.place_score),
        position=main.position,
    )


def _pool(first: Sequence[str], second: Sequence[str]) -> list[str]:
    out = list(first)
    for item in second:
        low = item.lower()
        if any(low in o.lower() for o in out):
            continue
        out = [o for o in out if o.lower() not in low] + [item]
    return out


def _number(article: Article, drafts: Sequence[_Draft]) -> list[Incident]:
    ordered = sorted(drafts, key=lambda d: (d.sentence, d.position, d.date.start or _MIN_DATE))
    incidents: list[Incident] = []
    for n, d in enumerate(ordered, start=1):
        where = f"at {d.place.name}" if d.place is not None else "place unknown"
        incidents.append(
            Incident(
                id=f"{article.article_id}-i{n:03d}",
                article_id=article.article_id,
                type=d.type.type,
                summary=f"{d.type.label} {where} ({_date_label(d.date)})",
                excerpt=d.excerpt,
                place=d.place,
                date=d.date,
                actors=d.actors,
                quantities=d.quantities,
                confidence=d.confidence,
                sentence=d.sentence,
            )
        )
    return incidents
