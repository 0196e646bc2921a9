"""What the participant's mobile agenda shows beyond the printed one (issue 13, item 6): the
next meeting's card, free slots folded into one line per run, and, for a wish left out by the
limit of meetings in a row, whose limit it was. Pure functions of the agenda's views."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Literal

from api.documents.views import Agenda, AgendaRow, Entry, SalonDocuments

Holder = Literal["me", "other", "either"]


@dataclass(frozen=True)
class NextMeeting:
    """The meeting under way or the next one, and how long until it starts (0 once begun)."""

    entry: Entry
    minutes: int
    ongoing: bool
    today: bool

    @property
    def hours_and_minutes(self) -> tuple[int, int]:
        return divmod(self.minutes, 60)


def entries(agenda: Agenda) -> list[Entry]:
    """The agenda's meetings in time order."""
    return [e for day in agenda.days for row in day.rows for e in row.entries]


def next_meeting(agenda: Agenda, now: dt.datetime) -> NextMeeting | None:
    """The meeting under way at `now` (salon time), else the next one; None after the last."""
    for entry in entries(agenda):
        if entry.end > now:
            ongoing = entry.start <= now
            minutes = 0 if ongoing else math.ceil((entry.start - now).total_seconds() / 60)
            return NextMeeting(entry, minutes, ongoing, entry.start.date() == now.date())
    return None


@dataclass
class FreeRun:
    """Consecutive free slots, shown as one folded line."""

    start: dt.datetime
    end: dt.datetime
    count: int
    kind: str = "free_run"


@dataclass
class FoldedDay:
    date: dt.date
    rows: list[AgendaRow | FreeRun] = field(default_factory=list)


def folded_days(agenda: Agenda) -> list[FoldedDay]:
    """The agenda's days with each run of free slots folded into one `FreeRun`."""
    days = []
    for day in agenda.days:
        folded = FoldedDay(day.date)
        for row in day.rows:
            last = folded.rows[-1] if folded.rows else None
            if row.kind != "free":
                folded.rows.append(row)
            elif isinstance(last, FreeRun) and last.end <= row.start:
                last.end, last.count = row.end, last.count + 1
            else:
                folded.rows.append(FreeRun(row.start, row.end, 1))
        days.append(folded)
    return days


def _run_too_long(busy: list[bool], same_session: list[int], slot: int, limit: int) -> bool:
    """A meeting in the free `slot` would make a run of more than `limit` busy slots."""
    run = 1
    for step in (-1, 1):
        neighbour = slot + step
        while (
            0 <= neighbour < len(busy)
            and same_session[neighbour] == same_session[slot]
            and busy[neighbour]
        ):
            run += 1
            neighbour += step
    return run > limit


def in_a_row_holder(docs: SalonDocuments, code: str) -> Holder:
    """Whose limit of meetings in a row kept a wish of `code` out: its own when it would have
    run over it in every slot it has free, the other's when in none (then only the other's
    runs can have been too long), else either of them."""
    limit = docs.salon.max_in_a_row
    if limit is None:
        return "either"
    starts = {m.start for m in docs.meetings_of.get(code, [])}
    busy = [slot.start in starts for slot in docs.slots]
    sessions = [slot.session for slot in docs.slots]
    free = [i for i, taken in enumerate(busy) if not taken]
    blocked = [i for i in free if _run_too_long(busy, sessions, i, limit)]
    if not blocked:
        return "other"
    return "me" if len(blocked) == len(free) else "either"
