"""The contributors' pages: sign-in by magic link (a session token in the `catalogue_session`
cookie), their events, the event form, submit, duplicate, withdraw. Every form carries a token
bound to the session (CSRF).
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from api import rate_limits
from api.catalogue import accounts, listings, presenters, service
from api.catalogue.errors import CatalogueError
from api.catalogue.forms import form_to_fields
from api.catalogue.pages.event_form import (
    FormState,
    act_or_show,
    event_form_page,
    history_rows,
    refused_form,
    save_or_show,
    with_timing_row,
)
from api.catalogue.pages.rendering import CataloguePageRoute, error_page, page
from api.catalogue.schemas import EventCreate
from api.catalogue.tables import Contributor, Event
from api.catalogue.vocabulary import N_
from api.catalogue.web import (
    SESSION_COOKIE,
    base_url,
    clear_session_cookie,
    contributor_session_token,
    optional_contributor,
    set_session_cookie,
)
from api.catalogue.workflow import (
    CONTRIBUTOR_ACTIONS,
    CONTRIBUTOR_EDITABLE_STATES,
    Actor,
    check_known_action,
    submissions_open,
)
from api.db import SessionDep
from api.deps import EventId, request_settings
from api.errors import DomainError
from api.i18n import gettext, request_language
from api.timestamps import utc_now
from api.web import (
    FormDep,
    SignInRequiredError,
    check_csrf,
    check_same_origin,
    csrf_token,
    first,
    redirect,
)

router = APIRouter(prefix="/catalogue", route_class=CataloguePageRoute, include_in_schema=False)


# Sign-in ------------------------------------------------------------------------------------------


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> HTMLResponse:
    language = request_language(request)
    return page(request, "login.html", title=gettext(language, "Connexion"), email="", errors=[])


@router.post("/login", response_class=HTMLResponse)
def login_send(request: Request, session: SessionDep, form: FormDep) -> HTMLResponse:
    """Mail a magic link (an account is created for a new address). Over a rate limit (429
    with Retry-After, nothing created) or when the mail could not be sent, the form again with
    the reason."""
    check_same_origin(request)
    language = request_language(request)
    email = first(form, "email")
    try:
        rate_limits.limit_magic_link(request, email=accounts.normalise_email(email))
        accounts.send_magic_link(session, request_settings(request), email=email, language=language)
    except DomainError as error:
        answer = page(
            request,
            "login.html",
            status=error.status,
            title=gettext(language, "Connexion"),
            email=email,
            errors=[p.render(language) for p in error.problems] or [error.render(language)],
        )
        if isinstance(error, rate_limits.RateLimitedError):
            rate_limits.retry_later(answer, error)
        return answer
    return page(request, "login_sent.html", title=gettext(language, "Lien envoyé"), email=email)


@router.get("/login/{token}", response_class=HTMLResponse)
def login_confirm(request: Request, token: str) -> HTMLResponse:
    """A button that uses the link (mail scanners that follow links do not consume it)."""
    language = request_language(request)
    return page(request, "login_confirm.html", title=gettext(language, "Connexion"), token=token)


@router.post("/login/{token}")
def login_open(request: Request, session: SessionDep, token: str) -> Response:
    check_same_origin(request)
    try:
        rate_limits.check_sign_in(request)
    except rate_limits.RateLimitedError as refused:
        return rate_limits.retry_later(error_page(request, refused), refused)
    try:
        _contributor, session_token = accounts.open_session(session, token=token)
    except CatalogueError:
        rate_limits.count_failed_sign_in(request, session)
        raise
    response = redirect("/catalogue/my")
    set_session_cookie(response, request, session_token)
    return response


@router.post("/logout")
def logout(request: Request, session: SessionDep, form: FormDep) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        check_csrf(form, token)
        accounts.close_session(session, token=token)
    response = redirect("/catalogue/", done="signed_out")
    clear_session_cookie(response, request)
    return response


# Their events -------------------------------------------------------------------------------------


def signed_in(
    request: Request,
    contributor: Annotated[Contributor | None, Depends(optional_contributor)],
) -> tuple[Contributor, str]:
    """The contributor and their session token, else a redirect to the sign-in page."""
    token = contributor_session_token(request)
    if contributor is None or not token:
        raise SignInRequiredError("/catalogue/login")
    return contributor, token


SignedInDep = Annotated[tuple[Contributor, str], Depends(signed_in)]


@router.get("/my", response_class=HTMLResponse)
def my_events_page(request: Request, session: SessionDep, who: SignedInDep) -> HTMLResponse:
    language = request_language(request)
    contributor, token = who
    events = listings.contributor_events(session, contributor_id=contributor.id)
    edition = listings.latest_edition(session)
    return page(
        request,
        "my_events.html",
        title=gettext(language, "Mes événements"),
        contributor=contributor,
        csrf=csrf_token(token),
        events=[presenters.event_read(e, base_url(request), with_moderation=True) for e in events],
        edition=presenters.edition_read(edition) if edition else None,
    )


@router.get("/my/events/new", response_class=HTMLResponse)
def new_event_page(request: Request, session: SessionDep, who: SignedInDep) -> HTMLResponse:
    language = request_language(request)
    contributor, token = who
    values: dict[str, Any] = {"organizer": {"structure": contributor.structure}}
    edition = listings.latest_edition(session)
    closed = None
    if edition is not None and not submissions_open(edition, utc_now()):
        closed = CatalogueError("deadline_passed", REFUSALS["deadline_passed"], status=409).render(
            language
        )
    return event_form_page(
        request,
        session,
        FormState(values=values, message=closed),
        title=gettext(language, "Nouvel événement"),
        action="/catalogue/my/events/new",
        csrf=csrf_token(token),
        scope="contributor",
    )


@router.post("/my/events/new", response_class=HTMLResponse)
def create_event_page(
    request: Request, session: SessionDep, who: SignedInDep, form: FormDep
) -> Response:
    language = request_language(request)
    contributor, token = who
    check_csrf(form, token)
    values = form_to_fields(form)
    context: dict[str, Any] = {
        "title": gettext(language, "Nouvel événement"),
        "action": "/catalogue/my/events/new",
        "csrf": csrf_token(token),
        "scope": "contributor",
    }
    if "add_timing" in form:
        return event_form_page(request, session, with_timing_row(form, values), **context)
    actor = accounts.contributor_actor(contributor)
    try:
        event = service.create_event(session, actor=actor, data=EventCreate.model_validate(values))
    except (ValidationError, CatalogueError) as error:
        session.rollback()
        return event_form_page(request, session, refused_form(error, values, language), **context)
    if "and_submit" in form:
        return submit_or_show(request, session, actor, event)
    return redirect(f"/catalogue/my/events/{event.id}", done="saved")


def submit_or_show(request: Request, session: Session, actor: Actor, event: Event) -> Response:
    """Submit after saving; a refusal (deadline) is shown on the event's page."""
    try:
        service.transition(session, actor=actor, event_id=event.id, action="submit")
    except CatalogueError as error:
        session.rollback()
        return redirect(f"/catalogue/my/events/{event.id}", refused=error.code)
    return redirect(f"/catalogue/my/events/{event.id}", done="submitted")


REFUSALS = {
    "deadline_passed": N_(
        "La date limite de dépôt est passée : l'événement est enregistré mais ne peut plus être "
        "soumis. Contactez l'équipe d'organisation si besoin."
    ),
}


@router.get("/my/events/{event_id}", response_class=HTMLResponse)
def my_event_page(
    request: Request, session: SessionDep, who: SignedInDep, event_id: EventId
) -> HTMLResponse:
    language = request_language(request)
    contributor, token = who
    actor = accounts.contributor_actor(contributor)
    event = service.find_event(session, actor=actor, event_id=event_id)
    refusal = REFUSALS.get(request.query_params.get("refused", ""))
    return contributor_event_page(
        request,
        session,
        token,
        event,
        FormState(
            values=service.event_fields(event),
            message=gettext(language, refusal) if refusal else None,
        ),
    )


def contributor_event_page(
    request: Request, session: Session, token: str, event: Event, state: FormState
) -> HTMLResponse:
    language = request_language(request)
    return event_form_page(
        request,
        session,
        state,
        template="my_event.html",
        event=event,
        title=event.title,
        action=f"/catalogue/my/events/{event.id}",
        csrf=csrf_token(token),
        scope="contributor",
        editable=event.state in CONTRIBUTOR_EDITABLE_STATES,
        status_only=event.state == "published",
        can_submit=event.state in ("draft", "changes_requested"),
        can_withdraw=event.state in ("draft", "submitted", "changes_requested", "published"),
        submissions_open=submissions_open(event.edition, utc_now()),
        history=history_rows(session, event, language),
    )


@router.post("/my/events/{event_id}", response_class=HTMLResponse)
def update_event_page(
    request: Request, session: SessionDep, who: SignedInDep, event_id: EventId, form: FormDep
) -> Response:
    contributor, token = who
    check_csrf(form, token)
    actor = accounts.contributor_actor(contributor)
    event = service.find_event(session, actor=actor, event_id=event_id)
    status_only = "status_only" in form
    values = (
        {**service.event_fields(event), "status": first(form, "status", "scheduled")}
        if status_only
        else form_to_fields(form)
    )
    show = partial(contributor_event_page, request, session, token)
    if "add_timing" in form:
        return show(event, with_timing_row(form, values))
    refused = save_or_show(
        request,
        session,
        actor,
        event_id,
        values,
        show,
        only=("status",) if status_only else None,
    )
    if refused is not None:
        return refused
    if "and_submit" in form:
        return submit_or_show(request, session, actor, event)
    return redirect(f"/catalogue/my/events/{event.id}", done="saved")


@router.post("/my/events/{event_id}/duplicate")
def duplicate_event_page(
    request: Request, session: SessionDep, who: SignedInDep, event_id: EventId, form: FormDep
) -> Response:
    """A new draft copying this event, opened for editing (a refusal is shown on the event)."""
    contributor, token = who
    check_csrf(form, token)
    actor = accounts.contributor_actor(contributor)
    try:
        copy = service.duplicate_event(session, actor=actor, event_id=event_id)
    except CatalogueError as error:
        session.rollback()
        if error.status == 404:
            raise
        event = service.find_event(session, actor=actor, event_id=event_id)
        state = refused_form(error, service.event_fields(event), request_language(request))
        return contributor_event_page(request, session, token, event, state)
    return redirect(f"/catalogue/my/events/{copy.id}", done="duplicated")


@router.post("/my/events/{event_id}/{action}")
def act_on_event_page(
    request: Request,
    session: SessionDep,
    who: SignedInDep,
    event_id: EventId,
    action: str,
    form: FormDep,
) -> Response:
    """Submit or withdraw (a refusal, e.g. after the deadline, is shown on the event's page)."""
    contributor, token = who
    check_csrf(form, token)
    check_known_action(action, CONTRIBUTOR_ACTIONS)
    actor = accounts.contributor_actor(contributor)
    show = partial(contributor_event_page, request, session, token)
    refused = act_or_show(request, session, actor, event_id, action, None, show)
    if refused is not None:
        return refused
    done = "submitted" if action == "submit" else "withdrawn"
    return redirect(f"/catalogue/my/events/{event_id}", done=done)
