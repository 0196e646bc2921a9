"""The service's one clock (api/timestamps.py): every reading of the time of day derives from
`utc_now`; a salon's local "now", a mail's Date header and the repair desk's clock included; no
other module of api/ reads the date or time of day itself."""

from __future__ import annotations

import ast
import datetime as dt
from email.utils import parsedate_to_datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest

from api.mail import build_message
from api.repairs.service import salon_clock
from api.settings import Settings
from api.timestamps import PARIS, from_storage, local_now, utc_now

API = Path(__file__).resolve().parents[2] / "api"
CLOCK_READINGS = {"now", "utcnow", "today"}


def _close(first: dt.datetime, second: dt.datetime, seconds: float = 5.0) -> bool:
    return abs((first - second).total_seconds()) < seconds


@pytest.mark.parametrize("zone", ["Europe/Paris", "America/Montreal", "Asia/Kolkata", "UTC"])
def test_local_now_is_utc_now_in_the_zone(zone: str) -> None:
    before = utc_now()
    local = local_now(zone)
    assert local.tzinfo is None
    as_utc = local.replace(tzinfo=ZoneInfo(zone)).astimezone(dt.UTC).replace(tzinfo=None)
    assert _close(as_utc, before)
    assert local_now(ZoneInfo(zone)).tzinfo is None
    assert _close(local_now(ZoneInfo(zone)), local)


def test_local_now_refuses_an_unknown_zone() -> None:
    with pytest.raises(ZoneInfoNotFoundError):
        local_now("Mars/Olympus_Mons")


def test_the_repair_desks_clock_is_local_to_the_minute() -> None:
    montreal = salon_clock("America/Montreal")
    assert montreal.second == 0 and montreal.microsecond == 0
    assert _close(montreal, local_now("America/Montreal"), 61)
    assert _close(salon_clock("Pas/Une_Zone"), local_now(PARIS), 61)  # an unknown zone: Paris


def test_a_mails_date_is_the_clocks(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'mail.db'}", outbox_dir=tmp_path)
    message = build_message(settings, to="a@example.org", subject="Objet", body="Texte")
    sent = parsedate_to_datetime(str(message["Date"]))
    assert sent.utcoffset() == dt.timedelta(0)
    assert _close(sent, from_storage(utc_now()))


def _clock_readings(tree: ast.Module) -> list[str]:
    """`datetime.now(...)`, `dt.datetime.utcnow()`, `date.today()`... in a module."""
    return [
        f"line {node.lineno}: {ast.unparse(node)}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in CLOCK_READINGS
        and ast.unparse(node.func.value).rsplit(".", 1)[-1] in ("datetime", "date")
    ]


def test_no_module_reads_the_clock_but_timestamps() -> None:
    """Durations use time.monotonic(); epoch seconds (time.time()) stay where they are compared
    with other epoch seconds: files' mtimes, the rate limiter's windows (the limits library's
    own clock)."""
    found = {
        path.relative_to(API).as_posix(): readings
        for path in sorted(API.rglob("*.py"))
        if path.name != "timestamps.py"
        and "migrations" not in path.parts
        and (readings := _clock_readings(ast.parse(path.read_text(encoding="utf-8"))))
    }
    assert found == {}
