"""Public search: full text, facets with counts, date filters, sorting by date, pagination.

Only published events are searched. Filters of different facets are combined with AND, the
values chosen within one facet with OR. Each facet's counts apply every *other* filter (so that
the other values of a facet being filtered still show how many events they would add).

Full text: SQLite's FTS5 table (unicode61, diacritics removed, prefix match on each word) or
PostgreSQL's `search_vector` ('french' configuration, prefix match on each stemmed word).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from sqlalchemy import ColumnElement, Select, column, func, literal_column, select, table, text
from sqlalchemy.orm import Session

from api.catalogue.clock import day_start, utc_now
from api.catalogue.errors import CatalogueError, FieldProblem, invalid
from api.catalogue.geography import departements, regions
from api.catalogue.tables import Edition, Event, EventFormat, EventTag, Timing, Track
from api.catalogue.vocabulary import ACCESSIBILITY, ATTENDANCE_MODES, AUDIENCES, WHEN
from api.i18n import format_day, gettext

MAX_PER_PAGE = 100
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
    page: int = 1
    per_page: int = 20

    def selected(self, facet: str) -> tuple[str, ...]:
        if facet == "day":
            return ()
        values: tuple[str, ...] = getattr(self, facet)
        return values

    def as_params(self, **changes: Any) -> list[tuple[str, str]]:
        """The query as URL parameters (for links: pages, exports, facet toggles)."""
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
        if query.page != 1:
            params.append(("page", str(query.page)))
        if query.per_page != 20:
            params.append(("per_page", str(query.per_page)))
        return params

    def toggled(self, facet: str, value: str) -> SearchQuery:
        """The same query with one facet value added or removed (back to page 1)."""
        values = self.selected(facet)
        chosen = tuple(v for v in values if v != value) if value in values else (*values, value)
        changes: dict[str, Any] = {facet: chosen, "page": 1}
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


def parse_search(params: Mapping[str, Sequence[str]]) -> SearchQuery:
    """A SearchQuery from URL parameters (422 naming the bad parameter, never a 500)."""
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
    query = SearchQuery(
        q=(first("q") or "").strip()[:200],
        edition=(first("edition") or "").strip() or None,
        date_from=_parse_date("date_from", first("date_from"), problems),
        date_to=_parse_date("date_to", first("date_to"), problems),
        when=when,
        page=_parse_int("page", first("page"), 1, (1, 100_000), problems),
        per_page=_parse_int("per_page", first("per_page"), 20, (1, MAX_PER_PAGE), problems),
        **{facet: many(facet) for facet in LIST_FACETS},
    )
    if problems:
        raise invalid(problems, code="invalid_search")
    return query


# Conditions ----------------------------------------------------------------------------------


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
    query = func.to_tsquery(literal_column("'french'::regconfig"), expression)
    return literal_column("catalogue_events.search_vector").op("@@")(query)


def when_condition(when: str | None, now: dt.datetime) -> ColumnElement[bool] | None:
    if when == "upcoming":
        return Event.first_start > now
    if when == "ongoing":
        return (Event.first_start <= now) & (Event.last_end > now)
    if when == "past":
        return Event.last_end <= now
    return None


def date_range_condition(
    date_from: dt.date | None, date_to: dt.date | None
) -> ColumnElement[bool] | None:
    """Events with an occurrence overlapping the Paris days from..to (inclusive)."""
    if date_from is None and date_to is None:
        return None
    overlapping = select(Timing.event_id)
    if date_to is not None:
        overlapping = overlapping.where(Timing.start_at < day_start(date_to + dt.timedelta(1)))
    if date_from is not None:
        overlapping = overlapping.where(Timing.end_at > day_start(date_from))
    return Event.id.in_(overlapping)


def facet_condition(facet: str, values: tuple[str, ...]) -> ColumnElement[bool] | None:
    if not values:
        return None
    if facet == "region":
        return Event.region_code.in_(values)
    if facet == "departement":
        return Event.departement_code.in_(values)
    if facet == "mode":
        return Event.attendance_mode.in_(values)
    if facet == "format":
        return Event.format_id.in_(select(EventFormat.id).where(EventFormat.slug.in_(values)))
    if facet == "track":
        return Event.track_id.in_(select(Track.id).where(Track.slug.in_(values)))
    kind = TAG_FACETS[facet]
    tagged = select(EventTag.event_id).where(EventTag.kind == kind, EventTag.value.in_(values))
    return Event.id.in_(tagged)


@dataclass
class Conditions:
    """The query's conditions by facet, so that a facet's counts can leave its own out."""

    common: list[ColumnElement[bool]]
    by_facet: dict[str, ColumnElement[bool]] = field(default_factory=dict)

    def all(self, *, without: str | None = None) -> list[ColumnElement[bool]]:
        return [*self.common, *(c for f, c in self.by_facet.items() if f != without)]


def build_conditions(
    session: Session, query: SearchQuery, *, now: dt.datetime, states: Sequence[str]
) -> Conditions:
    dialect = session.get_bind().dialect.name
    common: list[ColumnElement[bool]] = [Event.state.in_(states)]
    if query.edition:
        common.append(Event.edition_id.in_(select(Edition.id).where(Edition.slug == query.edition)))
    for condition in (text_condition(dialect, query.q), when_condition(query.when, now)):
        if condition is not None:
            common.append(condition)
    conditions = Conditions(common)
    for facet in LIST_FACETS:
        condition = facet_condition(facet, query.selected(facet))
        if condition is not None:
            conditions.by_facet[facet] = condition
    date_condition = date_range_condition(query.date_from, query.date_to)
    if date_condition is not None:
        conditions.by_facet["day"] = date_condition
    return conditions


# Facet counts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FacetCount:
    value: str
    label: str
    count: int
    selected: bool


def _raw_counts(session: Session, facet: str, where: list[ColumnElement[bool]]) -> dict[str, int]:
    """{value: number of matching events} for one facet."""
    counted: Select[Any, Any]
    if facet in TAG_FACETS:
        counted = (
            select(EventTag.value, func.count())
            .join(Event, Event.id == EventTag.event_id)
            .where(EventTag.kind == TAG_FACETS[facet], *where)
            .group_by(EventTag.value)
        )
    elif facet == "day":
        counted = (
            select(Timing.start_day, func.count(func.distinct(Timing.event_id)))
            .join(Event, Event.id == Timing.event_id)
            .where(*where)
            .group_by(Timing.start_day)
        )
    elif facet == "format":
        counted = (
            select(EventFormat.slug, func.count())
            .join(Event, Event.format_id == EventFormat.id)
            .where(*where)
            .group_by(EventFormat.slug)
        )
    elif facet == "track":
        counted = (
            select(Track.slug, func.count())
            .join(Event, Event.track_id == Track.id)
            .where(*where)
            .group_by(Track.slug)
        )
    else:
        column_of = {
            "region": Event.region_code,
            "departement": Event.departement_code,
            "mode": Event.attendance_mode,
        }[facet]
        counted = select(column_of, func.count()).where(column_of.is_not(None), *where)
        counted = counted.group_by(column_of)
    counts: dict[str, int] = {}
    for value, count in session.execute(counted).tuples():
        key = value.isoformat() if isinstance(value, dt.date) else str(value)
        counts[key] = int(count)
    return counts


def facet_counts(
    session: Session, query: SearchQuery, conditions: Conditions
) -> dict[str, dict[str, int]]:
    """Every facet's counts; facets without a filter of their own share one set of conditions."""
    return {facet: _raw_counts(session, facet, conditions.all(without=facet)) for facet in FACETS}


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
        vocabulary = {
            "mode": ATTENDANCE_MODES,
            "audience": AUDIENCES,
            "accessibility": ACCESSIBILITY,
        }.get(facet)
        if vocabulary is not None:
            return gettext(language, vocabulary[value]) if value in vocabulary else value
        if facet == "day":
            return format_day(dt.date.fromisoformat(value), language)
        return value

    def order(self, facet: str, item: FacetCount) -> tuple[Any, ...]:
        if facet == "region":
            return (item.label,)
        if facet == "departement":
            return (
                list(departements()).index(item.value) if item.value in departements() else 999,
            )
        if facet == "format":
            return self.format_order.get(item.value, (999, item.value))
        vocabulary = {
            "mode": ATTENDANCE_MODES,
            "audience": AUDIENCES,
            "accessibility": ACCESSIBILITY,
        }.get(facet)
        if vocabulary is not None:
            return (list(vocabulary).index(item.value) if item.value in vocabulary else 99,)
        if facet == "theme":
            return (-item.count, item.label.lower())
        return (item.label.lower() if facet == "track" else item.value,)


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
        return max(1, -(-self.count // self.query.per_page))


def search_events(
    session: Session,
    query: SearchQuery,
    *,
    language: str = "fr",
    now: dt.datetime | None = None,
    with_facets: bool = True,
    states: Sequence[str] = ("published",),
) -> SearchResult:
    """One page of matching events (by date), their total count and the facets."""
    now = now or utc_now()
    conditions = build_conditions(session, query, now=now, states=states)
    where = conditions.all()
    count = session.scalar(select(func.count()).select_from(Event).where(*where)) or 0
    events = session.scalars(
        select(Event)
        .where(*where)
        .order_by(Event.first_start, Event.id)
        .offset((query.page - 1) * query.per_page)
        .limit(query.per_page)
    ).all()
    facets: dict[str, list[FacetCount]] = {}
    if with_facets:
        counts = facet_counts(session, query, conditions)
        facets = labelled_facets(counts, query, Labeller(session, language))
    return SearchResult(events, int(count), facets, query)


def all_matching_events(
    session: Session,
    query: SearchQuery,
    *,
    now: dt.datetime | None = None,
    order: str = "date",
    limit: int = MAX_EXPORT,
) -> Sequence[Event]:
    """Every matching event (exports), by date, or newest publication first (feeds)."""
    conditions = build_conditions(session, query, now=now or utc_now(), states=("published",))
    ordering = (
        (Event.published_at.desc(), Event.id.desc())
        if order == "published"
        else (Event.first_start, Event.id)
    )
    statement = select(Event).where(*conditions.all()).order_by(*ordering).limit(limit)
    return session.scalars(statement).all()


def check_export_size(count: int) -> None:
    if count > MAX_EXPORT:
        raise CatalogueError(
            "too_many_results",
            "Trop de résultats pour un export ({count}) : affinez la recherche.",
            status=422,
            count=count,
        )
