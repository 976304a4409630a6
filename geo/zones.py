"""Zones that are a band around a line: the Korean DMZ around the Military Demarcation Line.

An event "on the MDL north of Paju" happened in the DMZ, on the stretch of the line north of
Paju nearest to it: not in the town, and not at the zone's nominal point, which is the
line's midpoint about 100 km further east.

The line is the ``kind == "military_demarcation_line"`` feature of
``data/basemap/boundary_lines.geojson`` (Natural Earth). The zone it stands for is the
gazetteer place named like the band's edges (``kind == "dmz_edge"``, "Korean Demilitarized
Zone"). Distances are measured in the Korea 2000 / Unified CS (EPSG:5179, metres), which
pyproj carries offline.
"""

from __future__ import annotations

import logging
import math
from functools import cache
from pathlib import Path

import pyogrio
from pyproj import Transformer
from shapely import Point, Polygon, line_merge, unary_union
from shapely.geometry.base import BaseGeometry

from . import settings
from ._errors import GeoError
from .models import Candidate

__all__ = ["point_on_zone_near"]

logger = logging.getLogger(__name__)

#: A town further than this from the line does not say which stretch of it is meant.
MAX_KM = 40.0

_METRIC_CRS = "EPSG:5179"
_TO_METRES = Transformer.from_crs("EPSG:4326", _METRIC_CRS, always_xy=True)
_TO_DEGREES = Transformer.from_crs(_METRIC_CRS, "EPSG:4326", always_xy=True)
#: Compass words and their azimuths (degrees clockwise from north).
AZIMUTHS = {
    "north": 0.0,
    "northeast": 45.0,
    "east": 90.0,
    "southeast": 135.0,
    "south": 180.0,
    "southwest": 225.0,
    "west": 270.0,
    "northwest": 315.0,
}


def point_on_zone_near(
    zone: Candidate,
    town: Candidate,
    toward: str | None = None,
    path: str | Path | None = None,
) -> tuple[float, float] | None:
    """The point of a band-shaped zone's centre line nearest to a town.

    Parameters
    ----------
    zone
        Gazetteer candidate of the zone ("Korean Demilitarized Zone").
    town
        Candidate of the town that locates the stretch ("north of Paju").
    toward
        Compass word of ``AZIMUTHS`` ("north"): the point is looked for within 45 degrees of
        that direction from the town first, then anywhere.
    path
        Boundary lines GeoJSON. Default: ``settings.data_folder / "basemap" /
        "boundary_lines.geojson"``.

    Returns
    -------
    point
        ``(lat, lon)`` on the line, or None when ``zone`` is not a band around a line or the
        town is more than ``MAX_KM`` from it.
    """
    path = Path(
        settings.data_folder / "basemap" / "boundary_lines.geojson" if path is None else path
    )
    line = _zone_lines(path.resolve()).get(zone.name)
    if line is None:
        return None
    town_xy = Point(_TO_METRES.transform(town.lon, town.lat))
    if line.distance(town_xy) > MAX_KM * 1000:
        return None
    part = line.intersection(_wedge(town_xy, AZIMUTHS[toward])) if toward in AZIMUTHS else None
    target = part if part is not None and not part.is_empty else line
    nearest = target.interpolate(target.project(town_xy))
    lon, lat = _TO_DEGREES.transform(nearest.x, nearest.y)
    return round(lat, 5), round(lon, 5)


def _wedge(apex: Point, azimuth: float) -> Polygon:
    """The sector of ``MAX_KM`` radius within 45 degrees of ``azimuth`` from ``apex``."""
    reach = MAX_KM * 1000
    rim = [
        (
            apex.x + reach * math.sin(math.radians(azimuth + a)),
            apex.y + reach * math.cos(math.radians(azimuth + a)),
        )
        for a in range(-45, 46, 15)
    ]
    return Polygon([(apex.x, apex.y), *rim])


@cache
def _zone_lines(path: Path) -> dict[str, BaseGeometry]:
    """Zone name -> its centre line in metres (EPSG:5179)."""
    try:
        table = pyogrio.read_dataframe(path, columns=["kind", "name"])
    except (OSError, pyogrio.errors.DataSourceError) as e:
        msg = f"{path}: cannot read the boundary lines ({e})"
        raise GeoError(msg) from e
    centre = table.loc[table["kind"] == "military_demarcation_line"].to_crs(_METRIC_CRS)
    names = set(table.loc[table["kind"] == "dmz_edge", "name"].dropna())
    if centre.empty or not names:
        return {}
    line = line_merge(unary_union(list(centre.geometry)))
    logger.debug("Zones around the demarcation line: %s", sorted(names))
    return dict.fromkeys(names, line)
