"""On-the-day repair: re-solve after cancellations, no-shows, late arrivals and new wishes.

`repair(salon, schedule, changes, now)` returns the schedule of the salon as the changes leave it
(scheduler.changes.apply_changes), with `changes` listing every meeting moved, dropped or added
(and the no-show marks). The rules:

- meetings that started before `now` are frozen: kept as they happened;
- every other meeting of the schedule stays at its slot and table unless it cannot (a
  participant left, became unavailable, the meeting was cancelled, its table closed) or moving
  it lets the salon reach a better objective;
- the objective is lexicographic: the required meetings placed first (a required meeting that
  can no longer take place is dropped with its reason, not failed), then the salon's choice
  objectives (coverage, score) in its order, then the fewest changes (each moved meeting counts
  1, each dropped meeting one more than all the possible moves together), then the salon's time
  objectives (idle, breaks) as a tie-break. Time objectives come after the changes: a schedule
  repaired with no change must not be reshuffled to gain idle slots;
- the wishes that were not scheduled (the waiting list) are offered the freed slots.

The search is restricted to the meetings around the changes. The participants a change touches
have their meetings freed, with their waiting-list wishes; everything else stays. A greedy start
keeps every meeting that can stay, re-places the displaced ones where they fit and fills the
freed slots from the waiting list. Then, neighbourhood by neighbourhood (the two participants of
a displaced meeting, then each touched participant), a small CP-SAT model is optimised stage by
stage with the rest fixed, and kept when it improves the lexicographic objective. The model is
the timetable's BlockModel (x[pair, slot], the counting rules of scheduler.rules posted as they
are) with every freed pair optional; the time objectives are built slot by slot, since a freed
pair may move to another session. The budget is deterministic work. A dropped meeting that
still fits anywhere is put back at the end, so a repair never drops a meeting it could keep.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from scheduler.bounds import bounds_if_all_meet
from scheduler.changes import AppliedChanges, ChangeSet, apply_changes
from scheduler.construct import GreedyState
from scheduler.cpsat import (
    BUILD_WORK_PER_VARIABLE,
    CHOICE_OBJECTIVES,
    TIME_OBJECTIVES,
    WALL_DEADLINE,
    WORK_PER_SECOND,
    Stage,
    TimeModel,
    Work,
    total,
    worth_levels,
)
from scheduler.explain import explain_unscheduled
from scheduler.format import (
    Change,
    MeetingRef,
    ObjectiveValue,
    Salon,
    Schedule,
    ScheduledMeeting,
)
from scheduler.measures import (
    breaks_of,
    fairness_of,
    idle_of,
    objective_values,
)
from scheduler.problem import Pair, SalonProblem, build_problem
from scheduler.progress import Progress, SolveOptions
from scheduler.rules import slot_violations
from scheduler.timetable import drop_to_spread
from scheduler.validator import break_spread_violations

DEFAULT_SECONDS = 3.0
"""Default time limit of a repair: the desk waits for it."""


"""(name, expression, maximise) of one lexicographic stage."""


@dataclass
class OldMeeting:
    """A meeting of the schedule being repaired, read against the changed salon."""

    meeting: ScheduledMeeting
    pair: int | None
    slot: int | None
    frozen: bool
    cause: str = ""  # why it cannot stay at its slot and table ("" when it can)

    @property
    def before(self) -> MeetingRef:
        return MeetingRef(start=self.meeting.start, table=self.meeting.table)


@dataclass
class RepairState:
    """The changed salon compiled, the old meetings classified, the slots still open."""

    problem: SalonProblem
    applied: AppliedChanges
    old: list[OldMeeting]
    open_slots: frozenset[int]
    pool_capacity: dict[int, int]
    frozen: dict[int, int] = field(default_factory=dict)  # pair -> slot, held before now
    current: dict[int, OldMeeting] = field(default_factory=dict)  # pair -> its future meeting

    def future_slots(self, pair: Pair) -> list[int]:
        return [s for s in pair.allowed if s in self.open_slots]


# ------------------------------------------------------------------ reading


def _pool_capacity(problem: SalonProblem, applied: AppliedChanges) -> dict[int, int]:
    """Free tables of each slot once the closed pool tables are taken out."""
    closed = applied.closed_pool_tables()
    size = len(problem.pool_tables)
    return {
        slot.index: size - sum(1 for start in closed.values() if start < slot.end)
        for slot in problem.slots
    }


def _table_closed(
    applied: AppliedChanges, table: str, start: dt.datetime, end: dt.datetime
) -> bool:
    closed = applied.closed_tables.get(table)
    return closed is not None and closed < end


def _cause(state: RepairState, pair: Pair, slot: int) -> str:
    """The change (or rule) that forbids the pair in the slot, as a reason code."""
    applied, problem = state.applied, state.problem
    when = problem.slots[slot]
    if pair.declined:
        cancelled = frozenset(pair.members) in applied.cancelled_pairs
        return "meeting_cancelled" if cancelled else "declined_never_scheduled"
    for member in pair.members:
        left = applied.cancelled.get(member)
        if left is not None and left < when.end:
            return "participant_cancelled"
    if pair.home_table is not None and _table_closed(
        applied, pair.home_table, when.start, when.end
    ):
        return "table_closed"
    for member in pair.members:
        if any(i.overlaps(when.start, when.end) for i in applied.unavailable.get(member, [])):
            return "participant_unavailable"
    violations = slot_violations(problem, pair, when)
    return violations[0][0] if violations else ""


def _classify(state: RepairState, meetings: Iterable[ScheduledMeeting]) -> None:
    problem, now = state.problem, state.applied.now
    length = dt.timedelta(minutes=problem.salon.meeting_minutes)
    seen: set[int] = set()
    for meeting in meetings:
        pair = problem.pair_of(meeting.from_, meeting.to)
        slot = problem.slot_at.get(meeting.start)
        if slot is not None and meeting.end != meeting.start + length:
            slot = None
        old = OldMeeting(meeting, None if pair is None else pair.index, slot, meeting.start < now)
        state.old.append(old)
        if old.frozen:
            if pair is not None and slot is not None and pair.index not in seen:
                state.frozen[pair.index] = slot
            if pair is not None:
                seen.add(pair.index)
            continue
        if pair is None:
            old.cause = "meeting_has_wish"
            continue
        if pair.index in seen:
            old.cause = "one_meeting_per_pair"
            continue
        seen.add(pair.index)
        state.current[pair.index] = old
        old.cause = _stay_cause(state, old, pair)


def _stay_cause(state: RepairState, old: OldMeeting, pair: Pair) -> str:
    if old.slot is None:
        return "on_slot_grid"
    if pair.home_table is not None and old.meeting.table != pair.home_table:
        return "right_table"
    if pair.home_table is None and old.meeting.table not in state.problem.pool_tables:
        return "right_table"
    if old.slot not in pair.allowed:
        return _cause(state, pair, old.slot) or "participant_available"
    when = state.problem.slots[old.slot]
    if pair.home_table is None and _table_closed(
        state.applied, old.meeting.table, when.start, when.end
    ):
        return "table_closed"
    return ""


def read_state(applied: AppliedChanges, schedule: Schedule) -> RepairState:
    """Compile the changed salon and sort the schedule's meetings: frozen, staying, displaced."""
    problem = build_problem(applied.salon)
    open_slots = frozenset(s.index for s in problem.slots if s.start >= applied.now)
    state = RepairState(problem, applied, [], open_slots, _pool_capacity(problem, applied))
    _classify(state, schedule.meetings)
    return state


# ---------------------------------------------------------------- the model


RepairModel = TimeModel
"""The repair's model: every pair in `optional` may stay out, required ones too (a repair
drops a required meeting that can no longer take place, it does not fail)."""


@dataclass
class Neighbourhood:
    """The pairs the repair may place (mobile) and the meetings held fixed around them."""

    mobile: dict[int, list[int]]
    fixed: dict[int, int]
    touched: set[str]


def _touched(state: RepairState) -> set[str]:
    """Participants whose day a change affects."""
    applied, problem = state.applied, state.problem
    touched: set[str] = set(applied.unavailable) | set(applied.cancelled)
    touched.update(applied.added_participants)
    for index in applied.added_wishes:
        wish = applied.salon.wishes[index]
        touched.update((wish.from_, wish.to))
    for pair_members in applied.cancelled_pairs:
        touched.update(pair_members)
    for old in state.old:
        if not old.frozen and old.cause:
            touched.update((old.meeting.from_, old.meeting.to))
    return {u for u in touched if u in problem.participants}


def _neighbourhood(state: RepairState) -> Neighbourhood:
    problem = state.problem
    touched = _touched(state)
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


@dataclass
class SubModel:
    """A neighbourhood's model: its free pairs and the lexicographic stages over them."""

    model: RepairModel
    free: list[int]
    stages: list[Stage]


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


def _sub_model(
    state: RepairState,
    free: list[int],
    mobile: dict[int, list[int]],
    placement: dict[int, int],
    drop: int,
) -> SubModel:
    """Stages in the repair's order: required, the salon's choice objectives, the changes
    (moves + drop * drops), the salon's time objectives."""
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


def _time_stages_of(model: RepairModel, free: list[int]) -> list[Stage]:
    """The salon's time objectives (idle, breaks) over the participants of the free pairs, per
    session (a free pair may move between sessions, so these are built slot by slot)."""
    problem = model.problem
    names = [n for n in problem.salon.objectives if n in TIME_OBJECTIVES]
    if not names:
        return []
    sessions: dict[str, set[int]] = defaultdict(set)
    for p in free:
        for member in problem.pairs[p].members:
            sessions[member].update(problem.slots[s].session for s in model.candidates[p])
    terms = model.time_terms(sessions)
    return [(name, total(terms[name].values()), False) for name in names]


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
    """Participants who get a meeting, among those only the free pairs can cover."""
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


# ------------------------------------------------------------------ solving


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
            fairness_of(sum(1 for q in problem.pairs_of[m] if q in placement))
            for m in members
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


MAX_FREE = 60
"""Most pairs freed in one neighbourhood (old meetings first, then the heaviest wishes)."""

STAGE_WORK = 0.2
"""Deterministic time (about seconds of one core) allowed to one stage of a neighbourhood;
the wall clock is only a safety net, so a repair is the same on a loaded machine."""


def _free_pairs(state: RepairState, hood: Neighbourhood, seed: tuple[str, ...]) -> list[int]:
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
    sub = _sub_model(state, free, hood.mobile, placement, drop)
    work.charge(BUILD_WORK_PER_VARIABLE * len(sub.model.x))
    hint = {p: s for p, s in placement.items() if p in sub.model.candidates}
    found = _run_lexicographic(sub.model, sub.stages, hint, options, work)
    if found is None:
        return None
    trial = _merged(placement, sub.free, found)
    current = local_quality(state, placement, sub.free, drop)
    heads = len(sub_heads(state))
    if local_quality(state, trial, sub.free, drop)[:heads] <= current[:heads]:
        return None
    timing = _time_stages_of(sub.model, sub.free)
    if timing:
        timed = _run_lexicographic(sub.model, timing, found, options, work)
        if timed is not None:
            trial = _merged(placement, sub.free, timed)
    if local_quality(state, trial, sub.free, drop) <= current:
        return None
    if problem_spread_broken(state, trial):
        return None
    return trial


def sub_heads(state: RepairState) -> list[str]:
    """The objectives before the time tie-break: required, the choice objectives, changes."""
    choice = [n for n in state.problem.salon.objectives if n in CHOICE_OBJECTIVES]
    return ["required", *choice, "changes"]


def _merged(placement: dict[int, int], free: list[int], found: dict[int, int]) -> dict[int, int]:
    trial = {p: s for p, s in placement.items() if p not in free}
    trial.update({p: found[p] for p in free if p in found})
    return trial


def _run_lexicographic(
    model: RepairModel,
    stages: list[Stage],
    hint: dict[int, int],
    options: SolveOptions,
    work: Work,
) -> dict[int, int] | None:
    """Each stage optimised in turn from the hint, its value then kept; None when a stage
    finds no solution. Presolve is off: on these small models it costs more than it saves."""
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
        wall_left = WALL_DEADLINE.get() - time.monotonic()
        solver.parameters.max_time_in_seconds = max(0.05, min(3 * STAGE_WORK, wall_left))
        status = solver.solve(model.model)
        work.add_solve(solver, 0)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        placement = model.placement(solver)
        value = int(round(solver.objective_value))
        model.model.add(expression >= value if maximise else expression <= value)
    return placement


def problem_spread_broken(state: RepairState, placement: dict[int, int]) -> bool:
    """max_break_spread is global: a neighbourhood may not break it elsewhere."""
    if state.problem.salon.max_break_spread is None:
        return False
    return bool(break_spread_violations(state.problem, placement))


SPREAD_MODEL_PAIRS = 400
"""Most pairs still to come for which one CP-SAT model restores max_break_spread; beyond, the
model takes seconds, and the repair drops meetings instead."""


def _restore_spread(
    state: RepairState, placement: dict[int, int], options: SolveOptions, work: Work
) -> dict[int, int]:
    """When the changes leave max_break_spread broken (a cancelled meeting can take a break
    from one participant only), one model over every meeting still to come, the spread
    posted, in the repair's order (required, choice objectives, changes). The placement is
    kept as it is when no schedule within the spread is found."""
    problem = state.problem
    mobile = {
        pair.index: slots
        for pair in problem.pairs
        if pair.index not in state.frozen and not pair.declined
        for slots in [state.future_slots(pair)]
        if slots
    }
    if len(mobile) > SPREAD_MODEL_PAIRS:
        return placement
    drop = sum(1 for p in mobile if p in state.current) + 1
    sub = _sub_model(state, list(mobile), mobile, placement, drop)
    limit = problem.salon.max_break_spread
    assert limit is not None
    sub.model.add_break_spread(limit, _breaks_of_everyone(sub.model))
    hint = {p: s for p, s in placement.items() if p in sub.model.candidates}
    found = _run_lexicographic(sub.model, sub.stages, hint, options, work)
    if found is None:
        return placement
    trial = _merged(placement, sub.free, found)
    return placement if problem_spread_broken(state, trial) else trial


def _within_spread(
    state: RepairState, placement: dict[int, int], options: SolveOptions, work: Work
) -> dict[int, int]:
    """max_break_spread after the changes: CP-SAT over every meeting to come while the budget
    lasts (_restore_spread), else the fewest meetings dropped (timetable.drop_to_spread), the
    past and the required meetings kept."""
    if not work.exhausted:
        restored = _restore_spread(state, placement, options, work)
        if not problem_spread_broken(state, restored):
            return restored
    limit = state.problem.salon.max_break_spread or 0
    thinned = drop_to_spread(state.problem, placement, limit, frozenset(state.frozen))
    return placement if thinned is None else thinned


def _breaks_of_everyone(model: RepairModel) -> dict[str, cp_model.LinearExprT]:
    """Each participant's breaks in every session where it may meet."""
    return model.time_terms()["breaks"]


@dataclass
class Outcome:
    placement: dict[int, int]
    neighbourhoods: int
    improved: int
    mobile: int
    work: float = 0.0


ROUNDS = 3
"""Passes over the neighbourhoods (a pass without improvement ends the search)."""


def _search(state: RepairState, options: SolveOptions, seconds: float) -> Outcome:
    """Greedy start, then neighbourhood by neighbourhood, each optimal for the repair's
    lexicographic objective with everything else fixed; kept only when it improves.

    The budget is deterministic work (CP-SAT's deterministic time and model building), so the
    same input gives the same repair; the wall clock is only a safety net."""
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
        placement = _within_spread(state, placement, options, work)
    outcome = Outcome(placement, tried, improved, len(hood.mobile))
    outcome.work = round(work.spent, 3)
    return outcome


# ------------------------------------------------------------------ tables


def _assign_tables(state: RepairState, placement: dict[int, int]) -> dict[int, str]:
    """Home tables; pooled meetings keep their table when they keep their slot, the others
    take the open pool tables left."""
    problem, applied = state.problem, state.applied
    tables: dict[int, str] = {}
    taken: dict[int, set[str]] = defaultdict(set)
    pooled: list[int] = []
    for p in sorted(placement, key=lambda q: (placement[q], q)):
        pair = problem.pairs[p]
        if pair.home_table is not None:
            tables[p] = pair.home_table
            continue
        old = _old_at_slot(state, p, placement[p])
        if old is not None and old.meeting.table not in taken[placement[p]]:
            tables[p] = old.meeting.table
            taken[placement[p]].add(old.meeting.table)
        else:
            pooled.append(p)
    for p in pooled:
        slot = problem.slots[placement[p]]
        free = [
            t
            for t in problem.pool_tables
            if t not in taken[slot.index] and not _table_closed(applied, t, slot.start, slot.end)
        ]
        tables[p] = free[0] if free else problem.pool_tables[0]
        taken[slot.index].add(tables[p])
    return tables


def _old_at_slot(state: RepairState, p: int, slot: int) -> OldMeeting | None:
    """The pair's old meeting when it stays in `slot` at a table that is still open."""
    if p in state.frozen:
        return next(o for o in state.old if o.frozen and o.pair == p and o.slot == slot)
    old = state.current.get(p)
    if old is None or old.slot != slot or old.meeting.table not in state.problem.pool_tables:
        return None
    when = state.problem.slots[slot]
    if _table_closed(state.applied, old.meeting.table, when.start, when.end):
        return None
    return old


# ------------------------------------------------------------------ result


def _meeting(
    problem: SalonProblem, p: int, slot: int, table: str, old: OldMeeting | None
) -> ScheduledMeeting:
    pair = problem.pairs[p]
    first, second = (old.meeting.from_, old.meeting.to) if old else (pair.first, pair.second)
    return ScheduledMeeting.model_validate(
        {
            "from": first,
            "to": second,
            "start": problem.slots[slot].start,
            "end": problem.slots[slot].end,
            "table": table,
        }
    )


def _change(
    kind: str,
    meeting: ScheduledMeeting,
    reason: str,
    before: MeetingRef | None = None,
    after: MeetingRef | None = None,
) -> Change:
    return Change.model_validate(
        {
            "kind": kind,
            "from": meeting.from_,
            "to": meeting.to,
            "before": before,
            "after": after,
            "reason": reason,
        }
    )


def _added_reason(state: RepairState, p: int) -> str:
    pair = state.problem.pairs[p]
    if any(w in state.applied.added_wishes for w in pair.wishes):
        return "wish_added"
    return "waiting_list"


@dataclass
class Result:
    meetings: list[ScheduledMeeting]
    changes: list[Change]


def _result(
    state: RepairState, placement: dict[int, int], reasons: dict[frozenset[str], str]
) -> Result:
    problem = state.problem
    tables = _assign_tables(state, placement)
    meetings = [old.meeting for old in state.old if old.frozen]
    changes: list[Change] = []
    marks = {
        (mark.meeting.start, frozenset((mark.meeting.from_, mark.meeting.to)))
        for mark in state.applied.no_shows
    }
    for old in state.old:
        if (
            old.frozen
            and (old.meeting.start, frozenset((old.meeting.from_, old.meeting.to))) in marks
        ):
            changes.append(_change("kept", old.meeting, "no_show", old.before, old.before))
    for old in state.old:
        if old.frozen:
            continue
        p = old.pair
        if p is None or p not in placement or state.current.get(p) is not old:
            reason = old.cause or reasons.get(frozenset((old.meeting.from_, old.meeting.to)), "")
            changes.append(_change("dropped", old.meeting, reason or "not_selected", old.before))
            continue
        new = _meeting(problem, p, placement[p], tables[p], old)
        meetings.append(new)
        after = MeetingRef(start=new.start, table=new.table)
        if after != old.before:
            changes.append(_change("moved", new, old.cause or "rearranged", old.before, after))
    for p, s in placement.items():
        if p in state.frozen or p in state.current:
            continue
        new = _meeting(problem, p, s, tables[p], None)
        meetings.append(new)
        after = MeetingRef(start=new.start, table=new.table)
        changes.append(_change("added", new, _added_reason(state, p), None, after))
    meetings.sort(key=lambda m: (m.start, m.table, m.from_, m.to))
    changes.sort(key=_change_order)
    return Result(meetings, changes)


def _change_order(change: Change) -> tuple[dt.datetime, str, str, str]:
    ref = change.before or change.after
    assert ref is not None
    return (ref.start, change.kind, change.from_, change.to)


def _bounds(state: RepairState) -> dict[str, int]:
    """Proven bounds: every participant who has met or may still meet someone, every pair
    that has met or may still meet; 0 for the time objectives."""
    problem = state.problem
    possible = set(state.frozen) | {
        p.index for p in problem.pairs if not p.declined and state.future_slots(p)
    }
    return bounds_if_all_meet(problem, possible)


def _no_show_stats(applied: AppliedChanges) -> list[dict[str, str]]:
    return [
        {
            "participant": mark.participant,
            "from": mark.meeting.from_,
            "to": mark.meeting.to,
            "start": mark.meeting.start.isoformat(timespec="minutes"),
            "table": mark.meeting.table,
        }
        for mark in applied.no_shows
    ]


def changed_participants(changes: Iterable[Change]) -> list[str]:
    """Participants whose agenda a repair changed (a meeting moved, dropped or added), sorted:
    the people the desk must tell. No-show marks change nobody's agenda."""
    return sorted({u for c in changes if c.kind != "kept" for u in (c.from_, c.to)})


def repair_applied(
    applied: AppliedChanges, schedule: Schedule, options: SolveOptions | None = None
) -> Schedule:
    """Repair `schedule` for a salon already changed by apply_changes (see the module doc)."""
    options = options or SolveOptions(time_limit=DEFAULT_SECONDS, workers=1)
    started = time.monotonic()
    options.report(Progress("repair", 0.0, message="reading the changes"))
    state = read_state(applied, schedule)
    build_seconds = time.monotonic() - started
    outcome = _search(state, options, max(0.2, options.time_limit - build_seconds))
    placement = outcome.placement
    pool = state.pool_capacity if applied.closed_pool_tables() else None
    unscheduled = explain_unscheduled(
        state.problem,
        placement,
        cancelled=applied.cancelled_pairs,
        open_slots=state.open_slots,
        pool_capacity=pool,
    )
    reasons = {frozenset((u.from_, u.to)): u.reason for u in unscheduled}
    result = _result(state, placement, reasons)
    values = objective_values(state.problem, placement)
    bounds = _bounds(state)
    objectives = [
        ObjectiveValue(name=name, value=values[name], bound=bounds.get(name, 0))
        for name in applied.salon.objectives
    ]
    counts = {
        kind: sum(1 for c in result.changes if c.kind == kind)
        for kind in ("moved", "dropped", "added")
    }
    stats: dict[str, object] = {
        "seconds": round(time.monotonic() - started, 3),
        "repair": {
            "now": applied.now.isoformat(timespec="minutes"),
            "frozen": sum(1 for old in state.old if old.frozen),
            "kept": len(result.meetings)
            - counts["added"]
            - counts["moved"]
            - sum(1 for old in state.old if old.frozen),
            **counts,
            "touched": len(_touched(state)),
            "mobile_pairs": outcome.mobile,
            "neighbourhoods": outcome.neighbourhoods,
            "improved": outcome.improved,
            "work": outcome.work,
        },
        "no_shows": _no_show_stats(applied),
        "slots": len(state.problem.slots),
        "pairs": len(state.problem.pairs),
        "workers": 1,
        "seed": options.seed,
    }
    optimal = all(o.value == o.bound for o in objectives)
    options.report(
        Progress("done", time.monotonic() - started, {o.name: o.value for o in objectives})
    )
    return Schedule(
        salon=applied.salon.name,
        status="optimal" if optimal else "feasible",
        objectives=objectives,
        meetings=result.meetings,
        unscheduled=unscheduled,
        stats=stats,
        changes=result.changes,
    )


def repair(
    salon: Salon,
    schedule: Schedule,
    changes: ChangeSet,
    now: dt.datetime,
    options: SolveOptions | None = None,
) -> Schedule:
    """The schedule repaired after the changes, for the salon as the changes leave it.

    Raises FileFormatError ("changes") naming each change that does not fit the salon or the
    schedule. A repair never fails on a required meeting: one that can no longer take place is
    dropped with its reason.
    """
    return repair_applied(apply_changes(salon, schedule, changes, now), schedule, options)
