"""Participants of a salon: list, read, create, change, delete, and import a file of them (all or
none); every change keeps the salon valid."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from api.auth import CurrentOrganiser
from api.deps import Page
from api.errors import FieldProblem
from api.salons import convert, rules, storage
from api.salons.schemas import ImportRead, ParticipantCreate, ParticipantRead, ParticipantUpdate
from api.salons.service.access import found, organiser_salon, page_bounds
from api.salons.service.checks import check_document, problems_error
from api.salons.tables import Participant, Salon
from api.timestamps import from_storage, maybe_from_storage, utc_now
from scheduler import format as v1


def participant_kind(participant: Participant) -> str:
    """A participant with a home table is a director; the others are industrials."""
    return "director" if participant.table_id is not None else "industrial"


def participant_reads(session: Session, *, rows: Sequence[Participant]) -> list[ParticipantRead]:
    tables = storage.tables_by_id(session, ids=[p.table_id for p in rows if p.table_id is not None])
    unavailable = storage.unavailabilities_of(session, participant_ids=[p.id for p in rows])
    return [
        ParticipantRead(
            id=p.id,
            code=p.code,
            name=p.name,
            organisation=p.organisation,
            role=p.role,
            kind=participant_kind(p),  # type: ignore[arg-type]
            table=None if p.table_id is None else tables[p.table_id].code,
            representatives=p.representatives,
            max_meetings=p.max_meetings,
            unavailable=[v1.Interval(start=u.start, end=u.end) for u in unavailable[p.id]],
            email=p.email,
            wishes_submitted_at=maybe_from_storage(p.wishes_submitted_at),
            created_at=from_storage(p.created_at),
        )
        for p in rows
    ]


def list_participants(
    session: Session,
    *,
    organiser: CurrentOrganiser,
    salon_id: int,
    offset: int,
    limit: int,
    kind: str | None = None,
) -> Page[ParticipantRead]:
    salon = organiser_salon(session, organiser=organiser, salon_id=salon_id)
    offset, limit = page_bounds(offset, limit)
    rows, count = storage.list_participants(
        session, salon_id=salon.id, offset=offset, limit=limit, kind=kind
    )
    return Page(data=participant_reads(session, rows=rows), count=count)


def salon_participant(
    session: Session, *, organiser: CurrentOrganiser, salon_id: int, participant_id: int
) -> tuple[Salon, Participant]:
    """The organiser's salon and one of its participants, else 404."""
    salon = organiser_salon(session, organiser=organiser, salon_id=salon_id)
    participant = found(
        storage.find_participant(session, salon_id=salon.id, participant_id=participant_id),
        "Participant introuvable.",
    )
    return salon, participant


def get_participant(
    session: Session, *, organiser: CurrentOrganiser, salon_id: int, participant_id: int
) -> ParticipantRead:
    _, participant = salon_participant(
        session, organiser=organiser, salon_id=salon_id, participant_id=participant_id
    )
    return participant_reads(session, rows=[participant])[0]


def _document_with_participants(
    session: Session, salon: Salon, specs: dict[int, v1.Participant], new: list[v1.Participant]
) -> tuple[v1.Salon, dict[int, int]]:
    """The salon's document with some participants replaced (by row id) and others added.

    Also returns each participant row id's index in the document's participant list.
    """
    document = convert.salon_document(session, salon=salon)
    rows, _ = storage.list_participants(session, salon_id=salon.id)
    index = {row.id: i for i, row in enumerate(rows)}
    participants = list(document.participants)
    old_codes: dict[str, str] = {}
    for row_id, spec in specs.items():
        old_codes[participants[index[row_id]].id] = spec.id
        participants[index[row_id]] = spec
    wishes = [
        w.model_copy(
            update={"from_": old_codes.get(w.from_, w.from_), "to": old_codes.get(w.to, w.to)}
        )
        for w in document.wishes
    ]
    return document.model_copy(update={"participants": participants + new, "wishes": wishes}), index


def create_participant(
    session: Session, *, organiser: CurrentOrganiser, salon_id: int, data: ParticipantCreate
) -> ParticipantRead:
    salon = organiser_salon(session, organiser=organiser, salon_id=salon_id)
    spec = _participant_spec(data.model_dump())
    existing = storage.find_participants_by_code(session, salon_id=salon.id, codes=[spec.id])
    rules.participant_code_free(spec.id, spec.id in existing)
    document, index = _document_with_participants(session, salon, {}, [spec])
    check_document(document, focus=f"$.participants[{len(index)}]")
    tables = {t.code: t.id for t in storage.list_tables(session, salon_id=salon.id)}
    [row] = convert.store_participants(
        session,
        salon_id=salon.id,
        specs=[spec],
        table_ids=tables,
        first_position=storage.next_participant_position(session, salon_id=salon.id),
        now=utc_now(),
    )
    session.commit()
    return participant_reads(session, rows=[row])[0]


def _participant_spec(fields: dict[str, Any]) -> v1.Participant:
    fields = dict(fields)
    fields["id"] = fields.pop("code")
    try:
        return v1.Participant.model_validate(fields)
    except ValidationError as exc:
        raise problems_error(
            [
                FieldProblem(".".join(str(p) for p in e["loc"]), "{text}", {"text": e["msg"]})
                for e in exc.errors()
            ]
        ) from exc


def update_participant(
    session: Session,
    *,
    organiser: CurrentOrganiser,
    salon_id: int,
    participant_id: int,
    data: ParticipantUpdate,
) -> ParticipantRead:
    salon, participant = salon_participant(
        session, organiser=organiser, salon_id=salon_id, participant_id=participant_id
    )
    changes = {name: getattr(data, name) for name in data.model_fields_set}
    for name in ("code", "name", "organisation", "role", "representatives", "unavailable"):
        if name in changes and changes[name] is None:
            raise problems_error(
                [FieldProblem(name, "Ce champ ne peut pas être vide (null).")], "invalid_request"
            )
    current = participant_reads(session, rows=[participant])[0].model_dump()
    merged = {key: current[key] for key in ParticipantCreate.model_fields}
    merged.update(data.model_dump(include=set(changes)))
    spec = _participant_spec(merged)
    if spec.id != participant.code:
        taken = storage.find_participants_by_code(session, salon_id=salon.id, codes=[spec.id])
        rules.participant_code_free(spec.id, spec.id in taken)
    document, index = _document_with_participants(session, salon, {participant.id: spec}, [])
    check_document(document, focus=f"$.participants[{index[participant.id]}]")
    tables = {t.code: t.id for t in storage.list_tables(session, salon_id=salon.id)}
    participant.code = spec.id
    participant.name = spec.name
    participant.organisation = spec.organisation
    participant.role = spec.role
    participant.table_id = None if spec.table is None else tables[spec.table]
    participant.representatives = spec.representatives
    participant.max_meetings = spec.max_meetings
    participant.email = spec.email
    if "unavailable" in changes:
        storage.replace_unavailabilities(
            session,
            participant_id=participant.id,
            intervals=[(u.start, u.end) for u in spec.unavailable],
        )
    session.commit()
    return participant_reads(session, rows=[participant])[0]


def delete_participant(
    session: Session, *, organiser: CurrentOrganiser, salon_id: int, participant_id: int
) -> None:
    """Delete a participant with its wishes, requests and links (not if a schedule names it)."""
    _, participant = salon_participant(
        session, organiser=organiser, salon_id=salon_id, participant_id=participant_id
    )
    rules.participant_not_in_schedules(
        storage.participant_in_schedules(session, participant_id=participant.id)
    )
    storage.delete_participant(session, participant_id=participant.id)
    session.commit()


def import_participants(
    session: Session,
    *,
    organiser: CurrentOrganiser,
    salon_id: int,
    specs: list[v1.Participant],
) -> ImportRead:
    """Create or update participants (matched on code) from an imported file, all or none."""
    salon = organiser_salon(session, organiser=organiser, salon_id=salon_id)
    rows, _ = storage.list_participants(session, salon_id=salon.id)
    by_code = {row.code: row for row in rows}
    updates = {by_code[s.id].id: s for s in specs if s.id in by_code}
    new = [s for s in specs if s.id not in by_code]
    document, _ = _document_with_participants(session, salon, updates, new)
    check_document(document)
    tables = {t.code: t.id for t in storage.list_tables(session, salon_id=salon.id)}
    for row_id, spec in updates.items():
        row = next(r for r in rows if r.id == row_id)
        row.name, row.organisation, row.role = spec.name, spec.organisation, spec.role
        row.table_id = None if spec.table is None else tables[spec.table]
        row.representatives, row.max_meetings, row.email = (
            spec.representatives,
            spec.max_meetings,
            spec.email,
        )
        storage.replace_unavailabilities(
            session, participant_id=row.id, intervals=[(u.start, u.end) for u in spec.unavailable]
        )
    convert.store_participants(
        session,
        salon_id=salon.id,
        specs=new,
        table_ids=tables,
        first_position=storage.next_participant_position(session, salon_id=salon.id),
        now=utc_now(),
    )
    session.commit()
    return ImportRead(created=len(new), updated=len(updates), count=len(rows) + len(new))
