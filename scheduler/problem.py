"""The compiled problem: slots, participants and meeting pairs derived from a salon.

Both the solver and the validator work on this view, so they read the salon the same way. The
types live in scheduler.problem_types (the rules read them without importing this module, which
computes each pair's allowed slots with the slot rules); import them from here.
"""

from __future__ import annotations

from collections import defaultdict

from scheduler.format import Participant, Salon, Wish
from scheduler.problem_types import Pair, SalonProblem
from scheduler.rules import allowed_slots
from scheduler.slots import build_slots

__all__ = [
    "Pair",
    "SalonProblem",
    "build_problem",
    "effective_cap",
    "meeting_table",
    "with_effective_cap",
]


def meeting_table(asker: Participant, asked: Participant) -> str | None:
    """Home table of the asked participant, else of the asker, else None (pooled)."""
    return asked.table or asker.table


def effective_cap(salon: Salon, participant: Participant) -> int | None:
    """The smaller of the participant's own `max_meetings` and its kind's cap (None: no cap)."""
    caps = [participant.max_meetings]
    if salon.max_meetings_by_kind is not None:
        caps.append(salon.max_meetings_by_kind.of(participant))
    known = [cap for cap in caps if cap is not None]
    return min(known) if known else None


def with_effective_cap(salon: Salon, participant: Participant) -> Participant:
    """The participant as the rules read it: its `max_meetings` is its effective cap."""
    cap = effective_cap(salon, participant)
    if cap == participant.max_meetings:
        return participant
    return participant.model_copy(update={"max_meetings": cap})


def _merge_wishes(salon: Salon) -> list[Pair]:
    pairs: list[Pair] = []
    by_key: dict[frozenset[str], Pair] = {}
    for i, wish in enumerate(salon.wishes):
        key = frozenset((wish.from_, wish.to))
        pair = by_key.get(key)
        if pair is None:
            pair = Pair(len(pairs), wish.from_, wish.to, [], 0, False, True, None)
            by_key[key] = pair
            pairs.append(pair)
        _add_wish(pair, i, wish)
    return pairs


def _add_wish(pair: Pair, index: int, wish: Wish) -> None:
    pair.wishes.append(index)
    pair.weight += wish.weight
    pair.declined = pair.declined and wish.declined
    if not wish.declined:
        pair.required = pair.required or wish.required
        pair.pinned = pair.pinned or wish.pinned
        if wish.during is not None:
            pair.during.append(list(wish.during))


def build_problem(salon: Salon) -> SalonProblem:
    """Compile a checked salon (see loading.load_salon) into a SalonProblem.

    Each participant's `max_meetings` is its effective cap (its own and its kind's, the smaller),
    so that every rule, the solver and the validator read one cap."""
    participants = {p.id: with_effective_cap(salon, p) for p in salon.participants}
    tables = {t.id: t for t in salon.table_specs()}
    owners: dict[str, list[str]] = defaultdict(list)
    for participant in salon.participants:
        if participant.table is not None:
            owners[participant.table].append(participant.id)
    pairs = _merge_wishes(salon)
    pairs_of: dict[str, list[int]] = {p.id: [] for p in salon.participants}
    for pair in pairs:
        pair.home_table = meeting_table(participants[pair.first], participants[pair.second])
        pairs_of[pair.first].append(pair.index)
        pairs_of[pair.second].append(pair.index)
    slots = build_slots(salon)
    problem = SalonProblem(
        salon=salon,
        slots=slots,
        participants=participants,
        pairs=pairs,
        pairs_of=pairs_of,
        tables=tables,
        pool_tables=[t for t in tables if t not in owners],
        table_owners=dict(owners),
        pair_index={frozenset(p.members): p.index for p in pairs},
        slot_at={s.start: s.index for s in slots},
    )
    for pair in pairs:
        pair.allowed = allowed_slots(problem, pair)
    return problem
