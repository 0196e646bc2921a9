"""An infeasible salon's explanation names the smallest set of clashing requirements found.

Slots of the default salon: 09:00, 09:15, 09:30, 09:45.
"""

from __future__ import annotations

import pytest
from salon_builders import at, interval, make_salon, person, session, wish

from scheduler.errors import Clash, InfeasibleError
from scheduler.format import Salon
from scheduler.infeasibility import clashing_requirements, explain_infeasible
from scheduler.problem import build_problem
from scheduler.progress import SolveOptions
from scheduler.solver import solve

DIRECTORS = [person("D1", "T1"), person("D2", "T2"), person("D3", "T3"), person("D4", "T4")]


def _clashes(salon: Salon) -> list[Clash]:
    return explain_infeasible(build_problem(salon), seconds=5)


def test_two_required_meetings_in_the_single_slot() -> None:
    salon = make_salon(
        [*DIRECTORS, person("C1")],
        [wish("C1", "D1", required=True), wish("C1", "D2", required=True), wish("C1", "D3")],
        sessions=[session("09:00", "09:15")],
    )
    clashes = _clashes(salon)
    assert clashes == [
        Clash(
            "required_meeting",
            "the required meeting C1-D1, possible only at 09:00",
            "le rendez-vous obligatoire C1-D1, possible seulement à 09:00",
        ),
        Clash(
            "required_meeting",
            "the required meeting C1-D2, possible only at 09:00",
            "le rendez-vous obligatoire C1-D2, possible seulement à 09:00",
        ),
    ]


def test_more_required_meetings_than_free_slots() -> None:
    salon = make_salon(
        [*DIRECTORS, person("C1", unavailable=[interval("09:30", "10:00")]), person("C2")],
        [
            wish("C1", "D1", required=True),
            wish("C1", "D2", required=True),
            wish("C1", "D3", required=True),
            wish("C2", "D4", required=True),
        ],
    )
    text = " ".join(c.message for c in _clashes(salon))
    assert all(f"C1-D{i}" in text for i in (1, 2, 3))
    assert "C2-D4" not in text
    assert "possible at 09:00, 09:15" in text


def test_the_core_is_shrunk_to_the_pins_that_clash() -> None:
    salon = make_salon(
        [*DIRECTORS, person("C1"), person("C2"), person("C3")],
        [
            wish("C1", "D1", required=True, pinned=at("09:00")),
            wish("C2", "D1", required=True, pinned=at("09:00")),
            wish("C2", "D2", required=True),
            wish("C3", "D3", required=True),
            wish("C3", "D1", required=True),
        ],
    )
    clashes = _clashes(salon)
    assert [c.message for c in clashes] == [
        "the required meeting C1-D1 (pinned at 09:00), possible only at 09:00",
        "the required meeting C2-D1 (pinned at 09:00), possible only at 09:00",
    ]
    assert "imposé à 09:00" in clashes[0].message_fr


def test_a_cap_below_the_required_meetings() -> None:
    salon = make_salon(
        [*DIRECTORS, person("C1", max_meetings=1)],
        [wish("C1", "D1", required=True), wish("C1", "D2", required=True), wish("C1", "D3")],
    )
    clashes = _clashes(salon)
    assert [c.rule for c in clashes] == ["required_meeting", "required_meeting", "max_meetings"]
    assert clashes[2].message == "C1 holds at most 1 meeting (max_meetings)"
    assert clashes[2].message_fr == "C1 a au plus 1 rendez-vous (max_meetings)"


def test_max_in_a_row_with_required_meetings() -> None:
    salon = make_salon(
        [*DIRECTORS, person("C1")],
        [wish("C1", d["id"], required=True) for d in DIRECTORS[:3]],
        sessions=[session("09:00", "09:45")],
        max_in_a_row=2,
    )
    clashes = _clashes(salon)
    assert [c.rule for c in clashes] == ["required_meeting"] * 3 + ["max_in_a_row"]
    assert "more than 2 meetings in a row" in clashes[-1].message


def test_a_required_meeting_without_a_common_slot_gives_the_availabilities() -> None:
    salon = make_salon(
        [
            person("D1", "T1", unavailable=[interval("09:00", "09:30")]),
            person("C1", unavailable=[interval("09:30", "10:00")]),
        ],
        [wish("C1", "D1", required=True)],
    )
    [clash] = _clashes(salon)
    assert clash.rule == "required_meeting"
    assert "C1-D1 has no possible slot" in clash.message
    assert "C1 is free 09:00–09:30; D1 is free 09:30–10:00" in clash.message
    assert "C1 est libre 09:00–09:30 ; D1 est libre 09:30–10:00" in clash.message_fr


def test_a_shared_home_table_is_a_fact_behind_the_clash() -> None:
    salon = make_salon(
        [person("D1", "T1"), person("D2", "T1"), person("C1"), person("C2")],
        [wish("C1", "D1", required=True), wish("C2", "D2", required=True)],
        tables=["T1"],
        sessions=[session("09:00", "09:15")],
    )
    assert [c.message for c in _clashes(salon)] == [
        "the required meeting C1-D1, possible only at 09:00",
        "the required meeting C2-D2, possible only at 09:00",
    ]


def test_a_feasible_salon_has_no_clash() -> None:
    salon = make_salon(
        [*DIRECTORS, person("C1")],
        [wish("C1", "D1", required=True), wish("C1", "D2", required=True)],
    )
    assert _clashes(salon) == []
    assert clashing_requirements(build_problem(make_salon([person("C1")], []))) == []


def test_the_solver_names_the_clashing_requirements() -> None:
    # The selection relaxation counts the pool per session: only the timetable sees the clash.
    salon = make_salon(
        [person("C1"), person("C2"), person("C3"), person("C4"), person("C5")],
        [
            wish("C1", "C2", required=True, pinned=at("09:00")),
            wish("C3", "C4", required=True, pinned=at("09:00")),
            wish("C5", "C1", required=True),
        ],
        tables=["P1"],
    )
    with pytest.raises(InfeasibleError) as caught:
        solve(salon, SolveOptions(time_limit=2, workers=1))
    assert [c.message for c in caught.value.clashes] == [
        "the required meeting C1-C2 (pinned at 09:00), possible only at 09:00",
        "the required meeting C3-C4 (pinned at 09:00), possible only at 09:00",
    ]
    assert "C1-C2" in str(caught.value)
