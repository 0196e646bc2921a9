"""No-shows feed the repair: what the day's records propose to the repair desk.

Two kinds of facts become changes/v1 items (docs/changes.md), proposed together as ONE change
set that opens the repair desk (`/o/salons/{id}/repair?changes=...&now=...`) with them recorded
but nothing repaired, stored or published: the organiser reads them, removes what it knows
better, runs the repair and publishes as on any other day (the freed slots then go to the
waiting list, as the repair always does).

- A participant with meetings in the published schedule, not checked in when its first meeting
  starts: `participant_cancelled` (the desk reads "X ne vient pas"; the repair keeps the past as
  it was and frees its meetings from now on).
- A meeting marked no-show with who did not come: `no_show` of that participant at its start.

What a published repair already says (a participant cancelled, a no-show reported) is not
proposed again. A change set too long for a link (MAX_LINK) is posted to the repair instead,
which makes a draft the organiser reads before publishing: still nothing changes for anyone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from api.auth import CurrentOrganiser
from api.dayof.service import day_data
from api.repairs import storage as repair_storage
from api.repairs.forms import write_pending
from api.repairs.service import salon_clock
from api.salons import service as salons
from api.web import url_with

MAX_LINK = 6000
"""Characters of the desk's link at most (servers refuse request lines of 8 to 16 kB)."""


@dataclass(frozen=True)
class ProposedChange:
    """One change of the proposal and what the desk shows of it."""

    change: dict[str, Any]
    name: str
    when: dt.datetime


@dataclass
class Proposal:
    """The change set proposed to the repair desk at `now` (the salon's clock)."""

    salon_id: int
    now: dt.datetime
    not_arrived: list[ProposedChange] = field(default_factory=list)
    no_shows: list[ProposedChange] = field(default_factory=list)

    @property
    def changes(self) -> list[dict[str, Any]]:
        return [p.change for p in self.not_arrived + self.no_shows]

    @property
    def pending(self) -> str:
        """The changes as the repair desk's forms carry them (its hidden `pending` field)."""
        return write_pending(self.changes)

    @property
    def now_text(self) -> str:
        return self.now.strftime("%Y-%m-%dT%H:%M")

    @property
    def fits_in_link(self) -> bool:
        """Whether the desk's link stays short enough for every server and browser; a longer
        change set is posted to the repair instead (a draft: still nothing is published)."""
        return len(self.desk_url) <= MAX_LINK

    @property
    def desk_url(self) -> str:
        """The repair desk with the proposed changes recorded (nothing applied yet)."""
        return url_with(
            f"/o/salons/{self.salon_id}/repair",
            {"changes": self.pending, "now": self.now_text},
        )


def _minute(value: dt.datetime) -> str:
    return value.isoformat(timespec="minutes")


def _already_said(session: Session, salon_id: int) -> tuple[set[str], set[tuple[str, str]]]:
    """Participants cancelled and (participant, time) no-shows in the published repairs."""
    cancelled: set[str] = set()
    no_shows: set[tuple[str, str]] = set()
    for repair in repair_storage.published_repairs(session, salon_id=salon_id):
        for change in repair.changes:
            if change.get("kind") == "participant_cancelled":
                cancelled.add(str(change.get("participant")))
            elif change.get("kind") == "no_show":
                no_shows.add((str(change.get("participant")), str(change.get("at"))[:16]))
    return cancelled, no_shows


def proposed_changes(
    session: Session, *, organiser: CurrentOrganiser, salon_id: int, now: dt.datetime | None = None
) -> Proposal:
    """The no-shows of the day as one change set for the repair desk (see the module)."""
    salon = salons.organiser_salon(session, organiser=organiser, salon_id=salon_id)
    now = now or salon_clock(salon.timezone)
    data = day_data(session, salon=salon)
    proposal = Proposal(salon.id, now)
    if data.schedule is None:
        return proposal
    cancelled, reported = _already_said(session, salon.id)
    people = data.by_code
    for code, start in sorted(data.first_meeting().items(), key=lambda item: (item[1], item[0])):
        participant = people[code]
        if start > now or participant.id in data.arrivals or code in cancelled:
            continue
        change = {"kind": "participant_cancelled", "participant": code}
        proposal.not_arrived.append(ProposedChange(change, participant.name, start))
    for meeting in data.meetings:
        absent = meeting.absent
        if meeting.status != "no_show" or absent is None or meeting.start > now:
            continue
        if (absent, _minute(meeting.start)) in reported:
            continue
        change = {"kind": "no_show", "participant": absent, "at": _minute(meeting.start)}
        proposal.no_shows.append(ProposedChange(change, people[absent].name, meeting.start))
    return proposal
