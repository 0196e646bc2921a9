"""The registration JSON API (organiser's API key), on SQLite and PostgreSQL: the form's
settings read, saved (a moment with an offset in the salon's time), refused with each field
named and nothing changed, closed; the requests with their duplicate flags, paged; a bulk
approval that makes the participants and mails their link; a refusal; a second decision that
changes nothing; a director without a free table named in `problems`; bad bodies named; another
organiser gets 404."""

from __future__ import annotations

from registration_fixtures import Desk, enable, register
from service_helpers import new_organiser

from api.mail import read_outbox


def _requests(desk: Desk, query: str = "") -> dict:  # type: ignore[type-arg]
    response = desk.client.get(
        f"/salons/{desk.salon_id}/registrations{query}", headers=desk.organiser
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _decide(desk: Desk, ids: list[int], decision: str, headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return desk.client.post(
        f"/salons/{desk.salon_id}/registrations/decisions",
        json={"ids": ids, "decision": decision},
        headers=headers or desk.organiser,
    )


def _settings(desk: Desk, body: dict | None = None, headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def, type-arg]
    url = f"/salons/{desk.salon_id}/registrations/settings"
    if body is None:
        return desk.client.get(url, headers=headers or desk.organiser)
    return desk.client.put(url, json=body, headers=headers or desk.organiser)


def test_settings_open_the_form_in_the_salons_time_and_close_it(desk: Desk) -> None:
    closed = _settings(desk).json()
    assert closed["enabled"] is False and closed["sides"] == "industrial"
    assert register(desk.client, desk.salon_id).status_code == 404
    body = {
        "enabled": True,
        "opens": "2000-01-10T09:00:00",
        "closes": "2999-01-10T08:00:00Z",  # 09:00 in Paris, the salon's time zone
        "sides": "both",
        "fields": ["role", "organisation"],
        "consent": "J'accepte.",
    }
    saved = _settings(desk, body)
    assert saved.status_code == 200, saved.text
    expected = {
        **body,
        "closes": "2999-01-10T09:00:00",
        "fields": ["organisation", "role"],  # in the form's order
    }
    assert saved.json() == expected and _settings(desk).json() == expected
    assert register(desk.client, desk.salon_id, side="director").status_code == 303
    assert _requests(desk)["count"] == 1
    assert _settings(desk, {"enabled": False}).json()["enabled"] is False
    again = register(desk.client, desk.salon_id, name="Bis", email="b@example.org")
    assert again.status_code == 404
    assert _requests(desk)["count"] == 1  # the requests received stay


def test_bad_settings_are_named_and_change_nothing(desk: Desk) -> None:
    enable(desk)
    before = _settings(desk).json()
    bad = [
        ({"enabled": True, "sides": "tous"}, "body.sides", "Côté d'inscription inconnu : tous."),
        ({"enabled": True, "fields": ["age"]}, "body.fields", "Champ inconnu : age."),
        (
            {"enabled": True, "opens": "2030-01-02T09:00:00", "closes": "2030-01-01T09:00:00"},
            "body.closes",
            "La fermeture des inscriptions doit suivre leur ouverture.",
        ),
        ({"enabled": True, "consent": " "}, "body.consent", "Le texte de consentement est"),
        ({"enabled": True, "opens": "demain"}, "body.opens", ""),
        ({"sides": "both"}, "body.enabled", "Ce champ est obligatoire."),
        ({"enabled": True, "colour": "red"}, "body.colour", ""),
    ]
    for body, field, message in bad:
        response = _settings(desk, body)
        assert response.status_code == 422, body
        [error] = response.json()["detail"]["errors"]
        assert error["field"] == field and error["message"].startswith(message), error
    assert _settings(desk).json() == before
    other = new_organiser(desk.client)
    assert _settings(desk, headers=other).status_code == 404
    assert _settings(desk, {"enabled": False}, headers=other).status_code == 404
    assert _settings(desk).json() == before


def test_requests_are_listed_with_their_duplicates_and_paged(desk: Desk) -> None:
    enable(desk)
    register(desk.client, desk.salon_id)
    register(desk.client, desk.salon_id, name="Camille L.", organisation="Autre")  # same e-mail
    register(desk.client, desk.salon_id, name="Seule", email="s@example.org", organisation="Solo")
    page = _requests(desk)
    assert page["count"] == 3 and [r["state"] for r in page["data"]] == ["pending"] * 3
    first, second, third = page["data"]
    assert first["name"] == "Camille Laser" and first["organisation"] == "Optique du Nord"
    assert any(flag.startswith("e-mail = ") for flag in first["duplicates"])
    assert any(flag.startswith("e-mail = ") for flag in second["duplicates"])
    assert third["duplicates"] == [] and third["participant"] is None
    assert third["created_at"].endswith(("Z", "+00:00"))
    second_page = _requests(desk, "?offset=1&limit=1")
    assert second_page["count"] == 3 and [r["id"] for r in second_page["data"]] == [second["id"]]


def test_approval_makes_participants_mails_them_and_a_second_decision_skips(desk: Desk) -> None:
    enable(desk)
    register(desk.client, desk.salon_id)
    register(desk.client, desk.salon_id, name="Dominique", email="d@example.org", organisation="B")
    ids = [r["id"] for r in _requests(desk)["data"]]
    response = _decide(desk, ids, "approved")
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["approved"], report["refused"], report["skipped"], report["mailed"]) == (
        2, 0, 0, 2,
    )
    listed = _requests(desk)["data"]
    assert {r["state"] for r in listed} == {"approved"}
    assert {r["participant"] for r in listed} == {f"R{i}" for i in ids}
    assert all(r["decided_at"] for r in listed)
    assert {str(m["To"]) for m in read_outbox(desk.outbox)} == {
        "camille@optique.example", "d@example.org",
    }
    again = _decide(desk, [ids[0]], "refused").json()
    assert (again["refused"], again["skipped"]) == (0, 1)
    assert len(read_outbox(desk.outbox)) == 2


def test_a_refusal_makes_no_participant(desk: Desk) -> None:
    enable(desk)
    register(desk.client, desk.salon_id)
    [request] = _requests(desk)["data"]
    report = _decide(desk, [request["id"]], "refused").json()
    assert (report["approved"], report["refused"], report["mailed"]) == (0, 1, 0)
    assert _requests(desk)["data"][0]["state"] == "refused"
    people = desk.client.get(f"/salons/{desk.salon_id}/participants", headers=desk.organiser)
    assert not [p for p in people.json()["data"] if p["code"].startswith("R")]
    assert read_outbox(desk.outbox) == []


def test_a_director_without_a_free_table_is_named_and_stays_pending(desk: Desk) -> None:
    enable(desk, sides="both")
    register(desk.client, desk.salon_id, side="director")
    register(desk.client, desk.salon_id, side="director", name="Bis", email="b@example.org")
    ids = [r["id"] for r in _requests(desk)["data"]]
    report = _decide(desk, ids, "approved").json()
    assert report["approved"] == 1 and len(report["problems"]) == 1
    assert report["problems"][0].startswith("Bis")
    assert [r["state"] for r in _requests(desk)["data"]] == ["approved", "pending"]


def test_bad_decisions_are_named_and_another_organiser_gets_404(desk: Desk) -> None:
    enable(desk)
    register(desk.client, desk.salon_id)
    bad = [
        ({"ids": [], "decision": "approved"}, "body.ids", "Au moins 1 élément(s) attendu(s)."),
        ({"ids": [1], "decision": "maybe"}, "body.decision", "Valeur inconnue"),
        ({"ids": [0], "decision": "refused"}, "body.ids[0]", "La valeur doit être au moins 1."),
        ({"ids": [1]}, "body.decision", "Ce champ est obligatoire."),
    ]
    for body, field, message in bad:
        response = desk.client.post(
            f"/salons/{desk.salon_id}/registrations/decisions", json=body, headers=desk.organiser
        )
        assert response.status_code == 422, body
        [error] = response.json()["detail"]["errors"]
        assert error["field"] == field and error["message"].startswith(message), error
    other = new_organiser(desk.client)
    assert desk.client.get(
        f"/salons/{desk.salon_id}/registrations", headers=other
    ).status_code == 404
    [request] = _requests(desk)["data"]
    assert _decide(desk, [request["id"]], "refused", headers=other).status_code == 404
    assert _requests(desk)["data"][0]["state"] == "pending"  # nothing decided
