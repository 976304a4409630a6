"""The standalone map in headless Chromium with every non-local request blocked."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from shapely.geometry import LineString, Point

from geo import maps

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from test_maps import XSS, _incident, make_layers  # noqa: E402

pytestmark = pytest.mark.browser

EXCERPT = "Five trucks crossed from Sinuiju to Dandong at night. "


@pytest.fixture
def standalone(tmp_path, serve_folder):
    incidents = [
        _incident(1, excerpt=EXCERPT + XSS, type="smuggling_crossing"),
        _incident(2, place="Hoeryong", geo_precision=2, type="arrest"),
        _incident(3, place="North Hamgyong", geo_precision=3, type="defection"),
        _incident(4, place=None, geo_precision=None),
    ]
    points = [Point(124.40, 40.10), Point(129.75, 42.44), Point(129.5, 41.8), None]
    routes = [
        (
            {
                "id": "t-r001",
                "origin": "Sinuiju",
                "destination": "Dandong",
                "status": "blocked",
                "crosses_border": True,
                "mode": "truck",
            },
            LineString([(124.40, 40.10), (124.39, 40.13)]),
        ),
        (
            {
                "id": "t-r002",
                "origin": "Musan",
                "destination": "Hoeryong",
                "status": "completed",
                "crosses_border": False,
                "mode": "rail",
            },
            LineString([(129.2, 42.23), (129.75, 42.44)]),
        ),
    ]
    layers = make_layers(incidents, points, routes)
    maps.save_map(maps.map_from_layers(layers, popups="full"), tmp_path / "map.html")
    return serve_folder(tmp_path) + "/map.html"


def _open(page, url, blocked_network):
    log = blocked_network(page)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.wait_for_function("window.bwDrawn !== undefined", timeout=10_000)
    return log, errors


def test_map_draws_offline_and_popup_shows_excerpt_as_text(page, standalone, blocked_network):
    log, errors = _open(page, standalone, blocked_network)
    title = page.title()
    assert errors == []
    assert log.aborted_assets() == []  # only tile images may be blocked
    assert all(kind == "image" for kind, _ in log.aborted)

    assert page.evaluate("window.bwDrawn.incidents") == 3
    # uncertainty circles (precision 2 and 3) are drawn at this zoom
    assert page.evaluate("window.bwLayers.halos.count()") == 2
    assert page.evaluate("window.bwLayers.halos.hidden") is False
    assert page.evaluate("window.bwLayers.incidents.getLayers().length") == 3
    # the offline basemap is drawn (countries in the basemap pane) and the legend is shown
    assert page.locator(".leaflet-bw-basemap-pane canvas").count() >= 1
    assert page.locator(".bw-legend").is_visible()
    assert page.locator(".bw-base-label").count() > 20

    dashed = page.evaluate(
        """() => window.bwLayers.routes.getLayers()
             .filter(l => !l.feature.properties.arrow)
             .map(l => [l.feature.properties.id, l.options.dashArray, l.options.color])"""
    )
    assert sorted(dashed) == [["t-r001", "8 6", "#c62828"], ["t-r002", None, "#1f4e9c"]]
    # the arrow head of Musan -> Hoeryong points at Hoeryong
    tip = page.evaluate(
        """() => {
             const r = window.bwLayers.routes, m = window.bwLayers.map;
             const i = r.getLayers().findIndex(l => l.feature.properties.id === 't-r002');
             const h = r.arrowHead(i), d = m.latLngToLayerPoint([42.44, 129.75]);
             const start = m.latLngToLayerPoint([42.23, 129.2]);
             return [h[0][0] - d.x, h[0][1] - d.y, h[1][0] < d.x && h[1][0] > start.x];
           }"""
    )
    assert abs(tip[0]) < 1 and abs(tip[1]) < 1 and tip[2]

    # click the Sinuiju incident (canvas renderer: click its pixel position)
    xy = page.evaluate(
        """() => {
             const m = window.bwLayers.map;
             const l = window.bwLayers.incidents.getLayers()
               .find(l => l.feature.properties.id === 't-i001');
             m.setView(l.getLatLng(), 9, {animate: false});
             const p = m.latLngToContainerPoint(l.getLatLng());
             const r = m.getContainer().getBoundingClientRect();
             return [r.left + p.x, r.top + p.y];
           }"""
    )
    page.wait_for_timeout(200)
    page.mouse.move(xy[0], xy[1])  # hover: the short label as a tooltip, as text
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.wait_for(timeout=5_000)
    assert "Seizure 1" in tooltip.inner_text() and tooltip.locator("img, script").count() == 0
    page.mouse.click(xy[0], xy[1])
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5_000)
    text = popup.inner_text()
    assert EXCERPT.strip() in text
    assert "<script>document.title='pwned'</script>" in text
    assert "${document.title='pwned'}" in text
    assert popup.locator("img, script").count() == 0
    assert popup.locator("mark").first.inner_text() == "Sinuiju"
    page.wait_for_timeout(200)
    assert page.title() == title
    page.screenshot(path="/tmp/map_popup.png")


def test_screenshot_offline_overview(page, standalone, blocked_network):
    _open(page, standalone, blocked_network)
    page.wait_for_timeout(300)
    page.screenshot(path="/tmp/map.png")
    assert Path("/tmp/map.png").stat().st_size > 10_000


def test_fullscreen_and_minimap_controls(page, standalone, blocked_network):
    _open(page, standalone, blocked_network)
    assert page.locator(".bw-fullscreen a").is_visible()
    assert page.locator(".bw-minimap canvas").count() >= 1
    before = page.evaluate("window.bwMinimap.getCenter().lng")
    # (return nothing: serialising the Leaflet map object would take seconds)
    page.evaluate("() => { window.bwLayers.map.setView([42.4, 130.5], 8, {animate: false}); }")
    page.wait_for_timeout(100)
    assert page.evaluate("window.bwMinimap.getCenter().lng") != before
