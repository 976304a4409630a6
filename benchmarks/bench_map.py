"""Map rendering benchmark: build time, HTML size and time until incidents are drawn.

Usage::

    /work/venv/bin/python benchmarks/bench_map.py --n 10000 100000 [--popups short|full]

For each N it builds synthetic layers (N incidents, N/5 routes, 50 places) in the border
region, builds the folium map (``geo.maps.map_from_layers``), saves the standalone HTML
(``save_map``: assets inlined), then opens it in headless Chromium (/usr/bin/chromium, every
non-local request aborted) and reads ``window.bwDrawn.t``: ``performance.now()`` two animation
frames after the incidents layer was added, i.e. milliseconds from navigation start to drawn.
The empty map (N=0: page start-up, Leaflet, basemap, controls) is always measured first;
"+data s" is the time the data adds to it. Timings depend on machine load (printed).
Targets: 10,000 drawn in < 1 s from < 2 MB (popups="short"); 100,000 in < 5 s.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import geopandas as gpd
import pandas as pd
from shapely.geometry import LineString, Point

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo import maps  # noqa: E402
from geo.models import INCIDENT_COLUMNS, PLACE_COLUMNS, ROUTE_COLUMNS  # noqa: E402

TYPES = ("smuggling_crossing", "seizure", "arrest", "defection", "transport", "closure")
STATUSES = ("completed", "attempted", "blocked")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _route_line(origin: Point, rng: random.Random) -> LineString:
    """A route to a place up to ~50 km away (border trips: Sinuiju–Dandong is ~5 km)."""
    dx, dy = rng.uniform(-0.5, 0.5), rng.uniform(-0.4, 0.4)
    return LineString([origin, (round(origin.x + dx, 5), round(origin.y + dy, 5))])


def synthetic_layers(n: int, seed: int = 0) -> SimpleNamespace:
    rng = random.Random(seed)

    def point() -> Point:
        return Point(round(rng.uniform(124.0, 130.5), 5), round(rng.uniform(40.0, 42.9), 5))

    incidents = []
    for i in range(n):
        row = dict.fromkeys(INCIDENT_COLUMNS)
        row.update(
            id=f"b{i // 10:06d}-i{i % 10 + 1:03d}",
            article_id=f"b{i // 10:06d}",
            type=rng.choice(TYPES),
            summary=f"Synthetic incident number {i} near the river",
            excerpt="Synthetic excerpt " * 5,
            place=f"Place {i % 50}",
            date_start="2024-05-01",
            date_end="2024-05-03",
            date_precision="range",
            actors=["border guards"],
            quantities=["three trucks"],
            geo_precision=rng.choice((1, 1, 1, 2, 3)),
            confidence=0.7,
            sources=[],
        )
        incidents.append(row)
    routes = []
    for i in range(n // 5):
        row = dict.fromkeys(ROUTE_COLUMNS)
        row.update(
            id=f"b{i:06d}-r001",
            article_id=f"b{i:06d}",
            origin="A",
            destination="B",
            mode="truck",
            status=rng.choice(STATUSES),
            crosses_border=rng.random() < 0.3,
            length_km=10.0,
            excerpt="x",
            via=[],
        )
        routes.append(row)
    places = []
    for i in range(50):
        row = dict.fromkeys(PLACE_COLUMNS)
        row.update(
            name=f"Place {i}",
            mentions=[f"Place {i}"],
            article_id="b",
            geo_precision=1,
            gazetteer_id=f"bw:place-{i}",
        )
        places.append(row)
    return SimpleNamespace(
        incidents=gpd.GeoDataFrame(
            pd.DataFrame(incidents, columns=list(INCIDENT_COLUMNS)),
            geometry=[point() for _ in incidents],
            crs="EPSG:4326",
        ),
        routes=gpd.GeoDataFrame(
            pd.DataFrame(routes, columns=list(ROUTE_COLUMNS)),
            geometry=[_route_line(point(), rng) for _ in routes],
            crs="EPSG:4326",
        ),
        places=gpd.GeoDataFrame(
            pd.DataFrame(places, columns=list(PLACE_COLUMNS)),
            geometry=[point() for _ in places],
            crs="EPSG:4326",
        ),
        articles=pd.DataFrame(),
    )


def time_in_chromium(path: Path, runs: int) -> list[tuple[float, dict[str, float]]]:
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for _ in range(runs):
            page = browser.new_page(viewport={"width": 1200, "height": 800})
            page.route(
                "**/*",
                lambda r: (
                    r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort()
                ),
            )
            page.goto(path.as_uri(), wait_until="commit")
            page.wait_for_function("window.bwDrawn !== undefined", timeout=120_000)
            drawn = page.evaluate("window.bwDrawn")
            times.append((drawn["t"] / 1000, drawn.get("built", {})))
            page.close()
        browser.close()
    return times


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--n",
        type=int,
        nargs="+",
        default=[10_000, 100_000],
        help="incident counts; 0 measures the empty map (basemap and controls)",
    )
    parser.add_argument("--popups", choices=("short", "full"), default="short")
    parser.add_argument("--runs", type=int, default=3, help="Chromium runs per N (median)")
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args(argv)
    print(
        f"{'N':>8} {'routes':>7} {'build s':>8} {'save s':>7} {'HTML MB':>8} {'drawn s':>8}"
        f" {'+data s':>8}  JS layer construction (ms)"
    )
    counts = args.n if args.no_browser or 0 in args.n else [0, *args.n]
    empty: float | None = None
    with tempfile.TemporaryDirectory() as tmp:
        for n in counts:
            layers = synthetic_layers(n)
            t0 = time.perf_counter()
            m = maps.map_from_layers(layers, popups=args.popups, tiles=False)
            t1 = time.perf_counter()
            path = maps.save_map(m, Path(tmp) / f"map_{n}.html")
            t2 = time.perf_counter()
            size = path.stat().st_size / 1e6
            drawn = extra = "-"
            built = ""
            if not args.no_browser:
                times = sorted(time_in_chromium(path, args.runs), key=lambda r: r[0])
                median = times[len(times) // 2]
                empty = median[0] if n == 0 else empty
                drawn = f"{median[0]:.2f}"
                extra = f"{median[0] - empty:.2f}" if empty is not None else "-"
                built = ", ".join(f"{k}: {v:.0f}" for k, v in median[1].items())
            print(
                f"{n:>8} {n // 5:>7} {t1 - t0:>8.2f} {t2 - t1:>7.2f} {size:>8.2f} {drawn:>8}"
                f" {extra:>8}  {built}",
                flush=True,
            )
    print(
        "drawn s: navigation start -> incidents drawn (median); +data s: minus the empty map"
        " (page start-up, Leaflet, basemap, controls). Load average:"
        f" {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs."
    )


if __name__ == "__main__":
    main()
