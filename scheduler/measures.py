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


FAIRNESS_SCALE = 2520
"""The worth of a participant's first meeting in the fairness objective (lcm of 1..10)."""


def meeting_worth(k: int) -> int:
    """The worth of a participant's k-th meeting: FAIRNESS_SCALE / k, rounded down.

    Each meeting counts, and a participant's second counts twice its fourth: the sum is the
    proportional fairness (a logarithmic utility) of bandwidth sharing, in integers.
    """
    return FAIRNESS_SCALE // k


def fairness_of(meetings: int) -> int:
    """The fairness worth of a participant holding `meetings` meetings."""
    return sum(meeting_worth(k) for k in range(1, meetings + 1))


def objective_values(problem: SalonProblem, placement: Placement) -> dict[str, int]:
    """The objective values of a placement (a pair met twice scores once)."""
    busy = busy_slots(problem, placement)
    pairs = {pair_index for pair_index, _ in meetings_of(placement)}
    met: dict[str, int] = defaultdict(int)
    for pair_index in pairs:
        for member in problem.pairs[pair_index].members:
            met[member] += 1
    return {
        "coverage": len(busy),
        "fairness": sum(fairness_of(count) for count in met.values()),
        "score": sum(problem.pairs[p].weight for p in pairs),
        "idle": sum(idle_of(problem, s) for s in busy.values()),
        "breaks": sum(breaks_of(problem, s) for s in busy.values()),
    }
