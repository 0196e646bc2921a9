"""What goes in which row: agendas, table sheets and the master grid built from a schedule."""

from __future__ import annotations

import datetime as dt

from documents_helpers import DAY, PUBLISHED, salon_data, schedule_data, tiny_documents

from api.documents import DocumentOptions, SalonDocuments, schedule_problems, side_of
from scheduler.loading import load_salon, load_schedule


def at(hour: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{DAY}T{hour}")


def rows_of(docs: SalonDocuments, pid: str) -> list[tuple[str, str, list[str]]]:
    return [
        (row.kind, row.start.strftime("%H:%M"), [e.other.id for e in row.entries])
        for day in docs.agenda(pid).days
        for row in day.rows
    ]


def test_agenda_has_every_slot_the_break_and_its_meetings_in_time_order() -> None:
    assert rows_of(tiny_documents(), "d1") == [
        ("meeting", "09:00", ["i1"]),
        ("meeting", "09:15", ["i2"]),
        ("free", "09:30", []),
        ("free", "09:45", []),
        ("break", "10:00", []),
        ("free", "14:00", []),
        ("free", "14:15", []),
    ]


def test_break_row_spans_the_gap_between_sessions() -> None:
    rows = tiny_documents().agenda("d1").days[0].rows
    pause = next(row for row in rows if row.kind == "break")
    assert (pause.start, pause.end) == (at("10:00"), at("14:00"))


def test_unavailable_slot_is_marked_and_a_representative_pair_shares_a_slot() -> None:
    docs = tiny_documents()
    assert ("unavailable", "09:45", []) in rows_of(docs, "d2")
    assert ("meeting", "09:15", ["d1", "d2"]) in rows_of(docs, "i2")


def test_who_asked_is_seen_from_each_side() -> None:
    docs = tiny_documents()
    entries = {
        (pid, e.other.id): e.asked
        for pid in ("d1", "i1", "i2", "d2")
        for day in docs.agenda(pid).days
        for row in day.rows
        for e in row.entries
    }
    assert entries[("d1", "i1")] == "both"
    assert entries[("i1", "d1")] == "both"
    assert entries[("d1", "i2")] == "them"
    assert entries[("i2", "d1")] == "you"
    assert entries[("i1", "d2")] == "them"


def test_header_facts_home_table_side_and_counts() -> None:
    docs = tiny_documents(side_labels={"director": "Acheteurs"})
    director, industrial = docs.agenda("d1"), docs.agenda("i3")
    assert director.home_table is not None and director.home_table.room == "Salle A"
    assert (director.side, director.side_label) == ("director", "Acheteurs")
    assert (industrial.side, industrial.side_label) == ("industrial", "Industriels")
    assert director.meeting_count == 2 and industrial.meeting_count == 0
    assert side_of(docs.participants["d2"]) == "director"


def test_side_labels_default_to_the_language() -> None:
    docs = tiny_documents(language="en")
    assert docs.agenda("d1").side_label == "Programme directors"
    assert docs.agenda("i1").side_label == "Industrials"


def test_agendas_of_a_side_keep_the_salon_order() -> None:
    docs = tiny_documents()
    assert [a.participant.id for a in docs.agendas("director")] == ["d1", "d2"]
    assert [a.participant.id for a in docs.agendas("industrial")] == ["i1", "i2", "i3"]
    assert [a.participant.id for a in docs.agendas(ids=["i3", "d1"])] == ["i3", "d1"]


def test_qr_code_only_with_a_link() -> None:
    docs = tiny_documents(links={"d1": "https://salon.example.org/p/abc"})
    assert docs.agenda("d1").qr is not None
    assert docs.agenda("d1").qr.startswith("data:image/png")  # type: ignore[union-attr]
    assert docs.agenda("d2").qr is None and docs.agenda("d2").link is None


def test_table_sheet_lists_guests_slot_by_slot() -> None:
    sheet = tiny_documents().table_sheet("T2")
    assert [o.id for o in sheet.owners] == ["d2"]
    guests = {
        row.start.strftime("%H:%M"): [g.id for g in row.guests]
        for _, rows in sheet.days
        for row in rows
    }
    assert guests["09:15"] == ["i2"] and guests["14:15"] == ["i1"] and guests["09:00"] == []
    assert sheet.meeting_count == 2


def test_pool_table_sheet_lists_both_parties() -> None:
    data = schedule_data()
    data["meetings"].append(
        {"from": "i3", "to": "i2", "start": f"{DAY}T09:30", "end": f"{DAY}T09:45", "table": "P1"}
    )
    docs = SalonDocuments(load_salon(salon_data()), load_schedule(data))
    sheet = docs.table_sheet("P1")
    row = next(r for _, rows in sheet.days for r in rows if r.kind == "meeting")
    assert sheet.owners == [] and {p.id for p in row.parties} == {"i2", "i3"}


def test_grid_has_a_session_per_block_tables_as_rows_and_guests_in_cells() -> None:
    sessions = tiny_documents().grid()
    assert [len(s.slots) for s in sessions] == [4, 2]
    morning = {
        row.table.id: [[p.id for p in cell] for cell in row.cells] for row in sessions[0].rows
    }
    assert morning["T1"] == [["i1"], ["i2"], [], []]
    assert morning["T2"] == [[], ["i2"], [], []]


def test_version_is_local_time_of_the_salon() -> None:
    aware = dt.datetime(2023, 11, 21, 17, 0, tzinfo=dt.UTC)
    docs = SalonDocuments(
        load_salon(salon_data()),
        load_schedule(schedule_data()),
        DocumentOptions(published_at=aware),
    )
    assert docs.version.published_at == PUBLISHED


def test_schedule_problems_name_unknown_participants_and_tables() -> None:
    data = schedule_data()
    data["meetings"].append(
        {"from": "ghost", "to": "d1", "start": f"{DAY}T09:30", "end": f"{DAY}T09:45", "table": "T9"}
    )
    problems = schedule_problems(load_salon(salon_data()), load_schedule(data))
    assert [(p.path, p.rule) for p in problems] == [
        ("$.meetings[4].from", "known_participant"),
        ("$.meetings[4].table", "known_table"),
    ]
