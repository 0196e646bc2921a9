"""The scaled AGIR generator behind the 10x benchmark (sizes only: it is not solved here)."""

from __future__ import annotations

from collections import Counter

import pytest

from examples.generate import AGIR_SEED, SCALED_BENCH_SEED, agir_2023, generate_scaled
from scheduler.loading import load_salon
from scheduler.slots import build_slots


def test_factor_one_is_agir_2023() -> None:
    assert generate_scaled(1, AGIR_SEED) == agir_2023()


def test_ten_times_agir_has_the_documented_sizes() -> None:
    salon = load_salon(generate_scaled(10, SCALED_BENCH_SEED))
    roles = Counter(p.role for p in salon.participants)
    assert roles == {"director": 700, "industrial": 3_000}
    assert len({p.table for p in salon.participants if p.role == "director"}) == 700
    assert 17_500 <= len(salon.wishes) <= 19_500
    assert len(salon.sessions) == 4
    assert len({s.date for s in salon.sessions}) == 2
    assert len(build_slots(salon)) == 42


def test_generation_is_reproducible() -> None:
    assert generate_scaled(2, 7) == generate_scaled(2, 7)
    assert generate_scaled(2, 7) != generate_scaled(2, 8)


def test_factor_must_be_positive() -> None:
    with pytest.raises(ValueError, match="factor"):
        generate_scaled(0, 1)
