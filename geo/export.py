"""Export the layers: RFC 7946 GeoJSON, CSV (one row per incident, ACLED-like) and KML.

Exports are data, not HTML: GeoJSON and CSV keep every string verbatim (an excerpt that
contains ``<script>`` stays that text). KML descriptions and names, however, are rendered
as HTML by Google Earth, so they are HTML-escaped before simplekml XML-escapes the file.

GeoJSON follows RFC 7946: WGS 84 longitude/latitude order, no ``crs`` member, exterior
rings counter-clockwise (holes clockwise), coordinates rounded to 6 decimals (about 0.1 m),
list-valued properties as JSON arrays, NaN/None as ``null`` and a feature without a
location (an incident whose place is unknown) with ``"geometry": null``.

CSV text cells that start with ``=``, ``+``, ``-`` or ``@`` are prefixed with ``'`` so that a
spreadsheet shows them as text instead of running them as formulas (article text is untrusted).
CSV ``time_precision`` uses ACLED's codes: 1 the day is known, 2 a range of days (about a
week or a part of a month, e.g. "mid-September"), 3 only the month or year is known; it is
empty when the date is unknown. ``country`` is the ISO 3166-1 alpha-2 code.
"""

from __future__ import annotations

import csv
import html
import json
import logging
import math
import re
import zlib
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import mapping

from geo import settings
from geo._errors import ExportError

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = [
    "CSV_COLUMNS",
    "FORMATS",
    "LAYER_NAMES",
    "TIME_PRECISION",
    "export_layers",
    "featurecollection_from_layers",
    "feature_from_row",
    "incidents_to_csv_rows",
    "write_csv",
    "write_geojson",
    "write_kml",
]

logger = logging.getLogger(__name__)

#: Supported values of ``export_layers(fmt=...)``.
FORMATS = ("geojson", "csv", "kml")

#: The layers of a :class:`geo.pipeline.Layers`, in export order.
LAYER_NAMES = ("places", "incidents", "routes")

#: Coordinates are rounded to this many decimals (RFC 7946 §11.2 recommends 6 at most).
COORDINATE_DECIMALS = 6

#: ACLED ``time_precision`` code for each of our ``date_precision`` words.
TIME_PRECISION = {"day": 1, "range": 2, "month": 3, "year": 3}

#: Columns of the incident CSV (ACLED-like names first, then Border Watch extras).
CSV_COLUMNS = (
    "event_id_cnty",
    "event_date",
    "date_end",
    "time_precision",
    "event_type",
    "actor1",
    "actors",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "country",
    "source",
    "notes",
    "quantities",
    "confidence",
    "date_precision",
    "summary",
    "gazetteer_id",
)

_LIST_SEPARATOR = "; "

# KML styles: one colour per incident type (by CRC-32 of the name) / route status
# (aabbggrr, KML's byte order).
_KML_PALETTE = (
    "ff3c14dc",  # crimson
    "ffd77800",  # blue
    "ff00a5ff",  # orange
    "ff32cd32",  # lime green
    "ffd355ba",  # orchid
    "ff8b8b00",  # teal
    "ff1e69d2",  # chocolate
    "ff808080",  # grey
)
_KML_ROUTE_COLORS = {"completed": "ff3c14dc", "attempted": "ff00a5ff", "blocked": "ff808080"}
# Characters not allowed in XML 1.0 (control characters other than tab, LF, CR).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# ---------------------------------------------------------------------------- JSON values


def _json_value(value: Any) -> Any:
    """Return ``value`` as a JSON-serialisable Python value (NaN, NaT, NA -> None).

    Examples
    --------
    >>> _json_value(float("nan")) is None
    True
    >>> _json_value(np.array(["a", "b"]))
    ['a', 'b']
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return str(value)  # also np.str_
    if isinstance(value, Mapping):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | np.ndarray | pd.Series):
        return [_json_value(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, int):
        return value
    if isinstance(value, pd.Timestamp | datetime):
        if pd.isna(value):
            return None
        return value.date().isoformat() if _is_midnight(value) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if pd.api.types.is_scalar(value) and pd.isna(value):
        return None
    return str(value)


def _is_midnight(value: datetime) -> bool:
    return (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0)


def _round_coords(coords: Any) -> Any:
    """Round nested coordinate tuples to :data:`COORDINATE_DECIMALS` as lists."""
    if isinstance(coords, int | float):
        value = round(float(coords), COORDINATE_DECIMALS)
        return 0.0 if value == 0 else value  # no "-0.0"
    return [_round_coords(c) for c in coords]


def _geometry_to_json(geom: Any) -> dict[str, Any] | None:
    """Return an RFC 7946 geometry object, or None for a missing or empty geometry."""
    if geom is None or (isinstance(geom, float) and math.isnan(geom)) or geom.is_empty:
        return None
    geom = shapely.orient_polygons(geom, exterior_cw=False)
    obj = dict(mapping(geom))
    if "coordinates" in obj:
        obj["coordinates"] = _round_coords(obj["coordinates"])
        if obj["type"] == "LineString":
            obj["coordinates"] = _dedupe_line(obj["coordinates"])
        elif obj["type"] == "MultiLineString":
            obj["coordinates"] = [_dedupe_line(line) for line in obj["coordinates"]]
    else:  # GeometryCollection
        obj["geometries"] = [_geometry_to_json(g) for g in geom.geoms]
    return obj


def _dedupe_line(positions: list) -> list:
    """Drop repeated consecutive positions of a line (keeping at least two).

    Examples
    --------
    >>> _dedupe_line([[1.0, 2.0], [3.0, 4.0], [3.0, 4.0]])
    [[1.0, 2.0], [3.0, 4.0]]
    """
    kept = [p for i, p in enumerate(positions) if i == 0 or p != positions[i - 1]]
    return kept if len(kept) >= 2 else positions[:2]


# --------------------------------------------------------------------------- GeoJSON


def _layer_frames(layers: Any) -> Iterator[tuple[str, gpd.GeoDataFrame]]:
    """Yield (layer name, GeoDataFrame in EPSG:4326) for each non-empty layer of ``layers``."""
    for name in LAYER_NAMES:
        gdf = getattr(layers, name, None)
        if gdf is None:
            continue
        if not hasattr(gdf, "geometry"):
            msg = f"'layers.{name}' should be a GeoDataFrame, got {type(gdf).__name__}"
            raise TypeError(msg)
        if len(gdf) == 0:
            continue
        yield name, _to_wgs84(gdf, name)


def _to_wgs84(gdf: gpd.GeoDataFrame, name: str) -> gpd.GeoDataFrame:
    """Return ``gdf`` in EPSG:4326; a frame without a CRS is taken to be EPSG:4326."""
    if gdf.crs is None:
        logger.warning("Layer %r has no CRS; exporting it as %s", name, settings.default_crs)
        return gdf
    if gdf.crs.to_epsg() != 4326:
        return gdf.to_crs(4326)
    return gdf


def feature_from_row(row: Mapping[str, Any], geom: Any, *, layer: str, fid: str) -> dict:
    """Return one RFC 7946 Feature from a row of a layer.

    Parameters
    ----------
    row
        The row's properties (column -> value); a ``geometry`` key is ignored.
    geom
        A shapely geometry, or None / empty for a feature without a location.
    layer
        The value of the ``layer`` property ("places", "incidents" or "routes").
    fid
        The feature's ``id`` member.

    Returns
    -------
    feature
        ``{"type": "Feature", "id": fid, "properties": {...}, "geometry": {...} | None}``.

    Examples
    --------
    >>> from shapely import Point
    >>> f = feature_from_row({"name": "X", "n": float("nan")}, Point(124.1234567, 40.1),
    ...                      layer="places", fid="p1")
    >>> f["geometry"]["coordinates"], f["properties"]["n"], f["properties"]["layer"]
    ([124.123457, 40.1], None, 'places')
    >>> feature_from_row({}, None, layer="incidents", fid="i1")["geometry"] is None
    True
    """
    properties = {"layer": layer}
    for key, value in row.items():
        if key != "geometry":
            properties[str(key)] = _json_value(value)
    return {
        "type": "Feature",
        "id": fid,
        "properties": properties,
        "geometry": _geometry_to_json(geom),
    }


def _feature_ids(gdf: gpd.GeoDataFrame, layer: str) -> list[str]:
    """Return an id per row: the ``id`` column, else ``<article_id>-p001`` style ids."""
    if "id" in gdf.columns:
        ids = [_json_value(v) for v in gdf["id"]]
    else:
        ids = [None] * len(gdf)
    counters: dict[str, int] = {}
    articles = gdf["article_id"] if "article_id" in gdf.columns else [None] * len(gdf)
    result = []
    for fid, article_id in zip(ids, articles, strict=True):
        if fid in (None, ""):
            prefix = str(article_id) if article_id not in (None, "") else layer
            counters[prefix] = counters.get(prefix, 0) + 1
            fid = f"{prefix}-{layer[0]}{counters[prefix]:03d}"
        result.append(str(fid))
    return result


def _features_from_gdf(gdf: gpd.GeoDataFrame, layer: str) -> list[dict]:
    columns = [c for c in gdf.columns if c != gdf.geometry.name]
    records = gdf[columns].to_dict("records")
    ids = _feature_ids(gdf, layer)
    geoms = list(gdf.geometry)
    return [
        feature_from_row(row, geom, layer=layer, fid=fid)
        for row, geom, fid in zip(records, geoms, ids, strict=True)
    ]


def _unique_ids(features: list[dict]) -> None:
    """Make feature ids unique across the collection by suffixing repeats (in place)."""
    seen: dict[str, int] = {}
    for feature in features:
        fid = feature["id"]
        if fid in seen:
            seen[fid] += 1
            feature["id"] = f"{fid}-{seen[fid]}"
            logger.warning("Duplicate feature id %r renamed to %r", fid, feature["id"])
        else:
            seen[fid] = 0


def featurecollection_from_layers(layers: Any) -> dict:
    """Return one RFC 7946 FeatureCollection of the places, incidents and routes.

    Parameters
    ----------
    layers
        A :class:`geo.pipeline.Layers` (anything with ``places``, ``incidents`` and
        ``routes`` GeoDataFrames; a missing or empty layer is skipped).

    Returns
    -------
    collection
        ``{"type": "FeatureCollection", "features": [...]}``; every feature has an ``id``
        member and a ``layer`` property. Longitude/latitude order, WGS 84, no ``crs``
        member, counter-clockwise exterior rings, at most 6 decimals, list-valued
        properties as JSON arrays and NaN as ``null``.
    """
    features: list[dict] = []
    for name, gdf in _layer_frames(layers):
        features.extend(_features_from_gdf(gdf, name))
    _unique_ids(features)
    logger.info("Built a FeatureCollection of %d features", len(features))
    return {"type": "FeatureCollection", "features": features}


def _write_json(collection: dict, path: Path) -> None:
    text = json.dumps(collection, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    path.write_text(text + "\n", encoding="utf-8")


def write_geojson(gdf: gpd.GeoDataFrame, path: str | Path, *, layer: str | None = None) -> Path:
    """Write one layer as RFC 7946 GeoJSON with GDAL (pyogrio).

    GDAL's GeoJSON driver writes with ``RFC7946=YES`` (WGS 84, counter-clockwise exterior
    rings, no ``crs``) and ``COORDINATE_PRECISION=6``. List-valued columns (``mentions``,
    ``actors``, ``candidates`` …) are written as JSON arrays. GDAL adds the top-level
    foreign member ``xy_coordinate_resolution``, which RFC 7946 allows.

    Parameters
    ----------
    gdf
        One layer (places, incidents or routes).
    path
        The ``.geojson`` file to write (overwritten).
    layer
        Name of the GeoJSON layer (the ``name`` member); default: the file stem.

    Returns
    -------
    path
        The written file.
    """
    import pyogrio

    path = _prepare_path(path)
    gdf = _to_wgs84(gdf, layer or path.stem)
    gdf = gdf.copy()
    for column in gdf.columns:
        if column != gdf.geometry.name and gdf[column].dtype == object:
            gdf[column] = [_json_value(v) for v in gdf[column]]
    if path.exists():
        path.unlink()  # the GeoJSON driver cannot overwrite in place
    try:
        pyogrio.write_dataframe(
            gdf,
            path,
            layer=layer or path.stem,
            driver="GeoJSON",
            layer_options={"RFC7946": "YES", "COORDINATE_PRECISION": COORDINATE_DECIMALS},
        )
    except Exception as e:  # pyogrio raises DataSourceError / DataLayerError / FieldError …
        msg = f"{path}: GDAL could not write GeoJSON ({e})"
        raise ExportError(msg) from e
    logger.info("Wrote %d features to %s", len(gdf), path)
    return path


# ------------------------------------------------------------------------------ CSV


def _joined(value: Any) -> str:
    """Join a list-valued cell with "; " (a scalar is returned as text)."""
    value = _json_value(value)
    if value is None:
        return ""
    if isinstance(value, list):
        return _LIST_SEPARATOR.join(
            json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else str(v)
            for v in value
            if v is not None
        )
    return str(value)


def _lonlat(geom: Any) -> tuple[float | None, float | None]:
    if geom is None or (isinstance(geom, float) and math.isnan(geom)) or geom.is_empty:
        return None, None
    point = geom if geom.geom_type == "Point" else geom.representative_point()
    return round(point.x, COORDINATE_DECIMALS), round(point.y, COORDINATE_DECIMALS)


def _cell(row: Mapping[str, Any], key: str) -> Any:
    return _json_value(row.get(key))


def incidents_to_csv_rows(gdf_incidents: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    """Return one ACLED-like row (:data:`CSV_COLUMNS`) per incident.

    Parameters
    ----------
    gdf_incidents
        The incidents layer.

    Returns
    -------
    rows
        Dicts keyed by :data:`CSV_COLUMNS`; missing values are None. ``time_precision``
        is ACLED's code (1 day, 2 range, 3 month or year; None when unknown).
    """
    if len(gdf_incidents) == 0:
        return []
    gdf_incidents = _to_wgs84(gdf_incidents, "incidents")
    geoms = list(gdf_incidents.geometry)
    columns = [c for c in gdf_incidents.columns if c != gdf_incidents.geometry.name]
    rows = []
    for row, geom in zip(gdf_incidents[columns].to_dict("records"), geoms, strict=True):
        lon, lat = _lonlat(geom)
        actors = _json_value(row.get("actors")) or []
        if not isinstance(actors, list):
            actors = [actors]
        precision = _cell(row, "date_precision")
        rows.append(
            {
                "event_id_cnty": _cell(row, "id"),
                "event_date": _cell(row, "date_start"),
                "date_end": _cell(row, "date_end"),
                "time_precision": TIME_PRECISION.get(precision or ""),
                "event_type": _cell(row, "type"),
                "actor1": str(actors[0]) if actors else None,
                "actors": _joined(actors),
                "location": _cell(row, "place"),
                "latitude": lat,
                "longitude": lon,
                "geo_precision": _cell(row, "geo_precision"),
                "country": _cell(row, "country_code"),
                "source": _cell(row, "article_id"),
                "notes": _cell(row, "excerpt"),
                "quantities": _joined(row.get("quantities")),
                "confidence": _cell(row, "confidence"),
                "date_precision": precision,
                "summary": _cell(row, "summary"),
                "gazetteer_id": _cell(row, "gazetteer_id"),
            }
        )
    return rows


def write_csv(gdf_incidents: gpd.GeoDataFrame, path: str | Path) -> Path:
    """Write the incidents as UTF-8 CSV, one row per incident, text cells quoted.

    Parameters
    ----------
    gdf_incidents
        The incidents layer.
    path
        The ``.csv`` file to write (overwritten).

    Returns
    -------
    path
        The written file.
    """
    path = _prepare_path(path)
    rows = incidents_to_csv_rows(gdf_incidents)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=CSV_COLUMNS, quoting=csv.QUOTE_NONNUMERIC)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _csv_cell(v) for k, v in row.items()})
    logger.info("Wrote %d incidents to %s", len(rows), path)
    return path


def _csv_cell(value: Any) -> Any:
    """Return a CSV value that a spreadsheet shows as text (= + - @ at the start get a ').

    Examples
    --------
    >>> _csv_cell("=SUM(A1)"), _csv_cell("-5 tons"), _csv_cell(-5), _csv_cell(None)
    ("'=SUM(A1)", "'-5 tons", -5, '')
    """
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


# ------------------------------------------------------------------------------ KML


def _kml_text(value: Any) -> str:
    """Return ``value`` as HTML-escaped text safe for a KML name or description."""
    text = _joined(value) if isinstance(value, list | tuple | np.ndarray) else value
    text = "" if _json_value(text) is None else str(text)
    return html.escape(_XML_INVALID.sub("", text), quote=True)


def _kml_description(row: Mapping[str, Any], keys: Iterable[str]) -> str:
    """Return an HTML description: one escaped ``<b>key</b>: value`` line per filled key."""
    lines = []
    for key in keys:
        text = _kml_text(row.get(key))
        if text:
            lines.append(f"<b>{html.escape(key)}</b>: {text}")
    return "<br/>".join(lines)


def _label(value: Any, default: str) -> str:
    """Return ``value`` as text, or ``default`` when it is missing or empty."""
    value = _json_value(value)
    return default if value in (None, "") else str(value)


def _kml_styles(values: Iterable[str], *, line: bool) -> dict[str, Any]:
    """Return one shared simplekml Style per distinct value.

    An incident type always gets the same palette colour (CRC-32 of its name), so colours
    agree between exports; route styles follow the status.
    """
    import simplekml

    styles = {}
    for value in sorted(set(values)):
        i = zlib.crc32(value.encode("utf-8"))
        style = simplekml.Style()
        if line:
            style.linestyle.color = _KML_ROUTE_COLORS.get(value, _KML_PALETTE[-1])
            style.linestyle.width = 3
        else:
            style.iconstyle.color = _KML_PALETTE[i % len(_KML_PALETTE)]
            style.iconstyle.scale = 1.1
        styles[value] = style
    return styles


_INCIDENT_KEYS = (
    "type", "summary", "excerpt", "place", "date_start", "date_end", "date_precision",
    "actors", "quantities", "geo_precision", "confidence", "article_id", "id",
)  # fmt: skip
_ROUTE_KEYS = (
    "origin", "destination", "via", "mode", "status", "crosses_border", "length_km",
    "date_start", "date_end", "excerpt", "article_id", "id",
)  # fmt: skip
_PLACE_KEYS = (
    "name", "mentions", "country_code", "feature_class", "geo_precision", "gazetteer_id",
    "confidence", "reason", "article_id",
)  # fmt: skip


def _records(gdf: gpd.GeoDataFrame) -> list[tuple[dict, Any]]:
    columns = [c for c in gdf.columns if c != gdf.geometry.name]
    return list(zip(gdf[columns].to_dict("records"), gdf.geometry, strict=True))


def write_kml(layers: Any, path: str | Path) -> Path:
    """Write incidents as Placemarks and routes as LineStrings (plus places) to KML.

    Incidents are styled by ``type`` and routes by ``status``; names and descriptions are
    HTML-escaped because Google Earth renders them as HTML. Incidents without a location
    are left out (KML has no unlocated Placemark) and counted in the log.

    Parameters
    ----------
    layers
        A :class:`geo.pipeline.Layers`.
    path
        The ``.kml`` file to write (overwritten).

    Returns
    -------
    path
        The written file.
    """
    import simplekml

    path = _prepare_path(path)
    frames = dict(_layer_frames(layers))
    kml = simplekml.Kml(name=path.stem)
    skipped = 0

    if "incidents" in frames:
        folder = kml.newfolder(name="Incidents")
        rows = _records(frames["incidents"])
        styles = _kml_styles((_label(r.get("type"), "unknown") for r, _ in rows), line=False)
        for row, geom in rows:
            lon, lat = _lonlat(geom)
            if lon is None:
                skipped += 1
                continue
            name = f"{_label(row.get('type'), 'incident')} – {_label(row.get('place'), '')}"
            name = name.strip(" –")
            point = folder.newpoint(
                name=_kml_text(name),
                description=_kml_description(row, _INCIDENT_KEYS),
                coords=[(lon, lat)],
            )
            point.style = styles[_label(row.get("type"), "unknown")]
            _kml_timespan(point, row)

    if "routes" in frames:
        folder = kml.newfolder(name="Routes")
        rows = _records(frames["routes"])
        styles = _kml_styles((_label(r.get("status"), "unknown") for r, _ in rows), line=True)
        for row, geom in rows:
            if geom is None or geom.is_empty:
                skipped += 1
                continue
            parts = getattr(geom, "geoms", [geom])
            for part in parts:
                coords = [(round(x, 6), round(y, 6)) for x, y, *_ in part.coords]
                line = folder.newlinestring(
                    name=_kml_text(
                        f"{_label(row.get('origin'), '?')} → {_label(row.get('destination'), '?')}"
                    ),
                    description=_kml_description(row, _ROUTE_KEYS),
                    coords=coords,
                )
                line.tessellate = 1
                line.style = styles[_label(row.get("status"), "unknown")]
                _kml_timespan(line, row)

    if "places" in frames:
        folder = kml.newfolder(name="Places", visibility=0)
        for row, geom in _records(frames["places"]):
            lon, lat = _lonlat(geom)
            if lon is None:
                continue
            folder.newpoint(
                name=_kml_text(row.get("name")),
                description=_kml_description(row, _PLACE_KEYS),
                coords=[(lon, lat)],
                visibility=0,
            )

    try:
        kml.save(str(path))
    except OSError as e:
        msg = f"{path}: cannot write KML ({e.strerror})"
        raise ExportError(msg) from e
    if skipped:
        logger.warning("KML %s: left out %d features without a location", path, skipped)
    logger.info("Wrote KML to %s", path)
    return path


def _kml_timespan(feature: Any, row: Mapping[str, Any]) -> None:
    start, end = _json_value(row.get("date_start")), _json_value(row.get("date_end"))
    if start:
        feature.timespan.begin = str(start)
    if end:
        feature.timespan.end = str(end)


# --------------------------------------------------------------------------- dispatch


def _prepare_path(path: str | Path) -> Path:
    """Return ``path`` as a Path whose folder exists; a folder path is an ExportError."""
    path = Path(path)
    if path.is_dir():
        msg = f"'{path}' is a folder; give a file name such as '{path / 'border.geojson'}'."
        raise ExportError(msg)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        msg = f"'{path.parent}': cannot create the export folder ({e.strerror})"
        raise ExportError(msg) from e
    return path


def export_layers(layers: Any, path: str | Path, *, fmt: str = "geojson") -> Path:
    """Export the layers to one file.

    Parameters
    ----------
    layers
        A :class:`geo.pipeline.Layers`.
    path
        The file to write (overwritten; its folder is created).
    fmt
        ``"geojson"``: one RFC 7946 FeatureCollection of all layers (``layer`` property);
        ``"csv"``: one ACLED-like row per incident; ``"kml"``: incidents and routes
        (and places, hidden) for Google Earth.

    Returns
    -------
    path
        The written file.

    Raises
    ------
    ExportError
        When ``fmt`` is not supported or the file cannot be written.
    """
    key = fmt.lower() if isinstance(fmt, str) else fmt
    if key not in FORMATS:
        msg = f"Format '{fmt}' is not supported. Use 'geojson', 'csv' or 'kml'."
        raise ExportError(msg)
    if key == "geojson":
        target = _prepare_path(path)
        try:
            _write_json(featurecollection_from_layers(layers), target)
        except OSError as e:
            msg = f"{target}: cannot write GeoJSON ({e.strerror})"
            raise ExportError(msg) from e
        logger.info("Wrote GeoJSON to %s", target)
        return target
    if key == "csv":
        incidents = getattr(layers, "incidents", None)
        if incidents is None:
            msg = "'layers' has no incidents layer to write as CSV"
            raise ExportError(msg)
        try:
            return write_csv(incidents, path)
        except OSError as e:
            msg = f"{path}: cannot write CSV ({e.strerror})"
            raise ExportError(msg) from e
    return write_kml(layers, path)
