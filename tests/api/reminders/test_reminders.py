"""The evening reminders (issue 13, item 5): due from the reminder hour the day before (salon
time) until the day's first meeting, each with the day's meetings, the personal link and the
calendar (alarms, absolute URL); recorded so that none is sent twice, even by two senders; one
that could not be sent is tried again; `salon reminders send` runs them."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
from pathlib import Path

from icalendar import Calendar
from pages_helpers import wishes_and_solve
from service_helpers import PROJECT, World

from api.mail import read_outbox
from api.reminders import send_due_reminders
from api.reminders import storage as reminder_storage
from api.reminders.service import due_days
from api.reminders.tables import ReminderSent
from api.settings import Settings

EVENING = dt.datetime(2023, 11, 27, 17, 0)  # UTC: 18:00 in Paris, the evening before
JUST_BEFORE = EVENING - dt.timedelta(minutes=1)
STARTED = dt.datetime(2023, 11, 28, 8, 0)  # UTC: 9:00 in Paris, the first meeting


def _ready(world: World, tmp_path: Path) -> Settings:
    """Addresses for D1, I1 and I2 (not D2); the schedule published; settings whose outbox is
    the test's."""
    for code in ("D1", "I1", "I2"):
        answer = world.client.patch(
            world.url(f"/participants/{world.ids[code]}"),
            json={"email": f"{code.lower()}@example.org"},
            headers=world.organiser,
        )
        assert answer.status_code == 200, answer.text
    version = wishes_and_solve(world)
    published = world.client.post(
        world.url(f"/schedules/{version}/publish"), headers=world.organiser
    )
    assert published.status_code == 200, published.text
    app_settings: Settings = world.client.app.state.settings  # type: ignore[attr-defined]
    return app_settings.model_copy(update={"outbox_dir": tmp_path / "outbox"})


def _send(world: World, settings: Settings, now: dt.datetime) -> int:
    with world.client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        return send_due_reminders(session, settings, now)


def test_due_from_the_hour_the_day_before_until_the_first_meeting() -> None:
    first = {dt.date(2023, 11, 28): dt.datetime(2023, 11, 28, 9, 0)}
    assert due_days(first, dt.datetime(2023, 11, 27, 17, 59), 18) == []
    assert due_days(first, dt.datetime(2023, 11, 27, 18, 0), 18) == [dt.date(2023, 11, 28)]
    assert due_days(first, dt.datetime(2023, 11, 28, 8, 59), 18) == [dt.date(2023, 11, 28)]
    assert due_days(first, dt.datetime(2023, 11, 28, 9, 0), 18) == []


def test_the_evening_reminder_once_with_the_calendar(world: World, tmp_path: Path) -> None:
    settings = _ready(world, tmp_path)
    assert _send(world, settings, JUST_BEFORE) == 0
    assert _send(world, settings, EVENING) == 3  # D1, I1, I2 have meetings and an address
    mails = {str(m["To"]): m for m in read_outbox(settings.outbox_dir)}
    assert set(mails) == {"d1@example.org", "i1@example.org", "i2@example.org"}
    mail = mails["i1@example.org"]
    assert "Vos rendez-vous de demain" in str(mail["Subject"])
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Bonjour Nom I1," in text and "Nom D1, Org D1" in text and "Nom D2, Org D2" in text
    assert "Here are your 2 meetings of 2023-11-28" in text
    assert "http://testserver/p/" in text
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_filename() == "agenda.ics"
    assert attachment.get_content_type() == "text/calendar"
    calendar = Calendar.from_ical(attachment.get_payload(decode=True))
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 2
    for event in events:
        assert str(event["URL"]).startswith("http://testserver/p/")
        assert event.walk("VALARM")[0]["TRIGGER"].dt == -dt.timedelta(minutes=10)
    # never twice: later that evening, and the next morning before the first meeting
    assert _send(world, settings, EVENING + dt.timedelta(hours=2)) == 0
    assert _send(world, settings, STARTED - dt.timedelta(minutes=5)) == 0
    assert len(read_outbox(settings.outbox_dir)) == 3
    with world.client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        recorded = reminder_storage.reminders_of(session, participant_id=world.ids["I1"])
        assert [(r.key, r.schedule_version) for r in recorded] == [("evening:2023-11-28", 1)]


def test_too_late_once_the_day_has_begun(world: World, tmp_path: Path) -> None:
    settings = _ready(world, tmp_path)
    assert _send(world, settings, STARTED) == 0
    assert read_outbox(settings.outbox_dir) == []


def test_the_salons_hour_and_timezone(world: World, tmp_path: Path) -> None:
    settings = _ready(world, tmp_path).model_copy(update={"reminder_hour": 20})
    assert _send(world, settings, EVENING) == 0  # 18:00 in Paris: not yet 20:00
    answer = world.client.patch(
        world.url(), json={"timezone": "America/Montreal"}, headers=world.organiser
    )
    assert answer.status_code == 200, answer.text
    # 2023-11-28 01:00 UTC is 20:00 in Montréal the day before: due
    assert _send(world, settings, dt.datetime(2023, 11, 28, 1, 0)) == 3


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_a_reminder_not_sent_is_tried_again(world: World, tmp_path: Path) -> None:
    settings = _ready(world, tmp_path)
    down = settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": _closed_port(), "smtp_timeout": 2.0}
    )
    assert _send(world, down, EVENING) == 0
    with world.client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        assert reminder_storage.reminders_of(session, participant_id=world.ids["I1"]) == []
    assert _send(world, settings, EVENING) == 3


def test_two_senders_claim_a_reminder_once(world: World, tmp_path: Path) -> None:
    _ready(world, tmp_path)
    factory = world.client.app.state.session_factory  # type: ignore[attr-defined]

    def reminder() -> ReminderSent:
        return ReminderSent(
            salon_id=world.salon_id,
            participant_id=world.ids["I1"],
            key="evening:2023-11-28",
            schedule_version=1,
            digest="0" * 64,
            sent_at=EVENING,
        )

    with factory() as first, factory() as second:
        assert reminder_storage.claim_reminder(first, reminder=reminder())
        first.commit()
        assert not reminder_storage.claim_reminder(second, reminder=reminder())
        second.rollback()


def test_the_command_sends_the_due_reminders(world: World, tmp_path: Path) -> None:
    settings = _ready(world, tmp_path)
    environment = {
        **os.environ,
        "SALON_LANG": "fr",
        "DATABASE_URL": settings.database_url,
        "SALON_OUTBOX_DIR": str(settings.outbox_dir),
        "SALON_BASE_URL": "https://salon.example.org",
    }
    command = [sys.executable, "-c", "import sys; from api.cli import main; sys.exit(main())"]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*command, "reminders", "send", *args], cwd=PROJECT, env=environment,
            capture_output=True, text=True, timeout=120,
        )

    refused = run("--now", "demain soir")
    assert refused.returncode == 1 and "ISO 8601" in refused.stderr
    done = run("--now", EVENING.isoformat())
    assert done.returncode == 0, done.stderr
    assert "3 rappel(s) envoyé(s)" in done.stdout
    assert "3 rappel(s) envoyé(s)" not in run("--now", EVENING.isoformat()).stdout
    texts = [m.get_body(("plain",)).get_content() for m in read_outbox(settings.outbox_dir)]  # type: ignore[union-attr]
    assert len(texts) == 3 and all("https://salon.example.org/p/" in t for t in texts)
