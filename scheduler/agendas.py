"""Agendas of fixed length on tight salons: who has one, and its possible patterns.

On a tight salon (every meeting required) a participant whose pairs are all in one session
holds a known number of meetings there: its agenda is one of the sets of that many slots
where it may meet. `fixed_windows` names these participants (the window search,
scheduler.windows, keeps their agendas in one piece; the SAT search, scheduler.maxsat, adds
their window literals).

`add_patterns` gives the exact model their agendas as patterns: once a schedule is known, in
any schedule at least as good each participant has at most as much idle time (or as many
breaks) as the whole known schedule, and on a short day the agendas within that are few. One
literal per pattern, exactly one chosen, busy(u, s) = the chosen patterns that cover s, and the
participant's idle and breaks are the chosen pattern's (TimeModel.agenda_terms, in place of
the gap encoding). Its linear relaxation and propagation see what the gap encoding does not:
measured on tic-13crafc (ten slots), the optimum of 4 breaks found and proven in 3-15 s where
the gap encoding proved a bound of 2 in 30 s.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from scheduler.cpsat import TimeModel, time_objectives, total
from scheduler.problem import SalonProblem
from scheduler.rules import break_spread_limit, break_spread_participants

PATTERN_LIMIT = 20_000
"""Most pattern literals posted in a model; beyond, no pattern is posted (on long days the
patterns are too many to help: measured, 160,000 of them left a forum without a schedule
in 30 s that the gap encoding solves in 3 s)."""


@dataclass(frozen=True)
class Window:
    """A participant whose agenda has a fixed length in one session: its slots, its count."""

    slots: list[int]
    meetings: int


@dataclass(frozen=True)
class Pattern:
    """One possible agenda: the positions (in its window's slots) of its meetings, its idle
    slots and its breaks."""

    busy: tuple[int, ...]
    idle: int
    breaks: int


def windows_apply(problem: SalonProblem) -> bool:
    """True on a tight salon with a time objective: every possible meeting required (so the
    choice objectives are settled)."""
    if not time_objectives(problem):
        return False
    possible = [pair for pair in problem.pairs if pair.allowed]
    return bool(possible) and all(pair.required for pair in possible)


def fixed_windows(model: TimeModel) -> dict[str, Window]:
    """Participants of the model whose pairs are all compulsory and in one session."""
    meetings: Counter[str] = Counter()
    for p in model.candidates:
        if p not in model.optional:
            meetings.update(model.problem.pairs[p].members)
    windows = {}
    for participant, sessions in model.sessions_of().items():
        compulsory = all(p not in model.optional for p in model.pairs_of(participant))
        alone = model.problem.capacity(participant) == 1
        if len(sessions) == 1 and compulsory and alone and meetings[participant]:
            slots = list(model.problem.session_slots[sessions[0]])
            windows[participant] = Window(slots, meetings[participant])
    return windows


def agenda_patterns(
    possible: Sequence[bool], meetings: int, measure: str, cap: int, limit: int
) -> list[Pattern] | None:
    """Every agenda of `meetings` meetings at the possible positions whose `measure` (idle or
    breaks) is at most `cap`; None when there are more than `limit`."""
    found: list[Pattern] = []

    def extend(position: int, busy: tuple[int, ...], idle: int, breaks: int) -> bool:
        """Add the patterns that begin with `busy`; False once over the limit."""
        if len(busy) == meetings:
            found.append(Pattern(busy, idle, breaks))
            return len(found) <= limit
        if len(possible) - position < meetings - len(busy):
            return True
        if possible[position]:
            gap = position - busy[-1] - 1 if busy else 0
            cost = (idle + gap, breaks + (gap > 0))
            if cost[measure == "breaks"] <= cap and not extend(
                position + 1, (*busy, position), *cost
            ):
                return False
        if busy:  # an empty slot after a meeting: a gap, since a meeting is still to come
            gap = position - busy[-1]
            if (idle + gap, breaks + (gap == 1))[measure == "breaks"] > cap:
                return True
        return extend(position + 1, busy, idle, breaks)

    return found if extend(0, (), 0, 0) else None


def add_schedule_patterns(model: TimeModel, values: dict[str, int]) -> int:
    """On a tight salon, the patterns no worse than a schedule of these objective `values`
    (its first time objective's value caps each agenda's); the number posted (0 when the
    salon is not tight: a schedule that covers more may then have more idle time)."""
    if not windows_apply(model.problem):
        return 0
    name = time_objectives(model.problem)[0]
    return add_patterns(model, name, agenda_cap(model, name, values[name]))


def agenda_cap(model: TimeModel, measure: str, value: int) -> int:
    """The most of `measure` any one agenda has in a schedule whose total is at most `value`:
    `value`, or for breaks under max_break_spread L, L once `value` is below the number of
    participants it applies to (someone then has no break, so nobody has more than L)."""
    limit = break_spread_limit(model.problem)
    if measure != "breaks" or limit is None:
        return value
    meeting = break_spread_participants(model.problem, model.candidates)
    return min(value, limit) if value < len(meeting) else value


def add_patterns(model: TimeModel, measure: str, cap: int, limit: int = PATTERN_LIMIT) -> int:
    """Post the patterns of each participant of fixed length whose `measure` is at most `cap`
    (see the module), and the pairing of each slot's meetings (TimeModel.add_pairing); the
    number of pattern literals, 0 when there are none or more than `limit` (nothing posted)."""
    chosen: dict[str, tuple[Window, list[Pattern]]] = {}
    posted = 0
    for participant, window in sorted(fixed_windows(model).items()):
        possible = [model.may_meet(participant, slot) for slot in window.slots]
        patterns = agenda_patterns(possible, window.meetings, measure, cap, limit - posted)
        if patterns is None:
            return 0
        chosen[participant] = (window, patterns)
        posted += len(patterns)
    if not posted:
        return 0
    for participant, (window, patterns) in chosen.items():
        _post_patterns(model, participant, window, patterns)
    model.add_pairing()
    return posted


def _post_patterns(
    model: TimeModel, participant: str, window: Window, patterns: list[Pattern]
) -> None:
    literals = [
        model.model.new_bool_var(f"pattern_{participant}_{k}") for k in range(len(patterns))
    ]
    model.model.add_exactly_one(literals)
    chosen = list(zip(literals, patterns, strict=True))
    for position, slot in enumerate(window.slots):
        covering = [lit for lit, pat in chosen if position in pat.busy]
        model.model.add(model.busy(participant, slot) == total(covering))
    model.agenda_terms[participant] = {
        "idle": total(pat.idle * lit for lit, pat in chosen if pat.idle),
        "breaks": total(pat.breaks * lit for lit, pat in chosen if pat.breaks),
    }
