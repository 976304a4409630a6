"""Articles in, three GeoDataFrames out; read and write the store.

The per-article stage :func:`process_article` is a pure function of one article plus
read-only reference data (gazetteer, incident types, boundary lines), so a large corpus can
run it in parallel (Dask, multiprocessing) unchanged. Everything app.py needs is here.

The store is a folder with ``places.geojson``, ``incidents.geojson``, ``routes.geojson``
(RFC 7946, written by GDAL) and ``border.gpkg`` (the same three layers plus an ``articles``
table). List-valued columns are JSON arrays in GeoJSON and JSON text in the GeoPackage.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely.geometry import LineString, Point

from . import settings
from ._errors import ArticleError, GeoError, StoreError
from .articles import article_from_text, find_articles, read_article
from .gazetteer import Gazetteer, load_gazetteer
from .geocode import places_from_toponyms
from .incidents import incidents_from_places
from .merge import merge_incidents
from .models import (
    ARTICLE_COLUMNS,
    INCIDENT_COLUMNS,
    PLACE_COLUMNS,
    ROUTE_COLUMNS,
    Article,
    DateSpan,
    Incident,
    Mention,
    Place,
    Route,
)
from .routes import load_boundaries, routes_from_places
from .toponyms import toponyms_from_article

__all__ = [
    "LIST_COLUMNS",
    "ArticleResult",
    "Layers",
    "build",
    "empty_layers",
    "layers_from_articles",
    "layers_from_paths",
    "layers_from_texts",
    "merge_layers",
    "process_article",
    "read_store",
    "write_store",
]

logger = logging.getLogger(__name__)

#: Columns holding lists (JSON arrays in files).
LIST_COLUMNS = ("mentions", "candidates", "actors", "quantities", "sources", "via")
STORE_FILES = ("places.geojson", "incidents.geojson", "routes.geojson", "border.gpkg")


@dataclass(slots=True)
class Layers:
    """The three map layers, the articles table and the files that were skipped."""

    places: gpd.GeoDataFrame
    incidents: gpd.GeoDataFrame
    routes: gpd.GeoDataFrame
    articles: pd.DataFrame
    skipped: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ArticleResult:
    """Everything the pipeline found in one article."""

    article: Article
    places: list[Place]
    incidents: list[Incident]
    routes: list[Route]
    unresolved: list[Mention]


def process_article(
    article: Article,
    *,
    gazetteer: Gazetteer | None = None,
    boundaries: gpd.GeoDataFrame | None = None,
) -> ArticleResult:
    """Find, place and connect what one article reports.

    Parameters
    ----------
    article
        A cleaned article.
    gazetteer
        Default :func:`geo.gazetteer.load_gazetteer`.
    boundaries
        International boundary lines; default :func:`geo.routes.load_boundaries`.

    Returns
    -------
    result
        Places, incidents, routes and unresolved mentions of the article.
    """
    gazetteer = gazetteer or load_gazetteer()
    mentions = toponyms_from_article(article, gazetteer)
    places, unresolved = places_from_toponyms(article, mentions, gazetteer)
    incidents = incidents_from_places(article, places)
    routes = routes_from_places(article, places, boundaries=boundaries)
    return ArticleResult(article, places, incidents, routes, unresolved)


# ------------------------------------------------------------------ records -> frames


def _point(place: Place | None) -> Point | None:
    """The one place where (lat, lon) becomes shapely's (lon, lat)."""
    if place is None or place.candidate is None:
        return None
    return Point(place.candidate.lon, place.candidate.lat)


def _iso(span: DateSpan | None, attr: str) -> str | None:
    value = getattr(span, attr, None) if span is not None else None
    return value.isoformat() if value is not None else None


def _candidate_dicts(place: Place) -> list[dict[str, Any]]:
    return [
        {
            "gazetteer_id": c.gazetteer_id,
            "name": c.name,
            "country_code": c.country_code,
            "feature_class": c.feature_class,
            "score": score,
            "lat": c.lat,
            "lon": c.lon,
        }
        for c, score in place.scored[:8]
    ]


def _place_row(place: Place, article_id: str) -> dict[str, Any]:
    c = place.candidate
    return {
        "name": place.name,
        "mentions": list(dict.fromkeys(m.search_name for m in place.mentions)),
        "article_id": article_id,
        "country_code": c.country_code if c else "",
        "feature_class": c.feature_class if c else "",
        "geo_precision": place.geo_precision,
        "gazetteer_id": c.gazetteer_id if c else "",
        "confidence": place.confidence,
        "admin1": c.admin1 if c else "",
        "source": c.source if c else "",
        "reason": place.reason,
        "candidates": _candidate_dicts(place),
        "geometry": _point(place),
    }


def _incident_row(incident: Incident) -> dict[str, Any]:
    place = incident.place
    span = incident.date
    return {
        "id": incident.id,
        "article_id": incident.article_id,
        "type": incident.type,
        "summary": incident.summary,
        "excerpt": incident.excerpt,
        "place": place.name if place else "",
        "date_start": _iso(span, "start"),
        "date_end": _iso(span, "end"),
        "date_precision": span.precision if span else "unknown",
        "actors": list(incident.actors),
        "quantities": list(incident.quantities),
        "geo_precision": place.geo_precision if place and place.candidate else 3,
        "confidence": incident.confidence,
        "gazetteer_id": place.candidate.gazetteer_id if place and place.candidate else "",
        "date_inferred": bool(span.inferred) if span else False,
        "country_code": place.country_code if place else "",
        "sources": incident.sources
        or [{"article_id": incident.article_id, "excerpt": incident.excerpt}],
        "geometry": _point(place),
    }


def _route_row(route: Route) -> dict[str, Any]:
    span = route.date
    return {
        "id": route.id,
        "article_id": route.article_id,
        "origin": route.origin.name,
        "destination": route.destination.name,
        "mode": route.mode,
        "status": route.status,
        "crosses_border": bool(route.crosses_border),
        "length_km": round(float(route.length_km), 3),
        "date_start": _iso(span, "start"),
        "date_end": _iso(span, "end"),
        "excerpt": route.excerpt,
        "via": [p.name for p in route.via],
        "date_precision": span.precision if span else "unknown",
        "origin_id": route.origin.candidate.gazetteer_id if route.origin.candidate else "",
        "destination_id": route.destination.candidate.gazetteer_id
        if route.destination.candidate
        else "",
        "confidence": route.confidence,
        "geometry": LineString(route.coords) if len(route.coords) >= 2 else None,
    }


def _article_row(article: Article) -> dict[str, Any]:
    return {
        "article_id": article.article_id,
        "title": article.title,
        "published": article.published.isoformat() if article.published else None,
        "published_inferred": article.published_inferred,
        "url": article.url,
        "source": article.source,
        "path": article.path,
        "byline": article.byline,
        "caption": article.caption,
        "text": article.text,
    }


def _gdf(rows: list[dict[str, Any]], columns: Sequence[str]) -> gpd.GeoDataFrame:
    frame = pd.DataFrame(rows, columns=[*columns, "geometry"])
    gdf = gpd.GeoDataFrame(frame, geometry="geometry", crs=settings.default_crs)
    return _validate(gdf.reset_index(drop=True), columns)


def _validate(gdf: gpd.GeoDataFrame, columns: Sequence[str]) -> gpd.GeoDataFrame:
    """Check the contract of a layer leaving geo/: CRS, unique index, fixed columns."""
    if not gdf.index.is_unique:
        msg = "'gdf' must be uniquely indexed."
        raise GeoError(msg)
    if list(gdf.columns) != [*columns, "geometry"]:
        msg = f"Layer columns {list(gdf.columns)} differ from the contract {[*columns, 'geometry']}"
        raise GeoError(msg)
    if gdf.crs is None or gdf.crs.to_string() != settings.default_crs:
        msg = f"Layer CRS must be {settings.default_crs}, got {gdf.crs}"
        raise GeoError(msg)
    return gdf


def empty_layers() -> Layers:
    """Return Layers with the contract's columns and no rows."""
    return Layers(
        _gdf([], PLACE_COLUMNS),
        _gdf([], INCIDENT_COLUMNS),
        _gdf([], ROUTE_COLUMNS),
        pd.DataFrame(columns=list(ARTICLE_COLUMNS)),
    )


def _layers_from_results(results: Iterable[ArticleResult], skipped: list[str]) -> Layers:
    places, incidents, routes, articles = [], [], [], []
    for r in results:
        article_id = r.article.article_id
        places += [_place_row(p, article_id) for p in r.places if p.candidate is not None]
        incidents += [_incident_row(i) for i in r.incidents]
        routes += [_route_row(route) for route in r.routes]
        articles.append(_article_row(r.article))
    gdf_incidents = merge_incidents(_gdf(incidents, INCIDENT_COLUMNS))
    return Layers(
        _gdf(places, PLACE_COLUMNS),
        _validate(gdf_incidents, INCIDENT_COLUMNS),
        _gdf(routes, ROUTE_COLUMNS),
        pd.DataFrame(articles, columns=list(ARTICLE_COLUMNS)),
        skipped,
    )


def _progress(items: Sequence[Any], enabled: bool, desc: str) -> Iterable[Any]:
    if not enabled:
        return items
    from tqdm import tqdm

    return tqdm(items, desc=desc, unit="article", disable=len(items) < 20)


def _with_corpus_dates(articles: Sequence[Article]) -> list[Article]:
    """Give undated articles whose text names no year the corpus's median year, marked inferred.

    A year-less "Sept. 28" needs a year to become a date. An article without front matter and
    without any year in its text most likely comes from the same period as the articles it is
    collected with, so it takes the median year of the others, as 31 December so that the
    year-less dates it mentions fall in that year, with ``published_inferred`` set; a lone such
    article stays undated. Give the article a ``published:`` line to be exact.
    """
    years = sorted(a.published.year for a in articles if a.published is not None)
    if not years or len(years) == len(articles):
        return list(articles)
    year = years[len(years) // 2]
    out = []
    for article in articles:
        if article.published is None:
            article = replace(article, published=date(year, 12, 31), published_inferred=True)
            logger.warning(
                "%s: no date in the article; using the corpus year %d", article.article_id, year
            )
        out.append(article)
    return out


def layers_from_articles(
    articles: Sequence[Article],
    *,
    gazetteer: Gazetteer | None = None,
    progress: bool = False,
    skipped: list[str] | None = None,
) -> Layers:
    """Run every article through the pipeline and collect the layers.

    Parameters
    ----------
    articles
        Cleaned articles; ids must be unique.
    gazetteer
        Default :func:`geo.gazetteer.load_gazetteer`.
    progress
        Show a progress bar (for 20 articles or more).
    skipped
        One-line messages of inputs already skipped, carried into the result.

    Returns
    -------
    layers
        Places, incidents, routes and the articles table.
    """
    gazetteer = gazetteer or load_gazetteer()
    boundaries = load_boundaries()
    skipped = list(skipped or [])
    articles = _with_corpus_dates(articles)
    results, seen = [], set()
    for article in _progress(articles, progress, "Building"):
        if article.article_id in seen:
            skipped.append(
                f"{article.path or article.article_id}: duplicate article id {article.article_id!r}"
            )
            continue
        seen.add(article.article_id)
        try:
            results.append(process_article(article, gazetteer=gazetteer, boundaries=boundaries))
        except Exception as e:  # one broken article must never stop the others
            logger.exception("Article %r failed", article.article_id)
            skipped.append(
                f"{article.path or article.article_id}: could not be processed "
                f"({type(e).__name__}: {e})"
            )
    layers = _layers_from_results(results, skipped)
    logger.info(
        "Built %d articles: %d places, %d incidents, %d routes; %d skipped",
        len(results),
        len(layers.places),
        len(layers.incidents),
        len(layers.routes),
        len(skipped),
    )
    return layers


def layers_from_paths(paths: Iterable[str | Path], *, progress: bool = False) -> Layers:
    """Read article files and build their layers; unreadable files are skipped with a message.

    Parameters
    ----------
    paths
        Article files (``.txt``/``.md``).
    progress
        Show a progress bar.

    Returns
    -------
    layers
        ``layers.skipped`` holds one line per file that was not built.
    """
    articles, skipped = [], []
    for path in paths:
        try:
            articles.append(read_article(path))
        except ArticleError as e:
            logger.warning("%s", e)
            skipped.append(str(e))
    return layers_from_articles(articles, progress=progress, skipped=skipped)


def layers_from_texts(named_texts: Iterable[tuple[str, str | bytes]]) -> Layers:
    """Build layers from uploaded texts (file name, content).

    Parameters
    ----------
    named_texts
        ``(file name, text or raw bytes)`` pairs; bytes are decoded like files.

    Returns
    -------
    layers
        ``layers.skipped`` names each upload that was not built and why.
    """
    import tempfile

    articles, skipped = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for name, content in named_texts:
            stem = Path(name).name or "upload.txt"
            try:
                if isinstance(content, bytes):
                    path = Path(tmp) / stem
                    path.write_bytes(content)
                    article = read_article(path)
                    article.path = name
                else:
                    article = article_from_text(content, Path(stem).stem, path=name)
                articles.append(article)
            except ArticleError as e:
                skipped.append(str(e).replace(str(Path(tmp) / stem), name))
    return layers_from_articles(articles, skipped=skipped)


def merge_layers(*parts: Layers) -> Layers:
    """Concatenate Layers; an article id already present is skipped, never replaced.

    Parameters
    ----------
    *parts
        Layers to combine, e.g. the built store and the analyst's uploads.

    Returns
    -------
    layers
        One Layers with unique ids (incidents seen in several articles merged again).
    """
    if not parts:
        return empty_layers()
    seen: set[str] = set()
    kept, skipped = [], []
    for part in parts:
        ids = set(part.articles["article_id"])
        clash = ids & seen
        skipped += part.skipped + [
            f"{a}: an article with this id is already loaded" for a in sorted(clash)
        ]
        kept.append((part, clash))
        seen |= ids

    def concat(attr: str, columns: Sequence[str]) -> gpd.GeoDataFrame:
        frames = [getattr(p, attr)[~getattr(p, attr)["article_id"].isin(c)] for p, c in kept]
        frame = pd.concat([f for f in frames if len(f)] or [frames[0]], ignore_index=True)
        return gpd.GeoDataFrame(frame, geometry="geometry", crs=settings.default_crs)

    incidents = merge_incidents(concat("incidents", INCIDENT_COLUMNS))
    articles = pd.concat(
        [p.articles[~p.articles["article_id"].isin(c)] for p, c in kept], ignore_index=True
    )
    return Layers(
        _validate(concat("places", PLACE_COLUMNS), PLACE_COLUMNS),
        _validate(incidents, INCIDENT_COLUMNS),
        _validate(concat("routes", ROUTE_COLUMNS), ROUTE_COLUMNS),
        articles,
        skipped,
    )


def build(
    articles_dir: str | Path | None = None,
    out_dir: str | Path | None = None,
    *,
    progress: bool = False,
) -> Layers:
    """Build every article of a folder and write the store.

    Parameters
    ----------
    articles_dir
        Folder of ``.txt``/``.md`` articles; default ``settings.seeds_folder``.
    out_dir
        Store folder; default ``settings.build_folder``.
    progress
        Show a progress bar.

    Returns
    -------
    layers
        What was written; ``layers.skipped`` lists the files that were not built.
    """
    paths = find_articles(Path(articles_dir or settings.seeds_folder))
    layers = layers_from_paths(paths, progress=progress)
    write_store(layers, Path(out_dir or settings.build_folder))
    return layers


# ------------------------------------------------------------------ store


def _to_text(value: Any) -> Any:
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def _from_text(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    if isinstance(value, list | dict):
        return value
    return [] if value is None or (isinstance(value, float) and pd.isna(value)) else value


def write_store(layers: Layers, folder: str | Path) -> Path:
    """Write the three GeoJSON layers and ``border.gpkg`` into a folder.

    Parameters
    ----------
    layers
        From :func:`build` or :func:`layers_from_articles`.
    folder
        Created if missing.

    Returns
    -------
    folder
        The store folder.
    """
    import pyogrio

    from .export import write_geojson

    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        msg = f"{folder}: cannot create the output folder ({e.strerror})"
        raise StoreError(msg) from e
    gpkg = folder / "border.gpkg"
    if gpkg.exists():
        gpkg.unlink()
    for name in ("places", "incidents", "routes"):
        gdf = getattr(layers, name)
        write_geojson(gdf, folder / f"{name}.geojson", layer=name)
        flat = gdf.copy()
        for column in LIST_COLUMNS:
            if column in flat:
                flat[column] = [_to_text(v) for v in flat[column]]
        pyogrio.write_dataframe(
            flat, gpkg, layer=name, driver="GPKG", geometry_type=_geometry_type(name)
        )
    articles = layers.articles.astype(object).where(layers.articles.notna(), None)
    pyogrio.write_dataframe(articles, gpkg, layer="articles", driver="GPKG")
    logger.info("Wrote the store to %s", folder)
    return folder


def _geometry_type(layer: str) -> str:
    return "LineString" if layer == "routes" else "Point"


def read_store(folder: str | Path) -> Layers:
    """Read a store written by :func:`write_store`.

    Parameters
    ----------
    folder
        A folder with ``border.gpkg``.

    Returns
    -------
    layers
        With list columns as Python lists.
    """
    import pyogrio

    gpkg = Path(folder) / "border.gpkg"
    if not gpkg.is_file():
        msg = f"{folder}: no border.gpkg here; run 'python -m geo build --out {folder}' first."
        raise StoreError(msg)
    frames = {}
    for name, columns in (
        ("places", PLACE_COLUMNS),
        ("incidents", INCIDENT_COLUMNS),
        ("routes", ROUTE_COLUMNS),
    ):
        gdf = pyogrio.read_dataframe(gpkg, layer=name)
        for column in LIST_COLUMNS:
            if column in gdf:
                gdf[column] = [_from_text(v) for v in gdf[column]]
        gdf = gdf.reindex(columns=[*columns, "geometry"]).set_crs(
            settings.default_crs, allow_override=True
        )
        for column in columns:
            if gdf[column].dtype == object:
                gdf[column] = gdf[column].where(gdf[column].notna(), None)
        frames[name] = _validate(gdf, columns)
    articles = pyogrio.read_dataframe(gpkg, layer="articles", read_geometry=False)
    return Layers(
        frames["places"],
        frames["incidents"],
        frames["routes"],
        articles.reindex(columns=list(ARTICLE_COLUMNS)),
    )
