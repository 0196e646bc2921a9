"""The exact whole-salon model: every pair in every allowed slot, every objective.

One time-indexed CP-SAT model of the whole salon (scheduler.cpsat.TimeModel over every pair
that has an allowed slot, the required ones compulsory), searched with every worker, stage by
stage in the salon's lexicographic order. Hinted by the decomposition's schedule, it can only
improve on it; its bounds are proven, and an INFEASIBLE answer is a proof that no schedule
exists. It is used on salons small enough for its model (EXACT_MAX_VARIABLES).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from scheduler.agendas import add_schedule_patterns
from scheduler.cpsat import CHOICE_OBJECTIVES, TIME_OBJECTIVES, Stage, TimeModel, total
from scheduler.errors import Clash
from scheduler.infeasibility import pair_clash
from scheduler.measures import objective_values
from scheduler.problem import SalonProblem
from scheduler.progress import SolveOptions
from scheduler.search import WORK_PER_SECOND, Answer, StagesResult, Work, configure, run_stages

EXACT_MAX_VARIABLES = 60_000
"""Largest salon (pair-slot variables) searched with the exact model; beyond, its model takes
longer to build and search than the decomposition needs."""


CORE_STAGES = frozenset({"breaks"})
"""Objectives searched core-based beside CP-SAT's own search (measured: breaks reach their
optimum so on the literature's forums; idle does better with every worker on CP-SAT's own).
With agendas as patterns (scheduler.agendas) the time objectives are searched with the
fullest linear relaxation instead (measured: it proved tic-13crafc's optimum in 3-7 s where
the core-based portfolio proved the bound only, in 30 s)."""

TIME_STAGES = frozenset(TIME_OBJECTIVES)
"""The stages searched with the fullest linear relaxation when agendas are patterns."""


def exact_variables(problem: SalonProblem) -> int:
    """The number of x[p, s] variables of the salon's exact model."""
    return sum(len(pair.allowed) for pair in problem.pairs)


def exact_fits(problem: SalonProblem) -> bool:
    """True when the exact model is small enough to be searched."""
    return exact_variables(problem) <= EXACT_MAX_VARIABLES


@dataclass
class ExactResult(StagesResult):
    """The best schedule of the exact model (bounds given the earlier objectives' values), and
    when it proved that no schedule exists, the requirements that clash."""

    clashes: list[Clash] = field(default_factory=list)


def exact_model(problem: SalonProblem) -> TimeModel:
    """The whole salon as one TimeModel: every pair that may meet, the required compulsory."""
    candidates = {pair.index: list(pair.allowed) for pair in problem.pairs if pair.allowed}
    optional = frozenset(p for p in candidates if not problem.pairs[p].required)
    return TimeModel(problem, candidates, optional)


def exact_stages(model: TimeModel) -> list[Stage]:
    """The salon's objectives in its order, max_break_spread posted."""
    names = model.problem.salon.objectives
    choice: list[Stage] = [
        (name, model.choice_objective(name), True) for name in names if name in CHOICE_OBJECTIVES
    ]
    return choice + model.time_stages()


def solve_exact(
    problem: SalonProblem,
    options: SolveOptions,
    seconds: float,
    hint: dict[int, int] | None = None,
    proven_bounds: dict[str, int] | None = None,
    hint_valid: bool = False,
) -> ExactResult:
    """Search the exact model for `seconds` with every worker, from `hint`.

    `hint_valid`: the hint is a schedule that keeps every rule (else only a start, perhaps
    partial); on a tight salon the agendas then are patterns no worse than it
    (scheduler.agendas). `proven_bounds`: bounds known from elsewhere (the selection
    relaxation). A stage whose valid hint already meets its proven bound is kept as a
    constraint without a search.
    """
    started = time.monotonic()
    model = exact_model(problem)
    hint = dict(hint or {})
    values = objective_values(problem, hint) if hint and hint_valid else {}
    patterned = bool(values) and add_schedule_patterns(model, values) > 0
    stages = exact_stages(model)
    if not options.reproducible:
        seconds -= time.monotonic() - started  # building the model counts
    if not hint_valid:
        started = time.monotonic()
        first = first_schedule(model, options, seconds)
        if first.status == cp_model.INFEASIBLE:
            return ExactResult(
                {}, {}, {}, {}, found=False, infeasible=True, clashes=infeasibility_core(problem)
            )
        if first.placement is None:
            return ExactResult({}, {}, {}, {}, found=False)
        hint, hint_valid = first.placement, True
        values = objective_values(problem, hint)
        if not options.reproducible:
            seconds -= time.monotonic() - started
    known = proven_bounds or {}
    fixed: dict[str, int] = {}
    searched: list[Stage] = []
    for name, expression, maximise in stages:
        if not searched and name in known and values.get(name) == known[name]:
            model.model.add(expression >= known[name] if maximise else expression <= known[name])
            fixed[name] = known[name]
        else:
            searched.append((name, expression, maximise))
    if not searched:
        searched = [("none", total([]), False)]
    work = Work(max(0.05, seconds) * WORK_PER_SECOND, options.reproducible)
    core, lp = (frozenset(), TIME_STAGES) if patterned else (CORE_STAGES, frozenset())
    result = run_stages(model, searched, hint, options, work, options.workers, core, lp)
    if result.infeasible and not result.found:
        return ExactResult(
            {}, {}, {}, {}, found=False, infeasible=True, clashes=infeasibility_core(problem)
        )
    return _merged(result, fixed, hint if hint_valid else {})


def _merged(result: StagesResult, fixed: dict[str, int], hint: dict[int, int]) -> ExactResult:
    """The search's result, the stages kept without a search added; the valid hint stands
    when the search found nothing better."""
    values = {name: value for name, value in result.values.items() if name != "none"}
    bounds = {name: bound for name, bound in result.bounds.items() if name != "none"}
    proven = {name: flag for name, flag in result.proven.items() if name != "none"}
    for name, value in fixed.items():
        values[name] = bounds[name] = value
        proven[name] = True
    placement = result.placement if result.found else hint
    return ExactResult(placement, values, bounds, proven, found=result.found or bool(hint))


def first_schedule(model: TimeModel, options: SolveOptions, seconds: float) -> Answer:
    """Any schedule of the model (every rule, no objective yet), hinted with nothing placed
    (a partial placement measured no better): CP-SAT finds one fast where optimising from
    nothing does not; INFEASIBLE here is a proof."""
    model.hint({})
    solver = cp_model.CpSolver()
    configure(solver, options, seconds, options.workers)
    status = solver.solve(model.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Answer(status)
    return Answer(status, model.placement(solver))


CORE_SECONDS = 10.0
"""Time given to finding which requirements clash once the exact model proved infeasibility."""


def infeasibility_core(problem: SalonProblem) -> list[Clash]:
    """The requirements that clash, once the exact model answered INFEASIBLE: the required
    pairs (each an assumption) and max_break_spread, reduced to a core by CP-SAT. Without a
    core in time, the whole proof is named by one clash."""
    candidates = {pair.index: list(pair.allowed) for pair in problem.pairs if pair.allowed}
    model = TimeModel(problem, candidates, frozenset(candidates))
    assumptions: dict[int, int] = {}
    literals = []
    for p in candidates:
        if problem.pairs[p].required:
            literal = model.model.new_bool_var(f"require_{p}")
            model.model.add(model.placed[p] == 1).only_enforce_if(literal)
            assumptions[literal.index] = p
            literals.append(literal)
    spread = problem.salon.max_break_spread
    spread_literal = model.model.new_bool_var("spread")
    if spread is not None:
        breaks = model.time_terms()["breaks"]
        model.add_break_spread(spread, breaks, only_if=spread_literal)
        literals.append(spread_literal)
    model.model.add_assumptions(literals)
    solver = cp_model.CpSolver()
    configure(solver, SolveOptions(), CORE_SECONDS, workers=1)
    deadline = time.monotonic() + CORE_SECONDS
    solver.parameters.max_time_in_seconds = max(0.05, deadline - time.monotonic())
    clashes: list[Clash] = []
    if solver.solve(model.model) == cp_model.INFEASIBLE:
        for index in solver.sufficient_assumptions_for_infeasibility():
            if index in assumptions:
                clashes.append(pair_clash(problem, problem.pairs[assumptions[index]]))
            elif index == spread_literal.index:
                clashes.append(SPREAD_CLASH)
    return clashes or [PROVEN_INFEASIBLE]


SPREAD_CLASH = Clash(
    "max_break_spread",
    "the required meetings cannot all be placed within max_break_spread (proven)",
    "les rendez-vous obligatoires ne peuvent pas tous être placés dans l'écart de pauses "
    "permis (prouvé)",
)

PROVEN_INFEASIBLE = Clash(
    "required_meeting",
    "no schedule holds every required and pinned meeting under the rules (proven by the "
    "exact model)",
    "aucun planning ne tient tous les rendez-vous obligatoires et imposés sous ces règles "
    "(prouvé par le modèle exact)",
)
