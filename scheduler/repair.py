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

The repair in four modules, one role each:
- scheduler.repair_state: the old schedule read against the changed salon (frozen, staying,
  displaced meetings and each one's cause);
- scheduler.repair_search: the search around the changes (greedy start, neighbourhoods, putting
  back, max_break_spread restored);
- scheduler.repair_model: a neighbourhood's CP-SAT model and the lexicographic objective;
- this module: the public entry points and the result (tables, the repaired schedule, its
  `changes` list, bounds and stats).
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from scheduler.bounds import bounds_if_all_meet
from scheduler.changes import AppliedChanges, ChangeSet, apply_changes
from scheduler.explain import explain_unscheduled
from scheduler.format import (
    Change,
    MeetingRef,
    ObjectiveValue,
    Salon,
    Schedule,
    ScheduledMeeting,
)
from scheduler.measures import objective_values
from scheduler.problem import SalonProblem
from scheduler.progress import Progress, SolveOptions
from scheduler.repair_search import search
from scheduler.repair_state import OldMeeting, RepairState, read_state, touched_participants

DEFAULT_SECONDS = 3.0
"""Default time limit of a repair: the desk waits for it."""

SPREAD_MODEL_PAIRS = 400
"""Most pairs still to come for which one CP-SAT model restores max_break_spread; beyond, the
model takes seconds, and the repair drops meetings instead (read at each repair, passed to
repair_search.search)."""


# ------------------------------------------------------------------ tables


def _assign_stable_tables(state: RepairState, placement: dict[int, int]) -> dict[int, str]:
    """Each pair's table, as stable as the changes let it: its home table; a pooled meeting
    keeps its old table when it keeps its slot and the table is still open, the others take
    the first open pool table left in their slot.

    Not cpsat.assign_tables: that one numbers the pool tables afresh in each slot, and knows
    nothing of old tables or of tables the changes closed."""
    problem = state.problem
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
        slot = placement[p]
        free = [
            t
            for t in problem.pool_tables
            if t not in taken[slot] and not state.table_closed(t, slot)
        ]
        tables[p] = free[0] if free else problem.pool_tables[0]
        taken[slot].add(tables[p])
    return tables


def _old_at_slot(state: RepairState, p: int, slot: int) -> OldMeeting | None:
    """The pair's old meeting when it stays in `slot` at a table that is still open."""
    if p in state.frozen:
        return next(o for o in state.old if o.frozen and o.pair == p and o.slot == slot)
    old = state.current.get(p)
    if old is None or old.slot != slot or old.meeting.table not in state.problem.pool_tables:
        return None
    if state.table_closed(old.meeting.table, slot):
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
    tables = _assign_stable_tables(state, placement)
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
    seconds = max(0.2, options.time_limit - build_seconds)
    outcome = search(state, options, seconds, spread_model_pairs=SPREAD_MODEL_PAIRS)
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
            "touched": len(touched_participants(state)),
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
