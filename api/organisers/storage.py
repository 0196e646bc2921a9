"""Storage of organiser accounts and API keys."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.organisers.tables import ApiKey, Organiser


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
    """Revoke the organiser's keys starting with `prefix`; the number revoked."""
    count = 0
    for key in list_api_keys(session, organiser_id=organiser_id):
        if key.revoked_at is None and key.prefix.startswith(prefix):
            key.revoked_at = now
            count += 1
    session.flush()
    return count
