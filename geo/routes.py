"""Movements of goods and people: origin -> destination (via), mode, status and a geodesic line.

Each body sentence (split at ", but" / ";") with a movement word is read through the roles
of its place mentions (see :mod:`geo.incidents`):

- origin: "from X", "left X", "orders from a company in X";
- destination: "to/into/toward/back to Y", "reached Y", "left ... for Y", "to a buyer from Y"
  (the last one named; an earlier "into X" becomes the origin: "blocked the road into X and
  moved the goods to China");
- waypoints: "through/via/by way of/over/crossed Z", "crossed the border at Z" (settlements,
  crossings and bridges only; rivers, provinces and countries are never vertices).

At least one end must be named as such. A missing end is the waypoint, then the place
where the goods were ("storage at X ... trucks sent from Rason" is Rason -> X). A clause
that continues an earlier one ("A second convoy ...", "..., but it was turned back") reuses
the article's previous route for what it leaves out (with its mode); a definite subject
("The workers reached Vladivostok") continues from the last route's destination. "... back
to X" goes from where the previous sentence was to X; "back to <country>" and "a return
train" reverse the previous route.

When one end is only a country ("into China") and the other a place, the country end
becomes the nearest city/town/village of that country named in the article (within
150 km; the town across the river rather than the bridge), with a lower confidence;
otherwise it stays the country (geo_precision 3, confidence lowered again). Routes between
two bare countries and same-place routes are dropped.

``mode`` comes from the clause, else from a sentence reporting the same date, else from an
anaphoric neighbour. ``status`` is blocked / attempted / completed from the clause, or
blocked when the next sentence opens with "But ..." and says so.

``crosses_border``: a route leaving from or passing a border crossing (bridge, port of
entry) crosses. Otherwise the gazetteer country codes of origin and destination decide. The
line is also tested against the China–North Korea and North Korea–Russia boundary lines of
``data/basemap/boundary_lines.geojson``; a disagreement is logged, not trusted, because
Natural Earth 1:10m is generalised by about 1 km and puts several riverside towns on the
wrong side. When a country code is missing, the line test decides.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import geopandas as gpd
import pyogrio
from pyproj import Geod
from shapely import LineString, Point, unary_union
from shapely.geometry.base import BaseGeometry

from . import settings
from ._errors import GeoError
from .incidents import (
    SETTLEMENT_CLASSES,
    _clauses,
    _compatible_dates,
    _crossing_mentions,
    _date_key,
    _event_dates,
    _excerpt,
    _finer_date,
    _in_clause,
    _is_anaphoric,
    _known,
    _Located,
    _located,
    _mentions_by_sentence,
    _same_place,
    _sentence_dates,
    _sentence_items,
    _window,
)
from .models import Article, DateSpan, Place, Route, Sentence

__all__ = [
    "geodesic_coords",
    "load_boundaries",
    "mode_from_text",
    "path_coords",
    "path_length_km",
    "routes_from_places",
    "status_from_text",
]

logger = logging.getLogger(__name__)

_GEOD = Geod(ellps="WGS84")
_AREA_CLASSES = frozenset({"province", "region", "district", "country"})
_UNKNOWN_DATE = DateSpan(None, None, "unknown")

_MOVEMENT = re.compile(
    r"\b(?:sen[dt]|sending|mov(?:e|ed|ing)|transport\w*|ship(?:ped|ping|ments?)|deliver\w*|"
    r"carr(?:y|ied|ies|ying)|taken|took|take|smuggl\w*|cross(?:ed|es|ing)?|travel\w*|"
    r"went|returned|brought|bring|loaded|transfer\w*|export\w*|import\w*|fled|escaped|drove|"
    r"driven|headed|bound|orders?|trucks?|trucked|trains?|boats?|ships?|vessels?|wagons?|freight|"
    r"sail\w*|left|leaving|departed|came|reached|arriv\w+|continue\w*|convoy|deliver\w*|"
    r"flown|flew|ran|fled|escaped|defected|return\w*|walk\w*|wad(?:e|ed|ing)|swam|swim\w*|"
    r"ferr\w*|rowed|handed over)\b",
    re.IGNORECASE,
)
_FROM_COMPANY_IN = re.compile(
    r"\bfrom\s+(?:an?|the)\s+[\w\s-]{0,30}?\b(?:in|at|based in)\s+"
    r"(?:(?:the|northeastern|northern|southern|eastern|western|[A-Z][\w-]*['’]s)\s+){0,3}$",
    re.IGNORECASE,
)
_NEGATED_MODE = re.compile(
    r"\b(?:instead of|rather than|not)\s+(?:directly\s+|simply\s+)?(?:by|on|using)\s+"
    r"(?:an?\s+|the\s+)?\w+",
    re.IGNORECASE,
)
_MODES = (
    (
        "boat",
        re.compile(
            r"\b(?:boats?|rafts?|small (?:vessels?|craft|ships?)|dinghy|canoes?|"
            r"ferr(?:y|ied|ies|ying))\b",
            re.I,
        ),
    ),
    (
        "truck",
        re.compile(
            r"\b(?:trucks?|trucked|lorr(?:y|ies)|vehicles?|vans?|cars?|buse?s?|by road)\b", re.I
        ),
    ),
    ("rail", re.compile(r"\b(?:trains?|rail(?:way|road)?s?|wagons?|freight cars?)\b", re.I)),
    ("ship", re.compile(r"\b(?:ships?|vessels?|freighters?|tankers?|barges?)\b", re.I)),
)
_ON_FOOT = re.compile(
    r"\b(?:on foot|walk(?:ed|ing)?|wad(?:ed|ing)|swam|swimming|carried|"
    r"on (?:their|his|her) backs?)\b",
    re.I,
)
_BLOCKED = re.compile(
    r"\b(?:did not (?:approve|clear|allow|let)|refused|turned (?:\w+ )?(?:back|away)|denied|"
    r"sent (?:\w+ )?back|barred|stopped (?:clearing|accepting)|(?:was|were) held (?:at|up|by)|"
    r"(?:was|were|been|being|got) (?:\w+ )?(?:blocked|seized|stopped|confiscated|intercepted)|"
    r"(?:blocked|seized|stopped|confiscated|intercepted) (?:the |their |a |an |its )?"
    r"(?:\w+ )?(?:delivery|deliveries|shipments?|goods|cargo|consignment|trucks?|boats?|"
    r"vessels?|ships?|exports?|imports?|transfer))\b",
    re.I,
)
_ATTEMPTED = re.compile(
    r"\b(?:tried|tries|try|trying|attempt(?:ed|s|ing)?|planned|plans|planning|intended|hoped)"
    r"\s+to\b",
    re.I,
)
_CONTRAST = re.compile(r"^[\s“”\"'‘’]*(?:but|however|yet)\b", re.I)
_COUNTRY_WORDS = {
    "china": "CN",
    "north korea": "KP",
    "the north": "KP",
    "russia": "RU",
    "south korea": "KR",
    "the south": "KR",
}
_TEXT_COUNTRY_DEST = re.compile(
    r"\b(back to|into|to|toward|towards)\s+(china|north korea|russia|south korea|the north)\b",
    re.I,
)
_DEST_ROLES = ("to", "back to", "into", "toward", "towards")
_VIA_ROLES = ("through", "crossed", "across")
_SITE_ROLES = ("at", "in", "inside", "within", "subject", "on", "near", "around")
_MAX_NEAREST_KM = 150.0
_SEVERITY = {"completed": 0, "attempted": 1, "blocked": 2}
_TOWN_CLASSES = frozenset({"city", "town", "village"})


# ----------------------------------------------------------------------------- reference data


_LAST_BORDER: list[tuple[gpd.GeoDataFrame, BaseGeometry]] = []


def _border(boundaries: gpd.GeoDataFrame) -> BaseGeometry:
    """The boundary lines as one geometry, kept for the next article of the same build."""
    if _LAST_BORDER and _LAST_BORDER[0][0] is boundaries:
        return _LAST_BORDER[0][1]
    border = unary_union(list(boundaries.geometry))
    _LAST_BORDER[:] = [(boundaries, border)]
    return border


def load_boundaries(path: str | Path | None = None) -> gpd.GeoDataFrame:
    """Read the international boundary lines North Korea shares with China and Russia.

    Parameters
    ----------
    path
        GeoJSON of boundary lines with ``kind`` and ``pair`` columns. Default:
        ``settings.data_folder / "basemap" / "boundary_lines.geojson"``.

    Returns
    -------
    gdf_boundaries
        Lines with ``kind == "international_boundary"`` and a ``pair`` naming PRK, EPSG:4326.
    """
    path = Path(
        settings.data_folder / "basemap" / "boundary_lines.geojson" if path is None else path
    )
    return _load_boundaries(path.resolve()).copy()


@cache
def _load_boundaries(path: Path) -> gpd.GeoDataFrame:
    try:
        gdf = gpd.read_file(path, engine="pyogrio")
    except (OSError, pyogrio.errors.DataSourceError) as e:
        msg = f"{path}: cannot read the boundary lines ({e})"
        raise GeoError(msg) from e
    missing = {"kind", "pair"} - set(gdf.columns)
    if missing:
        msg = f"{path}: boundary lines need the columns kind and pair, missing {sorted(missing)}"
        raise GeoError(msg)
    keep = (gdf["kind"] == "international_boundary") & gdf["pair"].str.contains("PRK", na=False)
    gdf = gdf.loc[keep].to_crs(settings.default_crs).reset_index(drop=True)
    logger.info("Loaded %d boundary lines from %s", len(gdf), path)
    return gdf


# ----------------------------------------------------------------------------- geometry


def geodesic_coords(
    a_lonlat: tuple[float, float], b_lonlat: tuple[float, float], npts: int | None = None
) -> list[tuple[float, float]]:
    """Vertices of the geodesic (WGS 84) from a to b, both ends included.

    Parameters
    ----------
    a_lonlat, b_lonlat
        (lon, lat) of the ends.
    npts
        Number of intermediate points; default one per 5 km, at most 100.

    Returns
    -------
    coords
        ``[(lon, lat), ...]`` starting at a and ending at b.

    Examples
    --------
    >>> geodesic_coords((129.0, 42.0), (129.0, 42.0))
    [(129.0, 42.0), (129.0, 42.0)]
    """
    (lon1, lat1), (lon2, lat2) = a_lonlat, b_lonlat
    if npts is None:
        _, _, metres = _GEOD.inv(lon1, lat1, lon2, lat2)
        npts = int(min(100, metres // 5000))
    if npts < 0:
        msg = f"'npts' should be 0 or more, got {npts}"
        raise ValueError(msg)
    middle = _GEOD.npts(lon1, lat1, lon2, lat2, npts) if npts else []
    return [(lon1, lat1), *((float(x), float(y)) for x, y in middle), (lon2, lat2)]


def path_coords(points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """Vertices of the geodesic path through several (lon, lat) points (origin, stops, end).

    Examples
    --------
    >>> path_coords([(129.0, 42.0), (129.0, 42.0), (129.0, 42.0)])
    [(129.0, 42.0), (129.0, 42.0), (129.0, 42.0)]
    """
    coords: list[tuple[float, float]] = []
    for a, b in zip(points, points[1:], strict=False):
        segment = geodesic_coords(a, b)
        coords.extend(segment if not coords else segment[1:])
    return coords


def path_length_km(points: Sequence[tuple[float, float]]) -> float:
    """Geodesic (WGS 84) length of a (lon, lat) path in kilometres, rounded to metres."""
    return round(_length_km(points), 3)


def _length_km(points: Sequence[tuple[float, float]]) -> float:
    total = 0.0
    for (lon1, lat1), (lon2, lat2) in zip(points, points[1:], strict=False):
        total += _GEOD.inv(lon1, lat1, lon2, lat2)[2]
    return total / 1000.0


def _distance_km(a: Place, b: Place) -> float:
    return _length_km([(a.lon, a.lat), (b.lon, b.lat)])  # type: ignore[list-item]


# ----------------------------------------------------------------------------- text rules


def mode_from_text(text: str) -> str:
    """Transport mode named in a sentence: truck, rail, boat, ship, on_foot or unknown.

    Parameters
    ----------
    text
        One sentence.

    Returns
    -------
    mode
        The earliest vehicle named (negated ones such as "instead of by rail" are skipped);
        on_foot only when no vehicle is named.

    Examples
    --------
    >>> mode_from_text("taken by trucks instead of directly by rail")
    'truck'
    """
    clean = _NEGATED_MODE.sub(lambda m: " " * len(m.group(0)), text)
    hits = [(m.start(), mode) for mode, rx in _MODES if (m := rx.search(clean))]
    if hits:
        return min(hits)[1]
    return "on_foot" if _ON_FOOT.search(clean) else "unknown"


def status_from_text(text: str) -> str:
    """Whether a movement was blocked, only attempted, or completed.

    Parameters
    ----------
    text
        One sentence.

    Returns
    -------
    status
        ``"blocked"``, ``"attempted"`` or ``"completed"``.

    Examples
    --------
    >>> status_from_text("Customs did not approve the delivery.")
    'blocked'
    """
    if _BLOCKED.search(text):
        return "blocked"
    return "attempted" if _ATTEMPTED.search(text) else "completed"


# ----------------------------------------------------------------------------- routes


@dataclass(slots=True)
class _Leg:
    origin: Place
    destination: Place
    via: list[Place] = field(default_factory=list)
    confidence: float = 0.6
    reason: str = ""
    mode: str = "unknown"  # from the previous route when the clause continues it


def routes_from_places(
    article: Article,
    places: Sequence[Place],
    *,
    boundaries: gpd.GeoDataFrame | None = None,
) -> list[Route]:
    """Find the movements of one article as routes between its places.

    Parameters
    ----------
    article
        A cleaned article with sentences.
    places
        The article's places (from :func:`geo.geocode.places_from_toponyms`).
    boundaries
        Boundary lines for the crossing check; default :func:`load_boundaries`.

    Returns
    -------
    routes
        In text order, ids ``"<article_id>-r001"`` …, each with a geodesic line.
    """
    if not isinstance(article, Article):
        msg = f"'article' should be an Article, got {type(article).__name__}"
        raise TypeError(msg)
    if boundaries is not None and not isinstance(boundaries, gpd.GeoDataFrame):
        msg = f"'boundaries' should be a GeoDataFrame, got {type(boundaries).__name__}"
        raise TypeError(msg)
    border = _border(load_boundaries() if boundaries is None else boundaries)
    by_sentence = _mentions_by_sentence(places)
    resolved = [p for p in places if p.candidate is not None]
    body = [i for i, s in enumerate(article.sentences) if s.section == "body"]
    dated = {i: _sentence_dates(article, article.sentences[i]) for i in body}
    routes: list[Route] = []
    previous_sites: list[Place] = []
    crossings = _crossing_mentions(places)
    for pos, idx in enumerate(body):
        sentence = article.sentences[idx]
        hood = (body[pos - 1] if pos else None, body[pos + 1] if pos + 1 < len(body) else None)
        sites: list[Place] = []
        clause_dates: list[DateSpan] = []
        items = _sentence_items(sentence, idx, by_sentence, crossings)
        for n, clause in enumerate(_clauses(sentence)):
            inside = _in_clause(items, clause)
            located = [
                loc
                for loc in _located(clause, inside, article)
                if loc.place.candidate is not None and not loc.reporting
            ]
            linked = n > 0 or bool(_CONTINUATION.match(clause.text))
            leg = _leg(clause.text, located, resolved, routes, linked, previous_sites)
            sites += [
                loc.place for loc in located if loc.role in _SITE_ROLES and _drawable(loc.place)
            ]
            spans = _event_dates(_sentence_dates(article, clause), clause.text)
            if n and not _known(spans[0]) and clause_dates:
                spans = clause_dates  # "tried to cross on Oct. 2, but it was turned back"
            clause_dates = [d for d in spans if _known(d)] or clause_dates
            if leg is None:
                continue
            for span in spans:
                routes.append(_route(article, idx, clause, hood, leg, span, body, dated, border))
        previous_sites = sites
    routes = _number(article, _deduplicate([r for r in routes if _mappable(r, border)]))
    logger.info("Found %d routes in article %r", len(routes), article.article_id)
    return routes


#: A route to or from a whole country ends at the country's representative point. That is
#: a fair drawing of "from Hyesan into China" (a border town crossing over), but says nothing
#: true about "orders made from China" for a factory 400 km inland: such a route is kept only
#: when its other end lies within this many degrees (about 50 km) of an international boundary.
MAX_COUNTRY_ROUTE_BORDER_DEG = 0.5


def _mappable(route: Route, border: BaseGeometry) -> bool:
    ends = (route.origin.candidate, route.destination.candidate)
    others = [o for c, o in (ends, ends[::-1]) if c is not None and c.feature_class == "country"]
    for other in others:
        if other is None or other.feature_class == "country":
            continue
        if border.distance(Point(other.lon, other.lat)) > MAX_COUNTRY_ROUTE_BORDER_DEG:
            logger.info(
                "Dropped route %s -> %s: a country end, and %s is far from any border",
                route.origin.name,
                route.destination.name,
                other.name,
            )
            return False
    return True


_CONTINUATION = re.compile(
    r"^[\s“”\"'‘’(]*(?:(?:a|the) (?:second|third|fourth|further|later|next)|another|the same|"
    r"then|they|it)\b(?!\s+(?:sources?|persons?|residents?|traders?|officials?)\b)",
    re.IGNORECASE,
)
_REPEAT = re.compile(
    r"^[\s“”\"'‘’(]*(?:(?:a|the) (?:second|third|fourth|further|next)|another|the same)\b",
    re.IGNORECASE,
)
_RETURN = re.compile(r"\b(?:return|returning|returned|came back|went back)\b", re.IGNORECASE)
_DEPART_FOR = re.compile(
    r"\b(?:left|leave|leaves|leaving|departed|departs|headed|heading|bound|sailed|sail|sailing|"
    r"set off|set out|continue|continued)\b[^.;]{0,60}\bfor\s+$",
    re.IGNORECASE,
)
_TO_SOMEONE = re.compile(
    r"\bto\s+(?:(?:an?|the|their|its)\s+)?(?:(?:Chinese|Korean|North Korean|South Korean|Russian|"
    r"local)\s+)?(?:[a-z][\w'’-]*\s+){0,3}(?:from|in|at|based in)\s+$"
)
_CROSSED_AT = re.compile(
    r"\bcross(?:ed|es|ing)?\s+(?:the\s+)?(?:[\w-]+\s+)?(?:border|river|bridge)\s+(?:at|in|near)\s+$",
    re.IGNORECASE,
)


def _before(text: str, loc: _Located) -> str:
    """Text before a mention with fillers such as "North Korea's" or "the" removed."""
    out = _window(text, loc.start)
    out = re.sub(
        r"(?:\b[A-Z][\w-]*(?:\s+[A-Z][\w-]*)*['’]s|\bthe|\bport of|\bcity of)\s*$", "", out
    )
    return out.rstrip() + " "


def _slots(
    text: str, located: Sequence[_Located]
) -> tuple[list[_Located], list[_Located], list[_Located], list[_Located]]:
    """Origins, destinations, waypoints and sites among the mentions of one clause."""
    origins, dests, vias, sites = [], [], [], []
    for loc in located:
        before = _before(text, loc)
        if (
            _TO_SOMEONE.search(before)
            or loc.role in _DEST_ROLES
            or (loc.role == "for" and _DEPART_FOR.search(before))
        ):
            dests.append(loc)
        elif loc.role in ("from", "left") or (
            loc.role == "in" and _FROM_COMPANY_IN.search(_window(text, loc.start))
        ):
            origins.append(loc)
        elif _drawable(loc.place) and (loc.role in _VIA_ROLES or _CROSSED_AT.search(before)):
            vias.append(loc)
        elif loc.role in _SITE_ROLES:
            sites.append(loc)
    return origins, dests, vias, sites


def _leg(
    text: str,
    located: list[_Located],
    resolved: Sequence[Place],
    previous: Sequence[Route],
    linked: bool,
    previous_sites: Sequence[Place],
) -> _Leg | None:
    """Origin, destination and waypoints of the movement told by one clause, if any.

    ``linked``: the clause continues an earlier one ("A second convoy ...", ", but it was
    turned back"), so what it leaves out comes from the article's previous route.
    """
    status_cue = status_from_text(text) != "completed"
    if not (_MOVEMENT.search(text) or (linked and status_cue)):
        return None
    back = re.search(r"\bback\s+(?:across\s+[^.,;]{0,40}?\s+)?to\b", text, re.I)
    if back and previous:
        leg = _return_leg(text, back.end(), located, previous[-1], previous_sites)
        if leg is not None:
            return leg
    origins, dests, vias, sites = _slots(text, located)
    if previous and not origins and not dests and _RETURN.search(text):
        named = [loc.place for loc in located]  # "A return train ... was held at Ji'an"
        last = next(
            (r for r in reversed(previous) if any(_same_place(p, r.destination) for p in named)),
            previous[-1],
        )
        return _Leg(last.destination, last.origin, list(reversed(last.via)), 0.45, "return leg")
    inherited_mode = "unknown"
    dest_loc = _pick_destination(dests)
    origin_loc = _finest(origins)
    origin = origin_loc.place if origin_loc else None
    dest = dest_loc.place if dest_loc else _text_country_place(text, located, resolved)
    confidence = 0.7
    if linked and previous and (origin is None or dest is None):
        last = previous[-1]
        if origin is None and dest is not None and not _REPEAT.match(text):
            origin = last.destination  # "..., but the rest was sent on to Kimchaek"
        origin = origin or (last.origin if not _same_place(last.origin, dest) else None)
        dest = dest or (last.destination if not _same_place(last.destination, origin) else None)
        confidence, inherited_mode = 0.5, last.mode
    if origin is None and dest is None:
        return None  # neither end is named as such: "fired on smugglers crossing near X"
    if origin is None:
        earlier = [d for d in dests if dest_loc is not None and d.start < dest_loc.start]
        pool = [v for v in vias if v is not dest_loc] or _settlements(sites, dest_loc) or earlier
        origin = pool[0].place if pool else None
        confidence = 0.55
    if origin is None and _is_anaphoric(text):
        here = [p for p in previous_sites if not _same_place(p, dest)]
        if here:  # "held at the customs office in Dandong. The seafood was returned to Sinuiju"
            origin, confidence = here[-1], 0.45
        elif previous:  # "The workers reached Vladivostok": on from the last stop
            last = previous[-1]
            origin = None if _same_place(last.destination, dest) else last.destination
            confidence = 0.45
    if dest is None and origin is not None:
        pool = [loc.place for loc in _settlements(sites, origin_loc)]
        pool = pool or [v.place for v in vias if v is not origin_loc]
        if linked:
            pool = pool or [p for p in previous_sites if not _same_place(p, origin)]
        dest = pool[-1] if pool else None
        confidence = 0.55
    if origin is None or dest is None:
        return None
    via = [
        v.place for v in vias if not _same_place(v.place, origin) and not _same_place(v.place, dest)
    ]
    return _refine(_Leg(origin, dest, _unique(via), confidence, mode=inherited_mode), resolved)


def _return_leg(
    text: str,
    pos: int,
    located: Sequence[_Located],
    last: Route,
    previous_sites: Sequence[Place],
) -> _Leg | None:
    """Build "... back to X": to X from where the story just was, or reverse the last route.

    The start is the last place the previous sentence was at ("refused at Khasan. The coal
    went back to Rajin"), else the previous route's destination.
    """
    target = next((loc for loc in located if 0 <= loc.start - pos <= 5), None)
    if target is not None and _drawable(target.place):
        here = [p for p in previous_sites if not _same_place(p, target.place)]
        start = here[-1] if here else last.destination
        if _same_place(target.place, start):
            return None
        return _Leg(start, target.place, [], 0.45, "return leg")
    code = target.place.country_code if target is not None else _country_after(text, pos, located)
    if code in ("", last.origin.country_code):
        return _Leg(last.destination, last.origin, list(reversed(last.via)), 0.4, "return leg")
    return None


def _country_after(text: str, pos: int, located: Sequence[_Located]) -> str:
    for loc in located:
        if loc.start >= pos and loc.start - pos <= 5:
            return loc.place.country_code
    m = re.match(
        r"\s*(?:the\s+)?(china|north korea|russia|south korea|north|south)\b", text[pos:], re.I
    )
    if m is None:
        return ""
    word = m.group(1).lower()
    return _COUNTRY_WORDS.get(word, _COUNTRY_WORDS.get(f"the {word}", ""))


def _pick_destination(dests: Sequence[_Located]) -> _Located | None:
    """Pick the last destination named, or a finer one of its country ("to Dandong, China")."""
    if not dests:
        return None
    last = dests[-1]
    same = [d for d in dests if d.place.country_code == last.place.country_code]
    return _finest(same) if _rank(last.place) > 0 else last


def _rank(place: Place) -> int:
    cls = place.candidate.feature_class if place.candidate else ""
    if cls in SETTLEMENT_CLASSES:
        return 0
    return 2 if cls == "country" else 1


def _finest(locs: Sequence[_Located]) -> _Located | None:
    return min(locs, key=lambda loc: (_rank(loc.place), loc.start)) if locs else None


def _crossing(place: Place) -> bool:
    return place.candidate is not None and place.candidate.feature_class in (
        "bridge",
        "port_of_entry",
    )


def _drawable(place: Place) -> bool:
    """Tell whether a place can be a vertex of a route line (not a river, province, country)."""
    return place.candidate is not None and place.candidate.feature_class in SETTLEMENT_CLASSES


def _settlements(locs: Sequence[_Located], other: _Located | None) -> list[_Located]:
    return [
        loc
        for loc in locs
        if _drawable(loc.place) and (other is None or not _same_place(loc.place, other.place))
    ]


def _unique(places: Sequence[Place]) -> list[Place]:
    out: list[Place] = []
    for p in places:
        if not any(_same_place(p, o) for o in out):
            out.append(p)
    return out


def _text_country_place(
    text: str, located: Sequence[_Located], resolved: Sequence[Place]
) -> Place | None:
    """Find a place for a country destination the toponym step missed ("into China")."""
    covered = [(loc.start, loc.end) for loc in located]
    for m in _TEXT_COUNTRY_DEST.finditer(text):
        if any(a <= m.start(2) < b for a, b in covered):
            continue
        code = _COUNTRY_WORDS.get(m.group(2).lower(), "")
        country = next((p for p in resolved if p.country_code == code and _rank(p) == 2), None)
        if country is not None:
            return country
        members = [p for p in resolved if p.country_code == code and _drawable(p)]
        if members:
            return members[0]  # refined to the nearest one by _refine
    return None


def _refine(leg: _Leg, resolved: Sequence[Place]) -> _Leg | None:
    """Replace a country-only end by the nearest named place of that country in the article."""
    if _rank(leg.origin) == 2 and _rank(leg.destination) == 2:
        return None  # country to country: nothing to draw
    for end in ("destination", "origin"):
        here, there = (
            getattr(leg, end),
            getattr(leg, "origin" if end == "destination" else "destination"),
        )
        if _rank(here) != 2 or _rank(there) == 2:
            continue
        code = here.country_code
        near = [p for p in resolved if p.country_code == code and _drawable(p)]
        near = [p for p in near if not _same_place(p, there)]
        towns = [p for p in near if p.candidate.feature_class in _TOWN_CLASSES]  # type: ignore[union-attr]
        near = towns or near  # the town across the river rather than the bridge
        if not near:
            continue
        best = min(near, key=lambda p: _distance_km(p, there))
        if _distance_km(best, there) <= _MAX_NEAREST_KM:
            logger.info(
                "Route %s: %s %r taken as its nearest named place %r",
                end,
                code,
                here.name,
                best.name,
            )
            setattr(leg, end, best)
            leg.confidence -= 0.15
            leg.reason += f"; {end} {here.name} taken as nearest named place {best.name}"
    if _same_place(leg.origin, leg.destination):
        return None
    if 2 in (_rank(leg.origin), _rank(leg.destination)):
        leg.confidence -= 0.2  # one end is only a country: a line to its centre point
    return leg


def _route(
    article: Article,
    idx: int,
    clause: Sentence,
    hood: tuple[int | None, int | None],
    leg: _Leg,
    span: DateSpan,
    body: Sequence[int],
    dated: dict[int, list[DateSpan]],
    border: BaseGeometry,
) -> Route:
    prev_idx, next_idx = hood
    mode = _mode(article, clause, idx, prev_idx, next_idx, span, body, dated)
    if mode == "unknown":
        mode = leg.mode
    status = status_from_text(clause.text)
    if status != "blocked" and next_idx is not None:
        following = article.sentences[next_idx].text
        if _CONTRAST.match(following) and status_from_text(following) == "blocked":
            status = "blocked"
    stops = [leg.origin, *leg.via, leg.destination]
    coords = path_coords([(p.lon, p.lat) for p in stops])  # type: ignore[misc]
    confidence = (
        leg.confidence + (0.1 if _known(span) else 0.0) + (0.05 if mode != "unknown" else 0)
    )
    logger.debug(
        "Route %s -> %s (%s), sentence %d", leg.origin.name, leg.destination.name, leg.reason, idx
    )
    anaphoric = _is_anaphoric(article.sentences[idx].text)
    return Route(
        id="",
        article_id=article.article_id,
        origin=leg.origin,
        destination=leg.destination,
        mode=mode,
        status=status,
        via=list(leg.via),
        date=span,
        excerpt=_excerpt(article, idx, prev_idx if anaphoric else None),
        crosses_border=_crosses(leg, coords, border),
        length_km=path_length_km(coords),
        coords=coords,
        confidence=round(max(0.05, min(0.95, confidence)), 2),
        sentence=idx,
    )


def _mode(
    article: Article,
    sentence: Sentence,
    idx: int,
    prev_idx: int | None,
    next_idx: int | None,
    span: DateSpan,
    body: Sequence[int],
    dated: dict[int, list[DateSpan]],
) -> str:
    """Mode from the sentence, else from another sentence of the same event."""
    mode = mode_from_text(sentence.text)
    if mode != "unknown":
        return mode
    related: list[int] = []
    if _known(span):
        related += [
            i for i in body if i != idx and any(_date_key(d) == _date_key(span) for d in dated[i])
        ]
    if prev_idx is not None and _is_anaphoric(sentence.text):
        related.append(prev_idx)
    if next_idx is not None and _is_anaphoric(article.sentences[next_idx].text):
        related.append(next_idx)
    for i in related:
        mode = mode_from_text(article.sentences[i].text)
        if mode != "unknown":
            return mode
    return "unknown"


def _crosses(leg: _Leg, coords: Sequence[tuple[float, float]], border: BaseGeometry) -> bool:
    if any(_crossing(p) for p in (leg.origin, *leg.via)):
        return True  # leaving from or passing a border crossing is crossing the border
    a, b = leg.origin.country_code, leg.destination.country_code
    line_test = bool(
        len(coords) >= 2 and not border.is_empty and LineString(coords).intersects(border)
    )
    if not a or not b:
        return line_test
    by_codes = a != b
    if by_codes != line_test:
        logger.info(
            "Route %r -> %r: country codes say crosses=%s, boundary line test says %s "
            "(Natural Earth is generalised; the codes decide)",
            leg.origin.name,
            leg.destination.name,
            by_codes,
            line_test,
        )
    return by_codes


def _compatible(a: Route, b: Route) -> bool:
    if not (_same_place(a.origin, b.origin) and _same_place(a.destination, b.destination)):
        return False
    return _compatible_dates(a.date or _UNKNOWN_DATE, b.date or _UNKNOWN_DATE)


def _deduplicate(routes: Sequence[Route]) -> list[Route]:
    kept: list[Route] = []
    for route in routes:
        match = next((k for k in reversed(kept) if _compatible(k, route)), None)
        if match is None:
            kept.append(route)
            continue
        finer = _finer_date(match.date or _UNKNOWN_DATE, route.date or _UNKNOWN_DATE)
        if finer is route.date and finer is not match.date:
            match.date, match.excerpt, match.sentence = route.date, route.excerpt, route.sentence
        if match.mode == "unknown":
            match.mode = route.mode
        if _SEVERITY[route.status] > _SEVERITY[match.status]:
            match.status = route.status
        match.via = _unique([*match.via, *route.via]) if not match.via else match.via
        match.confidence = max(match.confidence, route.confidence)
    return kept


def _number(article: Article, routes: Sequence[Route]) -> list[Route]:
    ordered = sorted(routes, key=lambda r: (r.sentence, r.date.start_char if r.date else 0))
    for n, route in enumerate(ordered, start=1):
        route.id = f"{article.article_id}-r{n:03d}"
        if route.date is None:
            route.date = _UNKNOWN_DATE
    return ordered
