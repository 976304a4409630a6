"""Time the Streamlit app on synthetic stores of 10,000 and 100,000 incidents.

For each size: write a store (plus a fifth as many routes), start ``streamlit run app.py``
on it, open it once to warm the caches, then in a fresh page measure

- first draw: from navigation until the incidents are drawn in the map iframe
  (``window.bwDrawn``), and the bytes received over the websocket plus the map data file
  the map fetches once (``/app/static/mapdata/<hash>.json``);
- redraw: from clicking the incident type filter in the sidebar (typing "arrest", Enter)
  until the map shows fewer markers, also timed from the Enter that applies the filter
  (without Playwright's typing), and whether the map iframe survived (no reload).

Run: ``cd /work/main && /work/venv/bin/python benchmarks/bench_app.py [10000 100000]
[--repeat 3]`` (medians over fresh pages: timings swing with machine load).
Targets: 10k drawn < 1 s from < 2 MB; 100k < 5 s; filter redraw < 1 s without reload.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date, timedelta
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry import LineString, Point

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from geo import pipeline  # noqa: E402
from geo.models import ARTICLE_COLUMNS, INCIDENT_COLUMNS, PLACE_COLUMNS, ROUTE_COLUMNS  # noqa: E402

TYPES = ["smuggling", "arrest", "defection", "trade", "crackdown", "execution", "fire"]
ACTORS = ["traders", "police", "soldiers", "smugglers", "brokers", "customs officers"]
MAP_FRAME = 'iframe[title*="st_folium"]'


def synthetic_layers(
    n_incidents: int, seed: int = 1, n_places: int | None = None
) -> pipeline.Layers:
    """A store-like Layers with ``n_incidents`` incidents and a fifth as many routes.

    Places default to ``min(300, n_incidents // 10)``: a large corpus about one border
    names a few hundred distinct places (each is a labelled dot on the map).
    """
    rnd = random.Random(seed)
    n_articles = max(10, n_incidents // 20)
    n_places = n_places or max(20, min(300, n_incidents // 10))
    places, place_xy = [], []
    for i in range(n_places):
        lon, lat = rnd.uniform(124.0, 130.5), rnd.uniform(40.0, 43.0)
        article = f"art{i % n_articles:05d}"
        name = f"Place {i}"
        place_xy.append((article, name, lon, lat))
        places.append({
            "name": name, "mentions": [name], "article_id": article,
            "country_code": rnd.choice(["KP", "CN"]), "feature_class": "town",
            "geo_precision": rnd.choice([1, 1, 1, 2, 3]), "gazetteer_id": f"bw:p{i}",
            "confidence": 0.7, "admin1": "", "source": "synthetic", "reason": "synthetic",
            "candidates": [], "geometry": Point(lon, lat),
        })  # fmt: skip
    incidents = []
    start0 = date(2015, 1, 1)
    for i in range(n_incidents):
        article, name, lon, lat = place_xy[i % n_places]
        day = start0 + timedelta(days=rnd.randrange(2000))
        incidents.append({
            "id": f"{article}-i{i:06d}", "article_id": article, "type": rnd.choice(TYPES),
            "summary": f"synthetic incident {i}", "excerpt": f"Trucks crossed near {name}.",
            "place": name, "date_start": day.isoformat(), "date_end": day.isoformat(),
            "date_precision": "day", "actors": rnd.sample(ACTORS, 2), "quantities": [],
            "geo_precision": 1, "confidence": 0.6, "gazetteer_id": f"bw:p{i % n_places}",
            "date_inferred": False, "country_code": "KP", "sources": [],
            "geometry": Point(lon + rnd.uniform(-0.01, 0.01), lat + rnd.uniform(-0.01, 0.01)),
        })  # fmt: skip
    routes = []
    for i in range(n_incidents // 5):
        a, b = rnd.sample(place_xy, 2)
        day = start0 + timedelta(days=rnd.randrange(2000))
        routes.append({
            "id": f"{a[0]}-r{i:06d}", "article_id": a[0], "origin": a[1], "destination": b[1],
            "mode": "truck", "status": rnd.choice(["completed", "attempted", "blocked"]),
            "crosses_border": rnd.random() < 0.5, "length_km": 10.0,
            "date_start": day.isoformat(), "date_end": day.isoformat(),
            "excerpt": f"From {a[1]} to {b[1]}.", "via": [], "date_precision": "day",
            "origin_id": "", "destination_id": "", "confidence": 0.5,
            "geometry": LineString([(a[2], a[3]), (b[2], b[3])]),
        })  # fmt: skip
    articles = pd.DataFrame(
        [{"article_id": f"art{i:05d}", "title": f"Article {i}", "published": "2020-01-01",
          "published_inferred": False, "url": "", "source": "synthetic", "path": "",
          "byline": "", "caption": "", "text": "synthetic"} for i in range(n_articles)],
        columns=list(ARTICLE_COLUMNS),
    )  # fmt: skip

    def gdf(rows: list[dict], columns: tuple[str, ...]) -> gpd.GeoDataFrame:
        frame = pd.DataFrame(rows, columns=[*columns, "geometry"])
        return gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:4326")

    return pipeline.Layers(
        gdf(places, PLACE_COLUMNS), gdf(incidents, INCIDENT_COLUMNS),
        gdf(routes, ROUTE_COLUMNS), articles, [],
    )  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(build: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {**os.environ, "BORDER_WATCH_BUILD": str(build)}
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "streamlit"), "run", "app.py",
         "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1"],
        cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("streamlit did not start")


def _open(page, url: str, timeout_ms: int) -> tuple[float, int, object]:
    """Open the app; return the seconds until drawn, the data bytes received, the map frame.

    Bytes: every websocket frame plus the map data file the map fetches over HTTP.
    """
    received = [0]

    def on_ws(ws) -> None:
        ws.on("framereceived", lambda payload: received.__setitem__(0, received[0] + len(payload)))

    page.on("websocket", on_ws)
    t0 = time.perf_counter()
    page.goto(url)
    page.wait_for_selector(MAP_FRAME, timeout=timeout_ms)
    deadline = time.monotonic() + timeout_ms / 1000
    frame = None
    while frame is None and time.monotonic() < deadline:
        frame = next((f for f in page.frames if "st_folium" in f.url), None)
        time.sleep(0.01)
    frame.wait_for_function("window.bwDrawn !== undefined", timeout=timeout_ms, polling=20)
    elapsed = time.perf_counter() - t0
    fetched = frame.evaluate(
        """performance.getEntriesByType("resource")
            .filter(e => e.name.includes("/app/static/mapdata/"))
            .reduce((n, e) => n + e.encodedBodySize, 0)"""
    )
    return elapsed, received[0] + fetched, frame


def _view_and_filter(browser, url: str, timeout: int) -> dict:
    """One fresh page: first draw, then one filter change; returns the figures."""
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    first_s, nbytes, frame = _open(page, url, timeout)
    drawn = frame.evaluate("window.bwDrawn.incidents")
    iframe_ms = frame.evaluate("window.bwDrawn.t")
    frame.evaluate("window.__sameFrame = true")
    t0 = time.perf_counter()
    page.locator(".stMultiSelect").nth(1).click()
    page.keyboard.type("arrest")
    t_enter = time.perf_counter()
    page.keyboard.press("Enter")
    frame.wait_for_function(f"window.bwDrawn.incidents < {drawn}", timeout=timeout, polling=20)
    redraw_s = time.perf_counter() - t0
    applied_s = time.perf_counter() - t_enter
    same = frame.evaluate("window.__sameFrame === true")
    after = frame.evaluate("window.bwDrawn.incidents")
    page.close()
    return {"first_draw_s": first_s, "ws_bytes": nbytes, "drawn": drawn,
            "iframe_ms": iframe_ms, "redraw_s": redraw_s, "applied_s": applied_s,
            "drawn_after_filter": after, "same_iframe": same}  # fmt: skip


def bench(n: int, browser, repeat: int = 1) -> dict:
    """Measure one store size (medians over ``repeat`` fresh pages); returns the figures."""
    with tempfile.TemporaryDirectory() as tmp:
        build = Path(tmp) / "build"
        t0 = time.perf_counter()
        layers = synthetic_layers(n)
        n_places = len(layers.places)
        pipeline.write_store(layers, build)
        write_s = time.perf_counter() - t0
        proc, url = _start(build)
        try:
            timeout = 300_000
            warm = browser.new_page(viewport={"width": 1600, "height": 1000})
            cold_s, _, _ = _open(warm, url, timeout)  # reads the store, fills caches
            warm.close()
            runs = [_view_and_filter(browser, url, timeout) for _ in range(max(repeat, 1))]
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    figures = {k: statistics.median(r[k] for r in runs) for k in runs[0] if k != "same_iframe"}
    figures["same_iframe"] = all(r["same_iframe"] for r in runs)
    return {"n": n, "write_store_s": write_s, "cold_first_draw_s": cold_s, "places": n_places,
            "repeat": len(runs), **figures}  # fmt: skip


def main(sizes: list[int], repeat: int = 1) -> None:
    """Run the benchmark for each size and print the figures."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu"],
            headless=True,
        )
        for n in sizes:
            r = bench(n, browser, repeat)
            print(
                f"{r['n']:>7,} incidents: store written in {r['write_store_s']:.1f} s; "
                f"first draw (cold caches) {r['cold_first_draw_s']:.2f} s; "
                f"first draw (cached) {r['first_draw_s']:.2f} s from "
                f"{r['ws_bytes'] / 1e6:.2f} MB, {r['drawn']:,} markers, {r['places']} places "
                f"({r['iframe_ms'] / 1000:.2f} s of it inside the map iframe); "
                f"filter redraw {r['redraw_s']:.2f} s from the click on the filter "
                f"({r['applied_s']:.2f} s from the Enter that applies it) -> "
                f"{r['drawn_after_filter']:,} markers, "
                f"iframe kept: {r['same_iframe']}"
                + (f" (medians of {r['repeat']} pages)" if r["repeat"] > 1 else ""),
                flush=True,
            )
        browser.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=1, help="fresh pages per size (medians)")
    args = parser.parse_args()
    main(args.sizes, args.repeat)
