"""Helpers of the browser tests: the site under test and screenshots as artefacts."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

PROJECT = Path(__file__).resolve().parents[2]
ARTIFACTS = PROJECT / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@dataclass
class Site:
    """The running service with one imported salon, its organiser key and personal links."""

    base_url: str
    api_key: str
    salon_id: int
    tokens: dict[str, str]

    def api(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {self.api_key}"},
            timeout=30,
        )


def screenshot(page: object, name: str) -> Path:
    """Save a full-page screenshot as a test artefact."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path


@contextmanager
def launched_chromium() -> Iterator[Any]:
    """Debian's chromium driven by Playwright (headless); the test fails, saying how to install
    it, when it is missing."""
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail(
            "Debian's chromium is not installed: run `make test` (it installs it with "
            "scripts/system-deps.sh), or `sh scripts/system-deps.sh` as root."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def organiser_database(folder: Path, email: str) -> tuple[str, str]:
    """A migrated SQLite database in `folder` with one organiser: its URL and the API key."""
    from api.db import make_engine, make_session_factory, migrate
    from api.organisers.service import create_organiser

    url = f"sqlite:///{folder / 'salon.db'}"
    migrate(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        key = create_organiser(session, email=email).key
    engine.dispose()
    return url, key


def import_salon(api: httpx.Client, data: dict[str, Any]) -> int:
    """Import a salon/v1 document through the API; its id."""
    response = api.post(
        "/salons/import", content=json.dumps(data), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 201, response.text
    salon_id: int = response.json()["id"]
    return salon_id
