"""Objective measures on hand-made placements: idle slots and breaks count within sessions only.

The salon has two sessions of four slots: slots 0-3 in the morning (09:00-10:00), slots 4-7
in the afternoon (14:00-15:00).
"""

from __future__ import annotations

import pytest
from salon_builders import make_salon, person, session, wish

from scheduler.measures import breaks_of, busy_slots, idle_of, objective_values
from scheduler.problem import SalonProblem, build_problem


@pytest.fixture(scope="module")
def problem() -> SalonProblem:
    salon = make_salon(
        [person("D1", "T1"), person("D2", "T2"), person("D3", "T3"), person("C1"), person("C2")],
        [
            wish("C1", "D1", priority=1),
            wish("C1", "D2"),
            wish("C1", "D3", priority=3),
            wish("C2", "D1"),
            wish("D1", "C2", priority=1),
        ],
        sessions=[session("14:00", "15:00"), session("09:00", "10:00")],
    )
    return build_problem(salon)


def test_slots_are_numbered_in_time_order(problem: SalonProblem) -> None:
    assert [s.start.strftime("%H:%M") for s in problem.slots[:5]] == [
        "09:00",
        "09:15",
        "09:30",
        "09:45",
        "14:00",
    ]
    assert problem.session_slots == {1: [0, 1, 2, 3], 0: [4, 5, 6, 7]}


@pytest.mark.parametrize(
    ("slots", "idle", "breaks"),
    [
        (set(), 0, 0),
        ({2}, 0, 0),
        ({0, 1, 2, 3}, 0, 0),
        ({0, 3}, 2, 1),
        ({0, 2}, 1, 1),
        ({0, 2, 3}, 1, 1),
        ({0, 1, 3}, 1, 1),
        ({0, 2, 4, 6}, 2, 2),
        ({0, 1, 3, 5, 7}, 2, 2),
        # The last morning slot and the first afternoon one: the lunch is no idle time.
        ({3, 4}, 0, 0),
        ({0, 7}, 0, 0),
        ({0, 3, 4, 7}, 4, 2),
    ],
)
def test_idle_and_breaks_of_a_participant(
    problem: SalonProblem, slots: set[int], idle: int, breaks: int
) -> None:
    assert idle_of(problem, slots) == idle
    assert breaks_of(problem, slots) == breaks


def test_objective_values_of_a_placement(problem: SalonProblem) -> None:
    pair = {frozenset(p.members): p.index for p in problem.pairs}
    placement = {
        pair[frozenset(("C1", "D1"))]: 0,
        pair[frozenset(("C1", "D3"))]: 3,
        pair[frozenset(("C2", "D1"))]: 4,
    }
    assert busy_slots(problem, placement) == {
        "C1": {0, 3},
        "D1": {0, 4},
        "D3": {3},
        "C2": {4},
    }
    # C1-D1 weighs 3, C1-D3 1, the mutual C2-D1 2 + 3; C1 waits at 09:15 and 09:30.
    # Fairness: C1 and D1 meet twice (2520 + 1260 each), D3 and C2 once (2520 each).
    assert objective_values(problem, placement) == {
        "coverage": 4,
        "fairness": 3780 + 3780 + 2520 + 2520,
        "score": 3 + 1 + 5,
        "idle": 2,
        "breaks": 1,
    }


def test_an_empty_placement_measures_zero(problem: SalonProblem) -> None:
    assert objective_values(problem, {}) == {
        "coverage": 0,
        "fairness": 0,
        "score": 0,
        "idle": 0,
        "breaks": 0,
    }


def test_a_declined_wish_weighs_nothing() -> None:
    salon = make_salon(
        [person("D1", "T1"), person("C1")],
        [wish("C1", "D1", priority=1, declined=True), wish("D1", "C1", priority=3)],
    )
    problem = build_problem(salon)
    [pair] = problem.pairs
    assert not pair.declined
    assert pair.weight == 1
    assert objective_values(problem, {pair.index: 0})["score"] == 1
