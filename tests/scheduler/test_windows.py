"""The window search of tight salons (scheduler.windows): which agendas have a fixed length,
its proven bound of breaks and idle, its schedules keeping every rule, and the pairing
constraint it posts (scheduler.cpsat.TimeModel.add_pairing): it keeps every schedule and holds
no more meetings at once than tables."""

from __future__ import annotations

import random

import pytest
from ortools.sat.python import cp_model
from random_salons import random_salon
from salon_builders import interval, make_salon, person, session, wish

from scheduler.agendas import fixed_windows, windows_apply
from scheduler.cpsat import total
from scheduler.exact import exact_model
from scheduler.format import Salon
from scheduler.measures import objective_values
from scheduler.problem import build_problem
from scheduler.progress import SolveOptions
from scheduler.search import WORK_PER_SECOND, Work
from scheduler.solver import build_schedule
from scheduler.validator import validate
from scheduler.windows import window_search

OPTIONS = SolveOptions(time_limit=10, workers=2, reproducible=True)


def _tight(unavailable_d2: bool, spread: int | None = 2) -> Salon:
    """Every meeting required: C1 meets D1, D2, D3; C2 meets D1 and D2. With D2 away at 09:15
    and C1 free only at the ends for it, C1 cannot hold its three in a row."""
    d2 = person("D2", "T2", unavailable=[interval("09:15", "09:45")] if unavailable_d2 else [])
    return make_salon(
        [person("D1", "T1"), d2, person("D3", "T3"), person("C1"), person("C2")],
        [
            wish("C1", "D1", required=True),
            wish("C1", "D2", required=True),
            wish("C1", "D3", required=True),
            wish("C2", "D1", required=True),
            wish("C2", "D2", required=True),
        ],
        sessions=[session("09:00", "10:00")],
        objectives=["breaks"],
        max_break_spread=spread,
    )


def _search(salon: Salon):  # type: ignore[no-untyped-def]
    return window_search(build_problem(salon), OPTIONS, Work(5 * WORK_PER_SECOND, True))


def test_agendas_of_required_meetings_in_one_session_have_a_fixed_length() -> None:
    windows = fixed_windows(exact_model(build_problem(_tight(unavailable_d2=False))))
    assert {u: w.meetings for u, w in windows.items()} == {
        "C1": 3, "C2": 2, "D1": 2, "D2": 2, "D3": 1,
    }


def test_an_optional_wish_leaves_its_participants_without_a_fixed_length() -> None:
    salon = make_salon(
        [person("D1", "T1"), person("D2", "T2"), person("C1")],
        [wish("C1", "D1", required=True), wish("C1", "D2")],
        sessions=[session("09:00", "10:00")],
        objectives=["coverage", "breaks"],
    )
    assert not windows_apply(build_problem(salon))  # an optional wish: the salon is not tight
    windows = fixed_windows(exact_model(build_problem(salon)))
    assert "C1" not in windows and "D2" not in windows


def test_a_salon_whose_agendas_can_all_be_whole_gets_bound_0_and_no_break() -> None:
    salon = _tight(unavailable_d2=False)
    problem = build_problem(salon)
    assert windows_apply(problem)
    found = _search(salon)
    assert found.bound == 0
    assert found.placement is not None
    assert objective_values(problem, found.placement)["breaks"] == 0
    schedule = build_schedule(problem, found.placement, {}, False, {})
    assert validate(salon, schedule).valid


def test_a_break_that_no_schedule_avoids_is_a_proven_bound() -> None:
    # D2 is away 09:15-09:45: its two meetings take 09:00 and 09:45, so C1 and C2 (who meet D2)
    # cannot both hold their agendas in one piece, and one of D2's own agendas breaks too.
    salon = _tight(unavailable_d2=True)
    problem = build_problem(salon)
    found = _search(salon)
    assert found.bound >= 1
    assert found.placement is not None
    breaks = objective_values(problem, found.placement)["breaks"]
    assert breaks >= found.bound
    assert validate(salon, build_schedule(problem, found.placement, {}, False, {})).valid


def test_a_schedule_over_the_break_spread_is_never_returned() -> None:
    # Spread 0 with a forced break: the window search finds no schedule that keeps the rule.
    salon = _tight(unavailable_d2=True, spread=0)
    found = _search(salon)
    assert found.placement is None
    assert found.bound >= 1


def _most_meetings(salon: Salon, pairing: bool) -> tuple[str, int]:
    """CP-SAT's answer to "the most meetings placed" on the exact model, with or without the
    pairing constraint: (status, value)."""
    model = exact_model(build_problem(salon))
    if pairing:
        model.add_pairing()
    model.model.maximize(total(model.placed.values()))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 20
    status = solver.solve(model.model)
    value = int(solver.objective_value) if status == cp_model.OPTIMAL else -1
    return solver.status_name(status), value


@pytest.mark.parametrize("seed", range(40))
def test_pairing_keeps_every_schedule_of_any_salon(seed: int) -> None:
    """Representatives, home and pooled tables, absences: the pairing is redundant, so the
    optimum (or the proof that none exists) is the same with it."""
    salon = Salon.model_validate(random_salon(random.Random(seed), most=9, most_slots=5))
    assert _most_meetings(salon, pairing=True) == _most_meetings(salon, pairing=False)


def test_pairing_holds_no_more_meetings_at_once_than_tables() -> None:
    """Four participants in one slot but a single table: the pairing alone (its count of the
    tables) allows one meeting, not two."""
    salon = make_salon(
        [person("A"), person("B"), person("C"), person("D")],
        [wish("A", "B"), wish("C", "D")],
        tables=1,
        sessions=[session("09:00", "09:15")],
        objectives=["coverage"],
    )
    model = exact_model(build_problem(salon))
    model.add_pairing()
    for variable in model.x.values():
        model.model.add(variable == 1)  # both meetings at 09:00
    solver = cp_model.CpSolver()
    assert solver.solve(model.model) == cp_model.INFEASIBLE
    solver.parameters.stop_after_presolve = True  # refuted in presolve already
    assert solver.solve(model.model) == cp_model.INFEASIBLE


def test_pairing_counts_representatives_by_their_meetings() -> None:
    """A participant with two representatives holds two meetings at once: three participants
    busy, two meetings held, which the pairing allows (it counts that participant's meetings,
    not its being busy)."""
    salon = make_salon(
        [person("D1", "T1"), person("D2", "T2"), person("C1", representatives=2)],
        [wish("C1", "D1", required=True), wish("C1", "D2", required=True)],
        sessions=[session("09:00", "09:15")],
        objectives=["idle"],
    )
    assert _most_meetings(salon, pairing=False) == ("OPTIMAL", 2)
    assert _most_meetings(salon, pairing=True) == ("OPTIMAL", 2)
