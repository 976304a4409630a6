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
Incidents are ONE ``folium.GeoJson`` layer drawn on a canvas (``prefer_canvas=True``); each
feature carries only ``id``, ``type``, ``label`` and ``date`` (plus ``popup`` when
``popups="full"``), so 10,000 incidents stay under 2 MB of HTML.

Location uncertainty (``geo_precision``) is drawn as a translucent circle under the marker:
2 ("near a named place") -> radius ``PRECISION_RADIUS_M[2]`` = 5 km;
3 ("only the province or region is known") -> ``PRECISION_RADIUS_M[3]`` = 50 km.

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

import csv
import html
import json
import logging
import math
import re
import shutil
import zlib
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import pandas as pd
from branca.element import Element, Figure, MacroElement
from folium.elements import JSCSSMixin
from folium.map import CustomPane, Layer, LayerControl
from folium.template import Template
from folium.utilities import validate_location
from shapely.geometry import Polygon, mapping, shape

from geo import settings
from geo._vendor import asset_for_link, inline_css, inline_js
from geo._vendor import vendor_files as _vendor_files

__all__ = [
    "DEFAULT_BOUNDS",
    "INCIDENT_COLORS",
    "PRECISION_RADIUS_M",
    "base_map",
    "color_for_type",
    "copy_vendor_files",
    "escape_html",
    "feature_group_from_layers",
    "localize_assets",
    "map_from_layers",
    "route_style",
    "save_map",
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
    ord("$"): "&#36;",
    ord("`"): "&#96;",
    ord("{"): "&#123;",
    ord("}"): "&#125;",
    ord("\\"): "&#92;",
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
    return html.escape(str(text), quote=True).translate(_ESCAPES)


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
    rows.append('<div><span class="halo"></span>shaded circle: uncertain location</div>')
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


def _short_label(row: dict[str, Any], limit: int = 80) -> str:
    text = _col(row, "summary") or ""
    if not text:
        parts = [_col(row, "type") or "incident", _col(row, "place") or ""]
        text = " at ".join(p for p in parts if p)
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


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


def _split_id(value: str) -> tuple[str, str]:
    """Split an id after its last "-" (the article id part repeats across incidents).

    Examples
    --------
    >>> _split_id("000_ffd5-i001"), _split_id("plain")
    (('000_ffd5-', 'i001'), ('', 'plain'))
    """
    cut = value.rfind("-") + 1
    return value[:cut], value[cut:]


class _Interned:
    """Index values in a lookup table (types, dates and style keys repeat a lot)."""

    def __init__(self) -> None:
        self.values: list[str] = []
        self._index: dict[str, int] = {}

    def __call__(self, value: str) -> int:
        if value not in self._index:
            self._index[value] = len(self.values)
            self.values.append(value)
        return self._index[value]


def _incident_payloads(
    incidents: Any, popups: str, place_names: dict[str, set[str]]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Columnar incidents and uncertainty circles (decoded to GeoJSON features in the browser)."""
    types, dates, prefixes = _Interned(), _Interned(), _Interned()
    inc: dict[str, list[Any]] = {"x": [], "y": [], "a": [], "id": [], "t": [], "l": [], "d": []}
    if popups == "full":
        inc["p"] = []
    halo: dict[str, list[Any]] = {"x": [], "y": [], "r": []}
    columns = (
        list(incidents.columns)
        if popups == "full"
        else ["id", "type", "summary", "place", "date_start", "date_end", "geo_precision"]
    )
    for row, geom in _rows(incidents, columns):
        xy = _point(geom)
        if xy is None:
            continue
        inc["x"].append(xy[0])
        inc["y"].append(xy[1])
        prefix, suffix = _split_id(str(_col(row, "id") or ""))
        inc["a"].append(prefixes(prefix))
        inc["id"].append(suffix)
        inc["t"].append(types(str(_col(row, "type") or "other")))
        inc["l"].append(escape_html(_short_label(row)))
        inc["d"].append(dates(escape_html(_date_text(row))))
        if popups == "full":
            inc["p"].append(_full_popup(row, place_names))
        precision = _col(row, "geo_precision")
        radius = PRECISION_RADIUS_M.get(int(precision)) if precision is not None else None
        if radius:
            halo["x"].append(xy[0])
            halo["y"].append(xy[1])
            halo["r"].append(radius)
    inc["T"], inc["D"], inc["A"] = types.values, dates.values, prefixes.values
    inc["R"] = _marker_radius(len(inc["id"]))
    return inc, halo


def _marker_radius(count: int) -> int:
    """Return the incident marker radius in pixels: smaller when there are many.

    Examples
    --------
    >>> _marker_radius(10), _marker_radius(20_000), _marker_radius(100_000)
    (6, 4, 3)
    """
    return 6 if count <= 5_000 else 4 if count <= 50_000 else 3


def _arrow_head(coords: Sequence[Sequence[float]]) -> Polygon | None:
    """Return a triangle (lon/lat) at a line's last vertex, pointing along its last segment.

    Its size is 6 % of the line's length, between about 0.8 and 6 km.

    Examples
    --------
    >>> tri = _arrow_head([(124.0, 40.0), (125.0, 40.0)])
    >>> round(tri.bounds[2], 5), tri.bounds[0] < 125.0
    (125.0, True)
    >>> _arrow_head([(124.0, 40.0), (124.0, 40.0)]) is None
    True
    """
    pts = [(float(c[0]), float(c[1])) for c in coords]
    tip = pts[-1]
    start = next((p for p in reversed(pts[:-1]) if p != tip), None)
    if start is None:
        return None
    kx = math.cos(math.radians(tip[1])) or 1e-6  # planar approximation around the tip
    dx, dy = (tip[0] - start[0]) * kx, tip[1] - start[1]
    seg = math.hypot(dx, dy)
    total = sum(
        math.hypot((b[0] - a[0]) * kx, b[1] - a[1]) for a, b in zip(pts, pts[1:], strict=False)
    )
    size = min(max(total * 0.06, 0.008), 0.06)
    ux, uy = dx / seg, dy / seg
    bx, by = -ux * size, -uy * size
    wx, wy = -uy * size * 0.45, ux * size * 0.45
    return Polygon(
        [
            tip,
            (tip[0] + (bx + wx) / kx, tip[1] + by + wy),
            (tip[0] + (bx - wx) / kx, tip[1] + by - wy),
        ]
    )


def _flat(coords: Iterable[Sequence[float]], ndigits: int = 5) -> list[float]:
    return [round(float(v), ndigits) for c in coords for v in (c[0], c[1])]


def _route_payload(routes: Any) -> dict[str, Any]:
    """Columnar routes: flat line coordinates per part, arrow-head triangle, style key."""
    keys, dates = _Interned(), _Interned()
    out: dict[str, list[Any]] = {"id": [], "l": [], "s": [], "d": [], "c": [], "a": []}
    columns = (
        "id",
        "origin",
        "destination",
        "mode",
        "status",
        "crosses_border",
        "date_start",
        "date_end",
    )
    for row, geom in _rows(routes, columns):
        if geom is None or geom.is_empty or geom.geom_type not in ("LineString", "MultiLineString"):
            continue
        parts = list(geom.geoms) if geom.geom_type == "MultiLineString" else [geom]
        status = str(_col(row, "status") or "completed")
        cross = bool(_col(row, "crosses_border"))
        label = f"{_col(row, 'origin') or '?'} → {_col(row, 'destination') or '?'}"
        extra = ", ".join(str(v) for v in (_col(row, "mode"), status) if v)
        head = _arrow_head(list(parts[-1].coords))
        out["id"].append(str(_col(row, "id") or ""))
        out["l"].append(escape_html(f"{label} ({extra})" if extra else label))
        out["s"].append(keys(f"{status}|{int(cross)}"))
        out["d"].append(dates(escape_html(_date_text(row))))
        out["c"].append([_flat(p.coords) for p in parts])
        out["a"].append(None if head is None else _flat(head.exterior.coords[:3], 4))
    out["S"], out["D"] = keys.values, dates.values
    return out


def _place_features(places: Any) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for row, geom in _rows(places, ("name", "gazetteer_id", "geo_precision")):
        xy = _point(geom)
        if xy is None:
            continue
        key = str(_col(row, "gazetteer_id") or _col(row, "name") or "")
        if not key or key in seen:
            continue
        seen[key] = {
            "type": "Feature",
            "properties": {"id": f"place:{key}", "label": escape_html(_col(row, "name") or key)},
            "geometry": {"type": "Point", "coordinates": list(xy)},
        }
    return list(seen.values())


# Decoders: columnar payload -> GeoJSON FeatureCollection (one object per feature, built once).
# Builders: columnar payload -> layers added straight to the L.geoJson layer ``g`` (each with
# its GeoJSON ``feature``, so toGeoJSON(), popups and st_folium clicks work as for addData,
# at about half the cost of GeoJSON parsing for 100,000 points).
_BUILD_INCIDENTS = """function (g, c) {
  var colors = __COLORS__, n = c.id.length, styles = {};
  for (var k = 0; k < c.T.length; k++) {
    styles[k] = {radius: c.R, color: "#222", weight: 1, opacity: 0.9,
                 fillColor: colors[c.T[k]] || "#555", fillOpacity: 0.9};
  }
  for (var i = 0; i < n; i++) {
    var p = {id: c.A[c.a[i]] + c.id[i], type: c.T[c.t[i]], label: c.l[i], date: c.D[c.d[i]]};
    if (c.p) { p.popup = c.p[i]; }
    var l = L.circleMarker([c.y[i], c.x[i]], styles[c.t[i]]);
    l.feature = {type: "Feature", properties: p,
                 geometry: {type: "Point", coordinates: [c.x[i], c.y[i]]}};
    g.addLayer(l);
  }
}"""

_BUILD_HALOS = """function (g, c) {
  for (var i = 0; i < c.r.length; i++) {
    var l = L.circle([c.y[i], c.x[i]], {radius: c.r[i], interactive: false, stroke: false,
      color: "#555", weight: 0.5, opacity: 0.5, fillColor: "#555", fillOpacity: 0.12});
    l.feature = {type: "Feature", properties: {r: c.r[i]},
                 geometry: {type: "Point", coordinates: [c.x[i], c.y[i]]}};
    g.addLayer(l);
  }
}"""

_BUILD_ROUTES = """function (g, c) { g.addData((function (c) {
  function pairs(a) {
    var o = [];
    for (var j = 0; j < a.length; j += 2) { o.push([a[j], a[j + 1]]); }
    return o;
  }
  var f = [];
  for (var i = 0; i < c.id.length; i++) {
    var p = {id: c.id[i], label: c.l[i], date: c.D[c.d[i]], s: c.S[c.s[i]]};
    var parts = c.c[i].map(pairs);
    f.push({type: "Feature", properties: p, geometry: parts.length === 1 ?
      {type: "LineString", coordinates: parts[0]} : {type: "MultiLineString", coordinates: parts}});
    if (c.a[i]) {
      var ring = pairs(c.a[i]); ring.push(ring[0]);
      f.push({type: "Feature", properties: Object.assign({arrow: 1}, p),
              geometry: {type: "Polygon", coordinates: [ring]}});
    }
  }
  return {type: "FeatureCollection", features: f};
})(c)); }"""

_BUILD_PLAIN = "function (g, c) { g.addData(c); }"

_INCIDENT_OPTIONS = "{}"

_HALO_OPTIONS = "{interactive: false}"

_ROUTE_OPTIONS = """{
  style: function (f) {
    var s = Object.assign({}, (__STYLES__)[f.properties.s] || {});
    if (f.properties.arrow) { s.dashArray = null; s.fill = true; s.weight = 1; }
    else { s.fill = false; }
    return s;
  }
}"""

_PLACE_OPTIONS = """{
  pointToLayer: function (f, ll) {
    return L.circleMarker(ll, {radius: 3, color: "#333", weight: 1, fillColor: "#fff",
      fillOpacity: 1}).bindTooltip(f.properties.label, {permanent: true, direction: "right",
      offset: [4, 0], className: "bw-place-label"});
  }
}"""


class _CompactGeoJson(folium.GeoJson):
    """A ``folium.GeoJson`` layer whose data travels as compact columnar JSON.

    ``builder(layer, payload)`` (a JS function) adds one Leaflet layer per feature, each with
    its GeoJSON ``feature``; ``options_js`` are the ``L.geoJson`` options.
    This keeps 10,000 incidents near 100 bytes each instead of ~300 for folium's GeoJSON.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJson(null, {{ this.options_js }});
        (function (t0) {
            ({{ this.builder }})({{ this.get_name() }}, {{ this.payload_json }});
            (window.bwTimings = window.bwTimings || {})[{{ this.layer_name|tojson }}] =
                performance.now() - t0;
        })(performance.now());
        {% endmacro %}
        """
    )

    def __init__(
        self, payload: Any, *, builder: str, options_js: str, name: str, count: int
    ) -> None:
        Layer.__init__(self, name=name, overlay=True, control=True, show=True)
        self._name = "GeoJson"
        self.embed, self.style, self.highlight = True, False, False
        self.data = {"type": "FeatureCollection", "features": []}  # placeholder, see payload
        self.payload = payload
        self.payload_json = _json_for_script(payload)
        self.builder = builder
        self.options_js = options_js
        self.count = count

    def render(self, **kwargs: Any) -> None:
        """Render as a plain layer (no folium style mapping)."""
        Layer.render(self, **kwargs)


# Group-level bindings: one tooltip/popup definition for all features (fast for 100,000),
# and a flag for benchmarks/tests once the incidents are on the map and drawn.
_BIND_JS = """
(function () {
  function tip(l) {
    var p = l.feature.properties;
    return p.date ? p.label + " · " + p.date : p.label;
  }
  var inc = __INCIDENTS__, routes = __ROUTES__;
  inc.bindTooltip(tip, {sticky: true});
  routes.bindTooltip(tip, {sticky: true});
  if (__FULL__) {
    inc.bindPopup(function (l) { return l.feature.properties.popup; }, {maxWidth: 380});
  } else {
    inc.bindPopup(function (l) { return tip(l); }, {maxWidth: 300});
  }
  window.bwLayers = {incidents: inc, routes: routes, places: __PLACES__, map: {map}};
  var n = inc.getLayers().length, added = performance.now();
  requestAnimationFrame(function () { requestAnimationFrame(function () {
    window.bwDrawn = {incidents: n, t: performance.now(), added: added,
                      built: window.bwTimings || {}};
  }); });
})();
"""


class _Bindings(MacroElement):
    """Tooltip/popup bindings for the data layers of one feature group."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.js }}
        {% endmacro %}
        """
    )

    def __init__(self, incidents: Layer, routes: Layer, places: Layer, *, full: bool) -> None:
        super().__init__()
        self._name = "BwBindings"
        self.incidents, self.routes, self.places, self.full = incidents, routes, places, full

    def render(self, **kwargs: Any) -> None:
        """Resolve layer variable names, then render."""
        parent = self._parent
        while parent is not None and not isinstance(parent, folium.Map):
            parent = getattr(parent, "_parent", None)
        map_name = parent.get_name() if parent is not None else "null"
        self.js = (
            _BIND_JS.replace("__INCIDENTS__", self.incidents.get_name())
            .replace("__ROUTES__", self.routes.get_name())
            .replace("__PLACES__", self.places.get_name())
            .replace("__FULL__", "true" if self.full else "false")
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
        A ``folium.FeatureGroup`` holding four GeoJSON layers (``folium.GeoJson`` subclasses):
        "Places" (labelled dots), "Location uncertainty" (circles of
        ``PRECISION_RADIUS_M``), "Routes" (lines with arrow heads) and "Incidents" (ONE layer
        of canvas circle markers coloured by type). Every clickable feature has an ``id``
        property (incident/route id, ``place:<gazetteer_id>``).
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
    route = _route_payload(routes) if routes is not None else _route_payload(_EMPTY_ROUTES)
    place_features = _place_features(places) if places is not None else []
    colors = json.dumps({t: color_for_type(t) for t in inc["T"]})

    group = folium.FeatureGroup(name="Border Watch: incidents, routes, places")
    place_layer = _CompactGeoJson(
        {"type": "FeatureCollection", "features": place_features},
        builder=_BUILD_PLAIN,
        options_js=_PLACE_OPTIONS,
        name="Places",
        count=len(place_features),
    )
    halo_layer = _CompactGeoJson(
        halo,
        builder=_BUILD_HALOS,
        options_js=_HALO_OPTIONS,
        name="Location uncertainty",
        count=len(halo["r"]),
    )
    route_layer = _CompactGeoJson(
        route,
        builder=_BUILD_ROUTES,
        name="Routes",
        count=len(route["id"]),
        options_js=_ROUTE_OPTIONS.replace("__STYLES__", json.dumps(_route_style_table())),
    )
    incident_layer = _CompactGeoJson(
        inc,
        builder=_BUILD_INCIDENTS.replace("__COLORS__", colors),
        name="Incidents",
        count=len(inc["id"]),
        options_js=_INCIDENT_OPTIONS,
    )
    for layer in (place_layer, halo_layer, route_layer, incident_layer):
        group.add_child(layer)
    group.add_child(_Bindings(incident_layer, route_layer, place_layer, full=popups == "full"))
    logger.info(
        "Feature group: %d incidents drawn (%d with uncertainty circles), %d routes, %d places",
        incident_layer.count,
        halo_layer.count,
        route_layer.count,
        place_layer.count,
    )
    return group


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
