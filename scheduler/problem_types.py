"""The compiled problem's types: a SalonProblem and its Pairs, read by every part of the core.

problem.build_problem compiles a salon into them (and re-exports them: import them from
scheduler.problem); the rules read them from here, so this module imports neither of those two.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from scheduler.format import Interval, Participant, Salon, TableSpec
from scheduler.slots import Slot


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
