"""Real browser, real server: an industrial ranks wishes through the form (without JavaScript),
the organiser solves and publishes with live progress, the director opens its agenda and the
print view. Screenshots are kept in test-artifacts/."""

from __future__ import annotations

import re
import time

import pytest
from browser_helpers import Site, screenshot

pytestmark = pytest.mark.browser


def test_industrial_submits_ranked_wishes_without_javascript(site: Site, browser: object) -> None:
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(f"{site.base_url}/p/{site.tokens['i2']}/wishes")
    assert page.title().startswith("Claire Industrielle")
    page.get_by_label("Rang de Bruno Directeur").select_option("1")
    page.get_by_label("Rang de Anne Directrice").select_option("2")
    screenshot(page, "01-industrial-wish-form")
    page.get_by_role("button", name="Enregistrer mes souhaits").click()
    status = page.get_by_role("status")
    assert "Vos souhaits sont enregistrés." in status.inner_text()
    assert status.locator("li").all_inner_texts() == [
        "Bruno Directeur, DGA",
        "Anne Directrice, DGA",
    ]
    screenshot(page, "02-industrial-wishes-saved")
    context.close()


def test_directory_search_filters_live_and_keyboard_reaches_the_content(
    site: Site, browser: object
) -> None:
    page = browser.new_page(locale="fr-FR")  # type: ignore[attr-defined]
    page.goto(f"{site.base_url}/p/{site.tokens['i3']}/wishes")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Aller au contenu"
    search = page.get_by_label("Rechercher parmi les Directeurs de programme")
    row = page.locator("#directory tbody tr", has_text="Anne Directrice")
    search.fill("zzz")
    assert row.is_hidden()
    search.fill("ANNE directrice")
    assert row.is_visible()
    page.close()


def test_organiser_solves_with_live_progress_and_publishes(site: Site, browser: object) -> None:
    page = browser.new_page(locale="fr-FR")  # type: ignore[attr-defined]
    page.goto(f"{site.base_url}/o/salons/{site.salon_id}")
    assert "/o/login" in page.url
    page.get_by_label("Clé d'API d'organisateur").fill(site.api_key)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(rf"/o/salons/{site.salon_id}$"))
    screenshot(page, "03-organiser-dashboard")
    page.get_by_label("Durée maximale (secondes)").fill("5")
    page.get_by_role("button", name="Calculer le planning").click()
    link = page.get_by_role("link", name=re.compile(r"Voir le planning"))
    link.wait_for(timeout=90_000)
    screenshot(page, "04-organiser-solve-done")
    link.click()
    assert page.locator("#objectives").is_visible()
    page.get_by_role("button", name="Publier ce planning").click()
    assert "Planning publié" in page.get_by_role("status").inner_text()
    screenshot(page, "05-organiser-published")
    page.close()


def _publish_if_needed(site: Site) -> None:
    with site.api() as api:
        schedules = api.get(f"/salons/{site.salon_id}/schedules").json()["data"]
        if any(s["current"] for s in schedules):
            return
        job = api.post(f"/salons/{site.salon_id}/solves", json={"time_limit": 5}).json()
        for _ in range(300):
            job = api.get(f"/salons/{site.salon_id}/solves/{job['id']}").json()
            if job["state"] not in ("queued", "running"):
                break
            time.sleep(0.2)
        api.post(f"/salons/{site.salon_id}/schedules/{job['schedule_version']}/publish")


def test_director_opens_its_agenda_and_the_print_view(site: Site, browser: object) -> None:
    _publish_if_needed(site)
    page = browser.new_page(locale="fr-FR")  # type: ignore[attr-defined]
    token = site.tokens["d2"]
    page.goto(f"{site.base_url}/p/{token}/agenda")
    table = page.get_by_role("table", name="Rendez-vous de Bruno Directeur")
    assert table.is_visible()
    assert "Claire Industrielle" in table.inner_text()
    assert "Indisponible" in table.inner_text()
    screenshot(page, "06-director-agenda")
    page.goto(f"{site.base_url}/p/{token}/agenda/print")
    page.emulate_media(media="print")
    assert page.locator("section.agenda h1").inner_text() == "Bruno Directeur"
    assert page.locator("p.row.meeting").count() >= 1
    screenshot(page, "07-director-print-view")
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    page.close()
