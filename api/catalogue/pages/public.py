"""The catalogue's public pages, for everyone: the search with its facets, an event (JSON-LD
Event), a track (JSON-LD EventSeries) and the guide to the editions, tracks and formats.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from api.catalogue import listings, presenters, service
from api.catalogue.jsonld import event_jsonld, script_json, track_jsonld
from api.catalogue.pages.rendering import FACET_TITLES, CataloguePageRoute, page
from api.catalogue.search import (
    LIST_FACETS,
    SearchQuery,
    SearchResult,
    count_matching,
    parse_search,
    search_events,
)
from api.catalogue.tables import Edition
from api.catalogue.vocabulary import N_, WHEN
from api.catalogue.web import base_url
from api.db import SessionDep
from api.deps import EventId
from api.i18n import format_day, gettext, request_language
from api.web import url_with

FILTER_TITLES = {
    "q": N_("Mots-clés"),
    "edition": N_("Édition"),
    "date_from": N_("Du"),
    "date_to": N_("Au"),
    "when": N_("Période"),
    **FACET_TITLES,
}

router = APIRouter(prefix="/catalogue", route_class=CataloguePageRoute, include_in_schema=False)


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
