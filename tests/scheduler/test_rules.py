"""The rule functions of scheduler.rules called directly, and the imports that keep them apart
from scheduler.problem (which builds the problem with the slot rules)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from salon_builders import make_salon, person, wish

import scheduler
from scheduler.problem import SalonProblem, build_problem
from scheduler.rules import break_spread_limit, break_spread_participants, max_break_spread


def _problem(**fields: object) -> SalonProblem:
    return build_problem(
        make_salon(
            [person("D1", "T1"), person("D2", "T2"), person("C1"), person("C2")],
            [wish("C1", "D1"), wish("C1", "D2"), wish("C2", "D1")],
            **fields,
        )
    )


def test_max_break_spread_kept_when_breaks_differ_by_the_limit() -> None:
    problem = _problem(max_break_spread=1)
    assert break_spread_limit(problem) == 1
    assert max_break_spread(problem, {"C1": 2, "D1": 1, "D2": 1, "C2": 2}) is None


def test_max_break_spread_broken_names_the_most_and_the_fewest_breaks() -> None:
    problem = _problem(max_break_spread=1)
    message = max_break_spread(problem, {"C1": 2, "D1": 1, "D2": 0, "C2": 1})
    assert message == "C1 has 2 breaks and D2 has 0: spread 2 > 1"


@pytest.mark.parametrize("breaks", [{}, {"C1": 3}, {"C1": 3, "D1": 3}])
def test_max_break_spread_kept_without_two_participants_apart(breaks: dict[str, int]) -> None:
    assert max_break_spread(_problem(max_break_spread=0), breaks) is None


def test_without_a_limit_any_spread_is_kept() -> None:
    problem = _problem()
    assert break_spread_limit(problem) is None
    assert max_break_spread(problem, {"C1": 5, "D1": 0}) is None


def test_the_break_spread_applies_to_each_participant_through_its_candidate_pairs() -> None:
    problem = _problem(max_break_spread=0)
    index = {frozenset(p.members): p.index for p in problem.pairs}
    c1_d1, c2_d1 = index[frozenset(("C1", "D1"))], index[frozenset(("C2", "D1"))]
    candidates = {c1_d1: [0, 1], c2_d1: [2]}  # C1-D2 has no slot left: D2 does not count
    assert break_spread_participants(problem, candidates) == {
        "C1": [c1_d1],
        "D1": [c1_d1, c2_d1],
        "C2": [c2_d1],
    }


def _scheduler_imports(module: str) -> set[str]:
    tree = ast.parse((Path(scheduler.__file__).parent / f"{module}.py").read_text())
    return {
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("scheduler")
    }


@pytest.mark.parametrize("module", ["rules", "problem_types"])
def test_the_rules_and_the_problem_types_never_import_the_problem_builder(module: str) -> None:
    """scheduler.problem imports the rules (allowed slots): the reverse would be a cycle."""
    assert "scheduler.problem" not in _scheduler_imports(module)
    assert "scheduler.measures" not in _scheduler_imports(module)  # measures imports problem
