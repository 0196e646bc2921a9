"""The organiser imports participants from a spreadsheet file on the dashboard."""

from __future__ import annotations

from pages_helpers import sign_in
from service_helpers import World


def _upload(world: World, token: str, name: str, content: bytes, kind: str = "text/csv") -> object:
    return world.client.post(
        f"/o/salons/{world.salon_id}/participants",
        data={"csrf": token},
        files={"file": (name, content, kind)},
        follow_redirects=True,
    )


def _participants(world: World) -> dict[str, dict[str, object]]:
    listed = world.client.get(world.url("/participants"), headers=world.organiser).json()
    return {p["code"]: p for p in listed["data"]}


def test_a_spreadsheet_adds_and_updates_participants(world: World) -> None:
    token = sign_in(world.client, world.organiser)
    content = (
        "id,name,organisation,email\n"
        "I9,Nouvelle Venue,Start-up Neuve,i9@example.org\n"
        "I1,Nom I1 corrigé,Org I1,\n"
    ).encode()
    page = _upload(world, token, "participants.csv", content)
    assert page.status_code == 200  # type: ignore[attr-defined]
    assert "Participants importés : 1 ajoutés, 1 mis à jour." in page.text  # type: ignore[attr-defined]
    people = _participants(world)
    assert people["I9"]["name"] == "Nouvelle Venue" and people["I9"]["email"] == "i9@example.org"
    assert people["I1"]["name"] == "Nom I1 corrigé"


def test_a_bad_file_changes_nothing_and_says_where(world: World) -> None:
    token = sign_in(world.client, world.organiser)
    before = _participants(world)
    content = b"id,name,table\nI9,Nouvelle Venue,T1\nI8,,\n"
    page = _upload(world, token, "participants.csv", content)
    assert page.status_code == 422  # type: ignore[attr-defined]
    html = page.text  # type: ignore[attr-defined]
    problems = html[
        html.index('id="import-problems"') : html.index(
            "</div>", html.index('id="import-problems"')
        )
    ]
    assert "rien n'a changé" in problems
    assert "ligne 3, colonne name : Ce champ est obligatoire." in problems
    assert _participants(world) == before
    empty = world.client.post(f"/o/salons/{world.salon_id}/participants", data={"csrf": token})
    assert empty.status_code == 422 and "Choisissez un fichier de participants" in empty.text
