"""Queries of the feedback after a meeting (keyword-only, flush only: the service commits)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.feedback.tables import MeetingFeedback


def feedback_of(session: Session, *, author_id: int) -> list[MeetingFeedback]:
    """Everything one participant said of its meetings."""
    return list(
        session.scalars(
            select(MeetingFeedback)
            .where(MeetingFeedback.author_id == author_id)
            .order_by(MeetingFeedback.start, MeetingFeedback.id)
        )
    )


def salon_feedback(
    session: Session, *, salon_id: int
) -> list[tuple[int, int, dt.datetime, int | None, bool]]:
    """Every feedback of a salon as (author_id, other_id, start, rating, follow_up): what the
    report reads (never the note), as plain rows (thousands of them)."""
    rows = session.execute(
        select(
            MeetingFeedback.author_id,
            MeetingFeedback.other_id,
            MeetingFeedback.start,
            MeetingFeedback.rating,
            MeetingFeedback.follow_up,
        )
        .where(MeetingFeedback.salon_id == salon_id)
        .order_by(MeetingFeedback.start, MeetingFeedback.id)
    )
    return [(a, o, s, r, f) for a, o, s, r, f in rows]


def find_feedback(
    session: Session, *, author_id: int, other_id: int, start: dt.datetime
) -> MeetingFeedback | None:
    return session.scalar(
        select(MeetingFeedback).where(
            MeetingFeedback.author_id == author_id,
            MeetingFeedback.other_id == other_id,
            MeetingFeedback.start == start,
        )
    )


def save_feedback(
    session: Session,
    *,
    salon_id: int,
    author_id: int,
    other_id: int,
    start: dt.datetime,
    rating: int | None,
    follow_up: bool,
    note: str,
    now: dt.datetime,
) -> MeetingFeedback:
    """Insert or replace the author's feedback on that meeting."""
    row = find_feedback(session, author_id=author_id, other_id=other_id, start=start)
    if row is None:
        row = MeetingFeedback(
            salon_id=salon_id, author_id=author_id, other_id=other_id, start=start, created_at=now
        )
        session.add(row)
    row.rating = rating
    row.follow_up = follow_up
    row.note = note
    row.updated_at = now
    session.flush()
    return row
