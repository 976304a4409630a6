"""One exception family for Border Watch; every message names the input and the problem."""

from __future__ import annotations

__all__ = ["ArticleError", "ExportError", "GazetteerError", "GeoError", "StoreError"]


class GeoError(ValueError):
    """Base class of every error Border Watch raises on purpose."""


class ArticleError(GeoError):
    """An article file cannot be read or holds no usable text."""


class GazetteerError(GeoError):
    """The gazetteer data is missing or malformed."""


class StoreError(GeoError):
    """A build folder or GeoPackage is missing or malformed."""


class ExportError(GeoError):
    """An export format or destination is not usable."""
