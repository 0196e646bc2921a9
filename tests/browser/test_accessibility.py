"""Accessibility in Debian's chromium: axe-core (from the npm registry, pinned in package.json,
installed by `make test`'s `npm ci`) finds no WCAG 2.x A/AA violation (2.2's 24 px target size
included) on the salon's pages at 1280 px and at 390 px, and no page scrolls sideways at 390 px.

Pages: the participant's wish page, home and agenda; the registration page when the salon's
registration answers; the organiser's salon page, schedule and repair desk; the catalogue's
search and an event page; the moderation queue. One real `salon serve` holds a solved and
published salon and the example catalogue.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from browser_helpers import PROJECT, Site, import_salon, organiser_database, screenshot
from documents_helpers import salon_data
from service_helpers import running_server

from api.catalogue import load_catalogue_file
from api.db import make_engine, make_session_factory

pytestmark = pytest.mark.browser

AXE = PROJECT / "node_modules" / "axe-core" / "axe.min.js"
CATALOGUE = PROJECT / "examples" / "catalogue-2023.json"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
WIDTHS = (1280, 390)
OPEN_DETAILS = "() => document.querySelectorAll('details').forEach(d => { d.open = true; })"


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.is_file():
        pytest.fail(
            f"axe-core is not installed ({AXE}): run `make test`, or `npm ci` in the project "
            "(package.json pins it; it comes from the npm registry)."
        )
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, int]]:
    """The service with a solved and published salon (links for everyone) and the catalogue."""
    folder = tmp_path_factory.mktemp("accessibility")
    url, key = organiser_database(folder, "a11y@example.org")
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        load_catalogue_file(session, CATALOGUE)
    engine.dispose()
    with running_server(url, SALON_OUTBOX_DIR=str(folder / "outbox")) as server:
        with httpx.Client(
            base_url=server.base_url, timeout=60, headers={"Authorization": f"Bearer {key}"}
        ) as api:
            salon_id = import_salon(api, salon_data())
            people = api.get(f"/salons/{salon_id}/participants").json()["data"]
            tokens = {}
            for person in people:
                link = api.post(f"/salons/{salon_id}/participants/{person['id']}/links", json={})
                tokens[person["code"]] = link.json()["token"]
            version = _solve_and_publish(api, salon_id)
            assert api.post(f"/salons/{salon_id}/wish-window/open").status_code == 200
        yield Site(server.base_url, key, salon_id, tokens), version


def _solve_and_publish(api: httpx.Client, salon_id: int) -> int:
    job = api.post(f"/salons/{salon_id}/solves", json={"time_limit": 5})
    assert job.status_code == 202, job.text
    state: dict[str, Any] = job.json()
    for _ in range(240):
        state = api.get(f"/salons/{salon_id}/solves/{state['id']}").json()
        if state["state"] not in ("queued", "running"):
            break
        time.sleep(0.25)
    assert state["state"] == "done", state
    version: int = state["schedule_version"]
    assert api.post(f"/salons/{salon_id}/schedules/{version}/publish").status_code == 200
    return version


def _pages(site: Site, version: int) -> list[tuple[str, str]]:
    """(name, path) of every page checked."""
    salon = f"/o/salons/{site.salon_id}"
    industrial = next(code for code in site.tokens if code.lower().startswith("i"))
    pages = [
        ("wishes", f"/p/{site.tokens[industrial]}/wishes"),
        ("participant-home", f"/p/{site.tokens[industrial]}"),
        ("participant-agenda", f"/p/{site.tokens[industrial]}/agenda"),
        ("organiser-salon", salon),
        ("organiser-schedule", f"{salon}/schedules/{version}"),
        ("repair-desk", f"{salon}/repair"),
        ("catalogue-search", "/catalogue/"),
        ("catalogue-event", "EVENT"),
        ("moderation-queue", "/catalogue/moderation"),
    ]
    registration = httpx.get(f"{site.base_url}/register/{site.salon_id}", timeout=30)
    if registration.status_code == 200:
        pages += [
            ("registration", f"/register/{site.salon_id}"),
            ("registrations-organiser", f"{salon}/registrations"),
        ]
    else:
        print(f"registration page not checked: it answers {registration.status_code}")
    return pages


def _open_registration(page: Any, base_url: str, salon_id: int) -> None:
    """Offer the salon's online registration (its organiser's page), when the service has one."""
    response = page.goto(f"{base_url}/o/salons/{salon_id}/registrations")
    if response is None or response.status != 200:
        print("no registration settings page: the registration page is not checked")
        return
    page.check("#r-enabled")
    page.locator("form[action$='/registrations/settings'] button[type=submit]").click()
    page.wait_for_load_state()


def _sign_in(page: Any, base_url: str, key: str) -> None:
    page.goto(f"{base_url}/o/login")
    page.fill("#api_key", key)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()
    page.goto(f"{base_url}/catalogue/moderation/login")
    page.fill("#f-api_key", key)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()


def _violations(page: Any, axe_source: str) -> list[str]:
    page.evaluate(axe_source)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in result["violations"]
    ]


def _overflow(page: Any) -> int:
    """How many CSS pixels the page is wider than the window (0: no horizontal scrolling); every
    `details` is open (the repair desk's forms), as a user opens them."""
    width: int = page.evaluate(
        "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - document.documentElement.clientWidth"
    )
    return width


def test_no_wcag_violation_and_no_overflow_at_1280_and_390_px(
    served: tuple[Site, int], browser: Any, axe_source: str
) -> None:
    site, version = served
    problems: dict[str, list[str]] = {}
    for width in WIDTHS:
        context = browser.new_context(
            viewport={"width": width, "height": 900}, locale="fr-FR", bypass_csp=True
        )
        try:
            page = context.new_page()
            _sign_in(page, site.base_url, site.api_key)
            _open_registration(page, site.base_url, site.salon_id)
            for name, path in _pages(site, version):
                if path == "EVENT":
                    page.goto(f"{site.base_url}/catalogue/")
                    path = page.locator("ol.results h3 a").first.get_attribute("href") or ""
                response = page.goto(f"{site.base_url}{path}")
                assert response is not None and response.status == 200, (name, path)
                page.evaluate(OPEN_DETAILS)
                found = _violations(page, axe_source)
                if width == 390:
                    wider = _overflow(page)
                    if wider > 0:
                        found.append(f"overflow: {wider} px wider than the 390 px screen")
                if found:
                    screenshot(page, f"a11y-{name}-{width}")
                    problems[f"{name} at {width} px ({path})"] = found
        finally:
            context.close()
    assert problems == {}, json.dumps(problems, indent=1, ensure_ascii=False)


def test_the_wish_count_is_announced_after_filtering(
    served: tuple[Site, int], browser: Any
) -> None:
    site, _ = served
    context = browser.new_context(viewport={"width": 390, "height": 900}, locale="fr-FR")
    try:
        page = context.new_page()
        industrial = next(code for code in site.tokens if code.lower().startswith("i"))
        page.goto(f"{site.base_url}/p/{site.tokens[industrial]}/wishes")
        count = page.locator("#directory-count")
        assert count.get_attribute("aria-live") == "polite"
        before = count.inner_text()
        total = page.locator("#directory tbody tr").count()
        assert before.startswith(f"{total} ")
        from playwright.sync_api import expect

        page.fill("#q", "zzzz-personne")
        expect(count).to_have_text(f"0 personne affichée sur {total}")
        assert page.locator("#directory tbody tr:visible").count() == 0
        page.fill("#q", "")
        expect(count).to_have_text(before)
    finally:
        context.close()


def test_axe_finds_a_violation_it_is_meant_to_find(browser: Any, axe_source: str) -> None:
    """The check can fail: a page with an unlabelled field and a 10 px link is reported."""
    context = browser.new_context(viewport={"width": 390, "height": 900})
    try:
        page = context.new_page()
        page.set_content(
            '<html lang="fr"><head><title>t</title></head><body><main><h1>t</h1>'
            '<input type="text"><p><a href="#a" style="display:inline-block;width:10px;'
            'height:10px;font-size:6px">1</a> <a href="#b" style="display:inline-block;'
            'width:10px;height:10px;font-size:6px">2</a></p></main></body></html>'
        )
        found = " ".join(_violations(page, axe_source))
        assert "label" in found and "target-size" in found
    finally:
        context.close()


def test_axe_is_installed_from_the_projects_lock_file() -> None:
    lock = json.loads((PROJECT / "package-lock.json").read_text(encoding="utf-8"))
    pinned = lock["packages"]["node_modules/axe-core"]["version"]
    installed = json.loads((AXE.parent / "package.json").read_text(encoding="utf-8"))["version"]
    assert installed == pinned
    assert lock["packages"]["node_modules/axe-core"]["integrity"].startswith("sha512-")
