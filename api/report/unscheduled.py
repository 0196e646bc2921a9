"""The organiser's schedule page's unscheduled wishes: filtered (by text and by reason) and
paged (`?page=N`, turned into an offset and a limit by api.deps.page_window, the convention
of pages that show page numbers). A salon like AGIR leaves hundreds of wishes out: the page
showed them all (896 rows, 57,788 px)."""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from api.deps import page_count, page_window

UNSCHEDULED_PAGE = 50
"""Unscheduled wishes per page."""
QUERY_MAX = 100


def folded(text: str) -> str:
    """Lower case without accents, for search."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True)
class UnscheduledRow:
    asker_code: str
    asker: str
    asked_code: str
    asked: str
    reason: str
    detail: str


@dataclass(frozen=True)
class UnscheduledPage:
    """One page of the unscheduled wishes that pass the filters, and how to reach the others."""

    rows: list[UnscheduledRow]
    count: int  # passing the filters
    total: int  # all of the schedule's
    reasons: list[tuple[str, int]]  # every reason of the schedule and its count, most first
    q: str
    reason: str
    page: int
    pages: int

    def link(self, page: int) -> str:
        """The query string of another page, with the same filters."""
        params = {"q": self.q, "reason": self.reason, "page": str(page)}
        return "?" + urlencode({k: v for k, v in params.items() if v and v != "1"})


def _row(wish: Any, names: Mapping[str, Any], language: str) -> UnscheduledRow:
    asker, asked = names.get(wish.from_), names.get(wish.to)
    detail = wish.detail_en if language == "en" and wish.detail_en else wish.detail or ""
    return UnscheduledRow(
        wish.from_,
        asker.name if asker else wish.from_,
        wish.to,
        asked.name if asked else wish.to,
        wish.reason,
        detail,
    )


def _matches(row: UnscheduledRow, names: Mapping[str, Any], query: str) -> bool:
    if not query:
        return True
    texts = [row.asker_code, row.asker, row.asked_code, row.asked]
    for code in (row.asker_code, row.asked_code):
        organisation = str(getattr(names.get(code), "organisation", "") or "")
        texts.append(organisation)
    return query in folded(" ".join(texts))


def unscheduled_page(
    unscheduled: Sequence[Any],
    names: Mapping[str, Any],
    language: str,
    *,
    q: str = "",
    reason: str = "",
    page: int = 1,
) -> UnscheduledPage:
    """The page `page` (from 1; past the last: the last) of the wishes whose names or
    organisations hold `q` (accents and case ignored) and whose reason is `reason` (any when
    empty)."""
    q = q.strip()[:QUERY_MAX]
    query = folded(q)
    rows = [_row(wish, names, language) for wish in unscheduled]
    reasons = Counter(row.reason for row in rows)
    kept = [
        row
        for row in rows
        if (not reason or row.reason == reason) and _matches(row, names, query)
    ]
    pages = page_count(len(kept), UNSCHEDULED_PAGE)
    page = max(1, min(page, pages))
    offset, limit = page_window(page, UNSCHEDULED_PAGE)
    return UnscheduledPage(
        kept[offset : offset + limit],
        len(kept),
        len(rows),
        sorted(reasons.items(), key=lambda item: (-item[1], item[0])),
        q,
        reason,
        page,
        pages,
    )
