"""The catalogue in Debian's chromium with JavaScript off: a real `salon serve` with the
example programme; search with facets, event page, language switch, magic-link sign-in."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from catalogue_helpers import magic_token
from service_helpers import running_server

from api.catalogue import load_catalogue_file
from api.db import make_engine, make_session_factory, migrate

pytestmark = pytest.mark.browser

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "catalogue-2023.json"
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    folder = tmp_path_factory.mktemp("catalogue-browser")
    url = f"sqlite:///{folder / 'salon.db'}"
    migrate(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        load_catalogue_file(session, EXAMPLE)
    engine.dispose()
    outbox = folder / "outbox"
    with running_server(url, SALON_OUTBOX_DIR=str(outbox)) as server:
        yield server.base_url, outbox


@pytest.fixture(scope="module")
def page(served: tuple[str, Path]) -> Iterator[object]:
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is not installed: run `make test` (scripts/system-deps.sh)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        context = browser.new_context(
            java_script_enabled=False, base_url=served[0], locale="fr-FR"
        )
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()


def test_search_event_and_language_without_javascript(page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto("/catalogue/")
    expect(page.locator("h1")).to_have_text("Catalogue des événements")
    expect(page.locator("#resultats")).to_have_text("140 événements")
    page.get_by_role("checkbox", name="Atelier collaboratif").check()
    page.get_by_role("checkbox", name="Île-de-France").check()
    page.get_by_role("button", name="Filtrer").click()
    assert "format=atelier" in page.url and "region=11" in page.url
    heading = page.locator("#resultats").inner_text()
    count = int(heading.split()[0])
    assert 0 < count < 140
    assert page.locator("ol.results > li").count() == min(count, 20)
    for meta in page.locator("ol.results p.meta:nth-of-type(2)").all_inner_texts():
        assert meta.startswith("Atelier collaboratif")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "catalogue-search.png"), full_page=True)

    page.locator("ol.results h3 a").first.click()
    assert "/catalogue/events/" in page.url
    data = json.loads(page.locator('script[type="application/ld+json"]').inner_text())
    assert data["@type"] == "Event" and data["name"] == page.locator("h1").inner_text().strip()
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Practical information")).to_be_visible()
    page.goto("/catalogue/")
    expect(page.locator("#resultats")).to_have_text("140 events")
    page.get_by_role("link", name="Français").click()


def test_magic_link_sign_in_without_javascript(page: object, served: tuple[str, Path]) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto("/catalogue/my")
    assert "/catalogue/login" in page.url
    page.get_by_label("Adresse électronique").fill("camille.martin@administration.example")
    page.get_by_role("button", name="Recevoir un lien de connexion").click()
    expect(page.locator("h1")).to_have_text("Consultez votre messagerie")
    token = magic_token(served[1], "camille.martin@administration.example")
    page.goto(f"/catalogue/login/{token}")
    page.get_by_role("button", name="Me connecter").click()
    assert page.url.endswith("/catalogue/my")
    expect(page.locator("h1")).to_have_text("Mes événements")
    expect(page.get_by_text("La date limite de dépôt")).to_be_visible()  # 2023 is closed
    assert page.locator("tbody tr").count() == 6
    page.screenshot(path=str(ARTIFACTS / "catalogue-my-events.png"), full_page=True)
