"""The moderation pages: sign-in with an organiser's API key (moderators are organisers), which
opens an organiser's session (api.organisers.sessions: the `catalogue_moderator` cookie carries
its random id, never the key); the queue, an event's review, its edits and the decisions. Every
form carries a token bound to the session (CSRF).
"""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from api import rate_limits
from api.catalogue import listings, presenters, service
from api.catalogue.forms import form_to_fields
from api.catalogue.pages.event_form import (
    FormState,
    act_or_show,
    event_form_page,
    history_rows,
    save_or_show,
    with_timing_row,
)
from api.catalogue.pages.rendering import CataloguePageRoute, page
from api.catalogue.tables import Event
from api.catalogue.vocabulary import STATES
from api.catalogue.web import (
    SignedModerator,
    base_url,
    clear_moderator_cookie,
    page_moderator,
    set_moderator_cookie,
)
from api.catalogue.workflow import TRANSITIONS, check_known_action
from api.db import SessionDep
from api.deps import MAX_LIMIT, EventId, SettingsDep
from api.i18n import gettext, request_language
from api.organisers import sessions
from api.web import (
    FormDep,
    SignInRequiredError,
    check_csrf,
    check_same_origin,
    first,
    redirect,
)

MODERATION_DECISIONS = ("publish", "request_changes", "reject", "submit")

router = APIRouter(prefix="/catalogue", route_class=CataloguePageRoute, include_in_schema=False)


def moderator_signed_in(
    moderator: Annotated[SignedModerator | None, Depends(page_moderator)],
) -> SignedModerator:
    """The signed-in moderator, else a redirect to the moderation's sign-in page."""
    if moderator is None:
        raise SignInRequiredError("/catalogue/moderation/login")
    return moderator


ModeratorSignedInDep = Annotated[SignedModerator, Depends(moderator_signed_in)]


@router.get("/moderation/login", response_class=HTMLResponse)
def moderation_login_page(request: Request) -> HTMLResponse:
    language = request_language(request)
    return page(request, "moderation_login.html", title=gettext(language, "Modération"), errors=[])


@router.post("/moderation/login", response_class=HTMLResponse)
def moderation_login(
    request: Request, session: SessionDep, settings: SettingsDep, form: FormDep
) -> Response:
    """Sign in with an organiser's API key: opens an organiser's session (its random id in the
    cookie, never the key)."""
    check_same_origin(request)
    language = request_language(request)
    key = first(form, "api_key").strip()
    try:
        rate_limits.check_sign_in(request)
    except rate_limits.RateLimitedError as refused:
        answer = page(
            request,
            "moderation_login.html",
            status=429,
            title=gettext(language, "Modération"),
            errors=[refused.render(language)],
        )
        return rate_limits.retry_later(answer, refused)
    lifetime = settings.organiser_session_max_seconds
    opened = sessions.open_session(session, key=key, lifetime_seconds=lifetime) if key else None
    if opened is None:
        rate_limits.count_failed_sign_in(request, session)
        return page(
            request,
            "moderation_login.html",
            status=401,
            title=gettext(language, "Modération"),
            errors=[gettext(language, "Clé d'API inconnue ou révoquée.")],
        )
    response = redirect("/catalogue/moderation")
    set_moderator_cookie(response, request, opened, lifetime)
    return response


@router.post("/moderation/logout")
def moderation_logout(
    request: Request, session: SessionDep, who: ModeratorSignedInDep, form: FormDep
) -> Response:
    """End the session: revoked in the database (the old cookie is refused), cookie deleted."""
    check_csrf(form, who.secret)
    sessions.close_session(session, token=who.secret)
    response = redirect("/catalogue/", done="signed_out")
    clear_moderator_cookie(response, request)
    return response


@router.get("/moderation", response_class=HTMLResponse)
def moderation_queue_page(
    request: Request, session: SessionDep, who: ModeratorSignedInDep
) -> HTMLResponse:
    """The queue: events in one state (submitted first), oldest submission first."""
    language = request_language(request)
    state = request.query_params.get("state", "submitted")
    if state not in STATES:
        state = "submitted"
    events, count = listings.moderation_queue(
        session, states=[state], edition=None, offset=0, limit=MAX_LIMIT
    )
    return page(
        request,
        "moderation_queue.html",
        title=gettext(language, "Modération"),
        moderator=who.actor,
        csrf=who.csrf,
        state=state,
        counts=listings.state_counts(session),
        count=count,
        events=[presenters.event_read(e, base_url(request), with_moderation=True) for e in events],
    )


def moderation_event_page(
    request: Request, session: Session, who: SignedModerator, event: Event, state: FormState
) -> HTMLResponse:
    language = request_language(request)
    return event_form_page(
        request,
        session,
        state,
        template="moderation_event.html",
        event=event,
        title=event.title,
        action=f"/catalogue/moderation/events/{event.id}",
        csrf=who.csrf,
        scope="moderator",
        moderator=who.actor,
        contributor=event.contributor,
        decisions=[d for d in MODERATION_DECISIONS if event.state in _sources(d)],
        history=history_rows(session, event, language),
    )


def _sources(action: str) -> tuple[str, ...]:
    return TRANSITIONS[action].sources


@router.get("/moderation/events/{event_id}", response_class=HTMLResponse)
def moderation_event(
    request: Request, session: SessionDep, who: ModeratorSignedInDep, event_id: EventId
) -> HTMLResponse:
    event = service.find_event(session, actor=who.actor, event_id=event_id)
    return moderation_event_page(
        request, session, who, event, FormState(values=service.event_fields(event))
    )


@router.post("/moderation/events/{event_id}", response_class=HTMLResponse)
def moderation_update(
    request: Request,
    session: SessionDep,
    who: ModeratorSignedInDep,
    event_id: EventId,
    form: FormDep,
) -> Response:
    check_csrf(form, who.secret)
    event = service.find_event(session, actor=who.actor, event_id=event_id)
    values = form_to_fields(form)
    show = partial(moderation_event_page, request, session, who)
    if "add_timing" in form:
        return show(event, with_timing_row(form, values))
    refused = save_or_show(request, session, who.actor, event_id, values, show)
    if refused is not None:
        return refused
    return redirect(f"/catalogue/moderation/events/{event.id}", done="saved")


@router.post("/moderation/events/{event_id}/decision", response_class=HTMLResponse)
def moderation_decision(
    request: Request,
    session: SessionDep,
    who: ModeratorSignedInDep,
    event_id: EventId,
    form: FormDep,
) -> Response:
    """Publish, ask for changes (message), reject (reason) or submit on behalf."""
    check_csrf(form, who.secret)
    action = first(form, "decision")
    check_known_action(action, MODERATION_DECISIONS)
    message = first(form, "message")
    show = partial(moderation_event_page, request, session, who)
    refused = act_or_show(request, session, who.actor, event_id, action, message, show)
    if refused is not None:
        return refused
    done = {
        "publish": "published",
        "request_changes": "changes_requested",
        "reject": "rejected",
        "submit": "submitted",
    }[action]
    return redirect("/catalogue/moderation", done=done)
