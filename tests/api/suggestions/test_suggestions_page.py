"""The suggestions page of a participant, on SQLite and PostgreSQL: the other side ranked by
profile match with the words shared, a heavily requested director marked with its requests
against the meetings it can hold, wishes already made marked, the partial's link when a page
has no suggestions to show, French and English."""

from __future__ import annotations

import html
from typing import Any

from profiles_fixtures import Salon

from api.rendering import render


def text(response: Any) -> str:
    return html.unescape(response.text)


def test_suggestions_rank_the_other_side_with_their_reasons(salon: Salon) -> None:
    salon.save(
        "I1",
        description="Nous fabriquons des lasers de puissance pour la gendarmerie mobile.",
        keywords="lasers",
        themes=["Optronique"],
    )
    salon.save(
        "D1",
        description="Programme : lasers de puissance.",
        keywords="gendarmerie mobile, lasers",
        themes=["Optronique"],
    )
    salon.save("D2", description="Drones tactiques en milieu naval.", themes=["Drones"])
    page = salon.client.get(f"/p/{salon.tokens['I1']}/suggestions")
    assert page.status_code == 200
    body = text(page)
    assert "Suggérés pour vous" in body
    assert 'data-code="D1"' in body and 'data-code="D2"' not in body  # D2 shares nothing
    assert "partage : Optronique, gendarmerie mobile, lasers" in body
    assert "Très demandé" not in body
    english = text(salon.client.get(f"/p/{salon.tokens['I1']}/suggestions?lang=en"))
    assert "Suggested for you" in english and "shares: Optronique" in english


def test_a_heavily_requested_director_is_marked(salon: Salon) -> None:
    client, organiser = salon.client, salon.organiser
    patched = client.patch(
        f"/salons/{salon.salon_id}/participants/{salon.ids['D1']}",
        json={"max_meetings": 1},
        headers=organiser,
    )
    assert patched.status_code == 200, patched.text
    wished = client.put(
        "/me/wishes",
        json={"wishes": [{"to": "D1"}]},
        headers={"X-Participant-Token": salon.tokens["I2"]},
    )
    assert wished.status_code == 200, wished.text
    salon.save("I1", description="Lasers de puissance", keywords="lasers")
    salon.save("I2", description="Lasers")
    salon.save("D1", description="Lasers de puissance", keywords="lasers")
    body = text(salon.client.get(f"/p/{salon.tokens['I1']}/suggestions"))
    assert "Très demandé" in body
    assert "1 demandes pour 1 rendez-vous possibles" in body
    mine = text(salon.client.get(f"/p/{salon.tokens['I2']}/suggestions"))
    assert "déjà dans vos souhaits" in mine  # I2 asked D1 already


def test_without_a_profile_the_organisation_speaks_and_the_page_says_so(salon: Salon) -> None:
    body = text(salon.client.get(f"/p/{salon.tokens['I1']}/suggestions"))
    assert "Complétez votre profil pour des suggestions plus justes." in body
    assert salon.client.get("/p/NoSuchLinkToken0123456789/suggestions").status_code == 404


def test_the_partial_links_to_the_suggestions_when_a_page_has_none() -> None:
    class Visit:
        base = "/p/abc"

    partial = render("profiles/_suggestions.html", "fr", v=Visit())
    assert 'href="/p/abc/suggestions"' in partial and 'href="/p/abc/profile"' in partial
