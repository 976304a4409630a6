"""Analyst corrections of place positions, stored next to the build and applied on load.

An analyst who knows that the pipeline put a place in the wrong spot picks another
gazetteer candidate or types a position. The correction is kept in
``<build folder>/corrections.json`` and re-applied each time the store is read, so it
survives a rebuild and a restart.

Two scopes:

- one article: keyed by ``article_id`` + place ``name`` (as in ``places.geojson``);
- everywhere: keyed by the wrong ``gazetteer_id`` (every place, incident and route end
  that was resolved to it moves).

Applying a correction moves the place, every incident at that place, and the ends of
every route from or to it (route geometry and ``length_km`` are recomputed).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from shapely.geometry import LineString, Point

from geo._errors import StoreError
from geo.routes import path_coords, path_length_km

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from geo.pipeline import Layers

__all__ = [
    "CORRECTIONS_FILE",
    "Correction",
    "add_correction",
    "apply_corrections",
    "correction_from_candidate",
    "load_corrections",
    "remove_correction",
    "save_corrections",
]

logger = logging.getLogger(__name__)

CORRECTIONS_FILE = "corrections.json"


@dataclass(frozen=True)
class Correction:
    """A new position for a place.

    Attributes
    ----------
    lat, lon
        The corrected position (WGS 84).
    article_id, place
        Scope "one article": the place ``name`` in that article.
    scope_gazetteer_id
        Scope "everywhere": every place resolved to this gazetteer id. When set,
        ``article_id``/``place`` are ignored for matching.
    gazetteer_id, name, country_code
        The chosen candidate ("" for a typed position).
    note
        Free text from the analyst.
    created
        ISO timestamp.
    """

    lat: float
    lon: float
    article_id: str = ""
    place: str = ""
    scope_gazetteer_id: str = ""
    gazetteer_id: str = ""
    name: str = ""
    country_code: str = ""
    note: str = ""
    created: str = ""

    def __post_init__(self) -> None:
        if not (-90 <= self.lat <= 90 and -180 <= self.lon <= 180) or math.isnan(
            self.lat + self.lon
        ):
            msg = f"Correction: lat/lon must be within ±90/±180, got ({self.lat}, {self.lon})"
            raise StoreError(msg)
        if not self.scope_gazetteer_id and not (self.article_id and self.place):
            msg = "Correction: give article_id and place, or scope_gazetteer_id"
            raise StoreError(msg)

    @property
    def key(self) -> tuple[str, ...]:
        """What the correction applies to; a newer correction with the same key replaces it."""
        if self.scope_gazetteer_id:
            return ("gazetteer", self.scope_gazetteer_id)
        return ("article", self.article_id, self.place)


def correction_from_candidate(
    candidate: dict[str, Any],
    *,
    article_id: str = "",
    place: str = "",
    scope_gazetteer_id: str = "",
    note: str = "",
) -> Correction:
    """Build a correction that moves a place to one of its gazetteer candidates.

    Parameters
    ----------
    candidate
        One item of a place's ``candidates`` list
        (``{gazetteer_id, name, country_code, score, lat, lon}``).
    article_id, place, scope_gazetteer_id, note
        As in :class:`Correction`.

    Returns
    -------
    correction
    """
    return Correction(
        lat=float(candidate["lat"]),
        lon=float(candidate["lon"]),
        article_id=article_id,
        place=place,
        scope_gazetteer_id=scope_gazetteer_id,
        gazetteer_id=str(candidate.get("gazetteer_id") or ""),
        name=str(candidate.get("name") or ""),
        country_code=str(candidate.get("country_code") or ""),
        note=note,
    )


# ---------------------------------------------------------------- storage


def _path(folder: str | os.PathLike[str]) -> Path:
    return Path(folder) / CORRECTIONS_FILE


def load_corrections(folder: str | os.PathLike[str]) -> list[Correction]:
    """Read ``corrections.json`` of a build folder ([] when there is none).

    Parameters
    ----------
    folder
        The build folder.

    Returns
    -------
    corrections

    Raises
    ------
    StoreError
        When the file exists but is not a valid corrections file.
    """
    path = _path(folder)
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        items = data["corrections"] if isinstance(data, dict) else data
        fields = {f.name for f in dataclasses.fields(Correction)}
        return [Correction(**{k: v for k, v in item.items() if k in fields}) for item in items]
    except (OSError, ValueError, KeyError, TypeError) as e:
        msg = f"{path}: not a valid corrections file ({e})"
        raise StoreError(msg) from e


def save_corrections(folder: str | os.PathLike[str], corrections: Iterable[Correction]) -> Path:
    """Write the corrections atomically to ``<folder>/corrections.json``.

    Parameters
    ----------
    folder
        The build folder (created if missing).
    corrections

    Returns
    -------
    path
    """
    path = _path(folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"version": 1, "corrections": [dataclasses.asdict(c) for c in corrections]}
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".corrections", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=1)
    os.replace(tmp, path)
    logger.info("Saved %d corrections to %s", len(data["corrections"]), path)
    return path


def add_correction(folder: str | os.PathLike[str], correction: Correction) -> list[Correction]:
    """Store a correction, replacing an older one with the same key.

    Parameters
    ----------
    folder
        The build folder.
    correction

    Returns
    -------
    corrections
        All stored corrections after the change.
    """
    if not correction.created:
        correction = dataclasses.replace(
            correction, created=datetime.now(UTC).isoformat(timespec="seconds")
        )
    kept = [c for c in load_corrections(folder) if c.key != correction.key]
    kept.append(correction)
    save_corrections(folder, kept)
    return kept


def remove_correction(folder: str | os.PathLike[str], key: tuple[str, ...]) -> list[Correction]:
    """Forget the correction with this key (no error when there is none).

    Parameters
    ----------
    folder
    key
        :attr:`Correction.key` of the correction to remove.

    Returns
    -------
    corrections
    """
    kept = [c for c in load_corrections(folder) if c.key != key]
    save_corrections(folder, kept)
    return kept


# ---------------------------------------------------------------- applying


def _matches(article_ids: pd.Series, names: pd.Series, ids: pd.Series, c: Correction) -> pd.Series:
    if c.scope_gazetteer_id:
        return ids.fillna("").astype(str) == c.scope_gazetteer_id
    return (article_ids == c.article_id) & (names == c.place)


def _apply_to_points(
    gdf: gpd.GeoDataFrame, mask: pd.Series, c: Correction, *, is_place: bool
) -> None:
    if not mask.any():
        return
    gdf.loc[mask, "geometry"] = [Point(c.lon, c.lat)] * int(mask.sum())
    if c.gazetteer_id:
        gdf.loc[mask, "gazetteer_id"] = c.gazetteer_id
    if c.country_code:
        gdf.loc[mask, "country_code"] = c.country_code
    if is_place:
        gdf.loc[mask, "confidence"] = 1.0
        gdf.loc[mask, "source"] = "correction"
        how = f"candidate {c.gazetteer_id} {c.name}".strip() if c.gazetteer_id else "typed position"
        gdf.loc[mask, "reason"] = f"analyst correction: {how}" + (f" ({c.note})" if c.note else "")


def _route_points(
    row: pd.Series, moved: dict[str, tuple[float, float]], places: gpd.GeoDataFrame
) -> list[tuple[float, float]]:
    """Origin, via places (positions from the places layer) and destination of a route."""
    coords = list(row.geometry.coords) if row.geometry is not None else []
    if len(coords) < 2:
        return []
    via = []
    for name in row.get("via") or []:
        hit = places[(places["article_id"] == row["article_id"]) & (places["name"] == name)]
        if len(hit) and hit.geometry.iloc[0] is not None and not hit.geometry.iloc[0].is_empty:
            via.append((hit.geometry.iloc[0].x, hit.geometry.iloc[0].y))
    origin = moved.get("origin", coords[0])
    destination = moved.get("destination", coords[-1])
    return [origin, *via, destination]


def _apply_to_routes(
    gdf: gpd.GeoDataFrame, c: Correction, places: gpd.GeoDataFrame, moved_places: set
) -> None:
    for idx, row in gdf.iterrows():
        moved: dict[str, tuple[float, float]] = {}
        for end in ("origin", "destination"):
            if c.scope_gazetteer_id:
                hit = str(row.get(f"{end}_id") or "") == c.scope_gazetteer_id or (
                    (row["article_id"], row[end]) in moved_places
                )
            else:
                hit = row["article_id"] == c.article_id and row[end] == c.place
            if hit:
                moved[end] = (c.lon, c.lat)
                if c.gazetteer_id:
                    gdf.at[idx, f"{end}_id"] = c.gazetteer_id
        if not moved:
            continue
        points = _route_points(row, moved, places)
        if len(points) < 2:
            continue
        coords = path_coords(points)
        gdf.at[idx, "geometry"] = LineString(coords)
        gdf.at[idx, "length_km"] = path_length_km(coords)


def apply_corrections(layers: Layers, corrections: Iterable[Correction]) -> Layers:
    """Move corrected places, their incidents and the route ends at them.

    Parameters
    ----------
    layers
        As read from the store (not modified).
    corrections
        Applied in order; a later correction wins.

    Returns
    -------
    layers
        A copy with moved geometries; the line and ``length_km`` of every route from
        or to a moved place are recomputed along the geodesic (through its ``via``
        places). Routes that only pass through a moved place keep their line.
    """
    corrections = list(corrections)
    if not corrections:
        return layers
    places = layers.places.copy()
    incidents = layers.incidents.copy()
    routes = layers.routes.copy()
    for c in corrections:
        mask = _matches(places["article_id"], places["name"], places["gazetteer_id"], c)
        moved = set(zip(places.loc[mask, "article_id"], places.loc[mask, "name"], strict=True))
        _apply_to_points(places, mask, c, is_place=True)
        mask = _matches(incidents["article_id"], incidents["place"], incidents["gazetteer_id"], c)
        at_moved = [
            (a, n) in moved
            for a, n in zip(incidents["article_id"], incidents["place"], strict=True)
        ]
        _apply_to_points(
            incidents,
            mask | pd.Series(at_moved, index=incidents.index, dtype=bool),
            c,
            is_place=False,
        )
        if len(routes):
            _apply_to_routes(routes, c, places, moved)
    logger.info("Applied %d corrections", len(corrections))
    return dataclasses.replace(layers, places=places, incidents=incidents, routes=routes)
