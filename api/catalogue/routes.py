"""The catalogue's JSON API under /catalogue/api (thin: parse, call the service, present).

Public: search with facets, events, tracks, formats, editions, geography, exports and feed.
Contributors (magic link session): their events, submit, withdraw. Moderators (organisers,
API key): queue, decisions, editing any event, editions, formats and tracks.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status
from sqlalchemy.orm import Session

from api import rate_limits
from api.catalogue import accounts, exports, listings, presenters, service
from api.catalogue.errors import CatalogueError, invalid
from api.catalogue.geography import departements, regions
from api.catalogue.schemas import (
    AuditRead,
    ContributorRead,
    EditionCreate,
    EditionRead,
    EditionUpdate,
    EventCreate,
    EventRead,
    EventUpdate,
    FacetValue,
    FormatCreate,
    FormatRead,
    FormatUpdate,
    MagicLinkRequest,
    ModerationMessage,
    Page,
    SearchRead,
    SessionCreate,
    SessionRead,
    TrackCreate,
    TrackRead,
    TrackUpdate,
)
from api.catalogue.search import (
    MAX_EXPORT,
    SEARCH_LIMIT,
    SearchQuery,
    all_matching_events,
    check_export_size,
    page_number_problems,
    parse_search,
    search_events,
)
from api.catalogue.tables import Event
from api.catalogue.web import (
    CatalogueRoute,
    ContributorActorDep,
    ContributorDep,
    ModeratorDep,
    base_url,
    clear_session_cookie,
    contributor_session_token,
    set_session_cookie,
)
from api.catalogue.workflow import CONTRIBUTOR_ACTIONS, Actor, check_known_action
from api.db import SessionDep
from api.deps import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    EventId,
    LanguageDep,
    Limit,
    Offset,
    SettingsDep,
)
from api.i18n import gettext

router = APIRouter(prefix="/catalogue/api", tags=["catalogue"], route_class=CatalogueRoute)

SEARCH_PARAMETERS = (
    "Search parameters (all optional, lists repeat the parameter or use commas): q, edition, "
    "date_from, date_to (YYYY-MM-DD, Paris days), when (upcoming|ongoing|past), region, "
    "departement, format, theme, track, mode (on_site|online|mixed), audience, accessibility, "
    f"offset (default 0), limit (1 to {MAX_LIMIT}, default {SEARCH_LIMIT})."
)


def search_query(request: Request) -> SearchQuery:
    """The search parameters of the URL (422 naming the bad one)."""
    params = {key: request.query_params.getlist(key) for key in request.query_params}
    return parse_search(params)


SearchDep = Annotated[SearchQuery, Depends(search_query)]


def no_page_numbers(request: Request) -> None:
    """Lists page with `offset` and `limit`: `page` and `per_page` are refused, not ignored."""
    problems = page_number_problems(request.query_params)
    if problems:
        raise invalid(problems, code="invalid_request")


# Public ------------------------------------------------------------------------------------


@router.get("/events", response_model=SearchRead, description=SEARCH_PARAMETERS)
def search(
    request: Request, session: SessionDep, query: SearchDep, language: LanguageDep
) -> SearchRead:
    """Published events matching the search, by date, with facet counts."""
    result = search_events(session, query, language=language)
    url = base_url(request)
    return SearchRead(
        data=[presenters.event_read(event, url) for event in result.events],
        count=result.count,
        facets={
            name: [FacetValue(**vars(value)) for value in values]
            for name, values in result.facets.items()
        },
    )


@router.get("/events/{event_id}", response_model=EventRead)
def public_event(request: Request, session: SessionDep, event_id: EventId) -> EventRead:
    """A published event."""
    event = service.find_public_event(session, event_id=event_id)
    return presenters.event_read(event, base_url(request))


@router.get("/tracks", response_model=Page[TrackRead])
def tracks(request: Request, session: SessionDep, edition: str | None = None) -> Page[TrackRead]:
    """Tracks ("parcours") with their published steps in order."""
    url = base_url(request)
    data = [
        presenters.track_read(track, steps, url)
        for track, steps in listings.tracks_with_steps(session, edition=edition)
    ]
    return Page[TrackRead](data=data, count=len(data))


@router.get("/tracks/{slug}", response_model=TrackRead)
def track(request: Request, session: SessionDep, slug: str) -> TrackRead:
    found, steps = listings.track_with_steps(session, slug=slug)
    return presenters.track_read(found, steps, base_url(request))


@router.get("/formats", response_model=Page[FormatRead])
def formats(session: SessionDep, include_inactive: bool = False) -> Page[FormatRead]:
    """The list of formats (active ones unless include_inactive)."""
    data = [
        presenters.format_read(f)
        for f in listings.formats(session, include_inactive=include_inactive)
    ]
    return Page[FormatRead](data=data, count=len(data))


@router.get("/editions", response_model=Page[EditionRead])
def editions(session: SessionDep) -> Page[EditionRead]:
    data = [presenters.edition_read(e) for e in listings.editions(session)]
    return Page[EditionRead](data=data, count=len(data))


@router.get("/geography")
def geography() -> dict[str, object]:
    """The official régions (18) and départements (101), INSEE codes."""
    return {
        "regions": [{"code": r.code, "name": r.name} for r in regions().values()],
        "departements": [
            {"code": d.code, "name": d.name, "region": d.region_code}
            for d in departements().values()
        ],
    }


# Exports -----------------------------------------------------------------------------------


def export_events(session: Session, query: SearchQuery) -> list[Event]:
    """Every matching event, unless there are more than an export may hold."""
    events = all_matching_events(session, query, limit=MAX_EXPORT + 1)
    check_export_size(len(events))
    return events


@router.get("/export/events.ics", response_class=Response, description=SEARCH_PARAMETERS)
def export_ics(
    request: Request, session: SessionDep, query: SearchDep, language: LanguageDep
) -> Response:
    """The search as an iCalendar feed (one VEVENT per occurrence)."""
    title = gettext(language, "Catalogue des événements")
    body = exports.calendar_export(export_events(session, query), base_url(request), title=title)
    return Response(body, media_type="text/calendar; charset=utf-8")


@router.get("/export/events.csv", response_class=Response, description=SEARCH_PARAMETERS)
def export_csv(
    request: Request, session: SessionDep, query: SearchDep, language: LanguageDep
) -> Response:
    """The search as CSV (UTF-8 with BOM, one row per event)."""
    body = exports.csv_export(export_events(session, query), base_url(request), language=language)
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="catalogue.csv"'},
    )


@router.get("/export/events.json", response_class=Response, description=SEARCH_PARAMETERS)
def export_json(request: Request, session: SessionDep, query: SearchDep) -> Response:
    """The search as JSON: {data: [EventRead], count}, every matching event."""
    body = exports.json_export(export_events(session, query), base_url(request))
    return Response(body, media_type="application/json")


@router.get("/feed.atom", response_class=Response, description=SEARCH_PARAMETERS)
def feed(
    request: Request, session: SessionDep, query: SearchDep, language: LanguageDep
) -> Response:
    """An Atom feed of the 50 most recently published events matching the search."""
    events = all_matching_events(session, query, order="published", limit=50)
    title = gettext(language, "Nouveaux événements du catalogue")
    body = exports.atom_feed(
        events, base_url(request), title=title, self_url=str(request.url), language=language
    )
    return Response(body, media_type="application/atom+xml; charset=utf-8")


# Contributors: sign-in ------------------------------------------------------------------------


@router.post("/auth/magic-link", status_code=status.HTTP_202_ACCEPTED)
def magic_link(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    language: LanguageDep,
    body: MagicLinkRequest,
) -> dict[str, str]:
    """Mail a sign-in link to this address (an account is created for a new address).

    429 with Retry-After over the limits per client address and per e-mail address (nothing
    is created then); 503 `mail_not_sent` when the mail could not be sent."""
    rate_limits.limit_magic_link(request, email=accounts.normalise_email(body.email))
    accounts.send_magic_link(session, settings, email=body.email, language=language)
    return {"message": gettext(language, "Un lien de connexion vous a été envoyé par e-mail.")}


@router.post("/auth/session", response_model=SessionRead)
def open_session(
    request: Request, session: SessionDep, body: SessionCreate, response: Response
) -> SessionRead:
    """Exchange a magic-link token for a session token (also set as a cookie); 429 with
    Retry-After after too many failures from one client address."""
    rate_limits.check_sign_in(request)
    try:
        contributor, token = accounts.open_session(session, token=body.token)
    except CatalogueError:
        rate_limits.count_failed_sign_in(request, session)
        raise
    set_session_cookie(response, request, token)
    return SessionRead(session_token=token, contributor=presenters.contributor_read(contributor))


@router.delete("/auth/session", status_code=status.HTTP_204_NO_CONTENT)
def close_session(request: Request, session: SessionDep, _contributor: ContributorDep) -> Response:
    token = contributor_session_token(request)
    if token:
        accounts.close_session(session, token=token)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    clear_session_cookie(response, request)
    return response


@router.get("/me", response_model=ContributorRead)
def me(contributor: ContributorDep) -> ContributorRead:
    return presenters.contributor_read(contributor)


# Contributors: their events ------------------------------------------------------------------


def editor_read(request: Request, event: Event) -> EventRead:
    """The event as its contributor and the moderators see it (with the moderation message)."""
    return presenters.event_read(event, base_url(request), with_moderation=True)


def history_read(session: Session, actor: Actor, event_id: int) -> Page[AuditRead]:
    """The event's audit trail, oldest first."""
    entries = service.event_history(session, actor=actor, event_id=event_id)
    return Page[AuditRead](data=[presenters.audit_read(e) for e in entries], count=len(entries))


@router.get("/me/events", response_model=Page[EventRead])
def my_events(
    request: Request, session: SessionDep, contributor: ContributorDep
) -> Page[EventRead]:
    """The contributor's events in every state (with the moderators' messages)."""
    events = listings.contributor_events(session, contributor_id=contributor.id)
    url = base_url(request)
    data = [presenters.event_read(e, url, with_moderation=True) for e in events]
    return Page[EventRead](data=data, count=len(data))


@router.post("/me/events", response_model=EventRead, status_code=status.HTTP_201_CREATED)
def create_my_event(
    request: Request, session: SessionDep, actor: ContributorActorDep, body: EventCreate
) -> EventRead:
    """A new draft (refused after the edition's submission deadline)."""
    event = service.create_event(session, actor=actor, data=body)
    return editor_read(request, event)


@router.get("/me/events/{event_id}", response_model=EventRead)
def my_event(
    request: Request, session: SessionDep, actor: ContributorActorDep, event_id: EventId
) -> EventRead:
    event = service.find_event(session, actor=actor, event_id=event_id)
    return editor_read(request, event)


@router.patch("/me/events/{event_id}", response_model=EventRead)
def update_my_event(
    request: Request,
    session: SessionDep,
    actor: ContributorActorDep,
    event_id: EventId,
    body: EventUpdate,
) -> EventRead:
    """Change a draft or an event under moderation; on a published event, only its status."""
    event = service.update_event(session, actor=actor, event_id=event_id, data=body)
    return editor_read(request, event)


@router.post(
    "/me/events/{event_id}/duplicate", response_model=EventRead, status_code=status.HTTP_201_CREATED
)
def duplicate_my_event(
    request: Request, session: SessionDep, actor: ContributorActorDep, event_id: EventId
) -> EventRead:
    """A new draft copying one of the contributor's events (before the deadline), to give it
    other dates or another place; the copy is titled "… (copie)" and is in no track."""
    event = service.duplicate_event(session, actor=actor, event_id=event_id)
    return editor_read(request, event)


@router.post("/me/events/{event_id}/{action}", response_model=EventRead)
def act_on_my_event(
    request: Request,
    session: SessionDep,
    actor: ContributorActorDep,
    event_id: EventId,
    action: str,
) -> EventRead:
    """`submit` (before the deadline, or after changes were requested) or `withdraw`."""
    check_known_action(action, CONTRIBUTOR_ACTIONS)
    event = service.transition(session, actor=actor, event_id=event_id, action=action)
    return editor_read(request, event)


@router.get("/me/events/{event_id}/history", response_model=Page[AuditRead])
def my_event_history(
    session: SessionDep, actor: ContributorActorDep, event_id: EventId
) -> Page[AuditRead]:
    return history_read(session, actor, event_id)


# Moderators ------------------------------------------------------------------------------------

MODERATION_ACTIONS = {
    "submit": "submit",
    "publish": "publish",
    "request-changes": "request_changes",
    "reject": "reject",
}


@router.get(
    "/moderation/queue", response_model=Page[EventRead], dependencies=[Depends(no_page_numbers)]
)
def moderation_queue(
    request: Request,
    session: SessionDep,
    _moderator: ModeratorDep,
    state: str = "submitted",
    edition: str | None = None,
    offset: Offset = 0,
    limit: Limit = DEFAULT_LIMIT,
) -> Page[EventRead]:
    """Events waiting for a decision (state=submitted by default; comma-separated states)."""
    states = [s.strip() for s in state.split(",") if s.strip()]
    events, count = listings.moderation_queue(
        session, states=states, edition=edition, offset=offset, limit=limit
    )
    url = base_url(request)
    return Page[EventRead](
        data=[presenters.event_read(e, url, with_moderation=True) for e in events], count=count
    )


@router.post("/moderation/events", response_model=EventRead, status_code=201)
def moderator_create_event(
    request: Request, session: SessionDep, moderator: ModeratorDep, body: EventCreate
) -> EventRead:
    """A new draft by a moderator (allowed after the deadline)."""
    event = service.create_event(session, actor=moderator, data=body)
    return editor_read(request, event)


@router.get("/moderation/events/{event_id}", response_model=EventRead)
def moderator_event(
    request: Request, session: SessionDep, moderator: ModeratorDep, event_id: EventId
) -> EventRead:
    event = service.find_event(session, actor=moderator, event_id=event_id)
    return editor_read(request, event)


@router.patch("/moderation/events/{event_id}", response_model=EventRead)
def moderator_update_event(
    request: Request,
    session: SessionDep,
    moderator: ModeratorDep,
    event_id: EventId,
    body: EventUpdate,
) -> EventRead:
    event = service.update_event(session, actor=moderator, event_id=event_id, data=body)
    return editor_read(request, event)


@router.post("/moderation/events/{event_id}/{action}", response_model=EventRead)
def moderate(
    request: Request,
    session: SessionDep,
    moderator: ModeratorDep,
    event_id: EventId,
    action: str,
    body: ModerationMessage | None = None,
) -> EventRead:
    """`submit`, `publish`, `request-changes` or `reject` (the last two need a message)."""
    check_known_action(action, MODERATION_ACTIONS)
    event = service.transition(
        session,
        actor=moderator,
        event_id=event_id,
        action=MODERATION_ACTIONS[action],
        message=body.message if body else None,
    )
    return editor_read(request, event)


@router.get("/moderation/events/{event_id}/history", response_model=Page[AuditRead])
def moderator_event_history(
    session: SessionDep, moderator: ModeratorDep, event_id: EventId
) -> Page[AuditRead]:
    return history_read(session, moderator, event_id)


@router.get("/moderation/stats")
def moderation_stats(
    session: SessionDep, _moderator: ModeratorDep, edition: str | None = None
) -> dict[str, object]:
    """How many events are in each state."""
    return {"states": listings.state_counts(session, edition=edition)}


@router.post("/moderation/editions", response_model=EditionRead, status_code=201)
def create_edition(
    session: SessionDep, moderator: ModeratorDep, body: EditionCreate
) -> EditionRead:
    return presenters.edition_read(service.create_edition(session, actor=moderator, data=body))


@router.patch("/moderation/editions/{slug}", response_model=EditionRead)
def update_edition(
    session: SessionDep, moderator: ModeratorDep, slug: str, body: EditionUpdate
) -> EditionRead:
    edition = service.update_edition(session, actor=moderator, slug=slug, data=body)
    return presenters.edition_read(edition)


@router.post("/moderation/formats", response_model=FormatRead, status_code=201)
def create_format(session: SessionDep, moderator: ModeratorDep, body: FormatCreate) -> FormatRead:
    return presenters.format_read(service.create_format(session, actor=moderator, data=body))


@router.patch("/moderation/formats/{slug}", response_model=FormatRead)
def update_format(
    session: SessionDep, moderator: ModeratorDep, slug: str, body: FormatUpdate
) -> FormatRead:
    event_format = service.update_format(session, actor=moderator, slug=slug, data=body)
    return presenters.format_read(event_format)


@router.post("/moderation/tracks", response_model=TrackRead, status_code=201)
def create_track(
    request: Request, session: SessionDep, moderator: ModeratorDep, body: TrackCreate
) -> TrackRead:
    created = service.create_track(session, actor=moderator, data=body)
    return presenters.track_read(created, [], base_url(request))


@router.patch("/moderation/tracks/{slug}", response_model=TrackRead)
def update_track(
    request: Request, session: SessionDep, moderator: ModeratorDep, slug: str, body: TrackUpdate
) -> TrackRead:
    updated = service.update_track(session, actor=moderator, slug=slug, data=body)
    steps = listings.published_steps(session, track=updated)
    return presenters.track_read(updated, steps, base_url(request))
