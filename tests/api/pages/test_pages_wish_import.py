"""The organiser imports wishes and sets the caps per side on the salon's dashboard."""

from __future__ import annotations

from typing import Any

from pages_helpers import sign_in
from service_helpers import World


def stored(world: World) -> dict[tuple[str, str], dict[str, Any]]:
    listed = world.client.get(world.url("/wishes"), headers=world.organiser).json()["data"]
    return {(w["from"], w["to"]): w for w in listed}


def test_the_organiser_imports_wishes_on_the_dashboard(world: World) -> None:
    client = world.client
    token = sign_in(client, world.organiser)
    page = client.get(f"/o/salons/{world.salon_id}").text
    assert "Importer des souhaits" in page and 'id="wishes-file"' in page
    url = f"/o/salons/{world.salon_id}/wishes"
    good = client.post(
        url, data={"csrf": token}, files={"file": ("s.csv", b"from,to\nI1,D1\nI2,D2\n")}
    )
    assert good.status_code == 200
    assert "Souhaits importés : 2 ajoutés, 0 mis à jour." in good.text
    bad = client.post(url, data={"csrf": token}, files={"file": ("s.csv", b"from,to\nI1,ZZ\n")})
    assert bad.status_code == 422
    problems = bad.text[bad.text.index('id="wish-import-problems"') :]
    assert "ligne 2, colonne to : Participant inconnu : ZZ." in problems[: problems.index("</div>")]
    assert len(stored(world)) == 2


def test_the_organiser_sets_caps_per_side_on_the_dashboard(world: World) -> None:
    client = world.client
    token = sign_in(client, world.organiser)
    url = f"/o/salons/{world.salon_id}/caps"
    saved = client.post(url, data={"csrf": token, "director": "14", "industrial": "6"})
    assert saved.status_code == 200 and "Plafonds de rendez-vous enregistrés." in saved.text
    assert 'name="director" min="0" max="10000" inputmode="numeric" value="14"' in saved.text
    read = client.get(world.url(), headers=world.organiser).json()
    assert read["max_meetings_by_kind"] == {"director": 14, "industrial": 6}
    refused = client.post(url, data={"csrf": token, "director": "beaucoup", "industrial": ""})
    assert refused.status_code == 422 and 'id="caps-problems"' in refused.text
    assert client.get(world.url(), headers=world.organiser).json()["max_meetings_by_kind"] == {
        "director": 14,
        "industrial": 6,
    }
    cleared = client.post(url, data={"csrf": token, "director": "", "industrial": ""})
    assert cleared.status_code == 200
    assert client.get(world.url(), headers=world.organiser).json()["max_meetings_by_kind"] is None
