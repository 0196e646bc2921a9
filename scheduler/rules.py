"""The business rules of a salon, one named function each.

The same functions feed the CP-SAT model and the validator (`salon check`), so a rule has one
name everywhere: in solver constraints, validator violations and unscheduled reasons.

Three kinds of rules:
- slot rules `(problem, pair, slot) -> str | None` say whether a pair may meet in a slot; the
  solver uses them to build each pair's domain, the validator checks each meeting against them;
- counting rules `(problem, candidates) -> Iterator[Constraint]` bound sums of meeting variables
  x[pair, slot] (and busy[participant, slot]); the solver posts them, the validator evaluates them;
- global rules `(problem, breaks) -> str | None` judge a whole placement by each participant's
  measured breaks (the validator); the CP-SAT model posts them over its own break terms, with
  the data their helpers give (max_break_spread: break_spread_limit, break_spread_participants).

The rules read the compiled problem's types from scheduler.problem_types: scheduler.problem
builds the problem with the slot rules, so this module never imports it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from scheduler.problem_types import Pair, SalonProblem
from scheduler.slots import Slot, slot_is_free, slot_is_within

Candidates = Mapping[int, Iterable[int]]
"""For each pair index, the slot indices where it may be placed (the variables that exist)."""


@dataclass(frozen=True, slots=True)
class Constraint:
    """lower <= sum(x[p, s] for meetings) + sum(busy[u, s] for busy) <= upper, named by rule."""

    rule: str
    subject: str
    meetings: tuple[tuple[int, int], ...] = ()
    busy: tuple[tuple[str, int], ...] = ()
    upper: int | None = None
    lower: int | None = None


def _when(slot: Slot) -> str:
    return slot.start.strftime("%Y-%m-%d %H:%M")


# ------------------------------------------------------------------ slot rules


def declined_never_scheduled(problem: SalonProblem, pair: Pair, slot: Slot) -> str | None:
    """A wish declined by the asked participant is never scheduled."""
    if pair.declined:
        return f"{pair.second} declined the request of {pair.first}"
    return None


def participant_available(problem: SalonProblem, pair: Pair, slot: Slot) -> str | None:
    """Both participants are free at the slot (no `unavailable` interval overlaps it)."""
    for member in pair.members:
        if not slot_is_free(slot, problem.participants[member].unavailable):
            return f"{member} is unavailable at {_when(slot)}"
    return None


def within_during(problem: SalonProblem, pair: Pair, slot: Slot) -> str | None:
    """The meeting lies inside the `during` intervals of each of the pair's wishes."""
    for during in pair.during:
        if not slot_is_within(slot, during):
            return f"{pair.first}-{pair.second} may not meet at {_when(slot)} (wish 'during')"
    return None


def pinned_start(problem: SalonProblem, pair: Pair, slot: Slot) -> str | None:
    """A pinned wish takes place at its pinned start."""
    if pair.pinned is not None and slot.start != pair.pinned:
        pinned = pair.pinned.strftime("%Y-%m-%d %H:%M")
        return f"{pair.first}-{pair.second} is pinned at {pinned}, not {_when(slot)}"
    return None


SLOT_RULES: list[Callable[[SalonProblem, Pair, Slot], str | None]] = [
    declined_never_scheduled,
    participant_available,
    within_during,
    pinned_start,
]


SLOT_FILTERS = (within_during, pinned_start)
"""The slot rules that allowed_slots checks slot by slot (when the pair uses them)."""


def slot_violations(problem: SalonProblem, pair: Pair, slot: Slot) -> list[tuple[str, str]]:
    """(rule, message) for each slot rule that forbids the pair at the slot."""
    found = []
    for rule in SLOT_RULES:
        message = rule(problem, pair, slot)
        if message is not None:
            found.append((rule.__name__, message))
    return found


def free_slots(problem: SalonProblem, participant: str) -> frozenset[int]:
    """Slots where the participant is available (participant_available for one side), cached."""
    cache = problem.free_slot_cache
    if participant not in cache:
        unavailable = problem.participants[participant].unavailable
        cache[participant] = frozenset(
            slot.index for slot in problem.slots if slot_is_free(slot, unavailable)
        )
    return cache[participant]


def allowed_slots(problem: SalonProblem, pair: Pair) -> list[int]:
    """Slots where every slot rule lets the pair meet.

    participant_available is applied through the cached free slots of each member; the other
    slot rules are checked slot by slot.
    """
    if pair.declined:
        return []
    common = free_slots(problem, pair.first) & free_slots(problem, pair.second)
    others = [
        rule
        for rule, relevant in ((within_during, pair.during), (pinned_start, pair.pinned))
        if relevant
    ]
    assert set(SLOT_RULES) == {declined_never_scheduled, participant_available, *SLOT_FILTERS}
    return [
        s for s in sorted(common)
        if all(rule(problem, pair, problem.slots[s]) is None for rule in others)
    ]


# -------------------------------------------------------------- counting rules


def _by_participant_slot(
    problem: SalonProblem, candidates: Candidates
) -> dict[tuple[str, int], list[tuple[int, int]]]:
    grouped: dict[tuple[str, int], list[tuple[int, int]]] = defaultdict(list)
    for pair_index, slots in candidates.items():
        pair = problem.pairs[pair_index]
        for slot in slots:
            grouped[(pair.first, slot)].append((pair_index, slot))
            grouped[(pair.second, slot)].append((pair_index, slot))
    return grouped


def one_meeting_per_pair(problem: SalonProblem, candidates: Candidates) -> Iterator[Constraint]:
    """At most one meeting for each unordered pair of participants."""
    for pair_index, slots in candidates.items():
        pair = problem.pairs[pair_index]
        terms = tuple((pair_index, s) for s in slots)
        if len(terms) > 1:
            yield Constraint("one_meeting_per_pair", f"{pair.first}-{pair.second}", terms, upper=1)


def required_meeting(problem: SalonProblem, candidates: Candidates) -> Iterator[Constraint]:
    """A required wish is scheduled."""
    for pair in problem.pairs:
        if pair.required:
            terms = tuple((pair.index, s) for s in candidates.get(pair.index, ()))
            yield Constraint("required_meeting", f"{pair.first}-{pair.second}", terms, lower=1)


def representatives(problem: SalonProblem, candidates: Candidates) -> Iterator[Constraint]:
    """A participant holds at most `representatives` meetings in one slot."""
    for (participant, slot), terms in _by_participant_slot(problem, candidates).items():
        capacity = problem.capacity(participant)
        if len(terms) > capacity:
            subject = f"{participant} at {_when(problem.slots[slot])}"
            yield Constraint("representatives", subject, tuple(terms), upper=capacity)


def max_meetings(problem: SalonProblem, candidates: Candidates) -> Iterator[Constraint]:
    """A participant holds at most `max_meetings` meetings in all."""
    for participant_id, participant in problem.participants.items():
        if participant.max_meetings is None:
            continue
        terms = tuple(
            (p, s) for p in problem.pairs_of[participant_id] for s in candidates.get(p, ())
        )
        if len(terms) > participant.max_meetings:
            yield Constraint("max_meetings", participant_id, terms, upper=participant.max_meetings)


def table_capacity(problem: SalonProblem, candidates: Candidates) -> Iterator[Constraint]:
    """A table holds one meeting per slot; pooled meetings share the tables nobody owns."""
    by_table_slot: dict[tuple[str | None, int], list[tuple[int, int]]] = defaultdict(list)
    for pair_index, slots in candidates.items():
        table = problem.pairs[pair_index].home_table
        shared = problem.is_shared_table(table)
        if shared:
            for slot in slots:
                by_table_slot[(table, slot)].append((pair_index, slot))
    for (table, slot), terms in by_table_slot.items():
        capacity = len(problem.pool_tables) if table is None else 1
        if len(terms) > capacity:
            where = "the table pool" if table is None else f"table {table}"
            subject = f"{where} at {_when(problem.slots[slot])}"
            yield Constraint("table_capacity", subject, tuple(terms), upper=capacity)


def max_in_a_row(problem: SalonProblem, candidates: Candidates) -> Iterator[Constraint]:
    """Nobody is busy in more than `max_in_a_row` consecutive slots of one session."""
    limit = problem.salon.max_in_a_row
    if limit is None:
        return
    busy_slots: dict[str, set[int]] = defaultdict(set)
    for pair_index, slots in candidates.items():
        pair = problem.pairs[pair_index]
        for member in pair.members:
            busy_slots[member].update(slots)
    for session_slots in problem.session_slots.values():
        for start in range(len(session_slots) - limit):
            window = session_slots[start : start + limit + 1]
            for participant, possible in busy_slots.items():
                if all(s in possible for s in window):
                    subject = f"{participant} from {_when(problem.slots[window[0]])}"
                    terms = tuple((participant, s) for s in window)
                    yield Constraint("max_in_a_row", subject, busy=terms, upper=limit)


COUNTING_RULES: list[Callable[[SalonProblem, Candidates], Iterator[Constraint]]] = [
    one_meeting_per_pair,
    required_meeting,
    representatives,
    max_meetings,
    table_capacity,
    max_in_a_row,
]


def counting_constraints(problem: SalonProblem, candidates: Candidates) -> Iterator[Constraint]:
    """Every counting rule's constraints over the given candidate variables."""
    for rule in COUNTING_RULES:
        yield from rule(problem, candidates)


# ---------------------------------------------------------------- global rules


def break_spread_limit(problem: SalonProblem) -> int | None:
    """The most by which max_break_spread lets breaks differ; None when the salon sets none."""
    return problem.salon.max_break_spread


def break_spread_participants(
    problem: SalonProblem, candidates: Candidates
) -> dict[str, list[int]]:
    """The participants max_break_spread may apply to, each with its candidate pairs: it applies
    to a participant when one of them meets (a participant without meetings does not count)."""
    pairs: dict[str, list[int]] = defaultdict(list)
    for pair_index in candidates:
        for member in problem.pairs[pair_index].members:
            pairs[member].append(pair_index)
    return dict(pairs)


def max_break_spread(problem: SalonProblem, breaks: Mapping[str, int]) -> str | None:
    """The most and the fewest breaks of two participants who have meetings differ by at most
    `max_break_spread`. `breaks`: the measured breaks of each participant who has meetings."""
    limit = break_spread_limit(problem)
    if limit is None or not breaks:
        return None
    most = max(breaks, key=lambda p: breaks[p])
    fewest = min(breaks, key=lambda p: breaks[p])
    spread = breaks[most] - breaks[fewest]
    if spread > limit:
        return (
            f"{most} has {breaks[most]} breaks and {fewest} has {breaks[fewest]}: "
            f"spread {spread} > {limit}"
        )
    return None


GLOBAL_RULES: list[Callable[[SalonProblem, Mapping[str, int]], str | None]] = [max_break_spread]
