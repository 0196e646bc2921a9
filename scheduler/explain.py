"""Why a wish was not scheduled: a reason code (a rule name) and a sentence, French and English."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from scheduler.format import UnscheduledWish
from scheduler.problem import Pair, SalonProblem


@dataclass(frozen=True)
class Reason:
    code: str
    french: str
    english: str


def _load(problem: SalonProblem, placement: dict[int, int]) -> dict[tuple[str, int], int]:
    load: dict[tuple[str, int], int] = defaultdict(int)
    for p, s in placement.items():
        for member in problem.pairs[p].members:
            load[member, s] += 1
    return load


def _stronger(
    problem: SalonProblem, participant: str, pair: Pair, placement: dict[int, int]
) -> int:
    return sum(
        1
        for p in problem.pairs_of[participant]
        if p in placement and problem.pairs[p].weight >= pair.weight
    )


def _participant_full(
    problem: SalonProblem, participant: str, pair: Pair, placement: dict[int, int],
    load: dict[tuple[str, int], int],
) -> Reason | None:
    held = sum(1 for p in problem.pairs_of[participant] if p in placement)
    cap = problem.participants[participant].max_meetings
    stronger = _stronger(problem, participant, pair, placement)
    if cap is not None and held >= cap:
        return Reason(
            "cap_reached",
            f"{participant} a atteint son maximum de {cap} rendez-vous "
            f"({stronger} demandes de poids égal ou supérieur retenues).",
            f"{participant} reached its cap of {cap} meetings "
            f"({stronger} requests of equal or higher weight kept).",
        )
    capacity = problem.capacity(participant)
    if all(load[participant, s] >= capacity for s in pair.allowed):
        return Reason(
            "cap_reached",
            f"{participant} est complet sur tous les créneaux communs "
            f"({stronger} demandes de poids égal ou supérieur retenues).",
            f"{participant} is fully booked in every common slot "
            f"({stronger} requests of equal or higher weight kept).",
        )
    return None


def reason_for(
    problem: SalonProblem,
    pair: Pair,
    placement: dict[int, int],
    load: dict[tuple[str, int], int] | None = None,
    pool_use: dict[int, int] | None = None,
) -> Reason:
    """The first reason, in rule order, that explains why the pair does not meet."""
    if pair.declined:
        return Reason(
            "declined_never_scheduled",
            f"{pair.second} a décliné la demande.",
            f"{pair.second} declined the request.",
        )
    if not pair.allowed:
        return Reason(
            "no_common_slot",
            f"{pair.first} et {pair.second} n'ont aucun créneau libre en commun.",
            f"{pair.first} and {pair.second} have no free slot in common.",
        )
    load = _load(problem, placement) if load is None else load
    pool_use = _pool_use(problem, placement) if pool_use is None else pool_use
    for member in pair.members:
        full = _participant_full(problem, member, pair, placement, load)
        if full is not None:
            return full
    if pair.pooled and _pool_full(problem, pair, pool_use, load):
        return Reason(
            "table_capacity",
            "Toutes les tables libres étaient occupées aux créneaux communs.",
            "Every free table was taken in the common slots.",
        )
    competitors = sum(
        1 for m in pair.members for p in problem.pairs_of[m]
        if p in placement and problem.pairs[p].weight >= pair.weight
    )
    return Reason(
        "not_selected",
        f"Non retenu : {competitors} rendez-vous de poids égal ou supérieur ont été préférés "
        "pour les mêmes participants.",
        f"Not selected: {competitors} meetings of equal or higher weight were preferred "
        "for the same participants.",
    )


def _pool_use(problem: SalonProblem, placement: dict[int, int]) -> dict[int, int]:
    pool_use: dict[int, int] = defaultdict(int)
    for p, s in placement.items():
        if problem.pairs[p].pooled:
            pool_use[s] += 1
    return pool_use


def _pool_full(
    problem: SalonProblem, pair: Pair, pool_use: dict[int, int], load: dict[tuple[str, int], int]
) -> bool:
    free_for_both = [
        s for s in pair.allowed
        if all(load[m, s] < problem.capacity(m) for m in pair.members)
    ]
    return all(pool_use[s] >= len(problem.pool_tables) for s in free_for_both)


def explain_unscheduled(problem: SalonProblem, placement: dict[int, int]) -> list[UnscheduledWish]:
    """One entry per wish whose pair does not meet, with its reason."""
    entries = []
    load = _load(problem, placement)
    pool_use = _pool_use(problem, placement)
    for pair in problem.pairs:
        if pair.index in placement:
            continue
        reason = reason_for(problem, pair, placement, load, pool_use)
        for wish_index in pair.wishes:
            wish = problem.salon.wishes[wish_index]
            entries.append(
                UnscheduledWish.model_validate(
                    {
                        "from": wish.from_,
                        "to": wish.to,
                        "reason": reason.code,
                        "detail": reason.french,
                        "detail_en": reason.english,
                    }
                )
            )
    return entries
