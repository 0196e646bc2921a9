"""The MaxSAT search of tight salons (scheduler.maxsat): its optimum is CP-SAT's proven one,
its schedules keep every rule, and the race beside CP-SAT answers and stops."""

from __future__ import annotations

import random
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from ortools.sat.python import cp_model
from salon_builders import interval, make_salon, person, session, wish

from examples.bench_paper import PAPER_DIR as PAPER
from scheduler.exact import exact_model, exact_stages
from scheduler.format import Salon
from scheduler.maxsat import MaxSatAnswer, MaxSatRace, maxsat_objective, search_upward
from scheduler.measures import objective_values
from scheduler.problem import build_problem
from scheduler.progress import SolveOptions
from scheduler.search import configure, interrupt, interruptible
from scheduler.solver import build_schedule, first_outcome, solve
from scheduler.timetable import TimetableResult
from scheduler.validator import validate


def _random_tight(seed: int, objective: str, spread: int | None) -> Salon:
    """Five directors at home tables, six companies, every wish required, many absences, one
    session of eight slots."""
    rng = random.Random(seed)
    directors = [f"D{i}" for i in range(1, 6)]
    companies = [f"C{i}" for i in range(1, 7)]
    people = []
    for pid in directors + companies:
        fields = {}
        if rng.random() < 0.6:
            start = rng.choice(["09:15", "09:30", "09:45", "10:15"])
            end = {"09:15": "09:30", "09:30": "10:00", "09:45": "10:00", "10:15": "10:45"}[start]
            fields["unavailable"] = [interval(start, end)]
        people.append(person(pid, f"T{pid}" if pid in directors else None, **fields))
    wishes = [
        wish(c, d, required=True)
        for c in companies
        for d in rng.sample(directors, rng.randint(2, 4))
    ]
    return make_salon(
        people,
        wishes,
        sessions=[session("09:00", "11:00")],
        objectives=[objective],
        max_break_spread=spread,
    )


def _cp_sat_optimum(salon: Salon) -> int | None:
    """The salon's time objective proven optimal by CP-SAT's exact model (None: infeasible)."""
    model = exact_model(build_problem(salon))
    (name, expression, _), *_ = [s for s in exact_stages(model) if s[0] == salon.objectives[0]]
    model.model.minimize(expression)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 2
    solver.parameters.max_time_in_seconds = 60
    status = solver.solve(model.model)
    if status == cp_model.INFEASIBLE:
        return None
    assert status == cp_model.OPTIMAL, name
    return int(solver.objective_value)


@pytest.mark.parametrize("objective", ["breaks", "idle"])
@pytest.mark.parametrize("seed", range(8))
def test_the_maxsat_optimum_is_cp_sat_s_and_its_schedule_is_valid(
    seed: int, objective: str
) -> None:
    salon = _random_tight(seed, objective, spread=1)
    problem = build_problem(salon)
    answer = search_upward(problem, objective)
    expected = _cp_sat_optimum(salon)
    if expected is None:
        assert answer is None
        return
    assert answer is not None and answer.cost == expected
    assert objective_values(problem, answer.placement)[objective] == expected
    schedule = build_schedule(problem, answer.placement, {objective: answer.cost}, True, {})
    assert validate(salon, schedule).violations == []


def test_the_break_spread_is_kept_at_any_limit() -> None:
    """Without max_break_spread and with the tightest limits, the optimum is CP-SAT's."""
    for spread in (None, 0, 1):
        salon = _random_tight(3, "breaks", spread)
        answer = search_upward(build_problem(salon), "breaks")
        expected = _cp_sat_optimum(salon)
        assert (answer.cost if answer else None) == expected


def test_a_salon_with_two_time_objectives_is_left_to_cp_sat() -> None:
    salon = _random_tight(0, "breaks", 2).model_copy(update={"objectives": ["idle", "breaks"]})
    assert maxsat_objective(build_problem(salon)) is None


def test_the_race_answers_with_the_optimum_and_stops() -> None:
    salon = _random_tight(1, "breaks", spread=2)
    race = MaxSatRace(salon, "breaks", 120)
    try:
        answer = race.answer(wait=60)
    finally:
        race.stop()
    assert answer is not None and answer.cost == _cp_sat_optimum(salon)


def test_a_race_stopped_at_once_leaves_no_child_and_no_answer() -> None:
    race = MaxSatRace(_random_tight(2, "breaks", spread=2), "breaks", 120)
    race.stop()
    assert race.answer() is None


def test_a_tight_salon_solved_with_its_race_is_proven_optimal() -> None:
    salon = _random_tight(4, "breaks", spread=2)
    schedule = solve(salon, SolveOptions(time_limit=20, workers=2))
    breaks = next(o for o in schedule.objectives if o.name == "breaks")
    assert schedule.status == "optimal" and breaks.value == breaks.bound == _cp_sat_optimum(salon)
    first, best = schedule.stats["first_solution_seconds"], schedule.stats["best_solution_seconds"]
    assert 0 < best <= schedule.stats["seconds"] and first <= schedule.stats["seconds"]


def test_without_a_timetable_the_searches_start_from_the_sat_searchs_schedule() -> None:
    """The timetable placed some required meeting nowhere: its placement is no schedule, the
    SAT search's first one (valid) is where the window search and the exact model start."""
    salon = _random_tight(5, "breaks", spread=2)
    problem = build_problem(salon)
    missing = TimetableResult(placement={}, missing_required=True)
    assert first_outcome(missing, True, None, {}) is None
    race = MaxSatRace(salon, "breaks", 120)
    try:
        deadline = time.monotonic() + 60
        while race.incumbent is None and time.monotonic() < deadline:
            time.sleep(0.05)
        outcome = first_outcome(missing, True, race, {"breaks": 0})
    finally:
        race.stop()
    assert outcome is not None and race.incumbent is not None
    assert outcome.placement == race.incumbent.placement and not outcome.optimal
    schedule = build_schedule(problem, outcome.placement, outcome.bounds, False, {})
    assert validate(salon, schedule).violations == []
    assert outcome.found_at == race.incumbent.found_at  # when the SAT search sent it
    timetable = first_outcome(TimetableResult(placement={0: 1}), True, race, {})
    assert timetable is not None and timetable.placement == {0: 1} and timetable.optimal


def _hard_model() -> cp_model.CpModel:
    """Colour a random graph (60 vertices, half the edges) with the fewest colours: an optimum
    CP-SAT does not prove within minutes."""
    rng = random.Random(7)
    model = cp_model.CpModel()
    vertices, colours = 60, 30
    x = {(v, c): model.new_bool_var(f"x_{v}_{c}") for v in range(vertices) for c in range(colours)}
    used = [model.new_bool_var(f"used_{c}") for c in range(colours)]
    for v in range(vertices):
        model.add_exactly_one(x[v, c] for c in range(colours))
        for c in range(colours):
            model.add_implication(x[v, c], used[c])
    for u in range(vertices):
        for v in range(u + 1, vertices):
            if rng.random() < 0.5:
                for c in range(colours):
                    model.add_bool_or([~x[u, c], ~x[v, c]])
    model.minimize(sum(used))
    return model


def test_an_interrupt_ends_a_running_search_long_before_its_time_limit() -> None:
    stop = threading.Event()
    options = SolveOptions(time_limit=120, workers=2, stop=stop)
    solver = cp_model.CpSolver()
    statuses: list[object] = []
    with interruptible(stop):
        configure(solver, options, 120, workers=2)
        thread = threading.Thread(target=lambda: statuses.append(solver.solve(_hard_model())))
        started = time.monotonic()
        thread.start()
        time.sleep(1)
        interrupt(stop)
        thread.join(timeout=60)
    assert statuses == [cp_model.FEASIBLE] and time.monotonic() - started < 60
    later = cp_model.CpSolver()
    configure(later, options, 120)  # begun after the interrupt: no time at all
    assert later.parameters.max_time_in_seconds <= 0.05


def test_the_race_child_ends_at_its_deadline_with_nothing_proven() -> None:
    salon = _random_tight(5, "breaks", spread=2)
    race = MaxSatRace(salon, "breaks", 0.0)  # a deadline already passed
    try:
        assert race.answer(wait=30) is None and race.bound == 0
    finally:
        race.stop()


def test_each_cost_found_impossible_is_a_proven_bound() -> None:
    salon = _random_tight(3, "breaks", spread=None)
    told: list[int] = []
    firsts: list[MaxSatAnswer] = []
    problem = build_problem(salon)
    answer = search_upward(problem, "breaks", told.append, firsts.append)
    assert answer is not None and told == list(range(1, answer.cost + 1))
    (first,) = firsts  # any schedule first, never better than the optimum
    assert first.cost >= answer.cost == _cp_sat_optimum(salon)
    assert objective_values(problem, first.placement)["breaks"] == first.cost


PARENT = """
import sys
from pathlib import Path
from scheduler.loading import load_salon
from scheduler.maxsat import MaxSatRace
race = MaxSatRace(load_salon(Path(sys.argv[1])), "breaks", 600)
print(race._process.pid, flush=True)
sys.stdin.read()
"""


@pytest.mark.skipif(not PAPER.is_dir(), reason=f"no paper instances at {PAPER}")
def test_the_race_child_ends_when_its_parent_is_killed() -> None:
    """tic-13crafc keeps the SAT search busy for minutes: its parent is killed meanwhile."""
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, str(PAPER / "tic-13crafc.json")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 30
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _alive(child)


def _alive(pid: int) -> bool:
    """True while the process runs (a zombie, ended but not yet reaped by init, is not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"
