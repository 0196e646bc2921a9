"""The compiled problem: slots, participants and meeting pairs derived from a salon.

Both the solver and the validator work on this view, so they read the salon the same way.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from scheduler.format import Interval, Participant, Salon, TableSpec, Wish
from scheduler.slots import Slot, build_slots


@dataclass
class Pair:
    """The unordered pair of a wish, or of two mutual wishes: at most one meeting."""

    index: int
    first: str
    second: str
    wishes: list[int]
    weight: int
    required: bool
    declined: bool
    pinned: dt.datetime | None
    during: list[list[Interval]] = field(default_factory=list)
    home_table: str | None = None
    allowed: list[int] = field(default_factory=list)

    @property
    def members(self) -> tuple[str, str]:
        return (self.first, self.second)

    @property
    def pooled(self) -> bool:
        """True when the meeting takes a free table from the pool."""
        return self.home_table is None

    def other(self, participant: str) -> str:
        return self.second if participant == self.first else self.first


@dataclass
class SalonProblem:
    """A salon read into indices: slots, participants, pairs and tables."""

    salon: Salon
    slots: list[Slot]
    participants: dict[str, Participant]
    pairs: list[Pair]
    pairs_of: dict[str, list[int]]
    tables: dict[str, TableSpec]
    pool_tables: list[str]
    table_owners: dict[str, list[str]]
    pair_index: dict[frozenset[str], int]
    slot_at: dict[dt.datetime, int]
    free_slot_cache: dict[str, frozenset[int]] = field(default_factory=dict)
    _allowed_by_session: dict[int, dict[int, list[int]]] | None = None

    def allowed_by_session(self) -> dict[int, dict[int, list[int]]]:
        """For each pair, its allowed slots grouped by session (computed once)."""
        if self._allowed_by_session is None:
            grouped: dict[int, dict[int, list[int]]] = {}
            for pair in self.pairs:
                by_session: dict[int, list[int]] = defaultdict(list)
                for slot in pair.allowed:
                    by_session[self.slots[slot].session].append(slot)
                grouped[pair.index] = dict(by_session)
            self._allowed_by_session = grouped
        return self._allowed_by_session

    @property
    def session_slots(self) -> dict[int, list[int]]:
        """Slot indices of each session (by the session's index in the file), in time order."""
        grouped: dict[int, list[int]] = defaultdict(list)
        for slot in self.slots:
            grouped[slot.session].append(slot.index)
        return dict(grouped)

    def capacity(self, participant: str) -> int:
        """Meetings a participant can hold at the same time."""
        return self.participants[participant].representatives

    def pair_of(self, a: str, b: str) -> Pair | None:
        index = self.pair_index.get(frozenset((a, b)))
        return None if index is None else self.pairs[index]

    def is_shared_table(self, table: str | None) -> bool:
        """True when several meetings of a slot compete for the table: the pool (None), or a
        home table of more than one participant."""
        return table is None or len(self.table_owners.get(table, ())) > 1

    def table_of(self, pair: Pair) -> str | None:
        """The pair's home table, or None when it takes a table from the pool."""
        return pair.home_table


def meeting_table(asker: Participant, asked: Participant) -> str | None:
    """Home table of the asked participant, else of the asker, else None (pooled)."""
    return asked.table or asker.table


def _merge_wishes(salon: Salon) -> list[Pair]:
    pairs: list[Pair] = []
    by_key: dict[frozenset[str], Pair] = {}
    for i, wish in enumerate(salon.wishes):
        key = frozenset((wish.from_, wish.to))
        pair = by_key.get(key)
        if pair is None:
            pair = Pair(len(pairs), wish.from_, wish.to, [], 0, False, True, None)
            by_key[key] = pair
            pairs.append(pair)
        _add_wish(pair, i, wish)
    return pairs


def _add_wish(pair: Pair, index: int, wish: Wish) -> None:
    pair.wishes.append(index)
    pair.weight += wish.weight
    pair.declined = pair.declined and wish.declined
    if not wish.declined:
        pair.required = pair.required or wish.required
        pair.pinned = pair.pinned or wish.pinned
        if wish.during is not None:
            pair.during.append(list(wish.during))


def build_problem(salon: Salon) -> SalonProblem:
    """Compile a checked salon (see loading.load_salon) into a SalonProblem."""
    from scheduler.rules import allowed_slots  # rules import this module's types

    participants = {p.id: p for p in salon.participants}
    tables = {t.id: t for t in salon.table_specs()}
    owners: dict[str, list[str]] = defaultdict(list)
    for participant in salon.participants:
        if participant.table is not None:
            owners[participant.table].append(participant.id)
    pairs = _merge_wishes(salon)
    pairs_of: dict[str, list[int]] = {p.id: [] for p in salon.participants}
    for pair in pairs:
        pair.home_table = meeting_table(participants[pair.first], participants[pair.second])
        pairs_of[pair.first].append(pair.index)
        pairs_of[pair.second].append(pair.index)
    slots = build_slots(salon)
    problem = SalonProblem(
        salon=salon,
        slots=slots,
        participants=participants,
        pairs=pairs,
        pairs_of=pairs_of,
        tables=tables,
        pool_tables=[t for t in tables if t not in owners],
        table_owners=dict(owners),
        pair_index={frozenset(p.members): p.index for p in pairs},
        slot_at={s.start: s.index for s in slots},
    )
    for pair in pairs:
        pair.allowed = allowed_slots(problem, pair)
    return problem
