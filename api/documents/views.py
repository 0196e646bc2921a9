"""What the printable documents show, computed from a Salon and a Schedule.

The templates only lay these views out: every choice of what goes in which row is made here,
so the HTML, PDF and the participants' pages agree.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal
from zoneinfo import ZoneInfo

import segno

from api.i18n import DEFAULT_LANGUAGE, gettext
from api.sides import DEFAULT_SIDE_LABELS, role_text
from api.timestamps import local_now
from scheduler.errors import FileFormatError, Problem
from scheduler.format import Participant, Salon, Schedule, ScheduledMeeting, TableSpec
from scheduler.slots import Slot, build_slots, slot_is_free

Side = Literal["director", "industrial"]
Asked = Literal["you", "them", "both", "organiser"]
RowKind = Literal["meeting", "free", "unavailable", "break"]
SIDES: tuple[Side, ...] = ("director", "industrial")


@dataclass(frozen=True)
class DocumentOptions:
    """How documents are made: language, version stamp, online links and the sides' labels.

    published_at: when the schedule was published (aware, or naive in the salon's timezone);
    None prints "not published". links: participant id -> URL of the online agenda (QR code).
    side_labels: the salon's own names for its two sides (default "Directeurs de programme" /
    "Industriels", translated).
    """

    language: str = DEFAULT_LANGUAGE
    published_at: dt.datetime | None = None
    generated_at: dt.datetime | None = None
    links: Mapping[str, str] = field(default_factory=dict)
    side_labels: Mapping[str, str] = field(default_factory=dict)
    qr_codes: bool = True

    def side_label(self, side: Side) -> str:
        """The salon's label for a side, else the translated default."""
        return self.side_labels.get(side) or gettext(self.language, DEFAULT_SIDE_LABELS[side])

    def shown(self, participant: Participant) -> Participant:
        """The participant as documents show it: a role that is a side's raw code reads as the
        salon's label of that side (api.sides.role_text)."""
        role = role_text(participant.role, self.side_labels, self.language)
        if role == participant.role:
            return participant
        return participant.model_copy(update={"role": role})


def side_of(participant: Participant) -> Side:
    """Directors sit at a home table; industrials move from table to table."""
    return "director" if participant.table is not None else "industrial"


def schedule_problems(salon: Salon, schedule: Schedule) -> list[Problem]:
    """References of the schedule that the salon does not know (participants, tables)."""
    ids = {p.id for p in salon.participants}
    tables = {t.id for t in salon.table_specs()}
    problems = []
    for i, meeting in enumerate(schedule.meetings):
        for name, value in (("from", meeting.from_), ("to", meeting.to)):
            if value not in ids:
                message = f"unknown participant {value!r} (not in the salon file)"
                problems.append(Problem(f"$.meetings[{i}].{name}", "known_participant", message))
        if meeting.table not in tables:
            message = f"unknown table {meeting.table!r} (not in the salon file)"
            problems.append(Problem(f"$.meetings[{i}].table", "known_table", message))
        if meeting.end <= meeting.start:
            message = "the meeting ends before it starts"
            problems.append(Problem(f"$.meetings[{i}]", "interval_order", message))
    return problems


def check_schedule(salon: Salon, schedule: Schedule) -> None:
    """Raise FileFormatError when the schedule refers to participants or tables the salon lacks."""
    problems = schedule_problems(salon, schedule)
    if problems:
        raise FileFormatError(problems, "schedule")


def qr_data_uri(url: str) -> str:
    """A QR code of `url` as a PNG data: URI (no file, no network; cheaper to lay out than SVG)."""
    return str(segno.make(url, error="m").png_data_uri(scale=4, border=1))


# ------------------------------------------------------------------------------ views


@dataclass(frozen=True)
class TableRef:
    """Where a meeting takes place."""

    id: str
    label: str
    room: str | None


@dataclass(frozen=True)
class Entry:
    """One meeting seen from one participant: where, with whom, and who asked for it."""

    start: dt.datetime
    end: dt.datetime
    table: TableRef
    other: Participant
    other_side: Side
    asked: Asked


@dataclass
class AgendaRow:
    """A line of an agenda: a slot (with its meetings, or free, or unavailable) or a break."""

    kind: RowKind
    start: dt.datetime
    end: dt.datetime
    entries: list[Entry] = field(default_factory=list)


@dataclass
class Day:
    """The rows of one day (most salons have one)."""

    date: dt.date
    rows: list[AgendaRow]


@dataclass
class Agenda:
    """The personal agenda of a participant."""

    participant: Participant
    side: Side
    side_label: str
    home_table: TableRef | None
    days: list[Day]
    link: str | None
    anchor: str
    with_qr: bool = True

    @cached_property
    def qr(self) -> str | None:
        """The QR code of the online link (made when first shown: it costs a few ms)."""
        return qr_data_uri(self.link) if self.link and self.with_qr else None

    @property
    def meeting_count(self) -> int:
        return sum(len(row.entries) for day in self.days for row in day.rows)

    @property
    def row_count(self) -> int:
        return sum(len(day.rows) for day in self.days) + len(self.days)


@dataclass
class SheetRow:
    """A slot at one table: the guests (everyone but the table's owners) and all parties."""

    kind: RowKind
    start: dt.datetime
    end: dt.datetime
    guests: list[Participant] = field(default_factory=list)
    parties: list[Participant] = field(default_factory=list)


@dataclass
class TableSheet:
    """The slot-by-slot list of who sits at one table."""

    table: TableRef
    owners: list[Participant]
    days: list[tuple[dt.date, list[SheetRow]]]
    anchor: str

    @property
    def meeting_count(self) -> int:
        return sum(1 for _, rows in self.days for row in rows if row.kind == "meeting")


@dataclass
class GridRow:
    """A table in the master grid: one cell (the guests met there) per slot of the session."""

    table: TableRef
    owners: list[Participant]
    cells: list[list[Participant]]


@dataclass
class GridSession:
    """One session of the master grid: its slots as columns, the tables as rows."""

    date: dt.date
    start: dt.datetime
    end: dt.datetime
    slots: list[Slot]
    rows: list[GridRow]


@dataclass
class Version:
    """The stamp that tells a printed sheet from a newer one."""

    published_at: dt.datetime | None
    generated_at: dt.datetime


class SalonDocuments:
    """A salon and its schedule indexed for the documents; build views with its methods."""

    def __init__(self, salon: Salon, schedule: Schedule, options: DocumentOptions | None = None):
        self.salon = salon
        self.schedule = schedule
        self.options = options or DocumentOptions()
        self.tz = ZoneInfo(salon.timezone)
        self.participants = {p.id: self.options.shown(p) for p in salon.participants}
        self.position = {p.id: i for i, p in enumerate(salon.participants)}
        self.tables = {t.id: t for t in salon.table_specs()}
        self.table_position = {table_id: i for i, table_id in enumerate(self.tables)}
        self.slots = build_slots(salon)
        self.meetings_of: dict[str, list[ScheduledMeeting]] = defaultdict(list)
        self.meetings_at: dict[str, list[ScheduledMeeting]] = defaultdict(list)
        for meeting in sorted(schedule.meetings, key=lambda m: (m.start, m.table)):
            self.meetings_of[meeting.from_].append(meeting)
            if meeting.to != meeting.from_:
                self.meetings_of[meeting.to].append(meeting)
            self.meetings_at[meeting.table].append(meeting)
        self.wished = {(w.from_, w.to) for w in salon.wishes if not w.declined}
        self.owners: dict[str, list[Participant]] = defaultdict(list)
        for participant in self.participants.values():
            if participant.table is not None:
                self.owners[participant.table].append(participant)

    # ------------------------------------------------------------------ helpers

    @property
    def language(self) -> str:
        return self.options.language

    def local(self, moment: dt.datetime) -> dt.datetime:
        """A moment in the salon's local time (naive values already are)."""
        if moment.tzinfo is None:
            return moment
        return moment.astimezone(self.tz).replace(tzinfo=None)

    @cached_property
    def version(self) -> Version:
        generated = self.options.generated_at
        published = self.options.published_at
        return Version(
            published_at=None if published is None else self.local(published),
            generated_at=local_now(self.tz) if generated is None else self.local(generated),
        )

    @cached_property
    def days(self) -> list[dt.date]:
        return sorted({slot.start.date() for slot in self.slots})

    def table_ref(self, table_id: str) -> TableRef:
        spec = self.tables.get(table_id) or TableSpec(id=table_id)
        return TableRef(id=spec.id, label=spec.name or spec.id, room=spec.room)

    def side(self, participant_id: str) -> Side:
        return side_of(self.participants[participant_id])

    def asked(self, me: str, other: str) -> Asked:
        """Who asked for the meeting, seen from `me`."""
        mine, theirs = (me, other) in self.wished, (other, me) in self.wished
        if mine and theirs:
            return "both"
        if mine:
            return "you"
        return "them" if theirs else "organiser"

    def participants_of(
        self, side: Side | None = None, ids: Iterable[str] | None = None
    ) -> list[Participant]:
        """The participants of a side (or all), in the salon's order, or the given ids."""
        if ids is not None:
            return [self.participants[i] for i in ids]
        return [p for p in self.salon.participants if side is None or side_of(p) == side]

    def _row_times(self, meetings: list[ScheduledMeeting]) -> list[tuple[dt.datetime, dt.datetime]]:
        """The slots, plus the times of meetings that lie off the slot grid, in time order."""
        times = {(slot.start, slot.end) for slot in self.slots}
        starts = {slot.start for slot in self.slots}
        times.update((m.start, m.end) for m in meetings if m.start not in starts)
        return sorted(times)

    def _breaks(self) -> dict[dt.datetime, tuple[dt.datetime, dt.datetime]]:
        """Breaks between two sessions of a day, keyed by the start of the slot after them."""
        found = {}
        for before, after in zip(self.slots, self.slots[1:], strict=False):
            same_day = before.start.date() == after.start.date()
            if after.session != before.session and same_day and after.start > before.end:
                found[after.start] = (before.end, after.start)
        return found

    # ------------------------------------------------------------------ agendas

    def agenda(self, participant_id: str) -> Agenda:
        """The personal agenda of one participant."""
        participant = self.participants[participant_id]
        meetings = self.meetings_of.get(participant_id, [])
        by_start: dict[dt.datetime, list[ScheduledMeeting]] = defaultdict(list)
        for meeting in meetings:
            by_start[meeting.start].append(meeting)
        breaks = self._breaks()
        days: dict[dt.date, list[AgendaRow]] = defaultdict(list)
        for start, end in self._row_times(meetings):
            rows = days[start.date()]
            if start in breaks:
                rows.append(AgendaRow("break", *breaks[start]))
            entries = [self.entry(participant_id, m) for m in by_start.get(start, [])]
            rows.append(
                AgendaRow(self._row_kind(participant, start, end, entries), start, end, entries)
            )
        link = self.options.links.get(participant_id)
        side = side_of(participant)
        return Agenda(
            participant=participant,
            side=side,
            side_label=self.options.side_label(side),
            home_table=None if participant.table is None else self.table_ref(participant.table),
            days=[Day(date, rows) for date, rows in sorted(days.items())],
            link=link,
            anchor=f"agenda-{self.position[participant_id]}",
            with_qr=self.options.qr_codes,
        )

    @staticmethod
    def _row_kind(
        participant: Participant, start: dt.datetime, end: dt.datetime, entries: list[Entry]
    ) -> RowKind:
        if entries:
            return "meeting"
        slot = Slot(0, 0, 0, start, end)
        return "free" if slot_is_free(slot, participant.unavailable) else "unavailable"

    def entry(self, me: str, meeting: ScheduledMeeting) -> Entry:
        """A meeting as seen by participant `me`."""
        other = meeting.to if meeting.from_ == me else meeting.from_
        return Entry(
            start=meeting.start,
            end=meeting.end,
            table=self.table_ref(meeting.table),
            other=self.participants[other],
            other_side=self.side(other),
            asked=self.asked(me, other),
        )

    def agendas(self, side: Side | None = None, ids: Iterable[str] | None = None) -> list[Agenda]:
        """The agendas of a side (or of everyone, or of the given participant ids)."""
        return [self.agenda(p.id) for p in self.participants_of(side, ids)]

    # ------------------------------------------------------------------ table sheets

    def table_sheet(self, table_id: str) -> TableSheet:
        """Who sits at a table, slot by slot."""
        owners = self.owners.get(table_id, [])
        owner_ids = {p.id for p in owners}
        meetings = self.meetings_at.get(table_id, [])
        by_start: dict[dt.datetime, list[ScheduledMeeting]] = defaultdict(list)
        for meeting in meetings:
            by_start[meeting.start].append(meeting)
        breaks = self._breaks()
        days: dict[dt.date, list[SheetRow]] = defaultdict(list)
        for start, end in self._row_times(meetings):
            rows = days[start.date()]
            if start in breaks:
                rows.append(SheetRow("break", *breaks[start]))
            parties = [
                self.participants[pid] for m in by_start.get(start, []) for pid in (m.from_, m.to)
            ]
            guests = [p for p in parties if p.id not in owner_ids]
            kind: RowKind = "meeting" if parties else "free"
            rows.append(SheetRow(kind, start, end, guests, parties))
        return TableSheet(
            table=self.table_ref(table_id),
            owners=owners,
            days=sorted(days.items()),
            anchor=f"table-{self.table_position.get(table_id, len(self.tables))}",
        )

    def table_sheets(self, ids: Iterable[str] | None = None) -> list[TableSheet]:
        """The sheets of every table (or of the given ones) in the salon's order."""
        return [self.table_sheet(t) for t in (ids if ids is not None else self.tables)]

    # ------------------------------------------------------------------ master grid

    def grid(self) -> list[GridSession]:
        """The master grid: for each session, tables as rows and its slots as columns."""
        sessions: dict[int, list[Slot]] = defaultdict(list)
        for slot in self.slots:
            sessions[slot.session].append(slot)
        cells: dict[tuple[str, dt.datetime], list[Participant]] = defaultdict(list)
        for meeting in self.schedule.meetings:
            owners = {p.id for p in self.owners.get(meeting.table, [])}
            for pid in (meeting.from_, meeting.to):
                if pid not in owners:
                    cells[meeting.table, meeting.start].append(self.participants[pid])
        grid = []
        for slots in sorted(sessions.values(), key=lambda s: s[0].start):
            rows = [
                GridRow(
                    table=self.table_ref(table_id),
                    owners=self.owners.get(table_id, []),
                    cells=[cells.get((table_id, slot.start), []) for slot in slots],
                )
                for table_id in self.tables
            ]
            grid.append(
                GridSession(slots[0].start.date(), slots[0].start, slots[-1].end, slots, rows)
            )
        return grid
