"""Schemathesis over the whole OpenAPI of the service, against a real server on each database.

Every operation gets a bounded number of generated requests (SALON_SCHEMATHESIS_EXAMPLES, 15 by
default), valid and invalid, sent with an organiser's API key and a participant's token; path
ids point half of the time at seeded rows so that deep code runs, not only 404s. Checks: no 5xx,
status codes, content types, headers and bodies as documented, invalid data rejected. Not
checked: "valid data accepted" (a schema-valid request can still break a rule of the salon:
409/422 with a code, by design).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance
from service_helpers import SESSIONS, Server, empty_postgres, running_server

from api.app import create_app
from api.auth import CurrentOrganiser
from api.db import make_engine, make_session_factory
from api.organisers.service import create_organiser
from api.salons import service
from api.salons.schemas import ParticipantCreate, SalonCreate, WishCreate
from api.settings import Settings

EXAMPLES = int(os.environ.get("SALON_SCHEMATHESIS_EXAMPLES", "15"))
SEED: dict[str, Any] = {}
ANSWERS: dict[str, dict[str, set[int]]] = {}  # server -> operation -> statuses seen

SALON_PATHS = r"^/(salons|me|organisers)(/|$)"
schema = schemathesis.openapi.from_dict(
    create_app(Settings(database_url="sqlite://")).openapi()
).include(path_regex=SALON_PATHS)


def seeded_ids(operation: Any, path_parameters: dict[str, Any]) -> dict[str, Any]:
    """Most valid ids are replaced by seeded ones, so that deep code runs, not only 404s.

    DELETE requests get rows of their own (a second salon, participant, link and wish), so
    that the seeded ones stay for the other operations, whatever id was drawn.
    """
    if not SEED or not path_parameters:
        return path_parameters
    deleting = operation.method.upper() == "DELETE"
    target = operation.path.rsplit("/", 1)[-1].strip("{}") if deleting else ""
    seeded = hash(repr(sorted(path_parameters.items()))) % 4 != 0
    mapped = dict(path_parameters)
    for name, value in mapped.items():
        if name not in SEED:
            continue
        # Only valid ids are replaced: an invalid one is what a negative case is testing.
        number = _as_id(value)
        valid = number is not None and 1 <= number < 2**31
        if name == target and (valid and seeded or number == SEED[name]):
            mapped[name] = type(value)(SEED[f"spare_{name}"])
        elif valid and seeded:
            mapped[name] = type(value)(SEED[name])
    return mapped


def _as_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None


def _seed(database_url: str) -> dict[str, Any]:
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            issued = create_organiser(session, email="schemathesis@example.org")
            organiser = CurrentOrganiser(id=issued.organiser_id, email=issued.email, name="")
            salon = service.create_salon(
                session,
                organiser=organiser,
                data=SalonCreate(name="Fuzz", sessions=SESSIONS, tables=["T1", "T2"]),
            )
            service.set_wish_window(session, organiser=organiser, salon_id=salon.id, open_=True)
            people = {}
            for code, table in (("D1", "T1"), ("I1", None), ("I2", None), ("I3", None)):
                people[code] = service.create_participant(
                    session,
                    organiser=organiser,
                    salon_id=salon.id,
                    data=ParticipantCreate(code=code, name=code, table=table),
                )
            link = service.issue_link(
                session, participant_id=people["D1"].id, expires_at=None, base_url="http://x"
            )
            wish, spare_wish = (
                service.create_wish(
                    session,
                    organiser=organiser,
                    salon_id=salon.id,
                    data=WishCreate.model_validate({"from": asker, "to": "D1"}),
                )
                for asker in ("I1", "I2")
            )
            spare_link = service.issue_link(
                session, participant_id=people["D1"].id, expires_at=None, base_url="http://x"
            )
            spare_salon = service.create_salon(
                session, organiser=organiser, data=SalonCreate(name="Spare", sessions=SESSIONS)
            )
    finally:
        engine.dispose()
    return {
        "headers": {"Authorization": f"Bearer {issued.key}", "X-Participant-Token": link.token},
        "salon_id": salon.id,
        "spare_salon_id": spare_salon.id,
        "participant_id": people["D1"].id,
        "spare_participant_id": people["I3"].id,
        "link_id": link.id,
        "spare_link_id": spare_link.id,
        "wish_id": wish.id,
        "spare_wish_id": spare_wish.id,
        "version": 1,
        "job_id": 1,
        "spare_job_id": 1,
    }


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def fuzzed_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'salon.db'}"
    else:
        url = request.getfixturevalue("postgres_database")
        empty_postgres(url)
    with running_server(url, SALON_SOLVE_CONCURRENCY="1") as server:
        SEED.clear()
        SEED.update(_seed(url))
        yield server
        SEED.clear()


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_openapi(case: schemathesis.Case, fuzzed_server: Server) -> None:
    if case.path_parameters:
        case.path_parameters = seeded_ids(case.operation, case.path_parameters)
    # The credentials replace generated ones; a case that leaves one out keeps it out.
    present = {name.lower() for name in case.headers or {}}
    headers = {k: v for k, v in SEED["headers"].items() if k.lower() in present}
    response = case.call_and_validate(
        base_url=fuzzed_server.base_url,
        headers=headers,
        excluded_checks=[positive_data_acceptance],
        timeout=30,
    )
    ANSWERS.setdefault(fuzzed_server.base_url, {}).setdefault(case.operation.label, set()).add(
        response.status_code
    )


def test_docs_are_served_and_the_fuzzing_went_deep(fuzzed_server: Server) -> None:
    """Runs after the operations of its backend: most of them answered 2xx at least once."""
    docs = httpx.get(f"{fuzzed_server.base_url}/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    spec = httpx.get(f"{fuzzed_server.base_url}/openapi.json").json()
    assert "/salons/{salon_id}/solves" in spec["paths"]
    assert set(spec["components"]["securitySchemes"]) >= {"organiser", "participant"}
    answers = ANSWERS.get(fuzzed_server.base_url, {})
    if len(answers) < len(list(schema.get_all_operations())):
        pytest.skip("only part of the operations ran (-k): no depth to measure")
    succeeded = sorted(label for label, codes in answers.items() if any(c < 300 for c in codes))
    assert len(succeeded) >= 0.7 * len(answers), sorted(set(answers) - set(succeeded))
