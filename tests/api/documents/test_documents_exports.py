"""iCal feeds parsed back, CSV and XLSX read back."""

from __future__ import annotations

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import openpyxl
from documents_helpers import DAY, EVIL, salon_data, schedule_data, tiny_documents
from icalendar import Calendar

from api.documents import (
    DocumentOptions,
    SalonDocuments,
    meeting_uid,
    meetings_csv,
    meetings_xlsx,
    participant_calendar,
)
from scheduler.loading import load_salon, load_schedule

PARIS = ZoneInfo("Europe/Paris")


def events(feed: bytes) -> list:  # type: ignore[type-arg]
    return list(Calendar.from_ical(feed).walk("VEVENT"))


def test_ical_feed_has_each_meeting_with_paris_time_and_table() -> None:
    feed = participant_calendar(tiny_documents(), "i2")
    calendar = Calendar.from_ical(feed)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    found = sorted(events(feed), key=lambda e: str(e["LOCATION"]))
    assert len(found) == 2
    start = found[0].decoded("DTSTART")
    assert start == dt.datetime(2023, 11, 28, 9, 15, tzinfo=PARIS)
    assert start.tzinfo is not None and str(found[0]["DTSTART"].params["TZID"]) == "Europe/Paris"
    assert found[0].decoded("DTEND") - start == dt.timedelta(minutes=15)
    assert str(found[0]["LOCATION"]) == "Table T1, Salle A"
    assert str(found[1]["LOCATION"]) == "Table T2"
    assert "Anne Directrice" in str(found[0]["SUMMARY"])
    assert "Demandé par vous" in str(found[0]["DESCRIPTION"])
    assert b"\r\n" in feed


def test_ical_uids_are_stable_and_survive_a_move() -> None:
    before = {str(e["UID"]): e for e in events(participant_calendar(tiny_documents(), "d1"))}
    data = schedule_data()
    data["meetings"][0] = {
        "from": "i1",
        "to": "d1",
        "start": f"{DAY}T09:45",
        "end": f"{DAY}T10:00",
        "table": "T1",
    }
    later = dt.datetime(2023, 11, 25, 9, 0)
    moved = SalonDocuments(
        load_salon(salon_data()), load_schedule(data), DocumentOptions(published_at=later)
    )
    after = {str(e["UID"]): e for e in events(participant_calendar(moved, "d1"))}
    assert (
        set(before)
        == set(after)
        == {
            meeting_uid("Salon test & démo", "d1", "i1"),
            meeting_uid("Salon test & démo", "i2", "d1"),
        }
    )
    uid = meeting_uid("Salon test & démo", "i1", "d1")
    assert after[uid].decoded("DTSTART").hour == 9 and after[uid].decoded("DTSTART").minute == 45
    assert int(after[uid]["SEQUENCE"]) > int(before[uid]["SEQUENCE"])
    assert meeting_uid("Salon test & démo", "d1", "i1") != meeting_uid("Autre salon", "d1", "i1")


def test_ical_feed_in_english_and_empty_feed() -> None:
    feed = participant_calendar(tiny_documents(language="en"), "d1")
    assert any("Asked by both of you" in str(e["DESCRIPTION"]) for e in events(feed))
    assert events(participant_calendar(tiny_documents(), "i3")) == []


def test_csv_export_reads_back_with_the_french_delimiter_and_no_formula() -> None:
    data = meetings_csv(tiny_documents())
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:5] == ["Date", "Début", "Fin", "Table", "Salle"]
    assert len(rows) == 1 + 4
    first = rows[1]
    assert first[:7] == [DAY, "09:00", "09:15", "T1", "Salle A", "d1", "Anne Directrice"]
    assert first[9] == EVIL and first[10] == "'=cmd|' /C calc'!A0"
    assert first[12] == "les deux"


def test_csv_in_english_uses_commas() -> None:
    data = meetings_csv(tiny_documents(language="en")).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data)))
    assert rows[0][0:3] == ["Date", "Start", "End"] and len(rows) == 5


def test_xlsx_export_reads_back_typed_and_without_formulas() -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(meetings_xlsx(tiny_documents())))
    assert workbook.sheetnames == ["Rendez-vous", "Non programmés"]
    sheet = workbook["Rendez-vous"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][3] == "Table" and len(rows) == 5
    assert rows[1][0] == dt.datetime(2023, 11, 28) and rows[1][1] == dt.time(9, 0)
    assert rows[1][9] == EVIL
    assert rows[1][10] == "=cmd|' /C calc'!A0" and sheet.cell(2, 11).data_type == "s"
    unscheduled = list(workbook["Non programmés"].iter_rows(values_only=True))
    assert unscheduled[1] == (
        "i3",
        "Denis Sanrendezvous",
        "d2",
        "Bruno Directeur",
        "no_common_slot",
        "aucun créneau",
    )
