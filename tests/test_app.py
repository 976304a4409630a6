"""The Streamlit app, driven headless with AppTest on a small store (no browser).

st_folium is opaque in AppTest, so it is replaced by a fake that records what the app
passed to it and returns a chosen click.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pytest
import streamlit_folium
from streamlit.testing.v1 import AppTest
from test_filters import make_layers

from geo import pipeline

APP_DIR = Path(__file__).resolve().parent.parent
APP = str(APP_DIR / "app.py")


class FakeFolium:
    """Stands in for st_folium: remembers its arguments, returns ``self.returned``."""

    def __init__(self) -> None:
        self.returned: dict | None = None
        self.calls: list[dict] = []

    def __call__(self, fig, **kwargs):
        self.calls.append({"fig": fig, **kwargs})
        return self.returned or {"last_active_drawing": None, "last_object_clicked": None}


@pytest.fixture
def store(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "build"
    pipeline.write_store(make_layers(), folder)
    monkeypatch.setenv("BORDER_WATCH_BUILD", str(folder))
    monkeypatch.setenv("BORDER_WATCH_ARTICLES", str(tmp_path / "no_articles"))
    return folder


@pytest.fixture
def fake(monkeypatch) -> FakeFolium:
    fake = FakeFolium()
    monkeypatch.setattr(streamlit_folium, "st_folium", fake)
    return fake


@pytest.fixture
def at(store, fake) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=30)
    app.run()
    assert not app.exception, app.exception
    return app


def _text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [s.value for s in at.subheader] + [i.value for i in at.info]
    return "\n".join(parts)


def _qp(at: AppTest, key: str) -> list[str]:
    value = at.query_params.get(key, [])
    return [value] if isinstance(value, str) else list(value)


def _count(at: AppTest) -> str:
    return next(c.value for c in at.caption if "incidents ·" in c.value)


def _source(call: dict, key: str) -> tuple[str, str, str | None, dict]:
    """(url, key, mask, extra) of the canvas layer drawing ``key`` in a st_folium call."""
    layers = [c for g in call["feature_group_to_add"] for c in g._children.values()]
    return next(c.source for c in layers if getattr(c, "source", None) and c.source[1] == key)


def _drawn(call: dict, key: str) -> dict:
    """The rows of ``key`` the map draws: the fetched data file restricted to the mask."""
    url, key, mask, _ = _source(call, key)
    assert url.startswith("/app/static/mapdata/") and url.endswith(".json")
    data = json.loads((APP_DIR / "static" / url.removeprefix("/app/static/")).read_text())[key]
    n = len(data["id"] if "id" in data else data["x"])
    bits = (
        np.unpackbits(np.frombuffer(base64.b64decode(mask), dtype=np.uint8), bitorder="little")[:n]
        if mask
        else np.ones(n, dtype=np.uint8)
    )
    return {k: [v[i] for i in np.flatnonzero(bits)] if k.islower() else v for k, v in data.items()}


def _drawn_ids(call: dict) -> list[str]:
    c = _drawn(call, "incidents")
    return [c["A"][a] + i for a, i in zip(c["a"], c["id"], strict=True)]


def test_first_view_shows_all_incidents_and_the_map(at, fake):
    assert _count(at).startswith("4 of 4 incidents")
    call = fake.calls[-1]
    assert call["key"] == "map"
    assert "last_active_drawing" in call["returned_objects"]
    groups = call["feature_group_to_add"]
    assert len(groups) >= 1
    # the map's Leaflet comes from the local static folder, never a CDN
    html = call["fig"].get_root().render()
    assert "cdn.jsdelivr" not in html and "/app/static/vendor/leaflet/leaflet.js" in html
    scripts = [url for _, url in call["fig"].default_js]
    assert all(url.startswith("/app/static/vendor/") for url in scripts[1:])
    # the first script starts fetching the map data (served beside it, content-hashed)
    data_url = _source(call, "incidents")[0]
    assert scripts[0] == data_url.removesuffix(".json") + ".js"
    assert (APP_DIR / "static" / scripts[0].removeprefix("/app/static/")).exists()
    assert len(at.dataframe) >= 1


def test_type_filter_changes_map_table_and_url(at, fake):
    at.multiselect(key="f_type").set_value(["arrest"]).run()
    assert not at.exception
    assert _count(at).startswith("2 of 4 incidents")
    assert _qp(at, "type") == ["arrest"]
    table = at.dataframe[0].value
    assert sorted(table["id"]) == ["a-i002", "b-i002"]
    # the base map is the same object graph (same bounds) -> no iframe reload;
    # only the feature group differs: the same data file, a mask hiding the other rows
    first, last = fake.calls[0]["fig"], fake.calls[-1]["fig"]
    assert first.location == last.location
    assert sorted(_drawn_ids(fake.calls[0])) == ["a-i001", "a-i002", "b-i001"]  # one unplaced
    assert sorted(_drawn_ids(fake.calls[-1])) == ["a-i002"]  # b-i002 is unplaced
    assert _source(fake.calls[0], "incidents")[0] == _source(fake.calls[-1], "incidents")[0]
    assert _source(fake.calls[-1], "incidents")[2] is not None


def test_query_params_are_read_on_start(store, fake):
    app = AppTest.from_file(APP, default_timeout=30)
    app.query_params["type"] = ["smuggling"]
    app.query_params["q"] = "trucks"
    app.run()
    assert not app.exception
    assert app.multiselect(key="f_type").value == ["smuggling"]
    assert app.text_input(key="f_text").value == "trucks"
    assert _count(app).startswith("1 of 4 incidents")


def test_text_search_and_actor_filter(at):
    at.text_input(key="f_text").set_value("zeppelin").run()
    assert _count(at).startswith("0 of 4 incidents")
    at.text_input(key="f_text").set_value("").run()
    at.multiselect(key="f_actor").set_value(["soldiers"]).run()
    assert _count(at).startswith("1 of 4 incidents")


def test_click_shows_the_excerpt_escaped(at, fake):
    fake.returned = {
        "last_active_drawing": {
            "type": "Feature",
            "properties": {"id": "a-i002"},
            "geometry": {"type": "Point", "coordinates": [124.39, 40.13]},
        },
        "last_object_clicked": {"lat": 40.13, "lng": 124.39},
    }
    at.run()
    assert not at.exception
    text = _text(at)
    assert "arrested" in text and "two traders" in text
    assert "\\<b\\>" in text  # untrusted HTML is shown as text, not rendered
    assert "Smugglers cross the river" in text  # article title
    assert _qp(at, "sel") == ["a-i002"]


def test_click_on_route_shows_mode_and_length(at, fake):
    fake.returned = {
        "last_active_drawing": {"properties": {"id": "a-r001"}},
        "last_object_clicked": None,
    }
    at.run()
    text = _text(at).replace("\\", "")
    assert "Route:" in text and "truck" in text and "4.0 km" in text


def test_selection_from_url_and_correction_survives_restart(store, fake):
    app = AppTest.from_file(APP, default_timeout=30)
    app.query_params["sel"] = "a-i001"
    app.run()
    assert not app.exception
    assert "Five trucks crossed" in _text(app)
    # move Sinuiju to a typed position
    app.number_input(key="corr_lat").set_value(40.5)
    app.number_input(key="corr_lon").set_value(124.6)
    submit = next(b for b in app.button if b.label == "Save correction")
    submit.click().run()
    assert not app.exception
    saved = json.loads((store / "corrections.json").read_text())["corrections"]
    assert saved[0]["place"] == "Sinuiju" and saved[0]["article_id"] == "a"
    # a new session (restart) applies it on load
    fresh = AppTest.from_file(APP, default_timeout=30)
    fresh.run()
    assert not fresh.exception, fresh.exception
    assert _count(fresh).startswith("4 of 4"), _count(fresh)
    points = _drawn(fake.calls[-1], "incidents")  # the incidents drawn (columnar lon/lat)
    assert (124.6, 40.5) in set(zip(points["x"], points["y"], strict=True))


def test_bad_upload_shows_one_line_error_and_session_survives(at):
    at.file_uploader(key="upload").set_value(("broken.txt", b"\x00\x01\x02", "text/plain"))
    at.button(key="add_button").click().run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any("broken.txt" in e and "\n" not in e for e in errors), errors
    assert _count(at).startswith("4 of 4 incidents")


def test_pasted_article_is_added(at):
    at.text_area(key="paste_text").set_value(
        "Traders cross the Yalu\n\nOn March 3, 2017, five trucks carrying coal crossed the "
        "bridge from Sinuiju to Dandong, a trader said."
    )
    at.text_input(key="paste_name").set_value("pasted_one")
    at.button(key="add_button").click().run()
    assert not at.exception, at.exception
    assert any("pasted_one" in o for o in at.multiselect(key="f_article").options)


def test_added_article_survives_a_restart_until_removed(at, store, fake):
    at.text_area(key="paste_text").set_value(
        "Traders cross the Yalu\n\nOn March 3, 2017, five trucks carrying coal crossed the "
        "bridge from Sinuiju to Dandong, a trader said."
    )
    at.text_input(key="paste_name").set_value("my report (1)")
    at.button(key="add_button").click().run()
    assert not at.exception, at.exception
    assert [p.name for p in (store / "uploads").iterdir()] == ["my_report_1.txt"]
    assert at.multiselect(key="remove_uploads").options == ["my_report_1.txt"]  # listed at once
    # a new session (restart) merges it with the store
    fresh = AppTest.from_file(APP, default_timeout=30)
    fresh.run()
    assert not fresh.exception, fresh.exception
    assert any("my_report_1" in o for o in fresh.multiselect(key="f_article").options)
    assert fresh.multiselect(key="remove_uploads").options == ["my_report_1.txt"]
    # removing it takes it off the map and out of the store
    fresh.multiselect(key="remove_uploads").set_value(["my_report_1.txt"])
    fresh.button(key="remove_button").click().run()
    assert not fresh.exception, fresh.exception
    assert list((store / "uploads").iterdir()) == []
    assert not any("my_report_1" in o for o in fresh.multiselect(key="f_article").options)
    assert _count(fresh).startswith("4 of 4 incidents")


def test_bad_upload_is_not_kept(at, store):
    at.file_uploader(key="upload").set_value(("broken.txt", b"\x00\x01\x02", "text/plain"))
    at.button(key="add_button").click().run()
    assert not at.exception
    assert not (store / "uploads").exists() or list((store / "uploads").iterdir()) == []


@pytest.mark.slow
def test_fresh_checkout_builds_the_seeds_on_first_run(tmp_path, monkeypatch, fake):
    folder = tmp_path / "fresh_build"
    monkeypatch.setenv("BORDER_WATCH_BUILD", str(folder))
    monkeypatch.setenv("BORDER_WATCH_ARTICLES", str(APP_DIR / "seeds"))
    app = AppTest.from_file(APP, default_timeout=120)
    app.run()
    assert not app.exception, app.exception
    assert (folder / "border.gpkg").exists()
    total = int(_count(app).split(" of ")[1].split()[0])
    assert total > 0
    assert len(app.multiselect(key="f_article").options) == len(
        list((APP_DIR / "seeds").glob("*.txt"))
    )


def test_time_stepper_walks_the_incidents_in_date_order(at, fake):
    stepper = at.select_slider(key="t_step")
    assert stepper.options[0].startswith("2017-03-01 · smuggling")
    stepper.set_value("a-i002").run()
    assert not at.exception
    assert "two traders" in _text(at)
    assert fake.calls[-1]["center"] == pytest.approx((40.13, 124.39))
