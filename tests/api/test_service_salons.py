"""Organiser API: salons, participants, wishes, links; validation and domain errors."""

from __future__ import annotations

from fastapi.testclient import TestClient
from service_helpers import SESSIONS, World, new_organiser


def test_create_read_list_update_delete_salon(client: TestClient) -> None:
    organiser = new_organiser(client)
    body = {"name": "AGIR", "sessions": SESSIONS, "tables": 4, "max_wishes": 5}
    created = client.post("/salons", json=body, headers=organiser)
    assert created.status_code == 201
    salon = created.json()
    assert [t["id"] for t in salon["tables"]] == ["T1", "T2", "T3", "T4"]
    assert salon["wishes_open"] is False and salon["max_wishes"] == 5
    assert salon["objectives"] == ["coverage", "score", "idle"]
    url = f"/salons/{salon['id']}"
    assert client.get(url, headers=organiser).json() == salon
    listed = client.get("/salons", headers=organiser).json()
    assert listed["count"] == 1 and listed["data"][0]["id"] == salon["id"]

    patched = client.patch(
        url,
        json={"name": "AGIR 2023", "max_wishes": None, "wish_deadline": "2023-11-20T18:00:00"},
        headers=organiser,
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["name"] == "AGIR 2023"
    assert patched.json()["max_wishes"] is None
    # A naive deadline is read in the salon's timezone (Paris, UTC+1 in November).
    assert patched.json()["wish_deadline"] == "2023-11-20T17:00:00Z"

    assert client.delete(url, headers=organiser).status_code == 204
    assert client.get(url, headers=organiser).status_code == 404
    assert client.get("/salons", headers=organiser).json() == {"data": [], "count": 0}


def test_pagination(client: TestClient) -> None:
    organiser = new_organiser(client)
    for i in range(5):
        body = {"name": f"S{i}", "sessions": SESSIONS}
        assert client.post("/salons", json=body, headers=organiser).status_code == 201
    page = client.get("/salons?offset=1&limit=2", headers=organiser).json()
    assert page["count"] == 5
    assert [s["name"] for s in page["data"]] == ["S1", "S2"]
    bad = client.get("/salons?limit=0", headers=organiser)
    assert bad.status_code == 422
    assert bad.json()["detail"]["errors"][0]["field"] == "query.limit"


def test_validation_error_names_the_field_in_french_and_english(client: TestClient) -> None:
    organiser = new_organiser(client)
    body = {"name": "S", "sessions": [{"date": "2023-11-28", "start": "9h", "end": "10:00"}]}
    response = client.post("/salons", json=body, headers=organiser)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail["code"] == "invalid_request"
    assert detail["errors"][0]["field"] == "body.sessions[0].start"
    assert detail["errors"][0]["message"].startswith("Heure invalide")
    english = client.post("/salons", json=body, headers={**organiser, "Accept-Language": "en"})
    assert "time" in english.json()["detail"]["errors"][0]["message"].lower()


def test_salon_rules_are_checked_with_their_path(client: TestClient) -> None:
    organiser = new_organiser(client)
    body = {
        "name": "S",
        "timezone": "Mars/Olympus",
        "sessions": [
            {"date": "2023-11-28", "start": "10:00", "end": "09:00"},
        ],
    }
    response = client.post("/salons", json=body, headers=organiser)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail["code"] == "invalid_salon"
    fields = {e["field"] for e in detail["errors"]}
    assert fields == {"timezone", "sessions[0]"}


def test_malformed_json_is_422_not_500(client: TestClient) -> None:
    organiser = new_organiser(client)
    response = client.post(
        "/salons", content=b"{not json", headers={**organiser, "Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["detail"]["code"] == "invalid_request"


def test_nul_characters_and_huge_numbers_are_refused_cleanly(client: TestClient) -> None:
    organiser = new_organiser(client)
    document = {
        "name": "S",
        "meeting_minutes": 15,
        "sessions": SESSIONS,
        "max_in_a_row": 10**30,
        "participants": [{"id": "a\u0000b", "name": "x"}],
    }
    response = client.post("/salons/import", json=document, headers=organiser)
    assert response.status_code == 422
    assert response.json()["detail"]["errors"] == [
        {"field": "body.max_in_a_row", "message": "La valeur doit être au plus 10000."}
    ]
    del document["max_in_a_row"]
    response = client.post("/salons/import", json=document, headers=organiser)
    assert response.status_code == 422  # on SQLite too, which could store it
    assert response.json()["detail"]["code"] == "invalid_value"
    assert response.json()["detail"]["errors"] == [
        {"field": "participants[0].id", "message": "Caractère nul (binaire)."}
    ]


def test_participants_crud_and_kind(world: World) -> None:
    client, organiser = world.client, world.organiser
    listed = client.get(world.url("/participants"), headers=organiser).json()
    assert listed["count"] == 5
    assert {p["code"]: p["kind"] for p in listed["data"]} == {
        "D1": "director",
        "D2": "director",
        "I1": "industrial",
        "I2": "industrial",
        "I3": "industrial",
    }
    directors = client.get(world.url("/participants?kind=director"), headers=organiser).json()
    assert [p["code"] for p in directors["data"]] == ["D1", "D2"]

    url = world.url(f"/participants/{world.ids['I1']}")
    unavailable = [{"start": "2023-11-28T09:00:00", "end": "2023-11-28T09:30:00"}]
    patched = client.patch(
        url, json={"name": "Renamed", "unavailable": unavailable}, headers=organiser
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["name"] == "Renamed"
    assert patched.json()["unavailable"] == unavailable
    assert patched.json()["organisation"] == "Org I1"

    duplicate = client.post(
        world.url("/participants"), json={"code": "I1", "name": "Twice"}, headers=organiser
    )
    assert duplicate.status_code == 409
    assert duplicate.json()["detail"]["code"] == "participant_code_taken"

    unknown_table = client.post(
        world.url("/participants"),
        json={"code": "D9", "name": "X", "table": "T9"},
        headers=organiser,
    )
    assert unknown_table.status_code == 422
    assert unknown_table.json()["detail"]["errors"][0]["field"] == "table"

    assert client.delete(url, headers=organiser).status_code == 204
    assert client.get(url, headers=organiser).status_code == 404


def test_renaming_a_participant_code_keeps_its_wishes(world: World) -> None:
    client, organiser = world.client, world.organiser
    body = {"from": "I1", "to": "D1", "priority": 1}
    assert client.post(world.url("/wishes"), json=body, headers=organiser).status_code == 201
    url = world.url(f"/participants/{world.ids['I1']}")
    assert client.patch(url, json={"code": "I1-bis"}, headers=organiser).status_code == 200
    wishes = client.get(world.url("/wishes"), headers=organiser).json()["data"]
    assert [(w["from"], w["to"]) for w in wishes] == [("I1-bis", "D1")]


def test_organiser_wishes(world: World) -> None:
    client, organiser = world.client, world.organiser
    body = {
        "from": "I1",
        "to": "D1",
        "priority": 1,
        "required": True,
        "during": [{"start": "2023-11-28T09:00:00", "end": "2023-11-28T10:00:00"}],
    }
    created = client.post(world.url("/wishes"), json=body, headers=organiser)
    assert created.status_code == 201, created.text
    wish = created.json()
    assert wish["from"] == "I1" and wish["required"] is True and wish["decision"] == "pending"
    assert wish["during"] == body["during"]

    again = client.post(world.url("/wishes"), json=body, headers=organiser)
    assert again.status_code == 409 and again.json()["detail"]["code"] == "duplicate_wish"
    self_wish = client.post(
        world.url("/wishes"), json={"from": "I1", "to": "I1"}, headers=organiser
    )
    assert self_wish.json()["detail"]["code"] == "wish_to_oneself"
    unknown = client.post(world.url("/wishes"), json={"from": "I1", "to": "ZZ"}, headers=organiser)
    assert unknown.status_code == 422
    assert unknown.json()["detail"]["code"] == "unknown_participant"
    off_grid = client.post(
        world.url("/wishes"),
        json={"from": "I2", "to": "D1", "pinned": "2023-11-28T09:07:00"},
        headers=organiser,
    )
    assert off_grid.status_code == 422
    assert off_grid.json()["detail"]["errors"][0]["field"] == "pinned"

    url = world.url(f"/wishes/{wish['id']}")
    patched = client.patch(url, json={"declined": True, "during": None}, headers=organiser)
    assert patched.status_code == 200
    assert patched.json()["decision"] == "declined" and patched.json()["during"] is None
    filtered = client.get(world.url("/wishes?from=I1&to=D1"), headers=organiser).json()
    assert filtered["count"] == 1
    assert client.get(world.url("/wishes?from=NOBODY"), headers=organiser).json()["count"] == 0
    assert client.delete(url, headers=organiser).status_code == 204
    assert client.get(url, headers=organiser).status_code == 404


def test_tables_in_use_cannot_be_removed(world: World) -> None:
    client, organiser = world.client, world.organiser
    refused = client.patch(world.url(), json={"tables": ["T1", "T3"]}, headers=organiser)
    assert refused.status_code == 409
    assert refused.json()["detail"]["code"] == "table_in_use"
    assert "T2" in refused.json()["detail"]["message"]
    renamed = client.patch(
        world.url(),
        json={"tables": [{"id": "T1", "name": "Table 1", "room": "A"}, {"id": "T2"}, {"id": "T4"}]},
        headers=organiser,
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["tables"] == [
        {"id": "T1", "name": "Table 1", "room": "A"},
        {"id": "T2", "name": None, "room": None},
        {"id": "T4", "name": None, "room": None},
    ]


def test_required_fields_cannot_be_nulled(world: World) -> None:
    response = world.client.patch(world.url(), json={"name": None}, headers=world.organiser)
    assert response.status_code == 422
    assert response.json()["detail"]["errors"][0]["field"] == "name"


def test_links_are_revocable_and_expire(world: World) -> None:
    client, organiser = world.client, world.organiser
    base = world.url(f"/participants/{world.ids['I1']}/links")
    assert client.get("/me", headers=world.me("I1")).status_code == 200
    links = client.get(base, headers=organiser).json()
    assert links["count"] == 1 and links["data"][0]["active"] is True
    assert "token" not in links["data"][0]
    assert client.delete(f"{base}/{links['data'][0]['id']}", headers=organiser).status_code == 204
    assert client.get("/me", headers=world.me("I1")).status_code == 401
    assert client.get(base, headers=organiser).json()["data"][0]["active"] is False

    past = client.post(base, json={"expires_at": "2000-01-01T00:00:00Z"}, headers=organiser)
    assert past.status_code == 422 and past.json()["detail"]["code"] == "expiry_in_past"
    fresh = client.post(base, json={"expires_at": "2999-01-01T00:00:00Z"}, headers=organiser)
    assert fresh.status_code == 201
    assert fresh.json()["url"] == f"http://testserver/p/{fresh.json()['token']}"
    me = client.get("/me", headers={"X-Participant-Token": fresh.json()["token"]})
    assert me.status_code == 200 and me.json()["code"] == "I1"


def test_expired_link_is_refused(world: World) -> None:
    import datetime as dt

    from api.auth import participant_for_token

    with world.client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        later = dt.datetime(2999, 1, 1)
        assert participant_for_token(session, world.tokens["I1"], now=later) is not None
        base = world.url(f"/participants/{world.ids['I1']}/links")
        created = world.client.post(
            base, json={"expires_at": "2998-01-01T00:00:00Z"}, headers=world.organiser
        ).json()
        assert participant_for_token(session, created["token"], now=later) is None


def test_tokens_and_keys_are_stored_hashed(world: World) -> None:
    from sqlalchemy import select

    from api.organisers.tables import ApiKey
    from api.salons.tables import ParticipantLink

    key = world.organiser["Authorization"].removeprefix("Bearer ")
    with world.client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        hashes = set(session.scalars(select(ParticipantLink.token_hash)))
        key_hashes = set(session.scalars(select(ApiKey.key_hash)))
    assert not set(world.tokens.values()) & hashes
    assert key not in key_hashes and len(hashes) == 10


def test_english_messages(world: World) -> None:
    response = world.client.get(
        "/salons/999999", headers={**world.organiser, "Accept-Language": "en-GB"}
    )
    assert response.status_code == 404
    assert response.json()["detail"] == {"code": "not_found", "message": "Salon not found."}
    french = world.client.get("/salons/999999", headers=world.organiser)
    assert french.json()["detail"]["message"] == "Salon introuvable."


def test_language_order_query_then_cookie_then_header(world: World) -> None:
    """One rule everywhere: `?lang=`, then the pages' `lang` cookie, then Accept-Language, else
    French."""
    client = world.client

    def message(path: str, cookie: str | None = None, header: str | None = None) -> str:
        client.cookies.clear()
        if cookie is not None:
            client.cookies.set("lang", cookie)
        headers = {**world.organiser, **({"Accept-Language": header} if header else {})}
        text: str = client.get(path, headers=headers).json()["detail"]["message"]
        client.cookies.clear()
        return text

    french, english = "Salon introuvable.", "Salon not found."
    assert message("/salons/999999") == french
    assert message("/salons/999999", cookie="en") == english
    assert message("/salons/999999", cookie="en", header="fr") == english
    assert message("/salons/999999", cookie="fr", header="en") == french
    assert message("/salons/999999?lang=fr", cookie="en", header="en") == french
    assert message("/salons/999999?lang=en", cookie="fr") == english
    assert message("/salons/999999", cookie="de", header="en-GB,fr;q=0.5") == english
    assert message("/salons/999999?lang=xx", cookie="xx", header="de") == french


def test_unsupported_methods_and_unknown_addresses(client: TestClient) -> None:
    assert client.options("/salons").headers["allow"] == "GET, POST"
    assert client.put("/salons/1").headers["allow"] == "DELETE, GET, PATCH"
    unknown = client.get("/salons/not-a-number")
    assert unknown.status_code == 404 and unknown.json()["detail"]["code"] == "not_found"
    organiser = new_organiser(client)
    typo = client.get("/salons?limt=5", headers=organiser)
    assert typo.status_code == 422
    assert typo.json()["detail"]["errors"] == [
        {"field": "query.limt", "message": "Paramètre inconnu."}
    ]
    assert client.get("/salons?lang=en", headers=organiser).status_code == 200


def test_true_or_false_is_not_a_number_and_one_is_not_true(client: TestClient) -> None:
    organiser = new_organiser(client)
    salon = client.post("/salons", json={"name": "S", "sessions": SESSIONS}, headers=organiser)
    assert salon.status_code == 201, salon.text
    solve = client.post(
        f"/salons/{salon.json()['id']}/solves", json={"seed": False}, headers=organiser
    )
    assert solve.status_code == 422
    assert [e["field"] for e in solve.json()["detail"]["errors"]] == ["body.seed"]
    refused = client.post(
        "/salons",
        json={"name": "S", "sessions": SESSIONS, "max_wishes": True, "tables": True},
        headers=organiser,
    )
    assert refused.status_code == 422
    errors = refused.json()["detail"]["errors"]
    fields = [e["field"] for e in errors]
    assert "body.max_wishes" in fields
    assert any(field.startswith("body.tables") for field in fields)
    message = next(e["message"] for e in errors if e["field"] == "body.max_wishes")
    assert message == "Nombre attendu, pas vrai ou faux."


def test_a_number_is_not_a_date_and_time(client: TestClient) -> None:
    """A Unix time where a moment is expected is refused (pydantic would read 0 as 1970)."""
    organiser = new_organiser(client)
    refused = client.post(
        "/salons", json={"name": "S", "sessions": SESSIONS, "wish_deadline": 0}, headers=organiser
    )
    assert refused.status_code == 422
    [error] = refused.json()["detail"]["errors"]
    assert error["field"] == "body.wish_deadline"
    assert error["message"].startswith("Date et heure invalides")
    kept = client.post(
        "/salons",
        json={"name": "S", "sessions": SESSIONS, "wish_deadline": "2030-01-01T09:00:00Z"},
        headers=organiser,
    )
    assert kept.status_code == 201, kept.text
    assert kept.json()["wish_deadline"].startswith("2030-01-01T09:00:00")
