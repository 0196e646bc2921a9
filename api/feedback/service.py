"""Feedback after a meeting: which of a participant's meetings it may rate, saving what it says
(use cases, commits), and the salon's figures for the post-event report.

A meeting may be rated once it has ended by the salon's clock (api.repairs.service.salon_clock,
the one clock in the salon's timezone) and unless it is marked a no-show (api.dayof): staff
rarely mark every meeting, so a meeting ended and not marked counts as held here. A note is
private to its author: `salon_figures` never returns it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from api.auth import CurrentParticipant
from api.dayof.service import MeetingAttendance, meeting_attendance
from api.errors import DomainError, FieldProblem
from api.feedback import storage
from api.feedback.tables import NOTE_MAX
from api.repairs.service import salon_clock
from api.salons import storage as salon_storage
from api.salons.tables import Participant
from api.timestamps import utc_now

RATINGS = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class MeetingToRate:
    """One of the participant's meetings, whether it can be rated yet, and what it said."""

    other: str  # the other participant's code
    other_name: str
    other_organisation: str
    start: dt.datetime
    end: dt.datetime
    table: str
    status: str  # api.dayof: "held", "no_show" or "unknown"
    open: bool  # ended and not a no-show: the form is shown
    rating: int | None = None
    follow_up: bool = False
    note: str = ""

    @property
    def anchor(self) -> str:
        return f"m-{self.start:%Y%m%d%H%M}-{self.other}"


@dataclass(frozen=True)
class MyFeedback:
    """A participant's meetings of the published schedule, by start, and the salon's time."""

    now: dt.datetime
    meetings: list[MeetingToRate]

    @property
    def rated(self) -> int:
        return sum(1 for m in self.meetings if m.rating is not None or m.follow_up or m.note)

    @property
    def open(self) -> int:
        return sum(1 for m in self.meetings if m.open)


def can_rate(meeting: MeetingAttendance, now: dt.datetime) -> bool:
    """A meeting may be rated once ended, unless it was a no-show."""
    return meeting.end <= now and meeting.status != "no_show"


def _mine(session: Session, participant: CurrentParticipant) -> list[MeetingAttendance]:
    return [
        m
        for m in meeting_attendance(session, salon_id=participant.salon_id)
        if participant.code in (m.from_, m.to)
    ]


def my_feedback(session: Session, *, participant: CurrentParticipant) -> MyFeedback:
    """The participant's meetings (published schedule) with its feedback on each."""
    salon = salon_storage.find_salon(session, salon_id=participant.salon_id)
    if salon is None:
        return MyFeedback(dt.datetime.min, [])
    now = salon_clock(salon.timezone)
    meetings = _mine(session, participant)
    others = {m.to if m.from_ == participant.code else m.from_ for m in meetings}
    people = {p.code: p for p in _participants(session, salon_id=salon.id) if p.code in others}
    said = {
        (row.other_id, row.start): row
        for row in storage.feedback_of(session, author_id=participant.participant_id)
    }
    shown = []
    for m in meetings:
        other = people[m.to if m.from_ == participant.code else m.from_]
        row = said.get((other.id, m.start))
        shown.append(
            MeetingToRate(
                other.code,
                other.name,
                other.organisation,
                m.start,
                m.end,
                m.table,
                m.status,
                can_rate(m, now),
                row.rating if row else None,
                row.follow_up if row else False,
                row.note if row else "",
            )
        )
    return MyFeedback(now, shown)


def _participants(session: Session, *, salon_id: int) -> list[Participant]:
    rows, _ = salon_storage.list_participants(session, salon_id=salon_id)
    return list(rows)


def parsed_rating(value: str) -> int | None:
    """'' (no rating) or 1 to 5, else a refusal naming the field."""
    value = value.strip()
    if not value:
        return None
    if value.isdigit() and int(value) in RATINGS:
        return int(value)
    raise DomainError(
        "rating_invalid",
        "Note invalide.",
        status=422,
        problems=[FieldProblem("rating", "Une note de 1 à 5, ou aucune.")],
    )


def parsed_start(value: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise DomainError(
            "meeting_unknown",
            "Rendez-vous introuvable.",
            status=404,
            problems=[
                FieldProblem(
                    "start", "Début du rendez-vous invalide : « {value} ».", {"value": value[:40]}
                )
            ],
        ) from exc


def checked_note(value: str) -> str:
    note = value.replace("\r\n", "\n").strip()
    if len(note) > NOTE_MAX or "\x00" in note:
        raise DomainError(
            "note_invalid",
            "Note privée refusée.",
            status=422,
            problems=[
                FieldProblem(
                    "note",
                    "Texte trop long : {max_length} caractères au plus.",
                    {"max_length": NOTE_MAX},
                )
            ],
        )
    return note


def give_feedback(
    session: Session,
    *,
    participant: CurrentParticipant,
    other: str,
    start: str,
    rating: str,
    follow_up: bool,
    note: str,
) -> MeetingToRate:
    """Save (or replace) the participant's feedback on its meeting with `other` at `start`:
    a meeting of the published schedule, ended and not a no-show; else a clear refusal, and
    what was saved before stays."""
    when = parsed_start(start)
    value, text = parsed_rating(rating), checked_note(note)
    salon = salon_storage.lock_salon(session, salon_id=participant.salon_id)
    if salon is None:
        raise DomainError("not_found", "Salon introuvable.", status=404)
    meeting = next(
        (
            m
            for m in _mine(session, participant)
            if m.start == when and other in (m.from_, m.to) and other != participant.code
        ),
        None,
    )
    if meeting is None:
        raise DomainError(
            "meeting_unknown",
            "Ce rendez-vous n'est pas dans votre agenda publié (il a pu changer) : rechargez la "
            "page.",
            status=404,
        )
    if meeting.status == "no_show":
        raise DomainError(
            "meeting_missed", "Ce rendez-vous n'a pas eu lieu : il ne se note pas.", status=409
        )
    if meeting.end > salon_clock(salon.timezone):
        raise DomainError(
            "meeting_not_ended",
            "Ce rendez-vous n'est pas terminé : vous pourrez le noter ensuite.",
            status=409,
        )
    people = {p.code: p for p in _participants(session, salon_id=salon.id)}
    storage.save_feedback(
        session,
        salon_id=salon.id,
        author_id=participant.participant_id,
        other_id=people[other].id,
        start=when,
        rating=value,
        follow_up=follow_up,
        note=text,
        now=utc_now(),
    )
    session.commit()
    saved = my_feedback(session, participant=participant)
    return next(m for m in saved.meetings if m.other == other and m.start == when)


@dataclass(frozen=True)
class FeedbackFigure:
    """What the report reads of one feedback: who, on which meeting, the rating and follow-up
    (never the note)."""

    author: str
    other: str
    start: dt.datetime
    rating: int | None
    follow_up: bool


def salon_figures(session: Session, *, salon_id: int) -> list[FeedbackFigure]:
    """Every feedback of the salon, without notes."""
    rows = storage.salon_feedback(session, salon_id=salon_id)
    people = salon_storage.participants_by_id(
        session, ids={i for author, other, *_ in rows for i in (author, other)}
    )
    return [
        FeedbackFigure(people[author].code, people[other].code, start, rating, follow_up)
        for author, other, start, rating, follow_up in rows
    ]
