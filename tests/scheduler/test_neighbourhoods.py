"""A block's sub-models (scheduler.neighbourhoods): the free pairs re-placed optimally while
the rest stays, and the neighbourhood search never worse than its start."""

from __future__ import annotations

import random

import pytest
from random_salons import random_salon
from salon_builders import make_salon, person, session, wish

from scheduler.construct import compact_greedy
from scheduler.format import Salon
from scheduler.measures import objective_values
from scheduler.neighbourhoods import (
    block_model,
    improve_by_neighbourhoods,
    solve_sub,
    sub_candidates,
)
from scheduler.problem import build_problem
from scheduler.progress import SolveOptions
from scheduler.search import WORK_PER_SECOND, Work
from scheduler.solver import build_schedule
from scheduler.validator import validate

OPTIONS = SolveOptions(time_limit=10, workers=1, reproducible=True)


def _director_with_two() -> Salon:
    """D1 meets C1 and C2, C3 meets D2; one session of four 15-minute slots."""
    return make_salon(
        [person("D1", "T1"), person("D2", "T2"), person("C1"), person("C2"), person("C3")],
        [wish("C1", "D1"), wish("C2", "D1"), wish("C3", "D2")],
        sessions=[session("09:00", "10:00")],
        objectives=["coverage", "idle"],
    )


def _pair(salon: Salon, first: str, second: str) -> int:
    problem = build_problem(salon)
    return next(i for i, p in enumerate(problem.pairs) if set(p.members) == {first, second})


def test_solve_sub_closes_the_gap_of_the_free_pair_and_keeps_the_fixed_ones() -> None:
    salon = _director_with_two()
    problem = build_problem(salon)
    c1, c2, c3 = (_pair(salon, c, d) for c, d in (("C1", "D1"), ("C2", "D1"), ("C3", "D2")))
    candidates = {p: problem.pairs[p].allowed for p in (c1, c2, c3)}
    start = {c1: 0, c2: 3, c3: 1}  # D1 waits two slots between its meetings
    block = block_model(problem, {}, candidates_index=candidates)
    sub = sub_candidates(problem, candidates, start, {c2}, block)
    assert sub[c1] == [0] and sub[c2] == candidates[c2]  # C1's meeting stays, C2's is free
    new = solve_sub(problem, sub, start, OPTIONS, 2 * WORK_PER_SECOND)
    assert new is not None and new[c1] == 0 and new[c2] == 1
    assert objective_values(problem, {**start, **new})["idle"] == 0


def test_solve_sub_moves_the_free_pair_next_to_the_only_slot_of_a_fixed_one() -> None:
    salon = _director_with_two()
    problem = build_problem(salon)
    c1, c2 = _pair(salon, "C1", "D1"), _pair(salon, "C2", "D1")
    candidates = {c1: problem.pairs[c1].allowed, c2: [3]}  # C2 can only meet at 09:45
    start = {c1: 0, c2: 3}
    block = block_model(problem, {}, candidates_index=candidates)
    sub = sub_candidates(problem, candidates, start, {c1}, block)
    new = solve_sub(problem, sub, start, OPTIONS, 2 * WORK_PER_SECOND)
    assert new is not None and new[c1] == 2  # next to C2's only slot: no wait left


@pytest.mark.parametrize("seed", range(8))
def test_the_neighbourhood_search_keeps_every_rule_and_never_adds_idle_time(seed: int) -> None:
    document = random_salon(random.Random(seed), most=9, most_slots=6)
    document["objectives"] = ["coverage", "idle"]
    document.pop("max_break_spread", None)
    salon = Salon.model_validate(document)
    problem = build_problem(salon)
    candidates = {i: p.allowed for i, p in enumerate(problem.pairs) if p.allowed}
    start = compact_greedy(problem, candidates)
    placed = {p: candidates[p] for p in start}
    work = Work(3 * WORK_PER_SECOND, True)
    improved = improve_by_neighbourhoods(
        problem, placed, start, OPTIONS, work, work.budget, random.Random(seed)
    )
    assert set(improved) == set(start)  # the same meetings, only moved
    assert objective_values(problem, improved)["idle"] <= objective_values(problem, start)["idle"]
    schedule = build_schedule(problem, improved, {}, False, {})
    assert validate(salon, schedule).valid
