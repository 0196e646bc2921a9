"""Storage of organiser accounts, API keys and the sessions of the organiser's pages."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from api.organisers.tables import ApiKey, Organiser, OrganiserSession
from api.salons.tables import ACTIVE_JOB_STATES, Salon, SolveJob


def find_organiser_by_email(session: Session, *, email: str) -> Organiser | None:
    return session.scalar(select(Organiser).where(Organiser.email == email))


def find_organiser(session: Session, *, organiser_id: int) -> Organiser | None:
    return session.get(Organiser, organiser_id)


def insert_organiser(session: Session, *, email: str, name: str, now: dt.datetime) -> Organiser:
    organiser = Organiser(email=email, name=name, active=True, created_at=now)
    session.add(organiser)
    session.flush()
    return organiser


def insert_api_key(
    session: Session, *, organiser_id: int, key_hash: str, prefix: str, label: str, now: dt.datetime
) -> ApiKey:
    key = ApiKey(
        organiser_id=organiser_id, key_hash=key_hash, prefix=prefix, label=label, created_at=now
    )
    session.add(key)
    session.flush()
    return key


def find_active_key(session: Session, *, key_hash: str) -> tuple[ApiKey, Organiser] | None:
    """The unrevoked key with this hash and its active organiser."""
    row = session.execute(
        select(ApiKey, Organiser)
        .join(Organiser, Organiser.id == ApiKey.organiser_id)
        .where(ApiKey.key_hash == key_hash, ApiKey.revoked_at.is_(None), Organiser.active)
    ).first()
    return None if row is None else (row[0], row[1])


def list_api_keys(session: Session, *, organiser_id: int) -> list[ApiKey]:
    return list(
        session.scalars(
            select(ApiKey).where(ApiKey.organiser_id == organiser_id).order_by(ApiKey.id)
        )
    )


def revoke_api_keys(session: Session, *, organiser_id: int, prefix: str, now: dt.datetime) -> int:
    """Revoke the organiser's keys starting with `prefix` and the pages sessions opened with
    them; the number of keys revoked."""
    revoked = []
    for key in list_api_keys(session, organiser_id=organiser_id):
        if key.revoked_at is None and key.prefix.startswith(prefix):
            key.revoked_at = now
            revoked.append(key.id)
    if revoked:
        session.execute(
            update(OrganiserSession)
            .where(OrganiserSession.key_id.in_(revoked), OrganiserSession.revoked_at.is_(None))
            .values(revoked_at=now)
        )
    session.flush()
    return len(revoked)


def lock_organiser(session: Session, *, organiser_id: int) -> None:
    """Hold the organiser's row until the transaction ends, so that two requests of the same
    organiser checking a quota run one after the other (a row lock on PostgreSQL; the write
    lock on SQLite, taken by this no-op update)."""
    session.execute(
        update(Organiser).where(Organiser.id == organiser_id).values(active=Organiser.active)
    )


def count_active_solves(session: Session, *, organiser_id: int) -> int:
    """The organiser's solves queued or running, over all its salons."""
    return int(
        session.scalar(
            select(func.count(SolveJob.id))
            .join(Salon, Salon.id == SolveJob.salon_id)
            .where(Salon.organiser_id == organiser_id, SolveJob.state.in_(ACTIVE_JOB_STATES))
        )
        or 0
    )


# ------------------------------------------------------------- pages sessions


def insert_session(
    session: Session,
    *,
    organiser_id: int,
    key_id: int,
    session_hash: str,
    now: dt.datetime,
    expires_at: dt.datetime,
) -> OrganiserSession:
    row = OrganiserSession(
        organiser_id=organiser_id,
        key_id=key_id,
        session_hash=session_hash,
        created_at=now,
        last_seen_at=now,
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    return row


def find_live_session(
    session: Session, *, session_hash: str, now: dt.datetime, seen_after: dt.datetime
) -> tuple[OrganiserSession, Organiser] | None:
    """The unrevoked session with this hash, not expired at `now` and seen after `seen_after`,
    whose key is unrevoked and whose organiser is active; and that organiser."""
    row = session.execute(
        select(OrganiserSession, Organiser)
        .join(Organiser, Organiser.id == OrganiserSession.organiser_id)
        .join(ApiKey, ApiKey.id == OrganiserSession.key_id)
        .where(
            OrganiserSession.session_hash == session_hash,
            OrganiserSession.revoked_at.is_(None),
            OrganiserSession.expires_at > now,
            OrganiserSession.last_seen_at > seen_after,
            ApiKey.revoked_at.is_(None),
            Organiser.active,
        )
    ).first()
    return None if row is None else (row[0], row[1])


def touch_session(session: Session, *, session_id: int, now: dt.datetime) -> None:
    session.execute(
        update(OrganiserSession).where(OrganiserSession.id == session_id).values(last_seen_at=now)
    )
    session.flush()


def revoke_session(session: Session, *, session_hash: str, now: dt.datetime) -> int:
    """Revoke the session with this hash; 1 if it was live, else 0."""
    result = session.execute(
        update(OrganiserSession)
        .where(OrganiserSession.session_hash == session_hash, OrganiserSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    session.flush()
    return int(getattr(result, "rowcount", 0) or 0)


def delete_ended_sessions(session: Session, *, before: dt.datetime) -> None:
    """Forget the sessions that ended (expired) before `before`."""
    session.execute(delete(OrganiserSession).where(OrganiserSession.expires_at < before))
    session.flush()
