"""Local search on a placement: moves and swaps of meetings that never add idle time.

Cheap moves evaluated incrementally in Python, thousands per second, between CP-SAT steps:
- move a meeting of a participant with a gap into the gap when the partner is free there;
- otherwise swap it with the partner's meeting in that slot (a two-meeting exchange).
Every move keeps every counting rule (capacity, tables, max_in_a_row); a move is kept when
the lexicographic time cost of the participants involved does not grow.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict

from scheduler.construct import GreedyState
from scheduler.problem import SalonProblem


class Polisher:
    """Incremental state of a placement within one block of sessions."""

    def __init__(
        self, problem: SalonProblem, candidates: dict[int, list[int]], placement: dict[int, int]
    ) -> None:
        self.problem = problem
        self.candidates = {p: set(slots) for p, slots in candidates.items()}
        self.slot_of = dict(placement)
        self.state = GreedyState(problem)
        self.at: dict[tuple[str, int], list[int]] = defaultdict(list)
        self.pairs_of: dict[str, list[int]] = defaultdict(list)
        for p, s in placement.items():
            self.state.place(p, s)
            for member in problem.pairs[p].members:
                self.at[member, s].append(p)
                self.pairs_of[member].append(p)
        self.session_of_slot = [slot.session for slot in problem.slots]

    # ---------------------------------------------------------------- costs

    def idle(self, participant: str, session: int) -> int:
        positions = [
            s for s in self.state.positions[participant] if self.session_of_slot[s] == session
        ]
        if len(positions) < 2:
            return 0
        return max(positions) - min(positions) + 1 - len(positions)

    def cost(self, participants: set[str], session: int) -> int:
        return sum(self.idle(u, session) for u in participants)

    # ---------------------------------------------------------------- moves

    def _remove(self, p: int) -> int:
        slot = self.slot_of.pop(p)
        state = self.state
        for member in self.problem.pairs[p].members:
            state.load[member, slot] -= 1
            state.meetings[member] -= 1
            self.at[member, slot].remove(p)
            if state.load[member, slot] == 0:
                state.positions[member].discard(slot)
        key = state.table_key(p)
        if key is not False:
            state.table_use[key, slot] -= 1  # type: ignore[index]
        return slot

    def _add(self, p: int, slot: int) -> None:
        self.slot_of[p] = slot
        self.state.place(p, slot)
        for member in self.problem.pairs[p].members:
            self.at[member, slot].append(p)

    def try_moves(self, moves: list[tuple[int, int]]) -> bool:
        """Apply (pair, new slot) moves if all fit and the idle time does not grow."""
        session = self.session_of_slot[moves[0][1]]
        involved = {m for p, _ in moves for m in self.problem.pairs[p].members}
        before = self.cost(involved, session)
        old = [(p, self._remove(p)) for p, _ in moves]
        placed = []
        for p, slot in moves:
            if slot not in self.candidates[p] or not self.state.fits(p, slot):
                break
            self._add(p, slot)
            placed.append(p)
        else:
            if self.cost(involved, session) <= before:
                return True
        for p in placed:
            self._remove(p)
        for p, slot in old:
            self._add(p, slot)
        return False

    def gaps(self, participant: str) -> list[int]:
        """Empty slots inside the participant's span, in any session."""
        found: list[int] = []
        positions = self.state.positions[participant]
        for session in {self.session_of_slot[s] for s in positions}:
            mine = [s for s in positions if self.session_of_slot[s] == session]
            low, high = min(mine), max(mine)
            found.extend(s for s in range(low + 1, high) if self.state.load[participant, s] == 0)
        return found

    def improve_participant(self, participant: str, rng: random.Random) -> bool:
        """Try to fill one of the participant's gaps by a move or a swap."""
        gaps = self.gaps(participant)
        if not gaps:
            return False
        gap = rng.choice(gaps)
        pairs = [p for p in self.pairs_of[participant] if gap in self.candidates[p]]
        rng.shuffle(pairs)
        for p in pairs:
            if self.try_moves([(p, gap)]):
                return True
            origin = self.slot_of[p]
            partner = self.problem.pairs[p].other(participant)
            for q in list(self.at[partner, gap]):
                if self.try_moves([(p, gap), (q, origin)]):
                    return True
        return False


def polish(
    problem: SalonProblem,
    candidates: dict[int, list[int]],
    placement: dict[int, int],
    seed: int,
    moves: int,
    deadline: float | None = None,
) -> dict[int, int]:
    """Up to `moves` attempts at filling gaps; deterministic for a seed (the deadline is a
    safety net only)."""
    polisher = Polisher(problem, candidates, placement)
    rng = random.Random(seed)
    participants = sorted(polisher.pairs_of)
    for attempt in range(moves):
        if deadline is not None and attempt % 256 == 0 and time.monotonic() > deadline:
            break
        polisher.improve_participant(rng.choice(participants), rng)
    return dict(polisher.slot_of)
