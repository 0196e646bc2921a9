"""On-the-day repair, reading the state: the old schedule against the salon the changes leave.

`read_state` compiles the changed salon (scheduler.changes.apply_changes) and sorts the
schedule's meetings: frozen (started before `now`, kept as they happened), staying (still
allowed at their slot and table) and displaced, each displaced meeting with its cause as a
reason code (`participant_cancelled`, `table_closed`, ...). `touched_participants` gives the
participants whose day a change affects: the repair's search (scheduler.repair_search) starts
from them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from scheduler.changes import AppliedChanges
from scheduler.format import MeetingRef, Schedule, ScheduledMeeting
from scheduler.problem import Pair, SalonProblem, build_problem
from scheduler.rules import slot_violations


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
        """Where the meeting was: its start and table."""
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
        """The pair's allowed slots that start at or after `now`."""
        return [s for s in pair.allowed if s in self.open_slots]

    def table_closed(self, table: str, slot: int) -> bool:
        """True when the changes close the table before the slot ends."""
        closed = self.applied.closed_tables.get(table)
        return closed is not None and closed < self.problem.slots[slot].end


def read_state(applied: AppliedChanges, schedule: Schedule) -> RepairState:
    """Compile the changed salon and sort the schedule's meetings: frozen, staying, displaced."""
    problem = build_problem(applied.salon)
    open_slots = frozenset(s.index for s in problem.slots if s.start >= applied.now)
    state = RepairState(problem, applied, [], open_slots, _pool_capacity(problem, applied))
    _classify(state, schedule.meetings)
    return state


def touched_participants(state: RepairState) -> set[str]:
    """Participants whose day a change affects: those cancelled, unavailable or added, those of
    an added wish or a cancelled meeting, those of a displaced meeting."""
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


def _pool_capacity(problem: SalonProblem, applied: AppliedChanges) -> dict[int, int]:
    """Free tables of each slot once the closed pool tables are taken out."""
    closed = applied.closed_pool_tables()
    size = len(problem.pool_tables)
    return {
        slot.index: size - sum(1 for start in closed.values() if start < slot.end)
        for slot in problem.slots
    }


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
    if pair.home_table is not None and state.table_closed(pair.home_table, slot):
        return "table_closed"
    for member in pair.members:
        if any(i.overlaps(when.start, when.end) for i in applied.unavailable.get(member, [])):
            return "participant_unavailable"
    violations = slot_violations(problem, pair, when)
    return violations[0][0] if violations else ""


def _classify(state: RepairState, meetings: Iterable[ScheduledMeeting]) -> None:
    """Each meeting frozen (before now), current (the pair's future meeting) with the cause
    that displaces it, or dropped as it stands (no wish, or a second meeting of its pair)."""
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
    """Why the old meeting cannot stay at its slot and table ("" when it can)."""
    if old.slot is None:
        return "on_slot_grid"
    if pair.home_table is not None and old.meeting.table != pair.home_table:
        return "right_table"
    if pair.home_table is None and old.meeting.table not in state.problem.pool_tables:
        return "right_table"
    if old.slot not in pair.allowed:
        return _cause(state, pair, old.slot) or "participant_available"
    if pair.home_table is None and state.table_closed(old.meeting.table, old.slot):
        return "table_closed"
    return ""
