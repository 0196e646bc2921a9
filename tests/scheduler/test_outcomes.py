"""The honest outcomes of a solve: a schedule, InfeasibleError only on a proof,
NoScheduleInTimeError when the time ran out (or the solve was stopped) first; and the proven
lower bounds of the time objectives."""

from __future__ import annotations

import pytest
from salon_builders import interval, make_salon, person, session, wish

from scheduler.errors import InfeasibleError, NoScheduleInTimeError
from scheduler.exact import solve_exact
from scheduler.infeasibility import explain_infeasible
from scheduler.problem import build_problem
from scheduler.progress import SolveOptions
from scheduler.solver import no_schedule_error, solve
from scheduler.validator import validate


def _one_break_forced(spread: int) -> dict[str, object]:
    """C1 must meet D1 (free at 09:00 only) and D2 (free at 09:30 only): C1 has a break that
    nobody else has."""
    return {
        "participants": [
            person("D1", "T1", unavailable=[interval("09:15", "10:00")]),
            person("D2", "T2", unavailable=[interval("09:00", "09:30")]),
            person("C1"),
        ],
        "wishes": [wish("C1", "D1", required=True), wish("C1", "D2", required=True)],
        "spread": spread,
    }


def _salon(spread: int):  # type: ignore[no-untyped-def]
    data = _one_break_forced(spread)
    return make_salon(
        data["participants"],  # type: ignore[arg-type]
        data["wishes"],  # type: ignore[arg-type]
        sessions=[session("09:00", "09:45")],
        max_break_spread=spread,
        objectives=["coverage", "score", "breaks"],
    )


def test_a_spread_the_required_meetings_cannot_keep_is_proven_impossible() -> None:
    salon = _salon(spread=0)
    assert explain_infeasible(build_problem(salon)) == []  # the requirements alone fit...
    with pytest.raises(InfeasibleError) as raised:  # ...the exact model proves the rest
        solve(salon, SolveOptions(time_limit=5, workers=2))
    assert "max_break_spread" in [c.rule for c in raised.value.clashes]
    assert all(c.message_fr for c in raised.value.clashes)


def test_the_same_salon_with_room_for_the_break_is_solved() -> None:
    salon = _salon(spread=1)
    schedule = solve(salon, SolveOptions(time_limit=5, workers=2))
    assert validate(salon, schedule).valid
    assert len(schedule.meetings) == 2
    assert schedule.status == "optimal"


def _crowded():  # type: ignore[no-untyped-def]
    """30 directors, 120 companies asking 25 of them each: its first selection takes CP-SAT
    far longer than a millisecond."""
    directors = [person(f"D{d:02d}", f"T{d:02d}") for d in range(30)]
    companies = [person(f"C{c:03d}") for c in range(120)]
    wishes = [
        wish(f"C{c:03d}", f"D{(7 * c + 11 * k) % 30:02d}") for c in range(120) for k in range(25)
    ]
    unique = list({(w["from"], w["to"]): w for w in wishes}.values())
    return make_salon([*directors, *companies], unique, sessions=[session("09:00", "17:00")])


def test_a_time_out_before_any_schedule_is_not_called_impossible() -> None:
    with pytest.raises(NoScheduleInTimeError) as raised:
        solve(_crowded(), SolveOptions(time_limit=0.001, workers=1))
    assert "NOT proven impossible" in str(raised.value)
    assert "PAS prouvé impossible" in raised.value.french()


def test_no_schedule_without_a_proof_is_a_time_out() -> None:
    problem = build_problem(_salon(spread=1))
    outcome = no_schedule_error(problem, SolveOptions(time_limit=2))
    assert isinstance(outcome, NoScheduleInTimeError)
    assert outcome.seconds == 2


def test_no_schedule_with_a_clash_core_is_impossible() -> None:
    salon = make_salon(
        [person("D1", "T1"), person("C1"), person("C2")],
        [wish("C1", "D1", required=True, pinned="2024-03-14T09:00:00"),
         wish("C2", "D1", required=True, pinned="2024-03-14T09:00:00")],
    )
    outcome = no_schedule_error(build_problem(salon), SolveOptions(time_limit=2))
    assert isinstance(outcome, InfeasibleError)
    assert outcome.clashes


def test_the_exact_model_answers_infeasible_only_with_a_core() -> None:
    result = solve_exact(build_problem(_salon(spread=0)), SolveOptions(workers=1), 5.0)
    assert result.infeasible and not result.found
    # Both required meetings and the spread take part: drop any one and a schedule exists.
    assert sorted(c.rule for c in result.clashes) == [
        "max_break_spread", "required_meeting", "required_meeting"
    ]


# ------------------------------------------------------------ proven time bounds


def _director_with_three_required(max_in_a_row: int):  # type: ignore[no-untyped-def]
    """D1 must hold three meetings in the four slots of 09:00-10:00."""
    return make_salon(
        [person("D1", "T1"), person("C1"), person("C2"), person("C3")],
        [wish(c, "D1", required=True) for c in ("C1", "C2", "C3")],
        max_in_a_row=max_in_a_row,
    )


def test_max_in_a_row_forces_an_idle_slot_and_the_bound_proves_it() -> None:
    schedule = solve(_director_with_three_required(2), SolveOptions(time_limit=5, workers=2))
    idle = next(o for o in schedule.objectives if o.name == "idle")
    assert (idle.value, idle.bound) == (1, 1)  # two in a row, a gap, the third
    assert schedule.status == "optimal"


def test_without_the_limit_no_idle_slot_is_forced() -> None:
    schedule = solve(_director_with_three_required(3), SolveOptions(time_limit=5, workers=2))
    idle = next(o for o in schedule.objectives if o.name == "idle")
    assert (idle.value, idle.bound) == (0, 0)
