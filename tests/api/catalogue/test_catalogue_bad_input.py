"""Malformed input on the catalogue's JSON API and forms, on SQLite (FTS5) and PostgreSQL
(tsquery): search syntax characters, NUL and other odd characters, huge strings, wrong types,
bad dates, unknown facet values. Never a 500: a result, or a refusal naming what is wrong."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from catalogue_helpers import (
    contributor_headers,
    create_event,
    csrf_of,
    event_payload,
    moderator_headers,
    publish,
    sign_in_on_pages,
)
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.settings import Settings

SEARCH_TEXTS = [
    '"',
    '""',
    '"atelier',
    "*",
    "atelier*",
    "**",
    "NEAR",
    "NEAR(atelier design)",
    "atelier NEAR/2 design",
    ":",
    "title:atelier",
    "-",
    "-atelier",
    "atelier -design",
    "(",
    ")",
    "((atelier)",
    "atelier)",
    "AND",
    "OR NOT",
    "atelier AND OR",
    "^atelier",
    "{atelier}",
    "&",
    "|",
    "!",
    "!atelier & | ",
    "<->",
    "atelier <-> design",
    "'",
    "l'atelier",
    "\\",
    "%",
    "_",
    "__",
    "a_b",
    "½",
    "²",
    "①",
    "٣",
    "Ⅻ",
    "ﬁ",
    "ǅ",
    "İstanbul",
    "ß",
    "😀",
    "e\u0301",
    "\u200b",
    "\u00a0",
    "\ufeffatelier",
    "\x00",
    "atelier\x00design",
    "\x01\x1f",
    "le la les de",
    "a",
    "x" * 500,
    " ".join(["mot"] * 300),
    "'; DROP TABLE catalogue_events; --",
    "1=1 OR 1",
    "%27%22",
]


@pytest.fixture
def published(client: TestClient, session: Session, settings: Settings) -> dict[str, Any]:
    """One published event (so that the full-text index has something to match)."""
    agent = contributor_headers(client, settings.outbox_dir)
    event = create_event(client, agent)
    publish(client, moderator_headers(client), event["id"], agent)
    return event


def test_search_text_never_fails(client: TestClient, published: dict[str, Any]) -> None:
    failed = [
        (path, q, answer.status_code)
        for q in SEARCH_TEXTS
        for path in ("/catalogue/api/events", "/catalogue/", "/catalogue/api/export/events.csv")
        if (answer := client.get(path, params={"q": q})).status_code != 200
    ]
    assert failed == []


def test_search_text_still_finds_the_words(client: TestClient, published: dict[str, Any]) -> None:
    for q in ('"atelier', "atelier*", "(atelier)", "-atelier", "atelier:", "(atelier"):
        found = client.get("/catalogue/api/events", params={"q": q}).json()
        assert found["count"] == 1, q


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date_from": "2030-13-01"}, "date_from"),
        ({"date_to": "hier"}, "date_to"),
        ({"date_from": "\x00"}, "date_from"),
        ({"date_from": "9" * 400}, "date_from"),
        ({"page": "-1"}, "page"),
        ({"page": "1e400"}, "page"),
        ({"page": "9" * 5000}, "page"),
        ({"offset": "-1"}, "offset"),
        ({"offset": "1e400"}, "offset"),
        ({"offset": "9" * 5000}, "offset"),
        ({"limit": "abc"}, "limit"),
        ({"limit": "501"}, "limit"),
        ({"when": "\x00"}, "when"),
        ({"when": "demain"}, "when"),
    ],
)
def test_bad_search_parameters_are_named(
    client: TestClient, session: Session, params: dict[str, str], field: str
) -> None:
    answer = client.get("/catalogue/api/events", params=params)
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"]["code"] == "invalid_search"
    assert [e["field"] for e in answer.json()["detail"]["errors"]] == [field]
    page = client.get("/catalogue/", params=params)
    if field in ("offset", "limit"):  # the search page pages by number (`page`) only
        assert page.status_code == 200 and "<html" in page.text
    else:
        assert page.status_code == 422 and "<html" in page.text


UNKNOWN_FACET_VALUES = [
    {"region": "99"},
    {"departement": "\x00"},
    {"format": "<b>"},
    {"theme": "x" * 5000},
    {"track": "😀"},
    {"mode": "teleportation"},
    {"audience": ",,,"},
    {"accessibility": "\u200b"},
    {"edition": "\x00"},
    {"edition": "x" * 5000},
    {"edition": "inconnue"},
    {"unknown": "value"},
]


def test_unknown_facet_values_never_fail(client: TestClient, published: dict[str, Any]) -> None:
    failed = [
        (path, params, answer.status_code)
        for params in UNKNOWN_FACET_VALUES
        for path in ("/catalogue/api/events", "/catalogue/", "/catalogue/api/feed.atom")
        if (answer := client.get(path, params=params)).status_code not in (200, 422)
    ]
    assert failed == []


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "a\x00b"}, "title"),
        ({"short_description": "\x00"}, "short_description"),
        ({"long_description": "texte\x00"}, "long_description"),
        ({"themes": ["th\x00me"]}, "themes[0]"),
        ({"keywords": "mot\x00clé"}, "keywords[0]"),
        ({"title": "x" * 100_000}, "title"),
        ({"title": 12}, "title"),
        ({"title": ["liste"]}, "title"),
        ({"timings": "demain"}, "timings"),
        ({"timings": [{"start": "2030-11-14T25:00", "end": "2030-11-14T26:00"}]},
         "timings[0].start"),
        ({"timings": [{"start": "\x00", "end": "2030-11-14T12:00"}]}, "timings[0].start"),
        ({"timings": [{"start": 1e308, "end": None}]}, "timings[0].start"),
        ({"track_step": "deux"}, "track_step"),
        ({"track_step": 10**30}, "track_step"),
        ({"audiences": ["martiens"]}, "audiences[0]"),
        ({"attendance_mode": None}, "attendance_mode"),
        ({"organizer": {"structure": "Ville\x00"}}, "organizer.structure"),
        ({"place": {"name": "Salle", "address": "1 rue", "postal_code": "69\x0001",
                    "commune": "Lyon", "departement": "69"}}, "place.postal_code"),
        ({"place": {"name": "Salle", "address": "1 rue", "postal_code": "69001",
                    "commune": "Lyon", "departement": "\x00"}}, "place.departement"),
        ({"registration_url": "https://ex\x00ample.org"}, "registration_url"),
        ({"format": "\x00"}, "format"),
        ({"track": "\x00"}, "track"),
        ({"edition": "\x00"}, "edition"),
    ],
)
def test_bad_event_fields_are_named(
    client: TestClient,
    session: Session,
    settings: Settings,
    overrides: dict[str, Any],
    field: str,
) -> None:
    agent = contributor_headers(client, settings.outbox_dir)
    created = client.post("/catalogue/api/me/events", json=event_payload(**overrides),
                          headers=agent)
    assert created.status_code == 422, created.text[:500]
    assert field in [e["field"] for e in created.json()["detail"]["errors"]], created.text[:500]
    event = create_event(client, agent)
    patched = client.patch(f"/catalogue/api/me/events/{event['id']}", json=overrides,
                           headers=agent)
    assert patched.status_code == 422, patched.text[:500]


@pytest.mark.parametrize(
    "body",
    ["", "null", "[]", '"texte"', "{", '{"title": NaN}', "\x00", '{"title": "\\u0000"}',
     '{"title": "\\ud800"}', "[" * 5000],
    ids=range(10),
)
def test_malformed_json_bodies_are_refused(
    client: TestClient, session: Session, settings: Settings, body: str
) -> None:
    agent = contributor_headers(client, settings.outbox_dir)
    headers = {**agent, "Content-Type": "application/json"}
    answer = client.post("/catalogue/api/me/events", content=body.encode("utf-8", "surrogatepass"),
                         headers=headers)
    assert answer.status_code == 422, answer.text[:300]
    assert answer.json()["detail"]["code"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/catalogue/api/auth/magic-link", {"email": "agent\x00@administration.example"}),
        ("/catalogue/api/auth/magic-link", {"email": "x" * 10_000}),
        ("/catalogue/api/auth/magic-link", {"email": 5}),
        ("/catalogue/api/auth/session", {"token": "\x00"}),
        ("/catalogue/api/auth/session", {"token": "x" * 10_000}),
    ],
)
def test_bad_sign_in_input_is_refused(
    client: TestClient, session: Session, path: str, body: dict[str, Any]
) -> None:
    answer = client.post(path, json=body)
    assert answer.status_code in (401, 422), answer.text[:300]
    assert answer.json()["detail"]["code"]


def test_bad_bearer_tokens_are_refused(client: TestClient, session: Session) -> None:
    for token in (b"\x01", b"x" * 10_000, "é".encode("latin-1"), "é".encode()):
        headers = {"Authorization": b"Bearer " + token}
        mine = client.get("/catalogue/api/me/events", headers=headers)
        assert mine.status_code == 401, mine.text[:300]
        queue = client.get("/catalogue/api/moderation/queue", headers=headers)
        assert queue.status_code == 401, queue.text[:300]


@pytest.mark.parametrize(
    "params",
    [{"state": "\x00"}, {"state": "x" * 5000}, {"edition": "\x00"}, {"page": "0"},
     {"per_page": "-5"}, {"page": "9" * 30}, {"offset": "-1"}, {"limit": "9" * 30},
     {"limit": "0"}],
    ids=range(9),
)
def test_bad_moderation_queue_parameters(
    client: TestClient, session: Session, params: dict[str, str]
) -> None:
    answer = client.get("/catalogue/api/moderation/queue", params=params,
                        headers=moderator_headers(client))
    assert answer.status_code in (200, 404, 422), answer.text[:300]


def form_of(**overrides: str) -> dict[str, str]:
    form = {
        "title": "Atelier", "short_description": "Un atelier.", "format": "atelier",
        "attendance_mode": "online", "online_url": "https://visio.example/a",
        "timings-0-start": "2030-11-14T09:30", "timings-0-end": "2030-11-14T12:00",
        "organizer_structure": "Ville",
    }
    form.update(overrides)
    return form


@pytest.mark.parametrize(
    ("overrides", "input_id"),
    [
        ({"title": "a\x00b"}, "f-title"),
        ({"title": "x" * 50_000}, "f-title"),
        ({"timings-0-start": "14/11/2030 09:30"}, "f-timings-0-start"),
        ({"timings-0-end": "\x00"}, "f-timings-0-end"),
        ({"timings-0-start": "2030-11-14T12:00", "timings-0-end": "2030-11-14T09:00"},
         "f-timings-0-end"),
        ({"track_step": "trois"}, "f-track_step"),
        ({"track_step": "9" * 40}, "f-track_step"),
        ({"postal_code": "ABCDE", "attendance_mode": "mixed", "place_name": "Salle",
          "place_address": "1 rue", "commune": "Lyon", "departement": "69"}, "f-postal_code"),
        ({"departement": "\x00", "attendance_mode": "mixed", "place_name": "Salle",
          "place_address": "1 rue", "commune": "Lyon", "postal_code": "69001"}, "f-departement"),
        ({"format": "\x00"}, "f-format"),
        ({"track": "\x00"}, "f-track"),
    ],
)
def test_bad_form_input_is_shown_on_the_form(
    client: TestClient,
    session: Session,
    settings: Settings,
    overrides: dict[str, str],
    input_id: str,
) -> None:
    sign_in_on_pages(client, settings, "agent@administration.example")
    token = csrf_of(client.get("/catalogue/my/events/new").text)
    answer = client.post("/catalogue/my/events/new", data=form_of(**overrides) | {"csrf": token})
    assert answer.status_code == 422, answer.text[:300]
    assert f'href="#{input_id}"' in answer.text
    assert f'id="{input_id}"' in answer.text and 'aria-invalid="true"' in answer.text


@pytest.mark.parametrize("text", ["\x00", "x" * 10_000, "é\u200b😀", "' OR 1=1 --"], ids=range(4))
def test_bad_sign_in_forms_are_refused_on_the_page(
    client: TestClient, session: Session, text: str
) -> None:
    sent = client.post("/catalogue/login", data={"email": text})
    assert sent.status_code == 422 and "Adresse électronique invalide" in sent.text, sent.text[:300]
    moderator = client.post("/catalogue/moderation/login", data={"api_key": text})
    assert moderator.status_code == 401 and "inconnue ou révoquée" in moderator.text
    link = client.post(f"/catalogue/login/{quote(text, safe='')}", follow_redirects=False)
    assert link.status_code in (401, 404), link.text[:300]
