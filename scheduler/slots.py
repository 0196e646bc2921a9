"""The time grid: the slots that the sessions of a salon yield."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from scheduler.format import Interval, Salon


@dataclass(frozen=True)
class Slot:
    """One meeting slot: [start, end) in session `session`, `position`-th of that session."""

    index: int
    session: int
    position: int
    start: dt.datetime
    end: dt.datetime


def session_slot_starts(salon: Salon, session_index: int) -> list[dt.datetime]:
    """Slot starts of a session: its start, then every meeting + changeover while one fits."""
    session = salon.sessions[session_index]
    step = dt.timedelta(minutes=salon.meeting_minutes + salon.changeover_minutes)
    length = dt.timedelta(minutes=salon.meeting_minutes)
    starts: list[dt.datetime] = []
    current = session.starts_at
    # Compared by differences: near the last representable date, `current + step` overflows.
    while session.ends_at - current >= length:
        starts.append(current)
        if session.ends_at - current < step:
            break
        current += step
    return starts


def build_slots(salon: Salon) -> list[Slot]:
    """All slots of the salon in time order, numbered from 0."""
    length = dt.timedelta(minutes=salon.meeting_minutes)
    order = sorted(range(len(salon.sessions)), key=lambda i: salon.sessions[i].starts_at)
    slots: list[Slot] = []
    for session_index in order:
        for position, start in enumerate(session_slot_starts(salon, session_index)):
            slots.append(Slot(len(slots), session_index, position, start, start + length))
    return slots


def slot_is_free(slot: Slot, unavailable: list[Interval]) -> bool:
    """False when the slot's meeting time overlaps one of the intervals."""
    return not any(i.overlaps(slot.start, slot.end) for i in unavailable)


def slot_is_within(slot: Slot, during: list[Interval] | None) -> bool:
    """True when `during` is unset or one of its intervals contains the slot's meeting."""
    return during is None or any(i.contains(slot.start, slot.end) for i in during)
