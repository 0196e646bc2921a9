"""A compact greedy placement: the starting point of the timetable search.

Pairs are placed one at a time, most constrained first, each in the free slot that adds the
fewest empty slots to the two participants' days (filling a hole beats extending a block,
which beats opening a gap). Every counting rule is respected; pairs that fit nowhere are left
for the CP-SAT search.
"""

from __future__ import annotations

from collections import defaultdict

from scheduler.problem import SalonProblem


class GreedyState:
    """Loads of participants and tables while pairs are placed."""

    def __init__(self, problem: SalonProblem) -> None:
        self.problem = problem
        self.load: dict[tuple[str, int], int] = defaultdict(int)
        self.positions: dict[str, set[int]] = defaultdict(set)
        self.table_use: dict[tuple[str | None, int], int] = defaultdict(int)
        self.meetings: dict[str, int] = defaultdict(int)

    def _table_key(self, pair_index: int) -> str | None | bool:
        table = self.problem.pairs[pair_index].home_table
        if table is None or len(self.problem.table_owners.get(table, ())) > 1:
            return table
        return False  # a table of one owner: the owner's capacity already guards it

    def fits(self, pair_index: int, slot: int) -> bool:
        problem = self.problem
        pair = problem.pairs[pair_index]
        for member in pair.members:
            if self.load[member, slot] >= problem.capacity(member):
                return False
            cap = problem.participants[member].max_meetings
            if cap is not None and self.meetings[member] >= cap:
                return False
            if not self._run_ok(member, slot):
                return False
        key = self._table_key(pair_index)
        if key is not False:
            capacity = len(problem.pool_tables) if key is None else 1
            if self.table_use[key, slot] >= capacity:  # type: ignore[index]
                return False
        return True

    def _run_ok(self, participant: str, slot: int) -> bool:
        limit = self.problem.salon.max_in_a_row
        if limit is None or self.load[participant, slot] > 0:
            return True
        slots = self.problem.slots
        session = slots[slot].session
        run = 1
        for step in (-1, 1):
            neighbour = slot + step
            while (
                0 <= neighbour < len(slots)
                and slots[neighbour].session == session
                and self.load[participant, neighbour] > 0
            ):
                run += 1
                neighbour += step
        return run <= limit

    def gap_cost(self, participant: str, slot: int) -> int:
        """Empty slots added to the participant's day (negative when a hole is filled)."""
        slots = self.problem.slots
        session = slots[slot].session
        same = [s for s in self.positions[participant] if slots[s].session == session]
        if not same or self.load[participant, slot] > 0:
            return 0
        low, high = min(same), max(same)
        if low < slot < high:
            return -1
        return (low - slot - 1) if slot < low else (slot - high - 1)

    def place(self, pair_index: int, slot: int) -> None:
        pair = self.problem.pairs[pair_index]
        for member in pair.members:
            self.load[member, slot] += 1
            self.positions[member].add(slot)
            self.meetings[member] += 1
        key = self._table_key(pair_index)
        if key is not False:
            self.table_use[key, slot] += 1  # type: ignore[index]


def compact_greedy(
    problem: SalonProblem, candidates: dict[int, list[int]], fixed: dict[int, int] | None = None
) -> dict[int, int]:
    """Place the candidate pairs compactly; returns the placement of those that fit."""
    state = GreedyState(problem)
    for pair_index, slot in (fixed or {}).items():
        state.place(pair_index, slot)
    degree: dict[str, int] = defaultdict(int)
    for pair_index in candidates:
        for member in problem.pairs[pair_index].members:
            degree[member] += 1

    def hub(pair_index: int) -> str:
        return max(problem.pairs[pair_index].members, key=lambda m: (degree[m], m))

    order = sorted(
        candidates,
        key=lambda p: (min(len(candidates[p]), 3), -degree[hub(p)], hub(p), p),
    )
    placement: dict[int, int] = {}
    for pair_index in order:
        best: tuple[int, int] | None = None
        for slot in candidates[pair_index]:
            if not state.fits(pair_index, slot):
                continue
            cost = sum(state.gap_cost(m, slot) for m in problem.pairs[pair_index].members)
            if best is None or cost < best[0]:
                best = (cost, slot)
        if best is not None:
            state.place(pair_index, best[1])
            placement[pair_index] = best[1]
    return placement
