"""Property tests: random tiny salons, solved, always pass the validator and respect the bounds.

Salons of 2 to 8 participants, 1 or 2 sessions of 2 to 5 slots, random home tables (some
shared), pool tables, representatives, caps, unavailability, `during`, pins, declined wishes,
max_in_a_row and objective orders; no required wish, so a schedule always exists.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler.bounds import relaxation_bounds
from scheduler.format import Salon, Schedule
from scheduler.loading import load_salon
from scheduler.problem import build_problem
from scheduler.progress import SolveOptions
from scheduler.solver import solve
from scheduler.validator import validate

MEETING = 15
OBJECTIVE_ORDERS = [
    ["coverage", "score", "idle"],
    ["score", "coverage", "idle"],
    ["coverage", "score", "breaks"],
    ["coverage", "score", "idle", "breaks"],
    ["score", "breaks", "idle"],
    ["coverage"],
    ["idle"],
]
SETTINGS = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _clock(day: dt.date, minutes: int) -> str:
    return (dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minutes)).isoformat()


Span = tuple[dt.date, int, int]
"""A session as (day, first minute, end minute)."""


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@st.composite
def _spans(draw: st.DrawFn, changeover: int) -> list[Span]:
    """1-2 sessions of 2-5 slots, the second the same day or the next."""
    day = dt.date(2024, 3, 14)
    spans = []
    start = 9 * 60
    for index in range(draw(st.integers(1, 2))):
        slots = draw(st.integers(2, 5))
        end = start + slots * MEETING + (slots - 1) * changeover
        when = day if index == 0 or draw(st.booleans()) else day + dt.timedelta(days=1)
        spans.append((when, start, end))
        start = end + draw(st.sampled_from([0, 30, 120]))
    return spans


@st.composite
def _interval(draw: st.DrawFn, spans: list[Span]) -> dict[str, str]:
    day, start, end = draw(st.sampled_from(spans))
    first = draw(st.integers(start - 10, end))
    length = draw(st.integers(5, 50))
    return {"start": _clock(day, first), "end": _clock(day, first + length)}


@st.composite
def salons(draw: st.DrawFn, spread: bool = False) -> dict[str, Any]:
    changeover = draw(st.sampled_from([0, 5]))
    spans = draw(_spans(changeover))
    sessions = [{"date": d.isoformat(), "start": _hhmm(s), "end": _hhmm(e)} for d, s, e in spans]
    size = draw(st.integers(2, 8))
    directors = draw(st.integers(0, min(3, size)))
    home_tables = [f"T{i}" for i in range(1, directors + 1)]
    pool = [f"P{i}" for i in range(1, draw(st.sampled_from([1, 2, 2, 0])) + 1)]
    participants = []
    for index in range(size):
        pid = f"U{index}"
        data: dict[str, Any] = {"id": pid, "name": f"Participant {index}"}
        if index < directors:
            data["role"] = "director"
            # Usually one's own table, sometimes the previous director's (a shared table).
            data["table"] = draw(st.sampled_from(home_tables[max(0, index - 1) : index + 1]))
        else:
            data["role"] = "industrial"
            data["representatives"] = draw(st.sampled_from([1, 1, 2]))
        if draw(st.integers(0, 3)) == 0:
            data["max_meetings"] = draw(st.integers(0, 3))
        if draw(st.integers(0, 3)) == 0:
            data["unavailable"] = [draw(_interval(spans))]
        participants.append(data)
    ids = [p["id"] for p in participants]
    everyone = [(a, b) for a in ids for b in ids if a != b]
    ordered = draw(st.lists(st.sampled_from(everyone), unique=True, min_size=1, max_size=14))
    starts = [
        _clock(day, minute)
        for day, start, end in spans
        for minute in range(start, end - MEETING + 1, MEETING + changeover)
    ]
    pinned_pairs: set[frozenset[str]] = set()
    wishes = []
    for asker, asked in ordered:
        wish: dict[str, Any] = {"from": asker, "to": asked, "priority": draw(st.integers(1, 3))}
        wish["declined"] = draw(st.integers(0, 7)) == 0
        if draw(st.integers(0, 5)) == 0:
            wish["during"] = draw(st.lists(_interval(spans), min_size=1, max_size=2))
        pair = frozenset((asker, asked))
        if pair not in pinned_pairs and draw(st.integers(0, 6)) == 0:
            wish["pinned"] = draw(st.sampled_from(starts))
            pinned_pairs.add(pair)
        wishes.append(wish)
    data = {
        "name": "Salon aléatoire",
        "meeting_minutes": MEETING,
        "changeover_minutes": changeover,
        "sessions": sessions,
        "tables": home_tables + pool,
        "objectives": draw(st.sampled_from(OBJECTIVE_ORDERS)),
        "participants": participants,
        "wishes": wishes,
    }
    if draw(st.booleans()):
        data["max_in_a_row"] = draw(st.integers(1, 3))
    if spread:
        data["max_break_spread"] = draw(st.integers(0, 2))
    return data


def _solve(data: dict[str, Any]) -> tuple[Salon, Schedule]:
    salon = load_salon(data)
    return salon, solve(salon, SolveOptions(time_limit=2, workers=1))


def _check(salon: Salon, schedule: Schedule) -> None:
    report = validate(salon, schedule)
    assert report.violations == [], report.violations
    values = {o.name: o.value for o in schedule.objectives}
    assert [o.name for o in schedule.objectives] == list(salon.objectives)
    assert values == {name: report.objectives[name] for name in values}
    bounds = relaxation_bounds(build_problem(salon), time_limit=2, workers=1)
    assert bounds.feasible
    for objective in schedule.objectives:
        if objective.name in ("coverage", "score"):
            assert objective.value <= objective.bound
            assert objective.value <= getattr(bounds, objective.name)
        if schedule.status == "optimal":
            assert objective.value == objective.bound
    assert len(schedule.meetings) <= bounds.meetings
    _check_unscheduled(salon, schedule)


def _check_unscheduled(salon: Salon, schedule: Schedule) -> None:
    """Each wish is met or listed once as unscheduled, with a reason."""
    met = {frozenset((m.from_, m.to)) for m in schedule.meetings}
    listed = [(u.from_, u.to) for u in schedule.unscheduled]
    reasons = {(u.from_, u.to): u.reason for u in schedule.unscheduled}
    assert len(listed) == len(reasons)
    for wish in salon.wishes:
        if frozenset((wish.from_, wish.to)) in met:
            assert (wish.from_, wish.to) not in listed
        else:
            assert (wish.from_, wish.to) in listed
    for wish in salon.wishes:
        reverse = [w for w in salon.wishes if (w.from_, w.to) == (wish.to, wish.from_)]
        if wish.declined and all(w.declined for w in reverse):
            assert frozenset((wish.from_, wish.to)) not in met
            assert reasons[wish.from_, wish.to] == "declined_never_scheduled"


@SETTINGS
@given(salons())
def test_random_salons_solve_to_valid_schedules_within_their_bounds(data: dict[str, Any]) -> None:
    salon, schedule = _solve(data)
    _check(salon, schedule)


@SETTINGS
@given(salons(spread=True))
def test_random_salons_with_a_break_spread_solve_to_valid_schedules(data: dict[str, Any]) -> None:
    salon, schedule = _solve(data)
    _check(salon, schedule)


@st.composite
def planted_salons(draw: st.DrawFn) -> dict[str, Any]:
    """Salons whose wishes are all required, feasible by construction: the wishes are the
    meetings of a planted schedule (disjoint pairs, at most one per pool table, in each slot)."""
    spans = draw(_spans(0))
    size = draw(st.integers(4, 8))
    tables = draw(st.integers(1, 3))
    ids = [f"U{i}" for i in range(size)]
    slots = sum((end - start) // MEETING for _, start, end in spans)
    met: set[frozenset[str]] = set()
    wishes = []
    for _ in range(slots):
        order = draw(st.permutations(ids))
        for index in range(draw(st.integers(0, min(tables, size // 2)))):
            asker, asked = order[2 * index], order[2 * index + 1]
            if frozenset((asker, asked)) not in met:
                met.add(frozenset((asker, asked)))
                wishes.append({"from": asker, "to": asked, "required": True,
                               "priority": draw(st.integers(1, 3))})
    return {
        "name": "Salon planté",
        "meeting_minutes": MEETING,
        "sessions": [{"date": d.isoformat(), "start": _hhmm(s), "end": _hhmm(e)}
                     for d, s, e in spans],
        "tables": [f"P{i}" for i in range(1, tables + 1)],
        "participants": [{"id": pid, "name": pid} for pid in ids],
        "wishes": wishes,
    }


@SETTINGS
@given(planted_salons())
def test_feasible_salons_of_required_meetings_are_solved(data: dict[str, Any]) -> None:
    salon, schedule = _solve(data)
    _check(salon, schedule)
    assert len(schedule.meetings) == len(salon.wishes)
