"""Searching: one page of matching published events (by date) with its count and facets, the
count alone, every match for exports and feeds, and the export's size limit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.catalogue.errors import CatalogueError
from api.catalogue.search.facets import FacetCount, Labeller, labelled_facets
from api.catalogue.search.index import rows_of, search_index
from api.catalogue.search.matching import facet_counts, match
from api.catalogue.search.query import SearchQuery
from api.catalogue.tables import Event
from api.deps import page_count
from api.timestamps import utc_now

MAX_EXPORT = 20_000


def events_by_ids(session: Session, ids: Sequence[int]) -> list[Event]:
    """The events with these ids, in this order."""
    if not ids:
        return []
    found = {e.id: e for e in session.scalars(select(Event).where(Event.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


# Searching -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchResult:
    events: Sequence[Event]
    count: int
    facets: dict[str, list[FacetCount]]
    query: SearchQuery

    @property
    def pages(self) -> int:
        return page_count(self.count, self.query.limit)


def search_events(
    session: Session,
    query: SearchQuery,
    *,
    language: str = "fr",
    now: dt.datetime | None = None,
    with_facets: bool = True,
) -> SearchResult:
    """One page of matching published events (by date), their total count and the facets."""
    index = search_index(session)
    matching = match(session, index, query, now or utc_now())
    mask = matching.mask()
    mask = index.everything if mask is None else mask
    rows = rows_of(mask, skip=query.offset, limit=query.limit)
    facets: dict[str, list[FacetCount]] = {}
    if with_facets:
        counts = facet_counts(index, matching)
        facets = labelled_facets(counts, query, Labeller(session, language))
    events = events_by_ids(session, [index.ids[row] for row in rows])
    return SearchResult(events, mask.bit_count(), facets, query)


def count_matching(session: Session, query: SearchQuery, *, now: dt.datetime | None = None) -> int:
    """How many published events match (no page, no facets)."""
    index = search_index(session)
    mask = match(session, index, query, now or utc_now()).mask()
    return (index.everything if mask is None else mask).bit_count()


def all_matching_events(
    session: Session,
    query: SearchQuery,
    *,
    now: dt.datetime | None = None,
    order: str = "date",
    limit: int = MAX_EXPORT,
) -> list[Event]:
    """Every matching event (exports), by date, or newest publication first (feeds)."""
    index = search_index(session)
    mask = match(session, index, query, now or utc_now()).mask()
    rows = rows_of(index.everything if mask is None else mask)
    if order == "published":
        chosen = set(rows)
        rows = [row for row in index.by_publication if row in chosen]
    return events_by_ids(session, [index.ids[row] for row in rows[:limit]])


def check_export_size(count: int) -> None:
    if count > MAX_EXPORT:
        raise CatalogueError(
            "too_many_results",
            "Trop de résultats pour un export ({count}) : affinez la recherche.",
            status=422,
            count=count,
        )
