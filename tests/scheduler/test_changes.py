"""changes/v1: reading (errors by JSON path) and applying changes to a salon.

Slots of the default salon: 09:00, 09:15, 09:30, 09:45 (one session until 10:00).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from salon_builders import at, make_salon, make_schedule, meeting, person, wish

from scheduler.changes import AppliedChanges, ChangeSet, apply_changes, horizon_of, load_changes
from scheduler.errors import FileFormatError
from scheduler.format import Interval, Salon, Schedule


def _salon() -> Salon:
    return make_salon(
        [person("D1", "T1"), person("D2", "T2"), person("C1"), person("C2")],
        [wish("C1", "D1", required=True), wish("C2", "D1"), wish("C1", "D2"), wish("C2", "C1")],
        tables=["T1", "T2", "P1", "P2"],
    )


def _schedule() -> Schedule:
    return make_schedule(
        [
            meeting("C1", "D1", "09:00", "T1"),
            meeting("C2", "D1", "09:15", "T1"),
            meeting("C1", "D2", "09:30", "T2"),
            meeting("C2", "C1", "09:45", "P1"),
        ]
    )


def _apply(changes: list[dict[str, Any]], now: str = "09:10") -> AppliedChanges:
    change_set = load_changes({"format": "changes/v1", "changes": changes})
    return apply_changes(_salon(), _schedule(), change_set, dt.datetime.fromisoformat(at(now)))


def _problems(changes: list[dict[str, Any]], now: str = "09:10") -> list[tuple[str, str]]:
    with pytest.raises(FileFormatError) as caught:
        _apply(changes, now)
    assert caught.value.what == "changes"
    return [(p.path, p.rule) for p in caught.value.problems]


def _load_problems(document: Any) -> list[tuple[str, str]]:
    with pytest.raises(FileFormatError) as caught:
        load_changes(document)
    return [(p.path, p.rule) for p in caught.value.problems]


# ------------------------------------------------------------------ loading


def test_every_kind_of_change_loads() -> None:
    changes: list[dict[str, Any]] = [
        {"kind": "participant_cancelled", "participant": "C1", "from": at("09:30")},
        {"kind": "participant_cancelled", "participant": "C2"},
        {
            "kind": "participant_unavailable",
            "participant": "D1",
            "start": at("09:30"),
            "end": at("10:00"),
        },
        {"kind": "meeting_cancelled", "from": "C1", "to": "D2"},
        {"kind": "no_show", "participant": "C1", "at": at("09:00")},
        {"kind": "participant_added", "participant": {"id": "C3", "name": "Walk-in"}},
        {"kind": "wish_added", "wish": {"from": "C3", "to": "D2", "priority": 1}},
        {"kind": "table_closed", "table": "P2", "from": at("09:30")},
    ]
    change_set = load_changes(json.dumps({"format": "changes/v1", "changes": changes}))
    assert [c.kind for c in change_set.changes] == [c["kind"] for c in changes]
    assert load_changes(change_set.to_json_dict()) == change_set


def test_a_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "changes.json"
    path.write_text('{"format": "changes/v1", "changes": []}', "utf-8")
    assert load_changes(path) == ChangeSet()


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"changes": [{"kind": "no_show", "participant": "C1"}]}, [("$.changes[0].at", "schema")]),
        ({"changes": [{"kind": "moved"}]}, [("$.changes[0].kind", "schema")]),
        ({"changes": [{"participant": "C1"}]}, [("$.changes[0].kind", "schema")]),
        (
            {
                "changes": [
                    {"kind": "wish_added", "wish": {"from": "C1", "to": "D1", "priority": 9}}
                ]
            },
            [("$.changes[0].wish.priority", "schema")],
        ),
        (
            {"changes": [{"kind": "participant_added", "participant": {"id": "C9"}}]},
            [("$.changes[0].participant.name", "schema")],
        ),
        (
            {
                "changes": [
                    {
                        "kind": "participant_cancelled",
                        "participant": "C1",
                        "from": "2024-03-14T09:30:00+01:00",
                    }
                ]
            },
            [("$.changes[0].from", "schema")],
        ),
        (
            {"changes": [{"kind": "no_show", "participant": "C1", "at": 1700000000}]},
            [("$.changes[0].at", "schema")],
        ),
        ({"format": "changes/v2", "changes": []}, [("$.format", "format")]),
        ({"changes": [], "extra": 1}, [("$.extra", "schema")]),
        ("[1, 2]", [("$", "json")]),
        ("{not json", [("$", "json")]),
    ],
)
def test_loading_errors_name_the_json_path(document: Any, expected: list[tuple[str, str]]) -> None:
    assert _load_problems(document) == expected


def test_a_missing_file_is_a_file_problem(tmp_path: Path) -> None:
    assert _load_problems(tmp_path / "nope.json") == [("$", "file")]


# ------------------------------------------------------------ checking


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            [{"kind": "participant_cancelled", "participant": "X9"}],
            [("$.changes[0].participant", "known_participant")],
        ),
        (
            [{"kind": "meeting_cancelled", "from": "C1", "to": "X9"}],
            [("$.changes[0].to", "known_participant")],
        ),
        (
            [
                {
                    "kind": "participant_unavailable",
                    "participant": "D1",
                    "start": at("09:45"),
                    "end": at("09:30"),
                }
            ],
            [("$.changes[0]", "interval_order")],
        ),
        ([{"kind": "table_closed", "table": "T9"}], [("$.changes[0].table", "known_table")]),
        (
            [{"kind": "meeting_cancelled", "from": "D1", "to": "D2"}],
            [("$.changes[0]", "known_wish")],
        ),
        (
            [{"kind": "meeting_cancelled", "from": "D1", "to": "C1"}],
            [("$.changes[0]", "meeting_started")],
        ),
        (
            [{"kind": "no_show", "participant": "C1", "at": at("09:30")}],
            [("$.changes[0].at", "no_show_in_future")],
        ),
        (
            [{"kind": "no_show", "participant": "D2", "at": at("09:00")}],
            [("$.changes[0].at", "no_meeting_at")],
        ),
        (
            [
                {"kind": "participant_added", "participant": {"id": "C3", "name": "Walk-in"}},
                {"kind": "participant_added", "participant": {"id": "C1", "name": "Twice"}},
            ],
            [("$.changes[1].participant.id", "unique_participant_ids")],
        ),
        (
            [
                {
                    "kind": "participant_added",
                    "participant": {"id": "D3", "name": "New", "table": "T9"},
                }
            ],
            [("$.changes[0].participant.table", "home_table_exists")],
        ),
        (
            [{"kind": "wish_added", "wish": {"from": "C1", "to": "X9"}}],
            [("$.changes[0].wish.to", "known_participant")],
        ),
        (
            [{"kind": "wish_added", "wish": {"from": "C1", "to": "D1"}}],
            [("$.changes[0].wish", "unique_wish")],
        ),
        (
            [{"kind": "wish_added", "wish": {"from": "C2", "to": "D2", "pinned": at("09:20")}}],
            [("$.changes[0].wish.pinned", "pin_on_slot")],
        ),
    ],
)
def test_bad_changes_are_named_by_path_and_rule(
    changes: list[dict[str, Any]], expected: list[tuple[str, str]]
) -> None:
    assert _problems(changes) == expected


def test_every_bad_change_is_reported_at_once() -> None:
    problems = _problems(
        [
            {"kind": "table_closed", "table": "T9"},
            {"kind": "participant_cancelled", "participant": "C1"},
            {"kind": "no_show", "participant": "X1", "at": at("09:00")},
        ]
    )
    assert problems == [
        ("$.changes[0].table", "known_table"),
        ("$.changes[2].participant", "known_participant"),
    ]


def test_a_walk_in_can_be_named_before_it_is_added() -> None:
    applied = _apply(
        [
            {"kind": "wish_added", "wish": {"from": "C3", "to": "D2"}},
            {"kind": "participant_added", "participant": {"id": "C3", "name": "Walk-in"}},
        ]
    )
    assert applied.added_participants == ["C3"]
    assert applied.salon.wishes[-1].from_ == "C3"
    assert applied.added_wishes == {len(_salon().wishes)}


# ------------------------------------------------------------ applying


def test_the_horizon_is_the_first_slot_not_started() -> None:
    salon = _salon()
    assert horizon_of(salon, dt.datetime.fromisoformat(at("09:10"))) == dt.datetime.fromisoformat(
        at("09:15")
    )
    assert horizon_of(salon, dt.datetime.fromisoformat(at("09:15"))) == dt.datetime.fromisoformat(
        at("09:15")
    )
    assert horizon_of(salon, dt.datetime.fromisoformat(at("11:00"))) == dt.datetime.fromisoformat(
        at("10:00")
    )


def _interval(start: str, end: str) -> Interval:
    return Interval(
        start=dt.datetime.fromisoformat(at(start)), end=dt.datetime.fromisoformat(at(end))
    )


def _participant(applied: AppliedChanges, pid: str) -> Any:
    return next(p for p in applied.salon.participants if p.id == pid)


def test_a_cancellation_makes_the_participant_unavailable_from_then_on() -> None:
    applied = _apply([{"kind": "participant_cancelled", "participant": "C1", "from": at("09:30")}])
    assert _participant(applied, "C1").unavailable == [_interval("09:30", "10:00")]
    assert applied.cancelled == {"C1": dt.datetime.fromisoformat(at("09:30"))}
    # C1 is still there at 09:15: its required meeting with D1 stays required.
    assert applied.salon.wishes[0].required


def test_an_all_day_cancellation_does_not_rewrite_the_past() -> None:
    # now 09:10: the 09:00 slot has started, so the cancellation counts from 09:15.
    applied = _apply([{"kind": "participant_cancelled", "participant": "C1"}])
    assert _participant(applied, "C1").unavailable == [_interval("09:15", "10:00")]
    # A cancelled participant is no longer required anywhere.
    assert not any(w.required for w in applied.salon.wishes if "C1" in (w.from_, w.to))


def test_unavailability_is_clipped_to_the_horizon() -> None:
    applied = _apply(
        [
            {
                "kind": "participant_unavailable",
                "participant": "D1",
                "start": at("08:00"),
                "end": at("09:30"),
            }
        ]
    )
    assert _participant(applied, "D1").unavailable == [_interval("09:15", "09:30")]
    past = _apply(
        [
            {
                "kind": "participant_unavailable",
                "participant": "D1",
                "start": at("08:00"),
                "end": at("09:05"),
            }
        ]
    )
    assert _participant(past, "D1").unavailable == []
    assert past.unavailable == {}


def test_a_cancelled_meeting_declines_the_pair_both_ways() -> None:
    applied = _apply([{"kind": "meeting_cancelled", "from": "C1", "to": "C2"}])
    assert [w.declined for w in applied.salon.wishes] == [False, False, False, True]
    assert applied.cancelled_pairs == {frozenset(("C1", "C2"))}


def test_a_no_show_is_marked_on_its_meeting() -> None:
    applied = _apply([{"kind": "no_show", "participant": "D1", "at": at("09:05")}])
    [mark] = applied.no_shows
    assert mark.participant == "D1"
    assert (mark.meeting.from_, mark.meeting.to) == ("C1", "D1")


def test_a_closed_home_table_makes_its_owner_unavailable() -> None:
    applied = _apply([{"kind": "table_closed", "table": "T2", "from": at("09:30")}])
    assert _participant(applied, "D2").unavailable == [_interval("09:30", "10:00")]
    assert applied.closed_pool_tables() == {}


def test_a_closed_pool_table_is_kept_beside_the_salon() -> None:
    applied = _apply([{"kind": "table_closed", "table": "P2"}])
    assert applied.closed_pool_tables() == {"P2": dt.datetime.fromisoformat(at("09:15"))}
    assert applied.salon.table_specs() == _salon().table_specs()


def test_walk_ins_and_wishes_are_appended() -> None:
    applied = _apply(
        [
            {"kind": "participant_added", "participant": {"id": "C3", "name": "Walk-in"}},
            {"kind": "wish_added", "wish": {"from": "C3", "to": "D1", "priority": 1}},
        ]
    )
    assert [p.id for p in applied.salon.participants][-1] == "C3"
    assert (applied.salon.wishes[-1].from_, applied.salon.wishes[-1].priority) == ("C3", 1)


def test_the_input_salon_is_not_modified() -> None:
    salon = _salon()
    before = salon.model_dump()
    change_set = ChangeSet.model_validate(
        {
            "changes": [
                {"kind": "participant_cancelled", "participant": "C1"},
                {"kind": "meeting_cancelled", "from": "C2", "to": "D1"},
                {"kind": "participant_added", "participant": {"id": "C3", "name": "W"}},
            ]
        }
    )
    apply_changes(salon, _schedule(), change_set, dt.datetime.fromisoformat(at("09:10")))
    assert salon.model_dump() == before


def test_now_must_be_a_local_time() -> None:
    with pytest.raises(FileFormatError):
        apply_changes(
            _salon(), _schedule(), ChangeSet(), dt.datetime(2024, 3, 14, 9, tzinfo=dt.UTC)
        )
