"""The profiles' JSON API (`/me/profile`, `/me/people/{code}`) and the suggestions' (`/me/
suggestions`), with the participant's token: the same rules as the pages (who reads whose
profile, the salon's themes, closed with the wishes), bad input named, nothing lost."""

from __future__ import annotations

from profiles_fixtures import THEMES, Salon

PROFILE = {
    "description": "Nous **fabriquons** des sources laser.",
    "offers": "Sources laser de puissance",
    "needs": "Essais en milieu naval",
    "keywords": ["lasers", "optique"],
    "themes": ["Optronique"],
    "links": ["https://laser.example"],
}


def _me(salon: Salon, code: str) -> dict[str, str]:
    return {"X-Participant-Token": salon.tokens[code]}


def test_a_participant_writes_its_profile_and_a_director_reads_it(salon: Salon) -> None:
    client = salon.client
    empty = client.get("/me/profile", headers=_me(salon, "I1"))
    assert empty.status_code == 200, empty.text
    body = empty.json()
    assert body["code"] == "I1" and body["kind"] == "industrial" and body["editable"] is True
    assert body["profile"]["description"] == "" and sorted(body["salon_themes"]) == sorted(THEMES)
    saved = client.put("/me/profile", json=PROFILE, headers=_me(salon, "I1"))
    assert saved.status_code == 200, saved.text
    assert saved.json()["profile"] == PROFILE and saved.json()["has_image"] is False
    read = client.get("/me/people/I1", headers=_me(salon, "D1"))
    assert read.status_code == 200 and read.json()["profile"]["offers"] == PROFILE["offers"]
    assert "salon_themes" not in read.json()  # another's profile, not the editing view


def test_who_reads_whose_profile(salon: Salon) -> None:
    client = salon.client
    assert client.get("/me/people/D1", headers=_me(salon, "I1")).status_code == 200
    assert client.get("/me/people/I2", headers=_me(salon, "I1")).status_code == 404
    assert client.get("/me/people/NOPE", headers=_me(salon, "I1")).status_code == 404
    assert client.get("/me/people/D1").status_code == 401
    assert client.get("/me/people/D1", headers=salon.organiser).status_code == 401


def test_bad_profiles_are_refused_by_name_and_lose_nothing(salon: Salon) -> None:
    client = salon.client
    assert client.put("/me/profile", json=PROFILE, headers=_me(salon, "D1")).status_code == 200
    unknown = client.put(
        "/me/profile", json={**PROFILE, "themes": ["Pêche"]}, headers=_me(salon, "D1")
    )
    assert unknown.status_code == 422
    assert unknown.json()["detail"]["code"] == "invalid_profile"
    assert unknown.json()["detail"]["errors"] == [
        {"field": "body.themes[0]", "message": "Thème inconnu du salon : Pêche."}
    ]
    link = client.put(
        "/me/profile", json={**PROFILE, "links": ["javascript:alert(1)"]}, headers=_me(salon, "D1")
    )
    assert link.status_code == 422
    [error] = link.json()["detail"]["errors"]
    assert error["field"] == "body.links[0]" and error["message"].startswith("Valeur invalide")
    extra = client.put("/me/profile", json={**PROFILE, "image": "x"}, headers=_me(salon, "D1"))
    assert extra.status_code == 422
    unknown_field = {"field": "body.image", "message": "Champ inconnu."}
    assert extra.json()["detail"]["errors"] == [unknown_field]
    kept = client.get("/me/profile", headers=_me(salon, "D1")).json()["profile"]
    assert kept == PROFILE


def test_profiles_close_with_the_wishes(salon: Salon) -> None:
    salon.close_wishes()
    assert salon.client.get("/me/profile", headers=_me(salon, "I1")).json()["editable"] is False
    closed = salon.client.put("/me/profile", json=PROFILE, headers=_me(salon, "I1"))
    assert closed.status_code == 409 and closed.json()["detail"]["code"] == "profiles_closed"


def test_suggestions_follow_the_profiles_and_mark_the_wishes(salon: Salon) -> None:
    client = salon.client
    laser = {**PROFILE, "keywords": ["lasers", "optique", "photonique"]}
    assert client.put("/me/profile", json=laser, headers=_me(salon, "I1")).status_code == 200
    assert client.put("/me/profile", json=laser, headers=_me(salon, "D2")).status_code == 200
    other = {**PROFILE, "keywords": ["drones"], "themes": ["Drones"], "offers": "", "needs": ""}
    other["description"] = "Des drones."
    assert client.put("/me/profile", json=other, headers=_me(salon, "D1")).status_code == 200
    wishes = client.put("/me/wishes", json={"wishes": [{"to": "D1"}]}, headers=_me(salon, "I1"))
    assert wishes.status_code == 200, wishes.text
    response = client.get("/me/suggestions", headers=_me(salon, "I1"))
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["count"] == len(page["data"]) >= 1
    first = page["data"][0]
    assert first["code"] == "D2" and "lasers" in first["shared"]  # the closest profile first
    assert {item["code"] for item in page["data"]} <= {"D1", "D2"}  # the other side only
    assert all(item["chosen"] == (item["code"] == "D1") for item in page["data"])
    assert client.get("/me/suggestions", headers=salon.organiser).status_code == 401
