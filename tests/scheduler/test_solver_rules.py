"""The solver keeps each rule on a tiny salon where breaking it would score better.

Slots of the default salon: 09:00, 09:15, 09:30, 09:45. Every schedule is also checked by the
validator, so a rule broken in any other way fails here too.
"""

from __future__ import annotations

from typing import Any

import pytest
from salon_builders import at, interval, make_salon, person, session, wish

from scheduler.errors import InfeasibleError
from scheduler.format import Salon, Schedule
from scheduler.progress import SolveOptions
from scheduler.solver import solve
from scheduler.validator import validate

DIRECTORS = [person("D1", "T1"), person("D2", "T2"), person("D3", "T3"), person("D4", "T4")]


def _solve(salon: Salon, **options: Any) -> Schedule:
    schedule = solve(salon, SolveOptions(time_limit=2, workers=1, **options))
    report = validate(salon, schedule)
    assert report.violations == []
    assert {o.name: o.value for o in schedule.objectives} == {
        name: report.objectives[name] for name in salon.objectives
    }
    return schedule


def _pairs(schedule: Schedule) -> set[frozenset[str]]:
    return {frozenset((m.from_, m.to)) for m in schedule.meetings}


def _value(schedule: Schedule, name: str) -> int:
    return next(o.value for o in schedule.objectives if o.name == name)


def _reasons(schedule: Schedule) -> dict[tuple[str, str], str]:
    return {(u.from_, u.to): u.reason for u in schedule.unscheduled}


def test_declined_never_scheduled() -> None:
    salon = make_salon([*DIRECTORS, person("C1")], [wish("C1", "D1", declined=True)])
    schedule = _solve(salon)
    assert schedule.meetings == []
    assert _reasons(schedule) == {("C1", "D1"): "declined_never_scheduled"}


def test_participant_available() -> None:
    # C1 is only free at 09:45: one meeting, not two.
    salon = make_salon(
        [*DIRECTORS, person("C1", unavailable=[interval("09:00", "09:45")])],
        [wish("C1", "D1"), wish("C1", "D2")],
    )
    schedule = _solve(salon)
    [only] = schedule.meetings
    assert only.start.strftime("%H:%M") == "09:45"
    assert _value(schedule, "coverage") == 2


def test_within_during() -> None:
    late = [interval("09:45", "10:00")]
    salon = make_salon(
        [*DIRECTORS, person("C1")],
        [wish("C1", "D1", during=late), wish("C1", "D2", during=late)],
    )
    schedule = _solve(salon)
    [only] = schedule.meetings
    assert only.start.strftime("%H:%M") == "09:45"


def test_pinned_start() -> None:
    # Moving D2's meeting next to D1's would remove C1's idle slots; the pins forbid it.
    salon = make_salon(
        [*DIRECTORS, person("C1")],
        [wish("C1", "D1", pinned=at("09:00")), wish("C1", "D2", pinned=at("09:45"))],
    )
    schedule = _solve(salon)
    starts = {m.to: m.start.strftime("%H:%M") for m in schedule.meetings}
    assert starts == {"D1": "09:00", "D2": "09:45"}
    assert _value(schedule, "idle") == 2


def test_one_meeting_per_pair() -> None:
    # Two wishes of one pair: one meeting, carrying both weights.
    salon = make_salon(
        [*DIRECTORS, person("C1")],
        [wish("C1", "D1", priority=1), wish("D1", "C1", priority=3)],
    )
    schedule = _solve(salon)
    assert len(schedule.meetings) == 1
    assert _value(schedule, "score") == 3 + 1


def test_required_meeting() -> None:
    # C1 may hold one meeting: the required, lighter wish wins over the heavier one.
    salon = make_salon(
        [*DIRECTORS, person("C1", max_meetings=1)],
        [wish("C1", "D1", priority=1), wish("C1", "D2", priority=3, required=True)],
    )
    schedule = _solve(salon)
    assert _pairs(schedule) == {frozenset(("C1", "D2"))}


@pytest.mark.parametrize("representatives", [1, 2])
def test_representatives(representatives: int) -> None:
    # A single slot: C1 holds as many meetings as it has representatives.
    salon = make_salon(
        [*DIRECTORS, person("C1", representatives=representatives)],
        [wish("C1", d["id"]) for d in DIRECTORS],
        sessions=[session("09:00", "09:15")],
    )
    schedule = _solve(salon)
    assert len(schedule.meetings) == representatives


def test_max_meetings() -> None:
    salon = make_salon(
        [*DIRECTORS, person("C1", max_meetings=2)],
        [wish("C1", d["id"]) for d in DIRECTORS],
    )
    schedule = _solve(salon)
    assert len(schedule.meetings) == 2
    assert sorted(set(_reasons(schedule).values())) == ["cap_reached"]


def test_table_capacity_of_the_pool() -> None:
    salon = make_salon(
        [person("C1"), person("C2"), person("C3"), person("C4")],
        [wish("C1", "C2"), wish("C3", "C4")],
        tables=["P1"],
        sessions=[session("09:00", "09:15")],
    )
    schedule = _solve(salon)
    assert len(schedule.meetings) == 1
    assert list(_reasons(schedule).values()) == ["table_capacity"]


def test_table_capacity_of_a_shared_home_table() -> None:
    salon = make_salon(
        [person("D1", "T1"), person("D2", "T1"), person("C1"), person("C2")],
        [wish("C1", "D1"), wish("C2", "D2")],
        tables=["T1"],
        sessions=[session("09:00", "09:30")],
    )
    schedule = _solve(salon)
    assert len(schedule.meetings) == 2
    assert len({m.start for m in schedule.meetings}) == 2


def test_max_in_a_row() -> None:
    # Three slots, at most one meeting in a row: two meetings, at 09:00 and 09:30.
    salon = make_salon(
        [*DIRECTORS, person("C1")],
        [wish("C1", d["id"]) for d in DIRECTORS[:3]],
        sessions=[session("09:00", "09:45")],
        max_in_a_row=1,
    )
    schedule = _solve(salon)
    assert sorted(m.start.strftime("%H:%M") for m in schedule.meetings) == ["09:00", "09:30"]


def test_max_break_spread() -> None:
    # D1 is free at 09:00 only and D2 at 09:30 only: meeting both gives C1 a break that
    # nobody else has, so with a spread of 0 one of the two meetings must go.
    salon = make_salon(
        [
            person("D1", "T1", unavailable=[interval("09:15", "10:00")]),
            person("D2", "T2", unavailable=[interval("09:00", "09:30")]),
            person("C1"),
        ],
        [wish("C1", "D1"), wish("C1", "D2")],
        sessions=[session("09:00", "09:45")],
        max_break_spread=0,
    )
    schedule = _solve(salon)
    assert len(schedule.meetings) == 1


def test_the_same_seed_gives_the_same_schedule_in_reproducible_mode() -> None:
    industrials = [person(f"C{i}") for i in range(1, 5)]
    wishes = [wish(c["id"], d["id"]) for c in industrials for d in DIRECTORS[:3]]
    wishes.append(wish("C1", "C2"))
    salon = make_salon([*DIRECTORS, *industrials], wishes, max_in_a_row=2)
    first = solve(salon, SolveOptions(time_limit=1, workers=2, seed=7, reproducible=True))
    second = solve(salon, SolveOptions(time_limit=1, workers=2, seed=7, reproducible=True))
    assert first.meetings == second.meetings
    assert first.unscheduled == second.unscheduled
    assert first.objectives == second.objectives


def test_two_required_meetings_in_the_single_slot_are_infeasible() -> None:
    salon = make_salon(
        [*DIRECTORS, person("C1")],
        [wish("C1", "D1", required=True), wish("C1", "D2", required=True), wish("C1", "D3")],
        sessions=[session("09:00", "09:15")],
    )
    with pytest.raises(InfeasibleError) as caught:
        solve(salon, SolveOptions(time_limit=2, workers=1))
    clashes = caught.value.clashes
    assert {c.rule for c in clashes} == {"required_meeting"}
    text = " ".join(c.message for c in clashes)
    assert "C1-D1" in text and "C1-D2" in text
    assert "D3" not in text


def test_a_required_meeting_without_a_common_slot_is_infeasible() -> None:
    salon = make_salon(
        [person("D1", "T1", unavailable=[interval("09:00", "10:00")]), person("C1")],
        [wish("C1", "D1", required=True)],
    )
    with pytest.raises(InfeasibleError) as caught:
        solve(salon, SolveOptions(time_limit=2, workers=1))
    [clash] = caught.value.clashes
    assert clash.rule == "required_meeting"
    assert "C1-D1" in clash.message


def test_a_feasible_salon_of_required_meetings_is_solved() -> None:
    # Five participants, nine required meetings (every pair but U2-U4), three pool tables, a
    # morning of four slots and an afternoon of eight. The nine cannot all fit in the morning
    # (four slots hold at most 4 x 2 meetings among five people), so the session assignment
    # must spread them; a schedule exists and must be found.
    people = [person(f"U{i}") for i in range(5)]
    pairs = [(1, 0), (3, 0), (2, 1), (1, 4), (1, 3), (0, 4), (0, 2), (2, 3), (4, 3)]
    salon = make_salon(
        people,
        [wish(f"U{a}", f"U{b}", required=True) for a, b in pairs],
        tables=["P0", "P1", "P2"],
        sessions=[session("09:00", "10:00"), session("14:00", "16:00")],
    )
    schedule = _solve(salon)
    assert len(schedule.meetings) == len(pairs)
    assert schedule.unscheduled == []
