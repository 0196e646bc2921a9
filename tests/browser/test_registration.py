"""Real browser, real server: someone registers on a salon's public form, the organiser
approves it in the list, the mailed personal link opens the new participant's pages, it writes
its profile, and the wish page lists its suggestions with what it shares with the director
whose programme matches. The registration form and the suggestions fit a 390 px screen, and
axe-core finds no WCAG 2.x A/AA violation on the pages of the flow.
Screenshots are kept in test-artifacts/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from browser_helpers import PROJECT, import_salon, organiser_database, screenshot
from documents_helpers import salon_data
from service_helpers import running_server

from api.mail import read_outbox

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
AXE = PROJECT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@dataclass
class Registration:
    base_url: str
    api_key: str
    salon_id: int
    outbox: Path
    director_token: str


@pytest.fixture(scope="module")
def registration(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registration]:
    folder = tmp_path_factory.mktemp("registration")
    url, key = organiser_database(folder, "registration@example.org")
    outbox = folder / "outbox"
    with running_server(url, SALON_OUTBOX_DIR=str(outbox)) as server:
        with httpx.Client(
            base_url=server.base_url, timeout=30, headers={"Authorization": f"Bearer {key}"}
        ) as api:
            salon_id = import_salon(api, salon_data())
            assert api.post(f"/salons/{salon_id}/wish-window/open").status_code == 200
            people = api.get(f"/salons/{salon_id}/participants").json()["data"]
            d1 = next(p for p in people if p["code"] == "d1")
            link = api.post(f"/salons/{salon_id}/participants/{d1['id']}/links", json={})
            assert link.status_code == 201, link.text
        yield Registration(server.base_url, key, salon_id, outbox, link.json()["token"])


def wcag_violations(page: object) -> list[str]:
    """axe-core's WCAG 2.x A/AA violations on the page (axe from the npm registry, `make test`)."""
    if not AXE.is_file():
        pytest.fail(f"axe-core is not installed ({AXE}): run `make test`, or `npm ci`.")
    page.evaluate(AXE.read_text(encoding="utf-8"))  # type: ignore[attr-defined]
    result = page.evaluate(  # type: ignore[attr-defined]
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return [
        f"{v['id']}: {v['help']} at " + "; ".join(" ".join(n["target"]) for n in v["nodes"][:3])
        for v in result["violations"]
    ]


def no_overflow(page: object) -> bool:
    width = page.evaluate("document.documentElement.scrollWidth")  # type: ignore[attr-defined]
    return bool(width <= PHONE["width"])


def test_register_approve_profile_and_suggestions(
    registration: Registration, browser: object
) -> None:
    site = registration
    organiser = browser.new_page(locale="fr-FR")  # type: ignore[attr-defined]
    organiser.goto(f"{site.base_url}/o/salons/{site.salon_id}/registrations")
    organiser.get_by_label("Clé d'API d'organisateur").fill(site.api_key)
    organiser.get_by_role("button", name="Se connecter").click()
    organiser.wait_for_url(re.compile(r"/registrations$"))
    organiser.get_by_label("Inscriptions en ligne proposées").check()
    organiser.get_by_label("Fonction").check()
    organiser.get_by_role("button", name="Enregistrer les réglages").click()
    assert "Réglages des inscriptions enregistrés." in organiser.get_by_role("status").inner_text()
    organiser.goto(f"{site.base_url}/o/salons/{site.salon_id}/profiles")
    organiser.get_by_label("Un thème par ligne").fill("Optronique\nDrones")
    organiser.get_by_role("button", name="Enregistrer les thèmes").click()
    assert "Thèmes enregistrés." in organiser.get_by_role("status").inner_text()
    assert wcag_violations(organiser) == []

    director = browser.new_page(locale="fr-FR")  # type: ignore[attr-defined]
    director.goto(f"{site.base_url}/p/{site.director_token}/profile")
    director.get_by_label("Présentation").fill("Programme **frégates** : lasers de puissance.")
    director.get_by_label("Mots-clés").fill("lasers, gendarmerie mobile")
    director.get_by_label("Optronique").check()
    director.get_by_role("button", name="Enregistrer mon profil").click()
    assert "Profil enregistré." in director.get_by_role("status").inner_text()
    assert wcag_violations(director) == []
    director.close()

    visitor = browser.new_page(locale="fr-FR", viewport=PHONE)  # type: ignore[attr-defined]
    visitor.goto(f"{site.base_url}/register/{site.salon_id}")
    assert no_overflow(visitor)
    visitor.get_by_label("Nom et prénom").fill("Camille Laser")
    visitor.get_by_label("Adresse e-mail").fill("camille@laser.example")
    visitor.get_by_role("textbox", name="Organisation").fill("Laser Nord SAS")
    visitor.get_by_role("textbox", name="Fonction").fill("Directrice technique")
    visitor.get_by_label("J'accepte").check()
    screenshot(visitor, "20-registration-form")
    assert wcag_violations(visitor) == []
    visitor.get_by_role("button", name="Envoyer ma demande d'inscription").click()
    assert "Demande d'inscription reçue." in visitor.get_by_role("status").inner_text()
    visitor.close()

    organiser.goto(f"{site.base_url}/o/salons/{site.salon_id}/registrations")
    organiser.get_by_label("Choisir la demande de Camille Laser").check()
    screenshot(organiser, "21-registration-requests")
    assert wcag_violations(organiser) == []
    organiser.get_by_role("button", name="Approuver la sélection").click()
    status = organiser.get_by_role("status").inner_text()
    assert "Approuvées : 1" in status and "envoyés par e-mail : 1" in status
    organiser.close()

    [mail] = [m for m in read_outbox(site.outbox) if m["To"] == "camille@laser.example"]
    found = re.search(r"(http://\S+/p/\S+)", mail.get_content())
    assert found, mail.get_content()
    participant = browser.new_page(locale="fr-FR")  # type: ignore[attr-defined]
    participant.goto(found.group(1))
    assert participant.title().startswith("Camille Laser")
    participant.goto(found.group(1) + "/profile")
    participant.get_by_label("Présentation").fill("Nous fabriquons des lasers de puissance.")
    participant.get_by_label("Mots-clés").fill("laser")
    participant.get_by_label("Optronique").check()
    participant.get_by_role("button", name="Enregistrer mon profil").click()
    assert "Profil enregistré." in participant.get_by_role("status").inner_text()

    participant.goto(found.group(1) + "/wishes")
    suggested = participant.get_by_role("region", name="Suggérés pour vous")
    item = suggested.locator("li[data-code='d1']")  # listed on the wish page itself
    assert "Anne Directrice" in item.inner_text()
    assert "partage : Optronique, lasers" in item.inner_text()
    participant.set_viewport_size(PHONE)
    assert no_overflow(participant)
    screenshot(participant, "22-suggestions")
    assert wcag_violations(participant) == []
    item.get_by_role("link", name="Anne Directrice").click()
    assert participant.locator("strong", has_text="frégates").is_visible()
    assert wcag_violations(participant) == []
    participant.close()
