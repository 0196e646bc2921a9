"""Timestamps of the service: stored as naive UTC, shown as aware UTC.

Salon times (sessions, meetings, unavailability) are a different thing: naive local times of
the salon's timezone, stored as they are.
"""

from __future__ import annotations

import datetime as dt


def utc_now() -> dt.datetime:
    """Now, as a naive UTC datetime (the storage form)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


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
