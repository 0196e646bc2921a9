"""The in-memory index of the published events (a bitset per facet value), cached per database
and reloaded when events, tags or timings changed."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.catalogue.search.query import FACETS, TAG_FACETS
from api.catalogue.tables import (
    Edition,
    Event,
    EventFormat,
    EventTag,
    SearchState,
    Timing,
    Track,
)
from api.timestamps import paris_day

# The in-memory index -------------------------------------------------------------------------
#
# Rows are the published events sorted by (first start, id). Every facet value has a bitset of
# the rows that have it (Python ints: bit i = row i), so that filters are ORs and ANDs of ints
# and a facet count is `(bitset & mask).bit_count()`: a faceted search over 10,000 events costs
# a few hundred integer operations instead of a scan per facet.


def bits_of(rows: Iterable[int], size: int) -> int:
    """The bitset of some rows."""
    buffer = bytearray((size + 7) // 8)
    for row in rows:
        buffer[row >> 3] |= 1 << (row & 7)
    return int.from_bytes(buffer, "little")


def rows_of(mask: int, *, skip: int = 0, limit: int | None = None) -> list[int]:
    """The rows of a bitset in order, from the `skip`-th, at most `limit`."""
    text = format(mask, "b")[::-1]
    rows: list[int] = []
    position = text.find("1")
    while position != -1 and (limit is None or len(rows) < limit):
        if skip:
            skip -= 1
        else:
            rows.append(position)
        position = text.find("1", position + 1)
    return rows


def covered_days(start: dt.datetime, end: dt.datetime) -> list[str]:
    """The Paris days an occurrence overlaps (an end at midnight does not reach the next day)."""
    first = paris_day(start)
    last = paris_day(max(start, end - dt.timedelta(microseconds=1)))
    return [(first + dt.timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]


@dataclass(frozen=True)
class SearchIndex:
    """The published events' facet data: rows by date, a bitset per facet value."""

    key: tuple[str, int]
    ids: list[int]
    first_start: list[dt.datetime]
    last_end: list[dt.datetime]
    by_publication: list[int]
    editions: dict[str, int]
    bitsets: dict[str, dict[str, int]]
    totals: dict[str, dict[str, int]]

    @property
    def size(self) -> int:
        return len(self.ids)

    @property
    def everything(self) -> int:
        return (1 << self.size) - 1


_INDEXES: dict[str, SearchIndex] = {}
_INDEX_LOCK = threading.Lock()


def index_key(session: Session) -> tuple[str, int]:
    """(database identity, change counter): read before the rows, so a race only reloads.

    The row is recreated if it was deleted (a test harness emptying every table)."""
    row = session.execute(select(SearchState.instance, SearchState.version)).first()
    if row is None:
        try:
            with session.begin_nested():
                session.add(SearchState(id=1, instance=uuid.uuid4().hex, version=0))
            session.commit()
        except IntegrityError:
            session.rollback()
        row = session.execute(select(SearchState.instance, SearchState.version)).one()
    return str(row[0]), int(row[1])


def search_index(session: Session) -> SearchIndex:
    """The index of this database, reloaded when events, tags or timings changed."""
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    url = engine.url.render_as_string(hide_password=True)
    key = index_key(session)
    cached = _INDEXES.get(url)
    if cached is not None and cached.key == key:
        return cached
    with _INDEX_LOCK:
        cached = _INDEXES.get(url)
        if cached is None or cached.key != key:
            cached = build_index(session, key)
            _INDEXES[url] = cached
    return cached


def build_index(session: Session, key: tuple[str, int]) -> SearchIndex:
    published = Event.state == "published"
    events = session.execute(
        select(
            Event.id,
            Edition.slug,
            Event.first_start,
            Event.last_end,
            func.coalesce(Event.published_at, Event.created_at),
            Event.region_code,
            Event.departement_code,
            EventFormat.slug,
            Track.slug,
            Event.attendance_mode,
        )
        .join(Edition, Edition.id == Event.edition_id)
        .join(EventFormat, EventFormat.id == Event.format_id)
        .outerjoin(Track, Track.id == Event.track_id)
        .where(published)
        .order_by(Event.first_start, Event.id)
    ).all()
    row_of = {event[0]: row for row, event in enumerate(events)}
    members: dict[str, dict[str, list[int]]] = {facet: {} for facet in FACETS}
    editions: dict[str, list[int]] = {}
    for row, event in enumerate(events):
        editions.setdefault(str(event[1]), []).append(row)
        for facet, value in zip(
            ("region", "departement", "format", "track", "mode"), event[5:10], strict=True
        ):
            if value is not None:
                members[facet].setdefault(str(value), []).append(row)
    tags = session.execute(
        select(EventTag.event_id, EventTag.kind, EventTag.value)
        .join(Event, Event.id == EventTag.event_id)
        .where(published)
    )
    facet_of_kind = {kind: facet for facet, kind in TAG_FACETS.items()}
    for event_id, kind, value in tags:
        if kind in facet_of_kind:
            members[facet_of_kind[kind]].setdefault(value, []).append(row_of[event_id])
    timings = session.execute(
        select(Timing.event_id, Timing.start_at, Timing.end_at)
        .join(Event, Event.id == Timing.event_id)
        .where(published)
    )
    days: dict[str, set[int]] = {}
    for event_id, start, end in timings:
        for day in covered_days(start, end):
            days.setdefault(day, set()).add(row_of[event_id])
    members["day"] = {day: sorted(rows) for day, rows in days.items()}
    size = len(events)
    return SearchIndex(
        key=key,
        ids=[event[0] for event in events],
        first_start=[event[2] for event in events],
        last_end=[event[3] for event in events],
        by_publication=sorted(
            range(size), key=lambda r: (events[r][4], events[r][0]), reverse=True
        ),
        editions={slug: bits_of(rows, size) for slug, rows in editions.items()},
        bitsets={
            facet: {value: bits_of(rows, size) for value, rows in values.items()}
            for facet, values in members.items()
        },
        totals={
            facet: {value: len(rows) for value, rows in values.items()}
            for facet, values in members.items()
        },
    )
