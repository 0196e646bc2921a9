"""Agendas as patterns (scheduler.agendas): the patterns are exactly the agendas within the cap,
and posting them keeps the optimum of every tight salon."""

from __future__ import annotations

import itertools
import random

import pytest
from ortools.sat.python import cp_model
from salon_builders import interval, make_salon, person, session, wish

from scheduler.agendas import add_schedule_patterns, agenda_cap, agenda_patterns, windows_apply
from scheduler.exact import exact_model, exact_stages, first_schedule
from scheduler.format import Salon
from scheduler.measures import objective_values
from scheduler.problem import SalonProblem, build_problem
from scheduler.progress import SolveOptions
from scheduler.search import solve_portfolio


def _every_agenda(
    possible: list[bool], meetings: int, measure: str, cap: int
) -> list[tuple[tuple[int, ...], int, int]]:
    """By brute force: (positions, idle, breaks) of each agenda within the cap."""
    found = []
    free = [i for i, ok in enumerate(possible) if ok]
    for busy in itertools.combinations(free, meetings):
        idle = busy[-1] - busy[0] + 1 - meetings
        breaks = sum(1 for a, b in itertools.pairwise(busy) if b > a + 1)
        if (idle, breaks)[measure == "breaks"] <= cap:
            found.append((busy, idle, breaks))
    return sorted(found)


@pytest.mark.parametrize("seed", range(200))
def test_the_patterns_are_every_agenda_within_the_cap(seed: int) -> None:
    rng = random.Random(seed)
    slots = rng.randint(1, 12)
    possible = [rng.random() < 0.85 for _ in range(slots)]
    meetings = rng.randint(1, slots)
    measure, cap = rng.choice(["idle", "breaks"]), rng.randint(0, 4)
    patterns = agenda_patterns(possible, meetings, measure, cap, limit=10**6)
    assert patterns is not None
    got = sorted((p.busy, p.idle, p.breaks) for p in patterns)
    assert got == _every_agenda(possible, meetings, measure, cap)


def test_more_patterns_than_the_limit_are_none() -> None:
    assert agenda_patterns([True] * 10, 5, "breaks", 5, limit=3) is None
    assert agenda_patterns([True] * 10, 5, "breaks", 0, limit=6) is not None  # 6 windows


def _tight_salon(seed: int) -> Salon:
    """A random tight salon: one session of 4 to 8 slots, directors at home tables or not,
    every wish required, some absences, a time objective, max_break_spread or not."""
    rng = random.Random(seed)
    slots = rng.randint(4, 8)
    end = f"{9 + (slots * 15) // 60:02d}:{(slots * 15) % 60:02d}"
    people = []
    for index in range(rng.randint(4, 9)):
        table = f"T{index}" if rng.random() < 0.3 else None
        away = [interval("09:15", "09:30")] if rng.random() < 0.2 else []
        people.append(person(f"P{index}", table, unavailable=away))
    pairs = list(itertools.combinations([p["id"] for p in people], 2))
    chosen = rng.sample(pairs, rng.randint(len(people), min(len(pairs), 2 * len(people))))
    homes = [p["table"] for p in people if p.get("table")]
    return make_salon(
        people,
        [wish(a, b, required=True) for a, b in chosen],
        tables=[*homes, *(f"pool{k}" for k in range(rng.randint(1, 3)))],
        sessions=[session("09:00", end)],
        objectives=rng.choice([["breaks"], ["idle"], ["idle", "breaks"], ["breaks", "idle"]]),
        max_break_spread=rng.choice([None, 1, 2]),
    )


def _first_schedule(problem: SalonProblem) -> dict[int, int] | None:
    """Any schedule of the exact model (max_break_spread posted), None when there is none."""
    model = exact_model(problem)
    exact_stages(model)
    return first_schedule(model, SolveOptions(workers=1), seconds=20).placement


def _optimum(salon: Salon, patterns: bool) -> tuple[str, int, int]:
    """(status, optimum of the first time objective, patterns posted) on the exact model, the
    patterns capped by a first schedule's value; ("none", 0, 0) without a schedule."""
    problem = build_problem(salon)
    start = _first_schedule(problem)
    if start is None:
        return "none", 0, 0
    model = exact_model(problem)
    posted = add_schedule_patterns(model, objective_values(problem, start)) if patterns else 0
    _, expression, _ = exact_stages(model)[0]
    model.model.minimize(expression)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 20
    status = solver.solve(model.model)
    return solver.status_name(status), int(solver.objective_value), posted


@pytest.mark.parametrize("seed", range(60))
def test_patterns_keep_the_optimum_of_any_tight_salon(seed: int) -> None:
    """Capped by a schedule the salon has, the patterns keep every schedule at least as good:
    the optimum of the first time objective (max_break_spread posted) is the same, and so is
    the proof that no schedule exists."""
    salon = _tight_salon(seed)
    assert _optimum(salon, patterns=True)[:2] == _optimum(salon, patterns=False)[:2]


def test_the_random_tight_salons_do_post_patterns() -> None:
    """The test above is not vacuous: most of its salons are tight and get patterns."""
    posted = [_optimum(_tight_salon(seed), patterns=True)[2] for seed in range(60)]
    assert sum(1 for count in posted if count) >= 30


def test_a_salon_that_is_not_tight_gets_no_pattern() -> None:
    """An optional wish: a schedule that covers more may have more idle time, so its value caps
    nothing."""
    salon = make_salon(
        [person("D1", "T1"), person("C1"), person("C2")],
        [wish("C1", "D1", required=True), wish("C2", "D1")],
        sessions=[session("09:00", "10:00")],
        objectives=["coverage", "idle"],
    )
    problem = build_problem(salon)
    assert not windows_apply(problem)
    assert add_schedule_patterns(exact_model(problem), {"coverage": 3, "idle": 0}) == 0


def _crossed(max_break_spread: int | None = None) -> Salon:
    """Three companies each meet the same three directors in three slots: every agenda can be
    whole (a Latin square), none with fewer meetings."""
    directors = [person(f"D{i}", f"T{i}") for i in range(1, 4)]
    companies = [person(f"C{i}") for i in range(1, 4)]
    wishes = [wish(c["id"], d["id"], required=True) for c in companies for d in directors]
    return make_salon(
        [*directors, *companies],
        wishes,
        sessions=[session("09:00", "10:00")],
        objectives=["breaks"],
        max_break_spread=max_break_spread,
    )


def test_the_spread_caps_each_agenda_once_someone_has_no_break() -> None:
    """Fewer breaks in all than participants: someone has none, so under max_break_spread 1
    nobody has more than 1."""
    model = exact_model(build_problem(_crossed(max_break_spread=1)))
    assert [agenda_cap(model, "breaks", value) for value in (0, 1, 3, 5)] == [0, 1, 1, 1]


def test_the_total_caps_each_agenda_when_the_spread_says_nothing() -> None:
    """As many breaks as participants (6), no max_break_spread, or idle time: the total."""
    spread = exact_model(build_problem(_crossed(max_break_spread=1)))
    assert [agenda_cap(spread, "breaks", value) for value in (6, 9)] == [6, 9]
    assert agenda_cap(spread, "idle", 3) == 3
    free = exact_model(build_problem(_crossed()))
    assert agenda_cap(free, "breaks", 3) == 3


def test_the_fullest_linear_relaxation_proves_the_optimum_beside_cp_sat() -> None:
    """The portfolio with the LP search: the patterned model's optimum is found and proven."""
    salon = _crossed()
    problem = build_problem(salon)
    start = _first_schedule(problem)
    assert start is not None
    model = exact_model(problem)
    assert add_schedule_patterns(model, objective_values(problem, start)) > 0
    name, expression, maximise = exact_stages(model)[0]
    model.model.minimize(expression)
    options = SolveOptions(time_limit=10, workers=2)
    answer = solve_portfolio(model, options, 10, 2, maximise, core=False, lp=True)
    assert answer.status == cp_model.OPTIMAL
    assert (answer.value, answer.bound) == (0, 0)
