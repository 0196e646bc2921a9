"""Browser tests: a real `salon serve` on loopback and Debian's chromium driven by Playwright.

Chromium is the Debian package (`make test` installs it through scripts/system-deps.sh),
launched by its path; screenshots go to test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

PROJECT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT / "tests" / "api"))
sys.path.insert(0, str(PROJECT / "tests" / "api" / "documents"))

from browser_helpers import (  # noqa: E402
    Site,
    import_salon,
    launched_chromium,
    organiser_database,
)
from documents_helpers import salon_data  # noqa: E402
from service_helpers import running_server  # noqa: E402


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("browser")
    url, key = organiser_database(folder, "browser@example.org")
    data = salon_data()
    data["participants"][2]["name"] = "Évelyne Industrielle"
    with running_server(url, SALON_OUTBOX_DIR=str(folder / "outbox")) as server:
        with httpx.Client(
            base_url=server.base_url, timeout=30, headers={"Authorization": f"Bearer {key}"}
        ) as api:
            salon_id = import_salon(api, data)
            assert api.post(f"/salons/{salon_id}/wish-window/open").status_code == 200
            people = api.get(f"/salons/{salon_id}/participants").json()["data"]
            tokens = {}
            for person in people:
                link = api.post(f"/salons/{salon_id}/participants/{person['id']}/links", json={})
                assert link.status_code == 201, link.text
                tokens[person["code"]] = link.json()["token"]
        yield Site(server.base_url, key, salon_id, tokens)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with launched_chromium() as launched:
        yield launched
