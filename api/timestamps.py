"""The service's one clock: timestamps stored as naive UTC, shown as aware UTC or in Paris time.

- `utc_now` is now, in the storage form (naive UTC), for every module; every other reading of
  the time derives from it: `local_now(timezone)` (now in a salon's timezone, naive like salon
  times: the repair desk's "now", the documents' "generated at"), and an aware UTC moment is
  `from_storage(utc_now())` (a mail's Date header, a calendar's DTSTAMP).
- `to_storage`, `from_storage`: bookkeeping timestamps of the salon service (an aware value as
  naive UTC, a naive one taken as UTC already; shown back as aware UTC).
- The catalogue's people live in Europe/Paris: `paris_to_storage` reads an input datetime whose
  naive values are Paris time, `to_paris`, `paris_day` and `format_paris` show a stored one.

Salon times (sessions, meetings, unavailability) are a different thing: naive local times of
the salon's timezone, stored as they are.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def utc_now() -> dt.datetime:
    """Now, as a naive UTC datetime (the storage form)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def local_now(timezone: str | dt.tzinfo) -> dt.datetime:
    """Now in `timezone` (an IANA name such as 'Europe/Paris', or a tzinfo), naive: the form
    of a salon's times. An unknown name raises `zoneinfo.ZoneInfoNotFoundError`."""
    zone = ZoneInfo(timezone) if isinstance(timezone, str) else timezone
    return from_storage(utc_now()).astimezone(zone).replace(tzinfo=None)


def to_storage(value: dt.datetime) -> dt.datetime:
    """An aware datetime as naive UTC; a naive one is taken as UTC already."""
    if value.tzinfo is None:
        return value
    return value.astimezone(dt.UTC).replace(tzinfo=None)


def from_storage(value: dt.datetime) -> dt.datetime:
    """A stored naive UTC datetime as an aware UTC datetime."""
    return value.replace(tzinfo=dt.UTC)


def maybe_from_storage(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else from_storage(value)


def paris_to_storage(value: dt.datetime) -> dt.datetime:
    """An input datetime as stored (naive UTC): a naive one is Paris time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=PARIS)
    return value.astimezone(dt.UTC).replace(tzinfo=None)


def to_paris(value: dt.datetime) -> dt.datetime:
    """A stored (naive UTC) datetime as an aware Europe/Paris datetime."""
    return value.replace(tzinfo=dt.UTC).astimezone(PARIS)


def paris_day(value: dt.datetime) -> dt.date:
    """The Paris day of a stored datetime."""
    return to_paris(value).date()


def format_paris(value: dt.datetime) -> str:
    """A stored datetime as '2023-11-14 09:30' (Paris time), for messages."""
    return to_paris(value).strftime("%Y-%m-%d %H:%M")
