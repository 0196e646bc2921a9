"""Robustness on salons of shapes not seen in the examples, and the bugs they found.

Random salons (tests/scheduler/random_salons.py, drawn through hypothesis) must either solve to
a schedule the validator passes, objectives on the right side of their bounds and every
unscheduled wish explained, or raise InfeasibleError naming the clashing requirements; a
repair after random cancellations must give a valid schedule of the changed salon. Anything
else (another exception, a violation) is a bug.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from random_salons import random_salon
from salon_builders import (
    at,
    interval,
    make_salon,
    make_schedule,
    meeting,
    person,
    session,
    wish,
)

from scheduler import repair as repair_module
from scheduler.changes import apply_changes, load_changes
from scheduler.errors import InfeasibleError
from scheduler.format import Salon, Schedule
from scheduler.loading import load_salon
from scheduler.problem import SalonProblem, build_problem
from scheduler.progress import Clock, SolveOptions
from scheduler.repair import repair
from scheduler.sessions import greedy_sessions
from scheduler.solver import select_pairs, solve
from scheduler.timetable import drop_to_spread, solve_timetable
from scheduler.validator import validate

OPTIONS = SolveOptions(time_limit=0.5, workers=1)
SETTINGS = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _check_schedule(salon: Salon, schedule: Schedule) -> None:
    """Valid, objectives as measured and on the right side of their bounds, wishes explained."""
    report = validate(salon, schedule)
    assert report.violations == []
    assert [o.name for o in schedule.objectives] == list(salon.objectives)
    for objective in schedule.objectives:
        assert objective.value == report.objectives[objective.name]
        if objective.name in ("coverage", "fairness", "score"):  # maximised
            assert objective.value <= objective.bound
        else:
            assert objective.value >= objective.bound
        if schedule.status == "optimal":
            assert objective.value == objective.bound
    _check_explained(salon, schedule)


def _check_explained(salon: Salon, schedule: Schedule) -> None:
    """Each wish is met, or listed once as unscheduled with a reason and its sentences."""
    met = {frozenset((m.from_, m.to)) for m in schedule.meetings}
    listed = {(u.from_, u.to): u for u in schedule.unscheduled}
    assert len(listed) == len(schedule.unscheduled)
    for wish_ in salon.wishes:
        key = (wish_.from_, wish_.to)
        if frozenset(key) in met:
            assert key not in listed
        else:
            assert listed[key].reason and listed[key].detail and listed[key].detail_en


def _solve_or_clash(salon: Salon) -> Schedule | None:
    """The schedule, or None when the solver names the requirements that clash."""
    try:
        return solve(salon, OPTIONS)
    except InfeasibleError as error:
        assert error.clashes
        assert all(c.rule and c.message for c in error.clashes)
        return None


@SETTINGS
@given(st.randoms(use_true_random=False))
def test_random_salons_solve_to_valid_schedules_or_name_the_clash(rng: random.Random) -> None:
    salon = load_salon(random_salon(rng))
    schedule = _solve_or_clash(salon)
    if schedule is not None:
        _check_schedule(salon, schedule)


def _random_changes(rng: random.Random, salon: Salon, schedule: Schedule) -> dict[str, Any]:
    """Cancellations of participants (all day or from a slot) and of meetings not started."""
    ids = [p.id for p in salon.participants]
    changes: list[dict[str, Any]] = []
    for _ in range(rng.randint(1, 3)):
        kind = rng.choice(["participant_cancelled", "participant_cancelled", "meeting_cancelled"])
        if kind == "meeting_cancelled" and salon.wishes:
            chosen = rng.choice(salon.wishes)
            changes.append({"kind": kind, "from": chosen.from_, "to": chosen.to})
        else:
            change = {"kind": "participant_cancelled", "participant": rng.choice(ids)}
            if rng.random() < 0.5 and schedule.meetings:
                change["from"] = rng.choice(schedule.meetings).start.isoformat()
            changes.append(change)
    return {"format": "changes/v1", "changes": changes}


@SETTINGS
@given(st.randoms(use_true_random=False))
def test_a_repair_after_random_cancellations_is_valid(rng: random.Random) -> None:
    salon = load_salon(random_salon(rng))
    schedule = _solve_or_clash(salon)
    if schedule is None or not schedule.meetings:
        return
    now = rng.choice(schedule.meetings).start - dt.timedelta(minutes=rng.choice([0, 1]))
    changes = load_changes(_random_changes(rng, salon, schedule))
    changes.changes = [
        c for c in changes.changes if not _started(c.model_dump(by_alias=True), schedule, now)
    ]
    repaired = repair(salon, schedule, changes, now, OPTIONS)
    changed = apply_changes(salon, schedule, changes, now).salon
    broken = {v.rule for v in validate(changed, repaired).violations}
    assert broken <= {"required_meeting"}  # a required meeting that can no longer happen
    _check_explained(changed, repaired)


def _started(change: dict[str, Any], schedule: Schedule, now: dt.datetime) -> bool:
    """A meeting cancelled after it started (the repair refuses it: a no-show instead)."""
    if change["kind"] != "meeting_cancelled":
        return False
    pair = {change["from"], change["to"]}
    return any({m.from_, m.to} == pair and m.start < now for m in schedule.meetings)


# ------------------------------------------------------------------ bugs found


def _sessions_that_cannot_hold_them() -> Salon:
    """C1 may hold two meetings at once but be busy in only one of two consecutive slots
    (max_in_a_row 1), and its required meetings share table T1: the session assignment (a
    relaxation) puts both in the morning, where they cannot both take place."""
    return make_salon(
        [
            person("D1", "T1"),
            person("D2", "T1"),
            person("D3", "T2"),
            person("C1", representatives=2),
        ],
        [
            wish("C1", "D1", required=True, pinned=at("09:00")),
            wish("C1", "D2", required=True, priority=1),
            wish("D3", "D2", required=True),
        ],
        tables=["T1", "T2"],
        sessions=[session("09:00", "09:30"), session("10:00", "10:15")],
        max_in_a_row=1,
    )


def test_required_meetings_the_chosen_sessions_cannot_hold_are_placed_elsewhere() -> None:
    salon = _sessions_that_cannot_hold_them()
    problem = build_problem(salon)
    selection = select_pairs(problem, OPTIONS, Clock(1.0), budget=0.3)
    by_sessions = solve_timetable(problem, selection.session_of, OPTIONS, Clock(1.0), 0.5, 1.0)
    assert by_sessions.missing_required  # the decomposition alone fails...
    schedule = solve(salon, OPTIONS)  # ...but the salon has a schedule, and solve finds it
    _check_schedule(salon, schedule)
    assert len(schedule.meetings) == 3


def test_required_meetings_that_truly_clash_still_name_the_clash() -> None:
    salon = make_salon(
        [person("D1", "T1"), person("D2", "T1"), person("C1")],
        [wish("C1", "D1", required=True, pinned=at("09:00")), wish("C1", "D2", required=True)],
        tables=["T1"],
        sessions=[session("09:00", "09:30")],
        max_in_a_row=1,
    )
    with pytest.raises(InfeasibleError) as caught:
        solve(salon, OPTIONS)
    assert caught.value.clashes


def test_a_break_spread_ignores_participants_left_without_meetings() -> None:
    """Spread 0: A, B and C each need one break for their three required meetings; D-E would
    give two participants no break, so it stays out. The solver counted D and E as having no
    breaks even when left out, found nothing and returned a schedule without the required
    meetings."""
    salon = make_salon(
        [person("A"), person("B"), person("C"), person("D"), person("E")],
        [
            wish("A", "B", required=True),
            wish("A", "C", required=True),
            wish("B", "C", required=True),
            wish("D", "E"),
        ],
        tables=3,
        sessions=[session("09:00", "10:15")],
        max_break_spread=0,
    )
    schedule = solve(salon, OPTIONS)
    _check_schedule(salon, schedule)
    assert {frozenset((m.from_, m.to)) for m in schedule.meetings} == {
        frozenset(("A", "B")), frozenset(("A", "C")), frozenset(("B", "C"))
    }


def test_sessions_are_chosen_within_the_table_pool() -> None:
    """One pool table: the 09:00 session holds one meeting, however free the participants."""
    away = [interval("10:00", "10:30")]
    people = [person("C1", unavailable=away), person("C2"), person("C3", unavailable=away)]
    salon = make_salon(
        [*people, person("C4")],
        [wish("C1", "C2", required=True), wish("C3", "C4", required=True)],
        tables=1,
        sessions=[session("09:00", "09:15"), session("10:00", "10:45")],
    )
    assert sorted(greedy_sessions(build_problem(salon), [0, 1]).values()) == [0, 1]
    _check_schedule(salon, solve(salon, OPTIONS))


def _spread_broken_by_a_cancellation() -> tuple[Salon, Schedule, Schedule]:
    """Spread 0, one break each: U2 meets U1 at 09:00 and U0 at 10:00, U1 meets U0 at 09:30.
    U1-U0 is cancelled at 09:05: U1 is left with no break and U2 with one. Returns the salon
    as changed, the schedule and its repair."""
    salon = make_salon(
        [person("U0"), person("U1"), person("U2")],
        [wish("U2", "U1"), wish("U1", "U0"), wish("U0", "U2")],
        tables=3,
        sessions=[session("09:00", "10:15")],
        max_break_spread=0,
    )
    schedule = make_schedule(
        [
            meeting("U2", "U1", "09:00", "T1"),
            meeting("U1", "U0", "09:30", "T1"),
            meeting("U0", "U2", "10:00", "T1"),
        ]
    )
    assert validate(salon, schedule).valid
    now = dt.datetime.fromisoformat(at("09:05"))
    changes = load_changes({"changes": [{"kind": "meeting_cancelled", "from": "U1", "to": "U0"}]})
    repaired = repair(salon, schedule, changes, now, OPTIONS)
    return apply_changes(salon, schedule, changes, now).salon, schedule, repaired


def test_a_repair_restores_the_break_spread_a_cancellation_broke() -> None:
    """The repair moved nothing and returned a schedule breaking max_break_spread; it now
    moves U0-U2."""
    changed, _, repaired = _spread_broken_by_a_cancellation()
    assert validate(changed, repaired).violations == []
    assert len(repaired.meetings) == 2


def test_a_large_repair_restores_the_break_spread_by_dropping(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Beyond SPREAD_MODEL_PAIRS (a large salon) the spread is restored by dropping meetings
    still to come, never the past."""
    monkeypatch.setattr(repair_module, "SPREAD_MODEL_PAIRS", 0)
    changed, schedule, repaired = _spread_broken_by_a_cancellation()
    assert validate(changed, repaired).violations == []
    assert [m.start for m in repaired.meetings] == [schedule.meetings[0].start]


def test_a_short_time_limit_still_places_the_meetings_under_a_break_spread() -> None:
    """Under max_break_spread the sessions are solved together; with a short time limit each
    stage's share of the budget fell under the floor, CP-SAT was never called and every
    meeting was dropped (the required ones too)."""
    salon = make_salon(
        [person("D1", "T1"), person("C1", representatives=2), person("C2")],
        [wish("C1", "D1", required=True), wish("C2", "D1")],
        objectives=["coverage", "score", "breaks", "idle"],
        max_break_spread=1,
    )
    schedule = solve(salon, SolveOptions(time_limit=0.05, workers=1))
    _check_schedule(salon, schedule)
    assert len(schedule.meetings) == 2


def test_a_required_meeting_without_any_free_table_says_so() -> None:
    salon = make_salon([person("A"), person("B")], [wish("A", "B", required=True)], tables=0)
    with pytest.raises(InfeasibleError) as caught:
        solve(salon, OPTIONS)
    [clash] = caught.value.clashes
    assert "free table" in clash.message and "table libre" in clash.message_fr


def test_a_stopped_solve_under_a_break_spread_keeps_its_first_placement() -> None:
    """Asked to stop at once, the solve returned a schedule without any meeting (the required
    one missing); the first placement keeps the spread, so it is the answer."""
    salon = make_salon(
        [person("D1", "T1"), person("C1"), person("C2")],
        [wish("C1", "D1", required=True), wish("C2", "D1")],
        max_break_spread=0,
    )
    stop = threading.Event()
    stop.set()
    schedule = solve(salon, SolveOptions(time_limit=1, workers=1, stop=stop))
    _check_schedule(salon, schedule)
    assert len(schedule.meetings) == 2


def _gap_for_u() -> tuple[SalonProblem, dict[int, int]]:
    """U meets A at 09:00, B at 09:15 and C at 09:45: one break for U, none for the others."""
    salon = make_salon(
        [person("U"), person("A"), person("B"), person("C")],
        [wish("U", "A"), wish("U", "B"), wish("U", "C", required=True)],
        tables=3,
        sessions=[session("09:00", "10:15")],
        max_break_spread=0,
    )
    return build_problem(salon), {0: 0, 1: 1, 2: 3}


def test_the_break_spread_is_restored_by_dropping_the_shortest_edge_run() -> None:
    """Under a large salon's time limit CP-SAT may find nothing: the first placement is
    thinned until the spread holds (it returned a handful of meetings, or no schedule)."""
    problem, placement = _gap_for_u()
    problem.pairs[2].required = False
    assert drop_to_spread(problem, placement, 0) == {0: 0, 1: 1}
    assert drop_to_spread(problem, placement, 1) == placement


def test_the_break_spread_is_restored_around_required_meetings() -> None:
    problem, placement = _gap_for_u()
    assert drop_to_spread(problem, placement, 0) == {2: 3}


@pytest.mark.parametrize("seed", [2**40, -(2**40), 2**31])
def test_any_int_is_a_seed(seed: int) -> None:
    """CP-SAT takes a 32-bit seed: a larger one (`salon solve --seed 99999999999`) raised a
    TypeError from deep inside the solver."""
    salon = make_salon([person("D1", "T1"), person("C1")], [wish("C1", "D1")])
    schedule = solve(salon, SolveOptions(time_limit=0.5, workers=1, seed=seed))
    _check_schedule(salon, schedule)
    assert schedule.stats["seed"] == seed


def test_a_required_meeting_without_a_common_free_slot_is_named_in_french_too() -> None:
    """The clash came in English only ('has no common free slot'), unlike every other one."""
    away = [interval("09:00", "10:00")]
    salon = make_salon(
        [person("D1", "T1"), person("C1", unavailable=away)], [wish("C1", "D1", required=True)]
    )
    with pytest.raises(InfeasibleError) as caught:
        solve(salon, OPTIONS)
    [clash] = caught.value.clashes
    assert clash.rule == "required_meeting"
    assert "C1-D1" in clash.message and "C1-D1" in clash.message_fr
    assert "C1 is free in no slot" in clash.message
