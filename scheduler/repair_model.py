"""On-the-day repair, the model of a neighbourhood and the repair's lexicographic objective.

`sub_model` builds the CP-SAT model of a few freed pairs with the meetings around them fixed:
the timetable's model (scheduler.cpsat.TimeModel: x[pair, slot], the counting rules of
scheduler.rules posted as they are) with every freed pair optional and the closed pool tables
taken out, and its stages in the repair's order: the required meetings, the salon's choice
objectives (coverage, fairness, score), then the fewest changes (each moved meeting counts 1,
each dropped meeting `drop`). `time_stages_of` adds the salon's time objectives (idle, breaks)
as the last tie-break. `run_lexicographic` optimises the stages one after the other within a
deterministic work per stage; `local_quality` is the same objective as a tuple, measured on a
placement, to compare two placements of a neighbourhood.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.cpsat import (
    CHOICE_OBJECTIVES,
    Stage,
    TimeModel,
    time_objectives,
    total,
    worth_levels,
)
from scheduler.measures import breaks_of, fairness_of, idle_of
from scheduler.problem import SalonProblem
from scheduler.progress import SolveOptions
from scheduler.repair_state import RepairState
from scheduler.search import Work, wall_left

RepairModel = TimeModel
"""The repair's model: every pair in `optional` may stay out, required ones too (a repair
drops a required meeting that can no longer take place, it does not fail)."""

STAGE_WORK = 0.2
"""Deterministic time (about seconds of one core) allowed to one stage of a neighbourhood;
the wall clock is only a safety net, so a repair is the same on a loaded machine."""


@dataclass
class SubModel:
    """A neighbourhood's model: its free pairs and the lexicographic stages over them."""

    model: RepairModel
    free: list[int]
    stages: list[Stage]


def sub_model(
    state: RepairState,
    free: list[int],
    mobile: dict[int, list[int]],
    placement: dict[int, int],
    drop: int,
) -> SubModel:
    """The model of the `free` pairs (each with its `mobile` slots), the rest of `placement`
    fixed around them. Stages in the repair's order: required, the salon's choice objectives,
    the changes (moves + drop * drops); the time objectives are left to time_stages_of."""
    problem = state.problem
    candidates = _sub_candidates(state, free, mobile, placement)
    free = [p for p in free if p in candidates]
    model = RepairModel(problem, candidates, frozenset(free))
    _post_pool_closures(state, model)
    stages: list[Stage] = []
    required = [p for p in free if problem.pairs[p].required]
    if required:
        stages.append(("required", total(model.placed[p] for p in required), True))
    for name in problem.salon.objectives:
        if name == "coverage":
            stages.append(("coverage", _coverage(model, free), True))
        elif name == "fairness":
            stages.append(("fairness", _fairness(model, free, placement), True))
        elif name == "score":
            score = total(problem.pairs[p].weight * model.placed[p] for p in free)
            stages.append(("score", score, True))
    terms: list[cp_model.LinearExprT] = []
    movable = [p for p in free if p in state.current]
    for p in movable:
        placed = total(model.x[p, s] for s in model.candidates[p])
        terms.extend([(1 - drop) * placed, -1 * _stays(state, model, p)])
    if movable:
        stages.append(("changes", total(terms) + drop * len(movable), False))
    return SubModel(model, free, stages)


def time_stages_of(model: RepairModel, free: list[int]) -> list[Stage]:
    """The salon's time objectives (idle, breaks) of the participants of the free pairs, over
    every session where they may meet in the model (a free pair may move between sessions)."""
    problem = model.problem
    names = time_objectives(problem)
    if not names:
        return []
    members = {m for p in free for m in problem.pairs[p].members}
    terms = model.time_terms(members)
    return [(name, total(terms[name].values()), False) for name in names]


def run_lexicographic(
    model: RepairModel,
    stages: list[Stage],
    hint: dict[int, int],
    options: SolveOptions,
    work: Work,
) -> dict[int, int] | None:
    """Each stage optimised in turn from the hint, its value then kept; None when a stage
    finds no solution. One worker, STAGE_WORK of deterministic time a stage (charged to
    `work`) whatever options.reproducible says, so that a repair is the same on any machine.
    Presolve is off: on these small models it costs more than it saves.

    Not cpsat.run_stages: that one shares a budget in seconds between the stages, keeps the
    earlier stages' placement when a later stage finds nothing, and sets neither presolve nor
    the linearization level."""
    placement = hint
    for _name, expression, maximise in stages:
        model.hint(placement)
        if maximise:
            model.model.maximize(expression)
        else:
            model.model.minimize(expression)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.catch_sigint_signal = False
        solver.parameters.random_seed = options.cp_seed
        solver.parameters.cp_model_presolve = False
        solver.parameters.linearization_level = 2
        solver.parameters.max_deterministic_time = STAGE_WORK
        solver.parameters.max_time_in_seconds = max(0.05, min(3 * STAGE_WORK, wall_left()))
        status = solver.solve(model.model)
        work.add_solve(solver, 0)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        placement = model.placement(solver)
        value = int(round(solver.objective_value))
        model.model.add(expression >= value if maximise else expression <= value)
    return placement


def sub_heads(state: RepairState) -> list[str]:
    """The objectives before the time tie-break: required, the choice objectives, changes."""
    choice = [n for n in state.problem.salon.objectives if n in CHOICE_OBJECTIVES]
    return ["required", *choice, "changes"]


def local_quality(
    state: RepairState, placement: dict[int, int], free: list[int], drop: int
) -> tuple[int, ...]:
    """The repair's lexicographic objective as a tuple to maximise (required, choice
    objectives, minus the changes, minus the time objectives), restricted to what a
    neighbourhood can change: its free pairs and their participants. Two placements that differ
    only there compare the same way as they would on the whole salon."""
    problem = state.problem
    members = sorted({m for p in free for m in problem.pairs[p].members})
    busy: dict[str, set[int]] = {
        m: {placement[q] for q in problem.pairs_of[m] if q in placement} for m in members
    }
    placed = [p for p in free if p in placement]
    values = {
        "coverage": sum(1 for m in members if busy[m]),
        "fairness": sum(
            fairness_of(sum(1 for q in problem.pairs_of[m] if q in placement)) for m in members
        ),
        "score": sum(problem.pairs[p].weight for p in placed),
        "idle": sum(idle_of(problem, busy[m]) for m in members),
        "breaks": sum(breaks_of(problem, busy[m]) for m in members),
    }
    moved = dropped = 0
    for p in free:
        old = state.current.get(p)
        if old is None:
            continue
        if p not in placement:
            dropped += 1
        elif old.cause or placement[p] != old.slot:
            moved += 1
    required = sum(1 for p in placed if problem.pairs[p].required)
    choice = [values[n] for n in problem.salon.objectives if n in CHOICE_OBJECTIVES]
    timing = [-values[n] for n in problem.salon.objectives if n not in CHOICE_OBJECTIVES]
    return (required, *choice, -(moved + drop * dropped), *timing)


def _sub_candidates(
    state: RepairState, free: list[int], mobile: dict[int, list[int]], placement: dict[int, int]
) -> dict[int, list[int]]:
    """The free pairs with their slots, and every placed pair that shares a participant or a
    constrained table with them, fixed at its slot (all of them under max_break_spread)."""
    problem = state.problem
    candidates = _open_slots_of(state, free, mobile, placement)
    if problem.salon.max_break_spread is not None:
        candidates.update({p: [s] for p, s in placement.items() if p not in candidates})
        return candidates
    members = {m for p in free for m in problem.pairs[p].members}
    tables = {
        problem.pairs[p].home_table
        for p in free
        if problem.is_shared_table(problem.pairs[p].home_table)
    }
    for p, s in placement.items():
        if p in candidates:
            continue
        pair = problem.pairs[p]
        if members.intersection(pair.members) or pair.home_table in tables:
            candidates[p] = [s]
    return candidates


def _open_slots_of(
    state: RepairState, free: list[int], mobile: dict[int, list[int]], placement: dict[int, int]
) -> dict[int, list[int]]:
    """Each free pair's slots where neither participant is already full with the meetings
    that stay fixed (nor at its max_meetings); a waiting wish left with none is not freed."""
    problem = state.problem
    freed = set(free)
    load: dict[tuple[str, int], int] = defaultdict(int)
    held: dict[str, int] = defaultdict(int)
    for p, s in placement.items():
        if p not in freed:
            for member in problem.pairs[p].members:
                load[member, s] += 1
                held[member] += 1
    candidates: dict[int, list[int]] = {}
    for p in free:
        members = problem.pairs[p].members
        if any(held[m] >= (problem.participants[m].max_meetings or 1 << 30) for m in members):
            slots: list[int] = []
        else:
            slots = [s for s in mobile[p] if all(load[m, s] < problem.capacity(m) for m in members)]
        if slots or p in state.current:
            candidates[p] = slots
    return candidates


def _stays(state: RepairState, model: RepairModel, p: int) -> cp_model.LinearExprT:
    """1 when the pair's old meeting keeps its slot (and so its table)."""
    old = state.current[p]
    if old.cause or old.slot is None or old.slot not in model.candidates[p]:
        return 0  # displaced (a closed table changes even at the same slot)
    return model.x[p, old.slot]


def _post_pool_closures(state: RepairState, model: RepairModel) -> None:
    """No more pooled meetings in a slot than its open pool tables."""
    problem = state.problem
    by_slot: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    for (p, s), variable in model.x.items():
        if problem.pairs[p].pooled:
            by_slot[s].append(variable)
    for s, variables in by_slot.items():
        if len(variables) > state.pool_capacity[s]:
            model.model.add(total(variables) <= state.pool_capacity[s])


def _coverage(model: RepairModel, free: list[int]) -> cp_model.LinearExprT:
    """Participants who get a meeting, among those only the free pairs can cover (not
    cpsat's choice_objective: that one counts every participant of the model)."""
    problem = model.problem
    fixed = [p for p in model.candidates if p not in model.optional]
    covered = {m for p in fixed for m in problem.pairs[p].members}
    terms: list[cp_model.LinearExprT] = []
    for member, pairs in _by_member(problem, free):
        if member in covered:
            continue
        variable = model.model.new_bool_var(f"covered_{member}")
        model.model.add(variable <= total(model.placed[p] for p in pairs))
        terms.append(variable)
    return total(terms)


def _fairness(
    model: RepairModel, free: list[int], placement: dict[int, int]
) -> cp_model.LinearExprT:
    """The fairness that the free pairs add to their participants (see measures.fairness_of):
    each participant's levels start after the meetings it keeps outside the free pairs."""
    problem = model.problem
    free_set = set(free)
    terms: list[cp_model.LinearExprT] = []
    for member, pairs in _by_member(problem, free):
        kept = sum(1 for q in problem.pairs_of[member] if q in placement and q not in free_set)
        placed = [model.placed[p] for p in pairs]
        terms.append(worth_levels(model.model, member, placed, kept))
    return total(terms)


def _by_member(problem: SalonProblem, free: list[int]) -> list[tuple[str, list[int]]]:
    """Each participant of the free pairs with its free pairs, by participant id."""
    by_member: dict[str, list[int]] = defaultdict(list)
    for p in free:
        for member in problem.pairs[p].members:
            by_member[member].append(p)
    return sorted(by_member.items())
