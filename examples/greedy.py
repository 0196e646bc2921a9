"""The greedy baseline, kept to compare the solver with.

Pairs are taken by weight, heaviest first (required pairs before all others, ties in file
order), and each goes to the first slot in time order where the pair is allowed
(`pair.allowed`), both participants have a free representative, a table is free (the home
table, or a free table of the pool) and no cap is broken (`max_meetings`, `max_in_a_row`).
A pair that fits nowhere is left out; `explain_unscheduled` says why.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field

from scheduler.bounds import naive_bounds
from scheduler.explain import explain_unscheduled
from scheduler.format import ObjectiveValue, Salon, Schedule, ScheduledMeeting
from scheduler.measures import objective_values
from scheduler.problem import Pair, SalonProblem, build_problem


@dataclass
class GreedyState:
    """What the placed meetings already use: people, tables, caps."""

    problem: SalonProblem
    placement: dict[int, int] = field(default_factory=dict)
    tables: dict[int, str] = field(default_factory=dict)
    load: dict[tuple[str, int], int] = field(default_factory=lambda: defaultdict(int))
    meetings: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    taken_tables: set[tuple[str, int]] = field(default_factory=set)
    session_slots: dict[int, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.session_slots = self.problem.session_slots

    def free_table(self, pair: Pair, slot: int) -> str | None:
        """The pair's home table if free, else the first free table of the pool, else None."""
        if pair.home_table is not None:
            return None if (pair.home_table, slot) in self.taken_tables else pair.home_table
        for table in self.problem.pool_tables:
            if (table, slot) not in self.taken_tables:
                return table
        return None

    def has_room(self, participant: str, slot: int) -> bool:
        """A free representative at the slot, under `max_meetings` and `max_in_a_row`."""
        person = self.problem.participants[participant]
        if self.load[participant, slot] >= person.representatives:
            return False
        if person.max_meetings is not None and self.meetings[participant] >= person.max_meetings:
            return False
        return self.load[participant, slot] > 0 or self.run_length(participant, slot) <= (
            self.problem.salon.max_in_a_row or len(self.problem.slots)
        )

    def run_length(self, participant: str, slot: int) -> int:
        """Consecutive busy slots of the session around `slot` if the participant met there."""
        session = self.session_slots[self.problem.slots[slot].session]
        position = self.problem.slots[slot].position
        run = 1
        for step in (-1, 1):
            cursor = position + step
            while 0 <= cursor < len(session) and self.load[participant, session[cursor]] > 0:
                run += 1
                cursor += step
        return run

    def place(self, pair: Pair, slot: int, table: str) -> None:
        self.placement[pair.index] = slot
        self.tables[pair.index] = table
        self.taken_tables.add((table, slot))
        for member in pair.members:
            self.load[member, slot] += 1
            self.meetings[member] += 1


def greedy_order(problem: SalonProblem) -> list[Pair]:
    """Required pairs first, then by weight descending; ties keep the file order."""
    return sorted(problem.pairs, key=lambda p: (not p.required, -p.weight, p.index))


def place_greedily(problem: SalonProblem) -> GreedyState:
    """Each pair in turn at its first workable slot."""
    state = GreedyState(problem)
    for pair in greedy_order(problem):
        for slot in pair.allowed:
            table = state.free_table(pair, slot)
            if table is not None and all(state.has_room(m, slot) for m in pair.members):
                state.place(pair, slot, table)
                break
    return state


def greedy_schedule(salon: Salon, problem: SalonProblem | None = None) -> Schedule:
    """The greedy baseline's schedule/v1, with naive bounds and its timings in `stats`."""
    started = time.perf_counter()
    problem = problem or build_problem(salon)
    state = place_greedily(problem)
    placement = state.placement
    values = objective_values(problem, placement)
    bounds = naive_bounds(problem)
    meetings = [
        ScheduledMeeting.model_validate(
            {
                "from": problem.pairs[p].first,
                "to": problem.pairs[p].second,
                "start": problem.slots[s].start,
                "end": problem.slots[s].end,
                "table": state.tables[p],
            }
        )
        for p, s in sorted(placement.items(), key=lambda item: (item[1], state.tables[item[0]]))
    ]
    placed_seconds = time.perf_counter() - started
    unscheduled = explain_unscheduled(problem, placement)
    unplaced_required = [
        p.index for p in problem.pairs if p.required and p.index not in placement
    ]
    return Schedule(
        salon=salon.name,
        status="feasible",
        objectives=[
            ObjectiveValue(name=name, value=values[name], bound=bounds[name])
            for name in salon.objectives
        ],
        meetings=meetings,
        unscheduled=unscheduled,
        stats={
            "method": "greedy",
            "seconds": round(time.perf_counter() - started, 3),
            "first_solution_seconds": round(placed_seconds, 3),
            "pairs": len(problem.pairs),
            "placed": len(placement),
            "required_unplaced": len(unplaced_required),
        },
    )
