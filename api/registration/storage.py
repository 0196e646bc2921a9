"""Queries of self-registration (keyword-only, flush only: the service commits)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api.registration.tables import RegistrationForm, RegistrationRequest


def find_form(session: Session, *, salon_id: int) -> RegistrationForm | None:
    return session.get(RegistrationForm, salon_id)


def save_form(session: Session, *, form: RegistrationForm) -> RegistrationForm:
    merged = session.merge(form)
    session.flush()
    return merged


def insert_request(session: Session, *, request: RegistrationRequest) -> RegistrationRequest:
    session.add(request)
    session.flush()
    return request


def list_requests(session: Session, *, salon_id: int) -> list[RegistrationRequest]:
    """A salon's requests, oldest first."""
    query = (
        select(RegistrationRequest)
        .where(RegistrationRequest.salon_id == salon_id)
        .order_by(RegistrationRequest.id)
    )
    return list(session.scalars(query))


def claim_pending(
    session: Session, *, salon_id: int, request_id: int, state: str, now: dt.datetime
) -> bool:
    """Decide one pending request (one conditional UPDATE): whether this call decided it."""
    result = session.execute(
        update(RegistrationRequest)
        .where(
            RegistrationRequest.id == request_id,
            RegistrationRequest.salon_id == salon_id,
            RegistrationRequest.state == "pending",
        )
        .values(state=state, decided_at=now)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return bool(getattr(result, "rowcount", 0))


def requests_by_id(
    session: Session, *, salon_id: int, ids: Sequence[int]
) -> dict[int, RegistrationRequest]:
    if not ids:
        return {}
    query = select(RegistrationRequest).where(
        RegistrationRequest.salon_id == salon_id, RegistrationRequest.id.in_(list(ids))
    )
    return {row.id: row for row in session.scalars(query)}


def set_participant(session: Session, *, request_id: int, participant_id: int) -> None:
    session.execute(
        update(RegistrationRequest)
        .where(RegistrationRequest.id == request_id)
        .values(participant_id=participant_id)
        .execution_options(synchronize_session=False)
    )
    session.flush()
