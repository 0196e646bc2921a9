"""The repair pages end to end through the real app and database (SQLite and PostgreSQL): the
organiser records the day's changes in the forms, repairs, reads the change list, publishes
(participants with an address get a mail in the outbox), repairs again from the new schedule,
and an outdated draft is refused in the page.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pages_helpers import sign_in
from repair_pages_helpers import EARLY, hidden, published_salon
from service_helpers import settings_for

from api.app import create_app
from api.mail import read_outbox


@pytest.fixture
def outbox(tmp_path: Path) -> Path:
    return tmp_path / "outbox"


@pytest.fixture
def app_client(database_url: str, outbox: Path) -> Iterator[TestClient]:
    settings = settings_for(database_url, outbox_dir=outbox)
    with TestClient(create_app(settings)) as client:
        yield client


def problems_of(page: str) -> list[str]:
    """The errors a page shows (for assertion messages)."""
    return re.findall(r'class="(?:field-error|notice error)"[^>]*>(.*?)</', page, flags=re.S)


def rows(page: str, table_id: str) -> list[str]:
    """The body rows of a table of the page, as text without tags."""
    start = page.index(f'id="{table_id}"')
    body = page[page.index("<tbody>", start) : page.index("</tbody>", start)]
    return [
        " ".join(re.sub(r"<[^>]+>", " ", row).split())
        for row in re.findall(r"<tr.*?</tr>", body, flags=re.S)
    ]


def _mails_sent(client: TestClient, url: str, seconds: float = 60.0) -> Any:
    """The repair's page once its mails' job has ended (the page says they are on their way
    until then)."""
    deadline = time.monotonic() + seconds
    while True:
        answer = client.get(url)
        if "partent en arrière-plan" not in answer.text or time.monotonic() > deadline:
            return answer
        time.sleep(0.05)


def test_record_repair_publish_and_repair_again(app_client: TestClient, outbox: Path) -> None:
    client = app_client
    organiser, salon_id = published_salon(
        client,
        {
            "d1": "d1.repair-flow@example.org",
            "i1": "i1.repair-flow@example.org",
            "i2": "i2.repair-flow@example.org",
        },
    )
    csrf = sign_in(client, organiser)
    dashboard = client.get(f"/o/salons/{salon_id}").text
    assert f'<a href="/o/salons/{salon_id}/repair">Changements du jour</a>' in dashboard
    record = f"/o/salons/{salon_id}/repair"

    def add(kind: str, pending: str, **fields: str) -> str:
        data = {"csrf": csrf, "kind": kind, "pending": pending, "now": EARLY, **fields}
        response = client.post(f"{record}/changes", data=data)
        assert response.status_code == 200, (response.status_code, problems_of(response.text))
        assert "Changement noté." in response.text
        return hidden(response.text, "pending")

    # i1 does not come, d2 arrives at 9:30, a walk-in asks to meet d1.
    pending = add("absent", "", participant="i1")
    pending = add("late", pending, participant="d2", time="09:30")
    pending = add(
        "walk_in",
        pending,
        code="w1",
        name="Wanda <Walk-in>",
        organisation="PME",
        email="w1.repair-flow@example.org",
    )
    pending = add("wish", pending, **{"from": "w1", "to": "d1", "priority": "1"})
    page = client.get(record, params={"changes": pending, "now": EARLY}).text
    assert [
        " ".join(re.sub(r"<[^>]+>", " ", item).split()).split(" Retirer")[0]
        for item in re.findall(r"<li>.*?</li>", page[page.index('id="recorded"') :], flags=re.S)
    ] == [
        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Évelyne ne vient pas",
        "Bruno Directeur est absent de 9 h 00 à 9 h 30",
        "Wanda &lt;Walk-in&gt; arrive sans inscription (code w1)",
        "Nouveau souhait : Wanda &lt;Walk-in&gt; demande à rencontrer Anne Directrice (priorité 1)",
    ]

    repaired = client.post(
        f"/o/salons/{salon_id}/repairs", data={"csrf": csrf, "pending": pending, "now": EARLY}
    )
    assert repaired.status_code == 200, problems_of(repaired.text)
    result = repaired.url.path
    changes = rows(repaired.text, "change-list")
    kinds = sorted(row.split(" ")[0] for row in changes)
    assert kinds.count("annulé") == 2 and kinds.count("déplacé") == 1
    assert any(
        row.startswith("ajouté Wanda &lt;Walk-in&gt; — Anne Directrice") and "wish_added" in row
        for row in changes
    ), changes
    moved = next(row for row in changes if row.startswith("déplacé"))
    assert "Claire Industrielle — Bruno Directeur" in moved or "Bruno Directeur — Claire" in moved
    assert "9 h 00, à la table T2" in moved and "participant_unavailable" in moved
    people = rows(repaired.text, "people")
    assert [row.split(" (")[0] for row in people] == [
        "Anne Directrice",
        "Bruno Directeur",
        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Évelyne",
        "Claire Industrielle",
        "Wanda &lt;Walk-in&gt;",
    ]
    # Nothing is shown to participants before publication: version 1 is still current.
    schedules = client.get(f"/salons/{salon_id}/schedules", headers=organiser).json()["data"]
    assert [(s["version"], s["current"]) for s in schedules] == [(2, False), (1, True)]

    published = client.post(f"{result}/publish", data={"csrf": csrf})
    assert published.status_code == 200 and "done=published" in str(published.url)
    assert "Planning réparé publié" in published.text
    published = _mails_sent(client, str(published.url))  # the repair's mail job, then reload
    assert "4 participants prévenus par courriel." in published.text
    mails = read_outbox(outbox)
    assert sorted(str(m["To"]) for m in mails) == [
        "d1.repair-flow@example.org",
        "i1.repair-flow@example.org",
        "i2.repair-flow@example.org",
        "w1.repair-flow@example.org",
    ]
    schedules = client.get(f"/salons/{salon_id}/schedules", headers=organiser).json()["data"]
    assert schedules[0]["version"] == 2 and schedules[0]["current"]
    # Publishing again changes nothing and sends no second mail.
    assert client.post(f"{result}/publish", data={"csrf": csrf}).status_code == 200
    assert len(read_outbox(outbox)) == 4

    # Later: two drafts from version 2; publishing one makes the other outdated.
    listing = client.get(record).text
    assert rows(listing, "repairs")[0].startswith("Réparation 1")
    assert "publiée" in rows(listing, "repairs")[0]
    later = "2023-11-28T09:20"
    first_draft = client.post(
        f"{record}/changes",
        data={
            "csrf": csrf,
            "kind": "meeting",
            "pending": "",
            "now": later,
            "from": "i3",
            "to": "d2",
        },
    )
    second_draft = client.post(
        f"{record}/changes",
        data={"csrf": csrf, "kind": "table", "pending": "", "now": later, "table": "P1"},
    )
    drafts = []
    for response in (first_draft, second_draft):
        assert response.status_code == 200, problems_of(response.text)
        made = client.post(
            f"/o/salons/{salon_id}/repairs",
            data={"csrf": csrf, "pending": hidden(response.text, "pending"), "now": later},
        )
        assert made.status_code == 200, problems_of(made.text)
        drafts.append(made.url.path)
    assert client.post(f"{drafts[1]}/publish", data={"csrf": csrf}).status_code == 200
    outdated = client.get(drafts[0]).text
    assert "Ce brouillon part d'un planning qui n'est plus celui publié" in outdated
    assert "Publier le planning réparé" not in outdated
    refused = client.post(f"{drafts[0]}/publish", data={"csrf": csrf})
    assert refused.status_code == 409
    assert "n&#39;est plus celui publié (version 4)" in refused.text
