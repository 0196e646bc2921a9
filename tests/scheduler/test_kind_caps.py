"""Caps per kind of participant (salon/v1 `max_meetings_by_kind`): one effective cap.

A director has a home table, an industrial none. The compiled problem gives each participant the
smaller of its own `max_meetings` and its kind's cap, so the validator and the solver agree.
Slots of the default salon: 09:00, 09:15, 09:30, 09:45.
"""

from __future__ import annotations

import pytest
from salon_builders import make_salon, make_schedule, meeting, person, salon_data, wish

from scheduler.errors import FileFormatError
from scheduler.format import Salon
from scheduler.loading import load_salon
from scheduler.problem import build_problem, effective_cap
from scheduler.progress import SolveOptions
from scheduler.solver import solve
from scheduler.validator import validate

DIRECTORS = [person("D1", "T1"), person("D2", "T2"), person("D3", "T3")]


def _salon(**fields: object) -> Salon:
    return make_salon(
        [*DIRECTORS, person("C1"), person("C2")],
        [wish("C1", d["id"]) for d in DIRECTORS] + [wish("C2", "D1"), wish("C2", "D2")],
        **fields,
    )


def test_the_effective_cap_is_the_smaller_of_the_participants_and_its_kinds() -> None:
    salon = make_salon(
        [person("D1", "T1", max_meetings=9), person("D2", "T2"), person("C1", max_meetings=1)],
        [wish("C1", "D1")],
        max_meetings_by_kind={"director": 3, "industrial": 2},
    )
    caps = {p.id: effective_cap(salon, p) for p in salon.participants}
    assert caps == {"D1": 3, "D2": 3, "C1": 1}
    problem = build_problem(salon)
    assert {pid: p.max_meetings for pid, p in problem.participants.items()} == caps
    # The salon itself is unchanged: it exports as it was read.
    assert [p.max_meetings for p in salon.participants] == [9, None, 1]


def test_a_kind_without_a_cap_keeps_each_participants_own() -> None:
    salon = make_salon(
        [person("D1", "T1", max_meetings=5), person("C1")],
        [wish("C1", "D1")],
        max_meetings_by_kind={"industrial": 2},
    )
    assert {p.id: effective_cap(salon, p) for p in salon.participants} == {"D1": 5, "C1": 2}


def test_a_schedule_within_the_kind_cap_is_valid_and_one_beyond_is_a_max_meetings_violation() -> (
    None
):
    salon = _salon(max_meetings_by_kind={"industrial": 1})
    within = make_schedule([meeting("C1", "D1", "09:00", "T1"), meeting("C2", "D2", "09:00", "T2")])
    beyond = make_schedule([meeting("C1", "D1", "09:00", "T1"), meeting("C1", "D2", "09:15", "T2")])
    assert validate(salon, within).violations == []
    report = validate(salon, beyond)
    assert [v.rule for v in report.violations] == ["max_meetings"]
    assert "C1" in str(report.violations[0])
    # Without the kind cap the same schedule is valid: the cap is what makes it a violation.
    assert validate(_salon(), beyond).violations == []


def test_the_director_cap_holds_for_every_director() -> None:
    salon = make_salon(
        [*DIRECTORS, person("C1"), person("C2"), person("C3")],
        [wish(c, "D1") for c in ("C1", "C2", "C3")],
        max_meetings_by_kind={"director": 2},
    )
    two = [meeting("C1", "D1", "09:00", "T1"), meeting("C2", "D1", "09:15", "T1")]
    three = [*two, meeting("C3", "D1", "09:30", "T1")]
    assert validate(salon, make_schedule(two)).violations == []
    assert [v.rule for v in validate(salon, make_schedule(three)).violations] == ["max_meetings"]


def test_the_solver_keeps_the_kind_caps_and_the_validator_agrees() -> None:
    salon = _salon(max_meetings_by_kind={"industrial": 1, "director": 1})
    schedule = solve(salon, SolveOptions(time_limit=2, workers=1))
    assert validate(salon, schedule).violations == []
    held: dict[str, int] = {}
    for m in schedule.meetings:
        for who in (m.from_, m.to):
            held[who] = held.get(who, 0) + 1
    assert max(held.values()) == 1
    assert len(schedule.meetings) == 2  # C1 and C2 one each, at two different directors
    reasons = {u.reason for u in schedule.unscheduled}
    assert reasons == {"cap_reached"}
    uncapped = solve(_salon(), SolveOptions(time_limit=2, workers=1))
    assert len(uncapped.meetings) == 5


def test_the_field_is_optional_and_round_trips() -> None:
    salon = _salon(max_meetings_by_kind={"director": 14, "industrial": 6})
    assert salon.to_json_dict()["max_meetings_by_kind"] == {"director": 14, "industrial": 6}
    assert "max_meetings_by_kind" not in _salon().to_json_dict()
    assert load_salon(salon.to_json_dict()) == salon


@pytest.mark.parametrize(
    ("value", "where"),
    [
        ({"directors": 3}, "max_meetings_by_kind.directors"),
        ({"industrial": True}, "max_meetings_by_kind.industrial"),
        ({"industrial": -1}, "max_meetings_by_kind.industrial"),
        ({"industrial": 10_001}, "max_meetings_by_kind.industrial"),
        ([6, 14], "max_meetings_by_kind"),
    ],
)
def test_salon_v1_stays_strict_on_the_new_field(value: object, where: str) -> None:
    data = salon_data([*DIRECTORS, person("C1")], [], max_meetings_by_kind=value)
    with pytest.raises(FileFormatError) as caught:
        load_salon(data)
    assert any(where in str(p) for p in caught.value.problems), caught.value.problems
