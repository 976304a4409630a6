from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString, Point

from geo import baseline
from geo.evaluate import (
    GoldArticle,
    GoldError,
    evaluate_folder,
    format_report,
    load_gold,
    normalize_mention,
    report_to_dict,
    score_article,
)
from geo.models import INCIDENT_COLUMNS, PLACE_COLUMNS, ROUTE_COLUMNS

EVAL_DIR = Path(__file__).parent / "eval"

# reference points used only to build the test's own predictions
SINUIJU = {"name": "Sinuiju", "mentions": ["Sinuiju", "Sinŭiju"], "gazetteer_id": "gn:2040893",
           "lat": 40.10056, "lon": 124.39806, "country_code": "KP", "feature_class": "city",
           "geo_precision": 1}  # fmt: skip
DANDONG = {"name": "Dandong", "mentions": ["Dandong"], "gazetteer_id": "gn:2037886",
           "lat": 40.12917, "lon": 124.39472, "country_code": "CN", "feature_class": "city",
           "geo_precision": 1}  # fmt: skip
PYONGAN = {"name": "North Pyongan", "mentions": ["North Pyongan"],
           "gazetteer_id": "bw:north-pyongan", "lat": 40.0926, "lon": 125.34613,
           "country_code": "KP", "feature_class": "province", "geo_precision": 3}  # fmt: skip


@dataclass
class FakeLayers:
    places: gpd.GeoDataFrame
    incidents: gpd.GeoDataFrame | None = None
    routes: gpd.GeoDataFrame | None = None
    articles: pd.DataFrame = field(default_factory=pd.DataFrame)
    skipped: list[str] = field(default_factory=list)


def place(mentions, at=None, *, gid=None, cc=None, candidates=None, article_id="a1"):
    """A predicted place row resolved to the gold record ``at`` (or unresolved)."""
    return {
        "name": mentions[0],
        "mentions": list(mentions),
        "article_id": article_id,
        "country_code": cc if cc is not None else (at or {}).get("country_code", ""),
        "gazetteer_id": gid if gid is not None else (at or {}).get("gazetteer_id"),
        "candidates": candidates if candidates is not None else [],
        "geometry": Point(at["lon"], at["lat"]) if at else None,
    }


def gdf(rows, columns):
    frame = pd.DataFrame([{c: r.get(c) for c in columns} for r in rows], columns=list(columns))
    return gpd.GeoDataFrame(frame, geometry=[r.get("geometry") for r in rows], crs="EPSG:4326")


def places_gdf(rows):
    return gdf(rows, PLACE_COLUMNS)


def gold(places, **kw):
    return GoldArticle(article_id="a1", places=places, **kw)


# ------------------------------------------------------------------ place metrics


def test_perfect_prediction_scores_one():
    g = gold([SINUIJU, DANDONG])
    score = score_article(g, places_gdf([place(["Sinŭiju"], SINUIJU), place(["Dandong"], DANDONG)]))
    assert (score.precision, score.recall, score.f1) == (1.0, 1.0, 1.0)
    assert score.id_accuracy == score.country_accuracy == 1.0
    assert score.accuracy_at(1) == 1.0 and score.median_km == pytest.approx(0.0)


def test_swapped_sinuiju_dandong_is_wrong_country_though_close():
    g = gold([SINUIJU, DANDONG])
    swapped = [place(["Sinuiju"], DANDONG), place(["Dandong"], SINUIJU)]
    score = score_article(g, places_gdf(swapped))
    assert score.f1 == 1.0  # recognised correctly
    assert score.country_accuracy == 0.0
    assert score.id_accuracy == 0.0
    assert score.accuracy_at(1) == 0.0
    assert score.accuracy_at(5) == 1.0 and score.accuracy_at(161) == 1.0  # only ~3 km apart
    assert 3.0 < score.median_km < 3.5
    assert any("Sinuiju: country 'CN'" in w for w in score.wrong)


def test_unmatched_gold_place_lowers_recall():
    score = score_article(gold([SINUIJU, DANDONG]), places_gdf([place(["Sinuiju"], SINUIJU)]))
    assert score.precision == 1.0
    assert score.recall == 0.5
    assert score.f1 == pytest.approx(2 / 3)
    assert score.false_negatives == ["Dandong"]


def test_not_places_hit_lowers_precision():
    g = gold([SINUIJU], not_places=["Reuters", "Han Song-il"])
    predicted = [place(["Sinuiju"], SINUIJU), place(["Reuters"], DANDONG)]
    score = score_article(g, places_gdf(predicted))
    assert score.recall == 1.0
    assert score.precision == 0.5
    assert score.not_place_hits == ["Reuters"]


def test_mentions_match_case_and_space_insensitively_and_without_generic_word():
    g = gold([SINUIJU, PYONGAN])
    predicted = [place(["SINUIJU "], SINUIJU), place(["North  Pyongan province"], PYONGAN)]
    score = score_article(g, places_gdf(predicted))
    assert score.tp == 2 and score.fp == 0


def test_a_different_name_does_not_match():
    score = score_article(gold([PYONGAN]), places_gdf([place(["South Pyongan"], PYONGAN)]))
    assert score.tp == 0 and score.fp == 1 and score.fn == 1


def test_matching_is_one_to_one():
    predicted = [place(["Sinuiju"], SINUIJU), place(["Sinŭiju"], SINUIJU)]
    score = score_article(gold([SINUIJU]), places_gdf(predicted))
    assert (score.tp, score.fp, score.fn) == (1, 1, 0)


def test_unresolved_matched_place_counts_as_a_miss_for_distance():
    predicted = [place(["Sinuiju"], None, gid="", cc=""), place(["Dandong"], DANDONG)]
    score = score_article(gold([SINUIJU, DANDONG]), places_gdf(predicted))
    assert score.tp == 2
    assert score.accuracy_at(161) == 0.5
    assert score.unresolved == 1
    assert score.errors_km == [pytest.approx(0.0)]


def test_candidate_recall_by_id_or_within_5_km():
    by_id = [{"gazetteer_id": "gn:2040893", "lat": 0.0, "lon": 0.0}]
    near = [{"gazetteer_id": "bw:other", "lat": 40.11, "lon": 124.40}]  # ~1 km from Sinuiju
    far = [{"gazetteer_id": "gn:1", "lat": 39.0, "lon": 125.7}]
    for candidates, expected in ((by_id, 1.0), (near, 1.0), (far, 0.0)):
        pred = place(["Sinuiju"], DANDONG, candidates=candidates)
        score = score_article(gold([SINUIJU]), places_gdf([pred]))
        assert score.candidate_recall == expected, candidates


# -------------------------------------------------------------- incidents and routes


def incident(place_name, at, start, end, *, type_="smuggling", excerpt=""):
    return {"id": "a1-i001", "article_id": "a1", "type": type_, "place": place_name,
            "date_start": start, "date_end": end, "excerpt": excerpt,
            "geometry": Point(at["lon"], at["lat"]) if at else None}  # fmt: skip


GOLD_INCIDENTS = [
    {"type": "smuggling", "place": "Sinuiju", "date_start": "2024-09-28",
     "date_end": "2024-09-28", "date_precision": "day", "excerpt_contains": "crossed"},
    {"type": "arrest", "place": "Dandong", "date_start": "2024-10-02",
     "date_end": "2024-10-02", "date_precision": "day", "excerpt_contains": "arrested"},
]  # fmt: skip


def test_incident_recall_with_and_without_dates():
    predicted = gdf(
        [
            incident("Sinuiju", SINUIJU, "2024-09-28", "2024-09-28", excerpt="They crossed"),
            # right place, wrong date and type
            incident("Dandong", DANDONG, "2024-10-01", "2024-10-01", type_="smuggling"),
        ],
        INCIDENT_COLUMNS,
    )
    g = gold([SINUIJU, DANDONG], incidents=GOLD_INCIDENTS)
    score = score_article(g, places_gdf([]), predicted, None)
    assert score.incident_recall == 1.0
    assert score.incident_recall_dated == 0.5
    assert score.incident_type_accuracy == 0.5
    assert score.incident_precision == 1.0
    assert score.route_recall is None  # no routes layer: n/a


def test_incident_far_from_gold_place_is_not_found():
    pyongyang = {"lat": 39.03, "lon": 125.75}
    predicted = gdf([incident("Pyongyang", pyongyang, "2024-09-28", "2024-09-28")],
                    INCIDENT_COLUMNS)  # fmt: skip
    g = gold([SINUIJU, DANDONG], incidents=GOLD_INCIDENTS[:1])
    score = score_article(g, places_gdf([]), predicted, None)
    assert score.incident_recall == 0.0
    assert score.incident_precision == 0.0  # the one prediction matches no gold incident
    assert score.missed_incidents == ["smuggling at Sinuiju: not found"]


def test_incident_on_the_gold_gazetteer_entry_is_found_wherever_it_is_drawn():
    dmz = {"name": "DMZ", "mentions": ["DMZ"], "gazetteer_id": "bw:korean-demilitarized-zone",
           "lat": 38.31421, "lon": 127.31449, "country_code": "KP", "feature_class": "region",
           "geo_precision": 3}  # fmt: skip
    gold_incident = {**GOLD_INCIDENTS[0], "place": "DMZ"}
    by_paju = {"lat": 37.849, "lon": 126.666}  # the stretch of the line north of Paju
    row = incident("Korean Demilitarized Zone", by_paju, "2024-09-28", "2024-09-28")
    g = gold([dmz], incidents=[gold_incident])
    found = score_article(g, places_gdf([]), gdf([{**row, "gazetteer_id": dmz["gazetteer_id"]}],
                                                  INCIDENT_COLUMNS), None)  # fmt: skip
    elsewhere = score_article(g, places_gdf([]), gdf([{**row, "gazetteer_id": "gn:1"}],
                                                      INCIDENT_COLUMNS), None)  # fmt: skip
    assert (found.incident_recall_dated, elsewhere.incident_recall_dated) == (1.0, 0.0)


def route(origin, destination, a, b):
    return {"id": "a1-r001", "article_id": "a1", "origin": origin, "destination": destination,
            "mode": "truck", "status": "completed",
            "geometry": LineString([(a["lon"], a["lat"]), (b["lon"], b["lat"])])}  # fmt: skip


def test_route_direction_counts():
    g = gold([SINUIJU, DANDONG], routes=[{"origin": "Sinuiju", "destination": "Dandong",
                                          "mode": "truck", "status": "completed"}])  # fmt: skip
    forward = gdf([route("Sinuiju", "Dandong", SINUIJU, DANDONG)], ROUTE_COLUMNS)
    assert score_article(g, places_gdf([]), None, forward).route_recall == 1.0
    # ends 3 km apart (< 25 km) but the names say it runs the other way
    pyongyang = {"lat": 39.03, "lon": 125.75}
    backward = gdf([route("Pyongyang", "Sinuiju", pyongyang, SINUIJU)], ROUTE_COLUMNS)
    score = score_article(g, places_gdf([]), None, backward)
    assert score.route_recall == 0.0
    assert score.missed_routes == ["Sinuiju -> Dandong"]


# ----------------------------------------------------------------- folder and report


def write_gold_set(root: Path) -> Path:
    (root / "gold").mkdir(parents=True)
    (root / "articles").mkdir()
    for article_id, places in (("a1", [SINUIJU, DANDONG]), ("a2", [PYONGAN])):
        data = {"article_id": article_id, "places": places, "not_places": ["Reuters"],
                "incidents": [], "routes": []}  # fmt: skip
        (root / "gold" / f"{article_id}.json").write_text(json.dumps(data), encoding="utf-8")
        (root / "articles" / f"{article_id}.txt").write_text("text", encoding="utf-8")
    return root


def fake_system(paths):
    assert [p.name for p in paths] == ["a1.txt", "a2.txt"]
    rows = [place(["Sinuiju"], SINUIJU), place(["Reuters"], DANDONG),
            place(["North Pyongan"], PYONGAN, article_id="a2")]  # fmt: skip
    return FakeLayers(places=places_gdf(rows))


def test_evaluate_folder_per_article_and_overall(tmp_path):
    root = write_gold_set(tmp_path / "eval")
    for folder in (root, root / "gold"):
        report = evaluate_folder(folder, system=fake_system, name="fake")
        a1, a2 = report.articles
        assert (a1.tp, a1.fp, a1.fn) == (1, 1, 1)
        assert a2.f1 == 1.0
        assert (report.overall.tp, report.overall.fp, report.overall.fn) == (2, 1, 1)
        assert report.overall.precision == pytest.approx(2 / 3)
        assert report.overall.incident_recall is None


def test_format_report_and_dict(tmp_path):
    root = write_gold_set(tmp_path / "eval")
    report = evaluate_folder(root, system=fake_system, name="pipeline")
    base = evaluate_folder(root, system=fake_system, name="baseline")
    text = format_report(report, baseline=base)
    lines = text.splitlines()
    header = lines[0].split()
    for column in ("P", "R", "F1", "cand", "id", "cty", "@1", "@5", "@25", "@161", "med",
                   "mean", "inc", "rte"):  # fmt: skip
        assert column in header
    overall = [line for line in lines if line.startswith("overall")]
    assert len(overall) == 1 and "pipeline" in overall[0]
    assert "0.67" in overall[0] and "n/a" in overall[0]
    assert any(line.split()[:2] == ["a1", "pipeline"] for line in lines)
    assert sum(" baseline " in line for line in lines) == 3  # a1, a2, overall
    data = report_to_dict(report)
    json.dumps(data, allow_nan=False)
    assert data["overall"]["metrics"]["f1"] == pytest.approx(2 / 3)
    assert data["articles"][0]["counts"]["false_positives"] == ["Reuters"]


def test_missing_gold_folder_and_article(tmp_path):
    with pytest.raises(GoldError, match="nowhere"):
        evaluate_folder(tmp_path / "nowhere", system=fake_system)
    root = write_gold_set(tmp_path / "eval")
    (root / "articles" / "a2.txt").unlink()
    with pytest.raises(GoldError, match="a2.txt"):
        evaluate_folder(root, system=fake_system)


def test_load_gold_rejects_bad_file(tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text('{"article_id": "x"}', encoding="utf-8")
    with pytest.raises(GoldError, match="'places'"):
        load_gold(bad)


def test_normalize_mention():
    assert normalize_mention(" Hyesan’s  market") == "hyesan's market"


# ------------------------------------------------------------------------- baseline


def test_baseline_picks_most_populous_and_longest_name():
    big = baseline.Entry("gn:1", "Springfield", 40.0, -89.6, "US", 100_000, "city")
    small = baseline.Entry("gn:2", "Springfield", 42.1, -72.5, "US", 1_000, "town")
    north = baseline.Entry("gn:3", "North Springfield", 44.0, -72.0, "US", 800, "village")
    index = {"Springfield": (big, small), "North Springfield": (north,)}
    text = "Trucks left Springfield for North Springfield. springfield is lower case."
    places = baseline.places_from_text(text, "a1", index=index)
    assert list(places.columns) == [*PLACE_COLUMNS, "geometry"]
    assert places["gazetteer_id"].tolist() == ["gn:1", "gn:3"]
    assert places["mentions"].tolist() == [["Springfield"], ["North Springfield"]]
    assert places.geometry.iloc[0].x == -89.6
    assert [c["gazetteer_id"] for c in places["candidates"].iloc[0]] == ["gn:1", "gn:2"]


def test_baseline_ngrams_stop_at_punctuation():
    runs = baseline.ngrams_from_text("Sinuiju, Dandong and New Yalu River Bridge.")
    assert [[w for w, _ in run] for run in runs] == [
        ["Sinuiju"],
        ["Dandong"],
        ["New", "Yalu", "River", "Bridge"],
    ]


@pytest.mark.slow
def test_baseline_real_index_finds_border_cities():
    places = baseline.places_from_text("Traders in Dandong met buyers from Sinuiju.", "a1")
    by_name = dict(zip(places["mentions"].str[0], places["country_code"], strict=True))
    assert by_name["Dandong"] == "CN" and by_name["Sinuiju"] == "KP"


# ---------------------------------------------------------------- thresholds (real)


@pytest.mark.slow
def test_pipeline_meets_accuracy_thresholds_on_gold_set():
    started = time.perf_counter()
    report = evaluate_folder(EVAL_DIR)
    seconds = time.perf_counter() - started
    overall = report.overall
    detail = (
        format_report(report)
        + "\n"
        + "\n".join(
            f"{s.article_id}: fp={s.false_positives} fn={s.false_negatives} wrong={s.wrong} "
            f"incidents={s.missed_incidents}"
            for s in report.articles
        )
    )
    assert len(report.articles) >= 6
    assert seconds < 60, detail
    assert overall.f1 >= 0.95, detail
    assert overall.country_accuracy == 1.0, detail
    assert overall.accuracy_at(5) >= 0.95, detail
    assert overall.incident_recall_dated is not None
    assert overall.incident_recall_dated >= 0.9, detail


#: Dated incident recall on each held-out set when it was last worked on, less 5 points: a
#: change that loses incidents on text it was not written for fails here. Incident precision
#: must stay at 0.5 or more on each (recall is not bought with a flood of guesses).
HELD_OUT_FLOORS = {
    "holdout": 0.82, "holdout2": 0.85, "holdout3": 0.88, "holdout4": 0.80,
    "holdout5": 0.67, "holdout6": 0.70, "holdout7": 0.54, "holdout8": 0.75,
    "holdout9": 0.62, "holdout10": 0.64, "holdout11": 0.65, "holdout12": 0.77,
    "holdout13": 0.63, "holdout14": 0.80, "holdout15": 0.72, "holdout16": 0.65,
    "holdout17": 0.66, "holdout18": 0.49, "holdout19": 0.66, "holdout20": 0.68,
    "holdout21": 0.60, "holdout22": 0.66, "holdout23": 0.67, "holdout24": 0.76,
    "holdout25": 0.73, "holdout26": 0.63, "holdout27": 0.64, "holdout28": 0.64,
    "holdout29": 0.56, "holdout30": 0.53, "holdout31": 0.63, "holdout32": 0.80,
    "holdout33": 0.76,
}  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(HELD_OUT_FLOORS))
def test_places_generalise_and_incidents_do_not_regress_on_held_out_sets(name):
    overall = evaluate_folder(Path(__file__).parent / name).overall
    assert overall.f1 >= 0.95
    assert overall.country_accuracy >= 0.98
    assert overall.accuracy_at(5) >= 0.95
    assert overall.incident_recall_dated >= HELD_OUT_FLOORS[name]
    assert overall.incident_precision >= 0.5


CHINA = {"name": "China", "mentions": ["China"], "gazetteer_id": "country:CN", "lat": 42.8614,
         "lon": 124.40565, "country_code": "CN", "feature_class": "country",
         "geo_precision": 3}  # fmt: skip


def test_route_into_a_gold_country_matches_a_more_precise_place_there():
    g = gold([SINUIJU, CHINA], routes=[{"origin": "Sinuiju", "destination": "China",
                                        "mode": "truck", "status": "completed"}])  # fmt: skip
    predicted_places = places_gdf([place(["Sinuiju"], SINUIJU), place(["Dandong"], DANDONG)])
    into_china = gdf([route("Sinuiju", "Dandong", SINUIJU, DANDONG)], ROUTE_COLUMNS)
    assert score_article(g, predicted_places, None, into_china).route_recall == 1.0
    # a North Korean destination far from the gold point is still wrong
    pyongyang = {"lat": 39.03, "lon": 125.75, "country_code": "KP", "gazetteer_id": "gn:9"}
    with_pyongyang = places_gdf([place(["Sinuiju"], SINUIJU), place(["Pyongyang"], pyongyang)])
    into_kp = gdf([route("Sinuiju", "Pyongyang", SINUIJU, pyongyang)], ROUTE_COLUMNS)
    assert score_article(g, with_pyongyang, None, into_kp).route_recall == 0.0


def test_main_evaluate_prints_both_runs_and_writes_json(tmp_path, monkeypatch, capsys):
    from geo import evaluate

    root = write_gold_set(tmp_path / "eval")
    monkeypatch.setattr(evaluate, "_default_system", lambda: fake_system)
    monkeypatch.setattr(baseline, "layers_from_paths", fake_system)
    out = tmp_path / "report.json"
    assert evaluate.main_evaluate(root, json_out=out) == 0
    printed = capsys.readouterr().out
    assert "pipeline" in printed and "baseline" in printed and "overall" in printed
    data = json.loads(out.read_text(encoding="utf-8"))
    assert set(data) == {"system", "baseline"}
    assert data["system"]["overall"]["counts"]["tp"] == 2
