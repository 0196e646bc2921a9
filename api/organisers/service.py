"""Organiser accounts: creation and API keys (used by `salon admin` and `salon demo`)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from api.auth import hash_secret, key_prefix, new_api_key
from api.errors import DomainError
from api.organisers import storage
from api.timestamps import utc_now


@dataclass(frozen=True)
class IssuedKey:
    """A new API key: shown once, only its hash is stored."""

    organiser_id: int
    email: str
    key: str
    prefix: str


def issue_api_key(session: Session, *, organiser_id: int, email: str, label: str = "") -> IssuedKey:
    key = new_api_key()
    storage.insert_api_key(
        session,
        organiser_id=organiser_id,
        key_hash=hash_secret(key),
        prefix=key_prefix(key),
        label=label,
        now=utc_now(),
    )
    session.commit()
    return IssuedKey(organiser_id=organiser_id, email=email, key=key, prefix=key_prefix(key))


def create_organiser(session: Session, *, email: str, name: str = "") -> IssuedKey:
    """A new organiser account and its first API key."""
    email = email.strip().lower()
    if not email or "@" not in email:
        raise DomainError(
            "invalid_email", "Adresse e-mail invalide : {email}.", status=422, email=email
        )
    if storage.find_organiser_by_email(session, email=email) is not None:
        raise DomainError("organiser_exists", "Un organisateur {email} existe déjà.", email=email)
    organiser = storage.insert_organiser(session, email=email, name=name, now=utc_now())
    return issue_api_key(session, organiser_id=organiser.id, email=email, label="initial")


def ensure_organiser(session: Session, *, email: str, name: str = "") -> int:
    """The id of the organiser with this e-mail, created (without key) if missing."""
    email = email.strip().lower()
    found = storage.find_organiser_by_email(session, email=email)
    if found is not None:
        return found.id
    organiser = storage.insert_organiser(session, email=email, name=name, now=utc_now())
    session.commit()
    return organiser.id


def create_api_key(session: Session, *, email: str, label: str = "") -> IssuedKey:
    """Another API key for an existing organiser."""
    organiser = storage.find_organiser_by_email(session, email=email.strip().lower())
    if organiser is None:
        raise DomainError(
            "unknown_organiser", "Aucun organisateur {email}.", status=404, email=email
        )
    return issue_api_key(session, organiser_id=organiser.id, email=organiser.email, label=label)


def revoke_api_keys(session: Session, *, email: str, prefix: str) -> int:
    """Revoke an organiser's keys starting with `prefix`; the number revoked."""
    organiser = storage.find_organiser_by_email(session, email=email.strip().lower())
    if organiser is None:
        raise DomainError(
            "unknown_organiser", "Aucun organisateur {email}.", status=404, email=email
        )
    count = storage.revoke_api_keys(
        session, organiser_id=organiser.id, prefix=prefix, now=utc_now()
    )
    session.commit()
    return count
