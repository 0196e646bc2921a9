"""Why a wish was not scheduled: a reason code (a rule name) and a sentence, French and English.

The codes, checked in this order for each pair that does not meet:
- `declined_never_scheduled`: the asked participant declined (or the meeting was cancelled on
  the day);
- `wish_window_closed`: the wish came after the wish window closed (the caller says which);
- `no_common_slot`: no slot where both are free and every wish allows it (the sentence gives
  each participant's free times);
- `cap_reached`: a participant reached its `max_meetings`, or is fully booked in every common
  slot (the sentence names the meetings kept instead and their weights);
- `max_in_a_row`: in every common slot left, the meeting would make one of them exceed
  `max_in_a_row`;
- `table_capacity`: the free tables (or the shared home table) were taken in every common slot
  where both were free;
- `not_selected`: the common slots went to other meetings of the two (the sentence counts the
  competitors and those of equal or higher weight).

Each check is linear in the pair's slots and its participants' meetings, so explaining every
unscheduled wish of a large salon stays cheap.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from scheduler.format import UnscheduledWish
from scheduler.problem import Pair, SalonProblem
from scheduler.rules import free_slots
from scheduler.slots import Slot

LISTED = 5
"""Most names listed in a sentence before "and N more"."""


@dataclass(frozen=True)
class Reason:
    code: str
    french: str
    english: str


# ------------------------------------------------------------------ wording


def listing(items: list[str], french: bool) -> str:
    """Items in a sentence: `a, b, c`, or the first LISTED and the count of the others
    (`a, b, c, d, e et 3 autre(s)`, in English `and 3 more`)."""
    shown = items[:LISTED]
    text = ", ".join(shown)
    rest = len(items) - len(shown)
    if rest:
        text += f" et {rest} autre(s)" if french else f" and {rest} more"
    return text


class SlotTimes:
    """Times as the desk reads them: `09:20`, with the day when the salon lasts several days."""

    def __init__(self, problem: SalonProblem) -> None:
        self.slots = problem.slots
        self.days = len({slot.start.date() for slot in problem.slots}) > 1

    def at(self, slot: Slot) -> str:
        """The slot's start: `09:20`, or `14/03 09:20` over several days."""
        day = f"{slot.start:%d/%m} " if self.days else ""
        return f"{day}{slot.start:%H:%M}"

    def starts(self, slots: Iterable[int]) -> list[str]:
        """The starts of the slots (indices), in time order."""
        return [self.at(self.slots[s]) for s in sorted(slots)]

    def ranges(self, slots: Iterable[int]) -> list[str]:
        """Consecutive slots of one session merged: `09:00–10:35, 14:00–15:15`."""
        runs: list[list[Slot]] = []
        for index in sorted(slots):
            slot = self.slots[index]
            last = runs[-1][-1] if runs else None
            if last is not None and last.session == slot.session and last.index + 1 == index:
                runs[-1].append(slot)
            else:
                runs.append([slot])
        return [f"{self.at(run[0])}–{run[-1].end:%H:%M}" for run in runs]


# ------------------------------------------------------------------ context


@dataclass
class _State:
    """What a placement holds, indexed for the checks."""

    problem: SalonProblem
    placement: Mapping[int, int]
    open_slots: frozenset[int]
    pool_capacity: Mapping[int, int] | None
    clock: SlotTimes
    load: dict[tuple[str, int], int] = field(default_factory=lambda: defaultdict(int))
    held: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    table_use: dict[tuple[str | None, int], int] = field(default_factory=lambda: defaultdict(int))

    def __post_init__(self) -> None:
        for p, s in self.placement.items():
            pair = self.problem.pairs[p]
            for member in pair.members:
                self.load[member, s] += 1
                self.held[member].append(p)
            self.table_use[pair.home_table, s] += 1

    def pool_size(self, slot: int) -> int:
        if self.pool_capacity is not None:
            return self.pool_capacity.get(slot, len(self.problem.pool_tables))
        return len(self.problem.pool_tables)

    def full(self, participant: str, slot: int) -> bool:
        return self.load[participant, slot] >= self.problem.capacity(participant)

    def weight_of(self, p: int) -> int:
        return self.problem.pairs[p].weight


def _state(
    problem: SalonProblem,
    placement: Mapping[int, int],
    open_slots: Collection[int] | None,
    pool_capacity: Mapping[int, int] | None,
) -> _State:
    slots = frozenset(range(len(problem.slots))) if open_slots is None else frozenset(open_slots)
    return _State(problem, placement, slots, pool_capacity, SlotTimes(problem))


# ------------------------------------------------------------------ reasons


def _declined(problem: SalonProblem, pair: Pair, cancelled: bool) -> Reason:
    if cancelled:
        return Reason(
            "declined_never_scheduled",
            f"Le rendez-vous entre {pair.first} et {pair.second} a été annulé le jour même.",
            f"The meeting between {pair.first} and {pair.second} was cancelled on the day.",
        )
    wish = problem.salon.wishes[pair.wishes[0]]
    return Reason(
        "declined_never_scheduled",
        f"{wish.to} a décliné la demande de {wish.from_}.",
        f"{wish.to} declined the request of {wish.from_}.",
    )


def _late(pair: Pair) -> Reason:
    return Reason(
        "wish_window_closed",
        f"La demande entre {pair.first} et {pair.second} est arrivée après la clôture des "
        "demandes.",
        f"The request between {pair.first} and {pair.second} came after the wish window closed.",
    )


def _no_common_slot(state: _State, pair: Pair) -> Reason:
    """Each participant's free times, and what else rules the common ones out."""
    problem, clock, open_slots = state.problem, state.clock, state.open_slots
    free = {m: free_slots(problem, m) & open_slots for m in pair.members}
    common = free[pair.first] & free[pair.second]
    french: list[str] = []
    english: list[str] = []
    for member in pair.members:
        if free[member]:
            times = ", ".join(clock.ranges(free[member]))
            french.append(f"{member} est libre {times}")
            english.append(f"{member} is free {times}")
        else:
            french.append(f"{member} n'est libre à aucun créneau")
            english.append(f"{member} is free in no slot")
    head_fr = f"{pair.first} et {pair.second} n'ont aucun créneau libre en commun"
    head_en = f"{pair.first} and {pair.second} have no free slot in common"
    if common:
        times = ", ".join(clock.ranges(common))
        if pair.pinned is not None:
            pinned = f"{pair.pinned:%H:%M}"
            tail_fr = (
                f"leurs créneaux communs ({times}) ne comprennent pas l'heure imposée {pinned}"
            )
            tail_en = f"their common slots ({times}) do not include the pinned start {pinned}"
        else:
            wanted = sorted(
                {f"{i.start:%H:%M}–{i.end:%H:%M}" for during in pair.during for i in during}
            )
            shown = ", ".join(wanted) or "—"
            tail_fr = f"leurs créneaux communs ({times}) sont hors des plages demandées ({shown})"
            tail_en = f"their common slots ({times}) are outside the requested times ({shown})"
        return Reason(
            "no_common_slot",
            f"{head_fr} : {tail_fr}.",
            f"{head_en}: {tail_en}.",
        )
    return Reason(
        "no_common_slot",
        f"{head_fr} : {' ; '.join(french)}.",
        f"{head_en}: {'; '.join(english)}.",
    )


def no_common_slot_reason(problem: SalonProblem, pair: Pair) -> Reason:
    """Why the pair has no possible slot at all (every slot open): each participant's free
    times, or what rules their common ones out (a pin, the wishes' times)."""
    return _no_common_slot(_state(problem, {}, None, None), pair)


def _kept_instead(state: _State, participant: str, pair: Pair) -> tuple[str, str]:
    """The meetings a participant holds, heaviest first, as `G3 (poids 3), …`."""
    held = sorted(
        state.held[participant],
        key=lambda p: (-state.weight_of(p), state.problem.pairs[p].other(participant)),
    )
    stronger = [p for p in held if state.weight_of(p) >= pair.weight]
    weaker = len(held) - len(stronger)
    pairs = state.problem.pairs
    names = [f"{pairs[p].other(participant)} ({state.weight_of(p)})" for p in stronger]
    french = (
        f"{len(stronger)} rendez-vous de poids égal ou supérieur (poids de cette demande : "
        f"{pair.weight}) retenus"
    )
    english = (
        f"{len(stronger)} meetings of equal or higher weight (this request: {pair.weight}) kept"
    )
    if stronger:
        french += " : " + listing(names, True)
        english += ": " + listing(names, False)
    if weaker:
        french += f", et {weaker} de poids inférieur"
        english += f", and {weaker} of lower weight"
    return french, english


def _participant_full(state: _State, pair: Pair, common: list[int]) -> Reason | None:
    problem = state.problem
    for member in pair.members:
        cap = problem.participants[member].max_meetings
        held = len(state.held[member])
        if cap is not None and held >= cap:
            kept_fr, kept_en = _kept_instead(state, member, pair)
            return Reason(
                "cap_reached",
                f"{member} a atteint son maximum de {cap} rendez-vous : {kept_fr}.",
                f"{member} reached its cap of {cap} meetings: {kept_en}.",
            )
    for member in pair.members:
        if all(state.full(member, s) for s in common):
            kept_fr, kept_en = _kept_instead(state, member, pair)
            times = listing(state.clock.starts(common), True)
            times_en = listing(state.clock.starts(common), False)
            return Reason(
                "cap_reached",
                f"{member} est complet à tous les créneaux possibles ({times}) : {kept_fr}.",
                f"{member} is fully booked in every possible slot ({times_en}): {kept_en}.",
            )
    return None


def _run_too_long(state: _State, participant: str, slot: int) -> bool:
    """True when a meeting in `slot` would make `participant` busy more than max_in_a_row."""
    limit = state.problem.salon.max_in_a_row
    if limit is None or state.load[participant, slot] > 0:
        return False
    slots = state.problem.slots
    run = 1
    for step in (-1, 1):
        neighbour = slot + step
        while (
            0 <= neighbour < len(slots)
            and slots[neighbour].session == slots[slot].session
            and state.load[participant, neighbour] > 0
        ):
            run += 1
            neighbour += step
    return run > limit


def _table_taken(state: _State, pair: Pair, slot: int) -> bool:
    problem = state.problem
    table = pair.home_table
    if table is None:
        return state.table_use[None, slot] >= state.pool_size(slot)
    if problem.is_shared_table(table):
        return state.table_use[table, slot] >= 1
    return False


def _blocked(state: _State, pair: Pair, free_for_both: list[int]) -> Reason | None:
    """max_in_a_row or table_capacity when either rules out every slot where both are free."""
    if not free_for_both:
        return None
    in_a_row = [s for s in free_for_both if any(_run_too_long(state, m, s) for m in pair.members)]
    if len(in_a_row) == len(free_for_both):
        limit = state.problem.salon.max_in_a_row
        times = state.clock.starts(free_for_both)
        return Reason(
            "max_in_a_row",
            f"Aux créneaux où {pair.first} et {pair.second} sont tous deux libres "
            f"({listing(times, True)}), l'un d'eux aurait plus de {limit} rendez-vous "
            "d'affilée.",
            f"In the slots where {pair.first} and {pair.second} are both free "
            f"({listing(times, False)}), one of them would have more than {limit} meetings "
            "in a row.",
        )
    left = [s for s in free_for_both if s not in in_a_row]
    if not all(_table_taken(state, pair, s) for s in left):
        return None
    times_fr = listing(state.clock.starts(left), True)
    times_en = listing(state.clock.starts(left), False)
    both_fr = f"aux créneaux où {pair.first} et {pair.second} sont tous deux libres"
    both_en = f"in the slots where {pair.first} and {pair.second} are both free"
    if pair.home_table is None:
        size = max(state.pool_size(s) for s in left)
        if size == 0:
            return Reason(
                "table_capacity",
                f"Aucune table libre n'était ouverte {both_fr} ({times_fr}).",
                f"No free table was open {both_en} ({times_en}).",
            )
        if size == 1:
            return Reason(
                "table_capacity",
                f"L'unique table libre était occupée {both_fr} ({times_fr}).",
                f"The only free table was taken {both_en} ({times_en}).",
            )
        return Reason(
            "table_capacity",
            f"Les {size} tables libres étaient toutes occupées {both_fr} ({times_fr}).",
            f"The {size} free tables were all taken {both_en} ({times_en}).",
        )
    owners = state.problem.table_owners[pair.home_table]
    return Reason(
        "table_capacity",
        f"La table {pair.home_table}, partagée par {' et '.join(owners)}, était occupée "
        f"{both_fr} ({times_fr}).",
        f"Table {pair.home_table}, shared by {' and '.join(owners)}, was taken {both_en} "
        f"({times_en}).",
    )


def _not_selected(state: _State, pair: Pair, common: list[int]) -> Reason:
    """The common slots went to other meetings: how many, and how many weigh as much."""
    inside = set(common)
    competitors = {
        p for member in pair.members for p in state.held[member] if state.placement[p] in inside
    }
    stronger = sum(1 for p in competitors if state.weight_of(p) >= pair.weight)
    return Reason(
        "not_selected",
        f"Non retenu : aux {len(common)} créneaux possibles, {pair.first} et {pair.second} "
        f"avaient {len(competitors)} autre(s) rendez-vous, dont {stronger} de poids égal ou "
        f"supérieur (poids de cette demande : {pair.weight}).",
        f"Not selected: in the {len(common)} possible slots, {pair.first} and {pair.second} "
        f"had {len(competitors)} other meeting(s), {stronger} of them of equal or higher weight "
        f"(this request: {pair.weight}).",
    )


def _reason(state: _State, pair: Pair, cancelled: bool) -> Reason:
    if pair.declined:
        return _declined(state.problem, pair, cancelled)
    common = [s for s in pair.allowed if s in state.open_slots]
    if not common:
        return _no_common_slot(state, pair)
    full = _participant_full(state, pair, common)
    if full is not None:
        return full
    free_for_both = [s for s in common if not any(state.full(m, s) for m in pair.members)]
    blocked = _blocked(state, pair, free_for_both)
    if blocked is not None:
        return blocked
    return _not_selected(state, pair, common)


def reason_for(
    problem: SalonProblem,
    pair: Pair,
    placement: Mapping[int, int],
    open_slots: Collection[int] | None = None,
    pool_capacity: Mapping[int, int] | None = None,
    cancelled: bool = False,
) -> Reason:
    """The first reason, in rule order, that explains why the pair does not meet.

    `open_slots` are the slots still open to new meetings (all by default; a repair passes
    those that have not started), `pool_capacity` the free tables of each slot when some are
    closed, `cancelled` says that the meeting was cancelled on the day.
    """
    return _reason(_state(problem, placement, open_slots, pool_capacity), pair, cancelled)


def explain_unscheduled(
    problem: SalonProblem,
    placement: Mapping[int, int],
    *,
    late: Collection[int] = (),
    cancelled: Collection[frozenset[str]] = (),
    open_slots: Collection[int] | None = None,
    pool_capacity: Mapping[int, int] | None = None,
) -> list[UnscheduledWish]:
    """One entry per wish whose pair does not meet, with its reason.

    `late` holds the indices of wishes that came after the wish window closed (the service
    knows): they are reported as `wish_window_closed`. `cancelled` holds the pairs whose
    meeting was cancelled on the day. See reason_for for the other arguments.
    """
    state = _state(problem, placement, open_slots, pool_capacity)
    late_wishes = set(late)
    cancelled_pairs = set(cancelled)
    entries = []
    for pair in problem.pairs:
        if pair.index in placement:
            continue
        reason = _reason(state, pair, frozenset(pair.members) in cancelled_pairs)
        for wish_index in pair.wishes:
            wish = problem.salon.wishes[wish_index]
            given = reason
            if wish_index in late_wishes and not wish.declined:
                given = _late(pair)
            entries.append(
                UnscheduledWish.model_validate(
                    {
                        "from": wish.from_,
                        "to": wish.to,
                        "reason": given.code,
                        "detail": given.french,
                        "detail_en": given.english,
                    }
                )
            )
    return entries
