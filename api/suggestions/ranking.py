"""Ranking the other side's participants by how well their profiles match (pure: no database).

Each profile is a bag of terms: the stems of its description, offers and needs (api.suggestions.
text), its keywords' stems counted twice and its themes as whole terms counted three times (a
theme picked from the salon's list is the surest sign). scikit-learn's TF-IDF (sublinear term
frequencies, smoothed inverse document frequencies, rows of unit length) weighs them: a term
that most profiles use ("defense") counts little or nothing (a term of more than 90% of the
profiles is left out), a rare one both share ("hydrographie") much.
The score of a pair is the cosine of their rows; the reason shown is what they share, in the
other's own words: common themes, then keywords, then the shared terms that weigh most.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from api.suggestions.text import folded, language_of, stem, stems, words

KEYWORD_WEIGHT = 2
THEME_WEIGHT = 3
MAX_REASONS = 4
MAX_DOCUMENT_SHARE = 0.9
"""A term found in more of the profiles than this share says nothing of a pair: left out."""


@dataclass(frozen=True)
class Card:
    """What is matched of a participant: its side, its free text, keywords and themes."""

    code: str
    kind: str
    text: str
    keywords: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()


def profile_card(
    code: str,
    kind: str,
    *,
    organisation: str = "",
    role: str = "",
    description: str = "",
    offers: str = "",
    needs: str = "",
    keywords: Sequence[str] = (),
    themes: Sequence[str] = (),
) -> Card:
    """The card of a participant: its organisation and role with its profile's texts."""
    text = "\n".join(part for part in (organisation, role, description, offers, needs) if part)
    return Card(code, kind, text, tuple(keywords), tuple(themes))


@dataclass
class Suggestion:
    """A participant of the other side, its score (0..1) and what the two profiles share."""

    code: str
    score: float
    shared: list[str] = field(default_factory=list)


@dataclass
class _Terms:
    terms: list[str]
    surface: dict[str, str]  # a term -> the first word of the profile that gave it
    phrases: list[tuple[str, frozenset[str]]]  # keywords with their terms


def theme_term(theme: str) -> str:
    return "#" + " ".join(folded(theme).split())


def card_terms(card: Card, *, stemming: bool = True) -> _Terms:
    """The terms of a card (stems, or folded words without `stemming`)."""
    language = language_of(" ".join([card.text, *card.keywords]))

    def reduce(text: str) -> list[tuple[str, str]]:
        found = words(text)
        return [(stem(w, language) if stemming else w, w) for w in found]

    terms: list[str] = []
    surface: dict[str, str] = {}
    for term, word in reduce(card.text):
        terms.append(term)
        surface.setdefault(term, word)
    phrases = []
    for keyword in card.keywords:
        pairs = reduce(keyword)
        for term, word in pairs:
            surface.setdefault(term, word)
        terms += [term for term, _ in pairs] * KEYWORD_WEIGHT
        if pairs:
            phrases.append((keyword.strip(), frozenset(term for term, _ in pairs)))
    for theme in card.themes:
        terms += [theme_term(theme)] * THEME_WEIGHT
        surface.setdefault(theme_term(theme), theme.strip())
    return _Terms(terms, surface, phrases)


def _identity(terms: list[str]) -> list[str]:
    return terms


def _vectorizer(max_df: float) -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer=_identity, sublinear_tf=True, norm="l2", smooth_idf=True, max_df=max_df
    )


class Matcher:
    """The TF-IDF rows of a salon's cards, and the suggestions of one card among the other
    side's. Built once per state of the profiles (a few tens of milliseconds for 370 cards)."""

    def __init__(self, cards: Sequence[Card], *, stemming: bool = True) -> None:
        self.cards = list(cards)
        self.index = {card.code: i for i, card in enumerate(self.cards)}
        self.terms = [card_terms(card, stemming=stemming) for card in self.cards]
        documents = [t.terms or ["\u0000"] for t in self.terms]
        try:
            self.vectorizer = _vectorizer(MAX_DOCUMENT_SHARE)
            rows = self.vectorizer.fit_transform(documents)
        except ValueError:  # every term is in every profile: keep them all
            self.vectorizer = _vectorizer(1.0)
            rows = self.vectorizer.fit_transform(documents)
        self.rows: sparse.csr_matrix = rows.tocsr()
        self.vocabulary = self.vectorizer.get_feature_names_out()

    def side(self, kind: str) -> list[int]:
        return [i for i, card in enumerate(self.cards) if card.kind == kind]

    def scores(self, code: str, candidates: Sequence[int]) -> np.ndarray:
        """Cosine of `code`'s row with each candidate's."""
        me = self.rows[self.index[code]]
        return np.asarray((self.rows[list(candidates)] @ me.T).todense()).ravel()

    def suggest(
        self, code: str, *, top: int = 10, exclude: Iterable[str] = ()
    ) -> list[Suggestion]:
        """The `top` best matches of the other side (ties in the cards' order), with reasons;
        a card sharing nothing (score 0) is never suggested."""
        me = self.cards[self.index[code]]
        other = "director" if me.kind == "industrial" else "industrial"
        left_out = set(exclude)
        candidates = [i for i in self.side(other) if self.cards[i].code not in left_out]
        if not candidates:
            return []
        scores = self.scores(code, candidates)
        order = np.argsort(-scores, kind="stable")[:top]
        return [
            Suggestion(
                self.cards[candidates[j]].code,
                round(float(scores[j]), 4),
                self.reasons(self.index[code], candidates[j]),
            )
            for j in order
            if scores[j] > 0
        ]

    def ranking(self, kind: str, other: str) -> tuple[list[int], list[int], np.ndarray]:
        """Every card of `kind` against every card of `other`: (rows, columns, scores)."""
        mine, theirs = self.side(kind), self.side(other)
        product = (self.rows[mine] @ self.rows[theirs].T).toarray()
        return mine, theirs, product

    def reasons(self, mine: int, theirs: int) -> list[str]:
        """What two cards share, in the words of `theirs`: themes, keywords, weighty terms."""
        a, b = self.terms[mine], self.terms[theirs]
        mine_terms = set(a.terms)
        shared: list[str] = []
        covered: set[str] = set()
        for theme in self.cards[theirs].themes:
            if theme_term(theme) in mine_terms:
                shared.append(theme.strip())
                covered.add(theme_term(theme))
        for phrase, terms in b.phrases:
            if terms <= mine_terms and not terms <= covered:
                shared.append(phrase)
                covered |= terms
        product = self.rows[mine].multiply(self.rows[theirs]).tocoo()
        ranked = sorted(zip(product.data, product.col, strict=True), key=lambda p: -p[0])
        for _weight, column in ranked:
            term = str(self.vocabulary[column])
            if term in covered or term.startswith("#"):
                continue
            shared.append(b.surface.get(term, term))
            covered.add(term)
        seen: set[str] = set()
        unique = []
        for label in shared:
            key = folded(label)
            if key not in seen:
                seen.add(key)
                unique.append(label)
        return unique[:MAX_REASONS]


def top_share(
    matcher: Matcher, wishes: dict[str, set[str]], *, top: int = 10, kind: str = "industrial"
) -> float:
    """The share of the wishes of `kind`'s cards found among their `top` suggestions (the
    quality figure of the bench), over the cards that made wishes."""
    other = "director" if kind == "industrial" else "industrial"
    mine, theirs, product = matcher.ranking(kind, other)
    found = asked = 0
    for row, i in enumerate(mine):
        wanted = wishes.get(matcher.cards[i].code, set())
        if not wanted:
            continue
        best = np.argsort(-product[row], kind="stable")[:top]
        suggested = {matcher.cards[theirs[j]].code for j in best if product[row, j] > 0}
        found += len(wanted & suggested)
        asked += len(wanted)
    return found / asked if asked else 0.0


__all__ = ["Card", "Matcher", "Suggestion", "profile_card", "stems", "top_share"]
