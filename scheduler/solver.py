"""The CP-SAT solver: selection relaxation, then per-session timetables.

1. Selection (scheduler.bounds): choose which pairs meet and in which session, lexicographically
   on the choice objectives (coverage, score). It is a relaxation, so its optimum is a proven
   bound; hinted by the previous stage, each stage keeps the former's optimum.
2. Timetable: for each session (all sessions together when max_break_spread couples them),
   place every selected pair in a slot under every counting rule of scheduler.rules, minimising
   the time objectives (idle, breaks). When a session cannot hold all its pairs, the fewest,
   lightest pairs are dropped and the status is "feasible" instead of "optimal".
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from scheduler.bounds import build_selection_model, naive_bounds
from scheduler.errors import Clash, InfeasibleError
from scheduler.explain import explain_unscheduled
from scheduler.format import ObjectiveValue, Salon, Schedule, ScheduledMeeting
from scheduler.infeasibility import explain_infeasible, pair_clash
from scheduler.measures import objective_values
from scheduler.problem import SalonProblem, build_problem
from scheduler.progress import Progress, SolveOptions
from scheduler.sessions import assign_sessions
from scheduler.timetable import (
    FINISH_MARGIN,
    TimetableResult,
    solve_requirements_first,
    solve_timetable,
)

CHOICE_OBJECTIVES = ("coverage", "fairness", "score")
TIME_OBJECTIVES = ("idle", "breaks")


@dataclass
class Clock:
    """Elapsed time and the remaining budget of a solve."""

    limit: float
    started: float = field(default_factory=time.monotonic)

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def remaining(self, floor: float = 0.05) -> float:
        return max(floor, self.limit - self.elapsed)


def solver_parameters(solver: cp_model.CpSolver, options: SolveOptions, seconds: float) -> None:
    """Deterministic search for a fixed seed and worker count, within `seconds`.

    The budget is deterministic time (CP-SAT's work units, close to seconds here) so that the
    same input, seed and workers give the same schedule; the wall-clock limit is a safety net.
    """
    solver.parameters.num_workers = max(1, options.workers)
    solver.parameters.catch_sigint_signal = False  # leave Ctrl-C to the host program
    solver.parameters.random_seed = options.cp_seed
    solver.parameters.max_deterministic_time = max(0.05, seconds)
    solver.parameters.max_time_in_seconds = max(0.5, 3 * seconds)
    if options.workers > 1:
        solver.parameters.interleave_search = True


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
        # What an earlier stage left of its share goes to the later ones (deterministic time).
        solver_parameters(solver, options, remaining / (max(1, len(names)) - done))
        # One worker with the full LP closes this relaxation fastest, and deterministically.
        solver.parameters.num_workers = 1
        solver.parameters.interleave_search = False
        solver.parameters.linearization_level = 2
        status = solver.solve(model)
        remaining = max(0.0, remaining - solver.deterministic_time)
        if status == cp_model.INFEASIBLE:
            clashes = explain_infeasible(problem) or _requirement_clashes(problem, options)
            raise InfeasibleError(clashes)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            if hint is None:
                message_fr = "aucune sélection trouvée dans le temps imparti"
                raise InfeasibleError(
                    [Clash("time_limit", "no selection found within the time limit", message_fr)]
                )
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


def _assign_tables(problem: SalonProblem, placement: dict[int, int]) -> dict[int, str]:
    """Each pair's table: its home table, or the next free table of the pool in its slot."""
    tables: dict[int, str] = {}
    used: dict[int, int] = {}
    for pair_index in sorted(placement, key=lambda p: (placement[p], p)):
        pair = problem.pairs[pair_index]
        if pair.home_table is not None:
            tables[pair_index] = pair.home_table
        else:
            slot = placement[pair_index]
            tables[pair_index] = problem.pool_tables[used.get(slot, 0)]
            used[slot] = used.get(slot, 0) + 1
    return tables


def build_schedule(
    problem: SalonProblem,
    placement: dict[int, int],
    bounds: dict[str, int],
    optimal: bool,
    stats: dict[str, object],
) -> Schedule:
    """A schedule/v1 from a placement (pair -> slot)."""
    tables = _assign_tables(problem, placement)
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
    clash if there is one, else the whole salon in one model, only the required compulsory."""
    clashes = explain_infeasible(problem)
    if clashes:
        raise InfeasibleError(clashes)
    seconds = clock.remaining() * (1 - FINISH_MARGIN)
    result = solve_requirements_first(
        problem, selection.session_of, options, seconds, short.placement
    )
    if result.infeasible_requirements:
        raise InfeasibleError(result.infeasible_requirements)
    return result


def solve(salon: Salon, options: SolveOptions | None = None) -> Schedule:
    """Solve a salon: the best schedule found within the options' time limit.

    Raises InfeasibleError (naming the clashing requirements) when the hard rules cannot hold.
    """
    options = options or SolveOptions()
    clock = Clock(options.time_limit)
    problem = build_problem(salon)
    options.report(Progress("selection", clock.elapsed, message="choosing the meetings"))
    selection = select_pairs(problem, options, clock, budget=0.3 * options.time_limit)
    selection_seconds = clock.elapsed
    result: TimetableResult = solve_timetable(
        problem, selection.session_of, options, clock.elapsed, options.time_limit
    )
    if result.infeasible_requirements:
        result = _place_requirements_first(problem, selection, options, clock, result)
    bounds = dict(selection.bounds)
    bounds.update(result.bounds)
    optimal = selection.optimal and result.complete
    stats: dict[str, object] = {
        "seconds": round(clock.elapsed, 3),
        "selection_seconds": round(selection_seconds, 3),
        "first_solution_seconds": round(selection_seconds + result.first_solution_seconds, 3),
        "slots": len(problem.slots),
        "pairs": len(problem.pairs),
        "selected": len(selection.session_of),
        "dropped_in_timetable": len(result.dropped),
        "workers": options.workers,
        "seed": options.seed,
    }
    schedule = build_schedule(problem, result.placement, bounds, optimal, stats)
    options.report(
        Progress(
            "done",
            clock.elapsed,
            {o.name: o.value for o in schedule.objectives},
            {o.name: o.bound for o in schedule.objectives},
        )
    )
    return schedule
