"""The greedy baseline: valid schedules on every example, and the caps it must respect."""

from __future__ import annotations

from typing import Any

import pytest

from examples.generate import EXAMPLES, EXAMPLES_DIR
from examples.greedy import greedy_schedule, naive_bounds
from scheduler.loading import load_salon
from scheduler.problem import build_problem
from scheduler.validator import validate


@pytest.mark.parametrize("filename", list(EXAMPLES))
def test_greedy_schedule_validates_on_every_example(filename: str) -> None:
    salon = load_salon(EXAMPLES_DIR / filename)
    schedule = greedy_schedule(salon)
    report = validate(salon, schedule)
    others = [v for v in report.violations if v.rule != "required_meeting"]
    assert others == []
    missed = [v for v in report.violations if v.rule == "required_meeting"]
    assert schedule.stats["required_unplaced"] == len(missed)
    assert {o.name: o.value for o in schedule.objectives} == {
        name: report.objectives[name] for name in salon.objectives
    }
    placed = {frozenset((m.from_, m.to)) for m in schedule.meetings}
    for wish in schedule.unscheduled:
        assert frozenset((wish.from_, wish.to)) not in placed
        assert wish.reason
    assert len(placed) + len({frozenset((u.from_, u.to)) for u in schedule.unscheduled}) == len(
        build_problem(salon).pairs
    )


@pytest.mark.parametrize("filename", ["small.json", "agir-2023.json"])
def test_greedy_places_every_required_wish_when_easy(filename: str) -> None:
    salon = load_salon(EXAMPLES_DIR / filename)
    schedule = greedy_schedule(salon)
    assert validate(salon, schedule).valid
    required = {frozenset((w.from_, w.to)) for w in salon.wishes if w.required}
    assert required <= {frozenset((m.from_, m.to)) for m in schedule.meetings}


def test_greedy_is_deterministic() -> None:
    salon = load_salon(EXAMPLES_DIR / "agir-2023.json")
    first, second = greedy_schedule(salon), greedy_schedule(salon)
    assert first.meetings == second.meetings


def _salon(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "name": "essai",
        "meeting_minutes": 15,
        "sessions": [{"date": "2024-01-10", "start": "09:00", "end": "10:00"}],  # 4 slots
        "tables": ["A", "B", "P1"],
        "participants": [
            {"id": "a", "name": "A", "table": "A"},
            {"id": "b", "name": "B", "table": "B"},
            {"id": "x", "name": "X"},
            {"id": "y", "name": "Y"},
            {"id": "z", "name": "Z"},
        ],
        "wishes": [],
    }
    base.update(overrides)
    return base


def _placed(schedule: Any) -> dict[tuple[str, str], tuple[str, str]]:
    return {(m.from_, m.to): (m.start.strftime("%H:%M"), m.table) for m in schedule.meetings}


def test_heaviest_first_then_file_order_at_the_first_free_slot() -> None:
    salon = load_salon(
        _salon(
            wishes=[
                {"from": "x", "to": "a", "priority": 3},
                {"from": "y", "to": "a", "priority": 1},
                {"from": "z", "to": "a", "priority": 1},
            ]
        )
    )
    placed = _placed(greedy_schedule(salon))
    assert placed == {
        ("y", "a"): ("09:00", "A"),
        ("z", "a"): ("09:15", "A"),
        ("x", "a"): ("09:30", "A"),
    }


def test_pool_tables_run_out() -> None:
    salon = load_salon(
        _salon(
            wishes=[
                {"from": "x", "to": "y", "priority": 1},
                {"from": "x", "to": "z", "priority": 2},
                {"from": "y", "to": "z", "priority": 3},
            ],
            tables=["A", "B", "P1", "P2"],
            participants=_salon()["participants"][:2]
            + [{"id": i, "name": i.upper(), "representatives": 2} for i in "xyz"],
        )
    )
    schedule = greedy_schedule(salon)
    assert _placed(schedule) == {
        ("x", "y"): ("09:00", "P1"),
        ("x", "z"): ("09:00", "P2"),
        ("y", "z"): ("09:15", "P1"),  # both pool tables are taken at 09:00
    }
    assert validate(salon, schedule).valid


def test_max_in_a_row_and_max_meetings_are_respected() -> None:
    participants = _salon()["participants"]
    participants[2] = {"id": "x", "name": "X", "max_meetings": 2}
    participants[0] = {"id": "a", "name": "A", "table": "A"}
    salon = load_salon(
        _salon(
            max_in_a_row=2,
            participants=participants,
            wishes=[
                {"from": "a", "to": "y", "priority": 1},
                {"from": "a", "to": "z", "priority": 1},
                {"from": "a", "to": "x", "priority": 2},
                {"from": "b", "to": "x", "priority": 1},
                {"from": "b", "to": "y", "priority": 3},
            ],
        )
    )
    schedule = greedy_schedule(salon)
    placed = _placed(schedule)
    # a: 09:00 and 09:15, then a forced break at 09:30, x at 09:45.
    assert placed[("a", "y")] == ("09:00", "A")
    assert placed[("a", "z")] == ("09:15", "A")
    assert placed[("a", "x")] == ("09:45", "A")
    assert placed[("b", "x")] == ("09:00", "B")
    assert validate(salon, schedule).valid


def test_max_meetings_leaves_a_wish_out() -> None:
    participants = _salon()["participants"]
    participants[2] = {"id": "x", "name": "X", "max_meetings": 1}
    salon = load_salon(
        _salon(
            participants=participants,
            wishes=[
                {"from": "x", "to": "a", "priority": 1},
                {"from": "x", "to": "b", "priority": 2},
            ],
        )
    )
    schedule = greedy_schedule(salon)
    assert list(_placed(schedule)) == [("x", "a")]
    assert [(u.from_, u.to, u.reason) for u in schedule.unscheduled] == [
        ("x", "b", "cap_reached")
    ]


def test_naive_bounds_count_every_allowed_pair() -> None:
    salon = load_salon(
        _salon(
            participants=_salon()["participants"][:3]
            + [{"id": "y", "name": "Y", "unavailable": [
                {"start": "2024-01-10T08:00:00", "end": "2024-01-10T12:00:00"}
            ]}],
            wishes=[
                {"from": "x", "to": "a", "priority": 1},
                {"from": "y", "to": "b", "priority": 1},
            ],
        )
    )
    # Only x-a can meet: a first meeting for x and for a (2520 each).
    assert naive_bounds(build_problem(salon)) == {
        "coverage": 2, "fairness": 5040, "score": 3, "idle": 0, "breaks": 0
    }
