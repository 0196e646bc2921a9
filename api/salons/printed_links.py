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
import tempfile
from collections.abc import Collection
from pathlib import Path

from sqlalchemy.orm import Session

from api.auth import hash_secret
from api.errors import DomainError
from api.salons import storage
from api.salons.service.links import participant_url
from api.salons.tables import ParticipantLink, Salon
from api.settings import Settings
from api.timestamps import utc_now

SECRET_BYTES = 32
MIN_SECRET_BYTES = 32
"""The shortest site secret accepted (configured or read from its file): a shorter one would
sign the printed links weakly, so it is refused with a clear error instead."""


def site_secret(settings: Settings) -> bytes:
    """`SALON_SECRET_KEY`, else a random secret kept in `settings.secret_file` (made once);
    DomainError `weak_secret` when it is shorter than MIN_SECRET_BYTES."""
    if settings.secret_key:
        return _strong(settings.secret_key.encode("utf-8"), "SALON_SECRET_KEY")
    path = secret_path(settings)
    return _strong(_secret_from_file(path), str(path))


def secret_path(settings: Settings) -> Path:
    """The file of the site secret: `secret_file`, else `secret_key` beside the outbox folder."""
    return settings.secret_file or settings.outbox_dir.parent / "secret_key"


def _strong(secret: bytes, where: str) -> bytes:
    if len(secret) < MIN_SECRET_BYTES:
        raise DomainError(
            "weak_secret",
            "Le secret qui signe les liens imprimés ({where}) compte {length} octet(s) ; il en "
            "faut au moins {minimum}. Donnez une valeur aléatoire plus longue (par exemple "
            "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`) ; changer le "
            "secret change les liens imprimés.",
            status=503,
            where=where,
            length=len(secret),
            minimum=MIN_SECRET_BYTES,
        )
    return secret


def _secret_from_file(path: Path) -> bytes:
    """The secret of `path`, made first if missing: written whole and synced to a temporary file
    of the same folder, then linked to its name, which fails if another process linked its own
    first (that one is kept). So no reader ever sees an empty or partial secret, and processes
    starting together end with the same one."""
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as file:  # mode 0600 (mkstemp)
            file.write(secrets.token_urlsafe(SECRET_BYTES))
            file.flush()
            os.fsync(file.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process made it first: use its secret
        except OSError as exc:
            raise DomainError(
                "secret_file_unwritable",
                "Impossible de créer le secret des liens imprimés {path} : {error}. Donnez "
                "SALON_SECRET_KEY ou créez ce fichier (au moins {minimum} caractères).",
                status=503,
                path=str(path),
                error=exc.strerror or str(exc),
                minimum=MIN_SECRET_BYTES,
            ) from exc
        else:
            _sync_folder(path.parent)
    finally:
        os.unlink(temporary)
    return path.read_bytes().strip()


def _sync_folder(folder: Path) -> None:
    """Make a new name in `folder` durable (fsync of the directory, where the system allows)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


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
