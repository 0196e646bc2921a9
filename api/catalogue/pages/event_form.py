"""The event form and an event's page, shared by contributors' and moderators' pages: what the
form shows (`FormState`), a refused save or workflow step shown again with its problems, the
event's history.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from api.catalogue import listings, presenters, service
from api.catalogue.errors import CatalogueError, problems_from_pydantic
from api.catalogue.forms import fields_to_form, problems_by_id, timing_rows
from api.catalogue.geography import departements, regions
from api.catalogue.pages.rendering import AUDIT_ACTIONS, page
from api.catalogue.schemas import EventUpdate
from api.catalogue.tables import Event
from api.catalogue.web import base_url
from api.catalogue.workflow import Actor
from api.errors import FieldProblem
from api.i18n import gettext, request_language
from api.timestamps import to_paris


def form_context(
    session: Session,
    *,
    values: Mapping[str, Any],
    problems: Sequence[FieldProblem],
    language: str,
    edition_id: int | None,
) -> dict[str, Any]:
    """What the event form template needs: values, problems by input id, choice lists."""
    return {
        "form": fields_to_form(values),
        "problems": problems_by_id(problems, language),
        "problem_list": [(p.field, p.render(language)) for p in problems],
        "formats": listings.formats(session),
        "tracks": listings.tracks(session, edition_id=edition_id),
        "departements": list(departements().values()),
        "regions": list(regions().values()),
    }


@dataclass(frozen=True)
class FormState:
    """What the event form shows: the values, the problems or refusal, how many timing rows."""

    values: Mapping[str, Any]
    status: int = 200
    problems: Sequence[FieldProblem] = ()
    message: str | None = None
    rows: int = 0


def refused_form(error: Exception, values: Mapping[str, Any], language: str) -> FormState:
    """The form shown again after a refused save: the problems by field, else the refusal."""
    problems = _problems_of(error)
    return FormState(
        values=values,
        status=422 if problems else getattr(error, "status", 422),
        problems=problems,
        message=error.render(language) if isinstance(error, CatalogueError) else None,
    )


def event_form_page(
    request: Request,
    session: Session,
    state: FormState,
    *,
    template: str = "event_form.html",
    event: Event | None = None,
    **context: Any,
) -> HTMLResponse:
    language = request_language(request)
    edition = event.edition if event else listings.latest_edition(session)
    form = form_context(
        session,
        values=state.values,
        problems=state.problems,
        language=language,
        edition_id=edition.id if edition else None,
    )
    form["form"] = fields_to_form(state.values, rows=state.rows)
    url = base_url(request)
    return page(
        request,
        template,
        status=state.status,
        message=state.message,
        event=presenters.event_read(event, url, with_moderation=True) if event else None,
        edition=presenters.edition_read(edition) if edition else None,
        **form,
        **context,
    )


def _problems_of(error: Exception) -> list[FieldProblem]:
    if isinstance(error, ValidationError):
        return problems_from_pydantic(error.errors())
    if isinstance(error, CatalogueError):
        return error.problems
    return []


def history_rows(session: Session, event: Event, language: str) -> list[dict[str, Any]]:
    rows = []
    for entry in listings.event_audit(session, event=event):
        rows.append(
            {
                "at": to_paris(entry.at),
                "actor": entry.actor_label,
                "action": gettext(language, AUDIT_ACTIONS.get(entry.action, entry.action)),
                "fields": ", ".join(sorted(entry.changes or {})),
                "note": entry.note,
            }
        )
    return rows


ShowEvent = Callable[[Event, FormState], HTMLResponse]


def with_timing_row(form: Mapping[str, Sequence[str]], values: Mapping[str, Any]) -> FormState:
    """The form shown again with one more timing row (the "add a timing" button)."""
    return FormState(values=values, rows=len(timing_rows(form)) + 1)


def save_or_show(
    request: Request,
    session: Session,
    actor: Actor,
    event_id: int,
    values: Mapping[str, Any],
    show: ShowEvent,
    *,
    only: Sequence[str] | None = None,
) -> HTMLResponse | None:
    """Save the posted fields (or `only` these); None when saved, else the form again with the
    problems."""
    try:
        data = EventUpdate.model_validate(
            {key: values[key] for key in only} if only is not None else values
        )
        service.update_event(session, actor=actor, event_id=event_id, data=data)
    except (ValidationError, CatalogueError) as error:
        session.rollback()
        event = service.find_event(session, actor=actor, event_id=event_id)
        return show(event, refused_form(error, values, request_language(request)))
    return None


def act_or_show(
    request: Request,
    session: Session,
    actor: Actor,
    event_id: int,
    action: str,
    message: str | None,
    show: ShowEvent,
) -> HTMLResponse | None:
    """Move the event through the workflow; None when done, else its page with the refusal."""
    try:
        service.transition(session, actor=actor, event_id=event_id, action=action, message=message)
    except CatalogueError as error:
        session.rollback()
        if error.status == 404:
            raise
        event = service.find_event(session, actor=actor, event_id=event_id)
        values = service.event_fields(event)
        return show(
            event,
            FormState(
                values=values, status=error.status, message=error.render(request_language(request))
            ),
        )
    return None
