"""Public search: full text, facets with counts, date filters, sorting by date, paging.

Only published events are searched. Filters of different facets are combined with AND, the
values chosen within one facet with OR. Each facet's counts apply every *other* filter (so that
the other values of a facet being filtered still show how many events they would add).

Full text: SQLite's FTS5 table (unicode61, diacritics removed, prefix match on each word) or
PostgreSQL's `search_vector` ('french' configuration, prefix match on each stemmed word).

Paging: the JSON API takes `offset` and `limit` (api.deps: the service's one convention); the
search page takes a page number `page` of `SEARCH_LIMIT` events, turned into the same offset and
limit by `api.deps.page_window`.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import unicodedata
import uuid
from bisect import bisect_right
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from sqlalchemy import ColumnElement, Engine, column, func, literal_column, select, table, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.catalogue.errors import CatalogueError, invalid
from api.catalogue.geography import departements, regions
from api.catalogue.tables import (
    Edition,
    Event,
    EventFormat,
    EventTag,
    SearchState,
    Timing,
    Track,
)
from api.catalogue.vocabulary import ACCESSIBILITY, ATTENDANCE_MODES, AUDIENCES, WHEN
from api.deps import MAX_LIMIT, MAX_OFFSET, page_count, page_number, page_window
from api.errors import FieldProblem
from api.i18n import format_day, gettext
from api.timestamps import paris_day, utc_now

SEARCH_LIMIT = 20
"""Events on a page of the search page, and the JSON API's `limit` when not given."""
MAX_PAGE_NUMBER = 100_000
PAGE_NUMBERS = ("page", "per_page")
"""The search page's parameters, refused by the JSON API (which takes `offset` and `limit`)."""
MAX_EXPORT = 20_000
LIST_FACETS = (
    "region",
    "departement",
    "format",
    "theme",
    "track",
    "mode",
    "audience",
    "accessibility",
)
TAG_FACETS = {"theme": "theme", "audience": "audience", "accessibility": "accessibility"}
FACETS = (*LIST_FACETS, "day")
WORD = re.compile(r"\w+", re.UNICODE)
SQLITE_STOPWORDS = frozenset(
    {
        "a",
        "au",
        "aux",
        "avec",
        "ce",
        "ces",
        "d",
        "dans",
        "de",
        "des",
        "du",
        "en",
        "et",
        "l",
        "la",
        "le",
        "les",
        "leur",
        "leurs",
        "ou",
        "par",
        "pour",
        "qu",
        "que",
        "qui",
        "sa",
        "se",
        "ses",
        "son",
        "sur",
        "un",
        "une",
        "vos",
        "votre",
        "nos",
        "notre",
        "the",
        "of",
        "and",
    }
)
FTS = table("catalogue_events_fts", column("rowid"))
VOCABULARY_FACETS: dict[str, dict[str, str]] = {
    "mode": ATTENDANCE_MODES,
    "audience": AUDIENCES,
    "accessibility": ACCESSIBILITY,
}


@dataclass(frozen=True)
class SearchQuery:
    """What the public asks for; every list facet holds the values chosen (OR within)."""

    q: str = ""
    edition: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    when: str | None = None
    region: tuple[str, ...] = ()
    departement: tuple[str, ...] = ()
    format: tuple[str, ...] = ()
    theme: tuple[str, ...] = ()
    track: tuple[str, ...] = ()
    mode: tuple[str, ...] = ()
    audience: tuple[str, ...] = ()
    accessibility: tuple[str, ...] = ()
    offset: int = 0
    limit: int = SEARCH_LIMIT

    @property
    def page(self) -> int:
        """The page number (from 1) of the search page this query shows."""
        return page_number(self.offset, self.limit)

    def on_page(self, number: int) -> SearchQuery:
        """The same query on page `number` (from 1) of the search page."""
        offset, limit = page_window(number, SEARCH_LIMIT)
        return replace(self, offset=offset, limit=limit)

    def selected(self, facet: str) -> tuple[str, ...]:
        if facet == "day":
            return ()
        values: tuple[str, ...] = getattr(self, facet)
        return values

    def as_params(self, *, by_page: bool = False, **changes: Any) -> list[tuple[str, str]]:
        """The query as URL parameters (for links: pages, exports, facet toggles): the filters,
        then `offset` and `limit` (the JSON API), or the page number `page` (`by_page`: the
        search page), each only when not the first page or the default size."""
        query = replace(self, **changes) if changes else self
        params: list[tuple[str, str]] = []
        for name in ("q", "edition", "when"):
            value = getattr(query, name)
            if value:
                params.append((name, value))
        for name in ("date_from", "date_to"):
            value = getattr(query, name)
            if value:
                params.append((name, value.isoformat()))
        for facet in LIST_FACETS:
            params.extend((facet, value) for value in query.selected(facet))
        if by_page:
            if query.page != 1:
                params.append(("page", str(query.page)))
            return params
        if query.offset:
            params.append(("offset", str(query.offset)))
        if query.limit != SEARCH_LIMIT:
            params.append(("limit", str(query.limit)))
        return params

    def filters(self) -> list[tuple[str, str, SearchQuery]]:
        """Each filter in use as (parameter, value, the same query without it, first page)."""
        found: list[tuple[str, str, SearchQuery]] = []
        for name in ("q", "edition", "date_from", "date_to", "when"):
            value = getattr(self, name)
            if value:
                changes: dict[str, Any] = {name: "" if name == "q" else None, "offset": 0}
                found.append((name, str(value), replace(self, **changes)))
        for facet in LIST_FACETS:
            found.extend(
                (facet, value, self.toggled(facet, value)) for value in self.selected(facet)
            )
        return found

    def toggled(self, facet: str, value: str) -> SearchQuery:
        """The same query with one facet value added or removed (back to the first page)."""
        values = self.selected(facet)
        chosen = tuple(v for v in values if v != value) if value in values else (*values, value)
        changes: dict[str, Any] = {facet: chosen, "offset": 0}
        return replace(self, **changes)


def _parse_date(name: str, raw: str | None, problems: list[FieldProblem]) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        problems.append(
            FieldProblem(
                name, "Date invalide : « {input} » (par exemple 2023-11-14).", {"input": raw[:40]}
            )
        )
        return None


def _parse_int(
    name: str, raw: str | None, default: int, bounds: tuple[int, int], problems: list[FieldProblem]
) -> int:
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        problems.append(
            FieldProblem(name, "Nombre entier attendu : « {input} ».", {"input": raw[:40]})
        )
        return default
    low, high = bounds
    if not low <= value <= high:
        problems.append(
            FieldProblem(
                name, "La valeur doit être entre {low} et {high}.", {"low": low, "high": high}
            )
        )
        return default
    return value


def parse_search(params: Mapping[str, Sequence[str]], *, by_page: bool = False) -> SearchQuery:
    """A SearchQuery from URL parameters (422 naming the bad parameter, never a 500): `offset`
    and `limit` (the JSON API), or the search page's number `page` (`by_page`)."""
    problems: list[FieldProblem] = []

    def first(name: str) -> str | None:
        values = params.get(name) or ()
        return values[0] if values else None

    def many(name: str) -> tuple[str, ...]:
        values: list[str] = []
        for raw in params.get(name) or ():
            for value in raw.split(","):
                value = value.strip()[:80]
                if value and value not in values:
                    values.append(value)
        return tuple(values[:50])

    when = (first("when") or "").strip() or None
    if when is not None and when not in WHEN:
        problems.append(
            FieldProblem(
                "when",
                "Valeur inconnue : « {input} » (valeurs possibles : {expected}).",
                {"input": when[:40], "expected": ", ".join(WHEN)},
            )
        )
        when = None
    if by_page:
        number = _parse_int("page", first("page"), 1, (1, MAX_PAGE_NUMBER), problems)
        offset, limit = page_window(number, SEARCH_LIMIT)
    else:
        offset = _parse_int("offset", first("offset"), 0, (0, MAX_OFFSET), problems)
        limit = _parse_int("limit", first("limit"), SEARCH_LIMIT, (1, MAX_LIMIT), problems)
        problems.extend(page_number_problems(params))
    query = SearchQuery(
        q=(first("q") or "").strip()[:200],
        edition=(first("edition") or "").strip() or None,
        date_from=_parse_date("date_from", first("date_from"), problems),
        date_to=_parse_date("date_to", first("date_to"), problems),
        when=when,
        offset=offset,
        limit=limit,
        **{facet: many(facet) for facet in LIST_FACETS},
    )
    if problems:
        raise invalid(problems, code="invalid_search")
    return query


def page_number_problems(params: Collection[str]) -> list[FieldProblem]:
    """`page` and `per_page` given to the JSON API: refused (not ignored, which would answer the
    first page again and again), naming `offset` and `limit` instead."""
    return [
        FieldProblem(name, "Paramètre remplacé par offset et limit.")
        for name in PAGE_NUMBERS
        if name in params
    ]


def text_condition(dialect: str, q: str) -> ColumnElement[bool] | None:
    """Events whose title, descriptions, keywords or themes contain every word (as a prefix)."""
    words = [word.lower() for word in WORD.findall(q)]
    if dialect == "sqlite":
        words = [w for w in words if w not in SQLITE_STOPWORDS] or words
        if not words:
            return None
        match = " ".join(f'"{word}"*' for word in words)
        matching = select(FTS.c.rowid).where(
            text("catalogue_events_fts MATCH :fts_query").bindparams(fts_query=match)
        )
        return Event.id.in_(matching)
    if not words:
        return None
    expression = " & ".join(f"{word}:*" for word in words)
    query = func.to_tsquery(literal_column("'catalogue_french'::regconfig"), expression)
    return literal_column("catalogue_events.search_vector").op("@@")(query)


@dataclass(frozen=True)
class FacetCount:
    value: str
    label: str
    count: int
    selected: bool


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


# Matching ------------------------------------------------------------------------------------


def text_matches(session: Session, q: str) -> set[int] | None:
    """Ids of the published events matching the words of `q` (None: no text condition)."""
    condition = text_condition(session.get_bind().dialect.name, q)
    if condition is None:
        return None
    found = session.scalars(select(Event.id).where(Event.state == "published", condition))
    return set(found)


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


def events_by_ids(session: Session, ids: Sequence[int]) -> list[Event]:
    """The events with these ids, in this order."""
    if not ids:
        return []
    found = {e.id: e for e in session.scalars(select(Event).where(Event.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def sort_key(text: str) -> str:
    """Alphabetical order for French labels: accents and case ignored (Île after Hauts)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class Labeller:
    """Labels of facet values in a language (formats and tracks read once per search)."""

    def __init__(self, session: Session, language: str) -> None:
        self.language = language
        formats = session.scalars(select(EventFormat)).all()
        self.formats = {f.slug: (f.label_fr if language == "fr" else f.label_en) for f in formats}
        self.format_order = {f.slug: (f.position, f.label_fr) for f in formats}
        self.tracks = {t.slug: t.title for t in session.scalars(select(Track)).all()}

    def label(self, facet: str, value: str) -> str:
        language = self.language
        if facet == "region":
            region = regions().get(value)
            return region.name if region else value
        if facet == "departement":
            departement = departements().get(value)
            return f"{value} – {departement.name}" if departement else value
        if facet == "format":
            return self.formats.get(value, value)
        if facet == "track":
            return self.tracks.get(value, value)
        vocabulary = VOCABULARY_FACETS.get(facet)
        if vocabulary is not None:
            return gettext(language, vocabulary[value]) if value in vocabulary else value
        if facet == "day":
            return format_day(dt.date.fromisoformat(value), language)
        return value

    def order(self, facet: str, item: FacetCount) -> tuple[Any, ...]:
        if facet == "region":
            return (sort_key(item.label),)
        if facet == "departement":
            return (
                list(departements()).index(item.value) if item.value in departements() else 999,
            )
        if facet == "format":
            return self.format_order.get(item.value, (999, item.value))
        vocabulary = VOCABULARY_FACETS.get(facet)
        if vocabulary is not None:
            return (list(vocabulary).index(item.value) if item.value in vocabulary else 99,)
        if facet == "theme":
            return (-item.count, sort_key(item.label))
        return (sort_key(item.label) if facet == "track" else item.value,)


def labelled_facets(
    counts: dict[str, dict[str, int]], query: SearchQuery, labeller: Labeller
) -> dict[str, list[FacetCount]]:
    """Facet values with counts (> 0, or chosen), labelled and sorted for display."""
    facets: dict[str, list[FacetCount]] = {}
    for facet in FACETS:
        chosen = query.selected(facet)
        values = dict(counts.get(facet, {}))
        for value in chosen:
            values.setdefault(value, 0)
        items = [
            FacetCount(value, labeller.label(facet, value), count, value in chosen)
            for value, count in values.items()
            if count > 0 or value in chosen
        ]
        facets[facet] = sorted(items, key=partial(labeller.order, facet))
    return facets


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
