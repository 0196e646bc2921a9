"""Facet values for display: their labels in a language and their order."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.catalogue.geography import departements, regions
from api.catalogue.search.query import FACETS, SearchQuery
from api.catalogue.tables import EventFormat, Track
from api.catalogue.vocabulary import ACCESSIBILITY, ATTENDANCE_MODES, AUDIENCES
from api.i18n import format_day, gettext

VOCABULARY_FACETS: dict[str, dict[str, str]] = {
    "mode": ATTENDANCE_MODES,
    "audience": AUDIENCES,
    "accessibility": ACCESSIBILITY,
}


@dataclass(frozen=True)
class FacetCount:
    value: str
    label: str
    count: int
    selected: bool



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
