"""The fairness objective: each meeting counts, with diminishing returns per participant.

Slots of the default salon: 09:00, 09:15, 09:30, 09:45 (six with the longer session below).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest
from salon_builders import at, make_salon, person, session, wish

from scheduler.changes import apply_changes, load_changes
from scheduler.errors import FileFormatError
from scheduler.format import Salon, Schedule
from scheduler.measures import fairness_of, meeting_worth, objective_values
from scheduler.problem import build_problem
from scheduler.progress import SolveOptions
from scheduler.repair import repair
from scheduler.solver import solve
from scheduler.validator import validate

OPTIONS = SolveOptions(time_limit=2, workers=1)


def _solve(salon: Salon) -> Schedule:
    schedule = solve(salon, OPTIONS)
    report = validate(salon, schedule)
    assert report.violations == []
    assert {o.name: o.value for o in schedule.objectives} == {
        name: report.objectives[name] for name in salon.objectives
    }
    return schedule


def _meetings_per(schedule: Schedule, *ids: str) -> dict[str, int]:
    counts = Counter(m for meeting in schedule.meetings for m in (meeting.from_, meeting.to))
    return {pid: counts[pid] for pid in ids}


def _six_directors(objectives: list[str]) -> Salon:
    """D1..D6 hold one meeting each; A wants them all most, B wants them all least."""
    directors = [person(f"D{i}", f"T{i}", max_meetings=1) for i in range(1, 7)]
    wishes = [wish("A", f"D{i}", priority=1) for i in range(1, 7)]
    wishes += [wish("B", f"D{i}", priority=3) for i in range(1, 7)]
    return make_salon(
        [*directors, person("A"), person("B")],
        wishes,
        sessions=[session("09:00", "10:30")],
        objectives=objectives,
    )


def test_fairness_of_is_a_sum_of_diminishing_worths() -> None:
    assert fairness_of(0) == 0
    assert fairness_of(3) == 2520 + 1260 + 840
    assert meeting_worth(2) == 2 * meeting_worth(4)
    assert meeting_worth(11) == 229  # rounded down
    assert all(meeting_worth(k) > meeting_worth(k + 1) > 0 for k in range(1, 50))


def test_fairness_balances_the_meetings() -> None:
    balanced = _solve(_six_directors(["coverage", "fairness", "score", "idle"]))
    assert _meetings_per(balanced, "A", "B") == {"A": 3, "B": 3}
    fairness = next(o for o in balanced.objectives if o.name == "fairness")
    assert fairness.value == fairness.bound  # proven optimal by the selection relaxation


def test_without_fairness_the_heaviest_wishes_win() -> None:
    by_score = _solve(_six_directors(["coverage", "score", "idle"]))
    assert _meetings_per(by_score, "A", "B") == {"A": 5, "B": 1}


def test_fairness_is_measured_on_any_placement() -> None:
    salon = _six_directors(["coverage", "fairness", "score"])
    problem = build_problem(salon)
    pairs = {frozenset(pair.members): pair.index for pair in problem.pairs}
    lopsided = {pairs[frozenset(("A", f"D{i}"))]: i - 1 for i in range(1, 6)}
    lopsided[pairs[frozenset(("B", "D6"))]] = 5
    values = objective_values(problem, lopsided)
    # A: 2520 + 1260 + 840 + 630 + 504, B and each director: 2520 for its one meeting.
    assert values["fairness"] == 5754 + 2520 + 6 * 2520


def test_fairness_must_come_before_the_time_objectives() -> None:
    with pytest.raises(FileFormatError) as error:
        _six_directors(["coverage", "idle", "fairness"])
    assert "$.objectives" in str(error.value) and "fairness" in str(error.value)


def _waiting_list_salon(objectives: list[str]) -> Salon:
    """D1..D4 hold one meeting each; C only wants D4; A outweighs B everywhere else."""
    directors = [person(f"D{i}", f"T{i}", max_meetings=1) for i in range(1, 5)]
    wishes: list[dict[str, Any]] = [wish("A", f"D{i}", priority=1) for i in range(1, 5)]
    wishes += [wish("B", f"D{i}", priority=3) for i in range(1, 5)]
    wishes.append(wish("C", "D4", priority=1))
    return make_salon(
        [*directors, person("A"), person("B"), person("C")], wishes, objectives=objectives
    )


@pytest.mark.parametrize(
    ("objectives", "gets_d4"),
    [(["coverage", "fairness", "score"], "B"), (["coverage", "score"], "A")],
)
def test_repair_gives_a_freed_slot_by_fairness(objectives: list[str], gets_d4: str) -> None:
    salon = _waiting_list_salon(objectives)
    schedule = _solve(salon)
    assert _meetings_per(schedule, "A", "B", "C") == {"A": 2, "B": 1, "C": 1}
    changes = load_changes(
        {
            "format": "changes/v1",
            "changes": [{"kind": "participant_cancelled", "participant": "C", "from": at("09:00")}],
        }
    )
    now = dt.datetime.fromisoformat(at("08:50"))
    repaired = repair(salon, schedule, changes, now, OPTIONS)
    changed = apply_changes(salon, schedule, changes, now).salon
    assert validate(changed, repaired).violations == []
    [d4] = [m for m in repaired.meetings if "D4" in (m.from_, m.to)]
    assert gets_d4 in (d4.from_, d4.to)
    for objective in repaired.objectives:
        if objective.name in ("coverage", "fairness", "score"):
            assert objective.value <= objective.bound


def test_relaxation_bounds_fairness_only_when_listed() -> None:
    from scheduler.bounds import relaxation_bounds

    plain = relaxation_bounds(
        build_problem(_six_directors(["coverage", "score"])), time_limit=2, workers=1
    )
    assert plain.fairness is None
    fair_salon = _six_directors(["coverage", "fairness", "score"])
    bounds = relaxation_bounds(build_problem(fair_salon), time_limit=2, workers=1)
    schedule = _solve(fair_salon)
    fairness = next(o for o in schedule.objectives if o.name == "fairness")
    # Alone, fairness is at its best with A and B at 3 meetings each: the solve reaches it.
    assert bounds.fairness == fairness.value == 2 * fairness_of(3) + 6 * fairness_of(1)
