"""Who is calling: organisers (API keys) and participants (personal secret links).

- Organisers send `Authorization: Bearer <API key>`; keys are created by
  `salon admin create-organiser` / `salon admin create-api-key`.
- Participants have no account: each gets a secret token (its personal link
  `{base_url}/p/{token}`); the JSON API under `/me` takes it in the `X-Participant-Token` header.

Secrets are random (256 bits for keys, 192 for links) and only their SHA-256 is stored, so a
database leak reveals no usable credential. Routes use `OrganiserDep` / `ParticipantDep` (api.deps).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from api.db import SessionDep
from api.errors import not_authenticated
from api.organisers import storage as organiser_storage
from api.salons import storage as salon_storage
from api.timestamps import utc_now

API_KEY_PREFIX = "salon_"
PARTICIPANT_HEADER = "X-Participant-Token"

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="organiser",
    description="An organiser's API key (`salon admin create-organiser`).",
)
_participant_header = APIKeyHeader(
    name=PARTICIPANT_HEADER,
    auto_error=False,
    scheme_name="participant",
    description="The token of a participant's personal link `/p/{token}`.",
)


def hash_secret(secret: str) -> str:
    """The stored form of a key or token: hex SHA-256 (the secrets are random, not passwords)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_api_key() -> str:
    """A fresh organiser API key such as `salon_6mQ...`."""
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def new_participant_token() -> str:
    """A fresh participant token (URL-safe, 32 characters)."""
    return secrets.token_urlsafe(24)


def key_prefix(key: str) -> str:
    """The visible part of a key, enough to recognise it in a list."""
    return key[: len(API_KEY_PREFIX) + 6]


@dataclass(frozen=True)
class CurrentOrganiser:
    """The authenticated organiser."""

    id: int
    email: str
    name: str


@dataclass(frozen=True)
class CurrentParticipant:
    """The participant whose personal link was presented."""

    participant_id: int
    salon_id: int
    link_id: int
    code: str
    name: str


def organiser_for_key(session: Session, key: str) -> CurrentOrganiser | None:
    """The active organiser owning the unrevoked API key `key`, if any."""
    found = organiser_storage.find_active_key(session, key_hash=hash_secret(key))
    if found is None:
        return None
    _key, organiser = found
    return CurrentOrganiser(id=organiser.id, email=organiser.email, name=organiser.name)


def participant_for_token(
    session: Session, token: str, now: dt.datetime | None = None
) -> CurrentParticipant | None:
    """The participant of a valid (unrevoked, unexpired) link token, if any."""
    found = salon_storage.find_link_by_hash(session, token_hash=hash_secret(token))
    if found is None:
        return None
    link, participant = found
    now = now or utc_now()
    if link.revoked_at is not None or (link.expires_at is not None and link.expires_at <= now):
        return None
    return CurrentParticipant(
        participant_id=participant.id,
        salon_id=participant.salon_id,
        link_id=link.id,
        code=participant.code,
        name=participant.name,
    )


def current_organiser(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> CurrentOrganiser:
    """FastAPI dependency: the organiser of the Bearer API key, else 401."""
    if credentials is None:
        raise _organiser_required()
    organiser = organiser_for_key(session, credentials.credentials)
    if organiser is None:
        raise _organiser_required()
    return organiser


def current_participant(
    session: SessionDep, token: Annotated[str | None, Depends(_participant_header)]
) -> CurrentParticipant:
    """FastAPI dependency: the participant of the X-Participant-Token header, else 401."""
    if not token:
        raise not_authenticated("Lien personnel requis (en-tête X-Participant-Token).")
    participant = participant_for_token(session, token)
    if participant is None:
        raise not_authenticated("Lien personnel inconnu, révoqué ou expiré.")
    return participant


def _organiser_required() -> Exception:
    error = not_authenticated("Clé d'API d'organisateur requise ou invalide.")
    error.headers["WWW-Authenticate"] = "Bearer"
    return error

