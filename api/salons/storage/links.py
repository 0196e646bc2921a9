"""Participants' personal links, stored by the hash of their secret."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.salons.tables import Participant, ParticipantLink


def insert_link(session: Session, *, link: ParticipantLink) -> ParticipantLink:
    session.add(link)
    session.flush()
    return link


def find_link_by_hash(
    session: Session, *, token_hash: str
) -> tuple[ParticipantLink, Participant] | None:
    row = session.execute(
        select(ParticipantLink, Participant)
        .join(Participant, Participant.id == ParticipantLink.participant_id)
        .where(ParticipantLink.token_hash == token_hash)
    ).first()
    return None if row is None else (row[0], row[1])


def links_by_hash(session: Session, *, token_hashes: Sequence[str]) -> dict[str, ParticipantLink]:
    """The stored links among these token hashes, by hash (one query)."""
    if not token_hashes:
        return {}
    rows = session.scalars(
        select(ParticipantLink).where(ParticipantLink.token_hash.in_(list(token_hashes)))
    )
    return {row.token_hash: row for row in rows}


def list_links(session: Session, *, participant_id: int) -> list[ParticipantLink]:
    return list(
        session.scalars(
            select(ParticipantLink)
            .where(ParticipantLink.participant_id == participant_id)
            .order_by(ParticipantLink.id)
        )
    )


def find_link(session: Session, *, participant_id: int, link_id: int) -> ParticipantLink | None:
    link = session.get(ParticipantLink, link_id)
    if link is None or link.participant_id != participant_id:
        return None
    return link
