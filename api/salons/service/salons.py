"""Salons: create, import, export, list, read, change (settings, tables, the wish deadline and
limit), delete, and open or close the wish window."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from api.auth import CurrentOrganiser
from api.deps import Page
from api.errors import FieldProblem
from api.salons import convert, rules, storage
from api.salons.schemas import SalonCreate, SalonRead, SalonUpdate
from api.salons.service.access import organiser_salon, page_bounds
from api.salons.service.checks import build_document, check_document, check_tables, problems_error
from api.salons.tables import Salon, SalonTable
from api.timestamps import from_storage, maybe_from_storage, to_storage, utc_now
from scheduler import format as v1


def deadline_to_storage(value: dt.datetime | None, timezone: str) -> dt.datetime | None:
    """An aware deadline as naive UTC; a naive one is read in the salon's timezone."""
    if value is None:
        return None
    if value.tzinfo is None:
        try:
            value = value.replace(tzinfo=ZoneInfo(timezone))
        except (ZoneInfoNotFoundError, ValueError):
            value = value.replace(tzinfo=dt.UTC)
    return to_storage(value)


def salon_read(session: Session, *, salon: Salon) -> SalonRead:
    settings = convert.salon_settings(session, salon=salon)
    participants, wishes = storage.count_salon_rows(session, salon_id=salon.id)
    published = storage.current_published(session, salon_id=salon.id)
    tables = storage.list_tables(session, salon_id=salon.id)
    return SalonRead(
        id=salon.id,
        name=salon.name,
        timezone=salon.timezone,
        meeting_minutes=salon.meeting_minutes,
        changeover_minutes=salon.changeover_minutes,
        sessions=settings["sessions"],
        tables=[v1.TableSpec(id=t.code, name=t.name, room=t.room) for t in tables],
        max_in_a_row=salon.max_in_a_row,
        objectives=settings["objectives"],
        max_break_spread=salon.max_break_spread,
        max_meetings_by_kind=settings["max_meetings_by_kind"],
        wishes_open=salon.wishes_open,
        wish_deadline=maybe_from_storage(salon.wish_deadline),
        max_wishes=salon.max_wishes,
        participant_count=participants,
        wish_count=wishes,
        published_version=None if published is None else published.version,
        created_at=from_storage(salon.created_at),
        updated_at=from_storage(salon.updated_at),
    )


def create_salon(session: Session, *, organiser: CurrentOrganiser, data: SalonCreate) -> SalonRead:
    """A new salon (no participants yet, wish window closed)."""
    fields = data.model_dump(exclude={"wish_deadline", "max_wishes"}, exclude_none=True)
    document = build_document(fields)
    check_document(document)
    now = utc_now()
    salon = convert.store_salon_document(
        session, organiser_id=organiser.id, document=document, now=now
    )
    salon.wish_deadline = deadline_to_storage(data.wish_deadline, document.timezone)
    salon.max_wishes = data.max_wishes
    session.commit()
    return salon_read(session, salon=salon)


def import_salon(session: Session, *, organiser: CurrentOrganiser, document: v1.Salon) -> SalonRead:
    """A new salon from a whole salon/v1 file (participants and wishes included)."""
    rules.no_nul_characters(document.to_json_dict())
    check_document(document)
    salon = convert.store_salon_document(
        session, organiser_id=organiser.id, document=document, now=utc_now()
    )
    session.commit()
    return salon_read(session, salon=salon)


def export_salon(session: Session, *, organiser: CurrentOrganiser, salon_id: int) -> v1.Salon:
    salon = organiser_salon(session, organiser=organiser, salon_id=salon_id)
    return convert.salon_document(session, salon=salon)


def list_salons(
    session: Session, *, organiser: CurrentOrganiser, offset: int, limit: int
) -> Page[SalonRead]:
    offset, limit = page_bounds(offset, limit)
    rows, count = storage.list_salons(
        session, organiser_id=organiser.id, offset=offset, limit=limit
    )
    return Page(data=[salon_read(session, salon=s) for s in rows], count=count)


def get_salon(session: Session, *, organiser: CurrentOrganiser, salon_id: int) -> SalonRead:
    return salon_read(
        session, salon=organiser_salon(session, organiser=organiser, salon_id=salon_id)
    )


_REQUIRED_FIELDS = (
    "name",
    "timezone",
    "meeting_minutes",
    "changeover_minutes",
    "sessions",
    "tables",
    "objectives",
)


def update_salon(
    session: Session, *, organiser: CurrentOrganiser, salon_id: int, data: SalonUpdate
) -> SalonRead:
    """Change settings; the salon with its participants and wishes must stay valid."""
    salon = organiser_salon(session, organiser=organiser, salon_id=salon_id)
    changes = {name: getattr(data, name) for name in data.model_fields_set}
    nulls = [name for name in _REQUIRED_FIELDS if name in changes and changes[name] is None]
    if nulls:
        raise problems_error(
            [FieldProblem(name, "Ce champ ne peut pas être vide (null).") for name in nulls],
            code="invalid_request",
        )
    current = convert.salon_document(session, salon=salon).model_dump(by_alias=True)
    settings = {k: v for k, v in changes.items() if k not in ("wish_deadline", "max_wishes")}
    if "tables" in settings:
        settings["tables"] = data.model_dump(include={"tables"})["tables"]
    document = build_document({**current, **settings})
    if "tables" in settings:
        check_tables(document)
        _check_tables_removable(session, salon=salon, document=document)
    check_document(document)
    _apply_settings(session, salon=salon, document=document, changed=set(settings))
    if "wish_deadline" in changes:
        salon.wish_deadline = deadline_to_storage(data.wish_deadline, document.timezone)
    if "max_wishes" in changes:
        salon.max_wishes = data.max_wishes
    salon.updated_at = utc_now()
    session.commit()
    return salon_read(session, salon=salon)


def _apply_settings(
    session: Session, *, salon: Salon, document: v1.Salon, changed: set[str]
) -> None:
    for name in (
        "name",
        "timezone",
        "meeting_minutes",
        "changeover_minutes",
        "max_in_a_row",
        "max_break_spread",
    ):
        if name in changed:
            setattr(salon, name, getattr(document, name))
    if "sessions" in changed:
        storage.replace_sessions(
            session,
            salon_id=salon.id,
            sessions=[(s.date, s.start, s.end) for s in document.sessions],
        )
    if "max_meetings_by_kind" in changed:
        convert.store_kind_caps(salon, document.max_meetings_by_kind)
    if "objectives" in changed:
        storage.replace_objectives(session, salon_id=salon.id, names=list(document.objectives))
    if "tables" in changed:
        _sync_tables(session, salon=salon, document=document)


def _removed_tables(session: Session, *, salon: Salon, document: v1.Salon) -> list[SalonTable]:
    wanted = {spec.id for spec in document.table_specs()}
    return [t for t in storage.list_tables(session, salon_id=salon.id) if t.code not in wanted]


def _check_tables_removable(session: Session, *, salon: Salon, document: v1.Salon) -> None:
    """409 table_in_use when a table to remove is a home table or in a stored schedule."""
    removed = _removed_tables(session, salon=salon, document=document)
    used = storage.tables_in_use(session, table_ids=[t.id for t in removed])
    rules.table_not_in_use(t.code for t in removed if t.id in used)


def _sync_tables(session: Session, *, salon: Salon, document: v1.Salon) -> None:
    """Make the salon's tables those of the document, keeping rows matched by code."""
    existing = {t.code: t for t in storage.list_tables(session, salon_id=salon.id)}
    specs = document.table_specs()
    removed = _removed_tables(session, salon=salon, document=document)
    _check_tables_removable(session, salon=salon, document=document)
    storage.delete_tables(session, table_ids=[t.id for t in removed])
    new_rows = []
    for position, spec in enumerate(specs):
        row = existing.get(spec.id)
        if row is None:
            new_rows.append(
                SalonTable(
                    salon_id=salon.id,
                    position=position,
                    code=spec.id,
                    name=spec.name,
                    room=spec.room,
                )
            )
        else:
            row.position, row.name, row.room = position, spec.name, spec.room
    storage.insert_tables(session, tables=new_rows)
    salon.tables_form = convert.tables_form(document.tables)


def delete_salon(session: Session, *, organiser: CurrentOrganiser, salon_id: int) -> None:
    salon = organiser_salon(session, organiser=organiser, salon_id=salon_id)
    rules.no_solve_running_to_delete(storage.active_job(session, salon_id=salon.id))
    storage.delete_salon(session, salon_id=salon.id)
    session.commit()


def set_wish_window(
    session: Session, *, organiser: CurrentOrganiser, salon_id: int, open_: bool
) -> SalonRead:
    """Open or close the wish window."""
    salon = organiser_salon(session, organiser=organiser, salon_id=salon_id)
    salon.wishes_open = open_
    salon.updated_at = utc_now()
    session.commit()
    return salon_read(session, salon=salon)
