"""The personal links printed on agendas (as a link and a QR code).

A printed agenda carries its participant's personal link so the online, up-to-date version is one
scan away. Tokens are stored hashed, so a token cannot be read back: the printed link's token is
derived from a site secret (HMAC of the salon and participant), which makes it the same on every
reprint, and its hash is stored once like any other personal link. Revoking it in the API stops it
(the next prints then leave that participant's agenda without a link).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os
import secrets
from collections.abc import Collection
from pathlib import Path

from sqlalchemy.orm import Session

from api.auth import hash_secret
from api.salons import storage
from api.salons.service import participant_url
from api.salons.tables import ParticipantLink, Salon
from api.settings import Settings
from api.timestamps import utc_now

SECRET_BYTES = 32


def site_secret(settings: Settings) -> bytes:
    """`SALON_SECRET_KEY`, else a random secret kept in `settings.secret_file` (made once)."""
    if settings.secret_key:
        return settings.secret_key.encode("utf-8")
    return _secret_from_file(settings.secret_file or settings.outbox_dir.parent / "secret_key")


def _secret_from_file(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(secrets.token_urlsafe(SECRET_BYTES))
    return path.read_bytes().strip()


def printed_token(secret: bytes, *, salon_id: int, code: str) -> str:
    """The stable token of a participant's printed link (URL-safe, 32 characters)."""
    digest = hmac.new(secret, f"printed:{salon_id}:{code}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode("ascii")


def printed_links(
    session: Session, *, salon: Salon, settings: Settings, codes: Collection[str] | None = None
) -> dict[str, str]:
    """Participant code -> personal URL to print (of the participants of `codes`, or all);
    revoked or expired printed links are left out. Each link is stored the first time."""
    secret = site_secret(settings)
    now = utc_now()
    participants, _ = storage.list_participants(session, salon_id=salon.id)
    if codes is not None:
        participants = [p for p in participants if p.code in codes]
    tokens = {p.code: printed_token(secret, salon_id=salon.id, code=p.code) for p in participants}
    hashes = {code: hash_secret(token) for code, token in tokens.items()}
    stored = storage.links_by_hash(session, token_hashes=list(hashes.values()))
    links: dict[str, str] = {}
    for participant in participants:
        token_hash = hashes[participant.code]
        link = stored.get(token_hash)
        if link is None:
            storage.insert_link(
                session,
                link=ParticipantLink(
                    participant_id=participant.id, token_hash=token_hash, created_at=now
                ),
            )
        elif not _usable(link, now):
            continue
        links[participant.code] = participant_url(settings.base_url, tokens[participant.code])
    session.commit()
    return links


def _usable(link: ParticipantLink, now: dt.datetime) -> bool:
    return link.revoked_at is None and (link.expires_at is None or link.expires_at > now)
