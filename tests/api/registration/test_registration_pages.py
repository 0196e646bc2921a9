"""Self-registration end to end through the pages, on SQLite and PostgreSQL: the organiser's
settings, the public form (French and English, fields asked, consent, window), its defences
(honeypot, rate limit, cross-site posts), duplicates flagged, bulk approval that makes the
participant and mails its personal link, refusal, and a second decision that changes nothing."""

from __future__ import annotations

import re

from pages_helpers import sign_in
from registration_fixtures import PERSON, Desk, enable, register, text
from service_helpers import new_organiser

from api.mail import read_outbox


def requests_page(desk: Desk) -> str:
    response = desk.client.get(desk.base)
    assert response.status_code == 200, text(response)
    return text(response)


def request_ids(html: str) -> list[int]:
    return [int(found) for found in re.findall(r'name="request" value="(\d+)"', html)]


def test_no_form_until_the_organiser_opens_one(desk: Desk) -> None:
    response = desk.client.get(f"/register/{desk.salon_id}")
    assert response.status_code == 404
    assert "Aucune inscription n'est ouverte pour ce salon." in text(response)
    assert register(desk.client, desk.salon_id).status_code == 404


def test_the_public_form_in_french_and_english(desk: Desk) -> None:
    enable(desk, fields=["organisation", "phone"])
    french = text(desk.client.get(f"/register/{desk.salon_id}"))
    assert "Inscription" in french and "Téléphone" in french and 'name="homepage"' in french
    assert "J'accepte que mes coordonnées soient transmises." in french
    assert "Fonction" not in french  # not asked
    english = text(desk.client.get(f"/register/{desk.salon_id}?lang=en"))
    assert "Registration" in english and "Phone" in english and "Send my registration" in english


def test_a_complete_form_is_received_pending(desk: Desk) -> None:
    enable(desk)
    response = register(desk.client, desk.salon_id)
    assert response.status_code == 303
    assert response.headers["location"] == f"/register/{desk.salon_id}?done=received"
    html = requests_page(desk)
    assert "Camille Laser" in html and "en attente" in html and len(request_ids(html)) == 1


def test_missing_fields_are_named_and_what_was_typed_is_kept(desk: Desk) -> None:
    enable(desk)
    response = register(desk.client, desk.salon_id, email="not-an-address", role="", consent="")
    assert response.status_code == 422
    assert "Adresse e-mail invalide." in text(response)
    assert "Ce champ est obligatoire." in text(response)  # the role, asked
    assert "Cochez la case de consentement pour vous inscrire." in text(response)
    assert 'value="Camille Laser"' in text(response) and 'value="Optique du Nord"' in text(response)
    assert request_ids(requests_page(desk)) == []
    english = desk.client.post(
        f"/register/{desk.salon_id}?lang=en", data={**PERSON, "email": "x"}
    )
    assert english.status_code == 422 and "Invalid e-mail address." in text(english)


def test_the_honeypot_keeps_nothing(desk: Desk) -> None:
    enable(desk)
    response = register(desk.client, desk.salon_id, homepage="http://spam.example")
    assert response.status_code == 303 and response.headers["location"].endswith("received")
    assert request_ids(requests_page(desk)) == []


def test_a_client_posting_too_often_is_limited(desk: Desk) -> None:
    enable(desk)
    statuses = [
        register(desk.client, desk.salon_id, email=f"p{n}@example.org").status_code
        for n in range(6)
    ]
    assert statuses == [303] * 5 + [429]
    assert len(request_ids(requests_page(desk))) == 5


def test_a_form_posted_from_another_site_is_refused(desk: Desk) -> None:
    enable(desk)
    response = desk.client.post(
        f"/register/{desk.salon_id}",
        data={**PERSON, "consent": "yes"},
        headers={"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
    )
    assert response.status_code == 403
    assert request_ids(requests_page(desk)) == []


def test_outside_the_window_nothing_is_received(desk: Desk) -> None:
    enable(desk, opens="2999-01-01T09:00")
    page = text(desk.client.get(f"/register/{desk.salon_id}"))
    assert "Les inscriptions ouvrent le" in page and "<form" not in page.split("</header>")[1]
    assert register(desk.client, desk.salon_id).status_code == 409
    enable(desk, opens="", closes="2000-01-01T09:00")
    assert "Les inscriptions sont closes." in text(desk.client.get(f"/register/{desk.salon_id}"))
    assert register(desk.client, desk.salon_id).status_code == 409


def test_settings_refused_with_their_reason(desk: Desk) -> None:
    response = desk.client.post(
        f"{desk.base}/settings",
        data={
            "csrf": desk.csrf,
            "enabled": "yes",
            "opens": "2030-01-02T09:00",
            "closes": "2030-01-01T09:00",
            "consent": "ok",
        },
    )
    assert response.status_code == 422
    assert "La fermeture des inscriptions doit suivre leur ouverture." in text(response)
    unreadable = desk.client.post(
        f"{desk.base}/settings", data={"csrf": desk.csrf, "enabled": "yes", "opens": "demain"}
    )
    assert unreadable.status_code == 422 and "Date et heure illisibles (opens)" in text(unreadable)


def test_duplicates_are_flagged(desk: Desk) -> None:
    enable(desk)
    register(desk.client, desk.salon_id)
    register(desk.client, desk.salon_id, name="Camille L.", organisation="Autre")  # same e-mail
    register(desk.client, desk.salon_id, name="Neuf", email="n@example.org", organisation="org i1")
    register(desk.client, desk.salon_id, name="Seule", email="s@example.org", organisation="Solo")
    html = requests_page(desk)
    rows = dict(re.findall(r'<tr data-request="(\d+)">(.*?)</tr>', html, re.S))
    first, second, third, fourth = sorted(rows, key=int)
    assert "doublon ?" in rows[first] and "e-mail = #" in rows[first]
    assert "e-mail = #" in rows[second]
    assert "organisation = Nom I1" in rows[third]  # a participant of the salon, "Org I1"
    assert "doublon ?" not in rows[fourth]


def test_bulk_approval_makes_participants_and_mails_their_link(desk: Desk) -> None:
    enable(desk)
    register(desk.client, desk.salon_id)
    register(desk.client, desk.salon_id, name="Dominique", email="d@example.org", organisation="B")
    ids = request_ids(requests_page(desk))
    response = desk.client.post(
        f"{desk.base}/decide",
        data={"csrf": desk.csrf, "decision": "approve", "request": [str(i) for i in ids]},
        follow_redirects=False,
    )
    assert response.status_code == 303
    location = response.headers["location"]
    assert "approved=2" in location and "mailed=2" in location
    people = desk.client.get(
        f"/salons/{desk.salon_id}/participants", headers=desk.organiser
    ).json()["data"]
    made = {p["code"]: p for p in people if p["code"].startswith("R")}
    assert {p["name"] for p in made.values()} == {"Camille Laser", "Dominique"}
    assert made[f"R{ids[0]}"]["kind"] == "industrial"
    assert made[f"R{ids[0]}"]["organisation"] == "Optique du Nord"
    mails = {m["To"]: m.get_content() for m in read_outbox(desk.outbox)}
    link = re.search(r"http://testserver(/p/\S+)", mails["camille@optique.example"])
    assert link, mails
    home = desk.client.get(link.group(1))
    assert home.status_code == 200 and "Camille Laser" in text(home)
    again = desk.client.post(
        f"{desk.base}/decide",
        data={"csrf": desk.csrf, "decision": "refuse", "request": [str(ids[0])]},
        follow_redirects=False,
    )
    assert "skipped=1" in again.headers["location"] and "refused=0" in again.headers["location"]
    assert len(read_outbox(desk.outbox)) == 2
    assert request_ids(requests_page(desk)) == []


def test_refusal_makes_no_participant(desk: Desk) -> None:
    enable(desk)
    register(desk.client, desk.salon_id)
    ids = request_ids(requests_page(desk))
    response = desk.client.post(
        f"{desk.base}/decide", data={"csrf": desk.csrf, "decision": "refuse", "request": ids}
    )
    assert response.status_code == 200 and "refusée" in text(response)
    people = desk.client.get(
        f"/salons/{desk.salon_id}/participants", headers=desk.organiser
    ).json()["data"]
    assert not [p for p in people if p["code"].startswith("R")]
    assert read_outbox(desk.outbox) == []


def test_directors_take_a_free_table_until_none_is_left(desk: Desk) -> None:
    enable(desk, sides="both")
    page = text(desk.client.get(f"/register/{desk.salon_id}"))
    assert 'name="side" value="director"' in page
    assert register(desk.client, desk.salon_id, side="").status_code == 422
    register(desk.client, desk.salon_id, side="director")
    register(desk.client, desk.salon_id, side="director", name="Bis", email="b@example.org")
    ids = request_ids(requests_page(desk))
    response = desk.client.post(
        f"{desk.base}/decide",
        data={"csrf": desk.csrf, "decision": "approve", "request": ids},
        follow_redirects=False,
    )
    assert "approved=1" in response.headers["location"]
    assert "blocked=1" in response.headers["location"]
    people = desk.client.get(
        f"/salons/{desk.salon_id}/participants", headers=desk.organiser
    ).json()["data"]
    director = next(p for p in people if p["code"] == f"R{ids[0]}")
    assert director["kind"] == "director" and director["table"] == "T3"
    assert request_ids(requests_page(desk)) == [ids[1]]  # still pending


def test_another_organiser_sees_nothing(desk: Desk) -> None:
    enable(desk)
    other = new_organiser(desk.client)
    csrf = sign_in(desk.client, other)
    assert desk.client.get(desk.base).status_code == 404
    response = desk.client.post(
        f"{desk.base}/decide", data={"csrf": csrf, "decision": "refuse", "request": ["1"]}
    )
    assert response.status_code == 404


def test_the_other_fields_asked_reach_the_organiser(desk: Desk) -> None:
    enable(desk, fields=["organisation", "phone", "message"])
    response = register(
        desk.client, desk.salon_id, phone="+33 1 23 45 67 89", message="Stand B12 ?"
    )
    assert response.status_code == 303
    html_text = requests_page(desk)
    assert "Téléphone : +33 1 23 45 67 89" in html_text
    assert "Message à l'organisateur : Stand B12 ?" in html_text
