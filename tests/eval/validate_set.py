"""Validate a held-out gold set: ``python tests/eval/validate_set.py tests/holdout3``.

Exits 1 when there is any problem.

Checks: front matter (an INVENTED-events source line) and disclaimer; body length 120-350
words; gold keys; every mention and
not_places string is a verbatim substring of its article; no surface form belongs to two places;
coordinates/country/feature class equal the reference data for the id (places.csv, cities500,
country polygons, via fill_gold.py); incident types and date precisions from the vocabulary;
ISO dates consistent with precision; incident places and route ends are gold place names;
precision-2 places share the id of another gold place (their anchor).
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
import fill_gold  # noqa: E402

from geo.incidents import load_incident_types  # noqa: E402

TYPES = {t.type for t in load_incident_types()}  # the vocabulary in data/incident_types.csv
PRECISIONS = {"day", "range", "month", "year", "unknown"}
MODES = {"truck", "rail", "boat", "ship", "on_foot", "unknown"}
STATUSES = {"completed", "attempted", "blocked"}
SOURCE = "(INVENTED events, not real reporting)"
DISCLAIMER = "[Invented article for evaluation; events are fictional.]"


def problems(folder: Path) -> list[str]:
    """Return one line per problem found in a gold set folder (articles/ and gold/)."""
    errs: list[str] = []
    curated, geonames, countries = (
        fill_gold.curated_rows(),
        fill_gold.cities500(),
        fill_gold.country_points(),
    )
    arts = {p.stem: p for p in (folder / "articles").glob("*.txt")}
    golds = {p.stem: p for p in (folder / "gold").glob("*.json")}
    if set(arts) != set(golds):
        errs.append(f"article/gold mismatch: {set(arts) ^ set(golds)}")
    for stem in sorted(set(arts) & set(golds)):
        text = arts[stem].read_text(encoding="utf-8")
        e = lambda m, stem=stem: errs.append(f"{stem}: {m}")  # noqa: E731
        m = re.match(r"---\n(.*?)\n---\n", text, re.S)
        if not m:
            e("no front matter")
            continue
        fm, body = m.group(1), text[m.end() :]
        if not fm.startswith("title: ") or SOURCE not in fm:
            e("front matter title/source")
        pub = re.search(r"^published: (\d{4}-\d{2}-\d{2})$", fm, re.M)
        if body.strip().splitlines()[0] != DISCLAIMER:
            e("first body line is not the disclaimer")
        words = len(body.replace(DISCLAIMER, "").split())
        if not 120 <= words <= 350:
            e(f"body has {words} words")
        if not pub and not re.search(r"\b(19|20)\d\d\b", body):
            e("no published and no year in text")
        g = json.loads(golds[stem].read_text(encoding="utf-8"))
        if (
            list(g) != ["article_id", "places", "not_places", "incidents", "routes"]
            or g["article_id"] != stem
        ):
            e("gold keys / article_id")
        names, seen, ids = set(), {}, {}
        for p in g["places"]:
            names.add(p["name"])
            ids.setdefault(p["gazetteer_id"], []).append(p)
            for mention in p["mentions"]:
                if mention not in text:
                    e(f"mention {mention!r} not in article")
                if mention in seen and seen[mention] != p["name"]:
                    e(f"mention {mention!r} in two places")
                seen[mention] = p["name"]
            ref = fill_gold.fill(
                {k: v for k, v in p.items() if k != "feature_class"}
                if p["geo_precision"] != 2
                else p,
                curated,
                geonames,
                countries,
            )
            for k in ("lat", "lon"):
                if abs(float(p[k]) - float(ref[k])) > 1e-4:
                    e(f"{p['name']}: {k} {p[k]} != {ref[k]}")
            if (
                p["country_code"] != ref["country_code"]
                or p["feature_class"] != ref["feature_class"]
            ):
                e(f"{p['name']}: country/feature class differ from reference")
            if p["geo_precision"] not in (1, 2, 3):
                e(f"{p['name']}: geo_precision")
        for p in g["places"]:
            if p["geo_precision"] == 2 and (
                len(ids[p["gazetteer_id"]]) < 2 or p["feature_class"] != "village"
            ):
                e(f"{p['name']}: precision 2 without a named anchor / not a village")
        for s in g["not_places"]:
            if s not in text:
                e(f"not_place {s!r} not in article")
        for inc in g["incidents"]:
            if inc["type"] not in TYPES or inc["date_precision"] not in PRECISIONS:
                e(f"incident vocab {inc}")
            if inc["place"] not in names:
                e(f"incident place {inc['place']!r} not a gold place")
            if inc["excerpt_contains"] not in text:
                e(f"excerpt {inc['excerpt_contains']!r} not in article")
            prec = inc["date_precision"]
            if prec == "unknown" and inc["date_start"] is None and inc["date_end"] is None:
                continue  # no date is the right answer (as in tests/eval/gold)
            a, b = dt.date.fromisoformat(inc["date_start"]), dt.date.fromisoformat(inc["date_end"])
            ok = {
                "day": a == b,
                "month": a.day == 1 and b == a.replace(day=calendar.monthrange(a.year, a.month)[1]),
                "year": (a.month, a.day, b.month, b.day, a.year) == (1, 1, 12, 31, b.year),
                "range": a < b,
                "unknown": a <= b,
            }[prec]
            if not ok:
                e(f"dates disagree with precision: {inc}")
            if pub and b > dt.date.fromisoformat(pub.group(1)):
                e(f"incident after publication: {inc}")
        for r in g["routes"]:
            if r["origin"] not in names or r["destination"] not in names:
                e(f"route end not a gold place: {r}")
            if (
                r["mode"] not in MODES
                or r["status"] not in STATUSES
                or not isinstance(r["crosses_border"], bool)
            ):
                e(f"route vocab: {r}")
    return errs


def main(folder: str) -> int:
    """Print the problems of a gold set folder; 1 when there are any."""
    errs = problems(Path(folder))
    for x in errs:
        print(x)
    print(
        f"{len(list(Path(folder).glob('articles/*.txt')))} articles checked, {len(errs)} problems"
    )
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
