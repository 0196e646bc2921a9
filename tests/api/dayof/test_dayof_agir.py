"""The day at AGIR's size (370 participants, its greedy schedule published; SQLite, as the pages'
role matrix: the same service layer runs on both databases in the other tests): 90 % of those
expected check in at the desk, a few no-shows are marked at the tables, the desk proposes the
rest as one change set, the repair runs on it and is published; afterwards the proposal is
empty and those cancelled have no meeting left from the repair's time on."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from dayof_helpers import at_salon_time
from fastapi.testclient import TestClient
from pages_helpers import sign_in
from repair_pages_helpers import hidden
from service_helpers import settings_for
from test_proposals import proposal_link

from api.app import create_app
from api.auth import CurrentOrganiser
from api.dayof.codes import checkin_codes
from api.organisers.service import create_organiser
from api.salons import convert, service, storage
from api.timestamps import utc_now
from examples.greedy import greedy_schedule
from scheduler.loading import load_salon

AGIR = Path(__file__).resolve().parents[3] / "examples" / "agir-2023.json"


@pytest.fixture
def agir(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str], int]]:
    """The app on a SQLite file holding AGIR with its greedy schedule published."""
    settings = settings_for(f"sqlite:///{tmp_path / 'salon.db'}")
    with TestClient(create_app(settings)) as client:
        document = load_salon(AGIR)
        schedule = greedy_schedule(document)
        with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
            issued = create_organiser(session, email="agir@example.org")
            organiser = CurrentOrganiser(id=issued.organiser_id, email="", name="")
            salon_id = service.import_salon(session, organiser=organiser, document=document).id
            participants, _ = storage.list_participants(session, salon_id=salon_id)
            tables = storage.list_tables(session, salon_id=salon_id)
            stored = convert.store_schedule(
                session,
                salon_id=salon_id,
                job_id=None,
                document=schedule,
                participant_ids={p.code: p.id for p in participants},
                table_ids={t.code: t.id for t in tables},
                now=utc_now(),
            )
            session.commit()
            service.publish_schedule(
                session, organiser=organiser, salon_id=salon_id, version=stored.version
            )
        yield client, {"Authorization": f"Bearer {issued.key}"}, salon_id


def test_a_day_at_agir_size(agir: tuple[TestClient, dict[str, str], int]) -> None:
    client, organiser, salon_id = agir
    csrf = sign_in(client, organiser)
    meetings = client.get(f"/salons/{salon_id}/schedules/1", headers=organiser).json()["meetings"]
    first: dict[str, str] = {}
    for m in sorted(meetings, key=lambda m: m["start"]):
        for code in (m["from"], m["to"]):
            first.setdefault(code, m["start"][:16])
    opening = dt.datetime.fromisoformat(min(first.values()))
    now = (opening + dt.timedelta(minutes=40)).isoformat(timespec="minutes")
    expected = sorted(first)
    rng = random.Random(13)
    coming = set(rng.sample(expected, k=round(len(expected) * 0.9)))
    codes = checkin_codes(p["code"] for p in client.get(
        f"/salons/{salon_id}/participants", params={"limit": 500}, headers=organiser
    ).json()["data"])

    at_salon_time(opening.isoformat(timespec="minutes"))
    desk = f"/o/salons/{salon_id}/checkin"
    for code in sorted(coming):
        answer = client.post(desk, data={"csrf": csrf, "code": codes[code]}, follow_redirects=False)
        assert answer.status_code == 303
    page = client.get(desk).text
    assert f"{len(coming)} arrivé(s) sur {len(expected)} attendu(s)" in page

    at_salon_time(now)
    started = [m for m in meetings if m["start"][:16] <= now and {m["from"], m["to"]} <= coming]
    missed = rng.sample(started, k=3)
    for m in missed:
        marked = client.post(
            f"/o/salons/{salon_id}/attendance/{m['table']}",
            data={"csrf": csrf, "from": m["from"], "to": m["to"], "start": m["start"],
                  "status": "no_show", "absent": m["to"]},
        )
        assert marked.status_code == 200, marked.text[:300]

    link = proposal_link(client.get(desk).text)
    assert link is not None
    changes = json.loads(parse_qs(urlsplit(link).query)["changes"][0])
    late = sorted(code for code in expected if code not in coming and first[code] <= now)
    assert late
    assert sorted(c["participant"] for c in changes if c["kind"] == "participant_cancelled") == late
    assert len([c for c in changes if c["kind"] == "no_show"]) == 3
    record = client.get(link)
    assert record.status_code == 200
    repaired = client.post(
        f"/o/salons/{salon_id}/repairs",
        data={"csrf": csrf, "pending": hidden(record.text, "pending"), "now": now},
    )
    assert repaired.status_code == 200, repaired.text[:500]
    assert client.post(f"{repaired.url.path}/publish", data={"csrf": csrf}).status_code == 200
    assert proposal_link(client.get(desk).text) is None

    current = client.get(f"/salons/{salon_id}/schedules/2", headers=organiser).json()["meetings"]
    later = [m for m in current if m["start"][:16] >= now]
    assert later and not [m for m in later if {m["from"], m["to"]} & set(late)]
