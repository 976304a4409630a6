"""One event, one incident: merge the same event reported by several articles.

Two incidents from different articles are the same event when they have the same type, their
places are the same gazetteer entry or lie within :data:`MERGE_KM` of each other, and their
known dates overlap. The merged incident keeps the earliest-listed report's fields, lists every
source article and excerpt in ``sources``, pools actors and quantities, and says so in its
summary; nothing is dropped silently (each merge is logged).
"""

from __future__ import annotations

import json
import logging
import math
from collections import defaultdict

import geopandas as gpd

__all__ = ["MERGE_KM", "merge_incidents"]

logger = logging.getLogger(__name__)

#: Places closer than this are the same place for merging.
MERGE_KM = 5.0


def _km(a, b) -> float:  # haversine; both shapely Points (lon, lat)
    lon1, lat1, lon2, lat2 = map(math.radians, (a.x, a.y, b.x, b.y))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def _same_place(a, b) -> bool:
    if a["gazetteer_id"] and a["gazetteer_id"] == b["gazetteer_id"]:
        return True
    ga, gb = a["geometry"], b["geometry"]
    return (
        ga is not None
        and gb is not None
        and not ga.is_empty
        and not gb.is_empty
        and _km(ga, gb) <= MERGE_KM
    )


def _groups(gdf: gpd.GeoDataFrame) -> list[list[int]]:
    """Row positions that report one event, via union-find over overlapping candidates."""
    parent = list(range(len(gdf)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    rows = gdf.to_dict("records")
    by_type: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        if isinstance(row["date_start"], str) and isinstance(row["date_end"], str):
            by_type[row["type"]].append(i)
    for positions in by_type.values():
        positions.sort(key=lambda i: rows[i]["date_start"])
        for k, i in enumerate(positions):
            for j in positions[k + 1 :]:
                if rows[j]["date_start"] > rows[i]["date_end"]:
                    break
                if rows[i]["article_id"] != rows[j]["article_id"] and _same_place(rows[i], rows[j]):
                    parent[find(j)] = find(i)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(rows)):
        groups[find(i)].append(i)
    return [sorted(g) for g in groups.values()]


def _pooled(values) -> list:
    """Concatenate lists in order without repeats (items may be dicts)."""
    out, seen = [], set()
    for lst in values:
        for v in lst if isinstance(lst, list) else []:
            key = json.dumps(v, sort_keys=True, default=str)
            if key not in seen:
                seen.add(key)
                out.append(v)
    return out


def merge_incidents(gdf_incidents: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Merge incidents that several articles report into one.

    Parameters
    ----------
    gdf_incidents
        The incidents layer (contract columns).

    Returns
    -------
    gdf_incidents
        Same columns, one row per event, ``sources`` listing every report.
    """
    if gdf_incidents.empty:
        return gdf_incidents
    groups = _groups(gdf_incidents)
    if all(len(g) == 1 for g in groups):
        return gdf_incidents
    keep, rows = [], gdf_incidents.to_dict("records")
    for group in sorted(groups):
        first = dict(rows[group[0]])
        if len(group) > 1:
            members = [rows[i] for i in group]
            first["sources"] = _pooled(m["sources"] for m in members)
            first["actors"] = _pooled(m["actors"] for m in members)
            first["quantities"] = _pooled(m["quantities"] for m in members)
            first["confidence"] = max(m["confidence"] for m in members)
            articles = list(dict.fromkeys(m["article_id"] for m in members))
            first["summary"] = f"{first['summary']} — reported by {len(articles)} articles"
            logger.info(
                "Merged incidents %s into %s (same event)", [m["id"] for m in members], first["id"]
            )
        keep.append(first)
    merged = gpd.GeoDataFrame(
        keep, columns=list(gdf_incidents.columns), geometry="geometry", crs=gdf_incidents.crs
    )
    return merged.reset_index(drop=True)
