"""The committed example files: valid, and exactly what their seeded generator writes."""

from __future__ import annotations

import statistics
from collections import Counter
from pathlib import Path

import pytest

from examples.generate import (
    EXAMPLES,
    EXAMPLES_DIR,
    brokerage_with_witness,
    witness_schedule,
    write_examples,
)
from scheduler.format import Salon
from scheduler.loading import load_salon
from scheduler.problem import build_problem
from scheduler.slots import build_slots
from scheduler.validator import validate


def _load(filename: str) -> Salon:
    return load_salon(EXAMPLES_DIR / filename)


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("examples")
    write_examples(directory)
    return directory


@pytest.mark.parametrize("filename", list(EXAMPLES))
def test_example_file_loads(filename: str) -> None:
    salon = _load(filename)
    assert salon.participants and salon.wishes
    assert build_problem(salon).pairs


@pytest.mark.parametrize("filename", list(EXAMPLES))
def test_example_file_is_what_the_generator_writes(filename: str, regenerated: Path) -> None:
    committed = (EXAMPLES_DIR / filename).read_bytes()
    assert (regenerated / filename).read_bytes() == committed, (
        f"examples/{filename} differs from its generator: run `python -m examples.generate`"
    )


def test_small_is_readable_by_hand() -> None:
    salon = _load("small.json")
    roles = Counter(p.role for p in salon.participants)
    assert roles == {"director": 5, "industrial": 12}
    assert 20 <= len(salon.wishes) <= 30
    assert len(salon.sessions) == 1 and len(build_slots(salon)) == 6
    assert all(p.table for p in salon.participants if p.role == "director")


def test_agir_2023_shape() -> None:
    salon = _load("agir-2023.json")
    assert salon.name == "Rencontres AGIR 2023"
    assert salon.timezone == "Europe/Paris"
    assert (salon.meeting_minutes, salon.changeover_minutes, salon.max_in_a_row) == (15, 5, 6)
    assert [(str(s.date), str(s.start), str(s.end)) for s in salon.sessions] == [
        ("2023-11-28", "09:00:00", "12:20:00"),
        ("2023-11-28", "14:00:00", "17:40:00"),
    ]
    directors = [p for p in salon.participants if p.role == "director"]
    industrials = [p for p in salon.participants if p.role == "industrial"]
    assert len(directors) == 70 and len(industrials) == 300
    assert sorted(p.table or "" for p in directors) == [f"T{i:02d}" for i in range(1, 71)]
    assert all(p.table is None for p in industrials)
    assert any(p.representatives == 2 for p in industrials)
    assert any(p.unavailable for p in directors) and any(p.unavailable for p in industrials)
    assert 1_700 <= len(salon.wishes) <= 1_900
    assert any(w.required for w in salon.wishes)


def test_agir_2023_wishes_are_ranked_and_skewed() -> None:
    salon = _load("agir-2023.json")
    roles = {p.id: p.role for p in salon.participants}
    asked = [w for w in salon.wishes if roles[w.from_] == "industrial"]
    per_industrial = Counter(w.from_ for w in asked)
    assert set(per_industrial.values()) <= set(range(4, 9))
    assert len(per_industrial) == 300
    assert all(roles[w.to] == "director" for w in asked)
    assert {w.priority for w in asked} == {1, 2, 3}
    requests = sorted(Counter(w.to for w in asked).values(), reverse=True)
    slots = len(build_slots(salon))
    assert requests[0] > 5 * slots  # the most popular programme is far over-requested
    assert requests[0] > 10 * statistics.median(requests)


def test_brokerage_shape() -> None:
    salon = _load("brokerage.json")
    assert len(salon.participants) == 60
    assert len({p.role for p in salon.participants}) >= 3
    assert all(p.table is None for p in salon.participants)
    assert len(salon.table_specs()) == 20 and len(salon.sessions) == 2
    assert all(w.required for w in salon.wishes)


def test_brokerage_is_feasible_by_construction() -> None:
    data, planted = brokerage_with_witness()
    salon = load_salon(data)
    problem = build_problem(salon)
    slots = len(problem.slots)
    assert len(problem.pairs) <= len(problem.pool_tables) * slots
    assert max(len(pairs) for pairs in problem.pairs_of.values()) < slots / 2
    report = validate(salon, witness_schedule(salon, planted))
    assert report.valid, report.violations
    assert len(planted) == len(problem.pairs)  # every required pair is met
