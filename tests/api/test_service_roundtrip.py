"""A salon is rows, and exports back to the salon/v1 file it was imported from, losslessly."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from service_helpers import new_organiser
from sqlalchemy import func, select

from api.auth import CurrentOrganiser
from api.salons import convert, service, storage
from api.salons.tables import Participant, Wish
from api.solve_work import read_snapshot
from scheduler.format import Salon
from scheduler.loading import salon_problems
from scheduler.slots import build_slots

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.parametrize("name", ["small.json", "brokerage.json", "agir-2023.json"])
def test_example_files_round_trip(client: TestClient, name: str) -> None:
    path = EXAMPLES / name
    if not path.exists():
        pytest.skip(f"{path} is not generated")
    original = json.loads(path.read_text("utf-8"))
    organiser = new_organiser(client)
    imported = client.post("/salons/import", json=original, headers=organiser)
    assert imported.status_code == 201, imported.text
    salon_id = imported.json()["id"]
    exported = client.get(f"/salons/{salon_id}/export", headers=organiser)
    assert exported.status_code == 200
    assert exported.json() == Salon.model_validate(original).to_json_dict()
    # Rows, not a blob: every participant and wish is a row.
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        participants = session.scalar(select(func.count()).where(Participant.salon_id == salon_id))
        wishes = session.scalar(select(func.count()).where(Wish.salon_id == salon_id))
    assert (participants, wishes) == (len(original["participants"]), len(original["wishes"]))


# ------------------------------------------------------------- any salon/v1

SAFE_TEXT = st.text(
    alphabet=st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=12
)
CODES = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_é", min_size=1, max_size=8)
DAY = dt.date(2023, 11, 28)


def _interval(draw: Any, start_min: int, end_min: int) -> dict[str, str]:
    a = draw(st.integers(start_min, end_min - 1))
    b = draw(st.integers(a + 1, end_min))
    base = dt.datetime.combine(DAY, dt.time())
    return {
        "start": (base + dt.timedelta(minutes=a)).isoformat(),
        "end": (base + dt.timedelta(minutes=b)).isoformat(),
    }


@st.composite
def salons(draw: Any) -> dict[str, Any]:
    meeting = draw(st.sampled_from([10, 15, 20]))
    sessions = [{"date": DAY.isoformat(), "start": "09:00", "end": "10:00"}]
    if draw(st.booleans()):
        sessions.append({"date": DAY.isoformat(), "start": "14:00", "end": "15:30"})
    table_ids = draw(st.lists(CODES, min_size=0, max_size=5, unique=True))
    form = draw(st.sampled_from(["count", "ids", "specs"]))
    tables: Any
    if form == "count":
        tables = len(table_ids)
        table_ids = [f"T{i}" for i in range(1, len(table_ids) + 1)]
    elif form == "ids":
        tables = table_ids
    else:
        tables = [
            {
                "id": t,
                **({"name": draw(SAFE_TEXT)} if draw(st.booleans()) else {}),
                **({"room": draw(SAFE_TEXT)} if draw(st.booleans()) else {}),
            }
            for t in table_ids
        ]
    codes = draw(st.lists(CODES, min_size=2, max_size=8, unique=True))
    homes = list(table_ids)
    participants = []
    for code in codes:
        participant: dict[str, Any] = {"id": code, "name": draw(SAFE_TEXT.filter(bool))}
        if draw(st.booleans()):
            participant["organisation"] = draw(SAFE_TEXT)
            participant["role"] = draw(SAFE_TEXT)
        if homes and draw(st.booleans()):
            participant["table"] = homes.pop(0)
        elif draw(st.booleans()):
            participant["representatives"] = draw(st.integers(1, 3))
        if draw(st.booleans()):
            participant["max_meetings"] = draw(st.integers(0, 9))
        if draw(st.booleans()):
            participant["email"] = f"{code.lower()}@example.org"
        participant["unavailable"] = [
            _interval(draw, 8 * 60, 16 * 60) for _ in range(draw(st.integers(0, 2)))
        ]
        participants.append(participant)
    document: dict[str, Any] = {
        "format": "salon/v1",
        "name": draw(SAFE_TEXT.filter(bool)),
        "meeting_minutes": meeting,
        "changeover_minutes": draw(st.sampled_from([0, 5])),
        "sessions": sessions,
        "tables": tables,
        "objectives": draw(
            st.sampled_from([["coverage", "score", "idle"], ["score"], ["coverage", "breaks"]])
        ),
        "participants": participants,
        "wishes": [],
    }
    if draw(st.booleans()):
        document["max_in_a_row"] = draw(st.integers(1, 6))
    if draw(st.booleans()):
        document["max_break_spread"] = draw(st.integers(0, 4))
    starts = [s.start for s in build_slots(Salon.model_validate(document))]
    pairs = draw(
        st.lists(
            st.tuples(st.sampled_from(codes), st.sampled_from(codes)), max_size=12, unique=True
        )
    )
    pinned_pairs: set[frozenset[str]] = set()
    for asker, asked in pairs:
        if asker == asked:
            continue
        wish: dict[str, Any] = {
            "from": asker,
            "to": asked,
            "priority": draw(st.integers(1, 3)),
            "required": draw(st.booleans()),
            "declined": draw(st.booleans()),
        }
        during = draw(st.sampled_from([None, "empty", "some"]))
        if during == "empty":
            wish["during"] = []
        elif during == "some":
            wish["during"] = [_interval(draw, 9 * 60, 15 * 60)]
        pair = frozenset((asker, asked))
        if draw(st.booleans()) and pair not in pinned_pairs:
            wish["pinned"] = draw(st.sampled_from(starts)).isoformat()
            pinned_pairs.add(pair)
        document["wishes"].append(wish)
    return document


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(document=salons())
def test_any_salon_round_trips(client: TestClient, document: dict[str, Any]) -> None:
    salon = Salon.model_validate(document)
    assert salon_problems(salon) == []
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    organiser = CurrentOrganiser(id=_organiser_id(client), email="", name="")
    with factory() as session:
        salon_id = service.import_salon(session, organiser=organiser, document=salon).id
    with factory() as session:
        exported = service.export_salon(session, organiser=organiser, salon_id=salon_id)
    assert exported.to_json_dict() == salon.to_json_dict()
    assert exported == salon


def _organiser_id(client: TestClient) -> int:
    from api.organisers.service import ensure_organiser

    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        return ensure_organiser(session, email="roundtrip@example.org")


def test_import_refuses_an_invalid_file_with_paths(client: TestClient) -> None:
    organiser = new_organiser(client)
    document = {
        "name": "S",
        "meeting_minutes": 15,
        "sessions": [{"date": "2023-11-28", "start": "09:00", "end": "10:00"}],
        "participants": [{"id": "a", "name": "A"}],
        "wishes": [{"from": "a", "to": "b"}],
    }
    response = client.post("/salons/import", json=document, headers=organiser)
    assert response.status_code == 422
    assert response.json()["detail"]["code"] == "invalid_salon"
    assert response.json()["detail"]["errors"][0]["field"] == "wishes[0].to"
    schema_error = client.post(
        "/salons/import", json={**document, "meeting_minutes": "x"}, headers=organiser
    )
    assert schema_error.status_code == 422
    assert schema_error.json()["detail"]["errors"][0]["field"] == "body.meeting_minutes"


def test_snapshot_is_consistent_while_others_write(client: TestClient) -> None:
    """A solve's snapshot (one repeatable-read transaction) does not see later writes."""
    organiser = new_organiser(client)
    path = EXAMPLES / "small.json"
    original = json.loads(path.read_text("utf-8"))
    salon_id = client.post("/salons/import", json=original, headers=organiser).json()["id"]
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with factory() as snapshot_session:
        snapshot = read_snapshot(snapshot_session, salon_id=salon_id)
        assert snapshot is not None
        count = len(snapshot.document.wishes)
        codes = [p["id"] for p in original["participants"]]
        existing = {(w["from"], w["to"]) for w in original["wishes"]}
        new = next((a, b) for a in codes for b in codes if a != b and (a, b) not in existing)
        body = {"from": new[0], "to": new[1]}
        assert (
            client.post(f"/salons/{salon_id}/wishes", json=body, headers=organiser).status_code
            == 201
        )
        # Same transaction, read again: the new wish is not there.
        again = convert.salon_document(
            snapshot_session, salon=storage.find_salon(snapshot_session, salon_id=salon_id)
        )
        assert len(again.wishes) == count
        snapshot_session.rollback()
    with factory() as fresh:
        assert len(read_snapshot(fresh, salon_id=salon_id).document.wishes) == count + 1
