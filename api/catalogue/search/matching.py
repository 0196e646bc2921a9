"""A query's filters as bitsets of the index (AND between facets, OR within one) and each facet's
counts under every *other* filter (so that the other values of a facet being filtered still show
how many events they would add)."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from dataclasses import dataclass

from sqlalchemy.orm import Session

from api.catalogue.search.fulltext import text_matches
from api.catalogue.search.index import SearchIndex, bits_of
from api.catalogue.search.query import FACETS, LIST_FACETS, SearchQuery


def when_mask(index: SearchIndex, when: str | None, now: dt.datetime) -> int | None:
    """Upcoming (starts after now), ongoing (started, not ended) or past (ended) events."""
    if when is None:
        return None
    started = bisect_right(index.first_start, now)
    if when == "upcoming":
        return index.everything & ~((1 << started) - 1)
    ended = (row for row, end in enumerate(index.last_end) if end <= now)
    if when == "past":
        return bits_of(ended, index.size)
    running = (row for row in range(started) if index.last_end[row] > now)
    return bits_of(running, index.size)


def date_range_mask(index: SearchIndex, query: SearchQuery) -> int | None:
    """Events with an occurrence on one of the Paris days from..to (inclusive)."""
    if query.date_from is None and query.date_to is None:
        return None
    low = query.date_from.isoformat() if query.date_from else ""
    high = query.date_to.isoformat() if query.date_to else "9999"
    mask = 0
    for day, bitset in index.bitsets["day"].items():
        if low <= day <= high:
            mask |= bitset
    return mask


def facet_mask(index: SearchIndex, facet: str, chosen: tuple[str, ...]) -> int:
    """The events having one of the chosen values."""
    mask = 0
    for value in chosen:
        mask |= index.bitsets[facet].get(value, 0)
    return mask


@dataclass(frozen=True)
class Matching:
    """The query's filters as bitsets: common ones (edition, words, period) and by facet."""

    common: list[int]
    by_facet: dict[str, int]

    def mask(self, *, without: str | None = None) -> int | None:
        """The rows passing every filter but `without`'s (None: no filter at all)."""
        masks = [*self.common, *(m for facet, m in self.by_facet.items() if facet != without)]
        if not masks:
            return None
        combined = masks[0]
        for mask in masks[1:]:
            combined &= mask
        return combined


def match(session: Session, index: SearchIndex, query: SearchQuery, now: dt.datetime) -> Matching:
    common: list[int] = []
    if query.edition:
        common.append(index.editions.get(query.edition, 0))
    found = text_matches(session, query.q) if query.q else None
    if found is not None:
        rows = {event_id: row for row, event_id in enumerate(index.ids)}
        common.append(bits_of((rows[i] for i in found if i in rows), index.size))
    when = when_mask(index, query.when, now)
    if when is not None:
        common.append(when)
    by_facet = {
        facet: facet_mask(index, facet, query.selected(facet))
        for facet in LIST_FACETS
        if query.selected(facet)
    }
    dates = date_range_mask(index, query)
    if dates is not None:
        by_facet["day"] = dates
    return Matching(common, by_facet)


def facet_counts(index: SearchIndex, matching: Matching) -> dict[str, dict[str, int]]:
    """Each facet's counts under every other filter (values chosen within a facet are OR-ed)."""
    counts: dict[str, dict[str, int]] = {}
    for facet in FACETS:
        mask = matching.mask(without=facet)
        if mask is None:
            counts[facet] = index.totals[facet]
            continue
        counts[facet] = {
            value: count
            for value, bitset in index.bitsets[facet].items()
            if (count := (bitset & mask).bit_count())
        }
    return counts
