"""The validator behind `salon check`: any schedule against every rule of its salon."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from scheduler.format import Salon, Schedule, ScheduledMeeting
from scheduler.measures import Placement, breaks_of, busy_slots, objective_values
from scheduler.problem import SalonProblem, build_problem
from scheduler.rules import (
    Constraint,
    break_spread_limit,
    counting_constraints,
    max_break_spread,
    slot_violations,
)


@dataclass(frozen=True)
class Violation:
    """A broken rule, named as in the solver and in unscheduled reasons."""

    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.message}"


@dataclass
class Report:
    """What `salon check` prints: violations and objective values."""

    violations: list[Violation] = field(default_factory=list)
    objectives: dict[str, int] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not self.violations


def _meeting_label(meeting: ScheduledMeeting) -> str:
    return f"meeting {meeting.from_}-{meeting.to} at {meeting.start:%Y-%m-%d %H:%M}"


def _place_meetings(
    problem: SalonProblem, schedule: Schedule
) -> tuple[dict[tuple[int, int], int], list[Violation]]:
    """Map meetings to (pair, slot) counts; structural rules are checked on the way."""
    counts: dict[tuple[int, int], int] = defaultdict(int)
    violations: list[Violation] = []
    at_table: dict[tuple[str, dt.datetime], list[ScheduledMeeting]] = defaultdict(list)
    length = dt.timedelta(minutes=problem.salon.meeting_minutes)
    for meeting in schedule.meetings:
        label = _meeting_label(meeting)
        pair = problem.pair_of(meeting.from_, meeting.to)
        slot_index = problem.slot_at.get(meeting.start)
        if pair is None:
            violations.append(Violation("meeting_has_wish", f"{label}: nobody asked for it"))
            continue
        if slot_index is None or meeting.end != meeting.start + length:
            message = f"{label}: does not match a slot of the salon's time grid"
            violations.append(Violation("on_slot_grid", message))
            continue
        violations.extend(_table_violations(problem, pair.home_table, meeting, label))
        at_table[(meeting.table, meeting.start)].append(meeting)
        slot = problem.slots[slot_index]
        for rule, message in slot_violations(problem, pair, slot):
            violations.append(Violation(rule, f"{label}: {message}"))
        counts[(pair.index, slot_index)] += 1
    for (table, start), meetings in at_table.items():
        if len(meetings) > 1:
            names = ", ".join(f"{m.from_}-{m.to}" for m in meetings)
            message = f"table {table} at {start:%Y-%m-%d %H:%M} holds {len(meetings)}: {names}"
            violations.append(Violation("table_capacity", message))
    return counts, violations


def _table_violations(
    problem: SalonProblem, home_table: str | None, meeting: ScheduledMeeting, label: str
) -> list[Violation]:
    if home_table is not None and meeting.table != home_table:
        message = f"{label}: at table {meeting.table}, expected home table {home_table}"
        return [Violation("right_table", message)]
    if home_table is None and meeting.table not in problem.pool_tables:
        message = f"{label}: table {meeting.table} is not a free table of the pool"
        return [Violation("right_table", message)]
    return []


def _evaluate(constraint: Constraint, counts: dict[tuple[int, int], int], busy: set) -> int:
    total = sum(counts.get(term, 0) for term in constraint.meetings)
    return total + sum(1 for term in constraint.busy if term in busy)


def _counting_violations(
    problem: SalonProblem, counts: dict[tuple[int, int], int]
) -> list[Violation]:
    candidates: dict[int, list[int]] = defaultdict(list)
    for pair_index, slot in counts:
        candidates[pair_index].append(slot)
    busy = {
        (member, slot)
        for pair_index, slot in counts
        for member in problem.pairs[pair_index].members
    }
    violations = []
    for (pair_index, slot), count in counts.items():
        if count > 1:
            pair = problem.pairs[pair_index]
            when = problem.slots[slot].start.strftime("%Y-%m-%d %H:%M")
            message = f"{pair.first}-{pair.second} meets {count} times at {when}"
            violations.append(Violation("one_meeting_per_pair", message))
    for constraint in counting_constraints(problem, candidates):
        value = _evaluate(constraint, counts, busy)
        if constraint.upper is not None and value > constraint.upper:
            message = f"{constraint.subject}: {value} > {constraint.upper}"
            violations.append(Violation(constraint.rule, message))
        if constraint.lower is not None and value < constraint.lower:
            message = f"{constraint.subject}: not scheduled"
            violations.append(Violation(constraint.rule, message))
    return violations


def break_spread_violations(problem: SalonProblem, placement: Placement) -> list[Violation]:
    """rules.max_break_spread over the placement's measured breaks (of those who meet)."""
    if break_spread_limit(problem) is None:
        return []
    busy = busy_slots(problem, placement)
    breaks = {participant: breaks_of(problem, slots) for participant, slots in busy.items()}
    message = max_break_spread(problem, breaks)
    return [] if message is None else [Violation(max_break_spread.__name__, message)]


def validate(salon: Salon, schedule: Schedule, problem: SalonProblem | None = None) -> Report:
    """Check a schedule against every rule of the salon and measure its objectives."""
    problem = problem or build_problem(salon)
    counts, violations = _place_meetings(problem, schedule)
    violations.extend(_counting_violations(problem, counts))
    meetings = list(counts)  # every (pair, slot) met, a pair met twice included
    violations.extend(break_spread_violations(problem, meetings))
    return Report(violations, objective_values(problem, meetings))
