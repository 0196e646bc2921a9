"""Relaxations that bound what any schedule can reach, and pick the pairs to schedule.

The selection relaxation chooses, for each pair, a session (or none), subject to capacity
constraints that every valid schedule satisfies: per participant and session, no more meetings
than free slots (times representatives, less the slots `max_in_a_row` forces empty), the same
for each narrower window of allowed slots (a Hall condition), caps, the table pool per session.
Its optimum is therefore a proven upper bound on coverage and score; when the timetable places
every selected pair, the schedule reaches the bound and is optimal for both.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from scheduler.cpsat import TimeModel, time_objectives, worth_levels
from scheduler.measures import fairness_of
from scheduler.problem import SalonProblem
from scheduler.progress import SolveOptions
from scheduler.search import configure


def busy_capacity(free_positions: list[int], limit: int | None) -> int:
    """Most slots one can be busy in among `free_positions` (sorted), at most `limit` in a row."""
    if limit is None:
        return len(free_positions)
    total, run, previous = 0, 0, None
    for position in free_positions:
        run = run + 1 if previous is not None and position == previous + 1 else 1
        previous = position
        if run <= limit:
            total += 1
        else:
            run = 0  # an empty slot here restarts the count
    return total


@dataclass
class SelectionModel:
    """The selection relaxation as a CP-SAT model, with its variables."""

    model: cp_model.CpModel
    selected: dict[int, cp_model.IntVar]
    covered: dict[str, cp_model.IntVar]
    objectives: dict[str, cp_model.LinearExprT] = field(default_factory=dict)
    requirements: dict[cp_model.IntVar, int] = field(default_factory=dict)


def pair_sessions(problem: SalonProblem) -> dict[int, dict[int, list[int]]]:
    """For each pair, its allowed slots grouped by session."""
    return problem.allowed_by_session()


def window_capacity(problem: SalonProblem, participant: str, window: Iterable[int]) -> int:
    """Most meetings a participant can hold in a set of slots, given max_in_a_row."""
    by_session: dict[int, list[int]] = defaultdict(list)
    for slot in window:
        by_session[problem.slots[slot].session].append(problem.slots[slot].position)
    busy = sum(
        busy_capacity(sorted(positions), problem.salon.max_in_a_row)
        for positions in by_session.values()
    )
    return busy * problem.capacity(participant)


def participant_windows(problem: SalonProblem, participant: str) -> dict[frozenset[int], list[int]]:
    """Hall windows: for each distinct allowed-slot set W of the participant's pairs (and the
    union of all), the pairs whose allowed slots lie inside W."""
    pairs = [p for p in problem.pairs_of[participant] if problem.pairs[p].allowed]
    allowed = {p: frozenset(problem.pairs[p].allowed) for p in pairs}
    windows = set(allowed.values())
    if pairs:
        windows.add(frozenset().union(*allowed.values()))
    return {w: [p for p in pairs if allowed[p] <= w] for w in windows}


def build_selection_model(
    problem: SalonProblem, with_requirements: bool = False
) -> SelectionModel:
    """The selection relaxation; with_requirements adds one assumption literal per requirement."""
    model = cp_model.CpModel()
    selected = {
        pair.index: model.new_bool_var(f"y_{pair.index}")
        for pair in problem.pairs
        if pair.allowed
    }
    requirements: dict[cp_model.IntVar, int] = {}
    for pair in problem.pairs:
        if pair.required and pair.index in selected:
            if with_requirements:
                literal = model.new_bool_var(f"require_{pair.index}")
                model.add_implication(literal, selected[pair.index])
                requirements[literal] = pair.index
            else:
                model.add(selected[pair.index] == 1)
    _add_participant_capacities(problem, model, selected)
    _add_table_capacities(problem, model, selected)
    covered = _add_coverage(problem, model, selected)
    selection = SelectionModel(model, selected, covered, requirements=requirements)
    selection.objectives["coverage"] = sum(covered.values())
    if "fairness" in problem.salon.objectives:  # its level variables cost model size
        selection.objectives["fairness"] = _fairness(problem, model, selected)
    selection.objectives["score"] = sum(
        problem.pairs[p].weight * variable for p, variable in selected.items()
    )
    return selection


def _add_participant_capacities(
    problem: SalonProblem, model: cp_model.CpModel, selected: dict[int, cp_model.IntVar]
) -> None:
    for participant_id, participant in problem.participants.items():
        for window, pairs in participant_windows(problem, participant_id).items():
            capacity = window_capacity(problem, participant_id, window)
            if len(pairs) > capacity:
                model.add(sum(selected[p] for p in pairs) <= capacity)
        cap = participant.max_meetings
        terms = [selected[p] for p in problem.pairs_of[participant_id] if p in selected]
        if cap is not None and len(terms) > cap:
            model.add(sum(terms) <= cap)


def _add_table_capacities(
    problem: SalonProblem, model: cp_model.CpModel, selected: dict[int, cp_model.IntVar]
) -> None:
    per_table: dict[str | None, list[cp_model.IntVar]] = defaultdict(list)
    for p, variable in selected.items():
        table = problem.pairs[p].home_table
        if problem.is_shared_table(table):
            per_table[table].append(variable)
    for table, variables in per_table.items():
        tables = len(problem.pool_tables) if table is None else 1
        capacity = tables * len(problem.slots)
        if len(variables) > capacity:
            model.add(sum(variables) <= capacity)


def _add_coverage(
    problem: SalonProblem, model: cp_model.CpModel, selected: dict[int, cp_model.IntVar]
) -> dict[str, cp_model.IntVar]:
    covered = {}
    for participant_id in problem.participants:
        pairs = [p for p in problem.pairs_of[participant_id] if p in selected]
        if not pairs:
            continue
        variable = model.new_bool_var(f"covered_{participant_id}")
        model.add(variable <= sum(selected[p] for p in pairs))
        covered[participant_id] = variable
    return covered


def _fairness(
    problem: SalonProblem, model: cp_model.CpModel, selected: dict[int, cp_model.IntVar]
) -> cp_model.LinearExprT:
    """Sum over participants of their meetings' diminishing worth (measures.fairness_of).

    level[k] of a participant may be 1 only if it has k meetings or more; the worths decrease
    with k, so a maximiser fills the first levels first and the sum is exactly fairness_of.
    """
    terms: list[cp_model.LinearExprT] = []
    for participant_id in problem.participants:
        pairs = [selected[p] for p in problem.pairs_of[participant_id] if p in selected]
        if pairs:
            terms.append(worth_levels(model, participant_id, pairs, kept=0))
    return sum(terms)


@dataclass
class Bounds:
    """Proven upper bounds on coverage and score, and the figures `salon stats` prints.

    feasible is False when the required meetings cannot all hold even in the relaxation: no
    schedule exists and the bounds (0) say nothing about the salon.
    """

    coverage: int
    score: int
    meetings: int
    proven: bool
    over_requested: list[tuple[str, int, int]]
    feasible: bool = True
    fairness: int | None = None  # only when the salon lists the fairness objective


def naive_bounds(problem: SalonProblem) -> dict[str, int]:
    """Bounds that need no solver: every allowed pair met; idle and breaks cannot go below 0."""
    possible = [pair.index for pair in problem.pairs if pair.allowed]
    return {**bounds_if_all_meet(problem, possible), "idle": 0, "breaks": 0}


def bounds_if_all_meet(problem: SalonProblem, pairs: Iterable[int]) -> dict[str, int]:
    """Coverage, fairness and score if every pair of `pairs` met: upper bounds when no other
    pair can meet."""
    chosen = set(pairs)
    partners: dict[str, int] = defaultdict(int)
    for p in chosen:
        for member in problem.pairs[p].members:
            partners[member] += 1
    return {
        "coverage": len(partners),
        "fairness": sum(fairness_of(count) for count in partners.values()),
        "score": sum(problem.pairs[p].weight for p in chosen),
    }


def over_requested(problem: SalonProblem) -> list[tuple[str, int, int]]:
    """(participant, requests, capacity) for each participant asked more than it can hold."""
    found = []
    for participant_id in problem.participants:
        pairs = [p for p in problem.pairs_of[participant_id] if not problem.pairs[p].declined]
        free = {s for p in pairs for s in problem.pairs[p].allowed}
        capacity = window_capacity(problem, participant_id, free)
        cap = problem.participants[participant_id].max_meetings
        capacity = capacity if cap is None else min(capacity, cap)
        if len(pairs) > capacity:
            found.append((participant_id, len(pairs), capacity))
    return sorted(found, key=lambda item: item[1] - item[2], reverse=True)


def relaxation_bounds(problem: SalonProblem, time_limit: float = 10.0, workers: int = 2) -> Bounds:
    """Solve the selection relaxation for each objective alone: upper bounds on each."""
    values: dict[str, int] = {}
    proven = feasible = True
    names = ["coverage", "score", "meetings"]
    if "fairness" in problem.salon.objectives:
        names.append("fairness")
    for name in names:
        selection = build_selection_model(problem)
        expression = (
            sum(selection.selected.values()) if name == "meetings" else selection.objectives[name]
        )
        selection.model.maximize(expression)
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = time_limit
        solver.parameters.num_workers = workers
        # CP-SAT's own Ctrl-C handler resets SIGINT to SIG_DFL when the solve ends, which
        # silently removes the host program's handler (Python's KeyboardInterrupt, uvicorn's).
        solver.parameters.catch_sigint_signal = False
        status = solver.solve(selection.model)
        if status == cp_model.INFEASIBLE:
            values[name] = 0
            feasible = False
            continue
        proven = proven and status == cp_model.OPTIMAL
        values[name] = int(round(solver.best_objective_bound))
    return Bounds(
        coverage=values["coverage"],
        score=values["score"],
        meetings=values["meetings"],
        proven=proven,
        over_requested=over_requested(problem),
        feasible=feasible,
        fairness=values.get("fairness"),
    )


TIME_BOUND_SECONDS = 0.1
"""Share of the time limit given to the per-participant time bounds (time_bounds)."""

TIME_BOUND_MAX_SECONDS = 5.0
"""Most seconds spent on the per-participant time bounds."""


def forced_pairs(problem: SalonProblem, values: dict[str, int]) -> set[int]:
    """Pairs that meet in every schedule reaching the selection's `values`: the required ones,
    and every pair that may meet when the score reached is the weight of all of them."""
    forced = {pair.index for pair in problem.pairs if pair.required and pair.allowed}
    possible = [pair.index for pair in problem.pairs if pair.allowed]
    if values.get("score") == bounds_if_all_meet(problem, possible)["score"]:
        forced.update(possible)
    return forced


def time_bounds(
    problem: SalonProblem, values: dict[str, int], options: SolveOptions
) -> dict[str, int]:
    """Proven lower bounds on idle and breaks, participant by participant.

    A participant whose forced meetings (forced_pairs) cannot all be held in a row has idle
    time or breaks in every schedule: the least it can have, alone with all its possible
    meetings (the others optional, to fill gaps) and every counting rule over them, bounds its
    share; the sum over participants bounds the salon's total. Each small CP-SAT search gives
    its proven bound, even when stopped early. Valid for every schedule that reaches `values`.
    """
    names = time_objectives(problem)
    found: dict[str, int] = {name: 0 for name in names}
    if not names:
        return found
    forced = forced_pairs(problem, values)
    seconds = min(TIME_BOUND_MAX_SECONDS, TIME_BOUND_SECONDS * options.time_limit)
    deadline = time.monotonic() + seconds
    for participant in problem.participants:
        mine = [p for p in problem.pairs_of[participant] if problem.pairs[p].allowed]
        if sum(1 for p in mine if p in forced) < 2:
            continue
        if time.monotonic() >= deadline or options.stopped:
            break
        bounds = participant_time_bounds(problem, participant, mine, forced, names, deadline,
                                         options)
        for name, bound in bounds.items():
            found[name] += bound
    return found


def participant_time_bounds(
    problem: SalonProblem,
    participant: str,
    pairs: list[int],
    forced: set[int],
    names: Sequence[str],
    deadline: float,
    options: SolveOptions,
) -> dict[str, int]:
    """The least value of each time objective in `names` (idle, breaks) a participant can
    have with its forced meetings held."""
    candidates = {p: list(problem.pairs[p].allowed) for p in pairs}
    optional = frozenset(p for p in pairs if p not in forced)
    model = TimeModel(problem, candidates, optional)
    terms = model.time_terms([participant])
    bounds: dict[str, int] = {}
    for name in names:
        model.model.minimize(terms[name][participant])
        solver = cp_model.CpSolver()
        configure(solver, options, max(0.05, min(0.5, deadline - time.monotonic())))
        status = solver.solve(model.model)
        if status == cp_model.INFEASIBLE:
            return {}  # the forced meetings cannot hold: the selection would have said so
        bounds[name] = max(0, int(math.ceil(solver.best_objective_bound - 1e-6)))
    return bounds
