"""The attendance pages: a phone page per table where its staff mark each meeting held or
no-show, and a participant's confirmation from its agenda.

- `/t/{salon}/{table}?key=...`: the table's page, opened from the QR code of its table sheet
  (no account: the key is the table's secret, api.dayof.links; it is redacted from the logs).
- `/o/salons/{salon}/attendance/{table}`: the same page for the signed-in organiser.
- `/p/{token}/attendance`: a participant's meetings and their marks; the agenda's small form
  (templates/dayof/_agenda_attendance.html) posts there.

Forms carry a form token bound to the page's secret (the table's key, the organiser's session,
the personal link), like every page's (api.web).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from api.auth import CurrentParticipant, participant_for_token
from api.dayof import attendance
from api.dayof.links import organiser_table_path, table_path
from api.dayof.pages.shared import dayof_page
from api.db import SessionDep
from api.deps import SalonId, SettingsDep
from api.errors import DomainError
from api.pages.organiser.shared import SignedDep
from api.pages.web import PageError, PageRoute
from api.salons.tables import Salon
from api.web import FormDep, check_csrf, csrf_token, first, redirect

router = APIRouter(route_class=PageRoute, include_in_schema=False)
TableCode = Annotated[str, Path(min_length=1, max_length=64)]
Key = Annotated[str, Query(max_length=64)]
Token = Annotated[str, Path(min_length=8, max_length=128)]


def _start(text: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise DomainError(
            "start_invalid", "Heure du rendez-vous invalide : « {value} ».", status=422,
            value=text[:40],
        ) from exc


def _absent(form: dict[str, list[str]]) -> str | None:
    return first(form, "absent") or None


def _table_page(
    request: Request, session: Session, salon: Salon, table: str, *, action: str, csrf: str
) -> HTMLResponse:
    sheet = attendance.table_sheet(session, salon=salon, table_code=table)
    return dayof_page(
        request,
        "table.html",
        title=f"{sheet.table.name or sheet.table.code} — {salon.name}",
        sheet=sheet,
        action=action,
        csrf=csrf,
    )


def _mark(
    session: Session, salon: Salon, table: str, form: dict[str, list[str]], marked_by: str
) -> None:
    attendance.mark_meeting(
        session,
        salon=salon,
        from_=first(form, "from"),
        to=first(form, "to"),
        start=_start(first(form, "start")),
        status=first(form, "status"),
        absent=_absent(form),
        marked_by=marked_by,
        table=table,
    )


@router.get("/t/{salon_id}/{table}", response_class=HTMLResponse)
def table_page(
    salon_id: SalonId,
    table: TableCode,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    key: Key = "",
) -> HTMLResponse:
    """A table's attendance page, opened by its secret link."""
    salon = attendance.salon_of_table_link(
        session, salon_id=salon_id, table_code=table, key=key, settings=settings
    )
    action = f"{table_path(salon_id, table)}?key={key}"
    return _table_page(request, session, salon, table, action=action, csrf=csrf_token(key))


@router.post("/t/{salon_id}/{table}")
def table_mark(
    salon_id: SalonId,
    table: TableCode,
    session: SessionDep,
    settings: SettingsDep,
    form: FormDep,
    key: Key = "",
) -> Response:
    """A table's staff marks one of its meetings."""
    salon = attendance.salon_of_table_link(
        session, salon_id=salon_id, table_code=table, key=key, settings=settings
    )
    check_csrf(form, key)
    _mark(session, salon, table, form, "table")
    return redirect(table_path(salon_id, table), key=key, done="marked")


@router.get("/o/salons/{salon_id}/attendance/{table}", response_class=HTMLResponse)
def organiser_table_page(
    salon_id: SalonId, table: TableCode, request: Request, session: SessionDep, signed: SignedDep
) -> HTMLResponse:
    """A table's attendance page for the organiser."""
    salon = attendance.organiser_table_salon(
        session, organiser=signed.organiser, salon_id=salon_id
    )
    action = organiser_table_path(salon_id, table)
    return _table_page(request, session, salon, table, action=action, csrf=signed.csrf)


@router.post("/o/salons/{salon_id}/attendance/{table}")
def organiser_table_mark(
    salon_id: SalonId, table: TableCode, session: SessionDep, signed: SignedDep, form: FormDep
) -> Response:
    """The organiser marks a meeting of a table."""
    check_csrf(form, signed.secret)
    salon = attendance.organiser_table_salon(
        session, organiser=signed.organiser, salon_id=salon_id
    )
    _mark(session, salon, table, form, "organiser")
    path = organiser_table_path(salon_id, table)
    return redirect(path, done="marked")


def _participant(session: Session, token: str) -> CurrentParticipant:
    who = participant_for_token(session, token)
    if who is None:
        raise PageError("Ce lien personnel est inconnu, révoqué ou expiré.", status=404)
    return who


@router.get("/p/{token}/attendance", response_class=HTMLResponse)
def participant_page(token: Token, request: Request, session: SessionDep) -> HTMLResponse:
    """A participant's meetings and what is recorded of each."""
    who = _participant(session, token)
    mine = attendance.participant_meetings(session, participant=who)
    return dayof_page(
        request,
        "participant.html",
        title=who.name,
        mine=mine,
        base=f"/p/{token}",
        csrf=csrf_token(token),
    )


@router.post("/p/{token}/attendance")
def participant_mark(token: Token, session: SessionDep, form: FormDep) -> Response:
    """A participant confirms a meeting held, or says the other did not come."""
    who = _participant(session, token)
    check_csrf(form, token)
    attendance.participant_mark(
        session,
        participant=who,
        other=first(form, "other"),
        start=_start(first(form, "start")),
        status=first(form, "status"),
    )
    return redirect(f"/p/{token}/attendance", done="marked")
