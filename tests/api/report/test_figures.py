"""The report's figures from plain inputs (api.report.figures): each definition of the module's
docstring, on a small day whose every number is counted by hand."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from api.report.figures import (
    NO_HALL,
    Meeting,
    Person,
    Rating,
    ReportInput,
    build_report,
)

DAY = dt.date(2023, 11, 28)


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(DAY, dt.time(hour, minute))


def meeting(a: str, b: str, hour: int, minute: int, status: str, hall: str = "Hall A",
            absent: str | None = None) -> Meeting:
    start = at(hour, minute)
    return Meeting(a, b, start, start + dt.timedelta(minutes=15), f"T-{b}", hall, status, absent)


PEOPLE = {
    "d1": Person("d1", "Directrice Une", "DGA", "director"),
    "d2": Person("d2", "Directeur Deux", "DGA", "director"),
    "i1": Person("i1", "Industriel Un", "PME", "industrial"),
    "i2": Person("i2", "Industrielle Deux", "ETI", "industrial"),
    "i3": Person("i3", "Industriel Trois", "PME", "industrial"),
}
MEETINGS = [
    meeting("i1", "d1", 9, 0, "held"),
    meeting("i2", "d1", 9, 15, "no_show", absent="i2"),
    meeting("i3", "d2", 9, 30, "held", hall=NO_HALL),
    meeting("i1", "d2", 10, 0, "no_show", hall=NO_HALL, absent="d2"),
    meeting("i3", "d1", 10, 15, "unknown"),
]


def data(**changes: object) -> ReportInput:
    values: dict[str, object] = {
        "salon_name": "Salon",
        "people": PEOPLE,
        "meetings": MEETINGS,
        "arrivals": {"i1": at(8, 40), "d1": at(8, 30), "i3": at(9, 20), "x9": at(9, 50)},
        "feedback": [
            Rating("i1", "d1", at(9), 5, True),
            Rating("d1", "i1", at(9), 4, False),
            Rating("i3", "d2", at(9, 30), 2, False),
            Rating("i3", "d1", at(10, 15), None, True),
            Rating("i2", "d2", at(11), 1, True),  # no such meeting: left out
        ],
        "requests": Counter({"d1": 3, "d2": 3, "i1": 1, "zz": 9}),
    }
    values.update(changes)
    return ReportInput(**values)  # type: ignore[arg-type]


def test_totals_and_no_show_rates() -> None:
    report = build_report(data())
    t = report.totals
    assert (t.planned, t.held, t.missed, t.unknown) == (5, 2, 2, 1)
    assert t.no_show_rate == 0.5  # 2 missed of the 4 recorded
    assert report.expected == 5  # everyone has a meeting
    assert report.arrived == 4 and report.arrived_expected == 3  # x9 has no meeting
    assert report.participant_no_show_rate == 2 / 5


def test_by_hour_side_and_hall() -> None:
    report = build_report(data())
    hours = {hour.hour: (c.planned, c.held, c.missed, c.unknown) for hour, c in report.by_hour}
    assert hours == {9: (3, 2, 1, 0), 10: (2, 0, 1, 1)}
    director, industrial = report.by_side["director"], report.by_side["industrial"]
    assert (director.planned, director.held, director.missed, director.absences) == (5, 2, 2, 1)
    assert (industrial.planned, industrial.held, industrial.missed, industrial.absences) == (
        5, 2, 2, 1,
    )
    halls = [(hall, c.planned, c.missed) for hall, c in report.by_hall]
    assert halls == [("Hall A", 3, 1), (NO_HALL, 2, 1)]  # tables without a room last


def test_arrival_curve_counts_each_check_in_in_time_order() -> None:
    report = build_report(data())
    assert report.arrivals == [(at(8, 30), 1), (at(8, 40), 2), (at(9, 20), 3), (at(9, 50), 4)]


def test_satisfaction_and_follow_up() -> None:
    report = build_report(data())
    assert report.ratings == {1: 0, 2: 1, 3: 0, 4: 1, 5: 1}
    assert report.mean_rating == (5 + 4 + 2) / 3
    assert report.satisfaction_rate == 2 / 3
    assert report.assessed == 3  # i1-d1 (both sides), i3-d2, i3-d1
    assert report.followed == 2  # i1-d1 and i3-d1
    assert report.follow_up_rate == 2 / 3
    assert report.assessed_held == 2 and report.feedback_rate == 1.0  # both held were rated


def test_most_requested_first_ties_by_name_unknown_codes_left_out() -> None:
    report = build_report(data())
    top = [(r.person.code, r.requests, r.planned, r.held) for r in report.top_requested]
    assert top == [("d2", 3, 2, 1), ("d1", 3, 3, 1), ("i1", 1, 2, 1)]


def test_an_empty_day_has_no_rates() -> None:
    report = build_report(data(meetings=[], arrivals={}, feedback=[], requests=Counter()))
    assert report.totals.planned == 0 and report.totals.no_show_rate is None
    assert report.participant_no_show_rate is None and report.mean_rating is None
    assert report.follow_up_rate is None and report.top_requested == []
