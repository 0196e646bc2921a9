"""The organiser's check-in desk under `/o/salons/{id}/checkin` (signed in, like every `/o` page).

- The desk: one focused field that takes a badge's code typed, or scanned by a USB barcode
  scanner (it types the code, or the check-in URL of the QR code, then Enter), the counts, who is
  expected and not yet arrived (a button each, for a forgotten badge), the latest arrivals (with
  an undo), the day's no-shows proposed to the repair desk, the tables' attendance pages.
- `/o/salons/{id}/checkin/{checkin}`: what a phone opens from a badge's QR code: who it is and one
  button to record the arrival (a GET never records anything).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from api.dayof import proposals, service
from api.dayof.codes import shown_code
from api.dayof.pages.shared import dayof_page, local_clock
from api.db import SessionDep
from api.deps import SalonId
from api.errors import DomainError
from api.i18n import gettext
from api.pages import service as pages_service
from api.pages.organiser.shared import Signed, SignedDep
from api.pages.web import PageRoute, request_language
from api.web import FormDep, check_csrf, first, redirect

router = APIRouter(prefix="/o", route_class=PageRoute, include_in_schema=False)
Code = Annotated[str, Path(min_length=1, max_length=200)]
RECENT = 30
DESK = "Accueil des participants"
"""The latest arrivals the desk lists."""


def _desk_page(
    request: Request,
    session: Session,
    signed: Signed,
    salon_id: int,
    *,
    error: str = "",
    typed: str = "",
    status: int = 200,
) -> HTMLResponse:
    desk = service.desk(session, organiser=signed.organiser, salon_id=salon_id)
    proposal = proposals.proposed_changes(
        session, organiser=signed.organiser, salon_id=salon_id, now=desk.now
    )
    timezone = desk.salon.timezone
    recent = desk.arrived[:RECENT]
    codes = service.checkin_code_of(session, salon_id=salon_id)
    return dayof_page(
        request,
        "desk.html",
        status=status,
        title=f"{gettext(request_language(request), DESK)} — {desk.salon.name}",
        signed=signed,
        salon=desk.salon,
        desk=desk,
        recent=recent,
        codes=codes,
        shown={participant: shown_code(code) for participant, code in codes.items()},
        arrived_at={e.code: local_clock(e.arrived_at, timezone) for e in recent},
        proposal=proposal,
        labels=pages_service.side_labels(session, salon_id=salon_id),
        last=_last_scan(request, session, salon_id, timezone),
        error=error,
        typed=typed,
        tables=service.table_labels(session, salon_id=salon_id),
    )


def _last_scan(
    request: Request, session: Session, salon_id: int, timezone: str
) -> dict[str, Any] | None:
    """The arrival the previous scan recorded or found (named in the redirect's query)."""
    who = request.query_params.get("who", "")
    names = service.participant_names(session, salon_id=salon_id, codes=[who]) if who else {}
    if who not in names:
        return None
    at = service.arrival_times(session, salon_id=salon_id).get(who)
    return {
        "name": names[who],
        "at": local_clock(at, timezone),
        "new": request.query_params.get("new") == "1",
    }


@router.get("/salons/{salon_id}/checkin", response_class=HTMLResponse)
def desk_page(
    salon_id: SalonId, request: Request, session: SessionDep, signed: SignedDep
) -> HTMLResponse:
    """The check-in desk."""
    return _desk_page(request, session, signed, salon_id)


@router.post("/salons/{salon_id}/checkin", response_class=HTMLResponse)
def check_in(
    salon_id: SalonId, request: Request, session: SessionDep, signed: SignedDep, form: FormDep
) -> Response:
    """Record the arrival of the badge typed or scanned (a second scan only says when)."""
    check_csrf(form, signed.secret)
    typed = first(form, "code")
    try:
        done = service.check_in(
            session, organiser=signed.organiser, salon_id=salon_id, typed=typed
        )
    except DomainError as error:
        if error.code not in ("checkin_code_missing", "checkin_code_unknown"):
            raise
        message = error.render(request_language(request))
        return _desk_page(
            request, session, signed, salon_id, error=message, typed=typed, status=error.status
        )
    return redirect(f"/o/salons/{salon_id}/checkin", who=done.code, new="1" if done.new else "0")


@router.post("/salons/{salon_id}/checkin/undo")
def undo_check_in(
    salon_id: SalonId, session: SessionDep, signed: SignedDep, form: FormDep
) -> Response:
    """Forget an arrival recorded by mistake."""
    check_csrf(form, signed.secret)
    service.undo_check_in(
        session,
        organiser=signed.organiser,
        salon_id=salon_id,
        participant=first(form, "participant"),
    )
    return redirect(f"/o/salons/{salon_id}/checkin", done="undone")


@router.get("/salons/{salon_id}/checkin/{checkin}", response_class=HTMLResponse)
def badge_page(
    salon_id: SalonId, checkin: Code, request: Request, session: SessionDep, signed: SignedDep
) -> HTMLResponse:
    """A badge's QR code opened on a phone: who it is, and a button to record its arrival."""
    badge = service.badge(session, organiser=signed.organiser, salon_id=salon_id, typed=checkin)
    return dayof_page(
        request,
        "badge.html",
        title=f"{gettext(request_language(request), DESK)} — {badge.name}",
        signed=signed,
        salon=badge.salon,
        badge=badge,
        arrived_at=local_clock(badge.arrived_at, badge.salon.timezone),
        labels=pages_service.side_labels(session, salon_id=salon_id),
    )
