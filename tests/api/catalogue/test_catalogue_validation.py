"""Validation messages of the API: each names the field and says what is wrong, in French by
default and in English on request; bad input is a 422, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from catalogue_helpers import contributor_headers, event_payload, moderator_headers
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.settings import Settings


def errors_of(answer: Any) -> dict[str, str]:
    assert answer.status_code == 422, answer.text
    detail = answer.json()["detail"]
    assert detail["code"] in ("invalid_event", "invalid_request")
    return {error["field"]: error["message"] for error in detail["errors"]}


@pytest.fixture
def agent(client: TestClient, session: Session, settings: Settings) -> dict[str, str]:
    return contributor_headers(client, settings.outbox_dir)


def post(client: TestClient, agent: dict[str, str], lang: str = "fr", **overrides: Any) -> Any:
    return client.post("/catalogue/api/me/events", json=event_payload(**overrides),
                       headers=agent | {"Accept-Language": lang})


def test_missing_place_for_an_on_site_event(client: TestClient, agent: dict[str, str]) -> None:
    errors = errors_of(post(client, agent, place=None))
    assert errors == {"place": "Le lieu est obligatoire pour un événement sur place ou mixte."}
    english = errors_of(post(client, agent, "en", place=None, attendance_mode="mixed",
                             online_url="https://visio.example/x"))
    assert english == {"place": "The place is required for an on-site or mixed event."}
    partial = errors_of(post(client, agent, place={"name": "Mairie", "departement": "69"}))
    assert partial == {
        "place.address": "L'adresse est obligatoire pour un événement sur place ou mixte.",
        "place.postal_code": "Le code postal est obligatoire pour un événement sur place ou mixte.",
        "place.commune": "La commune est obligatoire pour un événement sur place ou mixte.",
    }


def test_online_events_need_a_link_but_no_place(client: TestClient, agent: dict[str, str]) -> None:
    errors = errors_of(post(client, agent, attendance_mode="online", place=None))
    assert errors == {
        "online_url": "Le lien de connexion est obligatoire pour un événement en ligne ou mixte."
    }
    created = post(client, agent, attendance_mode="online", place=None,
                   online_url="https://visio.example/salle")
    assert created.status_code == 201 and created.json()["place"] is None


def test_unknown_departement_and_region(client: TestClient, agent: dict[str, str]) -> None:
    place = event_payload()["place"]
    errors = errors_of(post(client, agent, place=place | {"departement": "99"}))
    assert errors == {
        "place.departement": "Département inconnu : « 99 ». Indiquez un code officiel "
        "(01 à 95, 2A, 2B, 971 à 976)."
    }
    errors = errors_of(post(client, agent, "en", place=place | {"region": "12"}))
    assert errors == {"place.region": "Unknown région: “12”. Give an official région code."}
    errors = errors_of(post(client, agent, place=place | {"region": "11"}))
    assert errors == {
        "place.region": "Le département 69 (Rhône) n'est pas dans la région 11 (Île-de-France)."
    }


def test_codes_are_normalised_and_region_deduced(client: TestClient, agent: dict[str, str]) -> None:
    place = event_payload()["place"] | {"departement": "2a", "postal_code": "20000",
                                        "commune": "Ajaccio"}
    created = post(client, agent, place=place)
    assert created.status_code == 201, created.text
    assert created.json()["place"]["departement"] == {"code": "2A", "name": "Corse-du-Sud"}
    assert created.json()["place"]["region"] == {"code": "94", "name": "Corse"}
    drom = post(client, agent, place=place | {"departement": "974", "postal_code": "97400",
                                              "commune": "Saint-Denis"})
    assert drom.json()["place"]["region"] == {"code": "04", "name": "La Réunion"}


def test_end_before_start(client: TestClient, agent: dict[str, str]) -> None:
    timings = [
        {"start": "2030-11-14T09:30", "end": "2030-11-14T12:00"},
        {"start": "2030-11-15T14:00", "end": "2030-11-15T13:00"},
    ]
    errors = errors_of(post(client, agent, timings=timings))
    assert errors == {
        "timings[1].end": "La fin (2030-11-15 13:00) doit être après le début (2030-11-15 14:00)."
    }
    english = errors_of(post(client, agent, "en", timings=timings))
    assert english == {
        "timings[1].end": "The end (2030-11-15 13:00) must be after the start (2030-11-15 14:00)."
    }


def test_several_problems_at_once(client: TestClient, agent: dict[str, str]) -> None:
    answer = post(
        client,
        agent,
        format="inconnu",
        timings=[{"start": "2031-01-05T10:00", "end": "2031-01-05T11:00"}],
        registration_url="javascript:alert(1)",
        registration_email="pas-une-adresse",
        place=event_payload()["place"] | {"postal_code": "6900"},
        track="climat",
    )
    errors = errors_of(answer)
    assert answer.json()["detail"]["message"] == "La saisie comporte 6 erreurs."
    assert errors == {
        "timings[0].start": "Le 2031-01-05 est en dehors de l'édition « Mois de l'innovation "
        "publique 2030 » (du 2030-11-02 au 2030-11-30).",
        "format": "Format inconnu : « inconnu ».",
        "place.postal_code": "Code postal invalide : « 6900 » (cinq chiffres attendus).",
        "registration_url": "Lien invalide : « javascript:alert(1) » (une adresse en http:// "
        "ou https:// est attendue).",
        "registration_email": "Adresse électronique invalide : « pas-une-adresse ».",
        "track_step": "Le numéro d'étape est obligatoire pour un événement d'un parcours.",
    }


def test_track_steps_are_unique(client: TestClient, agent: dict[str, str]) -> None:
    first = post(client, agent, track="climat", track_step=1, title="Étape 1")
    assert first.status_code == 201
    errors = errors_of(post(client, agent, track="climat", track_step=1))
    assert errors == {"track_step": "L'étape 1 du parcours est déjà occupée par « Étape 1 »."}
    assert errors_of(post(client, agent, track_step=2)) == {
        "track_step": "Un numéro d'étape n'a de sens que dans un parcours."
    }
    assert errors_of(post(client, agent, track="inconnu", track_step=2)) == {
        "track": "Parcours inconnu : « inconnu »."
    }


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": ""}, "title", "Ce champ est obligatoire."),
        ({"title": "x" * 141}, "title", "Texte trop long : 140 caractères au plus."),
        ({"short_description": "y" * 201}, "short_description",
         "Texte trop long : 200 caractères au plus."),
        ({"timings": []}, "timings", "Au moins 1 élément(s) attendu(s)."),
        ({"timings": [{"start": "demain", "end": "2030-11-14T12:00"}]}, "timings[0].start",
         "Date et heure invalides : « demain » (par exemple 2023-11-14T09:30)."),
        ({"attendance_mode": "hybride"}, "attendance_mode",
         "Valeur inconnue : « hybride » (valeurs possibles : on_site, online, mixed)."),
        ({"audiences": ["tous"]}, "audiences[0]",
         "Valeur inconnue : « tous » (valeurs possibles : agents_publics, encadrants, elus, "
         "grand_public, usagers, entreprises, associations, chercheurs, etudiants)."),
        ({"unknown": 1}, "unknown", "Champ inconnu."),
        ({"track_step": "deux"}, "track_step", "Nombre entier attendu : « deux »."),
    ],
)
def test_schema_messages(
    client: TestClient, agent: dict[str, str], overrides: dict[str, Any], field: str,
    message: str,
) -> None:
    errors = errors_of(post(client, agent, **overrides))
    assert errors[field] == message


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[]", b'{"title": null}', "\u0000".encode(), b'{"timings": "x"}'],
)
def test_bad_bodies_never_500(client: TestClient, agent: dict[str, str], body: bytes) -> None:
    answer = client.post("/catalogue/api/me/events", content=body,
                         headers=agent | {"Content-Type": "application/json"})
    assert answer.status_code == 422
    assert answer.json()["detail"]["errors"]


@pytest.mark.parametrize(
    "query",
    ["page=0", "page=abc", "per_page=1000", "limit=1000", "offset=-1", "limit=0",
     "date_from=2030-13-01", "when=demain",
     "q=%00%22*%28", "region=%3Cscript%3E", "q=" + "a" * 5000, "date_to=x&page=-1"],
)
def test_bad_search_parameters(client: TestClient, session: Session, query: str) -> None:
    answer = client.get(f"/catalogue/api/events?{query}")
    assert answer.status_code in (200, 422), answer.text
    if answer.status_code == 422:
        assert answer.json()["detail"]["code"] == "invalid_search"
    page = client.get(f"/catalogue/?{query}")
    assert page.status_code in (200, 422)
    assert "Traceback" not in page.text


def test_a_number_is_not_an_editions_date(client: TestClient, session: Session) -> None:
    """An edition's dates and deadline are written as text: a number (pydantic would read a
    Unix time) is refused naming the field, and the edition is unchanged."""
    moderator = moderator_headers(client)
    before = client.get("/catalogue/api/editions").json()
    bad = [({"starts_on": 0}, "starts_on", "Date invalide"),
           ({"submission_deadline": 1}, "submission_deadline", "Date et heure invalides")]
    for body, field, message in bad:
        answer = client.patch("/catalogue/api/moderation/editions/mois-2030", json=body,
                              headers=moderator)
        errors = errors_of(answer)
        assert list(errors) == [field] and errors[field].startswith(message), errors
    assert client.get("/catalogue/api/editions").json() == before
