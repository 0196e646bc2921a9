"""Participants' personal links: issue one (its secret shown once, stored hashed), list, revoke."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from api.auth import CurrentOrganiser, hash_secret, new_participant_token
from api.deps import Page
from api.salons import rules, storage
from api.salons.schemas import LinkCreate, LinkCreated, LinkRead
from api.salons.service.access import found
from api.salons.service.participants import salon_participant
from api.salons.tables import ParticipantLink
from api.timestamps import from_storage, maybe_from_storage, to_storage, utc_now


def link_read(link: ParticipantLink, now: dt.datetime) -> LinkRead:
    return LinkRead(
        id=link.id,
        active=link.revoked_at is None and (link.expires_at is None or link.expires_at > now),
        created_at=from_storage(link.created_at),
        expires_at=maybe_from_storage(link.expires_at),
        revoked_at=maybe_from_storage(link.revoked_at),
    )


def participant_url(base_url: str, token: str) -> str:
    """The personal link of a participant: `{base_url}/p/{token}`."""
    return f"{base_url.rstrip('/')}/p/{token}"


def issue_link(
    session: Session, *, participant_id: int, expires_at: dt.datetime | None, base_url: str
) -> LinkCreated:
    """A new secret link for a participant; the token is returned once and stored hashed."""
    now = utc_now()
    expiry = (
        None
        if expires_at is None
        else to_storage(expires_at if expires_at.tzinfo else expires_at.replace(tzinfo=dt.UTC))
    )
    rules.expiry_in_future(expiry, now)
    token = new_participant_token()
    link = storage.insert_link(
        session,
        link=ParticipantLink(
            participant_id=participant_id,
            token_hash=hash_secret(token),
            created_at=now,
            expires_at=expiry,
        ),
    )
    session.commit()
    read = link_read(link, now)
    return LinkCreated(**read.model_dump(), token=token, url=participant_url(base_url, token))


def create_link(
    session: Session,
    *,
    organiser: CurrentOrganiser,
    salon_id: int,
    participant_id: int,
    data: LinkCreate,
    base_url: str,
) -> LinkCreated:
    _, participant = salon_participant(
        session, organiser=organiser, salon_id=salon_id, participant_id=participant_id
    )
    return issue_link(
        session, participant_id=participant.id, expires_at=data.expires_at, base_url=base_url
    )


def list_links(
    session: Session, *, organiser: CurrentOrganiser, salon_id: int, participant_id: int
) -> Page[LinkRead]:
    _, participant = salon_participant(
        session, organiser=organiser, salon_id=salon_id, participant_id=participant_id
    )
    now = utc_now()
    links = storage.list_links(session, participant_id=participant.id)
    return Page(data=[link_read(link, now) for link in links], count=len(links))


def revoke_link(
    session: Session,
    *,
    organiser: CurrentOrganiser,
    salon_id: int,
    participant_id: int,
    link_id: int,
) -> None:
    _, participant = salon_participant(
        session, organiser=organiser, salon_id=salon_id, participant_id=participant_id
    )
    link = found(
        storage.find_link(session, participant_id=participant.id, link_id=link_id),
        "Lien introuvable.",
    )
    if link.revoked_at is None:
        link.revoked_at = utc_now()
    session.commit()
