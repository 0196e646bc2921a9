"""Time conventions: naive UTC in storage, Europe/Paris for people."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def utc_now() -> dt.datetime:
    """Now, as stored (naive UTC)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def to_storage(value: dt.datetime) -> dt.datetime:
    """An input datetime as stored: naive values are Paris time; the result is naive UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=PARIS)
    return value.astimezone(dt.UTC).replace(tzinfo=None)


def to_paris(value: dt.datetime) -> dt.datetime:
    """A stored (naive UTC) datetime as an aware Europe/Paris datetime."""
    return value.replace(tzinfo=dt.UTC).astimezone(PARIS)


def paris_day(value: dt.datetime) -> dt.date:
    """The Paris day of a stored datetime."""
    return to_paris(value).date()


def format_local(value: dt.datetime) -> str:
    """'2023-11-14 09:30' (Paris time) for messages."""
    return to_paris(value).strftime("%Y-%m-%d %H:%M")
