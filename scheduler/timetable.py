"""The timetable stage: place the selected pairs in slots, session by session.

Variables follow the OR-Tools samples: x[p, s] is true when pair p meets in slot s. The counting
rules of scheduler.rules are posted as they are; the time objectives are built by functions that
return their penalty terms. Sub-models of a block (the first placement's completion, the
neighbourhood search) are scheduler.neighbourhoods.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from scheduler.construct import compact_greedy, sequential_matching
from scheduler.cpsat import Stage, TimeModel, time_objectives, total
from scheduler.measures import breaks_of, busy_slots, idle_of
from scheduler.neighbourhoods import (
    BLOCK_WORKERS,
    block_model,
    grow,
    has_time_cost,
    improve_by_neighbourhoods,
    solve_sub,
    sub_candidates,
)
from scheduler.polish import polish
from scheduler.problem import SalonProblem
from scheduler.progress import Clock, Progress, SolveOptions
from scheduler.search import WALL_DEADLINE, WORK_PER_SECOND, Work, run_stages


@dataclass
class TimetableResult:
    placement: dict[int, int] = field(default_factory=dict)
    bounds: dict[str, int] = field(default_factory=dict)
    optimal: bool = True
    complete: bool = True
    dropped: list[int] = field(default_factory=list)
    first_solution_seconds: float = 0.0
    missing_required: bool = False
    """A selected required meeting is not placed: this result is no schedule."""


def _blocks(problem: SalonProblem) -> list[list[int]]:
    sessions = sorted(problem.session_slots, key=lambda s: problem.session_slots[s][0])
    if problem.salon.max_break_spread is not None:
        return [sessions]
    return [[s] for s in sessions]


def _candidates(
    problem: SalonProblem, session_of: dict[int, int], sessions: list[int]
) -> dict[int, list[int]]:
    wanted = set(sessions)
    candidates = {}
    for p, session in session_of.items():
        if session in wanted:
            slots = [s for s in problem.pairs[p].allowed if problem.slots[s].session == session]
            candidates[p] = slots
    return candidates


@dataclass
class BlockResult:
    placement: dict[int, int] = field(default_factory=dict)
    dropped: list[int] = field(default_factory=list)
    optimal: bool = True
    complete: bool = True
    first_seconds: float = 0.0


def _first_placement(
    problem: SalonProblem,
    candidates: dict[int, list[int]],
    options: SolveOptions,
    work: Work,
    result: BlockResult,
) -> dict[int, int]:
    """The compact greedy placement, completed around the pairs it could not place.

    Neighbourhoods around the missing pairs grow until CP-SAT places them all; what still
    does not fit is placed as far as possible (heaviest first) and the rest is left out.
    """
    started = time.monotonic()
    block = block_model(problem, {}, candidates_index=candidates)
    placement = _best_start(problem, candidates)
    for attempt in range(1, 5):
        missing = [p for p in candidates if p not in placement]
        if not missing:
            break
        free = grow(problem, block, set(missing), 20 * attempt * attempt)
        sub = sub_candidates(problem, candidates, placement, free, block)
        optional = frozenset(missing) if attempt == 4 else frozenset()
        completed = solve_sub(
            problem, sub, placement, options, max(0.2, 0.05 * work.budget), work, optional=optional
        )
        if completed is not None:
            for p in free:
                placement.pop(p, None)
                if p in completed:
                    placement[p] = completed[p]
    result.first_seconds = time.monotonic() - started
    return placement


def _best_start(problem: SalonProblem, candidates: dict[int, list[int]]) -> dict[int, int]:
    """The better of two constructions: most pairs placed first, then least idle time."""
    starts = [sequential_matching(problem, candidates), compact_greedy(problem, candidates)]

    def quality(placement: dict[int, int]) -> tuple[int, int]:
        busy = busy_slots(problem, placement)
        return (-len(placement), sum(idle_of(problem, slots) for slots in busy.values()))

    return min(starts, key=quality)


def _run_stages(
    block: TimeModel,
    stages: list[Stage],
    options: SolveOptions,
    work: Work,
    placement: dict[int, int],
) -> tuple[dict[int, int], bool, bool]:
    """The toolkit's stage loop on a block, minimised stages core-based, with the block's
    workers: the best placement, whether every stage was proven optimal, and whether CP-SAT
    found any solution."""
    core = frozenset(name for name, _, maximise in stages if not maximise)
    result = run_stages(block, stages, placement, options, work, BLOCK_WORKERS.get(), core)
    return result.placement, result.all_proven(stages), result.found


WHOLE_BLOCK_PAIRS = 1200
"""Blocks up to this many pairs are first optimised as a whole, larger ones by neighbourhoods."""


def _solve_block(
    problem: SalonProblem,
    candidates: dict[int, list[int]],
    options: SolveOptions,
    work_budget: float,
    wall_seconds: float,
    seed: int,
    workers: int = 1,
) -> BlockResult:
    """Place a block's pairs (all of them when they fit), then minimise its time objectives.

    `work_budget` (deterministic units) bounds the search; `wall_seconds` is the safety net."""
    WALL_DEADLINE.set(time.monotonic() + wall_seconds)
    BLOCK_WORKERS.set(workers)
    work = Work(work_budget, options.reproducible)
    result = BlockResult()
    placement = _first_placement(problem, candidates, options, work, result)
    result.dropped = [p for p in candidates if p not in placement]
    result.complete = not result.dropped
    if any(problem.pairs[p].required for p in result.dropped):
        result.placement = placement  # the solver falls back to solve_requirements_first
        return result
    names = time_objectives(problem)
    placed = {p: candidates[p] for p in placement}
    if problem.salon.max_break_spread is not None:
        # The spread couples every participant: optimise the block as a whole.
        result.placement = _solve_coupled(problem, placed, placement, options, work, seed)
        result.dropped = [p for p in candidates if p not in result.placement]
        return result
    if not names:
        result.placement = placement
        return result
    whole = len(placed) <= WHOLE_BLOCK_PAIRS
    if names[0] == "idle":
        moves = POLISH_MOVES * len(placed)
        placement = polish(problem, placed, placement, seed, moves, WALL_DEADLINE.get())
        work.charge(POLISH_WORK_PER_MOVE * moves)
    stop_at = work.spent + work.left() * (0.6 if whole else 1.0)
    placement = improve_by_neighbourhoods(
        problem, placed, placement, options, work, stop_at, random.Random(seed)
    )
    # Not once the wall clock is spent: building the whole block's model alone takes seconds
    # when sessions have hundreds of slots (short meetings all day).
    finish = whole and work.left() > 0.2 and not work.exhausted
    if finish and has_time_cost(problem, placement, names):
        block = block_model(problem, placed)
        placement, _, _ = _run_stages(block, block.time_stages(), options, work, placement)
    result.placement = placement
    return result


def _solve_coupled(
    problem: SalonProblem,
    placed: dict[int, list[int]],
    placement: dict[int, int],
    options: SolveOptions,
    work: Work,
    seed: int,
) -> dict[int, int]:
    """All sessions at once (max_break_spread): CP-SAT with every pair placed; failing that
    (a large salon, a short time limit), the first placement polished and thinned until the
    spread holds (drop_to_spread), then CP-SAT from it with any pair optional."""
    block = block_model(problem, placed)
    first = Work(0.6 * work.left(), options.reproducible)
    new, _, found = _run_stages(block, block.time_stages(), options, first, placement)
    work.charge(first.charged)
    if found:
        return new
    moves = POLISH_MOVES * len(placed)
    polished = polish(problem, placed, placement, seed, moves, WALL_DEADLINE.get())
    work.charge(POLISH_WORK_PER_MOVE * moves)
    limit = problem.salon.max_break_spread or 0
    start = drop_to_spread(problem, polished, limit)
    block = block_model(problem, placed, optional=frozenset(placed))
    stages = [_keep_most(block), *block.time_stages()]
    new, _, found = _run_stages(block, stages, options, work, start or {})
    if found:
        return new
    return start or {}


def drop_to_spread(
    problem: SalonProblem,
    placement: dict[int, int],
    limit: int,
    keep: frozenset[int] = frozenset(),
) -> dict[int, int] | None:
    """The placement less the fewest meetings found for max_break_spread to hold: while the
    most and fewest breaks differ by more than `limit`, the participant with the most breaks
    loses the first or last run of meetings of a session with a gap (one break less), the run
    adding least to its partners' breaks, then the shortest. None when only required meetings
    (or pairs in `keep`) could go."""
    kept = dict(placement)
    pairs_of: dict[str, list[int]] = defaultdict(list)
    for p in kept:
        for member in problem.pairs[p].members:
            pairs_of[member].append(p)

    def breaks_without(participant: str, gone: set[int]) -> int:
        return breaks_of(problem, {kept[q] for q in pairs_of[participant] if q not in gone})

    breaks = {u: breaks_without(u, set()) for u in pairs_of}
    while breaks and max(breaks.values()) - min(breaks.values()) > limit:
        worst = max(breaks, key=lambda u: (breaks[u], u))
        best: tuple[tuple[int, int, int], set[int]] | None = None
        for run in _edge_runs(problem, {kept[q] for q in pairs_of[worst]}):
            gone = {q for q in pairs_of[worst] if kept[q] in run}
            if any(problem.pairs[q].required or q in keep for q in gone):
                continue
            partners = {problem.pairs[q].other(worst) for q in gone}
            hurt = sum(breaks_without(u, gone) - breaks[u] for u in partners)
            key = (hurt, len(gone), min(gone))
            if best is None or key < best[0]:
                best = (key, gone)
        if best is None:
            return None
        for dropped in best[1]:
            del kept[dropped]
            for member in problem.pairs[dropped].members:
                pairs_of[member].remove(dropped)
        for member in {m for q in best[1] for m in problem.pairs[q].members}:
            if pairs_of[member]:
                breaks[member] = breaks_without(member, set())
            else:
                del breaks[member]
    return kept


def _edge_runs(problem: SalonProblem, slots: set[int]) -> list[set[int]]:
    """In each session with a gap, the first and the last run of busy slots."""
    runs: list[set[int]] = []
    for session_slots in problem.session_slots.values():
        here: list[set[int]] = []
        for position, slot in enumerate(session_slots):
            if slot not in slots:
                continue
            if here and position > 0 and session_slots[position - 1] in here[-1]:
                here[-1].add(slot)
            else:
                here.append({slot})
        if len(here) > 1:
            runs.extend((here[0], here[-1]))
    return runs


POLISH_MOVES = 15
"""Local-search attempts per pair of a block before the neighbourhood search."""

POLISH_WORK_PER_MOVE = 2e-5
"""Work units charged per local-search attempt (measured: ~20-40 µs each)."""


def solve_timetable(
    problem: SalonProblem,
    session_of: dict[int, int],
    options: SolveOptions,
    clock: Clock,
    seconds: float,
    wall_seconds: float,
) -> TimetableResult:
    """Place the selected pairs within `seconds` (work units, counted in reproducible mode;
    wall time otherwise), `wall_seconds` at most on the clock. Blocks run concurrently, each
    with its share of `options.workers`."""
    result = TimetableResult()
    blocks = [c for c in (_candidates(problem, session_of, b) for b in _blocks(problem)) if c]
    if not blocks:
        return result
    total_pairs = sum(len(c) for c in blocks)
    threads = max(1, min(options.workers, len(blocks)))
    # Work budgets depend on the time limit only (determinism); wall budgets on what is left.
    planned = seconds
    remaining = max(0.5, wall_seconds)
    block_workers = max(1, options.workers // threads)
    shares = [min(1.0, threads * len(c) / total_pairs) for c in blocks]
    started = time.monotonic()
    elapsed = clock.elapsed
    options.report(Progress("timetable", elapsed, message=f"0/{len(blocks)} sessions placed"))
    with ThreadPoolExecutor(max_workers=threads) as pool:
        futures = [
            pool.submit(
                _solve_block,
                problem,
                c,
                options,
                planned * share,
                remaining * share,
                options.seed + index,
                block_workers,
            )
            for index, (c, share) in enumerate(zip(blocks, shares, strict=True))
        ]
        block_results = []
        for future in futures:
            block_results.append(future.result())
            options.report(
                Progress(
                    "timetable",
                    elapsed + time.monotonic() - started,
                    message=f"{len(block_results)}/{len(blocks)} sessions placed",
                )
            )
    for block_result in block_results:
        result.placement.update(block_result.placement)
        result.dropped.extend(block_result.dropped)
        result.optimal = result.optimal and block_result.optimal
        result.complete = result.complete and block_result.complete
    result.first_solution_seconds = max(r.first_seconds for r in block_results)
    result.missing_required = _missing_required(problem, session_of, result.placement)
    return result


def _missing_required(
    problem: SalonProblem, selected: Iterable[int], placement: dict[int, int]
) -> bool:
    """True when a selected required pair is left out: no schedule yet, whatever the stage."""
    return any(problem.pairs[p].required and p not in placement for p in selected)


def _keep_most(block: TimeModel) -> tuple[str, cp_model.LinearExprT, bool]:
    """The stage keeping the most and heaviest optional pairs."""
    pairs = block.problem.pairs
    return ("keep", total((pairs[p].weight + 1) * block.placed[p] for p in block.optional), True)


def solve_requirements_first(
    problem: SalonProblem,
    selected: Iterable[int],
    options: SolveOptions,
    seconds: float,
    hint: dict[int, int] | None = None,
) -> TimetableResult:
    """The fallback when the sessions given to the pairs cannot hold the required meetings.

    The selection and the session assignment are relaxations (they count tables,
    representatives and max_in_a_row apart), so a session may get required meetings that only
    fit elsewhere. Here each selected pair may take any of its allowed slots, only the
    required ones compulsory: one model places the most and heaviest pairs in all sessions,
    then a second, each pair kept to the session it got, adds the time objectives and
    max_break_spread. `hint`: the placement that fell short, a start for the first model.
    """
    pairs = [p for p in selected if problem.pairs[p].allowed]
    anywhere = block_model(problem, {p: problem.pairs[p].allowed for p in pairs}, frozenset(pairs))
    token = WALL_DEADLINE.set(time.monotonic() + max(1.0, seconds))
    budget = max(0.3, seconds * WORK_PER_SECOND) / 2
    try:
        first, _, found = _run_stages(
            anywhere,
            [_keep_most(anywhere)],
            options,
            Work(budget, options.reproducible),
            hint or {},
        )
        if not found:
            return TimetableResult(missing_required=True)
        session_of = {p: problem.slots[s].session for p, s in first.items()}
        candidates = _candidates(problem, session_of, list(problem.session_slots))
        block = block_model(problem, candidates, optional=frozenset(candidates))
        stages = [_keep_most(block), *block.time_stages()]
        placement, proven, placed = _run_stages(
            block, stages, options, Work(budget, options.reproducible), first
        )
    finally:
        WALL_DEADLINE.reset(token)
    if not placed and problem.salon.max_break_spread is not None:  # else `first` will do
        return TimetableResult(missing_required=True)
    dropped = [p for p in pairs if p not in placement]
    return TimetableResult(
        placement=placement,
        optimal=proven,
        complete=not dropped,
        dropped=dropped,
        missing_required=_missing_required(problem, pairs, placement),
    )
