"""Guided wishes in Debian's chromium, on a 390 px phone: a rank given twice is said at once and
refused by the server (nothing saved, the ranks shown again as typed); once fixed, the wishes are
saved, a message is added, and the director reads it on its requests page."""

from __future__ import annotations

from typing import Any

from browser_helpers import Site, screenshot


def test_ranked_wishes_with_a_message_the_director_reads(site: Site, browser: Any) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")
    try:
        page = context.new_page()
        page.goto(f"{site.base_url}/p/{site.tokens['i3']}/wishes")
        expect(page.locator("#wish-window")).to_contain_text("Les souhaits sont ouverts.")
        page.get_by_label("Rang de Anne Directrice").select_option("1")
        page.get_by_label("Rang de Bruno Directeur").select_option("1")
        warning = page.locator("#rank-warning")
        expect(warning).to_contain_text("Le rang 1 est donné à plusieurs choix (")
        assert {"Anne Directrice", "Bruno Directeur"} <= set(
            warning.inner_text().split("(")[1].split(")")[0].split(", ")
        )
        assert warning.get_attribute("aria-live") == "polite"
        page.get_by_role("button", name="Enregistrer mes souhaits").click()
        alert = page.get_by_role("alert")
        expect(alert).to_contain_text("Vos souhaits n'ont pas été enregistrés.")
        expect(alert).to_contain_text("Le rang 1 est donné à plusieurs choix")
        expect(alert).to_contain_text("Anne Directrice")
        expect(alert).to_contain_text("Bruno Directeur")
        screenshot(page, "guided-wishes-duplicate-rank-390")
        assert page.get_by_label("Rang de Bruno Directeur").input_value() == "1"
        expect(warning).to_contain_text("Le rang 1 est donné à plusieurs choix (")
        page.get_by_label("Rang de Bruno Directeur").select_option("2")
        expect(warning).to_have_text("")
        page.get_by_role("button", name="Enregistrer mes souhaits").click()
        expect(page.get_by_role("status")).to_contain_text("Vos souhaits sont enregistrés.")
        message = "Nos optiques pour vos frégates : quinze minutes ?"
        page.get_by_label("Message à Bruno Directeur").fill(message)
        page.get_by_role("button", name="Enregistrer mes souhaits").click()
        expect(page.get_by_role("status")).to_contain_text("Vos souhaits sont enregistrés.")
        assert page.get_by_label("Message à Bruno Directeur").input_value() == message
        page.goto(f"{site.base_url}/p/{site.tokens['d2']}/requests")
        row = page.locator("tr", has_text="Denis Sanrendezvous")
        expect(row).to_contain_text(f"« {message} »")
        screenshot(page, "guided-wishes-director-reads-390")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390
    finally:
        context.close()
