"""The report's figures, computed from plain inputs (no database: `service.report_input` reads
them; the bench and the tests give them directly).

Definitions (where the issue was silent):
- A meeting is named by its two participants and its start. Planned: the meetings of the
  published schedule, plus those an earlier published version held and that were marked on the
  day (a no-show the repair took out stays counted as planned and missed).
- Held / missed: the attendance marked (api.dayof); unrecorded: neither.
- No-show rate: missed / (held + missed), over the meetings whose attendance is known.
- By side: each meeting counts once for each of its participants' sides; `absences` are the
  missed meetings whose absent participant is of that side.
- Expected participants: those with at least one planned meeting; arrived: checked in.
- Satisfaction: mean rating and the share of ratings 4 or 5; follow-up rate: meetings with at
  least one "we will follow up" among the meetings with any feedback.
- Most requested: wishes received (declined ones excluded), the most first.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

SIDES = ("director", "industrial")
TOP_REQUESTED = 10
NO_HALL = ""


@dataclass(frozen=True)
class Person:
    code: str
    name: str
    organisation: str
    side: str  # "director" or "industrial"


@dataclass(frozen=True)
class Meeting:
    from_: str
    to: str
    start: dt.datetime  # salon-local
    end: dt.datetime
    table: str
    hall: str  # the table's room, NO_HALL when none
    status: str  # "held", "no_show" or "unknown"
    absent: str | None = None


@dataclass(frozen=True)
class Rating:
    author: str
    other: str
    start: dt.datetime
    rating: int | None
    follow_up: bool


@dataclass
class ReportInput:
    salon_name: str
    people: dict[str, Person]
    meetings: list[Meeting]
    arrivals: dict[str, dt.datetime]  # participant code -> salon-local time of check-in
    feedback: list[Rating] = field(default_factory=list)
    requests: Counter[str] = field(default_factory=Counter)  # wishes received, by code


@dataclass
class Counts:
    planned: int = 0
    held: int = 0
    missed: int = 0
    unknown: int = 0
    absences: int = 0  # by side only: missed meetings whose absent is of this side

    def add(self, status: str) -> None:
        self.planned += 1
        if status == "held":
            self.held += 1
        elif status == "no_show":
            self.missed += 1
        else:
            self.unknown += 1

    @property
    def no_show_rate(self) -> float | None:
        known = self.held + self.missed
        return self.missed / known if known else None


@dataclass(frozen=True)
class Requested:
    person: Person
    requests: int
    planned: int
    held: int


@dataclass
class Report:
    salon_name: str
    totals: Counts
    by_hour: list[tuple[dt.datetime, Counts]]  # the hour's start, by time
    by_side: dict[str, Counts]
    by_hall: list[tuple[str, Counts]]  # by hall name (NO_HALL: tables without a room)
    arrivals: list[tuple[dt.datetime, int]]  # each check-in and how many had arrived then
    expected: int
    arrived: int
    arrived_expected: int
    ratings: dict[int, int]  # 1..5 -> how many
    assessed: int  # meetings with any feedback
    followed: int  # meetings with at least one "we will follow up"
    assessed_held: int  # meetings held with any feedback
    top_requested: list[Requested]
    days: int = 1

    @property
    def participant_no_show_rate(self) -> float | None:
        if not self.expected:
            return None
        return (self.expected - self.arrived_expected) / self.expected

    @property
    def rating_count(self) -> int:
        return sum(self.ratings.values())

    @property
    def mean_rating(self) -> float | None:
        count = self.rating_count
        return sum(r * n for r, n in self.ratings.items()) / count if count else None

    @property
    def satisfaction_rate(self) -> float | None:
        count = self.rating_count
        return (self.ratings[4] + self.ratings[5]) / count if count else None

    @property
    def follow_up_rate(self) -> float | None:
        return self.followed / self.assessed if self.assessed else None

    @property
    def feedback_rate(self) -> float | None:
        """Meetings held that got any feedback, among those held."""
        return self.assessed_held / self.totals.held if self.totals.held else None


def meeting_key(a: str, b: str, start: dt.datetime) -> tuple[str, str, dt.datetime]:
    """A meeting's name: its two participants (in any order) and its start."""
    return (min(a, b), max(a, b), start)


def hour_of(moment: dt.datetime) -> dt.datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def counts_by_hour(meetings: list[Meeting]) -> list[tuple[dt.datetime, Counts]]:
    hours: dict[dt.datetime, Counts] = defaultdict(Counts)
    for m in meetings:
        hours[hour_of(m.start)].add(m.status)
    return sorted(hours.items())


def counts_by_side(meetings: list[Meeting], people: dict[str, Person]) -> dict[str, Counts]:
    sides = {side: Counts() for side in SIDES}
    for m in meetings:
        for code in (m.from_, m.to):
            person = people.get(code)
            if person is None:
                continue
            counts = sides[person.side]
            counts.add(m.status)
            if m.status == "no_show" and m.absent == code:
                counts.absences += 1
    return sides


def counts_by_hall(meetings: list[Meeting]) -> list[tuple[str, Counts]]:
    halls: dict[str, Counts] = defaultdict(Counts)
    for m in meetings:
        halls[m.hall].add(m.status)
    return sorted(halls.items(), key=lambda item: (item[0] == NO_HALL, item[0]))


def arrival_curve(arrivals: dict[str, dt.datetime]) -> list[tuple[dt.datetime, int]]:
    return [(at, i) for i, at in enumerate(sorted(arrivals.values()), start=1)]


def most_requested(data: ReportInput, meetings: list[Meeting]) -> list[Requested]:
    planned: Counter[str] = Counter()
    held: Counter[str] = Counter()
    for m in meetings:
        for code in (m.from_, m.to):
            planned[code] += 1
            held[code] += m.status == "held"
    ranked = sorted(
        (item for item in data.requests.items() if item[1] > 0 and item[0] in data.people),
        key=lambda item: (-item[1], data.people[item[0]].name, item[0]),
    )
    return [
        Requested(data.people[code], count, planned[code], held[code])
        for code, count in ranked[:TOP_REQUESTED]
    ]


def feedback_figures(
    feedback: list[Rating], meetings: list[Meeting]
) -> tuple[dict[int, int], int, int, int]:
    """Ratings 1..5 counted, meetings with any feedback, meetings with a follow-up ticked,
    meetings held with any feedback (feedback on a meeting the report does not hold is left
    out)."""
    status = {meeting_key(m.from_, m.to, m.start): m.status for m in meetings}
    known = set(status)
    ratings = dict.fromkeys(range(1, 6), 0)
    assessed: set[tuple[str, str, dt.datetime]] = set()
    followed: set[tuple[str, str, dt.datetime]] = set()
    for f in feedback:
        key = meeting_key(f.author, f.other, f.start)
        if key not in known:
            continue
        if f.rating is not None:
            ratings[f.rating] += 1
        assessed.add(key)
        if f.follow_up:
            followed.add(key)
    held = sum(1 for key in assessed if status[key] == "held")
    return ratings, len(assessed), len(followed), held


def build_report(data: ReportInput) -> Report:
    """Every figure of the report."""
    meetings = sorted(data.meetings, key=lambda m: (m.start, m.table, m.from_, m.to))
    totals = Counts()
    for m in meetings:
        totals.add(m.status)
    expected = {code for m in meetings for code in (m.from_, m.to)}
    ratings, assessed, followed, assessed_held = feedback_figures(data.feedback, meetings)
    return Report(
        salon_name=data.salon_name,
        totals=totals,
        by_hour=counts_by_hour(meetings),
        by_side=counts_by_side(meetings, data.people),
        by_hall=counts_by_hall(meetings),
        arrivals=arrival_curve(data.arrivals),
        expected=len(expected),
        arrived=len(data.arrivals),
        arrived_expected=len(expected & set(data.arrivals)),
        ratings=ratings,
        assessed=assessed,
        followed=followed,
        assessed_held=assessed_held,
        top_requested=most_requested(data, meetings),
        days=len({m.start.date() for m in meetings}) or 1,
    )
