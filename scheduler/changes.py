"""changes/v1: what happened on the day of a salon, and the salon it leaves.

A changes/v1 document lists cancellations, new unavailabilities, cancelled meetings, no-shows,
new participants, new wishes and closed tables (see docs/changes.md). `load_changes` reads one
with errors that name the JSON path; `apply_changes` turns it into the salon as it now stands
(a salon/v1 model) plus the facts that salon/v1 cannot hold (no-show marks, closed pool tables).

The past is never rewritten: a change that starts before "now" only takes effect from the
*horizon*, the start of the first slot that has not started yet, so that the meetings held
before "now" stay valid in the changed salon.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from scheduler.errors import FileFormatError, Problem
from scheduler.format import (
    Interval,
    Participant,
    Salon,
    Schedule,
    ScheduledMeeting,
    Wish,
    reject_utc_offset,
)
from scheduler.loading import parse_document, read_json, salon_problems
from scheduler.slots import build_slots

CHANGE_KINDS = (
    "participant_cancelled",
    "participant_unavailable",
    "meeting_cancelled",
    "no_show",
    "participant_added",
    "wish_added",
    "table_closed",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def _not_a_number(value: Any) -> Any:
    """A time is written as text (a number would be read as seconds since 1970)."""
    if isinstance(value, bool | int | float):
        raise ValueError("expected a local date and time such as 2023-11-28T11:00")
    return value


LocalTime = Annotated[
    dt.datetime, BeforeValidator(_not_a_number), AfterValidator(reject_utc_offset)
]
"""A time of the salon: ISO text, local to the salon's timezone (no UTC offset)."""


class ParticipantCancelled(_Strict):
    """The participant does not come (all day), or leaves from `from`."""

    kind: Literal["participant_cancelled"]
    participant: Annotated[str, Field(min_length=1)]
    from_: LocalTime | None = Field(default=None, alias="from")


class ParticipantUnavailable(_Strict):
    """The participant is away during [start, end)."""

    kind: Literal["participant_unavailable"]
    participant: Annotated[str, Field(min_length=1)]
    start: LocalTime
    end: LocalTime


class MeetingCancelled(_Strict):
    """The two participants no longer want to meet (either order)."""

    kind: Literal["meeting_cancelled"]
    from_: Annotated[str, Field(alias="from", min_length=1)]
    to: Annotated[str, Field(min_length=1)]


class NoShow(_Strict):
    """The participant did not come to its meeting running at `at`."""

    kind: Literal["no_show"]
    participant: Annotated[str, Field(min_length=1)]
    at: LocalTime


class ParticipantAdded(_Strict):
    """A walk-in: a participant as in salon/v1."""

    kind: Literal["participant_added"]
    participant: Participant


class WishAdded(_Strict):
    """A new wish as in salon/v1."""

    kind: Literal["wish_added"]
    wish: Wish


class TableClosed(_Strict):
    """The table is out of use (all day, or from `from`)."""

    kind: Literal["table_closed"]
    table: Annotated[str, Field(min_length=1)]
    from_: LocalTime | None = Field(default=None, alias="from")


DayChange = Annotated[
    ParticipantCancelled
    | ParticipantUnavailable
    | MeetingCancelled
    | NoShow
    | ParticipantAdded
    | WishAdded
    | TableClosed,
    Field(discriminator="kind"),
]


class ChangeSet(_Strict):
    """A changes/v1 document."""

    format: Literal["changes/v1"] = "changes/v1"
    changes: list[DayChange] = Field(default_factory=list)

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


# ------------------------------------------------------------------ loading

_KIND_SEGMENT = re.compile(r"\.(" + "|".join(CHANGE_KINDS) + r")(?=[.\[]|$)")


def _untagged(problem: Problem) -> Problem:
    """Drop the union tag pydantic puts in error paths (`$.changes[0].no_show.at`)."""
    path = _KIND_SEGMENT.sub("", problem.path)
    if problem.message.startswith(("Input tag", "Unable to extract tag")):
        path += ".kind"
    return Problem(path, problem.rule, problem.message)


def load_changes(source: str | bytes | Path | dict[str, Any]) -> ChangeSet:
    """Parse a changes/v1 document; raise FileFormatError listing every problem."""
    data = read_json(source, "changes")
    try:
        return parse_document(ChangeSet, data, "changes", "changes/v1")
    except FileFormatError as error:
        raise FileFormatError([_untagged(p) for p in error.problems], "changes") from error


# ----------------------------------------------------------------- applying


@dataclass(frozen=True)
class NoShowMark:
    """A meeting held before "now" that `participant` did not come to."""

    participant: str
    meeting: ScheduledMeeting


@dataclass
class AppliedChanges:
    """The salon after the changes, and what salon/v1 cannot say.

    `salon` expresses each change in salon/v1 terms: a cancelled participant is unavailable
    from its cancellation to the end of the salon (its wishes no longer required when it is gone
    for all the rest of the salon), a newly
    unavailable participant gets the interval, a cancelled meeting's wishes are declined, the
    owners of a closed home table are unavailable from its closing, walk-ins and new wishes are
    appended. A closed pool table cannot be said in salon/v1: `closed_tables` holds it and the
    repair leaves it empty from then on.
    """

    salon: Salon
    now: dt.datetime
    horizon: dt.datetime
    cancelled: dict[str, dt.datetime] = field(default_factory=dict)
    unavailable: dict[str, list[Interval]] = field(default_factory=dict)
    cancelled_pairs: set[frozenset[str]] = field(default_factory=set)
    no_shows: list[NoShowMark] = field(default_factory=list)
    closed_tables: dict[str, dt.datetime] = field(default_factory=dict)
    added_participants: list[str] = field(default_factory=list)
    added_wishes: set[int] = field(default_factory=set)

    def closed_pool_tables(self) -> dict[str, dt.datetime]:
        """Closed tables that nobody owns (the pool), with the time they close."""
        owned = {p.table for p in self.salon.participants if p.table is not None}
        return {t: start for t, start in self.closed_tables.items() if t not in owned}


def salon_span(salon: Salon) -> tuple[dt.datetime, dt.datetime]:
    """The start of the first session and the end of the last."""
    return (
        min(s.starts_at for s in salon.sessions),
        max(s.ends_at for s in salon.sessions),
    )


def horizon_of(salon: Salon, now: dt.datetime) -> dt.datetime:
    """The start of the first slot that has not started at `now` (the salon's end if none)."""
    future = [slot.start for slot in build_slots(salon) if slot.start >= now]
    return min(future) if future else salon_span(salon)[1]


class _Applier:
    """Applies the changes one by one, collecting problems with their JSON paths."""

    def __init__(self, salon: Salon, schedule: Schedule, now: dt.datetime) -> None:
        self.schedule = schedule
        self.start, self.end = salon_span(salon)
        self.horizon = horizon_of(salon, now)
        self.now = now
        self.participants: list[Participant] = [p.model_copy() for p in salon.participants]
        self.wishes: list[Wish] = [w.model_copy() for w in salon.wishes]
        self.tables = {t.id for t in salon.table_specs()}
        self.base = salon
        self.problems: list[Problem] = []
        self.added_paths: dict[str, str] = {}  # "$.participants[k]" -> "$.changes[i].participant"
        self.result = AppliedChanges(salon, now, self.horizon)

    # ---------------------------------------------------------------- helpers

    def known(self, change_set: ChangeSet) -> set[str]:
        ids = {p.id for p in self.base.participants}
        ids.update(c.participant.id for c in change_set.changes if isinstance(c, ParticipantAdded))
        return ids

    def _clip(self, start: dt.datetime | None) -> dt.datetime:
        """A change never reaches before the horizon (the past stays as it was)."""
        return max(start or self.start, self.horizon)

    def _participant(self, pid: str) -> Participant | None:
        return next((p for p in self.participants if p.id == pid), None)

    def _make_unavailable(self, pid: str, start: dt.datetime, end: dt.datetime) -> None:
        participant = self._participant(pid)
        if participant is None or end <= start:
            return
        interval = Interval(start=start, end=end)
        index = self.participants.index(participant)
        self.participants[index] = participant.model_copy(
            update={"unavailable": [*participant.unavailable, interval]}
        )
        self.result.unavailable.setdefault(pid, []).append(interval)

    def _wishes_of_pair(self, a: str, b: str) -> list[int]:
        pair = {a, b}
        return [i for i, w in enumerate(self.wishes) if {w.from_, w.to} == pair]

    def _meeting_of(self, a: str, b: str) -> ScheduledMeeting | None:
        pair = {a, b}
        return next((m for m in self.schedule.meetings if {m.from_, m.to} == pair), None)

    def problem(self, path: str, rule: str, message: str) -> None:
        self.problems.append(Problem(path, rule, message))

    # ---------------------------------------------------------------- changes

    def apply(self, index: int, change: DayChange, known: set[str]) -> None:
        path = f"$.changes[{index}]"
        for field_name in ("participant", "from_", "to"):
            value = getattr(change, field_name, None)
            if isinstance(value, str) and value not in known:
                shown = "from" if field_name == "from_" else field_name
                message = f"unknown participant {value!r}"
                self.problem(f"{path}.{shown}", "known_participant", message)
                return
        if isinstance(change, ParticipantCancelled):
            self.cancel(change)
        elif isinstance(change, ParticipantUnavailable):
            self.unavailable(change, path)
        elif isinstance(change, MeetingCancelled):
            self.cancel_meeting(change, path)
        elif isinstance(change, NoShow):
            self.no_show(change, path)
        elif isinstance(change, ParticipantAdded):
            self.added_paths[f"$.participants[{len(self.participants)}]"] = f"{path}.participant"
            self.participants.append(change.participant)
            self.result.added_participants.append(change.participant.id)
        elif isinstance(change, WishAdded):
            self.added_paths[f"$.wishes[{len(self.wishes)}]"] = f"{path}.wish"
            self.result.added_wishes.add(len(self.wishes))
            self.wishes.append(change.wish)
        else:
            self.close_table(change, path)

    def cancel(self, change: ParticipantCancelled) -> None:
        start = self._clip(change.from_)
        pid = change.participant
        if start < self.end:
            self._make_unavailable(pid, start, self.end)
        previous = self.result.cancelled.get(pid)
        self.result.cancelled[pid] = start if previous is None else min(previous, start)
        if start <= self.horizon:
            # Gone for the rest of the salon: none of its meetings can be required any more.
            self.wishes = [
                w.model_copy(update={"required": False}) if pid in (w.from_, w.to) else w
                for w in self.wishes
            ]

    def unavailable(self, change: ParticipantUnavailable, path: str) -> None:
        if change.end <= change.start:
            self.problem(path, "interval_order", "the interval ends before it starts")
            return
        self._make_unavailable(change.participant, self._clip(change.start), change.end)

    def cancel_meeting(self, change: MeetingCancelled, path: str) -> None:
        indices = self._wishes_of_pair(change.from_, change.to)
        if not indices:
            message = f"nobody asked for a meeting between {change.from_!r} and {change.to!r}"
            self.problem(path, "known_wish", message)
            return
        meeting = self._meeting_of(change.from_, change.to)
        if meeting is not None and meeting.start < self.now:
            message = (
                f"the meeting started at {meeting.start:%Y-%m-%d %H:%M}, before now: "
                "report a no_show instead"
            )
            self.problem(path, "meeting_started", message)
            return
        for i in indices:
            self.wishes[i] = self.wishes[i].model_copy(update={"declined": True, "required": False})
        self.result.cancelled_pairs.add(frozenset((change.from_, change.to)))

    def no_show(self, change: NoShow, path: str) -> None:
        if change.at > self.now:
            message = f"{change.at:%Y-%m-%d %H:%M} is after now: a no-show is reported afterwards"
            self.problem(f"{path}.at", "no_show_in_future", message)
            return
        meeting = next(
            (
                m
                for m in self.schedule.meetings
                if change.participant in (m.from_, m.to) and m.start <= change.at < m.end
            ),
            None,
        )
        if meeting is None:
            message = f"{change.participant} has no meeting at {change.at:%Y-%m-%d %H:%M}"
            self.problem(f"{path}.at", "no_meeting_at", message)
            return
        mark = NoShowMark(change.participant, meeting)
        if mark not in self.result.no_shows:
            self.result.no_shows.append(mark)

    def close_table(self, change: TableClosed, path: str) -> None:
        if change.table not in self.tables:
            message = f"unknown table {change.table!r}"
            self.problem(f"{path}.table", "known_table", message)
            return
        start = self._clip(change.from_)
        previous = self.result.closed_tables.get(change.table)
        closed = start if previous is None else min(previous, start)
        self.result.closed_tables[change.table] = closed
        for participant in list(self.participants):
            if participant.table == change.table:
                self._make_unavailable(participant.id, start, self.end)

    # ---------------------------------------------------------------- result

    def finish(self) -> AppliedChanges:
        salon = self.base.model_copy(
            update={"participants": self.participants, "wishes": self.wishes}
        )
        for problem in salon_problems(salon):
            self.problems.append(self._relocated(problem))
        if self.problems:
            raise FileFormatError(self.problems, "changes")
        self.result.salon = salon
        return self.result

    def _relocated(self, problem: Problem) -> Problem:
        """A problem of an appended participant or wish, named by its change's path."""
        for salon_path, change_path in self.added_paths.items():
            if problem.path == salon_path or problem.path.startswith((salon_path + ".",)):
                return Problem(
                    change_path + problem.path[len(salon_path) :], problem.rule, problem.message
                )
        return problem


def apply_changes(
    salon: Salon, schedule: Schedule, change_set: ChangeSet, now: dt.datetime
) -> AppliedChanges:
    """The salon after the changes; FileFormatError ("changes") names each bad change.

    `schedule` is the current one (no-shows and cancelled meetings are looked up in it);
    `salon` is not modified.
    """
    if now.tzinfo is not None:
        raise FileFormatError([Problem("now", "schema", "now must be a local time")], "changes")
    applier = _Applier(salon, schedule, now)
    known = applier.known(change_set)
    for index, change in enumerate(change_set.changes):
        applier.apply(index, change, known)
    return applier.finish()
