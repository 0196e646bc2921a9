"""The solve: selection relaxation, per-session timetables, and the exact model beside them.

1. Selection (scheduler.bounds): choose which pairs meet and in which session, lexicographically
   on the choice objectives (coverage, fairness, score). It is a relaxation, so its optimum is a
   proven bound; an INFEASIBLE answer proves the salon impossible.
2. Timetable (scheduler.timetable): for each session (all sessions together when
   max_break_spread couples them), place every selected pair in a slot under every counting rule
   of scheduler.rules, minimising the time objectives (idle, breaks).
   On a tight salon (every possible meeting required), the window search (scheduler.windows)
   follows: agendas kept in one piece where it can, and a proven lower bound of idle and breaks.
   On such a salon with one time objective, a SAT search (scheduler.maxsat) runs from the
   start in a child process: its bounds are proven, and once it has proven its optimum the
   running searches end and its schedule is the answer (not in reproducible mode).
3. Exact model (scheduler.exact), on salons small enough for it: the whole salon in one
   time-indexed CP-SAT model, every worker, hinted by the timetable's schedule, for the rest of
   the time. It can only improve the schedule, proves bounds for every objective, and its
   INFEASIBLE answer is a proof.

Outcomes are honest: a schedule (status "optimal" only when every objective meets its proven
bound), InfeasibleError only on a proof (a clash core, or an exact model that answered
INFEASIBLE), NoScheduleInTimeError when the time ran out before any schedule was found.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from ortools.sat.python import cp_model

from scheduler.agendas import windows_apply
from scheduler.bounds import build_selection_model, naive_bounds, time_bounds
from scheduler.cpsat import CHOICE_OBJECTIVES, assign_tables, time_objectives
from scheduler.errors import Clash, InfeasibleError, NoScheduleInTimeError
from scheduler.exact import exact_fits, solve_exact
from scheduler.explain import explain_unscheduled
from scheduler.format import ObjectiveValue, Salon, Schedule, ScheduledMeeting
from scheduler.infeasibility import explain_infeasible, pair_clash
from scheduler.maxsat import MaxSatAnswer, MaxSatRace, maxsat_objective
from scheduler.measures import objective_values
from scheduler.problem import SalonProblem, build_problem
from scheduler.progress import Clock, Progress, SolveOptions
from scheduler.search import (
    WALL_DEADLINE,
    WORK_PER_SECOND,
    Work,
    configure,
    interrupt,
    interruptible,
)
from scheduler.sessions import assign_sessions
from scheduler.timetable import TimetableResult, solve_requirements_first, solve_timetable
from scheduler.windows import window_search

FINISH_MARGIN = 0.12
"""Part of the time limit kept for building the schedule and its explanations at the end."""

SELECTION_SHARE = 0.3
"""Most of the time limit the selection may take (it stops as soon as it is proven)."""

TIMETABLE_SHARE = 0.85
"""Part of the time limit planned for the timetable when it works alone."""

DECOMPOSITION_SHARE = 0.1
"""Part of what is left after the selection that the timetable gets when the exact model runs
after it (the exact model gets the rest)."""

RACE_POLL_SECONDS = 0.2
"""How often the MaxSAT search (and a stop of the solve) is looked at during the searches."""

WINDOW_SHARE = 0.6
"""Part of what is left after the timetable that the window search takes on a tight salon
(scheduler.windows; the exact model gets the rest)."""

WINDOW_SHARE_WITHOUT_SCHEDULE = 0.3
"""WINDOW_SHARE when no schedule is known yet (neither the timetable's nor the SAT search's):
the exact model keeps more of the time, as its first schedule may be the only one found."""


@dataclass
class Selection:
    """Pairs chosen by the selection stage, with the session of each."""

    session_of: dict[int, int]
    values: dict[str, int]
    bounds: dict[str, int]
    optimal: bool


def _requirement_clashes(problem: SalonProblem, options: SolveOptions) -> list[Clash]:
    """The smallest set of requirements found that cannot hold together."""
    selection = build_selection_model(problem, with_requirements=True)
    selection.model.add_assumptions(list(selection.requirements))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.catch_sigint_signal = False
    solver.parameters.max_time_in_seconds = 10
    status = solver.solve(selection.model)
    clashes = []
    if status == cp_model.INFEASIBLE:
        for index in solver.sufficient_assumptions_for_infeasibility():
            literal = selection.model.get_bool_var_from_proto_index(index)
            clashes.append(pair_clash(problem, problem.pairs[selection.requirements[literal]]))
    return clashes or _unplaceable_requirements(problem)


def _unplaceable_requirements(problem: SalonProblem) -> list[Clash]:
    """The required meetings without any possible slot, with each one's free times."""
    return [pair_clash(problem, p) for p in problem.pairs if p.required and not p.allowed]


def _solution_hint(
    model: cp_model.CpModel, solver: cp_model.CpSolver
) -> dict[cp_model.IntVar, int]:
    """Every variable's value in the solver's solution: a complete hint for the next stage."""
    variables = (model.get_int_var_from_proto_index(i) for i in range(len(model.proto.variables)))
    return {variable: solver.value(variable) for variable in variables}


def select_pairs(
    problem: SalonProblem, options: SolveOptions, clock: Clock, budget: float
) -> Selection:
    """Lexicographic selection on the choice objectives; raises InfeasibleError on clashes."""
    if any(p.required and not p.allowed for p in problem.pairs):
        raise InfeasibleError(_unplaceable_requirements(problem))
    selection = build_selection_model(problem)
    names: list[str | None] = [n for n in problem.salon.objectives if n in CHOICE_OBJECTIVES]
    values: dict[str, int] = {}
    bounds: dict[str, int] = {}
    optimal = True
    hint: dict[cp_model.IntVar, int] | None = None
    stage_budget = budget / max(1, len(names))
    remaining = budget
    solver = cp_model.CpSolver()
    for done, name in enumerate(names or [None]):
        model = selection.model
        if name:
            model.maximize(selection.objectives[name])
        if hint:
            model.clear_hints()
            for variable, value in hint.items():
                model.add_hint(variable, value)
        # What an earlier stage left of its share goes to the later ones. One worker with the
        # full LP closes this relaxation fastest, and deterministically.
        configure(solver, options, remaining / (max(1, len(names)) - done), workers=1)
        solver.parameters.linearization_level = 2
        status = solver.solve(model)
        spent = solver.deterministic_time / WORK_PER_SECOND
        remaining = max(0.0, remaining - (spent if options.reproducible else solver.wall_time))
        if status == cp_model.INFEASIBLE:
            clashes = explain_infeasible(problem) or _requirement_clashes(problem, options)
            raise InfeasibleError(clashes)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            if hint is None:
                raise NoScheduleInTimeError(options.time_limit, stopped=options.stopped)
            # An earlier stage's selection stands; this objective keeps the naive bound (every
            # allowed pair met): CP-SAT's bound is not reliable before it has any solution.
            optimal = False
            if name:
                bounds[name] = naive_bounds(problem)[name]
            continue
        hint = _solution_hint(model, solver)
        if name:
            values[name] = int(solver.objective_value)
            bounds[name] = int(round(solver.best_objective_bound))
            optimal = optimal and status == cp_model.OPTIMAL
            model.add(selection.objectives[name] >= values[name])
            options.report(Progress("selection", clock.elapsed, dict(values), dict(bounds)))
    chosen = [p for p, v in selection.selected.items() if hint and hint[v]]
    session_of = assign_sessions(problem, chosen, options.workers, options.seed, stage_budget)
    return Selection(session_of, values, bounds, optimal)


def build_schedule(
    problem: SalonProblem,
    placement: dict[int, int],
    bounds: dict[str, int],
    optimal: bool,
    stats: dict[str, object],
) -> Schedule:
    """A schedule/v1 from a placement (pair -> slot)."""
    tables = assign_tables(problem, placement)
    meetings = [
        ScheduledMeeting.model_validate(
            {
                "from": problem.pairs[p].first,
                "to": problem.pairs[p].second,
                "start": problem.slots[s].start,
                "end": problem.slots[s].end,
                "table": tables[p],
            }
        )
        for p, s in sorted(placement.items(), key=lambda item: (item[1], tables[item[0]]))
    ]
    values = objective_values(problem, placement)
    objectives = [
        ObjectiveValue(name=name, value=values[name], bound=bounds.get(name, 0))
        for name in problem.salon.objectives
    ]
    # "optimal" only when every objective reaches its proven bound.
    optimal = optimal and all(o.value == o.bound for o in objectives)
    return Schedule(
        salon=problem.salon.name,
        status="optimal" if optimal else "feasible",
        objectives=objectives,
        meetings=meetings,
        unscheduled=explain_unscheduled(problem, placement),
        stats=stats,
    )


def _place_requirements_first(
    problem: SalonProblem,
    selection: Selection,
    options: SolveOptions,
    clock: Clock,
    short: TimetableResult,
) -> TimetableResult:
    """When the sessions chosen cannot hold the required meetings (`short` fell short): the
    whole salon in one model, only the required compulsory, from what `short` placed."""
    seconds = _search_left(options, clock)
    return solve_requirements_first(
        problem, selection.session_of, options, seconds, short.placement
    )


def no_schedule_error(problem: SalonProblem, options: SolveOptions) -> Exception:
    """The outcome when no schedule was found: InfeasibleError when a clash core proves it,
    else NoScheduleInTimeError (nothing proven)."""
    clashes = [] if options.stopped else explain_infeasible(problem)
    if clashes:
        return InfeasibleError(clashes)
    return NoScheduleInTimeError(options.time_limit, stopped=options.stopped)


def _search_left(options: SolveOptions, clock: Clock) -> float:
    """Seconds the search may still take: what is left of the time limit, less the part kept
    for building the schedule and its explanations at the end."""
    return max(0.05, clock.remaining() - FINISH_MARGIN * options.time_limit)


def _lexicographic_key(problem: SalonProblem, placement: dict[int, int]) -> tuple[int, ...]:
    """A placement's objective values in the salon's order, larger is better."""
    values = objective_values(problem, placement)
    return tuple(
        values[name] if name in CHOICE_OBJECTIVES else -values[name]
        for name in problem.salon.objectives
    )


@dataclass
class Outcome:
    """The best placement of a solve so far, with the proven bounds, and when the solve had it
    (time.monotonic(): the end of the search that found it, or the SAT search's message)."""

    placement: dict[int, int]
    bounds: dict[str, int]
    optimal: bool
    found_at: float = field(default_factory=time.monotonic)


def _timetable_budget(options: SolveOptions, clock: Clock, exact: bool) -> tuple[float, float]:
    """(work units, wall seconds) for the timetable: all the time when it works alone, its
    share when the exact model follows."""
    share = DECOMPOSITION_SHARE if exact else 1.0
    units = TIMETABLE_SHARE * options.time_limit * share * WORK_PER_SECOND
    wall = _search_left(options, clock) * share
    if not options.reproducible:
        units = wall * WORK_PER_SECOND
    return units, wall


def first_outcome(
    result: TimetableResult, selected_optimal: bool, race: MaxSatRace | None, bounds: dict[str, int]
) -> Outcome | None:
    """The schedule the later searches start from: the timetable's, else the SAT search's
    first one when it has sent one (with it the window search keeps its larger share), else
    None."""
    if not result.missing_required:
        return Outcome(result.placement, bounds, selected_optimal and result.complete)
    incumbent = race.incumbent if race is not None else None  # read once: the race goes on
    if incumbent is not None:
        return Outcome(incumbent.placement, bounds, False, incumbent.found_at)
    return None


def _run_exact(
    problem: SalonProblem,
    options: SolveOptions,
    clock: Clock,
    selection: Selection,
    outcome: Outcome | None,
    hint: dict[int, int],
    bounds: dict[str, int],
    proven: dict[str, int],
) -> Outcome | None:
    """The exact model for the rest of the time, from the timetable's schedule (or what it
    placed); raises InfeasibleError when it proves that no schedule exists. `bounds`: the
    bounds proven so far, improved by the exact model's; `proven`: those valid whatever the
    exact model finds (a stage whose schedule meets one is not searched)."""
    seconds = _search_left(options, clock)
    if options.reproducible:  # a budget that depends on the time limit only
        seconds = (1 - TIMETABLE_SHARE * DECOMPOSITION_SHARE) * options.time_limit * 0.6
    options.report(Progress("exact", clock.elapsed))
    known = dict(selection.bounds) if selection.optimal else {}
    known.update(proven)
    start = outcome.placement if outcome else hint
    result = solve_exact(problem, options, seconds, start, known, hint_valid=outcome is not None)
    if result.infeasible:
        raise InfeasibleError(result.clashes)
    bounds = dict(bounds)
    for name, bound in result.bounds.items():
        mine = bounds.get(name)
        better = min if name in CHOICE_OBJECTIVES else max
        bounds[name] = bound if mine is None else better(mine, bound)
    if not result.found:
        return None if outcome is None else replace(outcome, bounds=bounds)
    optimal = all(result.proven.values())
    if outcome is not None and _lexicographic_key(problem, outcome.placement) > _lexicographic_key(
        problem, result.placement
    ):
        return replace(outcome, bounds=bounds, optimal=optimal)
    return Outcome(result.placement, bounds, optimal)


def _run_windows(
    problem: SalonProblem,
    options: SolveOptions,
    clock: Clock,
    outcome: Outcome | None,
    bounds: dict[str, int],
) -> tuple[Outcome | None, dict[str, int]]:
    """The window search of a tight salon (scheduler.windows) for its share of what is left:
    the better schedule of it and `outcome`, and its proven bound of idle and breaks."""
    options.report(Progress("windows", clock.elapsed))
    share = WINDOW_SHARE if outcome is not None else WINDOW_SHARE_WITHOUT_SCHEDULE
    seconds = _search_left(options, clock) * share
    if options.reproducible:  # a budget that depends on the time limit only
        seconds = share * (1 - TIMETABLE_SHARE * DECOMPOSITION_SHARE) * options.time_limit
    token = WALL_DEADLINE.set(time.monotonic() + _search_left(options, clock))
    try:
        found = window_search(
            problem, options, Work(seconds * WORK_PER_SECOND, options.reproducible)
        )
    finally:
        WALL_DEADLINE.reset(token)
    proven: dict[str, int] = {
        name: max(bounds.get(name, 0), found.bound) for name in time_objectives(problem)
    }
    bounds.update(proven)
    placement = found.placement
    if placement is None:
        return outcome, proven
    if outcome is not None and _lexicographic_key(problem, outcome.placement) >= (
        _lexicographic_key(problem, placement)
    ):
        return replace(outcome, bounds=bounds), proven
    return Outcome(placement, bounds, False), proven


def _start_race(
    salon: Salon, problem: SalonProblem, options: SolveOptions, tight: bool
) -> MaxSatRace | None:
    """The MaxSAT search beside CP-SAT (scheduler.maxsat) on a tight salon with one time
    objective; not in reproducible mode, where whether it ends in time depends on the machine."""
    objective = maxsat_objective(problem)
    if not tight or objective is None or options.reproducible or options.stopped:
        return None
    return MaxSatRace(salon, objective, options.time_limit)


@contextmanager
def _interrupted_by(race: MaxSatRace | None, options: SolveOptions) -> Iterator[SolveOptions]:
    """Options for the searches of the block, ended at once (scheduler.search.interrupt) when
    the MaxSAT search proves its optimum or the solve is stopped."""
    stop = threading.Event()
    finished = threading.Event()

    def watch() -> None:
        while not finished.wait(RACE_POLL_SECONDS):
            if options.stopped or (race is not None and race.answer() is not None):
                interrupt(stop)  # again at each tick: a search may have begun meanwhile

    watcher = threading.Thread(target=watch, name="salon-race", daemon=True)
    with interruptible(stop):
        watcher.start()
        try:
            yield replace(options, stop=stop)
        finally:
            finished.set()
            watcher.join()


def _with_race(
    problem: SalonProblem,
    race: MaxSatRace | None,
    answer: MaxSatAnswer | None,
    outcome: Outcome | None,
    bounds: dict[str, int],
) -> Outcome | None:
    """The SAT search's optimum `answer` when it has proven one (its cost is then the bound);
    else `outcome`, or the SAT search's schedule where it is better (or the only one), with the
    SAT search's proven bound."""
    name = maxsat_objective(problem)
    if race is None or name is None:
        return outcome
    if answer is not None:
        known = outcome.bounds if outcome else bounds
        return Outcome(answer.placement, {**known, name: answer.cost}, True, answer.found_at)
    incumbent = race.incumbent
    if incumbent is not None and (
        outcome is None
        or _lexicographic_key(problem, incumbent.placement)
        > _lexicographic_key(problem, outcome.placement)
    ):
        known = outcome.bounds if outcome else bounds
        outcome = Outcome(incumbent.placement, known, False, incumbent.found_at)
    if outcome is None:
        return None
    proven = {**outcome.bounds, name: max(outcome.bounds.get(name, 0), race.bound)}
    return replace(outcome, bounds=proven)


def solve(salon: Salon, options: SolveOptions | None = None) -> Schedule:
    """Solve a salon: the best schedule found within the options' time limit.

    Raises InfeasibleError (naming the clashing requirements) only when no schedule is proven
    to exist, NoScheduleInTimeError when the time ran out (or the solve was stopped) first.
    """
    options = options or SolveOptions()
    clock = Clock(options.time_limit)
    problem = build_problem(salon)
    exact = exact_fits(problem)
    tight = exact and windows_apply(problem)
    race = _start_race(salon, problem, options, tight)
    try:
        return _solve(problem, options, clock, exact, tight, race)
    finally:
        if race is not None:
            race.stop()


def _solve(
    problem: SalonProblem,
    options: SolveOptions,
    clock: Clock,
    exact: bool,
    tight: bool,
    race: MaxSatRace | None,
) -> Schedule:
    """The stages of `solve`, each skipped once the MaxSAT search has proven its optimum."""
    options.report(Progress("selection", clock.elapsed, message="choosing the meetings"))
    selection = select_pairs(problem, options, clock, budget=SELECTION_SHARE * options.time_limit)
    selection_seconds = clock.elapsed
    units, wall = _timetable_budget(options, clock, exact)
    result = solve_timetable(problem, selection.session_of, options, clock, units, wall)
    if result.missing_required and not exact and not options.stopped:
        result = _place_requirements_first(problem, selection, options, clock, result)
    bounds = {**naive_bounds(problem), **selection.bounds}
    bounds.update(time_bounds(problem, selection.values, options))
    outcome = first_outcome(result, selection.optimal, race, bounds)
    proven: dict[str, int] = {}
    with _interrupted_by(race, options) as searches:
        if tight and not searches.stopped:
            outcome, proven = _run_windows(problem, searches, clock, outcome, bounds)
        if exact and not searches.stopped:
            # The wall clock stays a safety net over the exact model's budget (reproducible).
            token = WALL_DEADLINE.set(time.monotonic() + _search_left(options, clock))
            try:
                outcome = _run_exact(
                    problem, searches, clock, selection, outcome, result.placement, bounds, proven
                )
            finally:
                WALL_DEADLINE.reset(token)
    answer = race.answer() if race is not None else None
    outcome = _with_race(problem, race, answer, outcome, bounds)
    if outcome is None:
        raise no_schedule_error(problem, options)
    stats: dict[str, object] = {
        "seconds": round(clock.elapsed, 3),
        "selection_seconds": round(selection_seconds, 3),
        "first_solution_seconds": round(selection_seconds + result.first_solution_seconds, 3),
        "best_solution_seconds": round(max(0.0, outcome.found_at - clock.started), 3),
        "slots": len(problem.slots),
        "pairs": len(problem.pairs),
        "selected": len(selection.session_of),
        "dropped_in_timetable": len(result.dropped),
        "exact_model": exact,
        "maxsat_proved": answer is not None,
        "workers": options.workers,
        "seed": options.seed,
    }
    schedule = build_schedule(problem, outcome.placement, outcome.bounds, outcome.optimal, stats)
    options.report(
        Progress(
            "done",
            clock.elapsed,
            {o.name: o.value for o in schedule.objectives},
            {o.name: o.bound for o in schedule.objectives},
        )
    )
    return schedule
