"""Loading errors name the JSON path and the rule of each problem, and list every problem."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from salon_builders import at, interval, person, salon_data, session, wish

from scheduler.errors import FileFormatError, Problem
from scheduler.loading import load_salon, load_schedule
from scheduler.slots import build_slots


def _base(**changes: Any) -> dict[str, Any]:
    data = salon_data(
        [person("D1", "T1"), person("C1"), person("C2")],
        [wish("C1", "D1"), wish("C2", "D1")],
    )
    data.update(changes)
    return data


def _problems(source: Any) -> list[Problem]:
    with pytest.raises(FileFormatError) as caught:
        load_salon(source)
    assert caught.value.problems
    return caught.value.problems


def _only(source: Any) -> tuple[str, str]:
    [problem] = _problems(source)
    return problem.path, problem.rule


def test_the_base_salon_loads() -> None:
    salon = load_salon(_base())
    assert [p.id for p in salon.participants] == ["D1", "C1", "C2"]


def test_unknown_participant_in_a_wish() -> None:
    data = _base(wishes=[wish("C1", "D1"), wish("C2", "D9")])
    assert _only(data) == ("$.wishes[1].to", "known_participant")
    data = _base(wishes=[wish("X", "D1")])
    assert _only(data) == ("$.wishes[0].from", "known_participant")


def test_duplicate_participant_id() -> None:
    data = _base(participants=[person("D1", "T1"), person("C1"), person("C1"), person("C2")])
    assert _only(data) == ("$.participants[2].id", "unique_participant_ids")


def test_duplicate_table_id() -> None:
    assert _only(_base(tables=["T1", "P1", "P1"])) == ("$.tables", "unique_table_ids")


def test_overlapping_sessions() -> None:
    sessions = [session("09:00", "10:00"), session("09:45", "11:00")]
    assert _only(_base(sessions=sessions)) == ("$.sessions[1]", "sessions_overlap")


def test_a_session_inside_a_long_earlier_session_overlaps_it() -> None:
    sessions = [session("09:00", "12:00"), session("09:00", "09:30"), session("10:00", "11:00")]
    problems = _problems(_base(sessions=sessions))
    assert [(p.path, p.rule) for p in problems] == [
        ("$.sessions[1]", "sessions_overlap"),
        ("$.sessions[2]", "sessions_overlap"),
    ]
    assert "sessions[0]" in problems[1].message


def test_a_session_shorter_than_one_meeting() -> None:
    data = _base(sessions=[session("09:00", "10:00"), session("14:00", "14:10")])
    assert _only(data) == ("$.sessions[1]", "session_length")


def test_a_session_ending_before_it_starts() -> None:
    assert _only(_base(sessions=[session("10:00", "09:00")])) == ("$.sessions[0]", "session_order")


def test_a_pin_outside_every_slot() -> None:
    data = _base(wishes=[wish("C1", "D1", pinned=at("09:05")), wish("C2", "D1")])
    assert _only(data) == ("$.wishes[0].pinned", "pin_on_slot")
    data = _base(wishes=[wish("C1", "D1", pinned="2024-03-15T09:00:00")])
    assert _only(data) == ("$.wishes[0].pinned", "pin_on_slot")


def test_conflicting_pins_of_one_pair() -> None:
    data = _base(
        wishes=[wish("C1", "D1", pinned=at("09:00")), wish("D1", "C1", pinned=at("09:15"))]
    )
    assert _only(data) == ("$.wishes[1].pinned", "one_pin_per_pair")


def test_equal_pins_of_one_pair_are_fine() -> None:
    data = _base(
        wishes=[wish("C1", "D1", pinned=at("09:15")), wish("D1", "C1", pinned=at("09:15"))]
    )
    assert load_salon(data).wishes[1].pinned is not None


def test_a_home_table_that_does_not_exist() -> None:
    data = _base(participants=[person("D1", "T9"), person("C1"), person("C2")], tables=["T1"])
    assert _only(data) == ("$.participants[0].table", "home_table_exists")


def test_representatives_with_a_home_table() -> None:
    data = _base(participants=[person("D1", "T1", representatives=2), person("C1"), person("C2")])
    assert _only(data) == ("$.participants[0].representatives", "home_table_alone")


def test_a_wish_to_oneself() -> None:
    assert _only(_base(wishes=[wish("C1", "C1")])) == ("$.wishes[0]", "not_oneself")


def test_a_duplicate_wish() -> None:
    data = _base(wishes=[wish("C1", "D1"), wish("C2", "D1"), wish("C1", "D1", priority=1)])
    assert _only(data) == ("$.wishes[2]", "unique_wish")


def test_mutual_wishes_are_not_duplicates() -> None:
    assert len(load_salon(_base(wishes=[wish("C1", "D1"), wish("D1", "C1")])).wishes) == 2


@pytest.mark.parametrize(
    "objectives",
    [["idle", "coverage"], ["coverage", "breaks", "score"], ["coverage", "coverage"]],
)
def test_objectives_order(objectives: list[str]) -> None:
    assert _only(_base(objectives=objectives)) == ("$.objectives", "objectives")


def test_an_interval_ending_before_it_starts() -> None:
    participants = [
        person("D1", "T1", unavailable=[interval("10:00", "11:00"), interval("10:00", "09:00")]),
        person("C1"),
        person("C2"),
    ]
    assert _only(_base(participants=participants)) == (
        "$.participants[0].unavailable[1]",
        "interval_order",
    )


def test_a_during_interval_ending_before_it_starts() -> None:
    data = _base(wishes=[wish("C1", "D1", during=[interval("09:45", "09:30")])])
    assert _only(data) == ("$.wishes[0].during[0]", "interval_order")


def test_bad_timezone() -> None:
    assert _only(_base(timezone="Europe/Lutece")) == ("$.timezone", "timezone")


def test_invalid_json() -> None:
    [problem] = _problems('{"format": "salon/v1", "name": "x",}')
    assert (problem.path, problem.rule) == ("$", "json")
    assert "line 1" in problem.message


def test_json_that_is_not_an_object() -> None:
    assert _only("[1, 2]") == ("$", "json")


def test_wrong_format_tag() -> None:
    path, rule = _only(_base(format="schedule/v1"))
    assert (path, rule) == ("$.format", "format")


def test_a_missing_file(tmp_path: Path) -> None:
    [problem] = _problems(tmp_path / "absent.json")
    assert (problem.path, problem.rule) == ("$", "file")
    assert "absent.json" in problem.message


def test_a_directory_instead_of_a_file(tmp_path: Path) -> None:
    assert _only(tmp_path) == ("$", "file")


def test_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes(json.dumps(_base(name="Salon é"), ensure_ascii=False).encode("latin-1"))
    assert _only(path) == ("$", "json")


def test_a_file_on_disk_loads(tmp_path: Path) -> None:
    path = tmp_path / "salon.json"
    path.write_text(json.dumps(_base(name="Salon à Paris")), "utf-8")
    assert load_salon(path).name == "Salon à Paris"


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"wishes": [wish("C1", "D1", priority=5)]}, "$.wishes[0].priority"),
        ({"wishes": [{"to": "D1"}]}, "$.wishes[0].from"),
        ({"meeting_minutes": 0}, "$.meeting_minutes"),
        ({"sessions": []}, "$.sessions"),
        ({"sessions": [{"date": "2024-13-01", "start": "09:00", "end": "10:00"}]},
         "$.sessions[0].date"),
        ({"participants": [person("D1", "T1", max_meetings=-1)]}, "$.participants[0].max_meetings"),
        ({"participants": [person("D1", "T1", representatives=0)]},
         "$.participants[0].representatives"),
        ({"participants": [person("D1", "T1", colour="blue")]}, "$.participants[0].colour"),
        ({"tables": -2}, "$.tables"),
        ({"tables": 1_000_000}, "$.tables"),
        ({"tables": [{"id": ""}]}, "$.tables[0].id"),
        ({"max_in_a_row": 0}, "$.max_in_a_row"),
        ({"tables": [""]}, "$.tables[0]"),
        ({"tables": ["T1", "x" * 65]}, "$.tables[1]"),
        ({"max_in_a_row": 10_001}, "$.max_in_a_row"),
        ({"max_in_a_row": 2**70}, "$.max_in_a_row"),
        ({"max_break_spread": 10_001}, "$.max_break_spread"),
        ({"participants": [person("D1", "T1", max_meetings=2**63)]},
         "$.participants[0].max_meetings"),
        ({"participants": [person("D1", "T1", max_meetings=1e300)]},
         "$.participants[0].max_meetings"),
        ({"objectives": ["coverage", "happiness"]}, "$.objectives[1]"),
        ({"meeting_minutes": True}, "$.meeting_minutes"),
        ({"wishes": [wish("C1", "D1", priority=True)]}, "$.wishes[0].priority"),
        ({"wishes": [wish("C1", "D1", required=1)]}, "$.wishes[0].required"),
        ({"wishes": [wish("C1", "D1", declined="yes")]}, "$.wishes[0].declined"),
        # a number is not a date or a time (pydantic would read a Unix time, or seconds)
        ({"sessions": [{"date": 0, "start": "09:00", "end": "10:00"}]}, "$.sessions[0].date"),
        ({"sessions": [{"date": "2024-03-14", "start": 32400, "end": "10:00"}]},
         "$.sessions[0].start"),
        ({"wishes": [wish("C1", "D1", pinned=1710406800)]}, "$.wishes[0].pinned"),
        ({"participants": [person("D1", "T1", unavailable=[{"start": 0, "end": "2024-03-14"}])]},
         "$.participants[0].unavailable[0].start"),
    ],
)
def test_schema_errors_name_the_path(change: dict[str, Any], path: str) -> None:
    problems = _problems(_base(**change))
    assert [(p.path, p.rule) for p in problems] == [(path, "schema")]


def test_times_with_a_utc_offset_are_schema_errors() -> None:
    data = _base(
        sessions=[{"date": "2024-03-14", "start": "09:00+01:00", "end": "10:00"}],
        wishes=[wish("C1", "D1", pinned="2024-03-14T09:00:00Z")],
    )
    problems = _problems(data)
    assert [(p.path, p.rule) for p in problems] == [
        ("$.sessions[0].start", "schema"),
        ("$.wishes[0].pinned", "schema"),
    ]
    assert all("UTC offset" in p.message for p in problems)


def test_every_problem_is_listed_at_once() -> None:
    data = _base(
        timezone="Nowhere/Land",
        participants=[person("D1", "T9"), person("C1"), person("C1")],
        wishes=[wish("C1", "C1"), wish("C1", "X")],
    )
    rules = [p.rule for p in _problems(data)]
    assert rules == [
        "timezone",
        "home_table_exists",
        "unique_participant_ids",
        "not_oneself",
        "known_participant",
    ]


def test_the_error_message_lists_each_problem() -> None:
    with pytest.raises(FileFormatError) as caught:
        load_salon(_base(wishes=[wish("C1", "C1")]))
    assert "$.wishes[0]" in str(caught.value)
    assert "[not_oneself]" in str(caught.value)


def test_schedule_format_errors() -> None:
    with pytest.raises(FileFormatError) as caught:
        load_schedule({"format": "salon/v1", "salon": "x"})
    assert [(p.path, p.rule) for p in caught.value.problems] == [("$.format", "format")]
    assert caught.value.what == "schedule"
    with pytest.raises(FileFormatError) as caught:
        load_schedule({"salon": "x", "meetings": [{"from": "a", "to": "b", "start": "nope"}]})
    paths = {p.path for p in caught.value.problems}
    assert paths == {"$.meetings[0].start", "$.meetings[0].end", "$.meetings[0].table"}


def test_the_largest_limits_load() -> None:
    data = _base(max_in_a_row=10_000, max_break_spread=10_000)
    data["participants"][0]["max_meetings"] = 10_000
    assert load_salon(data).max_in_a_row == 10_000


GOOD = json.dumps(_base(), separators=(",", ":"))


@pytest.mark.parametrize(
    ("text", "path", "words"),
    [
        (GOOD[:-1] + ',"name":"Autre"}', "$", "'name' is written twice"),
        (GOOD.replace('"id":"C1"', '"id":"C1","id":"C3"'), "$.participants[1]", "written twice"),
        (GOOD.replace('"meeting_minutes":15', '"meeting_minutes":NaN'), "$", "NaN"),
        (GOOD.replace('"meeting_minutes":15', '"meeting_minutes":-Infinity'), "$", "Infinity"),
        (GOOD.replace('"Salon de test"', '"Salon \\ud800"'), "$.name", "Unicode"),
        (GOOD[:-1] + ',"\\udc00":1}', "$", "Unicode"),
        ("[" * 100_000 + "]" * 100_000, "$", "deeply"),
        ('{"a":' * 100_000 + "1" + "}" * 100_000, "$", "deeply"),
    ],
)
def test_json_that_is_not_plain_json(text: str, path: str, words: str) -> None:
    [problem] = _problems(text)
    assert (problem.path, problem.rule) == (path, "json")
    assert words in problem.message


@pytest.mark.parametrize("value", [None, 1, 2.5, [], "null", "1e999", b"[]", bytearray(b"{")])
def test_anything_but_an_object_is_a_json_problem(value: Any) -> None:
    assert _only(value) == ("$", "json")


@pytest.mark.parametrize("name", ["Europe", "Etc", "x" * 300, "Europe/Paris\x00", ""])
def test_a_timezone_that_names_no_zone_file(name: str) -> None:
    assert _only(_base(timezone=name)) == ("$.timezone", "timezone")


def test_a_session_on_the_last_representable_day() -> None:
    sessions = [session("23:00", "23:59", day="9999-12-31")]
    salon = load_salon(_base(sessions=sessions, changeover_minutes=5, wishes=[]))
    assert len(build_slots(salon)) == 3  # 23:00, 23:20, 23:40: the next step passes year 9999


def test_a_file_with_a_byte_order_mark_loads(tmp_path: Path) -> None:
    path = tmp_path / "salon.json"
    path.write_text(json.dumps(_base()), "utf-8-sig")
    assert load_salon(path).name == "Salon de test"


def test_a_schedule_with_duplicate_keys() -> None:
    with pytest.raises(FileFormatError) as caught:
        load_schedule('{"salon": "x", "meetings": [], "meetings": []}')
    assert [(p.path, p.rule) for p in caught.value.problems] == [("$", "json")]
