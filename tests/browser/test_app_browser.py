"""The Streamlit app in headless Chromium, with every request not to 127.0.0.1 aborted.

Starts ``streamlit run app.py`` on a small store (with a hostile article) and checks the
map draws from local assets, a marker click shows the source excerpt, a filter redraws the
markers without reloading the map iframe, the GeoJSON download is valid, and article text
runs no script. Screenshots go to /tmp/app_*.png.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from test_filters import make_layers  # noqa: E402

from geo import pipeline  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PROJECT = Path(__file__).resolve().parent.parent.parent
STREAMLIT = Path(sys.executable).parent / "streamlit"
HOSTILE = (
    "<script>document.title='pwned-script'</script> "
    "<img src=x onerror=\"document.title='pwned-img'\"> "
    "${document.title='pwned-template'} Police arrested two traders in Dandong."
)
MAP_FRAME = 'iframe[title*="st_folium"]'


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _hostile_layers() -> pipeline.Layers:
    layers = make_layers()
    incidents = layers.incidents
    incidents.loc[incidents["id"] == "a-i002", "excerpt"] = HOSTILE
    articles = layers.articles
    articles.loc[articles["article_id"] == "a", "text"] = (
        "Smugglers cross the river\n\n" + HOSTILE + "\n\nLast paragraph."
    )
    return layers


@pytest.fixture(scope="module")
def app_url(tmp_path_factory) -> Iterator[str]:
    build = tmp_path_factory.mktemp("app_build")
    pipeline.write_store(_hostile_layers(), build)
    port = _free_port()
    env = {
        **os.environ,
        "BORDER_WATCH_BUILD": str(build),
        "BORDER_WATCH_ARTICLES": str(build / "none"),
    }
    log = open(build / "streamlit.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            str(STREAMLIT),
            "run",
            "app.py",
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
        ],
        cwd=PROJECT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit did not start: {(build / 'streamlit.log').read_text()}")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _open(page, url: str, blocked_network, query: str = ""):
    page.set_viewport_size({"width": 1600, "height": 1000})
    network = blocked_network(page)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{url}/{query}")
    page.wait_for_selector(MAP_FRAME, timeout=30_000)
    frame = page.frame_locator(MAP_FRAME)
    frame.locator("#map_div").wait_for(timeout=30_000)
    map_frame = next(f for f in page.frames if "st_folium" in f.url)
    map_frame.wait_for_function("window.bwDrawn !== undefined", timeout=30_000)
    return network, dialogs, map_frame


def _drawn(map_frame) -> int:
    return map_frame.evaluate("window.bwLayers.incidents.getLayers().length")


def _click_incident(page, map_frame, incident_id: str) -> None:
    point = map_frame.evaluate(
        """(id) => {
            const m = window.bwLayers.map;
            const layer = window.bwLayers.incidents.getLayers()
                .find(l => l.feature.properties.id === id);
            m.setView(layer.getLatLng(), 9, {animate: false});
            const p = m.latLngToContainerPoint(layer.getLatLng());
            const r = m.getContainer().getBoundingClientRect();
            return {x: r.left + p.x, y: r.top + p.y};
        }""",
        incident_id,
    )
    box = page.locator(MAP_FRAME).bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])


def test_map_click_filter_download_offline_and_safe(page, app_url, blocked_network, tmp_path):
    network, dialogs, map_frame = _open(page, app_url, blocked_network)
    page.wait_for_timeout(500)
    box = page.locator(MAP_FRAME).bounding_box()
    assert box["height"] > 300
    leaflet_box = page.frame_locator(MAP_FRAME).locator("#map_div").bounding_box()
    assert leaflet_box["height"] > 300
    assert _drawn(map_frame) == 3  # four incidents, one unplaced
    page.screenshot(path="/tmp/app_first_view.png", full_page=True)

    # click a marker -> the detail panel shows the verbatim excerpt, as text
    map_frame.evaluate("window.__sameFrame = true")
    _click_incident(page, map_frame, "a-i002")
    page.get_by_text("pwned-template", exact=False).first.wait_for(timeout=15_000)
    body = page.inner_text("body")
    assert "<script>document.title='pwned-script'</script>" in body
    assert "onerror" in body and "Smugglers cross the river" in body
    page.wait_for_timeout(500)  # the rerun after the click must leave the markers drawn
    assert map_frame.evaluate("window.bwLayers.map.hasLayer(window.bwLayers.incidents)")
    assert _drawn(map_frame) == 3
    page.screenshot(path="/tmp/app_click.png", full_page=True)

    # filter by incident type -> fewer markers, same iframe (no reload)
    page.locator(".stMultiSelect").nth(1).click()
    page.keyboard.type("defection")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    map_frame.wait_for_function(
        "window.bwLayers.incidents.getLayers().length === 1", timeout=15_000
    )
    assert map_frame.evaluate("window.__sameFrame") is True
    page.wait_for_url("**type=defection**", timeout=15_000)  # the view is shareable
    page.screenshot(path="/tmp/app_filtered.png", full_page=True)

    # download the GeoJSON of the filtered view
    page.get_by_role("tab", name="Export").click()
    with page.expect_download(timeout=15_000) as info:
        page.get_by_role("button", name="GeoJSON").click()
    path = tmp_path / "view.geojson"
    info.value.save_as(path)
    collection = json.loads(path.read_text())
    assert collection["type"] == "FeatureCollection"
    incidents = [f for f in collection["features"] if f["properties"]["layer"] == "incidents"]
    assert [f["properties"]["id"] for f in incidents] == ["b-i001"]
    lon, lat = incidents[0]["geometry"]["coordinates"]
    assert 120 < lon < 135 and 38 < lat < 45

    # the standalone HTML map of the same view: self-contained, escaped
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="HTML map").click()
    html = Path(info.value.path()).read_text(encoding="utf-8")
    assert "<html" in html.lower() and "b-i001" in html and "a-i002" not in html
    assert '<script src="http' not in html and '<link rel="stylesheet" href="http' not in html

    # nothing ran, nothing left the machine
    assert page.title() == "Border Watch"
    assert not any(
        t.startswith("pwned") for t in [f.evaluate("document.title") for f in page.frames]
    )
    assert dialogs == []
    assert network.aborted_assets() == []
    assert [u for _, u in network.aborted if "tile" not in u] == []


def test_shared_url_restores_the_view(page, app_url, blocked_network):
    _, _, map_frame = _open(page, app_url, blocked_network, "?type=arrest&sel=a-i001")
    map_frame.wait_for_function(
        "window.bwLayers.incidents.getLayers().length === 1", timeout=15_000
    )
    page.get_by_text("Five trucks crossed", exact=False).first.wait_for(timeout=15_000)
    page.screenshot(path="/tmp/app_shared_url.png", full_page=True)


def test_table_row_selects_and_centres_the_map(page, app_url, blocked_network):
    _, _, map_frame = _open(page, app_url, blocked_network)
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    row_height = 35
    # rows: a-i001, a-i002, b-i001, b-i002; the selection column is the leftmost
    page.mouse.click(box["x"] + 18, box["y"] + row_height * 3 + row_height / 2)
    page.get_by_text("Soldiers crossed near", exact=False).first.wait_for(timeout=15_000)
    map_frame.wait_for_function(
        "Math.abs(window.bwLayers.map.getCenter().lng - 128.18) < 0.05", timeout=15_000
    )
    # the markers are still drawn after the rerun (same data, same layers)
    drawn = "window.bwLayers.map.hasLayer(window.bwLayers.incidents)"
    assert map_frame.evaluate(drawn) and _drawn(map_frame) == 3
    page.screenshot(path="/tmp/app_table_pick.png", full_page=True)


_ALPHA_AT = """(ll) => {  // opacity of the incidents canvas at a lat/lng (0: nothing drawn there)
    const l = window.bwLayers.incidents, b = l._bounds;
    const m = l._container.width / (b.max.x - b.min.x);
    const p = l._map.latLngToLayerPoint(ll);
    const x = Math.round((p.x - b.min.x) * m), y = Math.round((p.y - b.min.y) * m);
    return l._ctx.getImageData(x, y, 1, 1).data[3];
}"""


def test_filter_change_sends_visibility_and_redraws_in_the_same_frame(
    page, app_url, blocked_network
):
    network, _, map_frame = _open(page, app_url, blocked_network)
    hyesan = map_frame.evaluate(
        """() => window.bwLayers.incidents.getLayers()
            .find(l => l.feature.properties.id === "b-i001").getLatLng()"""
    )
    assert map_frame.evaluate(_ALPHA_AT, hyesan) > 0  # the defection at Hyesan is drawn
    map_frame.evaluate("window.__sameFrame = true; window.__routes = window.bwLayers.routes")

    page.locator(".stMultiSelect").nth(1).click()
    page.keyboard.type("arrest")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    map_frame.wait_for_function(
        "window.bwLayers.incidents.getLayers().length === 1", timeout=15_000
    )
    map_frame.wait_for_function("window.bwDrawn.incidents === 1", timeout=15_000)
    ids = map_frame.evaluate(
        "window.bwLayers.incidents.getLayers().map(l => l.feature.properties.id)"
    )
    assert ids == ["a-i002"]
    assert map_frame.evaluate(_ALPHA_AT, hyesan) == 0  # hidden, not only left out of a list
    assert map_frame.evaluate("window.__sameFrame") is True  # no iframe reload
    # the route of article a is still shown: same layer, not rebuilt or redrawn
    assert map_frame.evaluate("window.bwLayers.routes === window.__routes")
    # the data travelled once, as a file; the filter change sent only which rows to show
    fetched = [u for _, u in network.allowed if "/app/static/mapdata/" in u]
    assert len([u for u in fetched if u.endswith(".json")]) == 1, fetched


def test_added_article_redraws_the_map_with_new_data(page, app_url, blocked_network):
    """New data (an upload) is a new data file: the map fetches it and draws its incidents."""
    _, _, map_frame = _open(page, app_url, blocked_network)
    before = _drawn(map_frame)
    first_url = map_frame.evaluate("Object.keys(window.BwData.cache)[0]")
    page.get_by_text("Add articles").click()
    page.get_by_label("…or paste an article").fill(
        "Traders cross the Yalu\n\nOn March 3, 2017, five trucks carrying coal crossed the "
        "bridge from Sinuiju to Dandong, a trader said. Police arrested two smugglers in "
        "Hyesan on March 5, 2017."
    )
    page.get_by_role("button", name="Add to the map").click()
    page.get_by_text("Added 1 article", exact=False).wait_for(timeout=60_000)
    page.wait_for_function(
        """(before) => {
            const f = [...document.querySelectorAll('iframe[title*="st_folium"]')][0];
            const w = f && f.contentWindow;
            return w && w.bwLayers && w.bwDrawn && w.bwLayers.incidents.count() > before;
        }""",
        arg=before,
        timeout=60_000,
    )
    map_frame = next(f for f in page.frames if "st_folium" in f.url)
    assert map_frame.evaluate("Object.keys(window.BwData.cache)[0]") != first_url
    ids = map_frame.evaluate(
        "window.bwLayers.incidents.getLayers().map(l => l.feature.properties.id)"
    )
    assert any(i.startswith("pasted-") for i in ids), ids
    page.get_by_text("Added articles (kept in the store", exact=False).wait_for()
