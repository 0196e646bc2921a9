"""On-the-day repair, the search: from the old schedule to the repaired placement.

The search is restricted to the meetings around the changes. The participants a change touches
have their meetings freed, with their waiting-list wishes; everything else stays
(`Neighbourhood`). A greedy start keeps every meeting that can stay, re-places the displaced
ones where they fit and fills the freed slots from the waiting list. Then, neighbourhood by
neighbourhood (the two participants of a displaced meeting, then each touched participant), a
small CP-SAT model (scheduler.repair_model) is optimised stage by stage with the rest fixed,
and kept when it improves the repair's lexicographic objective. The budget is deterministic
work. A dropped meeting that still fits anywhere is put back at the end, so a repair never
drops a meeting it could keep; when the changes leave max_break_spread broken, one model over
every meeting still to come restores it, else the fewest meetings are dropped.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass

from scheduler.construct import GreedyState
from scheduler.progress import SolveOptions
from scheduler.repair_model import (
    local_quality,
    run_lexicographic,
    sub_heads,
    sub_model,
    time_stages_of,
)
from scheduler.repair_state import RepairState, touched_participants
from scheduler.search import BUILD_WORK_PER_VARIABLE, WALL_DEADLINE, WORK_PER_SECOND, Work
from scheduler.timetable import drop_to_spread
from scheduler.validator import break_spread_violations

ROUNDS = 3
"""Passes over the neighbourhoods (a pass without improvement ends the search)."""

MAX_FREE = 60
"""Most pairs freed in one neighbourhood (old meetings first, then the heaviest wishes)."""


@dataclass
class Neighbourhood:
    """The pairs the repair may place (mobile) and the meetings held fixed around them."""

    mobile: dict[int, list[int]]
    fixed: dict[int, int]
    touched: set[str]


@dataclass
class Outcome:
    """What the search found: the placement (pair -> slot), the neighbourhoods tried and
    improved, the pairs it could place and the work it spent."""

    placement: dict[int, int]
    neighbourhoods: int
    improved: int
    mobile: int
    work: float = 0.0


def search(
    state: RepairState, options: SolveOptions, seconds: float, spread_model_pairs: int
) -> Outcome:
    """Greedy start, then neighbourhood by neighbourhood, each optimal for the repair's
    lexicographic objective with everything else fixed; kept only when it improves.
    `spread_model_pairs`: most pairs still to come for which one model restores a broken
    max_break_spread (beyond, meetings are dropped).

    The budget is deterministic work (CP-SAT's deterministic time and model building), so the
    same input gives the same repair; the wall clock (`seconds`) is only a safety net."""
    hood = _neighbourhood(state)
    placement = _greedy_start(state, hood)
    drop = sum(1 for p in hood.mobile if p in state.current) + 1
    seeds = _seeds(state, hood)
    work = Work(WORK_PER_SECOND * options.time_limit)
    token = WALL_DEADLINE.set(time.monotonic() + seconds)
    tried = improved = 0
    try:
        for _round in range(ROUNDS):
            better = False
            for seed in seeds:
                if work.exhausted or options.stopped:
                    break
                tried += 1
                new = _improve(state, hood, placement, seed, drop, options, work)
                if new is not None:
                    placement, better = new, True
                    improved += 1
            if not better or work.exhausted:
                break
    finally:
        WALL_DEADLINE.reset(token)
    placement = _put_back(state, placement)
    if problem_spread_broken(state, placement):
        placement = _within_spread(state, placement, options, work, spread_model_pairs)
    outcome = Outcome(placement, tried, improved, len(hood.mobile))
    outcome.work = round(work.spent, 3)
    return outcome


def problem_spread_broken(state: RepairState, placement: dict[int, int]) -> bool:
    """max_break_spread is global: a neighbourhood may not break it elsewhere."""
    if state.problem.salon.max_break_spread is None:
        return False
    return bool(break_spread_violations(state.problem, placement))


# ------------------------------------------------------------------ neighbourhoods


def _neighbourhood(state: RepairState) -> Neighbourhood:
    """Mobile: the pairs still to come of a displaced meeting or of a touched participant
    (with their open slots); fixed: the frozen meetings and those that stay."""
    problem = state.problem
    touched = touched_participants(state)
    staying = {p: old.slot for p, old in state.current.items() if not old.cause}
    mobile: dict[int, list[int]] = {}
    for pair in problem.pairs:
        if pair.index in state.frozen or pair.declined:
            continue
        old = state.current.get(pair.index)
        moving = old is not None and bool(old.cause)
        if not (moving or touched.intersection(pair.members)):
            continue
        slots = state.future_slots(pair)
        if slots:
            mobile[pair.index] = slots
    fixed: dict[int, int] = dict(state.frozen)
    fixed.update({p: s for p, s in staying.items() if p not in mobile and s is not None})
    return Neighbourhood(mobile, fixed, touched)


def _seeds(state: RepairState, hood: Neighbourhood) -> list[tuple[str, ...]]:
    """Neighbourhood centres: the two participants of each displaced meeting, then each
    touched participant alone (most affected first)."""
    seeds: list[tuple[str, ...]] = []
    for old in state.current.values():
        if old.cause and old.pair in hood.mobile:
            seeds.append(tuple(sorted((old.meeting.from_, old.meeting.to))))
    weight: dict[str, int] = defaultdict(int)
    for p in hood.mobile:
        for member in state.problem.pairs[p].members:
            if member in hood.touched:
                weight[member] += 1
    seeds.extend((u,) for u in sorted(weight, key=lambda u: (-weight[u], u)))
    return list(dict.fromkeys(seeds))


def _free_pairs(state: RepairState, hood: Neighbourhood, seed: tuple[str, ...]) -> list[int]:
    """The mobile pairs of the seed's participants, at most MAX_FREE."""
    problem = state.problem
    pairs = [p for p in hood.mobile if set(seed).intersection(problem.pairs[p].members)]
    pairs.sort(key=lambda p: (p not in state.current, -problem.pairs[p].weight, p))
    return pairs[:MAX_FREE]


def _improve(
    state: RepairState,
    hood: Neighbourhood,
    placement: dict[int, int],
    seed: tuple[str, ...],
    drop: int,
    options: SolveOptions,
    work: Work,
) -> dict[int, int] | None:
    """The neighbourhood's optimum (stage by stage), when it beats the current placement.

    The time objectives are only optimised when the choice objectives or the changes improve:
    they are the last tie-break, and building them costs more than the rest of the model."""
    free = _free_pairs(state, hood, seed)
    if not free:
        return None
    sub = sub_model(state, free, hood.mobile, placement, drop)
    work.charge(BUILD_WORK_PER_VARIABLE * len(sub.model.x))
    hint = {p: s for p, s in placement.items() if p in sub.model.candidates}
    found = run_lexicographic(sub.model, sub.stages, hint, options, work)
    if found is None:
        return None
    trial = _merged(placement, sub.free, found)
    current = local_quality(state, placement, sub.free, drop)
    heads = len(sub_heads(state))
    if local_quality(state, trial, sub.free, drop)[:heads] <= current[:heads]:
        return None
    timing = time_stages_of(sub.model, sub.free)
    if timing:
        timed = run_lexicographic(sub.model, timing, found, options, work)
        if timed is not None:
            trial = _merged(placement, sub.free, timed)
    if local_quality(state, trial, sub.free, drop) <= current:
        return None
    if problem_spread_broken(state, trial):
        return None
    return trial


def _merged(placement: dict[int, int], free: list[int], found: dict[int, int]) -> dict[int, int]:
    """The placement with the free pairs as `found` places them (out when it does not)."""
    trial = {p: s for p, s in placement.items() if p not in free}
    trial.update({p: found[p] for p in free if p in found})
    return trial


# ------------------------------------------------------------------ greedy


class _Greedy:
    """Counting-rule bookkeeping (GreedyState) plus the closed pool tables."""

    def __init__(self, state: RepairState, placement: dict[int, int]) -> None:
        self.state = state
        self.greedy = GreedyState(state.problem)
        self.placement: dict[int, int] = {}
        for p, s in placement.items():
            self.place(p, s)

    def fits(self, p: int, s: int) -> bool:
        if not self.greedy.fits(p, s):
            return False
        if self.state.problem.pairs[p].pooled:
            return self.greedy.table_use[None, s] < self.state.pool_capacity[s]
        return True

    def place(self, p: int, s: int) -> None:
        self.greedy.place(p, s)
        self.placement[p] = s

    def try_place(self, p: int, slots: list[int], prefer: int | None = None) -> bool:
        """Place the pair in the fitting slot that adds the fewest idle slots."""
        best: tuple[int, int, int] | None = None
        for s in slots:
            if not self.fits(p, s):
                continue
            cost = sum(self.greedy.gap_cost(m, s) for m in self.state.problem.pairs[p].members)
            key = (0 if s == prefer else 1, cost, s)
            if best is None or key < best:
                best = key
        if best is None:
            return False
        self.place(p, best[2])
        return True


def _greedy_start(state: RepairState, hood: Neighbourhood) -> dict[int, int]:
    """Fixed meetings, the old meetings that can stay where they are, then the displaced ones
    and the waiting list greedily (required first, new participants covered, heaviest)."""
    problem = state.problem
    start = dict(hood.fixed)
    for p in hood.mobile:
        old = state.current.get(p)
        if old is not None and not old.cause and old.slot is not None:
            start[p] = old.slot
    greedy = _Greedy(state, start)
    covered = {m for p in start for m in problem.pairs[p].members}
    rest = [p for p in hood.mobile if p not in start]

    def priority(p: int) -> tuple[int, int, int, int, int]:
        pair = problem.pairs[p]
        new = sum(1 for m in pair.members if m not in covered)
        return (not pair.required, p not in state.current, -new, -pair.weight, p)

    for p in sorted(rest, key=priority):
        old = state.current.get(p)
        prefer = old.slot if old is not None else None
        if greedy.try_place(p, hood.mobile[p], prefer):
            covered.update(problem.pairs[p].members)
    return greedy.placement


def _put_back(state: RepairState, placement: dict[int, int]) -> dict[int, int]:
    """Old meetings the search dropped but that still fit somewhere are put back."""
    greedy = _Greedy(state, placement)
    for p, old in sorted(state.current.items()):
        if p in placement:
            continue
        slots = state.future_slots(state.problem.pairs[p])
        if slots:
            greedy.try_place(p, slots, old.slot if not old.cause else None)
    return greedy.placement


# ------------------------------------------------------------------ max_break_spread


def _within_spread(
    state: RepairState,
    placement: dict[int, int],
    options: SolveOptions,
    work: Work,
    model_pairs: int,
) -> dict[int, int]:
    """max_break_spread after the changes: CP-SAT over every meeting to come while the budget
    lasts (_restore_spread), else the fewest meetings dropped (timetable.drop_to_spread), the
    past and the required meetings kept."""
    if not work.exhausted:
        restored = _restore_spread(state, placement, options, work, model_pairs)
        if not problem_spread_broken(state, restored):
            return restored
    limit = state.problem.salon.max_break_spread or 0
    thinned = drop_to_spread(state.problem, placement, limit, frozenset(state.frozen))
    return placement if thinned is None else thinned


def _restore_spread(
    state: RepairState,
    placement: dict[int, int],
    options: SolveOptions,
    work: Work,
    model_pairs: int,
) -> dict[int, int]:
    """When the changes leave max_break_spread broken (a cancelled meeting can take a break
    from one participant only), one model over every meeting still to come (at most
    `model_pairs` pairs), the spread posted, in the repair's order (required, choice
    objectives, changes). The placement is kept as it is when no schedule within the spread is
    found."""
    problem = state.problem
    mobile = {
        pair.index: slots
        for pair in problem.pairs
        if pair.index not in state.frozen and not pair.declined
        for slots in [state.future_slots(pair)]
        if slots
    }
    if len(mobile) > model_pairs:
        return placement
    drop = sum(1 for p in mobile if p in state.current) + 1
    sub = sub_model(state, list(mobile), mobile, placement, drop)
    limit = problem.salon.max_break_spread
    assert limit is not None
    sub.model.add_break_spread(limit, sub.model.time_terms()["breaks"])
    hint = {p: s for p, s in placement.items() if p in sub.model.candidates}
    found = run_lexicographic(sub.model, sub.stages, hint, options, work)
    if found is None:
        return placement
    trial = _merged(placement, sub.free, found)
    return placement if problem_spread_broken(state, trial) else trial
