"""The salon domain, participant side (personal link, no account).

A participant sees its profile and the salon's other participants (names only), submits and
ranks its wishes, answers the requests addressed to it, and reads its own agenda once a
schedule is published. It never sees another participant's wishes or agenda: every lookup is
scoped to the participant of the link and answers 404 otherwise.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from api.auth import CurrentParticipant
from api.deps import MAX_LIMIT, Page
from api.errors import not_found
from api.salons import convert, rules, storage
from api.salons.schemas import (
    AgendaMeeting,
    AgendaRead,
    AgendaUnmet,
    DirectoryEntry,
    MeRead,
    MyWishesUpdate,
    MyWishRead,
    RequestRead,
    SalonPublicRead,
)
from api.salons.service.participants import participant_kind
from api.salons.service.wishes import wish_decision
from api.salons.tables import Participant, Salon, Wish
from api.timestamps import from_storage, maybe_from_storage, utc_now


def _me(session: Session, participant: CurrentParticipant) -> tuple[Salon, Participant]:
    salon = storage.find_salon(session, salon_id=participant.salon_id)
    row = storage.find_participant(
        session, salon_id=participant.salon_id, participant_id=participant.participant_id
    )
    if salon is None or row is None:
        raise not_found("Participant introuvable.")
    return salon, row


def participant_salon(session: Session, *, participant: CurrentParticipant) -> Salon | None:
    """The salon of the participant's link (None once deleted)."""
    return storage.find_salon(session, salon_id=participant.salon_id)


def _table_code(session: Session, row: Participant) -> str | None:
    if row.table_id is None:
        return None
    return storage.tables_by_id(session, ids=[row.table_id])[row.table_id].code


def me(session: Session, *, participant: CurrentParticipant) -> MeRead:
    """The participant's profile and what it needs to know of its salon."""
    salon, row = _me(session, participant)
    settings = convert.salon_settings(session, salon=salon)
    return MeRead(
        code=row.code,
        name=row.name,
        organisation=row.organisation,
        role=row.role,
        kind=participant_kind(row),  # type: ignore[arg-type]
        table=_table_code(session, row),
        representatives=row.representatives,
        email=row.email,
        wishes_submitted_at=maybe_from_storage(row.wishes_submitted_at),
        salon=SalonPublicRead(
            name=salon.name,
            timezone=salon.timezone,
            meeting_minutes=salon.meeting_minutes,
            sessions=settings["sessions"],
            wishes_open=salon.wishes_open,
            wish_deadline=maybe_from_storage(salon.wish_deadline),
            max_wishes=salon.max_wishes,
        ),
    )


def directory(
    session: Session,
    *,
    participant: CurrentParticipant,
    offset: int,
    limit: int,
    kind: str | None = None,
) -> Page[DirectoryEntry]:
    """The salon's other participants, to choose wishes from (no wishes, no agendas)."""
    salon, row = _me(session, participant)
    rows, count = storage.list_participants(
        session,
        salon_id=salon.id,
        offset=max(0, offset),
        limit=max(1, min(limit, MAX_LIMIT)),
        kind=kind,
        exclude_id=row.id,
    )
    tables = storage.tables_by_id(session, ids=[p.table_id for p in rows if p.table_id])
    return Page(
        data=[
            DirectoryEntry(
                code=p.code,
                name=p.name,
                organisation=p.organisation,
                role=p.role,
                kind=participant_kind(p),  # type: ignore[arg-type]
                table=None if p.table_id is None else tables[p.table_id].code,
            )
            for p in rows
        ],
        count=count,
    )


def _my_wish_reads(session: Session, wishes: list[Wish]) -> Page[MyWishRead]:
    people = storage.participants_by_id(session, ids=[w.to_id for w in wishes])
    data = [
        MyWishRead(
            id=w.id,
            to=people[w.to_id].code,
            to_name=people[w.to_id].name,
            to_organisation=people[w.to_id].organisation,
            rank=w.rank,
            priority=w.priority,
            message=w.message,
            decision=wish_decision(w),  # type: ignore[arg-type]
        )
        for w in wishes
    ]
    return Page(data=data, count=len(data))


def my_wishes(session: Session, *, participant: CurrentParticipant) -> Page[MyWishRead]:
    """The participant's own wishes, most wanted first."""
    _, row = _me(session, participant)
    return _my_wish_reads(session, storage.wishes_from(session, participant_id=row.id))


def priority_from_rank(rank: int, count: int) -> int:
    """The default priority of the `rank`-th of `count` wishes: thirds 1, 2, 3."""
    return 1 + (3 * (rank - 1)) // max(1, count)


def replace_my_wishes(
    session: Session,
    *,
    participant: CurrentParticipant,
    data: MyWishesUpdate,
    now: dt.datetime | None = None,
) -> Page[MyWishRead]:
    """Replace the participant's wish list (ordered, most wanted first, or by the ranks given).

    Ranks, when given, are given on every wish, each rank once (a second wish at rank 1 is
    refused with both names, never re-ordered silently); the kept order is renumbered 1..n.
    Each wish may carry a short message that the asked participant reads on its requests.

    Kept wishes keep the asked participant's answer and the organiser's settings (required,
    pinned, during); dropped ones are deleted; new ones are pending. Under the salon's lock:
    lists sent at once replace each other whole (the wish limit holds) and new wishes take
    positions after every other wish of the salon.
    """
    now = now or utc_now()
    storage.lock_salon(session, salon_id=participant.salon_id)
    salon, row = _me(session, participant)
    rules.wish_window_open(salon)
    rules.before_wish_deadline(salon, now)
    items = data.wishes
    asked = [item.to for item in items]
    rules.within_wish_limit(salon, len(asked))
    rules.one_wish_per_participant(asked)
    rules.not_to_oneself(row.code, asked)
    rules.no_nul_characters({"wishes": [{"message": item.message} for item in items]})
    found = storage.find_participants_by_code(session, salon_id=salon.id, codes=asked)
    rules.known_participants(asked, found)
    rules.ranks_on_all_or_none([item.rank for item in items])
    rules.one_wish_per_rank([(item.rank, found[item.to].name) for item in items])
    items = sorted(items, key=lambda item: item.rank or 0)  # stable: no ranks, the list's order
    existing = {w.to_id: w for w in storage.wishes_from(session, participant_id=row.id)}
    wanted = {found[code].id for code in asked}
    storage.delete_wishes(
        session, wish_ids=[w.id for to_id, w in existing.items() if to_id not in wanted]
    )
    position = storage.next_wish_position(session, salon_id=salon.id)
    new_rows: list[Wish] = []
    for rank, item in enumerate(items, start=1):
        priority = item.priority or priority_from_rank(rank, len(asked))
        wish = existing.get(found[item.to].id)
        if wish is None:
            new_rows.append(
                Wish(
                    salon_id=salon.id,
                    from_id=row.id,
                    to_id=found[item.to].id,
                    position=position + len(new_rows),
                    rank=rank,
                    priority=priority,
                    required=False,
                    declined=False,
                    has_during=False,
                    message=item.message,
                    created_at=now,
                    updated_at=now,
                )
            )
        elif (wish.rank, wish.priority, wish.message) != (rank, priority, item.message):
            wish.rank, wish.priority, wish.message = rank, priority, item.message
            wish.updated_at = now
    storage.insert_wishes(session, wishes=new_rows)
    storage.set_wishes_submitted(session, participant_id=row.id, when=now)
    session.commit()
    return _my_wish_reads(session, storage.wishes_from(session, participant_id=row.id))


def _request_read(wish: Wish, asker: Participant) -> RequestRead:
    return RequestRead.model_validate(
        {
            "id": wish.id,
            "from": asker.code,
            "from_name": asker.name,
            "from_organisation": asker.organisation,
            "from_role": asker.role,
            "message": wish.message,
            "decision": wish_decision(wish),
            "decided_at": maybe_from_storage(wish.decided_at),
        }
    )


def my_requests(session: Session, *, participant: CurrentParticipant) -> Page[RequestRead]:
    """The wishes addressed to the participant (who asked, and its answer; not their rank)."""
    _, row = _me(session, participant)
    wishes = storage.wishes_to(session, participant_id=row.id)
    people = storage.participants_by_id(session, ids=[w.from_id for w in wishes])
    data = [_request_read(w, people[w.from_id]) for w in wishes]
    return Page(data=data, count=len(data))


def decide_request(
    session: Session, *, participant: CurrentParticipant, wish_id: int, decision: str
) -> RequestRead:
    """Accept or decline a request addressed to the participant (a declined one never meets)."""
    salon, row = _me(session, participant)
    wish = storage.find_wish(session, salon_id=salon.id, wish_id=wish_id)
    if wish is None or wish.to_id != row.id:
        raise not_found("Demande introuvable.")
    rules.wish_window_open(salon)
    now = utc_now()
    wish.declined = decision == "declined"
    wish.decided_at = now
    wish.updated_at = now
    session.commit()
    asker = storage.participants_by_id(session, ids=[wish.from_id])[wish.from_id]
    return _request_read(wish, asker)


def _counterpart(other: Participant) -> dict[str, str]:
    return {"code": other.code, "name": other.name, "organisation": other.organisation}


def my_agenda(session: Session, *, participant: CurrentParticipant) -> AgendaRead:
    """The participant's meetings in the published schedule; empty before publication."""
    salon, row = _me(session, participant)
    schedule = storage.current_published(session, salon_id=salon.id)
    if schedule is None:
        return AgendaRead(published=False, version=None, published_at=None, meetings=[])
    meetings = storage.schedule_meetings(session, schedule_id=schedule.id, participant_id=row.id)
    unmet = [
        u
        for u in storage.schedule_unscheduled(session, schedule_id=schedule.id)
        if row.id in (u.from_id, u.to_id)
    ]
    ends = [(m.from_id, m.to_id) for m in meetings] + [(u.from_id, u.to_id) for u in unmet]
    others = storage.participants_by_id(
        session, ids=[to_id if from_id == row.id else from_id for from_id, to_id in ends]
    )
    tables = storage.tables_by_id(session, ids=[m.table_id for m in meetings])
    return AgendaRead(
        published=True,
        version=schedule.version,
        published_at=from_storage(schedule.published_at) if schedule.published_at else None,
        meetings=[
            AgendaMeeting.model_validate(
                {
                    "start": m.start,
                    "end": m.end,
                    "table": tables[m.table_id].code,
                    "table_name": tables[m.table_id].name,
                    "room": tables[m.table_id].room,
                    "with": _counterpart(other),
                }
            )
            for m in meetings
            for other in [others[m.to_id if m.from_id == row.id else m.from_id]]
        ],
        unscheduled=[
            AgendaUnmet.model_validate(
                {
                    "with": _counterpart(others[u.to_id if u.from_id == row.id else u.from_id]),
                    "asked_by_me": u.from_id == row.id,
                    "reason": u.reason,
                }
            )
            for u in unmet
        ],
    )
