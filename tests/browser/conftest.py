"""Playwright fixtures for browser tests (standalone map and the Streamlit app).

Fixtures
--------
browser
    A headless Chromium (Debian's ``/usr/bin/chromium``, never ``playwright install``),
    shared by the session. Tests are skipped when Playwright or Chromium is missing.
page
    A fresh page (1200x800) in a new context, closed after the test.
blocked_network
    A function ``blocked_network(page, allow=("127.0.0.1", "localhost")) -> NetworkLog``
    that aborts every request whose URL is neither ``file:``/``data:``/``blob:`` nor on an
    allowed host. The returned log lists ``allowed`` and ``aborted`` requests as
    ``(resource_type, url)`` pairs; ``log.aborted_assets()`` are the aborted script/stylesheet/
    font requests (must stay empty for an offline page; tile images may be aborted).
serve_folder
    A function ``serve_folder(folder) -> base_url`` serving ``folder`` over
    ``http://127.0.0.1:<port>`` for the rest of the test (a background ``http.server``).
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL_SCHEMES = ("file", "data", "blob", "about")


@dataclass
class NetworkLog:
    """Requests seen by a page with :func:`blocked_network` routing."""

    allowed: list[tuple[str, str]] = field(default_factory=list)
    aborted: list[tuple[str, str]] = field(default_factory=list)

    def aborted_assets(self) -> list[tuple[str, str]]:
        """Aborted requests for scripts, stylesheets and fonts (never acceptable offline)."""
        return [r for r in self.aborted if r[0] in ("script", "stylesheet", "font")]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    if shutil.which(CHROMIUM) is None and not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    pg = context.new_page()
    try:
        yield pg
    finally:
        context.close()


def _route(page: Any, allow: tuple[str, ...]) -> NetworkLog:
    log = NetworkLog()

    def handle(route: Any) -> None:
        request = route.request
        parts = urlsplit(request.url)
        entry = (request.resource_type, request.url)
        if parts.scheme in LOCAL_SCHEMES or parts.hostname in allow:
            log.allowed.append(entry)
            route.continue_()
        else:
            log.aborted.append(entry)
            route.abort()

    page.route("**/*", handle)
    return log


@pytest.fixture
def blocked_network() -> Callable[..., NetworkLog]:
    def install(page: Any, allow: tuple[str, ...] = ("127.0.0.1", "localhost")) -> NetworkLog:
        return _route(page, allow)

    return install


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@pytest.fixture
def serve_folder() -> Iterator[Callable[[Path], str]]:
    servers: list[http.server.ThreadingHTTPServer] = []

    def serve(folder: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()
