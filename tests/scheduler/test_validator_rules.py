"""One satisfied/violated pair per rule: the validator names exactly the rule that is broken.

Each case is a tiny salon, a schedule that keeps every rule and a schedule that breaks exactly
one. Slots of the default salon: 09:00, 09:15, 09:30, 09:45.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from salon_builders import interval, make_salon, make_schedule, meeting, person, session, wish

from scheduler.rules import COUNTING_RULES, GLOBAL_RULES, SLOT_RULES
from scheduler.validator import validate

STRUCTURAL_RULES = {"meeting_has_wish", "on_slot_grid", "right_table"}


@dataclass
class Case:
    rule: str
    salon: dict[str, Any]
    valid: list[dict[str, str]]
    broken: list[dict[str, str]]
    label: str = ""

    @property
    def id(self) -> str:
        return f"{self.rule}-{self.label}" if self.label else self.rule


def _salon(participants: list[dict[str, Any]], wishes: list[dict[str, Any]], **fields: Any):
    return {"participants": participants, "wishes": wishes, **fields}


DIRECTORS = [person("D1", "T1"), person("D2", "T2")]
INDUSTRIALS = [person("C1"), person("C2")]

CASES = [
    Case(
        "declined_never_scheduled",
        _salon(
            [*DIRECTORS, *INDUSTRIALS],
            [wish("C1", "D1", declined=True), wish("C2", "D1")],
        ),
        valid=[meeting("C2", "D1", "09:00", "T1")],
        broken=[meeting("C2", "D1", "09:00", "T1"), meeting("C1", "D1", "09:15", "T1")],
    ),
    Case(
        "participant_available",
        _salon(
            [*DIRECTORS, person("C1", unavailable=[interval("09:00", "09:20")])],
            [wish("C1", "D1")],
        ),
        valid=[meeting("C1", "D1", "09:30", "T1")],
        broken=[meeting("C1", "D1", "09:15", "T1")],
    ),
    Case(
        "within_during",
        _salon([*DIRECTORS, *INDUSTRIALS], [wish("C1", "D1", during=[interval("09:30", "10:00")])]),
        valid=[meeting("C1", "D1", "09:45", "T1")],
        broken=[meeting("C1", "D1", "09:15", "T1")],
    ),
    Case(
        "pinned_start",
        _salon([*DIRECTORS, *INDUSTRIALS], [wish("C1", "D1", pinned="2024-03-14T09:15:00")]),
        valid=[meeting("C1", "D1", "09:15", "T1")],
        broken=[meeting("C1", "D1", "09:30", "T1")],
    ),
    Case(
        "one_meeting_per_pair",
        _salon([*DIRECTORS, *INDUSTRIALS], [wish("C1", "D1"), wish("D1", "C1")]),
        valid=[meeting("D1", "C1", "09:00", "T1")],
        broken=[meeting("C1", "D1", "09:00", "T1"), meeting("D1", "C1", "09:30", "T1")],
    ),
    Case(
        "required_meeting",
        _salon([*DIRECTORS, *INDUSTRIALS], [wish("C1", "D1", required=True), wish("C2", "D1")]),
        valid=[meeting("C1", "D1", "09:00", "T1")],
        broken=[meeting("C2", "D1", "09:00", "T1")],
    ),
    Case(
        "representatives",
        _salon(
            [*DIRECTORS, person("C1", representatives=2), person("C2")],
            [wish("C1", "D1"), wish("C1", "D2"), wish("C2", "D1"), wish("C2", "D2")],
        ),
        valid=[meeting("C1", "D1", "09:00", "T1"), meeting("C1", "D2", "09:00", "T2")],
        broken=[meeting("C2", "D1", "09:00", "T1"), meeting("C2", "D2", "09:00", "T2")],
    ),
    Case(
        "max_meetings",
        _salon(
            [*DIRECTORS, person("C1", max_meetings=1)],
            [wish("C1", "D1"), wish("C1", "D2")],
        ),
        valid=[meeting("C1", "D2", "09:15", "T2")],
        broken=[meeting("C1", "D1", "09:00", "T1"), meeting("C1", "D2", "09:15", "T2")],
    ),
    Case(
        "table_capacity",
        _salon(
            [person("D1", "T1"), person("D3", "T1"), *INDUSTRIALS],
            [wish("C1", "D1"), wish("C2", "D3")],
            tables=["T1", "P1"],
        ),
        valid=[meeting("C1", "D1", "09:00", "T1"), meeting("C2", "D3", "09:15", "T1")],
        broken=[meeting("C1", "D1", "09:00", "T1"), meeting("C2", "D3", "09:00", "T1")],
        label="shared-home-table",
    ),
    Case(
        "table_capacity",
        _salon(
            [person("C1"), person("C2"), person("C3"), person("C4")],
            [wish("C1", "C2"), wish("C3", "C4")],
            tables=["P1"],
        ),
        valid=[meeting("C1", "C2", "09:00", "P1"), meeting("C3", "C4", "09:15", "P1")],
        broken=[meeting("C1", "C2", "09:00", "P1"), meeting("C3", "C4", "09:00", "P1")],
        label="pool",
    ),
    Case(
        "table_capacity",
        _salon(
            [person("C1"), person("C2"), person("C3"), person("C4")],
            [wish("C1", "C2"), wish("C3", "C4")],
            tables=["P1", "P2"],
        ),
        valid=[meeting("C1", "C2", "09:00", "P1"), meeting("C3", "C4", "09:00", "P2")],
        # Two pool tables for two meetings, but both sit at the same physical table.
        broken=[meeting("C1", "C2", "09:00", "P2"), meeting("C3", "C4", "09:00", "P2")],
        label="physical-table",
    ),
    Case(
        "max_in_a_row",
        _salon(
            [*DIRECTORS, person("D3", "T3"), *INDUSTRIALS],
            [wish("C1", "D1"), wish("C1", "D2"), wish("C1", "D3")],
            max_in_a_row=2,
        ),
        valid=[
            meeting("C1", "D1", "09:00", "T1"),
            meeting("C1", "D2", "09:15", "T2"),
            meeting("C1", "D3", "09:45", "T3"),
        ],
        broken=[
            meeting("C1", "D1", "09:00", "T1"),
            meeting("C1", "D2", "09:15", "T2"),
            meeting("C1", "D3", "09:30", "T3"),
        ],
    ),
    Case(
        "meeting_has_wish",
        _salon([*DIRECTORS, *INDUSTRIALS], [wish("C1", "D1")]),
        valid=[meeting("C1", "D1", "09:00", "T1")],
        broken=[meeting("C1", "D1", "09:00", "T1"), meeting("C2", "D2", "09:00", "T2")],
    ),
    Case(
        "meeting_has_wish",
        _salon([*DIRECTORS, *INDUSTRIALS], [wish("C1", "D1")]),
        valid=[meeting("C1", "D1", "09:00", "T1")],
        broken=[meeting("C1", "NOBODY", "09:00", "P1")],
        label="unknown-participant",
    ),
    Case(
        "on_slot_grid",
        _salon([*DIRECTORS, *INDUSTRIALS], [wish("C1", "D1")]),
        valid=[meeting("C1", "D1", "09:45", "T1")],
        broken=[meeting("C1", "D1", "09:05", "T1")],
        label="start",
    ),
    Case(
        "on_slot_grid",
        _salon([*DIRECTORS, *INDUSTRIALS], [wish("C1", "D1")]),
        valid=[meeting("C1", "D1", "09:45", "T1")],
        broken=[meeting("C1", "D1", "09:45", "T1", minutes=30)],
        label="length",
    ),
    Case(
        "on_slot_grid",
        _salon([*DIRECTORS, *INDUSTRIALS], [wish("C1", "D1")]),
        valid=[meeting("C1", "D1", "09:45", "T1")],
        broken=[meeting("C1", "D1", "10:00", "T1")],
        label="after-the-session",
    ),
    Case(
        "right_table",
        _salon([*DIRECTORS, *INDUSTRIALS], [wish("C1", "D1")]),
        valid=[meeting("C1", "D1", "09:00", "T1")],
        broken=[meeting("C1", "D1", "09:00", "T2")],
        label="home-table",
    ),
    Case(
        "right_table",
        _salon([*DIRECTORS, *INDUSTRIALS], [wish("C1", "C2")]),
        valid=[meeting("C1", "C2", "09:00", "P1")],
        broken=[meeting("C1", "C2", "09:00", "T1")],
        label="pool-meeting-at-a-home-table",
    ),
    Case(
        "right_table",
        _salon([*DIRECTORS, *INDUSTRIALS], [wish("C1", "C2")]),
        valid=[meeting("C1", "C2", "09:00", "P1")],
        broken=[meeting("C1", "C2", "09:00", "P9")],
        label="unknown-table",
    ),
    Case(
        "max_break_spread",
        _salon(
            [*DIRECTORS, *INDUSTRIALS],
            [wish("C1", "D1"), wish("C1", "D2")],
            max_break_spread=0,
        ),
        valid=[meeting("C1", "D1", "09:00", "T1"), meeting("C1", "D2", "09:15", "T2")],
        broken=[meeting("C1", "D1", "09:00", "T1"), meeting("C1", "D2", "09:30", "T2")],
    ),
]


def _build(case: Case):
    data = case.salon
    salon = make_salon(
        data["participants"],
        data["wishes"],
        **{k: v for k, v in data.items() if k not in ("participants", "wishes")},
    )
    return salon


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_a_schedule_keeping_the_rule_is_valid(case: Case) -> None:
    report = validate(_build(case), make_schedule(case.valid))
    assert report.violations == []
    assert report.valid


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_a_schedule_breaking_the_rule_is_reported_under_its_name(case: Case) -> None:
    report = validate(_build(case), make_schedule(case.broken))
    assert not report.valid
    assert {v.rule for v in report.violations} == {case.rule}
    assert all(v.message for v in report.violations)


def test_every_rule_has_a_case() -> None:
    rules = [*SLOT_RULES, *COUNTING_RULES, *GLOBAL_RULES]
    named = {rule.__name__ for rule in rules}
    assert named | STRUCTURAL_RULES == {case.rule for case in CASES}


def test_violation_messages_name_the_participants_and_the_time() -> None:
    case = next(c for c in CASES if c.rule == "participant_available")
    [violation] = validate(_build(case), make_schedule(case.broken)).violations
    assert "C1-D1" in violation.message
    assert "09:15" in violation.message
    assert str(violation).startswith("participant_available: ")


def test_breaks_and_idle_of_a_checked_schedule_are_measured() -> None:
    case = next(c for c in CASES if c.rule == "max_break_spread")
    report = validate(_build(case), make_schedule(case.broken))
    assert _without_fairness(report.objectives) == {
        "coverage": 3,
        "score": 4,
        "idle": 1,
        "breaks": 1,
    }


def test_a_second_session_restarts_max_in_a_row() -> None:
    salon = make_salon(
        [person("D1", "T1"), person("D2", "T2"), person("D3", "T3"), person("C1")],
        [wish("C1", "D1"), wish("C1", "D2"), wish("C1", "D3")],
        sessions=[session("09:00", "09:30"), session("09:30", "10:00")],
        max_in_a_row=2,
    )
    schedule = make_schedule(
        [
            meeting("C1", "D1", "09:00", "T1"),
            meeting("C1", "D2", "09:15", "T2"),
            meeting("C1", "D3", "09:30", "T3"),
        ]
    )
    assert validate(salon, schedule).valid


def test_a_pair_met_twice_keeps_its_participants_busy_at_both_meetings() -> None:
    """Idle time is measured on busy slots, even in a schedule breaking one_meeting_per_pair
    (C1-D1 at 09:00 and 09:30: one idle slot each); the pair scores once."""
    case = next(c for c in CASES if c.rule == "one_meeting_per_pair")
    report = validate(_build(case), make_schedule(case.broken))
    assert _without_fairness(report.objectives) == {
        "coverage": 2,
        "score": 4,
        "idle": 2,
        "breaks": 2,
    }


def _without_fairness(objectives: dict[str, int]) -> dict[str, int]:
    """The measures these tests are about (fairness has its own tests in test_fairness.py)."""
    return {name: value for name, value in objectives.items() if name != "fairness"}
