"""The catalogue's HTML pages under /catalogue: server-rendered, usable without JavaScript,
French first (`?lang=en` switches and is remembered in a cookie).

Public: search with facets, event pages (JSON-LD Event), track pages (JSON-LD EventSeries).
Contributors: sign-in by magic link, their events, the event form, submit, withdraw.
Moderators: sign-in with an organiser API key (an organiser's session, api.organisers.sessions:
the cookie carries its random id, never the key), the queue, review and decisions.
Every POST of a signed-in person carries a form token bound to their session (CSRF).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from api import rate_limits, web
from api.catalogue import accounts, listings, presenters, service
from api.catalogue.errors import CatalogueError, invalid, problems_from_pydantic
from api.catalogue.forms import (
    field_id,
    fields_to_form,
    form_to_fields,
    problems_by_id,
    timing_rows,
)
from api.catalogue.geography import departements, regions
from api.catalogue.jsonld import event_jsonld, script_json, track_jsonld
from api.catalogue.schemas import EventCreate, EventUpdate
from api.catalogue.search import (
    LIST_FACETS,
    SearchQuery,
    SearchResult,
    count_matching,
    parse_search,
    search_events,
)
from api.catalogue.tables import Contributor, Edition, Event
from api.catalogue.vocabulary import (
    ACCESSIBILITY,
    ATTENDANCE_MODES,
    AUDIENCES,
    LIVE_STATUSES,
    N_,
    STATES,
    WHEN,
)
from api.catalogue.web import (
    SESSION_COOKIE,
    SignedModerator,
    base_url,
    clear_moderator_cookie,
    clear_session_cookie,
    contributor_session_token,
    optional_contributor,
    page_moderator,
    set_moderator_cookie,
    set_session_cookie,
)
from api.catalogue.workflow import (
    CONTRIBUTOR_ACTIONS,
    CONTRIBUTOR_EDITABLE_STATES,
    TRANSITIONS,
    Actor,
    check_known_action,
    submissions_open,
)
from api.db import SessionDep
from api.deps import MAX_LIMIT, EventId, SettingsDep, request_settings
from api.errors import DomainError, FieldProblem
from api.i18n import format_day, gettext, request_language
from api.organisers import sessions
from api.timestamps import to_paris, utc_now
from api.web import (
    FormDep,
    HtmlRoute,
    SignInRequiredError,
    check_csrf,
    csrf_token,
    first,
    redirect,
    url_with,
)

FACET_TITLES = {
    "day": N_("Date"),
    "region": N_("Région"),
    "departement": N_("Département"),
    "format": N_("Format"),
    "theme": N_("Thème"),
    "track": N_("Parcours"),
    "mode": N_("Modalité"),
    "audience": N_("Public"),
    "accessibility": N_("Accessibilité"),
}
FILTER_TITLES = {
    "q": N_("Mots-clés"),
    "edition": N_("Édition"),
    "date_from": N_("Du"),
    "date_to": N_("Au"),
    "when": N_("Période"),
    **FACET_TITLES,
}
AUDIT_ACTIONS = {
    "create": N_("Création"),
    "update": N_("Modification"),
    "submit": N_("Soumission"),
    "publish": N_("Publication"),
    "request_changes": N_("Demande de modifications"),
    "reject": N_("Refus"),
    "withdraw": N_("Retrait"),
    "load": N_("Chargement du fichier"),
    "duplicate": N_("Copie"),
}
NOTICES = {
    "saved": N_("L'événement est enregistré."),
    "submitted": N_("L'événement est soumis à la modération."),
    "withdrawn": N_("L'événement est retiré."),
    "duplicated": N_(
        "La copie est enregistrée comme brouillon : changez ses dates, son lieu ou son titre, "
        "puis soumettez-la."
    ),
    "published": N_("L'événement est publié."),
    "changes_requested": N_("Les modifications sont demandées au contributeur."),
    "rejected": N_("L'événement est refusé."),
    "signed_out": N_("Vous êtes déconnecté."),
}
MODERATION_DECISIONS = ("publish", "request_changes", "reject", "submit")


class CataloguePageRoute(HtmlRoute):
    """Catalogue pages: a refusal shows the catalogue's error page (its message and the input's
    problems); a request that does not validate is refused in the catalogue's words."""

    def error_page(self, request: Request, error: DomainError) -> Response:
        return error_page(request, error)

    def invalid_request(self, error: RequestValidationError) -> DomainError:
        return invalid(problems_from_pydantic(list(error.errors())), code="invalid_request")


router = APIRouter(prefix="/catalogue", route_class=CataloguePageRoute, include_in_schema=False)


# Rendering -----------------------------------------------------------------------------------


def page(request: Request, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    """Render templates/catalogue/<template> in the request's language (api.web), with the
    catalogue's labels and the notice of the last action (`?done=`)."""
    return web.page(
        request,
        f"catalogue/{template}",
        status=status,
        labels={
            "states": STATES,
            "statuses": LIVE_STATUSES,
            "modes": ATTENDANCE_MODES,
            "audiences": AUDIENCES,
            "accessibility": ACCESSIBILITY,
            "when": WHEN,
            "facets": FACET_TITLES,
            "actions": AUDIT_ACTIONS,
        },
        notice=NOTICES.get(request.query_params.get("done", "")),
        field_id=field_id,
        **context,
    )


def error_page(request: Request, error: DomainError) -> HTMLResponse:
    language = request_language(request)
    return page(
        request,
        "error.html",
        status=error.status,
        title=gettext(language, "Erreur"),
        message=error.render(language),
        problems=[p.render(language) for p in error.problems],
    )


# Public pages ----------------------------------------------------------------------------------


def query_of(request: Request) -> SearchQuery:
    """The search of the page's URL: the filters and the page number `page` (people's links)."""
    params = {key: request.query_params.getlist(key) for key in request.query_params}
    return parse_search(params, by_page=True)


@router.get("", response_class=HTMLResponse)
@router.get("/", response_class=HTMLResponse)
def search_page(request: Request, session: SessionDep) -> HTMLResponse:
    """Search form with facets (checkboxes with counts), results by date, pagination, exports."""
    language = request_language(request)
    query = query_of(request)
    result = search_events(session, query, language=language)
    editions = listings.editions(session)
    url = base_url(request)
    export_params = query.as_params(offset=0)
    return page(
        request,
        "search.html",
        title=gettext(language, "Catalogue des événements"),
        query=query,
        result=result,
        events=[presenters.event_read(e, url) for e in result.events],
        list_facets=LIST_FACETS,
        editions=editions,
        filters=active_filters(session, result, language, editions),
        page_url=lambda number: url_with(
            "/catalogue/", query.on_page(number).as_params(by_page=True)
        ),
        day_url=lambda day: url_with(
            "/catalogue/", query.as_params(offset=0, date_from=_date(day), date_to=_date(day))
        ),
        exports={
            "ics": url_with("/catalogue/api/export/events.ics", export_params),
            "csv": url_with("/catalogue/api/export/events.csv", export_params),
            "json": url_with("/catalogue/api/export/events.json", export_params),
            "atom": url_with("/catalogue/api/feed.atom", export_params),
        },
    )


def active_filters(
    session: Session, result: SearchResult, language: str, editions: Sequence[Edition]
) -> list[dict[str, Any]]:
    """The filters in use, each with its title, its value's label and a link removing it; when
    nothing matches, also how many events there would be without it."""
    labels = {
        facet: {item.value: item.label for item in items} for facet, items in result.facets.items()
    }
    titles = {edition.slug: edition.title for edition in editions}
    rows = []
    for name, value, without in result.query.filters():
        if name in ("date_from", "date_to"):
            label = format_day(_date(value), language)
        elif name == "when":
            label = gettext(language, WHEN.get(value, value))
        elif name == "edition":
            label = titles.get(value, value)
        else:
            label = labels.get(name, {}).get(value, value)
        rows.append(
            {
                "text": gettext(language, "{title} : {label}").format(
                    title=gettext(language, FILTER_TITLES[name]), label=label
                ),
                "url": url_with("/catalogue/", without.as_params()),
                "count": count_matching(session, without) if result.count == 0 else None,
            }
        )
    return rows


def _date(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


@router.get("/events/{event_id}", response_class=HTMLResponse)
def event_page(request: Request, session: SessionDep, event_id: EventId) -> HTMLResponse:
    """A published event, with its schema.org Event JSON-LD."""
    language = request_language(request)
    event = service.find_public_event(session, event_id=event_id)
    url = base_url(request)
    return page(
        request,
        "event.html",
        title=event.title,
        event=presenters.event_read(event, url),
        jsonld=script_json(event_jsonld(event, url, language=language)),
    )


@router.get("/guide", response_class=HTMLResponse)
def guide_page(request: Request, session: SessionDep) -> HTMLResponse:
    """What the catalogue holds: its editions, tracks and formats, each a way into the search."""
    language = request_language(request)
    url = base_url(request)
    tracks = [
        presenters.track_read(track, steps, url)
        for track, steps in listings.tracks_with_steps(session)
    ]
    formats = listings.formats(session)
    return page(
        request,
        "guide.html",
        title=gettext(language, "Éditions, parcours et formats"),
        editions=[presenters.edition_read(e) for e in listings.editions(session)],
        tracks=tracks,
        formats=[presenters.format_read(f) for f in formats],
        search_url=lambda name, value: url_with("/catalogue/", {name: value}),
    )


@router.get("/tracks/{slug}", response_class=HTMLResponse)
def track_page(request: Request, session: SessionDep, slug: str) -> HTMLResponse:
    """A track and its published steps in order, with its schema.org EventSeries JSON-LD."""
    language = request_language(request)
    track, steps = listings.track_with_steps(session, slug=slug)
    url = base_url(request)
    return page(
        request,
        "track.html",
        title=track.title,
        track=presenters.track_read(track, steps, url),
        jsonld=script_json(track_jsonld(track, steps, url, language=language)),
    )


# Contributors: sign-in ---------------------------------------------------------------------------


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> HTMLResponse:
    language = request_language(request)
    return page(request, "login.html", title=gettext(language, "Connexion"), email="", errors=[])


@router.post("/login", response_class=HTMLResponse)
def login_send(request: Request, session: SessionDep, form: FormDep) -> HTMLResponse:
    """Mail a magic link (an account is created for a new address). Over a rate limit (429
    with Retry-After, nothing created) or when the mail could not be sent, the form again with
    the reason."""
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


# Contributors: their events ----------------------------------------------------------------------


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


# Moderators --------------------------------------------------------------------------------------


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
