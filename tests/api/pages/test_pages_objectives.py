"""The organiser reads each objective by its name and what its proven bound says of it."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from pages_helpers import sign_in, wishes_and_solve
from service_helpers import World, wait_for_job

from api.rendering import get_environment


@dataclass
class Objective:
    name: str
    value: int
    bound: int


def proof(objective: Objective, language: str = "fr") -> str:
    macros = get_environment(language).get_template("pages/_macros.html").module
    return str(macros.objective_proof(objective)).strip()  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("objective", "french", "english"),
    [
        (Objective("coverage", 7, 7), "optimal (prouvé)", "optimal (proven)"),
        (Objective("score", 40, 43), "au plus 3 de plus possible", "at most 3 more possible"),
        (Objective("idle", 0, 0), "optimal (prouvé)", "optimal (proven)"),
        (
            Objective("idle", 5, 0),
            "pas de borne inférieure non triviale",
            "no non-trivial lower bound",
        ),
        (Objective("breaks", 5, 2), "au plus 3 de moins possible", "at most 3 fewer possible"),
    ],
)
def test_objective_proof(objective: Objective, french: str, english: str) -> None:
    assert proof(objective) == french
    assert proof(objective, "en") == english


def test_schedule_page_names_objectives_and_their_proof(world: World) -> None:
    version = wishes_and_solve(world)
    sign_in(world.client, world.organiser)
    path = f"/o/salons/{world.salon_id}/schedules/{version}"
    html = world.client.get(path).text
    table = html[
        html.index('id="objectives"') : html.index("</table>", html.index('id="objectives"'))
    ]
    rows = re.findall(
        r'<th scope="row">(.*?) <code>(\w+)</code></th><td>(\d+)</td><td>(\d+)</td><td>(.*?)</td>',
        table,
    )
    by_name = {
        code: (label, int(value), int(bound), said) for label, code, value, bound, said in rows
    }
    assert list(by_name)[:2] == ["coverage", "score"]
    label, value, bound, said = by_name["coverage"]
    assert label == "Participants ayant au moins un rendez-vous"
    assert (said == "optimal (prouvé)") == (value == bound)
    english = world.client.get(f"{path}?lang=en").text
    assert "Participants with at least one meeting" in english and "Proven bound" in english


def test_the_organiser_chooses_fairness_first(world: World) -> None:
    client = world.client
    token = sign_in(client, world.organiser)
    dashboard = f"/o/salons/{world.salon_id}"
    assert re.search(r'value="score" checked', client.get(dashboard).text)
    saved = client.post(
        f"{dashboard}/priority",
        data={"csrf": token, "priority": "fairness"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    salon = client.get(world.url(), headers=world.organiser).json()
    assert salon["objectives"] == ["coverage", "fairness", "score", "idle"]
    page = client.get(saved.headers["location"]).text
    assert "Priorité du calcul enregistrée." in page and re.search(
        r'value="fairness" checked', page
    )
    refused = client.post(f"{dashboard}/priority", data={"csrf": token, "priority": "luck"})
    assert refused.status_code == 422 and "Priorité inconnue." in refused.text
    assert client.get(world.url(), headers=world.organiser).json()["objectives"][1] == "fairness"
    version = wishes_and_solve(world)
    schedule = client.get(f"{dashboard}/schedules/{version}").text
    assert "Équité de la répartition des rendez-vous <code>fairness</code>" in schedule


def test_schedule_page_shows_how_meetings_spread(world: World) -> None:
    version = wishes_and_solve(world)
    sign_in(world.client, world.organiser)
    html = world.client.get(f"/o/salons/{world.salon_id}/schedules/{version}").text
    table = html[html.index('id="spread"') : html.index("</table>", html.index('id="spread"'))]
    rows = dict(re.findall(r'<th scope="row">(.*?)</th>\s*<td>(.*?)</td>', table, re.S))
    cells = {
        side: dict(re.findall(r'class="spread-cell">(\d+) : (\d+)<', text))
        for side, text in rows.items()
    }
    # I1 and I2 each meet D1 and D2; I3 asked nobody.
    assert cells["Directeurs de programme"] == {"2": "2"}
    assert cells["Industriels"] == {"0": "1", "2": "2"}


def test_solve_page_shows_the_clash_in_the_page_language(world: World) -> None:
    client = world.client
    for asker in ("I1", "I2"):
        body = {"from": asker, "to": "D1", "required": True, "pinned": "2023-11-28T09:00:00"}
        assert (
            client.post(world.url("/wishes"), json=body, headers=world.organiser).status_code == 201
        )
    started = client.post(world.url("/solves"), json={"time_limit": 2}, headers=world.organiser)
    job = wait_for_job(client, world.organiser, world.salon_id, started.json()["id"])
    assert job["state"] == "failed"
    sign_in(client, world.organiser)
    path = f"/o/salons/{world.salon_id}/solves/{job['id']}"
    french = client.get(path, params={"lang": "fr"}).text
    assert "le rendez-vous obligatoire I" in french and "Les règles impératives" in french
    assert "no-schedule-in-time" not in french  # proven impossible: no offer of more time
    english = client.get(path, params={"lang": "en"}).text
    assert "the required meeting I" in english and "le rendez-vous obligatoire" not in english
