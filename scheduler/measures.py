"""Objective measures of a placement (pair -> slot): coverage, fairness, score, idle, breaks."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping

from scheduler.problem import SalonProblem

Placement = Mapping[int, int] | Collection[tuple[int, int]]
"""Pair -> slot, or (pair, slot) meetings: a schedule that breaks one_meeting_per_pair may
hold a pair twice, and each of its meetings keeps its participants busy."""


def meetings_of(placement: Placement) -> Collection[tuple[int, int]]:
    """The (pair, slot) meetings of a placement."""
    return placement.items() if isinstance(placement, Mapping) else placement


def busy_slots(problem: SalonProblem, placement: Placement) -> dict[str, set[int]]:
    """Slots in which each participant has at least one meeting."""
    busy: dict[str, set[int]] = defaultdict(set)
    for pair_index, slot in meetings_of(placement):
        for member in problem.pairs[pair_index].members:
            busy[member].add(slot)
    return busy


def _gaps(problem: SalonProblem, slots: set[int]) -> list[list[int]]:
    """Per session, the runs of empty slots between the first and the last busy one."""
    runs: list[list[int]] = []
    for session_slots in problem.session_slots.values():
        used = [i for i, s in enumerate(session_slots) if s in slots]
        if len(used) < 2:
            continue
        current: list[int] = []
        for position in range(used[0], used[-1] + 1):
            if session_slots[position] in slots:
                if current:
                    runs.append(current)
                current = []
            else:
                current.append(session_slots[position])
    return runs


def idle_of(problem: SalonProblem, slots: set[int]) -> int:
    """Empty slots between a participant's first and last meeting, summed over sessions."""
    return sum(len(run) for run in _gaps(problem, slots))


def breaks_of(problem: SalonProblem, slots: set[int]) -> int:
    """Idle periods (maximal runs of empty slots between two meetings) over sessions."""
    return len(_gaps(problem, slots))


def fairness_levels(problem: SalonProblem) -> int:
    """K, the most partners any participant may meet (its wishes and requests not declined).

    A participant's k-th meeting is worth K + 1 - k in the fairness objective: each meeting
    counts, with diminishing returns for the one who already has many.
    """
    counts = [
        sum(1 for p in pairs if not problem.pairs[p].declined)
        for pairs in problem.pairs_of.values()
    ]
    return max(counts, default=0)


def fairness_of(levels: int, meetings: int) -> int:
    """The fairness worth of one participant's `meetings`: K + (K - 1) + ... (meetings terms)."""
    return sum(max(1, levels + 1 - k) for k in range(1, meetings + 1))


def objective_values(problem: SalonProblem, placement: Placement) -> dict[str, int]:
    """The objective values of a placement (a pair met twice scores once)."""
    busy = busy_slots(problem, placement)
    pairs = {pair_index for pair_index, _ in meetings_of(placement)}
    met: dict[str, int] = defaultdict(int)
    for pair_index in pairs:
        for member in problem.pairs[pair_index].members:
            met[member] += 1
    levels = fairness_levels(problem)
    return {
        "coverage": len(busy),
        "fairness": sum(fairness_of(levels, count) for count in met.values()),
        "score": sum(problem.pairs[p].weight for p in pairs),
        "idle": sum(idle_of(problem, s) for s in busy.values()),
        "breaks": sum(breaks_of(problem, s) for s in busy.values()),
    }
