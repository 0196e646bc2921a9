"""What the public asks for: `SearchQuery` (the filters, the page, the URL parameters of links)
and its parsing from URL parameters, with the facets' names.

Paging: the JSON API takes `offset` and `limit` (api.deps: the service's one convention); the
search page takes a page number `page` of `SEARCH_LIMIT` events, turned into the same offset and
limit by `api.deps.page_window`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from api.catalogue.errors import invalid
from api.catalogue.vocabulary import WHEN
from api.deps import MAX_LIMIT, MAX_OFFSET, page_number, page_window
from api.errors import FieldProblem

SEARCH_LIMIT = 20
"""Events on a page of the search page, and the JSON API's `limit` when not given."""
MAX_PAGE_NUMBER = 100_000
PAGE_NUMBERS = ("page", "per_page")
"""The search page's parameters, refused by the JSON API (which takes `offset` and `limit`)."""
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
