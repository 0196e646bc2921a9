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

A simulated clock, for tests and rehearsals only (`SALON_CLOCK_START`, `SALON_CLOCK_SPEED`,
`SALON_CLOCK_ANCHOR`): `configure_clock(settings)` (called by `create_app`, `salon worker` and
`salon reminders send`) makes `utc_now` read that instant at the anchor (a real UTC instant;
default: when it is called) and run at the given speed; the server, the room display's clock and
everything else then read the simulated time. Processes that must agree (a server and its
workers) are given the same anchor. Unset, the real clock is read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


class ClockSettings(Protocol):
    clock_start: dt.datetime | None
    clock_speed: float
    clock_anchor: dt.datetime | None


@dataclass(frozen=True)
class SimulatedClock:
    """`start` (naive UTC) at the real instant `anchor`, running `speed` times as fast."""

    start: dt.datetime
    anchor: dt.datetime
    speed: float = 1.0

    def at(self, real: dt.datetime) -> dt.datetime:
        return self.start + (real - self.anchor) * self.speed


_simulated: SimulatedClock | None = None


def real_utc_now() -> dt.datetime:
    """The real clock (naive UTC), whatever is simulated: only to anchor a simulated clock."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def set_clock(
    start: dt.datetime | None, speed: float = 1.0, anchor: dt.datetime | None = None
) -> None:
    """`utc_now` reads `start` (aware, or naive UTC) at the real instant `anchor` (default: now)
    and runs `speed` times as fast; None: the real clock again. For tests and rehearsals (see the
    module's docstring); processes given the same anchor (a server and its workers) agree."""
    global _simulated
    if start is None:
        _simulated = None
        return
    if speed <= 0:
        raise ValueError(f"clock speed must be positive, not {speed}")
    real = real_utc_now() if anchor is None else to_storage(anchor)
    _simulated = SimulatedClock(to_storage(start), real, speed)


def configure_clock(settings: ClockSettings) -> None:
    """The clock the settings ask for: simulated from `clock_start` (at `clock_anchor`, default
    when this is called) when set, else the real one."""
    set_clock(settings.clock_start, settings.clock_speed, settings.clock_anchor)


def clock_speed() -> float:
    """How many simulated seconds pass in a real second (1 on the real clock)."""
    return 1.0 if _simulated is None else _simulated.speed


def utc_now() -> dt.datetime:
    """Now, as a naive UTC datetime (the storage form); the simulated clock's when one is set."""
    real = real_utc_now()
    return real if _simulated is None else _simulated.at(real)


def local_now(timezone: str | dt.tzinfo) -> dt.datetime:
    """Now in `timezone` (an IANA name such as 'Europe/Paris', or a tzinfo), naive: the form
    of a salon's times. An unknown name raises `zoneinfo.ZoneInfoNotFoundError`."""
    return to_local(from_storage(utc_now()), timezone)


def to_local(value: dt.datetime, timezone: str | dt.tzinfo) -> dt.datetime:
    """An aware moment as the naive local time of `timezone` (the form of a salon's times)."""
    zone = ZoneInfo(timezone) if isinstance(timezone, str) else timezone
    return value.astimezone(zone).replace(tzinfo=None)


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
