"""Locate and inline the browser assets (Leaflet, plugins) shipped in installed PyPI packages.

Folium pages load Leaflet, jQuery, Bootstrap, Font Awesome and plugin files from CDNs.
Border Watch is offline-first, so :mod:`geo.maps` swaps every such link for a file found
here. Files come from the ``xstatic-*`` packages (``xstatic.pkg.<name>.BASE_DIR``).

Logical asset names are relative paths (``"leaflet/leaflet.js"``,
``"leaflet/images/layers.png"``, ``"font-awesome/css/all.min.css"``...). Serving every file of
:func:`vendor_files` under ``<base_url>/<logical name>`` keeps the relative ``url(...)``
references inside the CSS files working (the app copies them to Streamlit's ``static/``).

No CDN equivalent exists locally for Bootstrap, its glyphicons and Leaflet.awesome-markers:
those links resolve to ``None`` and are dropped by the caller.
"""

from __future__ import annotations

import base64
import importlib
import logging
import mimetypes
import posixpath
import re
from functools import lru_cache
from pathlib import Path

__all__ = ["asset_for_link", "inline_css", "inline_js", "vendor_files"]

logger = logging.getLogger(__name__)

#: xstatic package module -> (logical prefix, file patterns relative to its BASE_DIR)
_PACKAGES: dict[str, tuple[str, tuple[str, ...]]] = {
    "xstatic.pkg.leaflet": ("leaflet", ("leaflet.js", "leaflet.css", "images/*.png")),
    "xstatic.pkg.leaflet_markercluster": (
        "leaflet.markercluster",
        ("leaflet.markercluster.js", "MarkerCluster.css", "MarkerCluster.Default.css"),
    ),
    "xstatic.pkg.jquery": ("jquery", ("jquery.min.js",)),
    "xstatic.pkg.font_awesome": (
        "font-awesome",
        ("css/all.min.css", "webfonts/*.woff2", "webfonts/*.ttf"),
    ),
}

#: folium's resource names (Map.default_js/css and plugins) -> logical asset name
_BY_NAME: dict[str, str] = {
    "leaflet": "leaflet/leaflet.js",
    "leaflet_css": "leaflet/leaflet.css",
    "jquery": "jquery/jquery.min.js",
    "awesome_markers_font_css": "font-awesome/css/all.min.css",
    "markerclusterjs": "leaflet.markercluster/leaflet.markercluster.js",
    "markerclustercss": "leaflet.markercluster/MarkerCluster.css",
    "markerclusterdefaultcss": "leaflet.markercluster/MarkerCluster.Default.css",
}

_URL_RE = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")


@lru_cache(maxsize=1)
def _vendor_files() -> tuple[tuple[str, Path], ...]:
    found: list[tuple[str, Path]] = []
    for module_name, (prefix, patterns) in _PACKAGES.items():
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            logger.warning("Package %r is not installed; its assets are unavailable", module_name)
            continue
        base = Path(module.BASE_DIR)
        for pattern in patterns:
            for path in sorted(base.glob(pattern)):
                found.append((f"{prefix}/{path.relative_to(base).as_posix()}", path))
    return tuple(found)


def vendor_files() -> dict[str, Path]:
    """Map each logical asset name to its local file from the installed packages.

    Returns
    -------
    files
        ``{"leaflet/leaflet.js": Path(...), "leaflet/images/layers.png": Path(...), ...}``;
        packages that are not installed contribute nothing (logged at WARNING).
    """
    return dict(_vendor_files())


def _basename_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for logical in vendor_files():
        index.setdefault(posixpath.basename(logical).lower(), logical)
    return index


def asset_for_link(name: str, url: str) -> str | None:
    """Find the local asset replacing one CDN ``(name, url)`` resource of a folium element.

    Parameters
    ----------
    name
        folium's resource name (``"leaflet"``, ``"markerclusterjs"``...).
    url
        the CDN URL.

    Returns
    -------
    logical
        The logical asset name, or None when no local copy exists.

    Examples
    --------
    >>> asset_for_link("leaflet", "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js")
    'leaflet/leaflet.js'
    >>> asset_for_link("bootstrap", "https://cdn.example/bootstrap.bundle.min.js") is None
    True
    """
    files = vendor_files()
    logical = _BY_NAME.get(name)
    if logical in files:
        return logical
    basename = posixpath.basename(url.split("?", 1)[0].split("#", 1)[0]).lower()
    logical = _basename_index().get(basename)
    if logical is None and basename.startswith("jquery") and basename.endswith(".js"):
        logical = "jquery/jquery.min.js"
    return logical if logical in files else None


def _data_uri(path: Path) -> str:
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if path.suffix == ".woff2":
        mime = "font/woff2"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def inline_css(logical: str) -> str:
    """Return the text of a CSS asset with its relative ``url(...)`` files as data URIs.

    Images and ``.woff2`` fonts are embedded; other fonts (``.ttf``, only a fallback for
    browsers without WOFF2) become ``data:,`` so the page never requests a file.

    Parameters
    ----------
    logical
        a logical asset name from :func:`vendor_files` ending in ``.css``.

    Returns
    -------
    css
        Self-contained CSS text.
    """
    files = vendor_files()
    path = files[logical]
    folder = posixpath.dirname(logical)

    def replace(match: re.Match[str]) -> str:
        ref = match.group(2).strip()
        if ref.startswith(("data:", "#")):
            return match.group(0)
        target = posixpath.normpath(posixpath.join(folder, ref.split("?", 1)[0].split("#")[0]))
        local = files.get(target)
        if local is None or local.suffix == ".ttf":
            return "url(data:,)"
        return f'url("{_data_uri(local)}")'

    return _URL_RE.sub(replace, path.read_text(encoding="utf-8"))


def inline_js(logical: str) -> str:
    """Return the text of a JS asset, safe to place inside ``<script>...</script>``.

    Source-map comments are removed and any ``</script`` is broken up.

    Parameters
    ----------
    logical
        a logical asset name from :func:`vendor_files` ending in ``.js``.

    Returns
    -------
    js
        JavaScript text.
    """
    text = vendor_files()[logical].read_text(encoding="utf-8")
    text = re.sub(r"^//# sourceMappingURL=.*$", "", text, flags=re.MULTILINE)
    return re.sub(r"</(script)", r"<\\/\1", text, flags=re.IGNORECASE)
