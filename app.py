"""Border Watch: a Streamlit map of North Korea–China border incidents (UI only).

Run with ``streamlit run app.py``. Reads the store in ``$BORDER_WATCH_BUILD`` (default
``data/build``) and builds it from ``$BORDER_WATCH_ARTICLES`` (default ``seeds/``) on
first run. Every computation lives in ``geo/``; this file holds widgets only.

Offline: Leaflet and its plugins are copied once from the installed xstatic packages
into ``static/vendor/`` and served by Streamlit's static file serving
(``.streamlit/config.toml``), so the map never asks a CDN for anything.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit_folium import st_folium

from geo import corrections, export, filters, maps, pipeline, settings, uploads
from geo._errors import GeoError
from geo.filters import FilterState

logger = logging.getLogger("border_watch.app")

APP_FOLDER = Path(__file__).resolve().parent
BUILD_FOLDER = Path(os.environ.get("BORDER_WATCH_BUILD") or settings.build_folder)
ARTICLES_FOLDER = Path(os.environ.get("BORDER_WATCH_ARTICLES") or settings.seeds_folder)
VENDOR_FOLDER = APP_FOLDER / "static" / "vendor"
#: the unfiltered map data, one content-hashed JSON file per data set (fetched by the map)
MAP_DATA_FOLDER = APP_FOLDER / "static" / "mapdata"
#: uploaded articles are kept in this folder of the store and merged with it on load
UPLOADS = "uploads"
MAP_HEIGHT = 620
TABLE_MAX_ROWS = 1_000  # larger views are listed in part (a light page); downloads hold all
TIMELINE_MAX_ROWS = 1_500  # larger views are charted as weekly counts
#: widget key -> FilterState field, for the list-valued sidebar filters
LIST_WIDGETS = {
    "f_article": "articles",
    "f_type": "types",
    "f_place": "places",
    "f_country": "countries",
    "f_actor": "actors",
    "f_precision": "precisions",
}
PRECISION_LABELS = {1: "1 · the place itself", 2: "2 · near a place", 3: "3 · region only"}


# ---------------------------------------------------------------- set-up (cached)


@st.cache_resource
def _configure_logging() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )


def _static_url(path: str) -> str:
    """Root-relative URL of ``static/<path>`` as Streamlit serves it.

    The map is drawn inside streamlit-folium's component iframe, whose own URL is
    ``/component/...``; a relative ``app/static`` link would resolve below it, so the
    URL is absolute from the server root (honouring ``server.baseUrlPath``).
    """
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return "/" + "/".join(part for part in (base, "app/static", path) if part)


@st.cache_resource
def _vendor_base_url() -> str:
    """Copy the vendor assets under static/vendor once; return their root-relative URL."""
    for logical, source in maps.vendor_files().items():
        target = VENDOR_FOLDER / logical
        if not target.exists() or target.stat().st_size != source.stat().st_size:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    return _static_url("vendor")


def _store_stamp(folder: Path) -> tuple:
    """Modification times of the store files: a new build or correction invalidates caches."""
    names = ("border.gpkg", "incidents.geojson", corrections.CORRECTIONS_FILE)
    return tuple((n, (folder / n).stat().st_mtime_ns) for n in names if (folder / n).exists())


def _store_exists(folder: Path) -> bool:
    return (folder / "border.gpkg").exists() or (folder / "incidents.geojson").exists()


# Layers are cached as shared resources (no copy per run: 100,000 incidents would take
# seconds to unpickle); nothing in geo/ modifies a Layers in place.
@st.cache_resource(show_spinner="Reading the articles…", max_entries=4)
def _base_layers(folder: str, articles_folder: str, stamp: tuple) -> pipeline.Layers:
    if not _store_exists(Path(folder)):
        logger.info("No store in %s: building it from %s", folder, articles_folder)
        return pipeline.build(articles_folder, folder)
    return pipeline.read_store(folder)


@st.cache_resource(show_spinner="Reading the new articles…", max_entries=16)
def _added_layers(named_texts: tuple[tuple[str, bytes], ...]) -> pipeline.Layers:
    return pipeline.layers_from_texts(list(named_texts))


@st.cache_resource(max_entries=4)
def _all_layers(
    folder: str, articles_folder: str, stamp: tuple, named_texts: tuple[tuple[str, bytes], ...]
) -> pipeline.Layers:
    layers = _base_layers(folder, articles_folder, stamp)
    if named_texts:
        layers = pipeline.merge_layers(layers, _added_layers(named_texts))
    return corrections.apply_corrections(layers, corrections.load_corrections(folder))


@st.cache_resource(max_entries=16)
def _filtered(_layers: pipeline.Layers, layers_key: tuple, state: FilterState) -> Any:
    return filters.filter_layers(_layers, state)


@st.cache_resource(max_entries=8)
def _options(_layers: pipeline.Layers, layers_key: tuple) -> dict[str, Any]:
    return filters.options_from_layers(_layers)


@st.cache_resource(max_entries=16)
def _table_frame(_filtered_layers: Any, layers_key: tuple, state: FilterState) -> Any:
    return filters.incident_table(_filtered_layers.incidents, max_rows=TABLE_MAX_ROWS)


@st.cache_resource(max_entries=16)
def _timeline_frame(_filtered_layers: Any, layers_key: tuple, state: FilterState) -> Any:
    return filters.timeline_frame(_filtered_layers.incidents, max_rows=TIMELINE_MAX_ROWS)


def _load() -> pipeline.Layers | None:
    added = uploads.saved_uploads(BUILD_FOLDER / UPLOADS)
    stamp = _store_stamp(BUILD_FOLDER)
    try:
        layers = _all_layers(str(BUILD_FOLDER), str(ARTICLES_FOLDER), stamp, added)
    except GeoError as e:
        st.error(str(e))
        return None
    st.session_state["layers_key"] = (str(BUILD_FOLDER), stamp, added)
    return layers


# ---------------------------------------------------------------- sidebar filters


def _init_from_url(options: dict[str, Any]) -> None:
    """On the first run of a session, put the URL's filters into the widgets."""
    if st.session_state.get("_url_read"):
        return
    st.session_state["_url_read"] = True
    state = FilterState.from_query_params({k: st.query_params.get_all(k) for k in st.query_params})
    choices = {
        "articles": options["articles"],
        "types": options["types"],
        "places": options["places"],
        "countries": options["countries"],
        "actors": options["actors"],
        "precisions": options["precisions"],
    }
    for key, name in LIST_WIDGETS.items():
        st.session_state[key] = [v for v in getattr(state, name) if v in choices[name]]
    st.session_state["f_text"] = state.text
    if options["dates"] and (state.date_from or state.date_to):
        first, last = options["dates"]
        lo = max(first, min(state.date_from or first, last))
        hi = min(last, max(state.date_to or last, lo))
        st.session_state["f_dates"] = (lo, hi)
    if state.selected:
        st.session_state["selection_source"] = ("id", state.selected)


def _sidebar(options: dict[str, Any]) -> FilterState:
    sb = st.sidebar
    sb.header("Filters")
    titles = options["titles"]
    sb.multiselect(
        "Article",
        options["articles"],
        key="f_article",
        format_func=lambda a: f"{titles.get(a) or a} ({a})" if titles.get(a) else a,
    )
    sb.multiselect("Incident type", options["types"], key="f_type")
    date_from = date_to = None
    if options["dates"] and options["dates"][0] < options["dates"][1]:
        first, last = options["dates"]
        current = st.session_state.get("f_dates")
        if not current or current[0] < first or current[1] > last:
            st.session_state["f_dates"] = (first, last)
        lo, hi = sb.slider(
            "Date range",
            min_value=first,
            max_value=last,
            key="f_dates",
            help="An incident is kept when its date span overlaps the range; "
            "undated incidents are hidden once the range is narrowed.",
        )
        date_from = lo if lo > first else None
        date_to = hi if hi < last else None
        if date_from or date_to:
            date_from, date_to = lo, hi
    sb.multiselect("Place", options["places"], key="f_place")
    sb.multiselect("Country", options["countries"], key="f_country")
    sb.multiselect("Actor", options["actors"], key="f_actor")
    sb.multiselect(
        "Geo precision",
        options["precisions"],
        key="f_precision",
        format_func=lambda p: PRECISION_LABELS.get(p, str(p)),
    )
    sb.text_input("Search excerpts", key="f_text", placeholder="e.g. truck bridge")
    return FilterState(
        **{name: tuple(st.session_state.get(key) or ()) for key, name in LIST_WIDGETS.items()},
        date_from=date_from,
        date_to=date_to,
        text=st.session_state.get("f_text") or "",
    )


def _write_url(state: FilterState) -> None:
    params = state.to_query_params()
    current = {k: st.query_params.get_all(k) for k in st.query_params}
    wanted = {k: v if isinstance(v, list) else [v] for k, v in params.items()}
    if current != wanted:
        st.query_params.from_dict(params)


# ---------------------------------------------------------------- selection callbacks


def _take_click(returned: Any) -> None:
    """Select what a new map click hit (the component keeps returning the last click)."""
    if not returned or returned == st.session_state.get("_last_map_return"):
        return
    st.session_state["_last_map_return"] = returned
    if returned.get("last_active_drawing") or returned.get("last_object_clicked"):
        st.session_state["selection_source"] = ("click", returned)


def _on_table_select() -> None:
    event = st.session_state.get("incident_table")
    rows = list(getattr(getattr(event, "selection", None), "rows", None) or [])
    if not rows and isinstance(event, dict):
        rows = list(event.get("selection", {}).get("rows", []))
    ids = st.session_state.get("table_ids", [])
    if rows and rows[0] < len(ids):
        st.session_state["selection_source"] = ("id", ids[rows[0]])
        st.session_state["recentre"] = True


def _selection(layers: pipeline.Layers) -> dict | None:
    kind, value = st.session_state.get("selection_source", ("", ""))
    found = None
    if kind == "id":
        found = filters.selection_from_id(str(value), layers)
    elif kind == "click":
        found = filters.selection_from_click(value, layers)
        if found is not None and found["kind"] != "place":
            st.session_state["selection_source"] = ("id", found["id"])
    return found


# ---------------------------------------------------------------- map


def _map_bounds(layers: pipeline.Layers) -> tuple[float, float, float, float] | None:
    """(min_lon, min_lat, max_lon, max_lat) of all incidents (else places), padded."""
    for gdf in (layers.incidents, layers.places):
        points = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
        if len(points):
            minx, miny, maxx, maxy = (float(v) for v in points.total_bounds)
            pad = 0.2
            return (minx - pad, miny - pad, maxx + pad, maxy + pad)
    return None


@st.cache_resource(show_spinner="Preparing the map…", max_entries=4)
def _map_data(_layers: pipeline.Layers, layers_key: tuple) -> maps.MapData:
    """All incidents, routes and places serialised once per data set (not per filter)."""
    return maps.map_data_from_layers(_layers, popups="short")


def _map_data_url(data: maps.MapData) -> str:
    """Make sure the data file is served (written once; stale ones pruned); return its URL."""
    ignore = MAP_DATA_FOLDER / ".gitignore"
    if not ignore.exists():
        MAP_DATA_FOLDER.mkdir(parents=True, exist_ok=True)
        ignore.write_text("*\n", encoding="utf-8")
    path = maps.save_map_data(data, MAP_DATA_FOLDER)
    return _static_url(f"mapdata/{path.name}")


def _draw_map(
    layers: pipeline.Layers,
    filtered: pipeline.Layers,
    selection: dict | None,
    types: list[str],
) -> Any:
    # The base map depends only on the unfiltered data, so its script (and the iframe)
    # stays the same across filter changes. The map fetches all the data once, from a
    # content-hashed file; the feature group streamlit-folium swaps in place on a filter
    # change carries only which rows are visible (a bit mask per layer).
    m = maps.base_map(
        bounds=_map_bounds(layers),
        tiles=bool(st.session_state.get("tiles")),
        incident_types=types,
    )
    maps.localize_assets(m, mode="url", base_url=_vendor_base_url())
    data = _map_data(layers, st.session_state["layers_key"])
    url = _map_data_url(data)
    maps.prefetch_map_data(m, url)  # the fetch starts with the map's first script
    groups = [maps.feature_group_from_map_data(data, url, visible=filtered)]
    center = zoom = None
    if selection and selection.get("center") and st.session_state.pop("recentre", False):
        center, zoom = selection["center"], 11
        st.session_state["map_view"] = (center, zoom)
    elif st.session_state.get("map_view"):
        center, zoom = st.session_state["map_view"]
    return st_folium(
        m,
        key="map",
        height=MAP_HEIGHT,
        use_container_width=True,
        feature_group_to_add=list(groups),
        center=center,
        zoom=zoom,
        returned_objects=["last_active_drawing", "last_object_clicked"],
    )


# ---------------------------------------------------------------- detail panel


def _kv(label: str, value: Any) -> None:
    if hasattr(value, "tolist"):  # numpy arrays from the store
        value = value.tolist()
    if value is None or (isinstance(value, str | list | tuple) and len(value) == 0):
        return
    if isinstance(value, list | tuple):
        value = ", ".join(str(v) for v in value)
    st.markdown(f"**{label}:** {filters.escape_markdown(str(value))}")


def _date_text(record: dict) -> str:
    start, end = record.get("date_start"), record.get("date_end")
    if not start:
        return "unknown"
    text = start if not end or end == start else f"{start} – {end}"
    text += f" ({record.get('date_precision') or 'unknown'}"
    return text + (", year inferred)" if record.get("date_inferred") else ")")


def _detail(selection: dict | None) -> None:
    if selection is None:
        st.info("Click an incident or route on the map, or a row of the table, to see its source.")
        return
    record = selection["record"]
    kind = selection["kind"]
    if kind == "incident":
        kind_label = str(record.get("type") or "incident").replace("_", " ").capitalize()
        st.subheader(filters.escape_markdown(kind_label))
        _kv("Date", _date_text(record))
        _kv("Place", record.get("place") or "unplaced")
        _kv("Geo precision", PRECISION_LABELS.get(record.get("geo_precision"), None))
        _kv("Actors", record.get("actors"))
        _kv("Quantities", record.get("quantities"))
        _kv("Confidence", record.get("confidence"))
    elif kind == "route":
        route = f"{record.get('origin')} → {record.get('destination')}"
        st.subheader(f"Route: {filters.escape_markdown(route)}")
        _kv("Via", record.get("via"))
        _kv("Mode", record.get("mode"))
        _kv("Status", record.get("status"))
        _kv("Crosses the border", "yes" if record.get("crosses_border") else "no")
        _kv("Length", f"{record.get('length_km'):.1f} km" if record.get("length_km") else None)
        _kv("Date", _date_text(record))
    else:
        st.subheader(f"Place: {filters.escape_markdown(str(record.get('name')))}")
    if selection["excerpt_md"]:
        st.markdown("**Excerpt** (verbatim)")
        st.markdown(f"> {selection['excerpt_md']}")
    _place_detail(selection.get("place"))
    _article_detail(selection.get("article"), selection.get("paragraph_md", ""))
    if selection.get("place"):
        _correction_form(selection["place"])


def _place_detail(place: dict | None) -> None:
    if not place:
        return
    name = filters.escape_markdown(str(place.get("name")))
    with st.expander(f"Where: {name} — why this place", expanded=False):
        _kv("Geo precision", PRECISION_LABELS.get(place.get("geo_precision")))
        _kv("Country", place.get("country_code"))
        _kv("Gazetteer id", place.get("gazetteer_id"))
        _kv("Confidence", place.get("confidence"))
        _kv("Reason", place.get("reason"))
        _kv("Mentions", place.get("mentions"))
        candidates = place.get("candidates") or []
        if candidates:
            st.dataframe(
                [
                    {
                        k: c.get(k)
                        for k in ("gazetteer_id", "name", "country_code", "score", "lat", "lon")
                    }
                    for c in candidates
                ],
                hide_index=True,
            )


def _article_detail(article: dict | None, paragraph_md: str) -> None:
    if not article:
        return
    _kv("Article", article.get("title") or article.get("article_id"))
    _kv("Source", article.get("source"))
    _kv("Published", article.get("published"))
    url = str(article.get("url") or "")
    if url.startswith(("http://", "https://")):
        st.link_button("Open the original article", url)
    if paragraph_md:
        with st.expander("Paragraph around the excerpt"):
            st.markdown(paragraph_md)


def _correction_form(place: dict) -> None:
    with st.expander("Correct this place"):
        with st.form(key="correction_form", clear_on_submit=False):
            candidates = place.get("candidates") or []
            labels = ["(enter a position)"] + [
                f"{c.get('name')} · {c.get('country_code')} · {c.get('gazetteer_id')} "
                f"· score {c.get('score')}"
                for c in candidates
            ]
            choice = st.selectbox(
                "Use candidate",
                range(len(labels)),
                format_func=lambda i: labels[i],
                key="corr_choice",
            )
            lat = st.number_input(
                "Latitude", -90.0, 90.0, value=None, format="%.5f", key="corr_lat"
            )
            lon = st.number_input(
                "Longitude", -180.0, 180.0, value=None, format="%.5f", key="corr_lon"
            )
            everywhere = st.checkbox(
                "Everywhere this gazetteer entry was used (all articles)",
                key="corr_everywhere",
                disabled=not place.get("gazetteer_id"),
            )
            note = st.text_input("Note", key="corr_note")
            if st.form_submit_button("Save correction"):
                _save_correction(place, choice, lat, lon, everywhere, note)


def _save_correction(
    place: dict, choice: int, lat: float | None, lon: float | None, everywhere: bool, note: str
) -> None:
    scope = (
        {"scope_gazetteer_id": str(place.get("gazetteer_id") or "")}
        if everywhere
        else {"article_id": str(place.get("article_id")), "place": str(place.get("name"))}
    )
    try:
        if choice > 0:
            correction = corrections.correction_from_candidate(
                place["candidates"][choice - 1], note=note, **scope
            )
        elif lat is None or lon is None:
            st.error("Correction: choose a candidate or enter both latitude and longitude.")
            return
        else:
            correction = corrections.Correction(lat=lat, lon=lon, note=note, **scope)
        corrections.add_correction(BUILD_FOLDER, correction)
    except GeoError as e:
        st.error(str(e))
        return
    st.session_state["recentre"] = True
    st.success("Correction saved; the map is redrawn with it.")
    st.rerun()


# ---------------------------------------------------------------- table, timeline, export


def _table(table: Any, total: int) -> None:
    if total > len(table):
        st.caption(
            f"Showing the first {len(table):,} of {total:,} incidents; "
            "narrow the filters, or download the view for every row."
        )
    st.session_state["table_ids"] = list(table["id"])
    st.dataframe(
        table,
        key="incident_table",
        on_select=_on_table_select,
        selection_mode="single-row",
        hide_index=True,
        width="stretch",
    )


def _type_colors(frame: Any) -> dict[str, list[str]]:
    """Vega-Lite colour scale matching the map's marker colours."""
    types = sorted(str(t) for t in frame["type"].dropna().unique())
    return {"domain": types, "range": [maps.color_for_type(t) for t in types]}


def _timeline(frame: Any) -> None:
    if frame.empty:
        st.caption("No dated incidents in this view.")
        return
    if (frame["id"] == "").all():
        st.caption("Many incidents: weekly counts per type.")
        spec = {
            "mark": {"type": "bar"},
            "encoding": {
                "x": {"field": "start", "type": "temporal", "title": "week"},
                "x2": {"field": "end"},
                "y": {"field": "count", "type": "quantitative", "stack": "zero"},
                "color": {"field": "type", "type": "nominal", "scale": _type_colors(frame)},
                "tooltip": [{"field": f} for f in ("start", "type", "count")],
            },
        }
        st.vega_lite_chart(frame, spec, width="stretch")
        return
    spec = {
        "mark": {"type": "bar", "cornerRadius": 2, "height": 10},
        "encoding": {
            "x": {
                "field": "start",
                "type": "temporal",
                "title": "date",
                "axis": {"format": "%b %Y"},
            },
            "x2": {"field": "end"},
            "y": {"field": "type", "type": "nominal", "title": None},
            "color": {
                "field": "type",
                "type": "nominal",
                "legend": None,
                "scale": _type_colors(frame),
            },
            "tooltip": [{"field": f} for f in ("id", "start", "type", "place", "summary")],
        },
    }
    st.vega_lite_chart(frame, spec, width="stretch")
    _stepper(frame)


def _stepper(frame: Any) -> None:
    """A slider that walks through the dated incidents in order, on the map and in detail."""
    if len(frame) < 2:
        return
    labels = {
        row.id: f"{row.start} · {row.type} · {row.place or 'unplaced'}"
        for row in frame.itertuples(index=False)
    }
    ids = list(labels)
    if st.session_state.get("t_step") not in labels:
        st.session_state.pop("t_step", None)
    st.select_slider(
        "Step through the incidents in date order",
        options=ids,
        key="t_step",
        format_func=lambda i: labels.get(i, i),  # option labels are plain text, not markdown
        on_change=_on_step,
    )


def _on_step() -> None:
    incident_id = st.session_state.get("t_step")
    if incident_id:
        st.session_state["selection_source"] = ("id", incident_id)
        st.session_state["recentre"] = True


def _export_bytes(layers: pipeline.Layers, fmt: str) -> bytes:
    if fmt == "geojson":
        return json.dumps(export.featurecollection_from_layers(layers), ensure_ascii=False).encode()
    if hasattr(export, "export_bytes"):
        return export.export_bytes(layers, fmt)
    with tempfile.TemporaryDirectory() as tmp:
        path = export.export_layers(layers, Path(tmp) / f"border_watch.{fmt}", fmt=fmt)
        return Path(path).read_bytes()


def _html_bytes(layers: pipeline.Layers) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "border_watch_map.html"
        maps.save_map(maps.map_from_layers(layers), path)
        return path.read_bytes()


def _downloads(filtered: pipeline.Layers) -> None:
    st.caption("Downloads contain exactly the filtered view.")
    cols = st.columns(4)
    formats = [
        ("GeoJSON", "geojson", "application/geo+json"),
        ("CSV", "csv", "text/csv"),
        ("KML", "kml", "application/vnd.google-earth.kml+xml"),
    ]
    # data are callables: a file is only built when its button is pressed
    for col, (label, fmt, mime) in zip(cols, formats, strict=False):
        col.download_button(
            label,
            lambda fmt=fmt: _export_bytes(filtered, fmt),
            file_name=f"border_watch.{fmt}",
            mime=mime,
            key=f"dl_{fmt}",
            on_click="ignore",
        )
    cols[3].download_button(
        "HTML map",
        lambda: _html_bytes(filtered),
        file_name="border_watch_map.html",
        mime="text/html",
        key="dl_html",
        on_click="ignore",
    )


# ---------------------------------------------------------------- adding articles


def _save_uploads(new: list[tuple[str, bytes]]) -> int:
    """Build each new article; save those that build (shown with errors for the others)."""
    saved = 0
    for name, data in new:
        safe = uploads.safe_name(name)
        try:
            result = _added_layers(((safe, data),))
        except GeoError as e:
            st.error(str(e))
            continue
        for message in result.skipped:
            st.error(message.replace(safe, name, 1))
        if result.skipped:
            continue
        uploads.save_upload(BUILD_FOLDER / UPLOADS, name, data)
        saved += 1
    return saved


def _remove_uploads() -> None:
    for name in st.session_state.get("remove_uploads") or []:
        uploads.remove_upload(BUILD_FOLDER / UPLOADS, name)
    st.session_state["remove_uploads"] = []


def _add_articles() -> None:
    with st.sidebar.expander("Add articles"):
        files = st.file_uploader(
            "Article files (.txt, .md)",
            type=["txt", "md"],
            accept_multiple_files=True,
            key="upload",
        )
        st.text_input("Name of the pasted article", key="paste_name", value="pasted")
        st.text_area("…or paste an article", key="paste_text", height=120)
        if st.button("Add to the map", key="add_button"):
            new = [(f.name, f.getvalue()) for f in files or []]
            text = (st.session_state.get("paste_text") or "").strip()
            if text:
                new.append((f"{st.session_state.get('paste_name') or 'pasted'}.txt", text.encode()))
            if not new:
                st.warning("Choose files or paste a text first.")
            elif added := _save_uploads(new):
                st.success(f"Added {added} article(s); they stay until removed here.")
        saved = [name for name, _ in uploads.saved_uploads(BUILD_FOLDER / UPLOADS)]  # with new
        if saved:
            st.multiselect(
                "Added articles (kept in the store; remove any)", saved, key="remove_uploads"
            )
            st.button("Remove from the map", key="remove_button", on_click=_remove_uploads)


# ---------------------------------------------------------------- page


def main() -> None:
    """Lay out the page: sidebar filters, map with detail panel, timeline, table, downloads."""
    st.set_page_config(page_title="Border Watch", page_icon="🗺️", layout="wide")
    _configure_logging()
    st.title("Border Watch")
    _add_articles()
    layers = _load()
    if layers is None:
        return
    for message in layers.skipped:
        st.sidebar.warning(message)
    options = _options(layers, st.session_state["layers_key"])
    _init_from_url(options)
    state = _sidebar(options)
    st.sidebar.toggle(
        "Online map tiles",
        key="tiles",
        value=False,
        help="Off: the offline basemap only; no request leaves this computer.",
    )
    filtered = _filtered(layers, st.session_state["layers_key"], state)
    st.caption(
        f"{len(filtered.incidents)} of {len(layers.incidents)} incidents · "
        f"{len(filtered.routes)} routes · {len(filtered.places)} places"
    )
    map_col, detail_col = st.columns([3, 2])
    with map_col:
        before = _selection(filtered) or _selection(layers)  # table picks centre the map
        _take_click(_draw_map(layers, filtered, before, options["types"]))
    selection = _selection(filtered) or _selection(layers)
    selected_id = selection["id"] if selection and selection["kind"] != "place" else ""
    _write_url(dataclasses.replace(state, selected=selected_id))
    with detail_col:
        if (
            selection
            and filters.selection_from_id(selection["id"], filtered) is None
            and (selection["kind"] != "place")
        ):
            st.caption("This item is hidden by the current filters.")
        _detail(selection)
    tab_table, tab_time, tab_export = st.tabs(["Incidents", "Timeline", "Export"])
    with tab_table:
        _table(
            _table_frame(filtered, st.session_state["layers_key"], state), len(filtered.incidents)
        )
    with tab_time:
        _timeline(_timeline_frame(filtered, st.session_state["layers_key"], state))
    with tab_export:
        _downloads(filtered)


_started = time.perf_counter()
main()
logger.info("Page drawn in %.2f s", time.perf_counter() - _started)
