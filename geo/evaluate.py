"""Measure geoparsing accuracy against a hand-made gold set (issue "Geoparsing accuracy measured").

A gold set is a folder with ``articles/*.txt`` (or ``*.md``) and ``gold/<article_id>.json``::

    {"article_id": "...",
     "places": [{"name", "mentions": [surface forms as written], "gazetteer_id", "lat", "lon",
                 "country_code", "feature_class", "geo_precision"}],
     "not_places": ["Reuters", ...],
     "incidents": [{"type", "place", "date_start", "date_end", "date_precision",
                    "excerpt_contains"}],
     "routes": [{"origin", "destination", "mode", "status", "crosses_border"}]}

Metrics (per article, and overall as micro-averages over all articles):

* toponym recognition: a predicted place (a row of ``layers.places``) matches a gold place
  when their mention surface forms intersect (case-insensitive, whitespace and apostrophes
  normalised). Places that still have no partner are then matched when a mention equals a
  gold mention after dropping one generic word at the end or start ("North Pyongan
  province" ~ "North Pyongan", "the Yalu" ~ "Yalu"; see :data:`GENERIC_WORDS`). Matching
  is one-to-one; every unmatched prediction is a false positive (predictions whose mentions
  are in ``not_places`` are listed separately as ``not_place_hits``).
* candidate recall: share of matched places whose gold ``gazetteer_id`` — or a candidate
  within 5 km of the gold point — is among the place's ``candidates``.
* resolution of matched places: exact ``gazetteer_id``, correct ``country_code``, share
  within 1/5/25/161 km (geodesic, WGS 84; an unresolved place counts as a miss), median and
  mean error in km over the resolved ones.
* incidents: a gold incident is found when an unused predicted incident lies within 25 km of
  the gold place (or names it); "dated" recall also requires equal ``date_start`` and
  ``date_end``; type accuracy is measured among the found ones.
* routes: a gold route is found when a predicted route's origin and destination (first and
  last vertex, or the names) are each within 25 km of the gold ones; direction counts.

A system is a callable ``paths -> layers``; the default is the real pipeline
(:func:`geo.pipeline.layers_from_paths`), the baseline is :func:`geo.baseline.layers_from_paths`.
A system without incidents or routes (``None`` layers) gets "n/a" for them.
"""

from __future__ import annotations

import json
import logging
import math
import statistics
import time
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pyproj import Geod

from geo._errors import GeoError

__all__ = [
    "ACCURACY_KM",
    "GENERIC_WORDS",
    "ArticleScore",
    "GoldArticle",
    "GoldError",
    "Report",
    "evaluate_folder",
    "format_report",
    "load_gold",
    "main_evaluate",
    "normalize_mention",
    "report_to_dict",
    "score_article",
]

logger = logging.getLogger(__name__)

#: Distance thresholds (km) of the "accuracy at k km" metrics.
ACCURACY_KM = (1, 5, 25, 161)
#: A candidate this close to the gold point counts as the right candidate.
CANDIDATE_KM = 5.0
#: An incident or route end this close to the gold place counts as the same place.
MATCH_KM = 25.0
#: Words dropped (one, at the end or start) in the second, lenient mention-matching pass.
GENERIC_WORDS = frozenset(
    "province county city town village river bridge district region port customs "
    "the area border crossing prefecture".split()
)

_GEOD = Geod(ellps="WGS84")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "ʼ": "'", "‐": "-", "–": "-"})


class GoldError(GeoError):
    """A gold folder or gold file is missing or malformed."""


# ------------------------------------------------------------------------------ gold


@dataclass(slots=True)
class GoldArticle:
    """The hand-made answer for one article."""

    article_id: str
    places: list[dict[str, Any]]
    not_places: list[str] = field(default_factory=list)
    incidents: list[dict[str, Any]] = field(default_factory=list)
    routes: list[dict[str, Any]] = field(default_factory=list)
    path: str = ""


def load_gold(path: str | Path) -> GoldArticle:
    """Read one gold JSON file.

    Parameters
    ----------
    path
        ``gold/<article_id>.json``.

    Returns
    -------
    gold
        The gold article; ``article_id`` defaults to the file stem.

    Raises
    ------
    GoldError
        When the file cannot be read or lacks a ``places`` list.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        msg = f"{path}: cannot read gold JSON ({e})"
        raise GoldError(msg) from e
    if not isinstance(data, dict) or not isinstance(data.get("places"), list):
        msg = f"{path}: gold file needs an object with a 'places' list"
        raise GoldError(msg)
    return GoldArticle(
        article_id=str(data.get("article_id") or path.stem),
        places=list(data["places"]),
        not_places=list(data.get("not_places") or []),
        incidents=list(data.get("incidents") or []),
        routes=list(data.get("routes") or []),
        path=str(path),
    )


def _gold_folders(gold_dir: Path) -> tuple[Path, Path]:
    """Return (gold json folder, articles folder) for a gold set root or its gold/ folder."""
    gold_dir = Path(gold_dir)
    if (gold_dir / "gold").is_dir():
        return gold_dir / "gold", gold_dir / "articles"
    if gold_dir.is_dir():
        return gold_dir, gold_dir.parent / "articles"
    msg = f"'{gold_dir}': gold folder not found (expected gold/*.json and articles/*.txt)"
    raise GoldError(msg)


def _article_paths(articles_dir: Path, golds: Sequence[GoldArticle]) -> list[Path]:
    paths = []
    for gold in golds:
        found = [articles_dir / f"{gold.article_id}{ext}" for ext in (".txt", ".md")]
        existing = [p for p in found if p.exists()]
        if not existing:
            msg = f"'{articles_dir}': no article {gold.article_id}.txt for gold {gold.path}"
            raise GoldError(msg)
        paths.append(existing[0])
    return paths


# --------------------------------------------------------------------------- helpers


def normalize_mention(text: str) -> str:
    r"""Return a surface form folded for comparison: NFC, casefold, one space, plain quotes.

    Examples
    --------
    >>> normalize_mention("  North  Pyongan\n")
    'north pyongan'
    >>> normalize_mention("Hyesan’s") == normalize_mention("hyesan's")
    True
    """
    text = unicodedata.normalize("NFC", str(text)).translate(_APOSTROPHES)
    return " ".join(text.casefold().split())


def _strip_generic(text: str) -> str:
    """Drop one generic word at the end, else at the start ("yalu river" -> "yalu")."""
    words = text.split()
    if len(words) > 1 and words[-1] in GENERIC_WORDS:
        return " ".join(words[:-1])
    if len(words) > 1 and words[0] in GENERIC_WORDS:
        return " ".join(words[1:])
    return text


def _as_list(value: Any) -> list:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, float) and math.isnan(value):
        return []
    try:
        return list(value)
    except TypeError:
        return [value]


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, NaT
    except (TypeError, ValueError):
        return False


def _iso(value: Any) -> str | None:
    """ISO date string of a date-like value, None when missing."""
    if _missing(value) or value == "":
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return str(value)[:10]


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Geodesic distance in km on WGS 84.

    Examples
    --------
    >>> round(_km(40.10056, 124.39806, 40.12917, 124.39472), 1)  # across the Yalu
    3.2
    """
    _, _, metres = _GEOD.inv(lon1, lat1, lon2, lat2)
    return metres / 1000.0


def _latlon(geom: Any, *, end: int | None = None) -> tuple[float, float] | None:
    """(lat, lon) of a point geometry, or of a line's vertex ``end`` (0 or -1)."""
    if geom is None or _missing(geom) or geom.is_empty:
        return None
    if end is not None and geom.geom_type == "LineString":
        x, y = geom.coords[end][:2]
        return y, x
    if end is not None and geom.geom_type == "MultiLineString":
        part = geom.geoms[0 if end == 0 else -1]
        x, y = part.coords[end][:2]
        return y, x
    point = geom if geom.geom_type == "Point" else geom.representative_point()
    return point.y, point.x


def _gold_latlon(place: Mapping[str, Any] | None) -> tuple[float, float] | None:
    if not place or _missing(place.get("lat")) or _missing(place.get("lon")):
        return None
    return float(place["lat"]), float(place["lon"])


def _ratio(num: float, den: float) -> float | None:
    return None if den == 0 else num / den


# ------------------------------------------------------------------------------ scores


@dataclass(slots=True)
class ArticleScore:
    """Counts for one article (or, summed, for the whole set) and their details."""

    article_id: str
    tp: int = 0
    fp: int = 0
    fn: int = 0
    cand_hits: int = 0
    cand_total: int = 0
    id_correct: int = 0
    country_correct: int = 0
    resolved_total: int = 0  # matched places with a gold point
    within: dict[int, int] = field(default_factory=lambda: dict.fromkeys(ACCURACY_KM, 0))
    errors_km: list[float] = field(default_factory=list)
    unresolved: int = 0
    incidents_total: int | None = None  # None: the system has no incidents (n/a)
    incidents_found: int = 0
    incidents_dated: int = 0
    incidents_type_ok: int = 0
    incidents_predicted: int = 0
    routes_total: int | None = None
    routes_found: int = 0
    false_positives: list[str] = field(default_factory=list)
    false_negatives: list[str] = field(default_factory=list)
    not_place_hits: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)  # resolution mistakes, in words
    missed_incidents: list[str] = field(default_factory=list)
    missed_routes: list[str] = field(default_factory=list)
    calibration: list[tuple[float, bool]] = field(default_factory=list)  # (confidence, within 5 km)

    # derived metrics --------------------------------------------------------
    @property
    def precision(self) -> float | None:
        """Toponym precision."""
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float | None:
        """Toponym recall."""
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float | None:
        """Toponym F1."""
        return _ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)

    @property
    def candidate_recall(self) -> float | None:
        """Share of matched places whose gold entry is among the candidates."""
        return _ratio(self.cand_hits, self.cand_total)

    @property
    def id_accuracy(self) -> float | None:
        """Share of matched places resolved to the gold gazetteer id."""
        return _ratio(self.id_correct, self.tp)

    @property
    def country_accuracy(self) -> float | None:
        """Share of matched places resolved to the gold country."""
        return _ratio(self.country_correct, self.tp)

    def accuracy_at(self, km: int) -> float | None:
        """Share of matched places (with a gold point) resolved within ``km``."""
        return _ratio(self.within[km], self.resolved_total)

    @property
    def median_km(self) -> float | None:
        """Median error (km) of the resolved matched places."""
        return statistics.median(self.errors_km) if self.errors_km else None

    @property
    def mean_km(self) -> float | None:
        """Mean error (km) of the resolved matched places."""
        return statistics.fmean(self.errors_km) if self.errors_km else None

    @property
    def incident_recall_dated(self) -> float | None:
        """Share of gold incidents found at the right place with the right dates."""
        return (
            None
            if self.incidents_total is None
            else _ratio(self.incidents_dated, self.incidents_total)
        )

    @property
    def incident_recall(self) -> float | None:
        """Share of gold incidents found at the right place, dates ignored."""
        return (
            None
            if self.incidents_total is None
            else _ratio(self.incidents_found, self.incidents_total)
        )

    @property
    def incident_precision(self) -> float | None:
        """Share of predicted incidents that match a gold incident (place; dates ignored).

        A lower bound: gold files list the events their writers judged to be incidents.
        """
        return (
            None
            if self.incidents_total is None
            else _ratio(self.incidents_found, self.incidents_predicted)
        )

    @property
    def incident_type_accuracy(self) -> float | None:
        """Share of found incidents with the gold type."""
        return (
            None
            if self.incidents_total is None
            else _ratio(self.incidents_type_ok, self.incidents_found)
        )

    @property
    def route_recall(self) -> float | None:
        """Share of gold routes found (origin and destination within 25 km, in order)."""
        return None if self.routes_total is None else _ratio(self.routes_found, self.routes_total)

    def metrics(self) -> dict[str, float | None]:
        """Return the derived metrics by name."""
        out: dict[str, float | None] = {
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "candidate_recall": self.candidate_recall,
            "id_accuracy": self.id_accuracy,
            "country_accuracy": self.country_accuracy,
        }
        for km in ACCURACY_KM:
            out[f"acc_at_{km}km"] = self.accuracy_at(km)
        out.update(
            median_km=self.median_km,
            mean_km=self.mean_km,
            incident_recall_dated=self.incident_recall_dated,
            incident_recall=self.incident_recall,
            incident_precision=self.incident_precision,
            incident_type_accuracy=self.incident_type_accuracy,
            route_recall=self.route_recall,
        )
        return out


@dataclass(slots=True)
class Report:
    """Scores of one system on one gold set."""

    system: str
    articles: list[ArticleScore]
    overall: ArticleScore
    skipped: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _sum_scores(scores: Iterable[ArticleScore]) -> ArticleScore:
    """Micro-average: add the counts of every article."""
    total = ArticleScore("overall")
    for s in scores:
        for name in ("tp", "fp", "fn", "cand_hits", "cand_total", "id_correct",
                     "country_correct", "resolved_total", "unresolved", "incidents_found",
                     "incidents_dated", "incidents_type_ok", "incidents_predicted",
                     "routes_found"):  # fmt: skip
            setattr(total, name, getattr(total, name) + getattr(s, name))
        for km in ACCURACY_KM:
            total.within[km] += s.within[km]
        total.errors_km.extend(s.errors_km)
        total.calibration.extend(s.calibration)
        for name in ("incidents_total", "routes_total"):
            value = getattr(s, name)
            if value is not None:
                setattr(total, name, (getattr(total, name) or 0) + value)
    return total


# ------------------------------------------------------------------- place matching


def _mention_sets(mentions: Iterable[str]) -> tuple[set[str], set[str]]:
    exact = {normalize_mention(m) for m in mentions if m}
    exact.discard("")
    return exact, {_strip_generic(m) for m in exact}


def _match_places(
    gold_places: Sequence[Mapping[str, Any]], predicted: Sequence[Mapping[str, Any]]
) -> dict[int, int]:
    """Return {gold index: predicted index}, one-to-one: exact mentions, then lenient."""
    gold_sets = [_mention_sets(_as_list(g.get("mentions")) or [g.get("name", "")])
                 for g in gold_places]  # fmt: skip
    pred_sets = [_mention_sets(_as_list(p.get("mentions")) or [p.get("name", "")])
                 for p in predicted]  # fmt: skip
    pairs: dict[int, int] = {}
    for lenient in (False, True):
        scored = []
        for gi, (g_exact, g_loose) in enumerate(gold_sets):
            for pi, (p_exact, p_loose) in enumerate(pred_sets):
                overlap = len((g_loose & p_loose) if lenient else (g_exact & p_exact))
                if overlap:
                    scored.append((-overlap, gi, pi))
        used = set(pairs.values())
        for _, gi, pi in sorted(scored):
            if gi not in pairs and pi not in used:
                pairs[gi] = pi
                used.add(pi)
    return pairs


def _candidate_hit(gold: Mapping[str, Any], pred: Mapping[str, Any]) -> bool | None:
    """Whether the gold entry is among the prediction's candidates (None: no gold entry)."""
    gold_id = gold.get("gazetteer_id")
    gold_point = _gold_latlon(gold)
    if not gold_id and gold_point is None:
        return None
    candidates = [c for c in _as_list(pred.get("candidates")) if isinstance(c, Mapping)]
    if gold_id and (pred.get("gazetteer_id") == gold_id
                    or any(c.get("gazetteer_id") == gold_id for c in candidates)):  # fmt: skip
        return True
    if gold_point is None:
        return False
    for c in candidates:
        if _missing(c.get("lat")) or _missing(c.get("lon")):
            continue
        if _km(*gold_point, float(c["lat"]), float(c["lon"])) <= CANDIDATE_KM:
            return True
    return False


def _score_resolution(
    score: ArticleScore, gold: Mapping[str, Any], pred: Mapping[str, Any], geom: Any
) -> None:
    hit = _candidate_hit(gold, pred)
    if hit is not None:
        score.cand_total += 1
        score.cand_hits += int(hit)
    name = gold.get("name", "?")
    if gold.get("gazetteer_id") and pred.get("gazetteer_id") == gold.get("gazetteer_id"):
        score.id_correct += 1
    if gold.get("country_code") and pred.get("country_code") == gold.get("country_code"):
        score.country_correct += 1
    else:
        score.wrong.append(
            f"{name}: country {pred.get('country_code')!r}, gold {gold.get('country_code')!r}"
        )
    gold_point = _gold_latlon(gold)
    if gold_point is None:
        return
    score.resolved_total += 1
    point = _latlon(geom)
    if point is None:
        score.unresolved += 1
        score.wrong.append(f"{name}: unresolved")
        return
    error = _km(*gold_point, *point)
    score.errors_km.append(error)
    if isinstance(pred.get("confidence"), int | float):
        score.calibration.append((float(pred["confidence"]), error <= ACCURACY_KM[1]))
    for km in ACCURACY_KM:
        score.within[km] += int(error <= km)
    if error > ACCURACY_KM[1]:
        score.wrong.append(f"{name}: {error:.0f} km off ({pred.get('gazetteer_id')})")


# --------------------------------------------------------------- incidents and routes


def _gold_place_lookup(gold: GoldArticle) -> dict[str, Mapping[str, Any]]:
    """Gold places by normalised name and mention."""
    lookup: dict[str, Mapping[str, Any]] = {}
    for place in gold.places:
        for text in [place.get("name", ""), *_as_list(place.get("mentions"))]:
            if text:
                lookup.setdefault(normalize_mention(text), place)
    return lookup


_AREA_CLASSES = ("country", "province", "region")
_Area = tuple[str, str]  # (country_code, admin1) of a predicted place


def _place_areas(places: Any) -> dict[str, _Area]:
    """(country_code, admin1) of the predicted places by gazetteer id and folded name."""
    areas: dict[str, _Area] = {}
    for row, _ in _rows(places):
        area = (str(row.get("country_code") or ""), str(row.get("admin1") or ""))
        if not _missing(row.get("gazetteer_id")) and row.get("gazetteer_id"):
            areas.setdefault(str(row["gazetteer_id"]), area)
        for text in [row.get("name"), *_as_list(row.get("mentions"))]:
            if not _missing(text) and text:
                areas.setdefault(normalize_mention(str(text)), area)
    return areas


def _area_of(gid: Any, name: Any, areas: Mapping[str, _Area]) -> _Area | None:
    if not _missing(gid) and gid and str(gid) in areas:
        return areas[str(gid)]
    if not _missing(name) and name:
        return areas.get(normalize_mention(str(name)))
    return None


def _inside_gold_area(gold_place: Mapping[str, Any] | None, area: _Area | None) -> bool:
    """Whether a predicted place lies in the gold country or province (by its attributes)."""
    if not gold_place or area is None:
        return False
    gold_class = gold_place.get("feature_class")
    if gold_class not in _AREA_CLASSES and not str(gold_place.get("gazetteer_id", "")).startswith(
        "country:"
    ):
        return False
    if gold_class == "country" or str(gold_place.get("gazetteer_id", "")).startswith("country:"):
        return bool(area[0]) and area[0] == gold_place.get("country_code")
    admin1 = _strip_generic(normalize_mention(area[1]))
    return bool(admin1) and admin1 == _strip_generic(normalize_mention(gold_place.get("name", "")))


def _same_place(
    gold_name: Any,
    gold_place: Mapping[str, Any] | None,
    pred_name: Any,
    pred_point: tuple[float, float] | None,
    pred_area: _Area | None = None,
    pred_id: Any = None,
) -> bool:
    """Return whether a prediction is at the gold place (25 km, entry, name or area).

    Within 25 km of the gold point, the same gazetteer entry, the same name, or inside the
    gold area all count. The same entry counts wherever the prediction draws it: "the DMZ
    north of Paju" is the DMZ, on the stretch of the line by Paju, far from the zone's
    nominal point.
    When the gold place is a country or province ("smuggled into China"), a more precise
    predicted place in that country (``country_code``) or province (``admin1``) counts.
    A gold place of None matches an unplaced prediction.
    """
    if gold_place and not _missing(pred_id) and pred_id:
        if str(pred_id) == str(gold_place.get("gazetteer_id") or ""):
            return True
    gold_point = _gold_latlon(gold_place)
    if gold_point is not None and pred_point is not None:
        if _km(*gold_point, *pred_point) <= MATCH_KM:
            return True
    if _missing(gold_name) or not gold_name:
        return _missing(pred_name) or not pred_name
    if _inside_gold_area(gold_place, pred_area):
        return True
    if _missing(pred_name) or not pred_name:
        return False
    names = {normalize_mention(gold_name)}
    if gold_place:
        names |= {normalize_mention(m) for m in _as_list(gold_place.get("mentions"))}
    pred = normalize_mention(pred_name)
    return pred in names or _strip_generic(pred) in {_strip_generic(n) for n in names}


def _score_incidents(
    score: ArticleScore, gold: GoldArticle, incidents: Any, areas: Mapping[str, _Area]
) -> None:
    if incidents is None:
        return
    score.incidents_total = len(gold.incidents)
    lookup = _gold_place_lookup(gold)
    rows = _rows(incidents)
    score.incidents_predicted = len(rows)
    used: set[int] = set()
    found: dict[int, int] = {}
    # pass 1: place and dates; pass 2: place only
    for need_dates in (True, False):
        for gi, g in enumerate(gold.incidents):
            if gi in found:
                continue
            g_place = lookup.get(normalize_mention(g.get("place") or ""))
            best = None
            for pi, (row, geom) in enumerate(rows):
                area = _area_of(row.get("gazetteer_id"), row.get("place"), areas)
                if area is None and not _missing(row.get("country_code")):
                    area = (str(row.get("country_code") or ""), "")
                if pi in used or not _same_place(g.get("place"), g_place, row.get("place"),
                                                 _latlon(geom), area,
                                                 row.get("gazetteer_id")):  # fmt: skip
                    continue
                dated = (_iso(row.get("date_start")), _iso(row.get("date_end"))) == (
                    _iso(g.get("date_start")), _iso(g.get("date_end")))  # fmt: skip
                if need_dates and not dated:
                    continue
                text = g.get("excerpt_contains") or ""
                rank = (text.casefold() in str(row.get("excerpt") or "").casefold(),
                        row.get("type") == g.get("type"))  # fmt: skip
                if best is None or rank > best[0]:
                    best = (rank, pi, dated)
            if best is not None:
                _, pi, dated = best
                found[gi] = pi
                used.add(pi)
                score.incidents_found += 1
                score.incidents_dated += int(dated)
                score.incidents_type_ok += int(rows[pi][0].get("type") == g.get("type"))
                if not dated:
                    row = rows[pi][0]
                    score.missed_incidents.append(
                        f"{g.get('type')} at {g.get('place')}: dates "
                        f"{_iso(row.get('date_start'))}..{_iso(row.get('date_end'))}, gold "
                        f"{_iso(g.get('date_start'))}..{_iso(g.get('date_end'))}"
                    )
    for gi, g in enumerate(gold.incidents):
        if gi not in found:
            score.missed_incidents.append(f"{g.get('type')} at {g.get('place')}: not found")


def _score_routes(
    score: ArticleScore, gold: GoldArticle, routes: Any, areas: Mapping[str, _Area]
) -> None:
    if routes is None:
        return
    score.routes_total = len(gold.routes)
    lookup = _gold_place_lookup(gold)
    rows = _rows(routes)
    used: set[int] = set()
    for g in gold.routes:
        origin = lookup.get(normalize_mention(g.get("origin") or ""))
        destination = lookup.get(normalize_mention(g.get("destination") or ""))
        candidates = []
        for pi, (row, geom) in enumerate(rows):
            if pi in used:
                continue
            origin_area = _area_of(row.get("origin_id"), row.get("origin"), areas)
            destination_area = _area_of(row.get("destination_id"), row.get("destination"), areas)
            if _same_place(g.get("origin"), origin, row.get("origin"), _latlon(geom, end=0),
                           origin_area, row.get("origin_id")) and _same_place(
                g.get("destination"), destination, row.get("destination"),
                _latlon(geom, end=-1), destination_area,
                row.get("destination_id")):  # fmt: skip
                rank = (row.get("status") == g.get("status"), row.get("mode") == g.get("mode"))
                candidates.append((rank, -pi))
        if candidates:
            pi = -max(candidates)[1]
            used.add(pi)
            score.routes_found += 1
        else:
            score.missed_routes.append(f"{g.get('origin')} -> {g.get('destination')}")


# ------------------------------------------------------------------------- scoring


def _rows(gdf: Any) -> list[tuple[dict[str, Any], Any]]:
    """(properties, geometry) pairs of a (Geo)DataFrame."""
    if gdf is None or len(gdf) == 0:
        return []
    geometry = gdf.geometry if hasattr(gdf, "geometry") else [None] * len(gdf)
    columns = [c for c in gdf.columns if c != getattr(geometry, "name", None)]
    return list(zip(gdf[columns].to_dict("records"), list(geometry), strict=True))


def _subset(gdf: Any, article_id: str) -> Any:
    if gdf is None or len(gdf) == 0 or "article_id" not in gdf.columns:
        return gdf
    return gdf[gdf["article_id"] == article_id]


def score_article(
    gold: GoldArticle, places: Any, incidents: Any = None, routes: Any = None
) -> ArticleScore:
    """Score the predictions for one article.

    Parameters
    ----------
    gold
        The gold answer.
    places
        The article's rows of the places layer (columns ``mentions``, ``gazetteer_id``,
        ``country_code``, ``candidates``; Point geometry).
    incidents
        The article's incidents, or None when the system produces none ("n/a").
    routes
        The article's routes, or None when the system produces none ("n/a").

    Returns
    -------
    score
        Counts and details; metrics are its properties.
    """
    score = ArticleScore(gold.article_id)
    rows = _rows(places)
    predicted = [row for row, _ in rows]
    pairs = _match_places(gold.places, predicted)
    score.tp = len(pairs)
    score.fn = len(gold.places) - len(pairs)
    score.false_negatives = [g.get("name", "?") for i, g in enumerate(gold.places)
                             if i not in pairs]  # fmt: skip
    matched = set(pairs.values())
    not_places = {normalize_mention(n) for n in gold.not_places}
    for pi, row in enumerate(predicted):
        if pi in matched:
            continue
        score.fp += 1
        mentions = [str(m) for m in _as_list(row.get("mentions"))] or [str(row.get("name"))]
        score.false_positives.append(" | ".join(dict.fromkeys(mentions)))
        if not_places & {normalize_mention(m) for m in mentions}:
            score.not_place_hits.append(str(row.get("name")))
    for gi, pi in pairs.items():
        _score_resolution(score, gold.places[gi], predicted[pi], rows[pi][1])
    areas = _place_areas(places)
    _score_incidents(score, gold, incidents, areas)
    _score_routes(score, gold, routes, areas)
    return score


def _default_system() -> Callable[[list[Path]], Any]:
    from geo.pipeline import layers_from_paths

    return layers_from_paths


def evaluate_folder(
    gold_dir: str | Path,
    *,
    system: Callable[[list[Path]], Any] | None = None,
    name: str | None = None,
) -> Report:
    """Run a system over the gold set's articles and score it.

    Parameters
    ----------
    gold_dir
        The gold set: a folder holding ``gold/`` and ``articles/``, or the ``gold/`` folder
        itself (articles in the sibling ``articles/``).
    system
        ``paths -> layers`` (anything with ``places``, ``incidents``, ``routes``; None
        layers mean "not produced"). Default: :func:`geo.pipeline.layers_from_paths`.
    name
        The system's name in the report; default: ``"system"``, or the callable's module.

    Returns
    -------
    report
        Per-article and overall scores.

    Raises
    ------
    GoldError
        When the folder, a gold file or an article is missing.
    """
    gold_json_dir, articles_dir = _gold_folders(Path(gold_dir))
    golds = [load_gold(p) for p in sorted(gold_json_dir.glob("*.json"))]
    if not golds:
        msg = f"'{gold_json_dir}': no gold *.json files"
        raise GoldError(msg)
    paths = _article_paths(articles_dir, golds)
    run = system or _default_system()
    label = name or ("system" if system is None else str(getattr(run, "__module__", "system")))
    started = time.perf_counter()
    layers = run(paths)
    seconds = time.perf_counter() - started
    places = getattr(layers, "places", None)
    incidents = getattr(layers, "incidents", None)
    routes = getattr(layers, "routes", None)
    scores = [
        score_article(
            gold,
            _subset(places, gold.article_id),
            _subset(incidents, gold.article_id),
            _subset(routes, gold.article_id),
        )
        for gold in golds
    ]
    report = Report(
        system=label,
        articles=scores,
        overall=_sum_scores(scores),
        skipped=list(getattr(layers, "skipped", []) or []),
        seconds=seconds,
    )
    f1 = report.overall.f1
    logger.info("Evaluated %s on %d articles in %.1f s (toponym F1 %s)", label, len(golds),
                seconds, "n/a" if f1 is None else f"{f1:.3f}")  # fmt: skip
    return report


# -------------------------------------------------------------------------- output

_COLUMNS = (
    ("P", "precision", "pct"),
    ("R", "recall", "pct"),
    ("F1", "f1", "pct"),
    ("cand", "candidate_recall", "pct"),
    ("id", "id_accuracy", "pct"),
    ("cty", "country_accuracy", "pct"),
    ("@1", "acc_at_1km", "pct"),
    ("@5", "acc_at_5km", "pct"),
    ("@25", "acc_at_25km", "pct"),
    ("@161", "acc_at_161km", "pct"),
    ("med", "median_km", "km"),
    ("mean", "mean_km", "km"),
    ("inc", "incident_recall_dated", "pct"),
    ("rte", "route_recall", "pct"),
)


def _fmt(value: float | None, kind: str) -> str:
    if value is None:
        return "n/a"
    if kind == "pct":
        return f"{value:.2f}"
    return f"{value:.1f}"


CONFIDENCE_BINS = (0.0, 0.5, 0.7, 0.9, 1.0001)


def calibration_line(pairs: Sequence[tuple[float, bool]]) -> str:
    """Share of resolved places within 5 km, per confidence bin.

    Examples
    --------
    >>> calibration_line([(0.95, True), (0.6, False), (0.62, True)])
    'calibration (share within 5 km by confidence): 0.50-0.70: 1/2; 0.90-1.00: 1/1'
    """
    cells = []
    for low, high in zip(CONFIDENCE_BINS, CONFIDENCE_BINS[1:], strict=False):
        inside = [ok for c, ok in pairs if low <= c < high]
        if inside:
            cells.append(f"{low:.2f}-{min(high, 1.0):.2f}: {sum(inside)}/{len(inside)}")
    return "calibration (share within 5 km by confidence): " + "; ".join(cells)


def format_report(report: Report, *, baseline: Report | None = None) -> str:
    """Return a plain-text table: one row per article and run, then the overall rows.

    Parameters
    ----------
    report
        The system's report.
    baseline
        The baseline's report on the same gold set, shown on the line below each system row.

    Returns
    -------
    text
        Columns: P, R, F1 (toponyms), cand (candidate recall), id (gazetteer id accuracy),
        cty (country accuracy), @1/@5/@25/@161 (share within k km), med/mean (error km),
        inc (incident recall with correct dates), rte (route recall); "n/a" where undefined.
    """
    runs = [report] + ([baseline] if baseline is not None else [])
    width = max(len("overall"), *(len(s.article_id) for s in report.articles))
    run_width = max(len(r.system) for r in runs)
    header = f"{'article':<{width}}  {'run':<{run_width}}  " + " ".join(
        f"{label:>5}" for label, _, _ in _COLUMNS
    )
    lines = [header, "-" * len(header)]
    by_article = [{s.article_id: s for s in r.articles} for r in runs]

    def row(article_id: str, run: Report, score: ArticleScore | None, label: str) -> str:
        metrics = score.metrics() if score is not None else {}
        cells = " ".join(f"{_fmt(metrics.get(key), kind):>5}" for _, key, kind in _COLUMNS)
        return f"{label:<{width}}  {run.system:<{run_width}}  {cells}"

    for score in report.articles:
        for i, (run, scores) in enumerate(zip(runs, by_article, strict=True)):
            label = score.article_id if i == 0 else ""
            lines.append(row(score.article_id, run, scores.get(score.article_id), label))
    lines.append("-" * len(header))
    for i, run in enumerate(runs):
        lines.append(row("overall", run, run.overall, "overall" if i == 0 else ""))
    for run in runs:
        o = run.overall
        extra = (
            f"{run.system}: {o.tp} matched, {o.fp} false positive, {o.fn} missed places; "
            f"{o.unresolved} unresolved; incident recall (any date) "
            f"{_fmt(o.incident_recall, 'pct')}, incident precision "
            f"{_fmt(o.incident_precision, 'pct')} ({o.incidents_predicted} predicted), "
            f"incident type accuracy "
            f"{_fmt(o.incident_type_accuracy, 'pct')}; {run.seconds:.1f} s"
        )
        lines.append(extra)
        if o.calibration:
            lines.append(f"{run.system}: {calibration_line(o.calibration)}")
        for message in run.skipped:
            lines.append(f"{run.system}: skipped {message}")
    return "\n".join(lines)


def report_to_dict(report: Report) -> dict[str, Any]:
    """Return the report as JSON-ready data: metrics and details per article and overall.

    Parameters
    ----------
    report
        A report from :func:`evaluate_folder`.

    Returns
    -------
    data
        ``{"system", "seconds", "skipped", "overall": {...}, "articles": [{...}, ...]}``.
    """

    def one(score: ArticleScore) -> dict[str, Any]:
        counts = asdict(score)
        counts["within"] = {str(k): v for k, v in score.within.items()}
        counts.pop("errors_km")
        counts.pop("calibration")
        return {"article_id": score.article_id, "metrics": score.metrics(), "counts": counts}

    return {
        "system": report.system,
        "seconds": round(report.seconds, 3),
        "skipped": list(report.skipped),
        "overall": one(report.overall),
        "articles": [one(s) for s in report.articles],
    }


def main_evaluate(gold_dir: Path, *, json_out: Path | None = None) -> int:
    """Evaluate the pipeline and the baseline on a gold set and print the table.

    Parameters
    ----------
    gold_dir
        The gold set (see :func:`evaluate_folder`).
    json_out
        Also write ``{"system": ..., "baseline": ...}`` report dicts to this JSON file.

    Returns
    -------
    status
        0 (the table is a measurement, not a pass/fail check).
    """
    from geo import baseline as baseline_module

    report = evaluate_folder(gold_dir, name="pipeline")
    base = evaluate_folder(gold_dir, system=baseline_module.layers_from_paths, name="baseline")
    print(format_report(report, baseline=base))
    if json_out is not None:
        data = {"system": report_to_dict(report), "baseline": report_to_dict(base)}
        Path(json_out).write_text(
            json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False), encoding="utf-8"
        )
    return 0
