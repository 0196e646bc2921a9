"""Public search: full text, facets with counts, date filters, sorting by date, paging.

Only published events are searched. Filters of different facets are combined with AND, the
values chosen within one facet with OR. Each facet's counts apply every *other* filter (so that
the other values of a facet being filtered still show how many events they would add).

One module per role: `query` what the public asks for and its parsing (paging), `fulltext` the
SQLite and PostgreSQL text search, `index` the in-memory bitset index, `matching` the filters as
bitsets and the facet counts, `facets` their labels and order, `results` the searches
themselves. This package only re-exports what callers use.
"""

from __future__ import annotations

from api.catalogue.search.facets import FacetCount
from api.catalogue.search.query import (
    FACETS,
    LIST_FACETS,
    SEARCH_LIMIT,
    SearchQuery,
    page_number_problems,
    parse_search,
)
from api.catalogue.search.results import (
    MAX_EXPORT,
    SearchResult,
    all_matching_events,
    check_export_size,
    count_matching,
    search_events,
)

__all__ = [
    "FACETS",
    "LIST_FACETS",
    "MAX_EXPORT",
    "SEARCH_LIMIT",
    "FacetCount",
    "SearchQuery",
    "SearchResult",
    "all_matching_events",
    "check_export_size",
    "count_matching",
    "page_number_problems",
    "parse_search",
    "search_events",
]
