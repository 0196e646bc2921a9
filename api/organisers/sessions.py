"""Sessions of the organiser's pages (`/o`) and of the catalogue's moderation pages (moderators
are organisers): the cookie carries a random session id, never the API key.

Signing in with an API key opens a session: a random id (256 bits) goes in the cookie, only its
SHA-256 is stored (`organiser_sessions`), with the key it was opened with. A session ends at
logout (revoked), when its key is revoked or its organiser deactivated, after `idle_seconds`
without a request, and `lifetime_seconds` after the sign-in at the latest.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy.orm import Session

from api.auth import CurrentOrganiser, hash_secret
from api.organisers import storage
from api.timestamps import utc_now

TOUCH_EVERY = 60.0
"""Seconds between two writes of a session's `last_seen_at` (a page view is rarely a write);
a tenth of the idle time when that is shorter."""


@dataclass(frozen=True)
class OpenedSession:
    """A new session: its id (for the cookie only), its organiser and when it ends at the
    latest."""

    token: str
    organiser: CurrentOrganiser
    expires_at: dt.datetime


def new_session_token() -> str:
    """A fresh session id (URL-safe, 256 bits)."""
    return secrets.token_urlsafe(32)


def open_session(
    session: Session, *, key: str, lifetime_seconds: float, now: dt.datetime | None = None
) -> OpenedSession | None:
    """A session of the organiser of the unrevoked API key `key`, or None for an unknown or
    revoked key. Sessions ended long ago are forgotten on the way."""
    found = storage.find_active_key(session, key_hash=hash_secret(key))
    if found is None:
        return None
    api_key, organiser = found
    now = now or utc_now()
    token = new_session_token()
    expires_at = now + dt.timedelta(seconds=lifetime_seconds)
    storage.delete_ended_sessions(session, before=now)
    storage.insert_session(
        session,
        organiser_id=organiser.id,
        key_id=api_key.id,
        session_hash=hash_secret(token),
        now=now,
        expires_at=expires_at,
    )
    session.commit()
    signed = CurrentOrganiser(id=organiser.id, email=organiser.email, name=organiser.name)
    return OpenedSession(token=token, organiser=signed, expires_at=expires_at)


def session_organiser(
    session: Session, *, token: str, idle_seconds: float, now: dt.datetime | None = None
) -> CurrentOrganiser | None:
    """The organiser of a live session (unrevoked, unexpired, used within `idle_seconds`, its
    key unrevoked), else None; the session is marked as seen."""
    now = now or utc_now()
    found = storage.find_live_session(
        session,
        session_hash=hash_secret(token),
        now=now,
        seen_after=now - dt.timedelta(seconds=idle_seconds),
    )
    if found is None:
        return None
    row, organiser = found
    if (now - row.last_seen_at).total_seconds() >= min(TOUCH_EVERY, idle_seconds / 10):
        storage.touch_session(session, session_id=row.id, now=now)
        session.commit()
    return CurrentOrganiser(id=organiser.id, email=organiser.email, name=organiser.name)


def close_session(session: Session, *, token: str, now: dt.datetime | None = None) -> bool:
    """Revoke a session (logout); whether it was live."""
    closed = storage.revoke_session(session, session_hash=hash_secret(token), now=now or utc_now())
    session.commit()
    return closed > 0
