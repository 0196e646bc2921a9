"""The organiser's on-the-day repair pages under `/o` (listed in api.app.routers).

- `/o/salons/{id}/repair`: record what happened (one form per kind of change), see the recorded
  list, run the repair. The recorded changes travel with the page (hidden field, query string)
  until the repair stores them; each is checked against the published schedule when added.
- `/o/salons/{id}/repairs/{repair}`: the change list (kept, moved, dropped, added), the people
  to tell, the waiting list, publish (mails through api.repairs.service.publish_repair), the
  reprinted agendas of the participants concerned only.

The repair runs in the request: about 1-2 s on a 370-participant salon (docs/changes.md).
Sign-in and form tokens as the other organiser pages (api.pages.organiser).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from api import rate_limits
from api.db import SessionDep
from api.deps import RepairId, SalonId, SettingsDep
from api.documents import agendas_pdf
from api.errors import DomainError
from api.i18n import gettext
from api.pages.organiser.schedules import organiser_documents
from api.pages.organiser.shared import SignedDep
from api.pages.web import (
    PageError,
    PageRoute,
    page,
    request_language,
)
from api.repairs import presenters, service
from api.repairs.forms import (
    FORMS,
    FormInvalidError,
    change_from_form,
    read_pending,
    sort_problems,
    write_pending,
)
from api.repairs.presenters import Problems
from api.repairs.schemas import RepairCreate
from api.salons import service as salons
from api.web import FormDep, check_csrf, first, redirect

router = APIRouter(prefix="/o", route_class=PageRoute, include_in_schema=False)
SMALL_BATCH = 25
"""Up to this many agendas are laid out in the request's process (no worker pool)."""


def _record_url(salon_id: int) -> str:
    return f"/o/salons/{salon_id}/repair"


def _pending(text: str) -> list[dict[str, Any]]:
    try:
        return read_pending(text)
    except ValueError as exc:
        raise PageError(
            "La liste des changements notés est illisible : rechargez la page de réparation.",
            status=422,
        ) from exc


def _now(text: str) -> dt.datetime | None:
    try:
        return presenters.parse_now(text)
    except ValueError as exc:
        raise PageError(
            "Heure de la réparation invalide : « %(value)s ».", 422, value=text
        ) from exc


def _record_page(
    request: Request,
    session: Session,
    signed: Any,
    salon_id: int,
    *,
    pending: list[dict[str, Any]],
    now_text: str,
    problems: Problems,
    status: int = 200,
) -> HTMLResponse:
    language = request_language(request)
    try:
        now = presenters.parse_now(now_text)
    except ValueError:
        now = None
        problems.now = gettext(
            language, "Heure invalide : écrivez la date et l'heure, par exemple 2023-11-28T11:00."
        )
        status = 422
    context = presenters.record_context(
        session,
        organiser=signed.organiser,
        salon_id=salon_id,
        pending=pending,
        now=now,
        now_text=now_text,
        language=language,
    )
    title = gettext(language, "Changements du jour")
    return page(
        request,
        "organiser_repair.html",
        status=status,
        title=f"{title} — {context['salon'].name}",
        signed=signed,
        problems=problems,
        **context,
    )


@dataclass
class _Desk:
    """One submission of the record page: what it carried, to show the page again."""

    request: Request
    session: Session
    signed: Any
    salon_id: int
    pending: list[dict[str, Any]]
    now_text: str

    def again(self, problems: Problems, status: int = 422) -> HTMLResponse:
        """The record page again, with the problems found."""
        return _record_page(
            self.request,
            self.session,
            self.signed,
            self.salon_id,
            pending=self.pending,
            now_text=self.now_text,
            problems=problems,
            status=status,
        )


def _open_desk(
    request: Request, session: Session, signed: Any, salon_id: int, form: Any
) -> tuple[_Desk, dt.datetime | None]:
    """What a posted record form carried (its list of changes, its time), and that time."""
    now_text = first(form, "now")
    now = _now(now_text)
    pending = _pending(first(form, "pending"))
    return _Desk(request, session, signed, salon_id, pending, now_text), now


def _sort_into(
    problems: Problems,
    error: DomainError,
    changes: list[dict[str, Any]],
    new_kind: str | None,
    language: str,
) -> list[Any]:
    """Put an `invalid_changes` error's problems on the recorded changes and the page; the
    problems of the new change (of kind `new_kind`) are returned for its form."""
    spread = sort_problems(error, changes, new_kind=new_kind)
    problems.recorded = {
        i: [p.render(language) for p in found] for i, found in spread.recorded.items()
    }
    problems.general = [p.render(language) for p in spread.general]
    return list(spread.new)


def _domain_problems(error: DomainError, language: str) -> list[str]:
    return [" ".join([error.render(language), *(p.render(language) for p in error.problems)])]


# ------------------------------------------------------------------ record


@router.get("/salons/{salon_id}/repair", response_class=HTMLResponse)
def record_page(
    salon_id: SalonId,
    request: Request,
    session: SessionDep,
    signed: SignedDep,
    changes: str = "",
    now: str = "",
) -> HTMLResponse:
    """The changes recorded so far (from the query string), the forms, the salon's repairs."""
    problems = Problems()
    try:
        pending = read_pending(changes)
    except ValueError:
        pending = []
        problems.general.append(
            gettext(
                request_language(request),
                "La liste des changements notés était illisible : elle a été vidée.",
            )
        )
    status = 422 if problems.any() else 200
    return _record_page(
        request,
        session,
        signed,
        salon_id,
        pending=pending,
        now_text=now,
        problems=problems,
        status=status,
    )


@router.post("/salons/{salon_id}/repair/changes", response_class=HTMLResponse)
def add_change(
    salon_id: SalonId, request: Request, session: SessionDep, signed: SignedDep, form: FormDep
) -> Response:
    """Check one change from its form against the published schedule, then note it."""
    check_csrf(form, signed.secret)
    language = request_language(request)
    desk, now = _open_desk(request, session, signed, salon_id, form)
    pending = desk.pending
    kind = first(form, "kind")
    if kind not in FORMS:
        raise PageError("Changement inconnu.", status=422)
    values = {name: first(form, name) for name in form if name not in ("csrf", "pending")}
    days, known, tables = presenters.form_inputs(
        session, organiser=signed.organiser, salon_id=salon_id
    )
    known.update(c["participant"]["id"] for c in pending if c["kind"] == "participant_added")
    problems = Problems()
    try:
        change = change_from_form(kind, values, days=days, known=known, tables=tables)
    except FormInvalidError as error:
        presenters.form_problems(problems, kind, values, error.problems, language)
        return desk.again(problems)
    changes = [*pending, change]
    try:
        service.check_changes(
            session,
            organiser=signed.organiser,
            salon_id=salon_id,
            changes=presenters.change_models(changes),
            now=now,
        )
    except DomainError as error:
        if error.code != "invalid_changes":
            problems.general = _domain_problems(error, language)
            presenters.form_problems(problems, kind, values, [], language)
            return desk.again(problems, error.status)
        new = _sort_into(problems, error, changes, kind, language)
        presenters.form_problems(problems, kind, values, new, language)
        return desk.again(problems)
    return redirect(
        _record_url(salon_id), changes=write_pending(changes), now=desk.now_text, done="added"
    )


@router.post("/salons/{salon_id}/repair/changes/remove")
def remove_change(
    salon_id: SalonId, session: SessionDep, signed: SignedDep, form: FormDep
) -> Response:
    """Take a recorded change off the list (nothing is stored yet)."""
    check_csrf(form, signed.secret)
    salons.organiser_salon(session, organiser=signed.organiser, salon_id=salon_id)
    pending = _pending(first(form, "pending"))
    index = first(form, "index")
    if not index.isdigit() or int(index) >= len(pending):
        raise PageError("Changement introuvable.", status=404)
    del pending[int(index)]
    return redirect(
        _record_url(salon_id),
        changes=write_pending(pending),
        now=first(form, "now"),
        done="removed",
    )


@router.post("/salons/{salon_id}/repairs", response_class=HTMLResponse)
def run_repair(
    salon_id: SalonId, request: Request, session: SessionDep, signed: SignedDep, form: FormDep
) -> Response:
    """Repair the published schedule after the recorded changes (in the request)."""
    check_csrf(form, signed.secret)
    language = request_language(request)
    desk, now = _open_desk(request, session, signed, salon_id, form)
    pending = desk.pending
    problems = Problems()
    if not pending:
        problems.general.append(
            gettext(language, "Notez d'abord au moins un changement, puis lancez la réparation.")
        )
        return desk.again(problems)
    try:
        data = RepairCreate.model_validate({"changes": pending, "now": now})
        repair = service.create_repair(
            session, organiser=signed.organiser, salon_id=salon_id, data=data
        )
    except ValidationError as exc:
        raise PageError("La liste des changements notés est illisible.", status=422) from exc
    except DomainError as error:
        session.rollback()
        if error.code == "invalid_changes":
            _sort_into(problems, error, pending, None, language)
        if not problems.any():
            problems.general = _domain_problems(error, language)
        return desk.again(problems, error.status)
    return redirect(f"/o/salons/{salon_id}/repairs/{repair.id}", done="repaired")


# ------------------------------------------------------------------ one repair


@router.get("/salons/{salon_id}/repairs/{repair_id}", response_class=HTMLResponse)
def repair_page(
    salon_id: SalonId,
    repair_id: RepairId,
    request: Request,
    session: SessionDep,
    signed: SignedDep,
) -> HTMLResponse:
    """The repair's change list, the people to tell, the waiting list, publish, documents."""
    return _repair_result(request, session, signed, salon_id, repair_id)


def _repair_result(
    request: Request,
    session: Session,
    signed: Any,
    salon_id: int,
    repair_id: int,
    *,
    problems: list[str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    """A repair's page; `problems` when publishing it was refused."""
    language = request_language(request)
    context = presenters.repair_context(
        session,
        organiser=signed.organiser,
        salon_id=salon_id,
        repair_id=repair_id,
        language=language,
    )
    if problems is not None:
        context["problems"] = problems
    title = gettext(language, "Réparation %(num)s") % {"num": repair_id}
    return page(
        request,
        "organiser_repair_result.html",
        status=status,
        title=f"{title} — {context['salon'].name}",
        signed=signed,
        **context,
    )


@router.post("/salons/{salon_id}/repairs/{repair_id}/publish", response_class=HTMLResponse)
def publish_repair(
    salon_id: SalonId,
    repair_id: RepairId,
    request: Request,
    session: SessionDep,
    signed: SignedDep,
    settings: SettingsDep,
    form: FormDep,
) -> Response:
    """Publish the repaired schedule and mail the participants whose agenda changed."""
    check_csrf(form, signed.secret)
    language = request_language(request)
    try:
        rate_limits.limit_mail_route(request)  # 429 below, with Retry-After
        service.publish_repair(
            session,
            organiser=signed.organiser,
            salon_id=salon_id,
            repair_id=repair_id,
            settings=settings,
            submit=request.app.state.runner.submit,
            allowed=rate_limits.recipient_check(request),
        )
    except DomainError as error:
        if error.status == 404:
            raise
        session.rollback()
        answer = _repair_result(
            request,
            session,
            signed,
            salon_id,
            repair_id,
            problems=_domain_problems(error, language),
            status=error.status,
        )
        return rate_limits.retry_later(answer, error)
    return redirect(f"/o/salons/{salon_id}/repairs/{repair_id}", done="published")


@router.get("/salons/{salon_id}/repairs/{repair_id}/agendas.pdf")
def changed_agendas(
    salon_id: SalonId,
    repair_id: RepairId,
    request: Request,
    session: SessionDep,
    signed: SignedDep,
    settings: SettingsDep,
) -> Response:
    """The repaired agendas of the participants whose agenda changed, in one PDF to reprint."""
    repair = service.get_repair(
        session, organiser=signed.organiser, salon_id=salon_id, repair_id=repair_id
    )
    codes = [p.code for p in repair.participants]
    if not codes:
        raise PageError("Aucun agenda n'a changé : rien à réimprimer.", status=404)
    language = request_language(request)
    docs = organiser_documents(session, signed, salon_id, repair.version, language, settings, codes)
    agendas = docs.agendas(ids=[code for code in codes if code in docs.participants])
    session.rollback()  # no connection held while the PDF is laid out
    result = agendas_pdf(docs, agendas, workers=1 if len(agendas) <= SMALL_BATCH else None)
    name = f"agendas-modifies-v{repair.version}.pdf"
    return Response(
        result.pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
