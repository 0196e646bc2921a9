"""Objective measures of a placement (pair -> slot): coverage, score, idle, breaks."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from scheduler.problem import SalonProblem


def busy_slots(problem: SalonProblem, placement: Mapping[int, int]) -> dict[str, set[int]]:
    """Slots in which each participant has at least one meeting."""
    busy: dict[str, set[int]] = defaultdict(set)
    for pair_index, slot in placement.items():
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


def objective_values(problem: SalonProblem, placement: Mapping[int, int]) -> dict[str, int]:
    """The four objective values of a placement."""
    busy = busy_slots(problem, placement)
    return {
        "coverage": len(busy),
        "score": sum(problem.pairs[p].weight for p in placement),
        "idle": sum(idle_of(problem, s) for s in busy.values()),
        "breaks": sum(breaks_of(problem, s) for s in busy.values()),
    }
