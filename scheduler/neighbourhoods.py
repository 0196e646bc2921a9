"""A block's sub-models: some pairs re-placed optimally while the rest of the block stays.

The timetable (scheduler.timetable) completes its first placement and improves it with these:
`solve_sub` re-places the free pairs of a sub-model (their partners' and tables' other
meetings fixed), `improve_by_neighbourhoods` is the large neighbourhood search around the
participants who wait.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from contextvars import ContextVar

from ortools.sat.python import cp_model

from scheduler.cpsat import TimeModel, time_objectives, total
from scheduler.measures import breaks_of, busy_slots, idle_of
from scheduler.problem import SalonProblem
from scheduler.progress import SolveOptions
from scheduler.search import WORK_PER_SECOND, Work, configure

BLOCK_WORKERS: ContextVar[int] = ContextVar("block_workers", default=1)
"""CP-SAT workers of each search of the current block (the cores left to it by the blocks
solved at the same time)."""


def block_model(
    problem: SalonProblem,
    candidates: dict[int, list[int]],
    optional: frozenset[int] = frozenset(),
    candidates_index: dict[int, list[int]] | None = None,
) -> TimeModel:
    """A block's TimeModel: the pairs of `optional` may stay out, never a required one."""
    compulsory = frozenset(p for p in optional if not problem.pairs[p].required)
    return TimeModel(problem, candidates, compulsory, candidates_index)


def block_parameters(
    solver: cp_model.CpSolver, options: SolveOptions, units: float, core: bool
) -> None:
    """A block's search of `units` work units: core-based for sums of per-participant
    penalties, with the block's share of the workers."""
    configure(solver, options, units / WORK_PER_SECOND, BLOCK_WORKERS.get(), core)


def grow(problem: SalonProblem, block: TimeModel, free: set[int], extra: int) -> set[int]:
    """Add the pairs of the free pairs' partners, breadth first, up to `extra` more."""
    grown = set(free)
    frontier = sorted({m for p in free for m in problem.pairs[p].members})
    while frontier and len(grown) < len(free) + extra:
        participant = frontier.pop(0)
        for q in block.pairs_of(participant):
            if q not in grown:
                grown.add(q)
                frontier.extend(problem.pairs[q].members)
    return grown


def solve_sub(
    problem: SalonProblem,
    sub: dict[int, list[int]],
    placement: dict[int, int],
    options: SolveOptions,
    units: float,
    work: Work | None = None,
    core: bool = True,
    optional: frozenset[int] = frozenset(),
) -> dict[int, int] | None:
    """Optimally re-place the free pairs of a sub-model (time objectives, lexicographic) within
    `units` work units; `optional` pairs may stay out, the most and heaviest placed first."""
    block = block_model(problem, sub, optional=optional)
    stages = block.time_stages()
    weight = 1
    parts: list[cp_model.LinearExprT] = []
    for _name, expression, _ in reversed(stages):
        parts.append(weight * expression)
        weight *= len(problem.slots) * max(1, len(sub)) + 1
    if block.optional:
        keep = total((problem.pairs[p].weight + 1) * block.placed[p] for p in block.optional)
        parts.append(-weight * keep)
    objective = total(parts)
    block.hint(placement)
    if stages or block.optional:
        block.model.minimize(objective)
    solver = cp_model.CpSolver()
    block_parameters(solver, options, units, core=core and bool(stages))
    status = solver.solve(block.model)
    if work is not None:
        work.add_solve(solver, len(block.x))
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return block.placement(solver)


def has_time_cost(problem: SalonProblem, placement: dict[int, int], names: Sequence[str]) -> bool:
    return any(
        any(participant_cost(problem, slots, names))
        for slots in busy_slots(problem, placement).values()
    )


def participant_cost(
    problem: SalonProblem, slots: set[int], names: Sequence[str]
) -> tuple[int, ...]:
    return tuple(
        idle_of(problem, slots) if name == "idle" else breaks_of(problem, slots) for name in names
    )


def _neighbourhood(
    problem: SalonProblem,
    pairs_of: dict[str, list[int]],
    start: str,
    size: int,
    rng: random.Random,
) -> set[int]:
    """Pairs reached from a participant by following meetings, breadth first, up to `size`."""
    chosen: set[int] = set()
    queue = [start]
    seen = {start}
    while queue and len(chosen) < size:
        participant = queue.pop(0)
        pairs = list(pairs_of[participant])
        rng.shuffle(pairs)
        for p in pairs:
            chosen.add(p)
            other = problem.pairs[p].other(participant)
            if other not in seen:
                seen.add(other)
                queue.append(other)
    return chosen


def sub_candidates(
    problem: SalonProblem,
    candidates: dict[int, list[int]],
    placement: dict[int, int],
    free: set[int],
    block: TimeModel,
) -> dict[int, list[int]]:
    """The free pairs with their slots, and every placed pair that shares a participant or a
    constrained table with them, fixed at its current slot."""
    sub = {p: candidates[p] for p in free}
    for p in free:
        pair = problem.pairs[p]
        neighbours = [q for m in pair.members for q in block.pairs_of(m)]
        if problem.is_shared_table(pair.home_table):
            neighbours.extend(block.pairs_at_table(pair.home_table))
        for q in neighbours:
            if q not in sub and q in placement:
                sub[q] = [placement[q]]
    return sub


STALL_LIMIT = 400
"""Neighbourhoods tried in a row without a strict improvement before the search stops."""

MAX_NEIGHBOURHOOD = 150
"""Most pairs freed at once by the neighbourhood search (larger ones solve too slowly)."""


def _total(costs: list[tuple[int, ...]]) -> tuple[int, ...]:
    return tuple(sum(values) for values in zip(*costs, strict=True))


def improve_by_neighbourhoods(
    problem: SalonProblem,
    candidates: dict[int, list[int]],
    placement: dict[int, int],
    options: SolveOptions,
    work: Work,
    stop_at: float,
    rng: random.Random,
) -> dict[int, int]:
    """Large neighbourhood search: free the meetings around a participant with idle time,
    re-place them optimally (core-based CP-SAT) while the rest stays, keep what is no worse."""
    names = time_objectives(problem)
    if not names:
        return placement
    placement = dict(placement)
    index = block_model(problem, {}, candidates_index=candidates)
    pairs_of = {u: index.pairs_of(u) for u in index.participants()}
    busy = busy_slots(problem, placement)
    cost = {u: participant_cost(problem, busy[u], names) for u in pairs_of}
    size = 30
    stalled = 0
    while work.spent < stop_at and not work.exhausted and not options.stopped:
        if stalled >= STALL_LIMIT and options.reproducible:
            break
        weighted = [(u, c[0]) for u, c in cost.items() if any(c)]
        if not weighted:
            break
        start = rng.choices([u for u, _ in weighted], [w + 1 for _, w in weighted])[0]
        free = _neighbourhood(problem, pairs_of, start, size, rng)
        sub = sub_candidates(problem, candidates, placement, free, index)
        units = min(0.5, max(0.05, stop_at - work.spent))
        before_work = work.spent
        new = solve_sub(problem, sub, placement, options, units, work)
        quick = work.spent - before_work < 0.5 * units
        if new is None:
            size = max(10, int(size * 0.7))
            continue
        size = min(MAX_NEIGHBOURHOOD, int(size * 1.2)) if quick else max(10, int(size * 0.8))
        touched = {m for p in free for m in problem.pairs[p].members}
        trial = dict(placement)
        trial.update({p: new[p] for p in free})
        trial_busy = {u: {trial[p] for p in pairs_of[u]} for u in touched}
        before = [cost[u] for u in touched]
        after = [participant_cost(problem, trial_busy[u], names) for u in touched]
        stalled = 0 if _total(after) < _total(before) else stalled + 1
        if _total(after) <= _total(before):
            placement = trial
            for u, c in zip(touched, after, strict=False):
                cost[u] = c
    return placement
