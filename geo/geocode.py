"""Choose one gazetteer candidate per place name, from the article's context.

Every candidate of a name gets a score; context adds to it and never filters (hard country
filters are the most reported failure of geoparsers). The parts, each recorded as a reason:

- the name is a country or province name and the candidate is that country/province;
- the words around the mention say what kind of place it is ("Jilin province", "the Tumen river",
  "Hoeryong city") and the candidate is of that kind;
- the candidate is a curated border place, or lies in the border region;
- a country or province named in the article (more in the same sentence, most in an
  "X in Y" / "X, Y province" / "X near Y" pattern) contains or is near the candidate;
- the candidate is near the article's other places (closer and in nearby sentences: more);
- population, weakly — never alone.

Resolution runs twice: once with the unambiguous names as context, then with every first choice.
The margin between the best and the second score gives ``confidence``; below
``settings.min_confidence`` the place is returned unresolved rather than drawn in a wrong spot.

Names the gazetteer lacks but that the text places near a known one ("Inge-ri town near
Hoeryong") take the neighbour's position with ``geo_precision`` 2. Optionally
(``settings.geocoder``) a geopy geocoder such as Nominatim is asked for the rest,
rate-limited and cached on disk.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from geopy.geocoders.base import Geocoder
from geopy.location import Location
from pyproj import Geod

from . import settings
from ._errors import GeoError
from .gazetteer import Gazetteer, fold, load_gazetteer
from .models import Article, Candidate, Mention, Place

__all__ = [
    "GazetteerGeocoder",
    "distance_km",
    "online_geocoder",
    "places_from_toponyms",
]

logger = logging.getLogger(__name__)

SETTLEMENTS = {"city", "town", "village", "port_of_entry", "bridge", "industrial_zone"}
AREAS = {"country", "province", "region"}
_HINT_CLASSES = {
    "province": {"province", "region"},
    "region": {"province", "region"},
    "river": {"river"},
    "city": {"city", "town"},
    "county": {"city", "town", "village"},
    "town": {"city", "town", "village"},
    "village": {"town", "village"},
    "district": {"city", "town", "village"},
    "port": {"port_of_entry", "city", "town"},
    "bridge": {"bridge", "port_of_entry"},
}
#: (min lon, min lat, max lon, max lat) of the China–North Korea–Russia border region.
BORDER_REGION = (121.0, 37.5, 132.0, 44.5)
_AREA_RADIUS_KM = {"country": 1500.0, "province": 250.0, "region": 250.0}
_CROSSING_CUES = ("across the", "opposite", "facing", "on the other side")


_GEOD = Geod(ellps="WGS84")


@lru_cache(maxsize=65536)
def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    return _GEOD.inv(lon1, lat1, lon2, lat2)[2] / 1000.0


def distance_km(a: Candidate | Place, b: Candidate | Place) -> float:
    """Geodesic (WGS 84) distance between two located records, in kilometres.

    Examples
    --------
    >>> from geo.models import Candidate
    >>> a = Candidate("x", "A", 42.0, 129.0, "KP", "city")
    >>> round(distance_km(a, a), 1)
    0.0
    """
    return _km(a.lat, a.lon, b.lat, b.lon)


@dataclass(slots=True)
class _Group:
    """All mentions of one name (one kind) in an article."""

    name: str
    mentions: list[Mention]
    candidates: list[Candidate]
    hint: str | None = None
    scored: list[tuple[Candidate, float, list[str]]] = field(default_factory=list)
    river_named: bool = False  # the article names this name's river elsewhere

    @property
    def sentences(self) -> set[int]:
        return {m.sentence for m in self.mentions}

    @property
    def choice(self) -> Candidate | None:
        return self.scored[0][0] if self.scored else None


def _one_sense_per_article(groups: dict[tuple[str, str], _Group], text: str) -> None:
    """A bare 'Tumen' in an article that names the Tumen River may be the river too.

    Not when a mention reads like a town's ("in Tumen", "area of Tumen", "the Tumen
    Municipal Public Security Bureau"): a river is "in the Tumen" ("the Tumen" alone is read
    as the river already, see :func:`_group_mentions`).
    """
    for (key, kind), group in groups.items():
        river = groups.get((key, "river")) or groups.get((key + "river", ""))
        if kind == "" and river is not None and group.hint is None and river is not group:
            if any(_townlike(m, text) for m in group.mentions):
                continue
            group.candidates = [
                *group.candidates,
                *(c for c in river.candidates if c not in group.candidates),
            ]
            group.river_named = True


def _townlike(mention: Mention, text: str) -> bool:
    before = _TOWN_PREPOSITION.search(text, max(0, mention.start_char - 12), mention.start_char)
    return before is not None or _TOWN_NOUN_AFTER.match(text, mention.end_char) is not None


#: "in Tumen", "at Hyesan": a town's preposition, right before the name (no "the").
_TOWN_PREPOSITION = re.compile(r"\b(?:in|at|near|outside|of|from|to|between)\s+$", re.IGNORECASE)
#: "the Tumen", "the frozen Tumen": a river's article ("the city of Tumen" is not).
_RIVER_ARTICLE = re.compile(
    r"\bthe\s+(?:(?!(?:of|at|in|on|near|to|from|and|between|for|city|town|county|port|village|"
    r"district|crossing|area|side)\b)[a-z-]+\s+){0,2}$"
)


#: "Tumen Municipal Public Security Bureau", "Tumen city government": a town's institutions.
_TOWN_NOUNS = (
    "city|county|town|municipal|government|police|customs|port|station|yard|market|authorities|"
    "office|bureau|checkpoint|prefecture"
)
_TOWN_NOUN_AFTER = re.compile(rf"\s+(?:{_TOWN_NOUNS})\b", re.IGNORECASE)
#: "the Tumen Municipal Public Security Bureau", "the Tumen city government": not the river.
_NAME_GOES_ON = re.compile(rf"\s+(?:[A-Z]|(?:{_TOWN_NOUNS}|area|crossing|bridge|rail\w*)\b)")


def _group_mentions(mentions: list[Mention], gazetteer: Gazetteer, text: str = "") -> list[_Group]:
    groups: dict[tuple[str, str], _Group] = {}
    for m in mentions:
        if m.kind != "gazetteer":
            continue
        key = fold(m.search_name)
        the_river = (
            m.feature_hint is None
            and _RIVER_ARTICLE.search(text, max(0, m.start_char - 40), m.start_char) is not None
            and _NAME_GOES_ON.match(text, m.end_char) is None
        )
        river = (m.feature_hint == "river" or the_river) and gazetteer.lookup_key(key + "river")
        kind = "river" if river else ""
        group = groups.get((key, kind))
        if group is None:
            candidates = gazetteer.lookup_key(key + "river" if river else key)
            group = groups[(key, kind)] = _Group(m.search_name, [], candidates)
        group.mentions.append(m)
        if m.feature_hint and group.hint is None:
            group.hint = m.feature_hint
    _one_sense_per_article(groups, text)
    return list(groups.values())


def _in_region(c: Candidate) -> bool:
    lon0, lat0, lon1, lat1 = BORDER_REGION
    return lon0 <= c.lon <= lon1 and lat0 <= c.lat <= lat1


def _kind_score(c: Candidate, group: _Group) -> tuple[float, str | None]:
    """Score for the candidate's kind against the words around the mentions."""
    if c.feature_class in ("country", "province") and not group.hint:
        return 1.0, f"{group.name!r} is the name of a {c.feature_class}"
    if group.hint is None:
        # a bare name is a river only when nothing else fits ("at Tumangang" is the town),
        # or when the article calls it a river elsewhere and nothing here says "city"
        if c.feature_class == "river":
            return (0.9, "the article names this river") if group.river_named else (-0.5, None)
        return 0.0, None
    wanted = _HINT_CLASSES.get(group.hint, set())
    if c.feature_class in wanted:
        return 0.8, f"the text calls it a {group.hint}"
    return -0.8, None


@dataclass(slots=True)
class _Context:
    """What the article says around the names: areas, anchors and first choices."""

    article_areas: list[tuple[Candidate, set[int]]]  # countries/provinces and their sentences
    parents: dict[str, list[Candidate]]  # folded anchor name -> its chosen candidates
    located: list[tuple[_Group, Candidate]]  # settlements chosen so far
    crossing_sentences: set[int]


def _area_score(c: Candidate, group: _Group, ctx: _Context) -> tuple[float, list[str]]:
    best, reasons = 0.0, []
    for area, sentences in ctx.article_areas:
        if area.gazetteer_id == c.gazetteer_id or c.feature_class == "country":
            continue
        inside = (
            area.country_code == c.country_code
            if area.feature_class == "country"
            else (
                area.name == c.admin1 or distance_km(area, c) <= _AREA_RADIUS_KM[area.feature_class]
            )
        )
        if not inside:
            continue
        same = bool(sentences & group.sentences)
        weight = (
            (0.15 if same else 0.08) if area.feature_class == "country" else (0.45 if same else 0.2)
        )
        if weight > best:
            best = weight
            where = "in the same sentence" if same else "in the article"
            reasons = [f"{area.name} ({area.feature_class}) named {where}"]
    for mention in group.mentions:
        for parent in ctx.parents.get(fold(mention.anchor or ""), []):
            if parent.gazetteer_id == c.gazetteer_id:
                continue
            limit = _AREA_RADIUS_KM.get(parent.feature_class, 60.0)
            if (parent.feature_class == "country" and parent.country_code == c.country_code) or (
                parent.feature_class != "country"
                and (parent.name == c.admin1 or distance_km(parent, c) <= limit)
            ):  # "Sanhe, in Hebei": 300 km from Hebei's point, but in Hebei
                return best + 0.5, [*reasons, f"'{mention.search_name} … {parent.name}' pattern"]
    return best, reasons


def _proximity_score(c: Candidate, group: _Group, ctx: _Context) -> tuple[float, str | None]:
    """Score by the nearest of the article's other places (nearby sentences count double)."""
    nearest: tuple[float, float, Candidate] | None = None  # (km, weight, place)
    for other, chosen in ctx.located:
        if other is group or chosen.gazetteer_id == c.gazetteer_id:
            continue
        km = distance_km(c, chosen)
        gap = min(abs(a - b) for a in group.sentences for b in other.sentences)
        weight = 1.0 if gap <= 1 else 0.5
        if nearest is None or km < nearest[0] or (km == nearest[0] and weight > nearest[1]):
            nearest = (km, weight, chosen)
    if nearest is None:
        return 0.0, None
    km, weight, chosen = nearest
    crossing = km < 25 and weight == 1.0 and bool(group.sentences & ctx.crossing_sentences)
    if km < 25:
        score = 0.6 + (0.3 if crossing else 0.0)
    elif km < 100:
        score = 0.4
    elif km < 300:
        score = 0.2
    elif km > 800:
        score = -0.3
    else:
        score = 0.0
    reason = f"{km:.0f} km from {chosen.name}" + (" (across the border river)" if crossing else "")
    return score * weight, reason


def _score(
    c: Candidate, group: _Group, ctx: _Context, *, with_proximity: bool
) -> tuple[float, list[str]]:
    score, reasons = 0.0, []
    kind, why = _kind_score(c, group)
    score += kind
    reasons += [why] if why else []
    if c.curated:
        score += 0.35
        reasons.append("curated border gazetteer")
    if fold(c.name) == fold(group.name):
        score += 0.4  # "Dalian" is Dalian, not a village whose alternate name is Dalian
        reasons.append("its own name, not an alternate one")
    if _in_region(c):
        score += 0.2
        reasons.append("in the border region")
    area, why_area = _area_score(c, group, ctx)
    score += area
    reasons += why_area
    if with_proximity and c.feature_class not in AREAS:
        near, why_near = _proximity_score(c, group, ctx)
        score += near
        reasons += [why_near] if why_near else []
    if c.population:
        score += 0.15 * min(math.log10(c.population + 1) / 7, 1.0)
        reasons.append(f"population {c.population:,}")
    return score, reasons


def _resolve(groups: list[_Group], ctx: _Context, *, with_proximity: bool) -> None:
    for group in groups:
        scored = [
            (c, *_score(c, group, ctx, with_proximity=with_proximity)) for c in group.candidates
        ]
        group.scored = sorted(scored, key=lambda t: -t[1])


def _context(groups: list[_Group], article: Article) -> _Context:
    areas, parents, located = [], defaultdict(list), []
    for group in groups:
        choice = group.choice
        if choice is None:
            continue
        for m in group.mentions:
            parents[fold(m.search_name)].append(choice)
        if choice.feature_class in ("country", "province", "region"):
            areas.append((choice, group.sentences))
        elif choice.feature_class != "river":
            located.append((group, choice))
    crossing = {
        n
        for n, s in enumerate(article.sentences)
        if any(cue in s.text.lower() for cue in _CROSSING_CUES)
    }
    return _Context(areas, dict(parents), located, crossing)


def _confidence(group: _Group, *, kind_checked: bool = True) -> float:
    if not group.scored:
        return 0.0
    best = group.scored[0]
    if len(group.scored) == 1:
        value = 0.9 if best[0].curated else 0.75
    else:
        margin = best[1] - group.scored[1][1]
        value = 0.5 + 0.45 * math.tanh(2.0 * margin)
    if best[1] < 0:
        value *= 0.4  # every reading contradicts the context (e.g. thousands of km from the rest)
    if best[0].estimate:
        value *= 0.8
    if (
        kind_checked
        and group.hint
        and best[0].feature_class not in _HINT_CLASSES.get(group.hint, {best[0].feature_class})
    ):
        value *= 0.4  # "Hebei province" with no province of that name: do not pretend
    return round(max(0.05, min(value, 0.99)), 3)


def _precision(c: Candidate) -> int:
    if c.feature_class in AREAS:
        return 3
    if c.feature_class == "river":
        return 2
    return c.precision


def _place_from_group(group: _Group, gazetteer: Gazetteer) -> Place:
    chosen, _, reasons = group.scored[0]
    seat = (
        gazetteer.seat(chosen) if group.hint == "city" and chosen.feature_class in AREAS else None
    )
    confidence = _confidence(group, kind_checked=seat is None)
    if seat is not None:
        reasons = [
            *reasons,
            f"{chosen.name} is a provincial-level city: placed at its seat {seat.name}",
        ]
        chosen = seat
    scored = [(c, round(s, 3)) for c, s, _ in group.scored]
    if confidence < settings.min_confidence:
        logger.warning(
            "Unresolved %r: best candidate %s scored confidence %.2f < %.2f",
            group.name,
            chosen.gazetteer_id,
            confidence,
            settings.min_confidence,
        )
        return Place(
            group.name,
            group.mentions,
            None,
            1,
            confidence,
            "ambiguous: " + "; ".join(reasons),
            scored,
        )
    if chosen.estimate:
        reasons = [*reasons, "position is an estimate (see the gazetteer notes)"]
    return Place(
        chosen.name,
        group.mentions,
        chosen,
        _precision(chosen),
        confidence,
        "; ".join(reasons),
        scored,
    )


def _merge_same_place(places: list[Place]) -> list[Place]:
    """One Place per chosen gazetteer entry, with all its mentions."""
    merged: dict[str, Place] = {}
    out = []
    for place in places:
        key = place.candidate.gazetteer_id if place.candidate else f"?{fold(place.name)}"
        if key in merged:
            merged[key].mentions += place.mentions
            merged[key].confidence = max(merged[key].confidence, place.confidence)
            continue
        merged[key] = place
        out.append(place)
    for place in out:
        place.mentions.sort(key=lambda m: m.start_char)
    return out


def _near_place(mention: Mention, places: list[Place]) -> Place | None:
    """Locate a name the gazetteer lacks through the place it is said to be near or in."""
    anchor = fold(mention.anchor or "")
    for place in places:
        if place.candidate is not None and any(
            fold(m.search_name) == anchor for m in place.mentions
        ):
            c = place.candidate
            located = Candidate(
                gazetteer_id="",
                name=mention.search_name,
                lat=c.lat,
                lon=c.lon,
                country_code=c.country_code,
                feature_class=mention.feature_hint or "village",
                admin1=c.admin1,
                source=f"located through {c.name} ({c.gazetteer_id})",
                estimate=True,
            )
            reason = (
                f"not in the gazetteer; placed at {c.name}, which the text names as its neighbour"
            )
            return Place(
                mention.search_name,
                [mention],
                located,
                2,
                round(0.7 * place.confidence, 3),
                reason,
                anchor=place,
            )
    return None


#: A place said to be "near"/"outside" its anchor cannot be farther from it than this.
_ANCHOR_REACH_KM = 60.0


def _anchored_instead(place: Place, places: list[Place]) -> Place:
    """Place "X, a village outside Y" at Y when the gazetteer's X is far from Y or unsure.

    If the best Chŏngsŏng is hundreds of km from Sakju, it is another Chŏngsŏng: this one
    is put at Sakju with precision 2, like a name the gazetteer lacks.
    """
    anchored = [m for m in place.mentions if m.anchor]
    cand = place.candidate
    said = any(m.feature_hint == "village" for m in anchored)  # "X, a hamlet outside Y"
    village = said or cand is not None and cand.feature_class == "village"
    if not anchored or not village:
        return place  # only a village can hide behind another village's name
    near = _near_place(anchored[0], [p for p in places if p is not place])
    if near is None or near.anchor is None or near.anchor.candidate is None:
        return place
    if near.anchor.candidate.feature_class not in ("city", "town", "village"):
        return place  # "Sinuiju, North Pyongan": a province says where, not how near
    if cand is not None and distance_km(cand, near.anchor.candidate) <= _ANCHOR_REACH_KM:
        return place
    return replace(near, mentions=place.mentions, scored=place.scored)


def places_from_toponyms(
    article: Article, mentions: list[Mention], gazetteer: Gazetteer | None = None
) -> tuple[list[Place], list[Mention]]:
    """Resolve an article's mentions to places.

    Parameters
    ----------
    article
        The article the mentions come from (sentences give the context).
    mentions
        From :func:`geo.toponyms.toponyms_from_article`.
    gazetteer
        Default :func:`geo.gazetteer.load_gazetteer`.

    Returns
    -------
    places
        One :class:`~geo.models.Place` per distinct place, resolved or not (``candidate`` None
        when the context could not decide), with candidates, scores and the reason.
    unresolved
        Mentions that could not be placed at all (logged at WARNING).
    """
    gazetteer = gazetteer or load_gazetteer()
    groups = [g for g in _group_mentions(mentions, gazetteer, article.text) if g.candidates]
    empty = _Context([], {}, [], set())
    _resolve(groups, empty, with_proximity=False)
    for _ in range(2):
        _resolve(groups, _context(groups, article), with_proximity=True)
    places = _merge_same_place([_place_from_group(g, gazetteer) for g in groups])
    places = [_anchored_instead(p, places) for p in places]
    unresolved = [
        m for m in mentions if m.kind == "gazetteer" and not gazetteer.lookup(m.search_name)
    ]
    for mention in (m for m in mentions if m.kind != "gazetteer"):
        place = _near_place(mention, places) or _online_place(mention)
        if place is None:
            unresolved.append(mention)
        else:
            places.append(place)
    for mention in unresolved:
        logger.warning("Unresolved place %r in %r", mention.search_name, article.article_id)
    places.sort(key=lambda p: p.mentions[0].start_char)
    return places, unresolved


def _online_place(mention: Mention) -> Place | None:
    if settings.geocoder == "offline":
        return None
    location = online_geocoder()(mention.search_name)
    if location is None:
        return None
    c = Candidate(
        gazetteer_id=f"online:{settings.geocoder}",
        name=mention.search_name,
        lat=location.latitude,
        lon=location.longitude,
        country_code="",
        feature_class=mention.feature_hint or "village",
        source=f"{settings.geocoder}: {location.address}",
        estimate=True,
    )
    return Place(mention.search_name, [mention], c, 2, 0.5, f"online geocoder {settings.geocoder}")


class GazetteerGeocoder(Geocoder):
    """A geopy geocoder answering from the offline gazetteer (no network).

    Parameters
    ----------
    gazetteer
        Default :func:`geo.gazetteer.load_gazetteer`.

    Examples
    --------
    >>> GazetteerGeocoder().geocode("Hoeryŏng").raw["country_code"]
    'KP'
    """

    def __init__(self, gazetteer: Gazetteer | None = None) -> None:
        super().__init__()
        self.gazetteer = gazetteer or load_gazetteer()

    def geocode(
        self, query: str, *, exactly_one: bool = True, **_: object
    ) -> Location | list[Location] | None:
        """Return the best (or every) gazetteer match of ``query``; curated places first."""
        found = [
            Location(f"{c.name}, {c.admin1 or c.country_code}", (c.lat, c.lon), _raw(c))
            for c in self.gazetteer.lookup(query)
        ]
        if not found:
            return None
        return found[0] if exactly_one else found


def _raw(c: Candidate) -> dict[str, object]:
    return {
        "gazetteer_id": c.gazetteer_id,
        "name": c.name,
        "country_code": c.country_code,
        "feature_class": c.feature_class,
        "population": c.population,
        "source": c.source,
    }


class _DiskCache:
    """A JSON file of query -> (lat, lon, address) answers, so each name is asked only once."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data: dict[str, list | None] = {}
        if path.is_file():
            self.data = json.loads(path.read_text(encoding="utf-8"))

    def get(self, query: str) -> tuple[bool, list | None]:
        return query in self.data, self.data.get(query)

    def put(self, query: str, value: list | None) -> None:
        self.data[query] = value
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(self.data, ensure_ascii=False, indent=0), encoding="utf-8")


def online_geocoder(name: str | None = None):
    """Return a cached, rate-limited geopy geocoding function (needs network).

    Parameters
    ----------
    name
        A geopy geocoder name (``"nominatim"``); default ``settings.geocoder``.

    Returns
    -------
    geocode
        ``geocode(query) -> geopy.Location | None``; answers are cached in
        ``settings.cache_folder`` so a name is asked only once, at most one request a second.
    """
    from geopy.extra.rate_limiter import RateLimiter
    from geopy.geocoders import get_geocoder_for_service

    name = name or settings.geocoder
    try:
        service = get_geocoder_for_service(name)
    except Exception as e:  # geopy raises GeocoderNotFound
        msg = f"Geocoder {name!r} is not a geopy geocoder. Use 'offline' or e.g. 'nominatim'."
        raise GeoError(msg) from e
    limited = RateLimiter(
        service(user_agent=settings.geocoder_user_agent).geocode, min_delay_seconds=1.0
    )
    cache = _DiskCache(Path(settings.cache_folder) / f"geocode-{name}.json")

    def geocode(query: str) -> Location | None:
        hit, value = cache.get(query)
        if hit:
            return None if value is None else Location(value[2], (value[0], value[1]), {})
        location = limited(query)
        cache.put(
            query,
            None if location is None else [location.latitude, location.longitude, location.address],
        )
        return location

    return geocode
