"""On-the-day repair: hand-built cases, then properties on random tiny salons.

Slots of the default salon: 09:00, 09:15, 09:30, 09:45. Every repaired schedule is checked by
the validator against the salon as the changes leave it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from salon_builders import at, interval, make_salon, make_schedule, meeting, person, session, wish
from test_solver_properties import salons

from scheduler.changes import AppliedChanges, ChangeSet, apply_changes, load_changes
from scheduler.errors import FileFormatError
from scheduler.format import Change, Salon, Schedule, ScheduledMeeting
from scheduler.loading import load_salon, load_schedule
from scheduler.progress import SolveOptions
from scheduler.repair import repair
from scheduler.solver import solve
from scheduler.validator import validate

OPTIONS = SolveOptions(time_limit=2, workers=1)


def _changes(*changes: dict[str, Any]) -> ChangeSet:
    return load_changes({"format": "changes/v1", "changes": list(changes)})


def _now(hhmm: str) -> dt.datetime:
    return dt.datetime.fromisoformat(at(hhmm))


def _repair(
    salon: Salon, schedule: Schedule, changes: ChangeSet, now: str, broken: tuple[str, ...] = ()
) -> Schedule:
    """Repair, then check the result against every rule of the changed salon (but `broken`)."""
    repaired = repair(salon, schedule, changes, _now(now), OPTIONS)
    changed = apply_changes(salon, schedule, changes, _now(now)).salon
    assert [v.rule for v in validate(changed, repaired).violations] == list(broken)
    _check_change_list(schedule, repaired)
    return repaired


def _key(m: ScheduledMeeting) -> tuple[frozenset[str], dt.datetime, str]:
    return (frozenset((m.from_, m.to)), m.start, m.table)


def _check_change_list(before: Schedule, after: Schedule) -> None:
    """The change list says exactly how the meetings differ."""
    assert after.changes is not None
    old = {_key(m) for m in before.meetings}
    new = {_key(m) for m in after.meetings}
    removed: set[Any] = set()
    added: set[Any] = set()
    for change in after.changes:
        pair = frozenset((change.from_, change.to))
        if change.kind in ("moved", "dropped"):
            assert change.before is not None
            removed.add((pair, change.before.start, change.before.table))
        if change.kind in ("moved", "added"):
            assert change.after is not None
            added.add((pair, change.after.start, change.after.table))
    assert old - new == removed
    assert new - old == added


def _summary(schedule: Schedule) -> list[tuple[str, str, str, str | None, str | None, str]]:
    assert schedule.changes is not None
    return [
        (
            c.kind,
            c.from_,
            c.to,
            None if c.before is None else f"{c.before.start:%H:%M} {c.before.table}",
            None if c.after is None else f"{c.after.start:%H:%M} {c.after.table}",
            c.reason,
        )
        for c in schedule.changes
    ]


# ----------------------------------------------------------------- hand-built


def _busy_director() -> Salon:
    """D1 and D2 receive in two slots (09:00, 09:15); D3 is free; some wishes wait."""
    return make_salon(
        [
            person("D1", "T1"),
            person("D2", "T2"),
            person("D3", "T3"),
            *[person(f"C{i}") for i in range(1, 6)],
        ],
        [
            wish("C1", "D1", priority=2),
            wish("C2", "D1", priority=2),
            wish("C3", "D1", priority=3),
            wish("C4", "D1", priority=1),
            wish("C4", "D2", priority=1),
            wish("C3", "D2", priority=2),
            wish("C5", "D1", priority=3),
            wish("C5", "D3", priority=3),
        ],
        sessions=[session("09:00", "09:30")],
    )


def _busy_schedule() -> Schedule:
    return make_schedule(
        [
            meeting("C1", "D1", "09:00", "T1"),
            meeting("C4", "D2", "09:00", "T2"),
            meeting("C2", "D1", "09:15", "T1"),
            meeting("C3", "D2", "09:15", "T2"),
        ]
    )


def test_a_cancellation_frees_a_slot_that_the_waiting_list_fills() -> None:
    salon, schedule = _busy_director(), _busy_schedule()
    repaired = _repair(
        salon, schedule, _changes({"kind": "participant_cancelled", "participant": "C1"}), "08:30"
    )
    # C3 (weight 1) and C5 (weight 1) are free at 09:00, C4 is not; C5 has no meeting at all:
    # coverage comes first.
    assert _summary(repaired) == [
        ("added", "C5", "D1", None, "09:00 T1", "waiting_list"),
        ("dropped", "C1", "D1", "09:00 T1", None, "participant_cancelled"),
    ]
    reasons = {(u.from_, u.to): u.reason for u in repaired.unscheduled}
    assert reasons[("C1", "D1")] == "no_common_slot"


def test_the_waiting_list_goes_by_weight_when_coverage_is_equal() -> None:
    salon = _busy_director()
    schedule = make_schedule(
        [
            meeting("C1", "D1", "09:00", "T1"),
            meeting("C3", "D2", "09:00", "T2"),
            meeting("C2", "D1", "09:15", "T1"),
            meeting("C4", "D2", "09:15", "T2"),
            meeting("C5", "D3", "09:15", "T3"),
        ]
    )
    repaired = _repair(
        salon, schedule, _changes({"kind": "participant_cancelled", "participant": "C1"}), "08:30"
    )
    # At 09:00 C4 (priority 1, weight 3) and C5 (weight 1) are free: C4 gets the slot.
    assert _summary(repaired) == [
        ("added", "C4", "D1", None, "09:00 T1", "waiting_list"),
        ("dropped", "C1", "D1", "09:00 T1", None, "participant_cancelled"),
    ]


def test_nothing_before_now_moves() -> None:
    salon = make_salon(
        [person("D1", "T1"), person("D2", "T2"), person("C1"), person("C2")],
        [wish("C1", "D1"), wish("C1", "D2"), wish("C2", "D1"), wish("C2", "D2")],
    )
    schedule = make_schedule(
        [
            meeting("C1", "D1", "09:00", "T1"),
            meeting("C2", "D2", "09:00", "T2"),
            meeting("C2", "D1", "09:15", "T1"),
            meeting("C1", "D2", "09:45", "T2"),
        ]
    )
    # now 09:20: the 09:15 meeting is under way; C2 leaves for the rest of the day.
    repaired = _repair(
        salon, schedule, _changes({"kind": "participant_cancelled", "participant": "C2"}), "09:20"
    )
    kept = {_key(m) for m in repaired.meetings}
    for m in schedule.meetings:
        if m.start < _now("09:20"):
            assert _key(m) in kept
    assert _summary(repaired) == []  # C2 had nothing after 09:20
    assert repaired.stats["repair"]["frozen"] == 3


def test_a_repair_with_no_changes_changes_nothing() -> None:
    salon = make_salon(
        [person("D1", "T1"), person("D2", "T2"), person("C1"), person("C2"), person("C3")],
        [
            wish("C1", "D1", priority=1),
            wish("C2", "D1", priority=2),
            wish("C3", "D1", priority=3),
            wish("C1", "D2"),
            wish("C3", "D2"),
        ],
        sessions=[session("09:00", "09:30")],
    )
    schedule = solve(salon, OPTIONS)
    repaired = _repair(salon, schedule, ChangeSet(), "09:10")
    assert repaired.changes == []
    assert repaired.meetings == schedule.meetings
    assert [(u.from_, u.to) for u in repaired.unscheduled] == [
        (u.from_, u.to) for u in schedule.unscheduled
    ]


def test_an_unavailable_director_moves_its_meeting() -> None:
    salon = make_salon(
        [person("D1", "T1"), person("C1"), person("C2")],
        [wish("C1", "D1"), wish("C2", "D1")],
    )
    schedule = make_schedule(
        [meeting("C1", "D1", "09:15", "T1"), meeting("C2", "D1", "09:30", "T1")]
    )
    repaired = _repair(
        salon,
        schedule,
        _changes(
            {
                "kind": "participant_unavailable",
                "participant": "D1",
                "start": at("09:15"),
                "end": at("09:30"),
            }
        ),
        "09:05",
    )
    # 09:45 leaves D1 a gap at 09:15-09:30 either way; 09:00 has started.
    assert _summary(repaired) == [
        ("moved", "C1", "D1", "09:15 T1", "09:45 T1", "participant_unavailable")
    ]


def test_moving_others_beats_dropping_a_meeting() -> None:
    salon = make_salon(
        [
            person("D1", "T1"),
            person("D2", "T2"),
            person("C1"),
            person("C2"),
            person("C3", unavailable=[interval("09:30", "10:00")]),
        ],
        [wish("C1", "D1"), wish("C1", "D2"), wish("C2", "D1"), wish("C3", "D1")],
    )
    schedule = make_schedule(
        [
            meeting("C2", "D1", "09:00", "T1"),
            meeting("C3", "D1", "09:15", "T1"),
            meeting("C1", "D2", "09:30", "T2"),
            meeting("C1", "D1", "09:45", "T1"),
        ]
    )
    # D1 leaves at 09:45: C1-D1 goes to 09:30, where C1 meets D2, which moves to 09:45 (two
    # moves instead of a drop; moving C2-D1 to 09:30 and C1-D1 to 09:00 would leave C1 idle).
    repaired = _repair(
        salon,
        schedule,
        _changes(
            {
                "kind": "participant_unavailable",
                "participant": "D1",
                "start": at("09:45"),
                "end": at("10:00"),
            }
        ),
        "08:00",
    )
    assert _summary(repaired) == [
        ("moved", "C1", "D2", "09:30 T2", "09:45 T2", "rearranged"),
        ("moved", "C1", "D1", "09:45 T1", "09:30 T1", "participant_unavailable"),
    ]


def test_a_cancelled_meeting_is_dropped_and_not_offered_again() -> None:
    salon, schedule = _busy_director(), _busy_schedule()
    repaired = _repair(
        salon, schedule, _changes({"kind": "meeting_cancelled", "from": "D1", "to": "C2"}), "09:05"
    )
    assert _summary(repaired) == [
        ("added", "C5", "D1", None, "09:15 T1", "waiting_list"),
        ("dropped", "C2", "D1", "09:15 T1", None, "meeting_cancelled"),
    ]
    entry = next(u for u in repaired.unscheduled if u.from_ == "C2")
    assert entry.reason == "declined_never_scheduled"
    assert "annulé le jour même" in entry.detail


def test_a_no_show_is_kept_with_its_mark() -> None:
    salon, schedule = _busy_director(), _busy_schedule()
    repaired = _repair(
        salon,
        schedule,
        _changes({"kind": "no_show", "participant": "C1", "at": at("09:00")}),
        "09:10",
    )
    assert _summary(repaired) == [("kept", "C1", "D1", "09:00 T1", "09:00 T1", "no_show")]
    assert repaired.meetings == schedule.meetings
    assert repaired.stats["no_shows"] == [
        {"participant": "C1", "from": "C1", "to": "D1", "start": "2024-03-14T09:00", "table": "T1"}
    ]


def test_a_walk_in_gets_its_new_wishes() -> None:
    salon, schedule = _busy_director(), _busy_schedule()
    repaired = _repair(
        salon,
        schedule,
        _changes(
            {"kind": "participant_added", "participant": {"id": "W1", "name": "Walk-in"}},
            {"kind": "wish_added", "wish": {"from": "W1", "to": "D3", "priority": 1}},
        ),
        "09:05",
    )
    assert _summary(repaired) == [("added", "W1", "D3", None, "09:15 T3", "wish_added")]


def test_a_closed_pool_table_moves_its_meeting_to_another_table() -> None:
    salon = make_salon(
        [person("C1"), person("C2"), person("C3"), person("C4")],
        [wish("C1", "C2"), wish("C3", "C4")],
        tables=["P1", "P2"],
    )
    schedule = make_schedule(
        [meeting("C1", "C2", "09:30", "P1"), meeting("C3", "C4", "09:30", "P2")]
    )
    repaired = _repair(
        salon,
        schedule,
        _changes({"kind": "table_closed", "table": "P2", "from": at("09:30")}),
        "09:05",
    )
    [change] = repaired.changes or []
    assert (change.kind, change.from_, change.reason) == ("moved", "C3", "table_closed")
    assert change.after is not None and change.after.table == "P1"
    assert change.after.start != change.before.start if change.before else False


def test_a_closed_home_table_moves_its_directors_meetings_earlier() -> None:
    salon = make_salon(
        [person("D1", "T1"), person("C1"), person("C2")],
        [wish("C1", "D1"), wish("C2", "D1")],
    )
    schedule = make_schedule(
        [meeting("C1", "D1", "09:15", "T1"), meeting("C2", "D1", "09:45", "T1")]
    )
    repaired = _repair(
        salon,
        schedule,
        _changes({"kind": "table_closed", "table": "T1", "from": at("09:45")}),
        "09:05",
    )
    assert _summary(repaired) == [
        ("moved", "C2", "D1", "09:45 T1", "09:30 T1", "table_closed"),
    ]


def test_a_required_meeting_that_can_no_longer_happen_is_dropped() -> None:
    salon = make_salon([person("D1", "T1"), person("C1")], [wish("C1", "D1", required=True)])
    schedule = make_schedule([meeting("C1", "D1", "09:30", "T1")])
    repaired = _repair(
        salon,
        schedule,
        _changes(
            {
                "kind": "participant_unavailable",
                "participant": "D1",
                "start": at("09:15"),
                "end": at("10:00"),
            }
        ),
        "09:05",
        broken=("required_meeting",),  # true: the salon still requires it
    )
    assert _summary(repaired) == [
        ("dropped", "C1", "D1", "09:30 T1", None, "participant_unavailable")
    ]


def test_the_repaired_schedule_is_a_schedule_v1_file() -> None:
    salon, schedule = _busy_director(), _busy_schedule()
    repaired = repair(
        salon,
        schedule,
        _changes({"kind": "participant_cancelled", "participant": "C1"}),
        _now("08:30"),
        OPTIONS,
    )
    data = repaired.to_json_dict()
    assert data["changes"][0] == {
        "kind": "added",
        "from": "C5",
        "to": "D1",
        "after": {"start": "2024-03-14T09:00:00", "table": "T1"},
        "reason": "waiting_list",
    }
    assert load_schedule(data) == repaired
    assert [o.name for o in repaired.objectives] == list(salon.objectives)
    values = validate(apply_changes(salon, schedule, _changes(), _now("08:30")).salon, repaired)
    assert {o.name: o.value for o in repaired.objectives} == {
        name: values.objectives[name] for name in salon.objectives
    }
    assert all(o.value <= o.bound for o in repaired.objectives if o.name != "idle")


def test_bad_changes_are_refused_with_their_path() -> None:
    with pytest.raises(FileFormatError) as caught:
        repair(
            _busy_director(),
            _busy_schedule(),
            _changes({"kind": "participant_cancelled", "participant": "X1"}),
            _now("09:05"),
            OPTIONS,
        )
    assert [(p.path, p.rule) for p in caught.value.problems] == [
        ("$.changes[0].participant", "known_participant")
    ]


# ------------------------------------------------------------------ properties

PROPERTY_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@st.composite
def _day_changes(
    draw: st.DrawFn, salon: Salon, schedule: Schedule
) -> tuple[ChangeSet, dt.datetime]:
    """A "now" somewhere in the salon and a few changes after it."""
    first = min(s.starts_at for s in salon.sessions)
    starts = sorted({m.start for m in schedule.meetings} | {first})
    end = max(s.ends_at for s in salon.sessions)
    # Early "now"s are likelier: more of the day is left to repair.
    now = draw(st.sampled_from(starts[: max(1, len(starts) // 2)] + [first]))
    now += dt.timedelta(minutes=draw(st.sampled_from([0, 5])))
    ids = [p.id for p in salon.participants]
    busy = sorted({u for m in schedule.meetings if m.start >= now for u in (m.from_, m.to)})
    changes: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["cancel", "away", "away", "meeting", "wish", "pool"]))
        among_busy = bool(busy) and draw(st.booleans())
        who = draw(st.sampled_from(busy if among_busy else ids))
        if kind == "cancel":
            change: dict[str, Any] = {"kind": "participant_cancelled", "participant": who}
            if draw(st.booleans()):
                change["from"] = (now + dt.timedelta(minutes=draw(st.integers(0, 60)))).isoformat()
        elif kind == "away":
            start = now + dt.timedelta(minutes=draw(st.integers(-10, 60)))
            stop = min(end, start + dt.timedelta(minutes=draw(st.integers(10, 40))))
            if stop <= start:
                continue
            change = {
                "kind": "participant_unavailable",
                "participant": who,
                "start": start.isoformat(),
                "end": stop.isoformat(),
            }
        elif kind == "meeting":
            future = [m for m in schedule.meetings if m.start >= now]
            if not future:
                continue
            chosen = draw(st.sampled_from(future))
            change = {"kind": "meeting_cancelled", "from": chosen.from_, "to": chosen.to}
        elif kind == "wish":
            other = draw(st.sampled_from(ids))
            asked = {(w.from_, w.to) for w in salon.wishes}
            asked.update((c["wish"]["from"], c["wish"]["to"]) for c in changes if "wish" in c)
            if other == who or (who, other) in asked:
                continue
            change = {
                "kind": "wish_added",
                "wish": {"from": who, "to": other, "priority": draw(st.integers(1, 3))},
            }
        else:
            tables = [t.id for t in salon.table_specs()]
            if not tables:
                continue
            change = {"kind": "table_closed", "table": draw(st.sampled_from(tables))}
        if change not in changes:
            changes.append(change)
    return _changes(*changes), now


def _could_keep(
    applied: AppliedChanges, repaired: Schedule, change: Change, now: dt.datetime
) -> bool:
    """Whether the dropped meeting fits back anywhere after `now` without breaking a rule (at
    a table still open)."""
    salon = applied.salon
    assert change.before is not None
    length = repaired.meetings[0].end - repaired.meetings[0].start if repaired.meetings else None
    minutes = dt.timedelta(minutes=salon.meeting_minutes) if length is None else length
    starts = {
        s.starts_at + k * dt.timedelta(minutes=salon.meeting_minutes + salon.changeover_minutes)
        for s in salon.sessions
        for k in range(60)
    }
    tables = [t.id for t in salon.table_specs()]
    for start in sorted(t for t in starts if t >= now):
        for table in tables:
            closed = applied.closed_tables.get(table)
            if closed is not None and closed < start + minutes:
                continue
            trial = repaired.model_copy(
                update={
                    "meetings": [
                        *repaired.meetings,
                        ScheduledMeeting.model_validate(
                            {
                                "from": change.from_,
                                "to": change.to,
                                "start": start,
                                "end": start + minutes,
                                "table": table,
                            }
                        ),
                    ]
                }
            )
            if not validate(salon, trial).violations:
                return True
    return False


@PROPERTY_SETTINGS
@given(st.data())
def test_a_repair_never_moves_the_past_nor_drops_what_it_could_keep(data: st.DataObject) -> None:
    salon = load_salon(data.draw(salons()))
    schedule = solve(salon, SolveOptions(time_limit=1, workers=1))
    changes, now = data.draw(_day_changes(salon, schedule))
    repaired = repair(salon, schedule, changes, now, SolveOptions(time_limit=1, workers=1))
    applied = apply_changes(salon, schedule, changes, now)
    assert validate(applied.salon, repaired).violations == []
    _check_change_list(schedule, repaired)
    kept = {_key(m) for m in repaired.meetings}
    assert all(_key(m) in kept for m in schedule.meetings if m.start < now)
    for change in repaired.changes or []:
        if change.kind in ("moved", "dropped"):
            assert change.before is not None and change.before.start >= now
        if change.kind == "dropped":
            assert not _could_keep(applied, repaired, change, now), change


@PROPERTY_SETTINGS
@given(st.data())
def test_a_repair_without_changes_is_the_schedule(data: st.DataObject) -> None:
    salon = load_salon(data.draw(salons()))
    schedule = solve(salon, SolveOptions(time_limit=1, workers=1))
    now = data.draw(st.sampled_from([s.starts_at for s in salon.sessions]))
    repaired = repair(salon, schedule, ChangeSet(), now, SolveOptions(time_limit=1, workers=1))
    assert repaired.changes == []
    assert repaired.meetings == schedule.meetings
