"""Folium maps of the Border Watch layers, fully offline.

The map is drawn from the three layer GeoDataFrames (places, incidents, routes; columns in
:mod:`geo.models`) on top of an offline vector basemap built from ``data/basemap`` (Natural
Earth countries, the China–North Korea and North Korea–Russia boundaries, the Tumen and Yalu)
and labels from the curated gazetteer (``data/gazetteer/places.csv`` city and town rows).
Tile layers (OpenStreetMap, Esri World Imagery, OpenTopoMap) are optional; offline they simply
fail and the vector basemap, drawn underneath them, stays visible.

Every browser asset is local: :func:`localize_assets` replaces folium's CDN links by files of
the installed ``xstatic-*`` packages (see :mod:`geo._vendor`), either inlined (a standalone
HTML file, :func:`save_map`) or as URLs under a base URL (the Streamlit app serves
:func:`vendor_files` as static files). Bootstrap and Leaflet.awesome-markers have no local copy
and are dropped; the map uses circle markers and DivIcons only. The fullscreen button, the
minimap, the legend and the route arrow heads are implemented here (no plugin files).

Scale choices
-------------
Each data set (incidents, routes, places, uncertainty circles) is ONE Leaflet layer with a
canvas of its own (``window.BwPoints``/``BwRoutes``/``BwPlaces``/``BwHalos``, defined once per
page by the feature group), drawn in one pass per view: no Leaflet layer per feature, so
100,000 incidents draw in well under a second. Data travel as compact columnar JSON: each
incident carries only ``id``, ``type``, ``label`` and ``date`` (plus ``popup`` when
``popups="full"``), about 70 bytes, so 10,000 incidents stay under 2 MB of HTML. Markers are
pre-drawn sprites per type, stamped into the canvas pixels in JS (100,000 in about 0.15 s,
against 0.5 s for as many ``drawImage`` calls); over 2,000 routes in view are stroked as
1-pixel lines (a canvas strokes hairlines about 8x faster than wider, translucent lines); route
arrow heads are drawn in the browser from each line's last segment (constant size in pixels);
place labels are placed greedily and left out where they would overlap another label.
Clicks and hovers are hit-tested by the layers themselves (one dispatcher per map: incidents
over places over routes); a click fires ``click`` with ``layer`` = a proxy whose
``toGeoJSON()`` is the feature, as st_folium expects.

Filterable maps (the app)
-------------------------
:func:`map_data_from_layers` serialises the unfiltered layers once; :func:`save_map_data`
writes them to a content-hashed ``<digest>.json`` (plus a ``<digest>.js`` that
:func:`prefetch_map_data` loads before Leaflet, so the fetch starts at once). Each filter
state is then a small feature group (:func:`feature_group_from_map_data`) holding one bit mask
of visible rows per layer: about 15 kB for 100,000 incidents instead of megabytes of data per
change. In the browser the data layers are kept across the feature groups streamlit-folium
swaps (``window.BwKeep``): a layer is re-subset and redrawn only when its mask changed.

Location uncertainty (``geo_precision``) is drawn as a translucent circle under the marker:
2 ("near a named place") -> radius ``PRECISION_RADIUS_M[2]`` = 5 km;
3 ("only the province or region is known") -> ``PRECISION_RADIUS_M[3]`` = 50 km.
Circles under 2 pixels are not drawn, nor are any while more than 2,000 would be in view
(they merge into one grey wash): zoom in to see them.

Escaping
--------
Article text is untrusted. Every string that reaches HTML goes through :func:`escape_html`,
which also neutralises ``$``, ``{``, ``}``, backticks and backslashes, so text placed in a
JS template string cannot run code; popups and tooltips receive pre-escaped HTML only.

Feature ids
-----------
Incident and route features carry their layer ``id``; place features carry
``id = "place:<gazetteer_id>"`` (or ``"place:<name>"`` when unresolved to a gazetteer row), so
``st_folium(...)["last_active_drawing"]["properties"]["id"]`` names what was clicked.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import html
import json
import logging
import math
import os
import re
import shutil
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, Figure, MacroElement
from folium.elements import ElementAddToElement, JSCSSMixin
from folium.map import CustomPane, Layer, LayerControl
from folium.template import Template
from folium.utilities import validate_location
from shapely.geometry import mapping, shape

from geo import settings
from geo._vendor import asset_for_link, inline_css, inline_js
from geo._vendor import vendor_files as _vendor_files

__all__ = [
    "DEFAULT_BOUNDS",
    "INCIDENT_COLORS",
    "PRECISION_RADIUS_M",
    "MapData",
    "base_map",
    "color_for_type",
    "copy_vendor_files",
    "escape_html",
    "feature_group_from_layers",
    "feature_group_from_map_data",
    "localize_assets",
    "map_data_from_layers",
    "map_from_layers",
    "prefetch_map_data",
    "route_style",
    "save_map",
    "save_map_data",
    "vendor_files",
]

logger = logging.getLogger(__name__)

#: (min_lon, min_lat, max_lon, max_lat) of the China–North Korea border region.
DEFAULT_BOUNDS: tuple[float, float, float, float] = (123.5, 39.5, 131.0, 43.5)

#: Uncertainty radius (metres) drawn around incidents by geo_precision.
PRECISION_RADIUS_M: dict[int, float] = {2: 5_000.0, 3: 50_000.0}

#: Colours of the incident types of ``data/incident_types.csv``; other types get a stable
#: colour from ``_PALETTE``.
INCIDENT_COLORS: dict[str, str] = {
    "smuggling_crossing": "#d62728",
    "seizure": "#ff7f0e",
    "sale_of_seized_goods": "#8c564b",
    "customs_refusal": "#e377c2",
    "defection": "#2ca02c",
    "arrest": "#9467bd",
    "closure": "#7f7f7f",
    "covert_production": "#bcbd22",
    "storage": "#17becf",
    "trade_order": "#1f77b4",
    "transport": "#393b79",
    "border_security": "#637939",
    "other": "#555555",
}
_PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#bcbd22",
    "#17becf",
    "#393b79",
)

_PRECISION_TEXT = {
    1: "the named place itself",
    2: "near the named place (±5 km)",
    3: "only the province/region is known (±50 km)",
}
_ROUTE_COLOR = "#1f4e9c"
_BORDER_ROUTE_COLOR = "#c62828"
_BASE_PANE = "bw-basemap"  # under the tiles: visible when tiles fail offline
_LINE_PANE = "bw-boundaries"  # above the tiles
_LABEL_PANE = "bw-labels"
_COUNTRY_FILL = {
    "KP": "#f3dcd8",
    "CN": "#f4efd9",
    "RU": "#e3e9ef",
    "KR": "#e5eedf",
    "JP": "#ececec",
    "MN": "#ececec",
}
_TILES = (
    (
        "OpenStreetMap",
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "&copy; OpenStreetMap contributors",
    ),
    (
        "Satellite (Esri World Imagery)",
        "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/{z}/{y}/{x}",
        "Tiles &copy; Esri",
    ),
    (
        "Terrain (OpenTopoMap)",
        "https://{s}.tile.opentopomap.org/{z}/{x}/{y}.png",
        "&copy; OpenStreetMap contributors, SRTM | &copy; OpenTopoMap (CC-BY-SA)",
    ),
)
_ESCAPES = {
    "$": "&#36;",
    "`": "&#96;",
    "{": "&#123;",
    "}": "&#125;",
    "\\": "&#92;",
}


# --------------------------------------------------------------------------- escaping


def escape_html(text: Any) -> str:
    """Escape untrusted text for HTML, attributes and JS template strings.

    Parameters
    ----------
    text
        Any value; None becomes "".

    Returns
    -------
    escaped
        ``html.escape`` output with dollar, backtick, braces and backslash also replaced by
        character references.

    Examples
    --------
    >>> escape_html("<script>alert('x')</script>")
    '&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;'
    >>> escape_html("${document.title}")
    '&#36;&#123;document.title&#125;'
    >>> escape_html("`a` & b")
    '&#96;a&#96; &amp; b'
    >>> escape_html(None)
    ''
    """
    if text is None:
        return ""
    out = html.escape(str(text), quote=True)
    for char, ref in _ESCAPES.items():  # chained replace: far faster than str.translate
        if char in out:
            out = out.replace(char, ref)
    return out


def _highlight(text: str, names: Iterable[str]) -> str:
    """Escape ``text`` and wrap each occurrence of one of ``names`` in ``<mark>``.

    Examples
    --------
    >>> _highlight("Trucks left <Sinuiju> for Dandong.", ["dandong", ""])
    'Trucks left &lt;Sinuiju&gt; for <mark>Dandong</mark>.'
    """
    wanted = sorted({n for n in names if n and n.strip()}, key=len, reverse=True)
    if not wanted:
        return escape_html(text)
    pattern = re.compile("|".join(re.escape(n) for n in wanted), re.IGNORECASE)
    out: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        out.append(escape_html(text[last : match.start()]))
        out.append(f"<mark>{escape_html(match.group(0))}</mark>")
        last = match.end()
    out.append(escape_html(text[last:]))
    return "".join(out)


# --------------------------------------------------------------------------- styles


def color_for_type(incident_type: str) -> str:
    """Return the marker colour of an incident type (stable for unknown types).

    Parameters
    ----------
    incident_type
        the incident ``type`` value.

    Returns
    -------
    color
        A ``#rrggbb`` colour.

    Examples
    --------
    >>> color_for_type("smuggling_crossing")
    '#d62728'
    >>> color_for_type("new type") == color_for_type("new type")
    True
    """
    key = str(incident_type or "").strip().lower()
    if key in INCIDENT_COLORS:
        return INCIDENT_COLORS[key]
    return _PALETTE[zlib.crc32(key.encode("utf-8")) % len(_PALETTE)]


def route_style(status: str, crosses_border: bool) -> dict[str, Any]:
    """Return the Leaflet path style of a route.

    Attempted and blocked routes are dashed; routes crossing the border are red and thicker.

    Parameters
    ----------
    status
        completed | attempted | blocked.
    crosses_border
        whether the route crosses an international boundary.

    Returns
    -------
    style
        Leaflet path options.

    Examples
    --------
    >>> route_style("blocked", False)["dashArray"]
    '8 6'
    >>> route_style("completed", True)["color"], route_style("completed", True)["dashArray"]
    ('#c62828', None)
    """
    return {
        "color": _BORDER_ROUTE_COLOR if crosses_border else _ROUTE_COLOR,
        "weight": 4 if crosses_border else 2.5,
        "opacity": 0.9,
        "dashArray": None if status == "completed" else "8 6",
        "fillColor": _BORDER_ROUTE_COLOR if crosses_border else _ROUTE_COLOR,
        "fillOpacity": 0.9,
    }


def _route_style_table() -> dict[str, dict[str, Any]]:
    return {
        f"{status}|{int(cross)}": route_style(status, cross)
        for status in ("completed", "attempted", "blocked")
        for cross in (False, True)
    }


# --------------------------------------------------------------------------- assets


def vendor_files() -> dict[str, Path]:
    """Map each logical asset name to its local file from the installed packages.

    Serve each file at ``<base_url>/<logical name>`` and call
    ``localize_assets(m, mode="url", base_url=...)`` (see :func:`copy_vendor_files`).

    Returns
    -------
    files
        ``{"leaflet/leaflet.js": Path(...), "leaflet/images/layers.png": Path(...), ...}``.
    """
    return _vendor_files()


def copy_vendor_files(folder: str | Path) -> list[Path]:
    """Copy every :func:`vendor_files` asset to ``folder/<logical name>``.

    Parameters
    ----------
    folder
        destination, e.g. the app's ``static/vendor`` folder.

    Returns
    -------
    paths
        The written files.
    """
    out: list[Path] = []
    for logical, source in vendor_files().items():
        target = Path(folder) / logical
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists() or target.stat().st_size != source.stat().st_size:
            shutil.copyfile(source, target)
        out.append(target)
    return out


def _walk(element: Any) -> Iterable[Any]:
    yield element
    for child in list(getattr(element, "_children", {}).values()):
        yield from _walk(child)


def _is_remote(url: str) -> bool:
    return url.startswith(("http://", "https://", "//"))


def localize_assets(m: Any, *, mode: str = "inline", base_url: str = "") -> Any:
    """Replace every CDN ``<script>``/``<link>`` of a map and its children by local assets.

    Parameters
    ----------
    m
        the map (plugins and other children included); any folium element (e.g. a
        FeatureGroup passed separately to ``st_folium``) is accepted in mode "url".
    mode
        "inline": ``<script>``/``<style>`` with the file contents in the page header
        (a standalone HTML file); "url": links to ``<base_url>/<logical name>``.
    base_url
        URL prefix under which :func:`vendor_files` are served (mode "url"), e.g.
        ``"app/static/vendor"``.

    Returns
    -------
    m
        The same map, modified in place. Assets without a local copy are dropped with a WARNING.
        Call again after adding more children (it is idempotent).
    """
    if mode not in ("inline", "url"):
        msg = f"localize_assets: mode {mode!r} is not supported. Use 'inline' or 'url'."
        raise ValueError(msg)
    if not isinstance(m, Element):
        msg = f"localize_assets: 'm' should be a folium.Map or element, got {type(m).__name__}"
        raise TypeError(msg)
    figure = m.get_root()
    if mode == "inline" and not isinstance(figure, Figure):
        msg = "localize_assets: mode 'inline' needs an element attached to a map (no page header)"
        raise ValueError(msg)
    prefix = base_url.rstrip("/")
    for element in _walk(m):
        if not isinstance(element, JSCSSMixin):
            continue
        for attr in ("default_js", "default_css"):
            kept: list[tuple[str, str]] = []
            for name, url in getattr(element, attr):
                if not _is_remote(url):
                    kept.append((name, url))
                    continue
                logical = asset_for_link(name, url)
                if logical is None:
                    logger.warning("Dropped asset %r (%s): no local copy", name, url)
                    continue
                if mode == "url":
                    kept.append((name, f"{prefix}/{logical}" if prefix else logical))
                else:
                    _add_inline(figure, logical)
            setattr(element, attr, kept)  # instance attribute: never mutate the class list
    return m


def _add_inline(figure: Figure, logical: str) -> None:
    key = "bw_asset_" + re.sub(r"\W", "_", logical)
    if key in figure.header._children:
        return
    if logical.endswith(".css"):
        figure.header.add_child(Element(f"<style>{inline_css(logical)}</style>"), name=key)
    else:
        figure.header.add_child(Element(f"<script>{inline_js(logical)}</script>"), name=key)


def save_map(m: folium.Map, path: str | Path) -> Path:
    """Write a standalone, fully offline HTML file of the map.

    Parameters
    ----------
    m
        the map.
    path
        output file (``.html``); parent folders are created.

    Returns
    -------
    path
        The written file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _layer_control_last(m)
    localize_assets(m, mode="inline")
    m.save(str(path))
    logger.info("Saved map to %s (%d bytes)", path, path.stat().st_size)
    return path


# --------------------------------------------------------------------------- basemap data


def _round_coords(obj: Any, ndigits: int) -> Any:
    if isinstance(obj, float):
        return round(obj, ndigits)
    if isinstance(obj, (list, tuple)):
        return [_round_coords(v, ndigits) for v in obj]
    return obj


@lru_cache(maxsize=8)
def _basemap_layer(name: str, tolerance: float, keep: tuple[str, ...]) -> str:
    """Read ``data/basemap/<name>.geojson``, simplify and keep only ``keep`` properties."""
    path = settings.data_folder / "basemap" / f"{name}.geojson"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        logger.warning("Basemap layer %s is unusable (%s); skipped", path, e)
        return json.dumps({"type": "FeatureCollection", "features": []})
    features = []
    for feature in data.get("features", []):
        geom = feature.get("geometry")
        if not geom:
            continue
        if tolerance > 0:
            geom = mapping(shape(geom).simplify(tolerance, preserve_topology=True))
        props = {k: feature["properties"].get(k) for k in keep}
        coords = _round_coords(json.loads(json.dumps(geom["coordinates"])), 4)
        features.append(
            {
                "type": "Feature",
                "properties": props,
                "geometry": {"type": geom["type"], "coordinates": coords},
            }
        )
    return json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))


@lru_cache(maxsize=1)
def _gazetteer_rows() -> tuple[tuple[str, bool, float, float], ...]:
    """(name, is_city, lon, lat) of the curated gazetteer's city and town rows."""
    path = settings.data_folder / "gazetteer" / "places.csv"
    rows = []
    try:
        with path.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                if row.get("feature_class") not in ("city", "town"):
                    continue
                try:
                    lon, lat = float(row["longitude"]), float(row["latitude"])
                except (KeyError, ValueError):
                    continue
                rows.append((row.get("name", ""), row.get("feature_class") == "city", lon, lat))
    except OSError as e:
        logger.warning("Gazetteer %s is unreadable (%s); no basemap labels", path, e)
    return tuple(rows)


def _gazetteer_labels(hide: Iterable[str] = ()) -> str:
    """GeoJSON of basemap labels, without the names in ``hide`` (drawn as data places)."""
    hidden = {h.casefold() for h in hide}
    features = [
        {
            "type": "Feature",
            "properties": {"label": escape_html(name), "city": city},
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
        }
        for name, city, lon, lat in _gazetteer_rows()
        if name.casefold() not in hidden
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))


# --------------------------------------------------------------------------- map elements


class _RawText(Element):
    """Pre-rendered text placed in a page section as is.

    ``branca`` wraps each rendered script in ``Element(text)``, which compiles the text as
    a Jinja template: seconds for the megabytes of a large data layer. This does not.
    """

    def __init__(self, text: str) -> None:
        super().__init__("")
        self.text = text

    def render(self, **kwargs: Any) -> str:
        """Return the text unchanged."""
        return self.text


def _render_layer_raw(layer: Layer, kwargs: dict[str, Any]) -> None:
    """``Layer.render`` for script-only layers, without compiling their output as a template."""
    figure = layer.get_root()
    if not isinstance(figure, Figure):
        msg = f"{type(layer).__name__}: cannot render a layer that is not in a Figure"
        raise TypeError(msg)
    if layer.show:
        layer.add_child(
            ElementAddToElement(
                element_name=layer.get_name(), element_parent_name=layer._parent.get_name()
            ),
            name=layer.get_name() + "_add",
        )
    script = layer._template.module.__dict__["script"](layer, kwargs)
    figure.script.add_child(_RawText(script), name=layer.get_name())
    for child in layer._children.values():
        child.render(**kwargs)


class _RawGeoJson(Layer):
    """A ``L.geoJson`` layer from a pre-serialised GeoJSON string and JS options.

    Unlike ``folium.GeoJson`` it does not re-parse or re-serialise the data (fast for large
    basemap layers) and takes its options verbatim.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJson({{ this.data }}, {{ this.options_js }});
        {% endmacro %}
        """
    )

    def __init__(
        self, data: str, options_js: str, *, name: str, control: bool = True, show: bool = True
    ) -> None:
        super().__init__(name=name, overlay=True, control=control, show=show)
        self._name = "BwGeoJson"
        self.data = re.sub(r"</", r"<\\/", data)
        self.options_js = options_js

    def render(self, **kwargs: Any) -> None:
        """Render without compiling the (large) data as a template."""
        _render_layer_raw(self, kwargs)


class _BlankBaseLayer(Layer):
    """An empty base layer: "no tiles, offline basemap only"."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.layerGroup();
        {% endmacro %}
        """
    )

    def __init__(self, name: str, *, show: bool = True) -> None:
        super().__init__(name=name, overlay=False, control=True, show=show)
        self._name = "BwBlank"


class _Script(MacroElement):
    """Inline JS and CSS attached to the parent map (``{map}`` names the map variable)."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        {%- if this.css %}<style>{{ this.css }}</style>{% endif %}
        {% endmacro %}
        {% macro script(this, kwargs) %}
        {{ this.js.replace("{map}", this._parent.get_name()) }}
        {% endmacro %}
        """
    )

    def __init__(self, js: str, *, css: str = "", name: str = "BwScript") -> None:
        super().__init__()
        self._name = name
        self.js = js
        self.css = css


_BASE_CSS = """
html .leaflet-container { background: #cfe1ee; }
.bw-base-label { white-space: nowrap; font: 11px/1.1 sans-serif; color: #333;
  text-shadow: 0 0 2px #fff, 0 0 2px #fff; pointer-events: none; }
.bw-base-label.bw-city { font-weight: bold; font-size: 12px; }
.bw-base-label i { display: inline-block; width: 5px; height: 5px; border-radius: 50%;
  background: #555; margin-right: 3px; vertical-align: middle; }
.leaflet-tooltip.bw-place-label { background: rgba(255,255,255,.85); border: 0;
  box-shadow: none; padding: 0 3px; font-size: 11px; }
.leaflet-tooltip.bw-place-label::before { display: none; }
.bw-legend, .bw-minimap, .bw-fullscreen a { background: #fff; border-radius: 4px;
  box-shadow: 0 1px 5px rgba(0,0,0,.4); }
.bw-legend { padding: 6px 8px; font: 12px/1.4 sans-serif; max-width: 230px; }
.bw-legend h4 { margin: 4px 0 2px; font-size: 12px; }
.bw-legend .sw { display: inline-block; width: 11px; height: 11px; border-radius: 50%;
  border: 1px solid #222; margin-right: 5px; vertical-align: middle; }
.bw-legend .ln { display: inline-block; width: 26px; height: 0; margin-right: 5px;
  vertical-align: middle; }
.bw-legend .halo { display: inline-block; width: 16px; height: 16px; border-radius: 50%;
  background: rgba(80,80,80,.18); border: 1px solid rgba(80,80,80,.5); margin-right: 5px;
  vertical-align: middle; }
.bw-minimap { width: 150px; height: 120px; overflow: hidden; }
.bw-fullscreen a { display: block; width: 30px; height: 30px; line-height: 30px;
  text-align: center; font: bold 18px/30px sans-serif; color: #222; text-decoration: none;
  cursor: pointer; }
.bw-popup { font: 12px/1.4 sans-serif; max-height: 320px; overflow-y: auto; }
.bw-popup blockquote { margin: 6px 0; padding-left: 8px; border-left: 3px solid #bbb; }
.bw-popup mark { background: #ffe066; }
"""

_FULLSCREEN_JS = """
(function () {
  var map = {map};
  var Ctl = L.Control.extend({
    options: {position: "topleft"},
    onAdd: function () {
      var div = L.DomUtil.create("div", "leaflet-bar bw-fullscreen");
      var a = L.DomUtil.create("a", "", div);
      a.href = "#"; a.title = "Full screen"; a.setAttribute("role", "button");
      a.innerHTML = '<svg width="16" height="16" viewBox="0 0 16 16" style="margin-top:7px">' +
        '<path d="M1 6V1h5M10 1h5v5M15 10v5h-5M6 15H1v-5" fill="none" stroke="#222" ' +
        'stroke-width="2"/></svg>';
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.on(a, "click", function (e) {
        L.DomEvent.preventDefault(e);
        var box = map.getContainer();
        if (document.fullscreenElement) { document.exitFullscreen(); }
        else if (box.requestFullscreen) { box.requestFullscreen(); }
      });
      document.addEventListener("fullscreenchange", function () { map.invalidateSize(); });
      return div;
    }
  });
  new Ctl().addTo(map);
})();
"""

_MINIMAP_JS = """
(function () {
  var map = {map};
  var Ctl = L.Control.extend({
    options: {position: "topright"},
    onAdd: function () {
      var div = L.DomUtil.create("div", "bw-minimap");
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    }
  });
  var ctl = new Ctl().addTo(map);
  var mini = L.map(ctl.getContainer(), {attributionControl: false, zoomControl: false,
    dragging: false, scrollWheelZoom: false, doubleClickZoom: false, boxZoom: false,
    keyboard: false, touchZoom: false, preferCanvas: true, fadeAnimation: false,
    zoomAnimation: false, center: map.getCenter(), zoom: Math.max(map.getZoom() - 5, 0)});
  L.geoJson(__DATA__, {interactive: false, style: function (f) {
    return {color: "#888", weight: 0.5, fillColor: (__FILL__)[f.properties.iso_a2] || "#eee",
            fillOpacity: 1};
  }}).addTo(mini);
  var box = L.rectangle([[0, 0], [0, 0]], {color: "#c62828", weight: 1, fillOpacity: 0.1,
                                            interactive: false}).addTo(mini);
  function sync() {
    mini.setView(map.getCenter(), Math.max(map.getZoom() - 5, 0), {animate: false});
    box.setBounds(map.getBounds());
  }
  map.on("moveend", sync);
  map.whenReady(sync);
  window.bwMinimap = mini;
})();
"""

_LEGEND_JS = """
(function () {
  var Ctl = L.Control.extend({
    options: {position: "bottomright"},
    onAdd: function () {
      var div = L.DomUtil.create("div", "bw-legend");
      div.innerHTML = __HTML__;
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    }
  });
  new Ctl().addTo({map});
})();
"""


@lru_cache(maxsize=1)
def _type_labels() -> dict[str, str]:
    """``type -> label`` from ``data/incident_types.csv`` (empty when the file is missing)."""
    path = settings.data_folder / "incident_types.csv"
    try:
        with path.open(encoding="utf-8", newline="") as f:
            return {
                r["type"]: r.get("label") or r["type"] for r in csv.DictReader(f) if r.get("type")
            }
    except (OSError, KeyError, csv.Error) as e:
        logger.debug("No incident type labels from %s: %s", path, e)
        return {}


def _legend_html(incident_types: Sequence[str]) -> str:
    labels = _type_labels()
    rows = ["<h4>Incidents</h4>"]
    for incident_type in incident_types:
        rows.append(
            f'<div><span class="sw" style="background:{color_for_type(incident_type)}"></span>'
            f"{escape_html(labels.get(incident_type, incident_type))}</div>"
        )
    if not incident_types:
        rows.append("<div>coloured by type</div>")
    rows.append("<h4>Routes</h4>")
    for label, status, cross in (
        ("completed", "completed", False),
        ("attempted / blocked (dashed)", "blocked", False),
        ("crosses the border", "completed", True),
    ):
        style = route_style(status, cross)
        border = "dashed" if style["dashArray"] else "solid"
        rows.append(
            f'<div><span class="ln" style="border-top:{style["weight"]}px {border} '
            f'{style["color"]}"></span>{label}</div>'
        )
    rows.append("<h4>Location precision</h4>")
    rows.append(
        '<div><span class="halo"></span>shaded circle: uncertain location'
        " (zoom in when there are many)</div>"
    )
    rows.append(f"<div>2 = {escape_html(_PRECISION_TEXT[2])}</div>")
    rows.append(f"<div>3 = {escape_html(_PRECISION_TEXT[3])}</div>")
    rows.append(
        '<div style="color:#666;margin-top:4px">Basemap: Natural Earth;'
        " place names: GeoNames (CC BY 4.0)</div>"
    )
    return "".join(rows)


def _js_string(text: str) -> str:
    """Return a JS string literal that is safe inside ``<script>``."""
    return json.dumps(text).replace("</", "<\\/")


def _fit_bounds(m: folium.Map, bounds: tuple[float, float, float, float]) -> None:
    min_lon, min_lat, max_lon, max_lat = (float(v) for v in bounds)
    if not all(math.isfinite(v) for v in (min_lon, min_lat, max_lon, max_lat)):
        msg = f"'bounds' should be finite (min_lon, min_lat, max_lon, max_lat), got {bounds}"
        raise ValueError(msg)
    if min_lon > max_lon or min_lat > max_lat:
        msg = f"'bounds' should be (min_lon, min_lat, max_lon, max_lat), got {bounds}"
        raise ValueError(msg)
    pad = 0.1
    if max_lon - min_lon < pad:
        min_lon, max_lon = min_lon - pad, max_lon + pad
    if max_lat - min_lat < pad:
        min_lat, max_lat = min_lat - pad, max_lat + pad
    m.location = validate_location(((min_lat + max_lat) / 2, (min_lon + max_lon) / 2))
    # Keep the data clear of the minimap/layer control (top right) and the legend (bottom
    # right). Not animated, and run before any layer is added: an animated fit would redraw
    # every data layer once more after the page has loaded.
    fit = json.dumps([[min_lat, min_lon], [max_lat, max_lon]])
    js = _js(
        "{map}.fitBounds(__FIT__, {paddingTopLeft: [50, 40], paddingBottomRight: [260, 30],"
        " animate: false});",
        fit=fit,
    )
    m.add_child(_Script(js, name="BwFitBounds"))


def base_map(
    *,
    bounds: tuple[float, float, float, float] | None = None,
    tiles: bool = True,
    incident_types: Sequence[str] = (),
    tile_layer: str | None = "OpenStreetMap",
    hide_labels: Iterable[str] = (),
) -> folium.Map:
    """Create the offline base map: vector basemap, labels, controls and legend.

    Parameters
    ----------
    bounds
        (min_lon, min_lat, max_lon, max_lat) to fit the view to; default the border region.
    tiles
        add the optional tile layers (OpenStreetMap, Esri satellite, OpenTopoMap) to the layer
        control; offline they fail and the vector basemap underneath stays visible.
    incident_types
        incident types listed in the legend with their colours.
    tile_layer
        name of the tile layer shown first (its first word is enough, e.g. "Satellite"), or
        None for the offline basemap only.
    hide_labels
        gazetteer names not to label on the basemap (e.g. places drawn as data).

    Returns
    -------
    m
        A ``folium.Map`` (``prefer_canvas=True``) whose only assets are Leaflet's JS and CSS.
    """
    m = folium.Map(
        location=validate_location((41.5, 127.5)),
        zoom_start=6,
        tiles=None,
        prefer_canvas=True,
        control_scale=True,
        max_bounds=False,
        zoom_snap=0.25,
    )
    # Only Leaflet is needed (circle markers and DivIcons; no Bootstrap/awesome-markers).
    m.default_js = [(n, u) for n, u in m.default_js if n == "leaflet"]
    m.default_css = [(n, u) for n, u in m.default_css if n == "leaflet_css"]
    m.get_root().header.add_child(Element(f"<style>{_BASE_CSS}</style>"), name="bw_css")
    _fit_bounds(m, bounds or DEFAULT_BOUNDS)
    m.add_child(CustomPane(_BASE_PANE, z_index=150, pointer_events=False))
    m.add_child(CustomPane(_LINE_PANE, z_index=390, pointer_events=False))
    m.add_child(CustomPane(_LABEL_PANE, z_index=395, pointer_events=False))
    _add_tiles(m, tiles=tiles, tile_layer=tile_layer)
    _add_basemap(m, hide_labels=hide_labels)
    m.add_child(_Script(_FULLSCREEN_JS, name="BwFullscreen"))
    minimap = _MINIMAP_JS.replace(
        "__DATA__", _basemap_layer("countries", 0.05, ("iso_a2",)).replace("</", "<\\/")
    ).replace("__FILL__", json.dumps(_COUNTRY_FILL))
    m.add_child(_Script(minimap, name="BwMinimap"))
    legend = _LEGEND_JS.replace("__HTML__", _js_string(_legend_html(list(incident_types))))
    m.add_child(_Script(legend, name="BwLegend"))
    m.add_child(LayerControl(collapsed=True))
    return m


def _add_tiles(m: folium.Map, *, tiles: bool, tile_layer: str | None) -> None:
    wanted = (tile_layer or "").split(" ")[0].lower() if tiles else ""
    shown_any = False
    layers = []
    if tiles:
        for name, url, attr in _TILES:
            show = bool(wanted) and name.lower().startswith(wanted) and not shown_any
            shown_any = shown_any or show
            layers.append(
                folium.TileLayer(
                    tiles=url,
                    attr=attr,
                    name=name,
                    overlay=False,
                    control=True,
                    show=show,
                    max_zoom=18,
                )
            )
    m.add_child(_BlankBaseLayer("Offline basemap only", show=not shown_any))
    for layer in layers:
        m.add_child(layer)


def _js(template: str, **values: str) -> str:
    """Fill ``__NAME__`` placeholders of a JS snippet (braces stay literal).

    Examples
    --------
    >>> _js("{pane: __PANE__}", pane='"a"')
    '{pane: "a"}'
    """
    for key, value in values.items():
        template = template.replace(f"__{key.upper()}__", value)
    return template


def _add_basemap(m: folium.Map, *, hide_labels: Iterable[str] = ()) -> None:
    base, line, label = (json.dumps(p) for p in (_BASE_PANE, _LINE_PANE, _LABEL_PANE))
    countries = _RawGeoJson(
        _basemap_layer("countries", 0.003, ("iso_a2", "name")),
        _js(
            "{pane: __PANE__, interactive: false, style: function (f) { return {color: '#999',"
            " weight: 0.6, fillColor: (__FILL__)[f.properties.iso_a2] || '#eee',"
            " fillOpacity: 1}; }}",
            pane=base,
            fill=json.dumps(_COUNTRY_FILL),
        ),
        name="Countries (offline basemap)",
        control=False,
    )
    lakes = _RawGeoJson(
        _basemap_layer("lakes", 0.0, ("name",)),
        _js(
            "{pane: __PANE__, interactive: false, style: {color: '#8fb3cc', weight: 0.5,"
            " fillColor: '#cfe1ee', fillOpacity: 1}}",
            pane=base,
        ),
        name="Lakes",
        control=False,
    )
    rivers = _RawGeoJson(
        _basemap_layer("rivers", 0.0, ("name",)),
        _js(
            "{pane: __PANE__, interactive: false, style: {color: '#9cc0da', weight: 1}}", pane=base
        ),
        name="Rivers",
        control=False,
    )
    border_rivers = _RawGeoJson(
        _basemap_layer("border_rivers", 0.0, ("name",)),
        _js(
            "{pane: __PANE__, interactive: false,"
            " style: {color: '#3d85c6', weight: 2.5, opacity: 0.9}}",
            pane=line,
        ),
        name="Tumen and Yalu rivers",
    )
    boundaries = _RawGeoJson(
        _basemap_layer("boundary_lines", 0.0, ("kind", "pair", "label")),
        _js(
            "{pane: __PANE__, interactive: false, style: function (f) { var p = f.properties;"
            " var main = p.pair === 'CHN-PRK' || p.pair === 'PRK-RUS';"
            " return {color: main ? '#5b2c83' : '#777', weight: main ? 2.5 : 1.2,"
            " dashArray: p.kind === 'international_boundary' ? null : '4 4', opacity: 0.9}; }}",
            pane=line,
        ),
        name="Boundaries",
    )
    labels = _RawGeoJson(
        _gazetteer_labels(hide_labels),
        _js(
            "{pane: __PANE__, interactive: false, pointToLayer: function (f, ll) {"
            " return L.marker(ll, {pane: __PANE__, interactive: false, keyboard: false,"
            " icon: L.divIcon({className: 'bw-base-label' + (f.properties.city ? ' bw-city' : ''),"
            " html: '<i></i>' + f.properties.label, iconSize: null, iconAnchor: [3, 7]})}); }}",
            pane=label,
        ),
        name="Place names (gazetteer)",
    )
    for layer in (countries, lakes, rivers, border_rivers, boundaries, labels):
        m.add_child(layer)


# --------------------------------------------------------------------------- data layers


_EMPTY_INCIDENTS = gpd.GeoDataFrame(columns=["id"], geometry=[], crs="EPSG:4326")
_EMPTY_ROUTES = gpd.GeoDataFrame(columns=["id"], geometry=[], crs="EPSG:4326")


def _layer(layers: Any, name: str) -> Any:
    gdf = getattr(layers, name, None)
    if gdf is None:
        return None
    if not hasattr(gdf, "geometry") or not hasattr(gdf, "itertuples"):
        msg = f"'layers.{name}' should be a GeoDataFrame, got {type(gdf).__name__}"
        raise TypeError(msg)
    return gdf


def _col(row: dict[str, Any], key: str) -> Any:
    """Return ``row[key]`` with missing values (None, NaN, NA, NaT) as None."""
    value = row.get(key)
    if value is None or isinstance(value, (str, list, tuple, dict, set)):
        return value
    if pd.api.types.is_scalar(value) and pd.isna(value):
        return None
    return value


def _rows(gdf: Any, columns: Sequence[str]) -> Iterable[tuple[dict[str, Any], Any]]:
    present = [c for c in columns if c in gdf.columns]
    geoms = gdf.geometry.to_numpy()
    values = [gdf[c].to_numpy() for c in present]
    for i, geom in enumerate(geoms):
        yield {c: v[i] for c, v in zip(present, values, strict=True)}, geom


def _point(geom: Any) -> tuple[float, float] | None:
    if geom is None or getattr(geom, "is_empty", True) or geom.geom_type != "Point":
        return None
    x, y = geom.x, geom.y
    if not (math.isfinite(x) and math.isfinite(y)):
        return None
    return round(x, 5), round(y, 5)


def _date_text(row: dict[str, Any]) -> str:
    start, end = _col(row, "date_start"), _col(row, "date_end")
    if not start:
        return ""
    return f"{start} – {end}" if end and end != start else str(start)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    try:
        return [v for v in list(value) if v is not None and v != ""]
    except TypeError:
        return [value]


def _full_popup(row: dict[str, Any], place_names: dict[str, set[str]]) -> str:
    place = _col(row, "place") or ""
    precision = _col(row, "geo_precision")
    date_text = _date_text(row) or "date unknown"
    date_precision = _col(row, "date_precision")
    if date_precision and date_precision not in ("day", "unknown"):
        date_text += f" ({date_precision})"
    if _col(row, "date_inferred"):
        date_text += ", year inferred"
    incident_type = str(_col(row, "type") or "incident")
    type_label = _type_labels().get(incident_type, incident_type)
    parts = [f"<b>{escape_html(type_label)}</b> · {escape_html(date_text)}"]
    if place:
        where = escape_html(place)
        if precision in _PRECISION_TEXT:
            where += f" <small>(precision {int(precision)}: "
            where += f"{escape_html(_PRECISION_TEXT[int(precision)])})</small>"
        parts.append(f"<b>Place:</b> {where}")
    else:
        parts.append("<b>Place:</b> not located")
    actors = _as_list(_col(row, "actors"))
    if actors:
        parts.append("<b>Actors:</b> " + ", ".join(escape_html(a) for a in actors))
    quantities = _as_list(_col(row, "quantities"))
    if quantities:
        parts.append("<b>Quantities:</b> " + ", ".join(escape_html(q) for q in quantities))
    excerpt = str(_col(row, "excerpt") or "")
    names = {place} | place_names.get(place, set())
    body = "<br>".join(parts)
    body += f"<blockquote>{_highlight(excerpt, names)}</blockquote>"
    body += (
        f"<small>{escape_html(_col(row, 'id'))} · {escape_html(_col(row, 'article_id'))}</small>"
    )
    return f'<div class="bw-popup">{body}</div>'


def _place_names(places: Any) -> dict[str, set[str]]:
    names: dict[str, set[str]] = {}
    if places is None:
        return names
    for row, _ in _rows(places, ("name", "mentions")):
        name = _col(row, "name")
        if name:
            names.setdefault(str(name), set()).update(str(s) for s in _as_list(row.get("mentions")))
    return names


def _json_for_script(data: Any) -> str:
    r"""Return compact JSON that is safe inside ``<script>`` (no ``<``, no line separators).

    Examples
    --------
    >>> _json_for_script({"a": "</script> x"})
    '{"a":"\\u003c/script> x"}'
    """
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _column(gdf: Any, name: str, rows: Any) -> list[Any]:
    """Values of ``gdf[name]`` at positions ``rows``, missing values (NaN, NA) as None."""
    if name not in gdf.columns:
        return [None] * len(rows)
    values = pd.Series(gdf[name].to_numpy()[rows], dtype=object)
    return values.where(~values.isna(), None).tolist()


def _point_rows(gdf: Any) -> tuple[np.ndarray, list[float], list[float]]:
    """Positions of the rows with a finite Point geometry, and their rounded lon/lat."""
    geoms = np.asarray(gdf.geometry.to_numpy(), dtype=object)
    x, y = shapely.get_x(geoms), shapely.get_y(geoms)  # NaN for None, empty, non-points
    ok = (shapely.get_type_id(geoms) == 0) & np.isfinite(x) & np.isfinite(y)
    rows = np.flatnonzero(ok)
    return rows, [round(v, 5) for v in x[rows].tolist()], [round(v, 5) for v in y[rows].tolist()]


def _date_pair_text(start: Any, end: Any) -> str:
    if not start:
        return ""
    return f"{start} – {end}" if end and end != start else str(start)


def _label_text(summary: Any, incident_type: Any, place: Any, limit: int = 80) -> str:
    text = summary or ""
    if not text:
        text = " at ".join(p for p in (incident_type or "incident", place or "") if p)
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _codes(values: list[str]) -> tuple[list[int], list[str]]:
    """Index each value in a table of the distinct values (in order of first appearance)."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), sort=False)
    return codes.tolist(), [str(u) for u in uniques]


def _incident_payloads(
    incidents: Any, popups: str, place_names: dict[str, set[str]]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Columnar incidents and uncertainty circles (column-wise: 100,000 rows in ~1 s)."""
    rows, xs, ys = _point_rows(incidents)
    ids = [str(v or "") for v in _column(incidents, "id", rows)]
    cuts = [v.rfind("-") + 1 for v in ids]
    types = [str(v or "other") for v in _column(incidents, "type", rows)]
    starts, ends = _column(incidents, "date_start", rows), _column(incidents, "date_end", rows)
    summaries = _column(incidents, "summary", rows)
    place = _column(incidents, "place", rows)
    a, prefixes = _codes([v[:c] for v, c in zip(ids, cuts, strict=True)])
    t, type_table = _codes(types)
    d, date_table = _codes([_date_pair_text(s, e) for s, e in zip(starts, ends, strict=True)])
    labels = [
        escape_html(_label_text(s, k, p))
        for s, k, p in zip(summaries, _column(incidents, "type", rows), place, strict=True)
    ]
    inc: dict[str, Any] = {
        "x": xs,
        "y": ys,
        "a": a,
        "id": [v[c:] for v, c in zip(ids, cuts, strict=True)],
        "t": t,
        "l": labels,
        "d": d,
        "T": type_table,
        "D": [escape_html(v) for v in date_table],
        "A": prefixes,
        "R": _marker_radius(len(ids)),
    }
    if popups == "full":
        subset = incidents.iloc[rows]
        inc["p"] = [_full_popup(row, place_names) for row, _ in _rows(subset, subset.columns)]
    precision = pd.to_numeric(
        pd.Series(_column(incidents, "geo_precision", rows), dtype=object), errors="coerce"
    )
    radius = precision.map(PRECISION_RADIUS_M).to_numpy()
    keep = np.flatnonzero(np.isfinite(radius.astype(float)))
    halo = {
        "x": [xs[i] for i in keep],
        "y": [ys[i] for i in keep],
        "r": radius[keep].astype(float).tolist(),
    }
    return inc, halo


def _marker_radius(count: int) -> int:
    """Return the incident marker radius in pixels: smaller when there are many.

    Examples
    --------
    >>> _marker_radius(10), _marker_radius(20_000), _marker_radius(100_000)
    (6, 4, 3)
    """
    return 6 if count <= 5_000 else 4 if count <= 50_000 else 3


_ROUTE_COLUMNS_USED = (
    "id",
    "origin",
    "destination",
    "mode",
    "status",
    "crosses_border",
    "date_start",
    "date_end",
)
_route_payload_cache: dict[tuple[int, int], dict[str, Any]] = {}


def _route_fingerprint(routes: Any) -> tuple[int, int]:
    """A content hash of what the route payload depends on (columns used + coordinates)."""
    present = [c for c in _ROUTE_COLUMNS_USED if c in routes.columns]
    frame = routes[present].astype(str)
    rows = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    geoms = np.asarray(routes.geometry.to_numpy(), dtype=object)
    coords = shapely.get_coordinates(geoms)
    counts = shapely.get_num_coordinates(geoms)
    return len(routes), hash((rows.tobytes(), coords.tobytes(), counts.tobytes(), tuple(present)))


def _cached_route_payload(routes: Any) -> dict[str, Any]:
    """:func:`_route_payload`, reused while the routes are unchanged (filters that keep them)."""
    key = _route_fingerprint(routes)
    if key not in _route_payload_cache:
        if len(_route_payload_cache) >= 8:
            _route_payload_cache.pop(next(iter(_route_payload_cache)))
        _route_payload_cache[key] = _route_payload(routes)
    return _route_payload_cache[key]


def _line_rows(routes: Any) -> np.ndarray:
    """Positions of the rows with a non-empty (Multi)LineString geometry."""
    geoms = np.asarray(routes.geometry.to_numpy(), dtype=object)
    kind = shapely.get_type_id(geoms)  # 1 LineString, 5 MultiLineString
    return np.flatnonzero(((kind == 1) | (kind == 5)) & ~shapely.is_empty(geoms))


def _route_payload(routes: Any) -> dict[str, Any]:
    """Columnar routes: flat line coordinates per part and a style key.

    Arrow heads are drawn in the browser from each line's last segment (a constant size in
    pixels at every zoom), so nothing but the line travels.
    """
    geoms = np.asarray(routes.geometry.to_numpy(), dtype=object)
    rows = _line_rows(routes)
    parts, owner = shapely.get_parts(geoms[rows], return_index=True)
    coords, part_of = shapely.get_coordinates(parts, return_index=True)
    flat = [round(v, 5) for v in coords.ravel().tolist()]
    bounds = np.searchsorted(part_of, np.arange(len(parts) + 1)) * 2
    lines: list[list[list[float]]] = [[] for _ in rows]
    for k, route in enumerate(owner.tolist()):
        lines[route].append(flat[bounds[k] : bounds[k + 1]])
    status = [str(v or "completed") for v in _column(routes, "status", rows)]
    cross = [bool(v) for v in _column(routes, "crosses_border", rows)]
    s, style_table = _codes([f"{st}|{int(c)}" for st, c in zip(status, cross, strict=True)])
    starts, ends = _column(routes, "date_start", rows), _column(routes, "date_end", rows)
    d, date_table = _codes([_date_pair_text(a, b) for a, b in zip(starts, ends, strict=True)])
    labels = []
    for origin, destination, mode, st in zip(
        _column(routes, "origin", rows),
        _column(routes, "destination", rows),
        _column(routes, "mode", rows),
        status,
        strict=True,
    ):
        label = f"{origin or '?'} → {destination or '?'}"
        extra = ", ".join(str(v) for v in (mode, st) if v)
        labels.append(escape_html(f"{label} ({extra})" if extra else label))
    return {
        "id": [str(v or "") for v in _column(routes, "id", rows)],
        "l": labels,
        "s": s,
        "d": d,
        "c": lines,
        "S": style_table,
        "D": [escape_html(v) for v in date_table],
    }


def _place_payload(places: Any, *, unique: bool = True) -> dict[str, list[Any]]:
    """Columnar places (one per gazetteer id, else name): lon, lat, feature id, label.

    ``unique=False`` keeps every located row (the browser keeps the first visible one of
    each id); ``out["rows"]`` then lists their positions in ``places`` (not sent).
    """
    out: dict[str, list[Any]] = {"x": [], "y": [], "id": [], "l": []}
    rows: list[int] = []
    seen: set[str] = set()
    for i, (row, geom) in enumerate(_rows(places, ("name", "gazetteer_id", "geo_precision"))):
        xy = _point(geom)
        if xy is None:
            continue
        key = str(_col(row, "gazetteer_id") or _col(row, "name") or "")
        if not key or (unique and key in seen):
            continue
        seen.add(key)
        rows.append(i)
        out["x"].append(xy[0])
        out["y"].append(xy[1])
        out["id"].append(f"place:{key}")
        out["l"].append(escape_html(_col(row, "name") or key))
    if not unique:
        out["rows"] = rows
    return out


# Canvas data layers (window.BwPoints, BwHalos, BwRoutes, BwPlaces): each data set is ONE
# Leaflet layer with its own canvas, drawn in one pass per view (no Leaflet layer per
# feature: 100,000 incidents draw in tens of milliseconds). Clicks and hovers reach the
# layer through one dispatcher on the map; a click fires "click" with ``layer`` = a small
# proxy whose ``toGeoJSON()`` is the feature (id, type, label, date), so st_folium's
# ``last_active_drawing`` names what was clicked. ``getLayers()`` returns such proxies.
_CANVAS_JS = r"""(function () {
  if (window.BwPoints) { return; }
  // Canvas paths are filled in chunks: one path of 100,000 circles rasterises far slower.
  var TAU = 2 * Math.PI, CHUNK = 3 * 128, decoder = document.createElement("textarea");
  function plain(html) { decoder.innerHTML = html; return decoder.value; }  // entities -> text

  // The app's unfiltered data: fetched once per URL (content-hashed, so a URL never changes
  // meaning), parsed as JSON (never evaluated); every filter change reuses the promise.
  // The prefetch script of save_map_data (loaded with Leaflet) may have started the fetch.
  window.BwData = {
    cache: {},
    get: function (url) {
      var c = this.cache, key = new URL(url, document.baseURI).href;
      if (!c[key]) {
        this.cache = c = {};  // one data set per page: a new URL means new data
        var early = (window.BwPrefetch || {})[key];
        c[key] = early || fetch(key, {credentials: "same-origin"}).then(function (r) {
          if (!r.ok) { throw new Error(url + ": HTTP " + r.status); }
          return r.json();
        });
        c[key].catch(function () { delete c[key]; });
      }
      return c[key];
    }
  };

  // The app's data layers outlive the feature group streamlit-folium swaps on every rerun:
  // one layer per kind and map, redrawn only when what it shows changed (a filter that
  // keeps every route leaves the routes canvas as it is).
  window.BwKeep = function (map, kind, Cls, empty, options, url, mask, extra) {
    var kept = map._bwKept = map._bwKept || {}, layer = kept[kind];
    var same = JSON.stringify([url, options]), sig = JSON.stringify([mask, extra]);
    if (layer && layer._bwSame === same && layer instanceof Cls) {
      if (layer._bwSig !== sig) { layer.load(window.BwData.get(url), kind, mask, extra); }
    } else {
      if (layer) { map.removeLayer(layer); }
      layer = new Cls(empty, options).load(window.BwData.get(url), kind, mask, extra);
      map.addLayer(layer);
    }
    layer._bwSame = same; layer._bwSig = sig; kept[kind] = layer;
    return layer;
  };

  function bits(b64) {  // base64 of a little-endian bit mask -> bytes; null: every row
    if (b64 === null || b64 === undefined) { return null; }
    var s = atob(b64), out = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) { out[i] = s.charCodeAt(i); }
    return out;
  }

  // The rows of columnar `data` whose bit is set in `mask`: lower-case keys are per-row
  // columns, upper-case ones lookup tables. `unique`: keep the first row of each id only.
  function subset(data, mask, unique) {
    if (!mask && !unique) { return data; }
    var n = (data.id || data.x).length, keep = [], seen = {}, out = {}, i, j;
    for (i = 0; i < n; i++) {
      if (mask && !((mask[i >> 3] >> (i & 7)) & 1)) { continue; }
      if (unique) { if (seen[data.id[i]]) { continue; } seen[data.id[i]] = true; }
      keep.push(i);
    }
    for (var k in data) {
      var v = data[k];
      if (k.toLowerCase() === k && Array.isArray(v)) {
        var w = new Array(keep.length);
        for (j = 0; j < keep.length; j++) { w[j] = v[keep[j]]; }
        out[k] = w;
      } else {
        out[k] = v;
      }
    }
    return out;
  }

  function project(crs, lat, lng) {  // normalised map-plane coordinates (zoom 0 / scale 1)
    var n = lat.length, U = new Float64Array(n), V = new Float64Array(n), i;
    if (crs === L.CRS.EPSG3857) {
      var d = Math.PI / 180, max = 85.0511287798;
      for (i = 0; i < n; i++) {
        var s = Math.sin(Math.max(Math.min(max, lat[i]), -max) * d);
        U[i] = 0.5 + lng[i] / 360;
        V[i] = 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
      }
    } else {
      var s0 = crs.scale(0);
      for (i = 0; i < n; i++) {
        var p = crs.latLngToPoint(L.latLng(lat[i], lng[i]), 0);
        U[i] = p.x / s0; V[i] = p.y / s0;
      }
    }
    return [U, V];
  }

  // One click/hover dispatcher per map: the data layer with the highest `order` under the
  // pointer wins; it fires "click" with {layer: proxy, latlng} like a Leaflet vector layer.
  function dispatcher(map) {
    if (map._bwHit) { return map._bwHit; }
    var layers = map._bwHit = [], hovered = null, frame = null, last = null;
    var tip = map._bwTip = L.tooltip({direction: "top", offset: [0, -6], opacity: 0.95});
    function find(cp) {
      var best = null;
      for (var k = 0; k < layers.length; k++) {
        var l = layers[k];
        if (!l._map || !l.options.interactive) { continue; }
        if (best && best.layer.options.order >= l.options.order) { continue; }
        var i = l._hit(cp);
        if (i !== null) { best = {layer: l, index: i}; }
      }
      return best;
    }
    function hover() {
      frame = null;
      var h = last ? find(last.containerPoint) : null;
      var key = h ? L.stamp(h.layer) + ":" + h.index : null;
      if (key === hovered) { return; }
      hovered = key;
      map.getContainer().style.cursor = h ? "pointer" : "";
      if (h) {
        tip.setContent(h.layer._tip(h.index));
        map.openTooltip(tip, h.layer._latlng(h.index));
      } else {
        map.closeTooltip(tip);
      }
    }
    function later(e) { last = e; frame = frame || L.Util.requestAnimFrame(hover); }
    map.on("click", function (e) {
      var h = find(e.containerPoint);
      if (h) { map.closeTooltip(tip); h.layer._click(h.index, e); }
    });
    map.on("mousemove", later);
    map.on("mouseout zoomstart", function () { later(null); });
    map._bwForget = function () { hovered = null; map.closeTooltip(tip); };
    return layers;
  }

  // A canvas of its own that draws a whole data set in one pass (no Leaflet layer per
  // feature); pointer events go to the map and reach the layer through the dispatcher.
  var Base = L.Canvas.extend({
    options: {padding: 0.3, interactive: true, order: 0},
    initialize: function (data, options) {
      L.Canvas.prototype.initialize.call(this, options);
      this._data = subset(data, null, this.options.unique);
      this.ready = Promise.resolve(this);
    },
    // Draw `key` of the data set `source` (a promise) restricted to the rows of `mask`;
    // `extra` overrides lookup values (e.g. the marker radius for the visible count).
    load: function (source, key, mask, extra) {
      var self = this;
      this.ready = source.then(function (all) {
        var data = subset(all[key], bits(mask), self.options.unique);
        for (var k in extra || {}) { data[k] = extra[k]; }
        self._data = data;
        self._crs = null;
        if (self._map) {
          self._crs = self._map.options.crs;
          self._prepare();
          self._redraw();
        }
        (window.bwTimings = window.bwTimings || {})[key] = performance.now();  // for benchmarks
        return self;
      });
      return this;
    },
    _initContainer: function () {
      var c = this._container = document.createElement("canvas");
      c.style.pointerEvents = "none";
      this._ctx = c.getContext("2d");
    },
    _destroyContainer: function () {
      L.DomUtil.remove(this._container);
      delete this._ctx;
      delete this._container;
    },
    onAdd: function (map) {
      if (this._crs !== map.options.crs) { this._crs = map.options.crs; this._prepare(); }
      L.Renderer.prototype.onAdd.call(this);
      var hit = dispatcher(map);
      if (hit.indexOf(this) < 0) { hit.push(this); }
      this._redraw();
    },
    onRemove: function (map) {
      var hit = map._bwHit || [], k = hit.indexOf(this);
      if (k >= 0) { hit.splice(k, 1); }
      if (map._bwForget) { map._bwForget(); }
      L.Renderer.prototype.onRemove.call(this);
    },
    _updatePaths: function () {
      if (!this._postponeUpdatePaths) { this._redraw(); }
    },
    _draw: function () {},
    _onZoomEnd: function () {},
    _redraw: function () {
      if (!this._map || !this._ctx) { return; }
      var b = this._bounds, ctx = this._ctx;
      ctx.clearRect(b.min.x, b.min.y, b.max.x - b.min.x, b.max.y - b.min.y);
      ctx.save();
      this._paint(ctx, b, this._crs.scale(this._map.getZoom()), this._map.getPixelOrigin());
      ctx.restore();
    },
    redraw: function () { this._redraw(); return this; },
    _hit: function () { return null; },
    _layerPoint: function (cp) { return this._map.containerPointToLayerPoint(cp); },
    _latlng: function (i) { return L.latLng(this._data.y[i], this._data.x[i]); },
    _proxy: function (i) {
      var f = this.feature(i), ll = this._latlng(i), self = this;
      return {feature: f, index: i, options: this._style ? this._style(i) : {},
              getLatLng: function () { return ll; },
              toGeoJSON: function () { return f; },
              openPopup: function () { self._popup(i); return this; }};
    },
    getLayers: function () {
      var out = [];
      for (var i = 0; i < this.count(); i++) { out.push(this._proxy(i)); }
      return out;
    },
    count: function () { return this._data.x.length; },
    _tip: function (i) {
      var p = this.feature(i).properties;
      return p.date ? p.label + " · " + p.date : p.label;
    },
    _popup: function () {},
    _click: function (i, e) {
      var pr = this._proxy(i);
      this._popup(i);
      this.fire("click", {latlng: pr.getLatLng(), layer: pr, containerPoint: e.containerPoint,
                          originalEvent: e.originalEvent});
    }
  });

  // Source-over blend of sprite `sp` ({w, d: RGBA}) into the RGBA pixels `d` (W x H) at
  // (px, py), clipped to the canvas; straight (not premultiplied) alpha, as in ImageData.
  function stamp(d, W, H, px, py, sp) {
    var w = sp.w, q0 = sp.d;
    var ya = Math.max(0, -py), yb = Math.min(w, H - py), xa = Math.max(0, -px);
    var xb = Math.min(w, W - px);
    for (var yy = ya; yy < yb; yy++) {
      var p = ((py + yy) * W + px + xa) * 4, q = (yy * w + xa) * 4;
      for (var xx = xa; xx < xb; xx++, p += 4, q += 4) {
        var sa = q0[q + 3];
        if (sa === 0) { continue; }
        var da = d[p + 3];
        if (sa === 255 || da === 0) {
          d[p] = q0[q]; d[p + 1] = q0[q + 1]; d[p + 2] = q0[q + 2]; d[p + 3] = sa;
          continue;
        }
        var f = da * (255 - sa) / 255, oa = sa + f;
        d[p] = (q0[q] * sa + d[p] * f) / oa;
        d[p + 1] = (q0[q + 1] * sa + d[p + 1] * f) / oa;
        d[p + 2] = (q0[q + 2] * sa + d[p + 2] * f) / oa;
        d[p + 3] = oa;
      }
    }
  }

  function near(X, Y, n, p, r) {  // index of the point nearest to p within r pixels, or null
    var best = null, bd = r * r;
    for (var i = 0; i < n; i++) {
      var dx = X[i] - p.x;
      if (dx > r || dx < -r) { continue; }
      var dy = Y[i] - p.y, d = dx * dx + dy * dy;
      if (d <= bd) { bd = d; best = i; }
    }
    return best;
  }

  // Incidents: circle markers coloured by type; data {x, y, a, id, t, l, d, T, D, A, R[, p]}.
  window.BwPoints = Base.extend({
    options: {order: 3, colors: {}, full: false},
    _prepare: function () {
      var c = this._data, n = c.x.length, byType = [];
      var uv = project(this._crs, c.y, c.x);
      this._U = uv[0]; this._V = uv[1];
      this._X = new Float32Array(n); this._Y = new Float32Array(n);
      for (var k = 0; k < c.T.length; k++) { byType.push([]); }
      for (var i = 0; i < n; i++) { byType[c.t[i]].push(i); }
      this._byType = byType;
    },
    feature: function (i) {
      var c = this._data;
      var p = {id: c.A[c.a[i]] + c.id[i], type: c.T[c.t[i]], label: c.l[i], date: c.D[c.d[i]]};
      if (c.p) { p.popup = c.p[i]; }
      return {type: "Feature", properties: p,
              geometry: {type: "Point", coordinates: [c.x[i], c.y[i]]}};
    },
    // Markers are stamped into the canvas pixels (one RGBA sprite per type, blended here):
    // 100,000 markers take tens of milliseconds, where as many drawImage calls take 0.5 s.
    _paint: function (ctx, b, s, o) {
      var c = this._data, n = c.x.length, U = this._U, V = this._V, X = this._X, Y = this._Y;
      var r = c.R, x0 = b.min.x - r, x1 = b.max.x + r, y0 = b.min.y - r, y1 = b.max.y + r;
      for (var i = 0; i < n; i++) { X[i] = U[i] * s - o.x; Y[i] = V[i] * s - o.y; }
      var W = this._container.width, H = this._container.height;
      var m = W / (b.max.x - b.min.x), img = this._img;  // m: device pixels per CSS pixel
      if (!img || img.width !== W || img.height !== H) {
        img = this._img = ctx.createImageData(W, H);
      }
      var d = img.data;
      d.fill(0);
      for (var k = 0; k < this._byType.length; k++) {
        var idx = this._byType[k], sp = this._spriteData(c.T[k], r), h = sp.w / 2;
        for (var j = 0; j < idx.length; j++) {
          var x = X[idx[j]], y = Y[idx[j]];
          if (x < x0 || x > x1 || y < y0 || y > y1) { continue; }
          stamp(d, W, H, Math.round((x - b.min.x) * m - h), Math.round((y - b.min.y) * m - h), sp);
        }
      }
      ctx.putImageData(img, 0, 0);
    },
    _spriteData: function (type, r) {
      var img = this._sprite(type, r);
      if (!img.px) {
        var w = img.width;
        img.px = {w: w, d: img.getContext("2d").getImageData(0, 0, w, w).data};
      }
      return img.px;
    },
    _sprite: function (type, r) {  // one pre-drawn marker per type: drawImage is the fastest
      var key = type + "|" + r, sprites = this._sprites = this._sprites || {};
      if (sprites[key]) { return sprites[key]; }
      var m = L.Browser.retina ? 2 : 1, size = 2 * r + 3, img = document.createElement("canvas");
      img.width = img.height = size * m;
      img.bw = m;
      var g = img.getContext("2d");
      g.scale(m, m);
      g.beginPath();
      g.arc(size / 2, size / 2, r, 0, TAU);
      g.globalAlpha = 0.9;
      g.fillStyle = this.options.colors[type] || "#555";
      g.fill();
      g.lineWidth = 1;
      g.strokeStyle = "#222";
      g.stroke();
      return (sprites[key] = img);
    },
    _hit: function (cp) {
      return near(this._X, this._Y, this._data.x.length, this._layerPoint(cp), this._data.R + 2);
    },
    _popup: function (i) {
      var p = this.feature(i).properties;
      var html = this.options.full ? p.popup : this._tip(i);
      this._map.openPopup(html, this._latlng(i),
        {maxWidth: this.options.full ? 380 : 300, offset: [0, -this._data.R]});
    }
  });

  // Location uncertainty: translucent circles of r metres; data {x, y, r}.
  window.BwHalos = Base.extend({
    options: {interactive: false, order: 0, max: 2000},
    _prepare: function () {
      var c = this._data, n = c.x.length, uv = project(this._crs, c.y, c.x);
      this._U = uv[0]; this._V = uv[1]; this._M = new Float64Array(n);
      for (var i = 0; i < n; i++) {  // pixels per metre at zoom 0, at this latitude
        this._M[i] = 1 / (40075016.686 * Math.max(Math.cos(c.y[i] * Math.PI / 180), 1e-6));
      }
    },
    feature: function (i) {
      var c = this._data;
      return {type: "Feature", properties: {r: c.r[i]},
              geometry: {type: "Point", coordinates: [c.x[i], c.y[i]]}};
    },
    _paint: function (ctx, b, s, o) {
      var c = this._data, todo = [];
      for (var i = 0; i < c.x.length; i++) {
        var r = c.r[i] * this._M[i] * s;
        if (r < 2) { continue; }  // under 2 pixels: hidden by the marker anyway
        var x = this._U[i] * s - o.x, y = this._V[i] * s - o.y;
        if (x + r < b.min.x || x - r > b.max.x || y + r < b.min.y || y - r > b.max.y) { continue; }
        todo.push(x, y, r);
      }
      // Thousands of overlapping circles make one grey wash: zoom in to see them.
      this.hidden = todo.length / 3 > this.options.max;
      if (this.hidden) { return; }
      ctx.fillStyle = "rgba(85, 85, 85, 0.12)";
      ctx.lineWidth = 0.5;
      ctx.strokeStyle = "rgba(85, 85, 85, 0.35)";
      for (var j = 0; j < todo.length; j += 3) {
        if (j % CHUNK === 0) { ctx.beginPath(); }
        ctx.moveTo(todo[j] + todo[j + 2], todo[j + 1]);
        ctx.arc(todo[j], todo[j + 1], todo[j + 2], 0, TAU);
        if (j % CHUNK === CHUNK - 3 || j + 3 >= todo.length) { ctx.fill(); ctx.stroke(); }
      }
    }
  });

  // Routes: lines, dashed/red by style, arrow heads drawn at the destination from the last
  // segment; data {id, l, d, s, c (per route: parts of flat lon/lat), S, D}.
  window.BwRoutes = Base.extend({
    // Over `thin` routes in view: 1-pixel lines (a canvas strokes hairlines ten times faster
    // than wider lines, and thousands of wide lines merge into one blot anyway).
    options: {order: 1, styles: {}, thin: 2000},
    _prepare: function () {
      var c = this._data, lat = [], lng = [], parts = [0], first = [], box = [], byStyle = {};
      for (var i = 0; i < c.id.length; i++) {
        first.push(parts.length - 1);
        var p = c.c[i];
        for (var j = 0; j < p.length; j++) {
          for (var k = 0; k < p[j].length; k += 2) { lng.push(p[j][k]); lat.push(p[j][k + 1]); }
          parts.push(lng.length);
        }
        (byStyle[c.s[i]] = byStyle[c.s[i]] || []).push(i);
      }
      first.push(parts.length - 1);
      var uv = project(this._crs, lat, lng), U = uv[0], V = uv[1];
      for (i = 0; i < c.id.length; i++) {
        var a = parts[first[i]], z = parts[first[i + 1]], b = [1, 1, 0, 0];
        for (k = a; k < z; k++) {
          b[0] = Math.min(b[0], U[k]); b[1] = Math.min(b[1], V[k]);
          b[2] = Math.max(b[2], U[k]); b[3] = Math.max(b[3], V[k]);
        }
        box.push(b);
      }
      this._U = U; this._V = V; this._parts = parts; this._first = first; this._box = box;
      this._X = new Float32Array(U.length); this._Y = new Float32Array(U.length);
      this._byStyle = byStyle; this._lat = lat; this._lng = lng;
    },
    count: function () { return this._data.id.length; },
    _style: function (i) { return this.options.styles[this._data.S[this._data.s[i]]] || {}; },
    feature: function (i) {
      var c = this._data, coords = [];
      for (var j = this._first[i]; j < this._first[i + 1]; j++) {
        var part = [];
        for (var k = this._parts[j]; k < this._parts[j + 1]; k++) {
          part.push([this._lng[k], this._lat[k]]);
        }
        coords.push(part);
      }
      return {type: "Feature",
              properties: {id: c.id[i], label: c.l[i], date: c.D[c.d[i]], s: c.S[c.s[i]]},
              geometry: coords.length === 1 ? {type: "LineString", coordinates: coords[0]} :
                {type: "MultiLineString", coordinates: coords}};
    },
    _latlng: function (i) {  // the destination
      var k = this._parts[this._first[i + 1]] - 1;
      return L.latLng(this._lat[k], this._lng[k]);
    },
    _visible: function (i, b, s, o, pad) {
      var q = this._box[i];
      return !(q[2] * s - o.x < b.min.x - pad || q[0] * s - o.x > b.max.x + pad ||
               q[3] * s - o.y < b.min.y - pad || q[1] * s - o.y > b.max.y + pad);
    },
    arrowHead: function (i) {  // [tip, left, right] in layer pixels, or null
      var z = this._parts[this._first[i + 1]] - 1, a = this._parts[this._first[i + 1] - 1];
      var X = this._X, Y = this._Y, tx = X[z], ty = Y[z];
      for (var k = z - 1; k >= a; k--) {
        var dx = tx - X[k], dy = ty - Y[k], len = Math.sqrt(dx * dx + dy * dy);
        if (len < 0.5) { continue; }
        var size = 6 + 2 * (this._style(i).weight || 2), ux = dx / len, uy = dy / len;
        var bx = tx - ux * size, by = ty - uy * size, wx = -uy * size * 0.45, wy = ux * size * 0.45;
        return [[tx, ty], [bx + wx, by + wy], [bx - wx, by - wy]];
      }
      return null;
    },
    _paint: function (ctx, b, s, o) {
      var U = this._U, V = this._V, X = this._X, Y = this._Y, P = this._parts, F = this._first;
      for (var v = 0; v < U.length; v++) { X[v] = U[v] * s - o.x; Y[v] = V[v] * s - o.y; }
      ctx.lineCap = "round"; ctx.lineJoin = "round";
      var inView = {}, total = 0;
      for (var key in this._byStyle) {
        inView[key] = this._byStyle[key].filter(function (i) {
          return this._visible(i, b, s, o, 20);
        }, this);
        total += inView[key].length;
      }
      this.thin = total > this.options.thin;
      for (key in inView) {
        var visible = inView[key], st = this.options.styles[this._data.S[key]] || {};
        if (!visible.length) { continue; }
        ctx.strokeStyle = st.color || "#1f4e9c"; ctx.lineWidth = this.thin ? 1 : st.weight || 2;
        ctx.globalAlpha = st.opacity || 0.9;
        ctx.setLineDash(st.dashArray ? String(st.dashArray).split(/[ ,]+/).map(Number) : []);
        for (var n = 0; n < visible.length; n++) {
          if (n % 128 === 0) { ctx.beginPath(); }
          for (var j = F[visible[n]]; j < F[visible[n] + 1]; j++) {
            ctx.moveTo(X[P[j]], Y[P[j]]);
            for (var k = P[j] + 1; k < P[j + 1]; k++) { ctx.lineTo(X[k], Y[k]); }
          }
          if (n % 128 === 127 || n === visible.length - 1) { ctx.stroke(); }
        }
        ctx.setLineDash([]);
        ctx.fillStyle = st.fillColor || st.color || "#1f4e9c";
        ctx.globalAlpha = st.fillOpacity || 0.9;
        for (n = 0; n < visible.length; n++) {
          if (n % 128 === 0) { ctx.beginPath(); }
          var h = this.arrowHead(visible[n]);
          if (h) {
            ctx.moveTo(h[0][0], h[0][1]); ctx.lineTo(h[1][0], h[1][1]);
            ctx.lineTo(h[2][0], h[2][1]); ctx.closePath();
          }
          if (n % 128 === 127 || n === visible.length - 1) { ctx.fill(); }
        }
      }
    },
    _hit: function (cp) {
      var p = this._layerPoint(cp), X = this._X, Y = this._Y, P = this._parts, F = this._first;
      var best = null, bd = Infinity, s = this._crs.scale(this._map.getZoom());
      var o = this._map.getPixelOrigin(), b = {min: p, max: p};
      for (var i = 0; i < this._data.id.length; i++) {
        var tol = (this._style(i).weight || 2) / 2 + 4;
        if (!this._visible(i, b, s, o, tol)) { continue; }
        for (var j = F[i]; j < F[i + 1]; j++) {
          for (var k = P[j]; k < P[j + 1] - 1; k++) {
            var ax = X[k], ay = Y[k], dx = X[k + 1] - ax, dy = Y[k + 1] - ay;
            var t = dx || dy ? ((p.x - ax) * dx + (p.y - ay) * dy) / (dx * dx + dy * dy) : 0;
            t = Math.max(0, Math.min(1, t));
            var ex = ax + t * dx - p.x, ey = ay + t * dy - p.y, d = Math.sqrt(ex * ex + ey * ey);
            if (d <= tol && d < bd) { bd = d; best = i; }
          }
        }
      }
      return best;
    },
    _click: function (i, e) {
      var pr = this._proxy(i);
      this._map.openPopup(this._tip(i), e.latlng, {maxWidth: 300});
      this.fire("click", {latlng: e.latlng, layer: pr, containerPoint: e.containerPoint,
                          originalEvent: e.originalEvent});
    }
  });

  // Places: small dots with labels that never overlap (a label is left out rather than drawn
  // over another); data {x, y, id, l}.
  window.BwPlaces = Base.extend({
    options: {order: 2, unique: true},
    _prepare: function () {
      var c = this._data, uv = project(this._crs, c.y, c.x);
      this._U = uv[0]; this._V = uv[1];
      this._X = new Float32Array(c.x.length); this._Y = new Float32Array(c.x.length);
      this._text = c.l.map(plain);
      this._boxes = [];
    },
    feature: function (i) {
      var c = this._data;
      return {type: "Feature", properties: {id: c.id[i], label: c.l[i]},
              geometry: {type: "Point", coordinates: [c.x[i], c.y[i]]}};
    },
    _tip: function (i) { return this._data.l[i]; },
    _paint: function (ctx, b, s, o) {
      var n = this._data.x.length, X = this._X, Y = this._Y, cell = 64, grid = {}, boxes = [];
      ctx.lineWidth = 1.5; ctx.strokeStyle = "#333";  // rings: an incident under one shows
      ctx.beginPath();
      for (var i = 0; i < n; i++) {
        X[i] = this._U[i] * s - o.x; Y[i] = this._V[i] * s - o.y;
        ctx.moveTo(X[i] + 3, Y[i]);
        ctx.arc(X[i], Y[i], 3, 0, TAU);
      }
      ctx.stroke();
      ctx.font = "11px sans-serif"; ctx.textBaseline = "middle";
      for (i = 0; i < n; i++) {
        if (X[i] < b.min.x || X[i] > b.max.x || Y[i] < b.min.y || Y[i] > b.max.y) { continue; }
        var w = ctx.measureText(this._text[i]).width + 6;
        var box = [X[i] + 5, Y[i] - 8, X[i] + 5 + w, Y[i] + 8], free = true, keys = [];
        for (var gx = Math.floor(box[0] / cell); gx <= Math.floor(box[2] / cell); gx++) {
          for (var gy = Math.floor(box[1] / cell); gy <= Math.floor(box[3] / cell); gy++) {
            var key = gx + ":" + gy, list = grid[key] || [];
            keys.push(key);
            for (var q = 0; q < list.length && free; q++) {
              var o2 = list[q];
              free = box[2] < o2[0] || box[0] > o2[2] || box[3] < o2[1] || box[1] > o2[3];
            }
          }
        }
        if (!free) { continue; }
        keys.forEach(function (k) { (grid[k] = grid[k] || []).push(box); });
        boxes.push([box, i]);
        ctx.fillStyle = "rgba(255, 255, 255, 0.85)";
        ctx.fillRect(box[0], box[1], w, 16);
        ctx.fillStyle = "#222";
        ctx.fillText(this._text[i], box[0] + 3, Y[i]);
      }
      this._boxes = boxes;
    },
    _hit: function (cp) {
      var p = this._layerPoint(cp), i = near(this._X, this._Y, this._data.x.length, p, 5);
      if (i !== null) { return i; }
      for (var k = 0; k < this._boxes.length; k++) {
        var q = this._boxes[k][0];
        if (p.x >= q[0] && p.x <= q[2] && p.y >= q[1] && p.y <= q[3]) { return this._boxes[k][1]; }
      }
      return null;
    }
  });
})();
"""


class _CanvasLib(MacroElement):
    """Defines the canvas layer classes once per page (before the data layers)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.js }}
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "BwCanvasLib"
        self.js = _CANVAS_JS


class _CanvasLayer(Layer):
    """One data set drawn by one of the canvas layer classes of ``_CANVAS_JS``.

    The payload is serialised once, here, to compact columnar JSON (``payload_json``);
    copies of the layer (e.g. ``copy.deepcopy`` per Streamlit run) share that string.
    With ``source`` = (url, key, mask, extra) the layer starts from ``payload`` (empty) and
    then draws ``key`` of the JSON fetched from ``url`` (``window.BwData``), restricted to
    the rows of ``mask`` (base64 bit mask, None: all rows).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {%- if this.source %}
        {{ this.keep_js }}
        {%- else %}
        var {{ this.get_name() }} = (function (t0) {
            var layer = new {{ this.js_class }}({{ this.payload_json }}, {{ this.options_js }});
            (window.bwTimings = window.bwTimings || {})[{{ this.layer_name|tojson }}] =
                performance.now() - t0;
            return layer;
        })(performance.now());
        {%- endif %}
        {% endmacro %}
        """
    )

    def __init__(
        self,
        payload: Any,
        *,
        js_class: str,
        options: dict[str, Any],
        name: str,
        count: int,
        source: tuple[str, str, str | None, dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "BwCanvasLayer"
        self.payload_json = _json_for_script(payload)
        self.js_class = js_class
        self.options_js = _json_for_script(options)
        self.count = count
        self.source = source
        self.keep_js = ""  # set by render() once the map is known

    def render(self, **kwargs: Any) -> None:
        """Render without compiling the (large) payload as a template."""
        if self.source is None:
            _render_layer_raw(self, kwargs)
            return
        # Fetched data: the layer is kept on the map across feature groups (BwKeep), so
        # it is not added to its parent group.
        url, kind, mask, extra = (_json_for_script(v) for v in self.source)
        self.keep_js = (
            f"var {self.get_name()} = window.BwKeep({_map_name(self)}, {kind}, {self.js_class}, "
            f"{self.payload_json}, {self.options_js}, {url}, {mask}, {extra});"
        )
        self.get_root().script.add_child(_RawText(self.keep_js), name=self.get_name())


def _map_name(element: Any) -> str:
    """JS variable name of the map an element belongs to ("null" when it has none)."""
    parent = getattr(element, "_parent", None)
    while parent is not None and not isinstance(parent, folium.Map):
        parent = getattr(parent, "_parent", None)
    return parent.get_name() if parent is not None else "null"


# Group-level flags for benchmarks/tests once the incidents are on the map and drawn.
_BIND_JS = """
(function () {
  var inc = __INCIDENTS__, all = [__INCIDENTS__, __ROUTES__, __PLACES__, __HALOS__];
  var layers = window.bwLayers = {incidents: inc, routes: __ROUTES__, places: __PLACES__,
                                  halos: __HALOS__, map: {map}};
  var added = performance.now();
  Promise.all(all.map(function (l) { return l.ready; })).then(function () {
    if (window.bwLayers !== layers) { return; }  // a newer filter state took over
    var n = inc.count();
    requestAnimationFrame(function () { requestAnimationFrame(function () {
      window.bwDrawn = {incidents: n, t: performance.now(), added: added,
                        built: window.bwTimings || {}};
    }); });
  }, function (err) {
    console.error("Border Watch: the map data could not be loaded", err);
    window.bwDrawn = {incidents: 0, t: performance.now(), added: added, error: String(err)};
  });
})();
"""


class _Bindings(MacroElement):
    """Exposes the data layers of one feature group as ``window.bwLayers``."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.js }}
        {% endmacro %}
        """
    )

    def __init__(self, incidents: Layer, routes: Layer, places: Layer, halos: Layer) -> None:
        super().__init__()
        self._name = "BwBindings"
        self.incidents, self.routes, self.places, self.halos = incidents, routes, places, halos

    def render(self, **kwargs: Any) -> None:
        """Resolve layer variable names, then render."""
        map_name = _map_name(self)
        self.js = (
            _BIND_JS.replace("__INCIDENTS__", self.incidents.get_name())
            .replace("__ROUTES__", self.routes.get_name())
            .replace("__PLACES__", self.places.get_name())
            .replace("__HALOS__", self.halos.get_name())
            .replace("{map}", map_name)
        )
        super().render(**kwargs)


def feature_group_from_layers(layers: Any, *, popups: str = "short") -> folium.FeatureGroup:
    """Build one feature group with the places, routes and incidents of ``layers``.

    Parameters
    ----------
    layers
        any object with ``places``, ``incidents`` and ``routes`` GeoDataFrames
        (:class:`geo.pipeline.Layers`); a missing attribute counts as an empty layer.
    popups
        "short": tooltip/popup with the escaped short label only (the app shows details);
        "full": popup with type, date, place, actors, quantities and the excerpt with the
        place name highlighted (standalone map).

    Returns
    -------
    group
        A ``folium.FeatureGroup`` holding four canvas layers, each ONE Leaflet layer drawing
        its whole data set: "Location uncertainty" (circles of ``PRECISION_RADIUS_M``,
        geo_precision 2-3 only), "Routes" (lines with arrow heads), "Places" (dots with
        labels that never overlap) and "Incidents" (circle markers coloured by type). Every
        clickable feature has an ``id`` property (incident/route id,
        ``place:<gazetteer_id>``).
    """
    if popups not in ("short", "full"):
        msg = (
            f"feature_group_from_layers: popups {popups!r} is not supported. Use 'short' or 'full'."
        )
        raise ValueError(msg)
    places, incidents, routes = (_layer(layers, n) for n in ("places", "incidents", "routes"))
    names = _place_names(places) if popups == "full" else {}
    if incidents is not None:
        inc, halo = _incident_payloads(incidents, popups, names)
    else:
        inc, halo = _incident_payloads(_EMPTY_INCIDENTS, popups, names)
    route = _cached_route_payload(routes if routes is not None else _EMPTY_ROUTES)
    place = _place_payload(places) if places is not None else _place_payload(_EMPTY_ROUTES)
    colors = {t: color_for_type(t) for t in inc["T"]}
    return _group(
        {"halos": halo, "routes": route, "places": place, "incidents": inc},
        colors=colors,
        full=popups == "full",
    )


def _group(
    payloads: dict[str, dict[str, Any]],
    *,
    colors: dict[str, str],
    full: bool,
    sources: dict[str, tuple[str, str, str | None, dict[str, Any]]] | None = None,
    counts: dict[str, int] | None = None,
) -> folium.FeatureGroup:
    """The feature group of the four canvas layers (inline payloads, or fetched ``sources``)."""
    sources = sources or {}
    counts = counts or {}
    specs = {  # key -> (JS class, layer name, options, count column)
        "halos": ("BwHalos", "Location uncertainty", {}, "r"),
        "routes": ("BwRoutes", "Routes", {"styles": _route_style_table()}, "id"),
        # labels above the data, under popups
        "places": ("BwPlaces", "Places", {"pane": "shadowPane"}, "id"),
        "incidents": ("BwPoints", "Incidents", {"colors": colors, "full": full}, "id"),
    }
    group = folium.FeatureGroup(name="Border Watch: incidents, routes, places")
    group.add_child(_CanvasLib())
    made: dict[str, _CanvasLayer] = {}
    for key, (js_class, name, options, column) in specs.items():
        made[key] = _CanvasLayer(
            payloads[key],
            js_class=js_class,
            options=options,
            name=name,
            count=counts.get(key, len(payloads[key][column])),
            source=sources.get(key),
        )
        group.add_child(made[key])
    group.add_child(_Bindings(made["incidents"], made["routes"], made["places"], made["halos"]))
    logger.info(
        "Feature group: %d incidents drawn (%d with uncertainty circles), %d routes, %d places",
        made["incidents"].count,
        made["halos"].count,
        made["routes"].count,
        made["places"].count,
    )
    return group


@dataclass(frozen=True)
class MapData:
    """The unfiltered data layers of a map, serialised once for the browser to fetch.

    Attributes
    ----------
    payload
        UTF-8 JSON ``{"incidents", "halos", "routes", "places"}``, each a columnar payload
        as the canvas layers draw it (parsed with ``JSON.parse``, never evaluated).
    digest
        Content hash of ``payload`` (the file name of :func:`save_map_data`).
    incident_rows, route_rows, place_rows
        Index labels of the layer rows behind each payload row, in payload order.
    halo_rows
        Positions (in the incident rows) of the incidents drawn with an uncertainty circle.
    colors
        Marker colour of each incident type of the payload.
    popups
        "short" or "full" (see :func:`feature_group_from_layers`).
    """

    payload: bytes
    digest: str
    incident_rows: pd.Index
    route_rows: pd.Index
    place_rows: pd.Index
    halo_rows: np.ndarray
    colors: dict[str, str]
    popups: str


def map_data_from_layers(layers: Any, *, popups: str = "short") -> MapData:
    """Serialise every incident, route and place of ``layers`` once, for a filterable map.

    Parameters
    ----------
    layers
        :class:`geo.pipeline.Layers` (unfiltered), with uniquely indexed layers.
    popups
        "short" (default, the app) or "full"; see :func:`feature_group_from_layers`.

    Returns
    -------
    data
        The payload and the row labels that :func:`feature_group_from_map_data` needs to
        show any row subset of ``layers`` (e.g. ``filters.filter_layers(layers, state)``).
    """
    if popups not in ("short", "full"):
        msg = f"map_data_from_layers: popups {popups!r} is not supported. Use 'short' or 'full'."
        raise ValueError(msg)
    places, incidents, routes = (_layer(layers, n) for n in ("places", "incidents", "routes"))
    incidents = _EMPTY_INCIDENTS if incidents is None else incidents
    routes = _EMPTY_ROUTES if routes is None else routes
    places = _EMPTY_ROUTES if places is None else places
    names = _place_names(places) if popups == "full" else {}
    inc, halo = _incident_payloads(incidents, popups, names)
    point_rows = _point_rows(incidents)[0]
    precision = pd.to_numeric(
        pd.Series(_column(incidents, "geo_precision", point_rows), dtype=object), errors="coerce"
    )
    radius = precision.map(PRECISION_RADIUS_M).to_numpy().astype(float)
    halo_rows = np.flatnonzero(np.isfinite(radius))  # as in _incident_payloads
    route = _cached_route_payload(routes)
    place = _place_payload(places, unique=False)
    place_rows = place.pop("rows")
    payload = json.dumps(
        {"incidents": inc, "halos": halo, "routes": route, "places": place},
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    ).encode("utf-8")
    data = MapData(
        payload=payload,
        digest=hashlib.sha256(payload).hexdigest()[:20],
        incident_rows=incidents.index[point_rows],
        route_rows=routes.index[_line_rows(routes)],
        place_rows=places.index[place_rows],
        halo_rows=halo_rows,
        colors={t: color_for_type(t) for t in inc["T"]},
        popups=popups,
    )
    logger.info(
        "Map data: %d incidents, %d routes, %d places in %.1f MB",
        len(data.incident_rows),
        len(data.route_rows),
        len(data.place_rows),
        len(payload) / 1e6,
    )
    return data


def save_map_data(data: MapData, folder: str | Path, *, keep: int = 8) -> Path:
    """Write ``data.payload`` to ``folder/<digest>.json`` unless it is there already.

    Parameters
    ----------
    data
        From :func:`map_data_from_layers`.
    folder
        A folder served to the browser (e.g. the Streamlit app's ``static/mapdata``).
    keep
        After writing, only the ``keep`` newest ``*.json`` files of ``folder`` stay; older
        data sets (earlier builds, uploads, corrections) are deleted.

    Returns
    -------
    path
        The file holding the payload.
    """
    folder = Path(folder)
    path = folder / f"{data.digest}.json"
    if path.exists() and path.with_suffix(".js").exists():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    for target, content in ((path, data.payload), (path.with_suffix(".js"), _PREFETCH_JS)):
        tmp = folder / f".{target.name}.{os.getpid()}.tmp"
        tmp.write_bytes(content)
        os.replace(tmp, target)
    files = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for stale in files[max(keep, 1) :]:
        if stale != path:
            stale.unlink(missing_ok=True)
            stale.with_suffix(".js").unlink(missing_ok=True)
            logger.info("Removed stale map data %s", stale.name)
    return path


# Loaded as a script before Leaflet (``<digest>.js`` beside ``<digest>.json``): starts
# fetching the data while the map is set up, so the data layers draw as soon as they exist.
_PREFETCH_JS = b"""(function (src) {
  var url = src.replace(/\\.js$/, ".json");
  (window.BwPrefetch = window.BwPrefetch || {})[url] =
    fetch(url, {credentials: "same-origin"}).then(function (r) {
      if (!r.ok) { throw new Error(url + ": HTTP " + r.status); }
      return r.json();
    });
})(document.currentScript.src);
"""


def prefetch_map_data(m: folium.Map, url: str) -> folium.Map:
    """Make the map page start fetching the map data at ``url`` with its first script.

    Parameters
    ----------
    m
        The base map (after :func:`localize_assets`).
    url
        URL of the ``.json`` file written by :func:`save_map_data` (its ``.js`` prefetch
        script lies beside it).

    Returns
    -------
    m
        The same map.
    """
    if not url.endswith(".json"):
        msg = f"prefetch_map_data: url {url!r} should name the .json file of save_map_data"
        raise ValueError(msg)
    m.default_js = [("bw_map_data", url.removesuffix(".json") + ".js"), *m.default_js]
    return m


def _visible_frame(visible: Any, name: str) -> Any:
    """``visible.<name>``; None when everything is visible, empty when the layer is missing."""
    if visible is None:
        return None
    gdf = _layer(visible, name)
    return _EMPTY_ROUTES if gdf is None else gdf


def _mask(rows: pd.Index, visible: Any) -> np.ndarray:
    """True where a payload row's label is among the ``visible`` frame's index."""
    if visible is None:
        return np.ones(len(rows), dtype=bool)
    return np.asarray(rows.isin(visible.index), dtype=bool)


def _mask_b64(mask: np.ndarray) -> str | None:
    """Base64 of the little-endian bit mask; None when every row is kept.

    Examples
    --------
    >>> _mask_b64(np.array([True, False, True])), _mask_b64(np.array([True]))
    ('BQ==', None)
    """
    if mask.all():
        return None
    return base64.b64encode(np.packbits(mask, bitorder="little").tobytes()).decode("ascii")


def feature_group_from_map_data(
    data: MapData, url: str, *, visible: Any = None
) -> folium.FeatureGroup:
    """Build the feature group that shows the rows of ``visible`` from fetched map data.

    The browser fetches ``url`` (``data`` as written by :func:`save_map_data`) once per
    page; the group itself carries only a bit mask per layer (about 15 kB for 100,000
    incidents), so a filter change sends and evaluates almost nothing.

    Parameters
    ----------
    data
        From :func:`map_data_from_layers` on the unfiltered layers.
    url
        Where the browser fetches ``data.payload`` (same origin as the map).
    visible
        A row subset of those layers (e.g. :func:`geo.filters.filter_layers`); None
        shows every row. Rows are matched by index label.

    Returns
    -------
    group
        The same four canvas layers as :func:`feature_group_from_layers`, drawing the
        visible rows once the data has arrived (``window.bwDrawn`` is set then).
    """
    if not isinstance(data, MapData):
        msg = f"'data' should be MapData (from map_data_from_layers), got {type(data).__name__}"
        raise TypeError(msg)
    incidents = _mask(data.incident_rows, _visible_frame(visible, "incidents"))
    masks = {
        "incidents": incidents,
        "halos": incidents[data.halo_rows],
        "routes": _mask(data.route_rows, _visible_frame(visible, "routes")),
        "places": _mask(data.place_rows, _visible_frame(visible, "places")),
    }
    empty_inc, empty_halo = _incident_payloads(_EMPTY_INCIDENTS, data.popups, {})
    payloads = {
        "incidents": empty_inc,
        "halos": empty_halo,
        "routes": _route_payload(_EMPTY_ROUTES),
        "places": _place_payload(_EMPTY_ROUTES),
    }
    extra = {"incidents": {"R": _marker_radius(int(incidents.sum()))}}
    sources = {k: (url, k, _mask_b64(m), extra.get(k, {})) for k, m in masks.items()}
    return _group(
        payloads,
        colors=data.colors,
        full=data.popups == "full",
        sources=sources,
        counts={k: int(m.sum()) for k, m in masks.items()},
    )


def _bounds_of(layers: Any) -> tuple[float, float, float, float] | None:
    for name in ("incidents", "places", "routes"):
        gdf = _layer(layers, name)
        if gdf is None or len(gdf) == 0:
            continue
        geoms = gdf.geometry
        geoms = geoms[~(geoms.isna() | geoms.is_empty)]
        if len(geoms) == 0:
            continue
        min_lon, min_lat, max_lon, max_lat = (float(v) for v in geoms.total_bounds)
        if all(math.isfinite(v) for v in (min_lon, min_lat, max_lon, max_lat)):
            return min_lon, min_lat, max_lon, max_lat
    return None


def _layer_control_last(m: folium.Map) -> None:
    """Move layer controls after every layer (folium emits the control where it sits)."""
    for key, child in list(m._children.items()):
        if isinstance(child, LayerControl):
            m._children.move_to_end(key)


def map_from_layers(layers: Any, *, popups: str = "full", tiles: bool = True) -> folium.Map:
    """Build the standalone map of all layers, fitted to the incidents.

    Parameters
    ----------
    layers
        :class:`geo.pipeline.Layers` (or any object with places/incidents/routes).
    popups
        "full" (default, standalone) or "short"; see :func:`feature_group_from_layers`.
    tiles
        add the optional online tile layers.

    Returns
    -------
    m
        The map; write it with :func:`save_map`.
    """
    incidents = _layer(layers, "incidents")
    types: list[str] = []
    if incidents is not None and "type" in incidents.columns:
        types = sorted({str(t) for t in incidents["type"].dropna()})
    places = _layer(layers, "places")
    hide = [] if places is None or "name" not in places.columns else places["name"].dropna()
    m = base_map(bounds=_bounds_of(layers), tiles=tiles, incident_types=types, hide_labels=hide)
    m.add_child(feature_group_from_layers(layers, popups=popups))
    _layer_control_last(m)
    return m
