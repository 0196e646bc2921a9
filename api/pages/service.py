"""What the pages need beyond the salon domain: side labels, documents of a stored schedule,
the organiser's dashboard figures and the batch PDFs (made as print jobs: api.pages.prints).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from sqlalchemy.orm import Session

from api.documents import (
    CancelledMeeting,
    DocumentOptions,
    SalonDocuments,
    Side,
    agendas_pdf,
    grid_pdf,
    tables_pdf,
)
from api.documents.badges import badges_pdf
from api.pages.tables import SalonLabels
from api.pages.web import PageError
from api.salons import convert, storage
from api.salons.printed_links import site_secret
from api.salons.tables import Salon, Schedule
from api.settings import Settings
from scheduler.bounds import over_requested
from scheduler.format import Salon as SalonDocument
from scheduler.problem import build_problem

LABEL_MAX = 80

# --------------------------------------------------------------------- labels


def side_labels(session: Session, *, salon_id: int) -> dict[str, str]:
    """The salon's names for its sides (only those it set)."""
    row = session.get(SalonLabels, salon_id)
    if row is None:
        return {}
    labels = {"director": row.director_label, "industrial": row.industrial_label}
    return {side: label for side, label in labels.items() if label}


def set_side_labels(
    session: Session, *, salon_id: int, director: str, industrial: str
) -> dict[str, str]:
    """Store the salon's names for its sides; blank means the default text."""
    director, industrial = director.strip(), industrial.strip()
    if len(director) > LABEL_MAX or len(industrial) > LABEL_MAX:
        raise PageError("Un intitulé compte %(max)d caractères au plus.", status=422, max=LABEL_MAX)
    row = session.get(SalonLabels, salon_id) or SalonLabels(salon_id=salon_id)
    row.director_label = director or None
    row.industrial_label = industrial or None
    session.add(row)
    session.commit()
    return side_labels(session, salon_id=salon_id)


# ------------------------------------------------------------------ documents


def published_moment(schedule: Schedule) -> dt.datetime | None:
    """When the schedule was published, as an aware UTC moment."""
    if schedule.published_at is None:
        return None
    return schedule.published_at.replace(tzinfo=dt.UTC)


def cancelled_meetings(
    session: Session, *, schedule: Schedule, participant_id: int
) -> list[CancelledMeeting]:
    """The participant's meetings of earlier publications, each partner's last published one
    (the calendar writes those it no longer holds as cancelled: api.documents.ical)."""
    rows = storage.earlier_published_meetings(
        session, salon_id=schedule.salon_id, participant_id=participant_id, current_id=schedule.id
    )
    partner_ids = [r.to_id if r.from_id == participant_id else r.from_id for r in rows]
    partners = storage.participants_by_id(session, ids=partner_ids)
    latest: dict[str, CancelledMeeting] = {}
    for row, partner_id in zip(rows, partner_ids, strict=True):
        partner = partners[partner_id]
        latest[partner.code] = CancelledMeeting(partner.code, partner.name, row.start, row.end)
    return sorted(latest.values(), key=lambda meeting: (meeting.start, meeting.partner_id))


def participant_documents(
    session: Session,
    *,
    salon: Salon,
    schedule: Schedule,
    participant_id: int,
    code: str,
    link: str,
    language: str,
    qr_codes: bool = True,
) -> SalonDocuments:
    """One participant's documents of a stored schedule, its agenda linked to `link` (none
    when empty). Only what they show is read (`convert.participant_view`), not the whole
    salon: these are what every participant opens or is mailed, often at the same moment."""
    document, version = convert.participant_view(
        session, salon=salon, schedule=schedule, participant_id=participant_id
    )
    options = DocumentOptions(
        language=language,
        published_at=published_moment(schedule),
        links={code: link} if link else {},
        side_labels=side_labels(session, salon_id=salon.id),
        qr_codes=qr_codes,
    )
    return SalonDocuments(document, version, options)


def schedule_documents(
    session: Session,
    *,
    salon: Salon,
    schedule: Schedule,
    language: str,
    links: dict[str, str] | None = None,
) -> SalonDocuments:
    """The documents of a stored schedule version of a stored salon."""
    options = DocumentOptions(
        language=language,
        published_at=published_moment(schedule),
        links=links or {},
        side_labels=side_labels(session, salon_id=salon.id),
    )
    return SalonDocuments(
        convert.salon_document(session, salon=salon),
        convert.schedule_document(session, schedule=schedule),
        options,
    )


# ------------------------------------------------------------------ dashboard


@dataclass
class DirectorLoad:
    """Requests received by a participant against what it can hold."""

    code: str
    name: str
    organisation: str
    requests: int
    declined: int
    capacity: int
    over: bool


@dataclass
class Dashboard:
    """The organiser's figures of a salon."""

    participants: dict[str, int]
    submitted: dict[str, int]
    wishes: int
    declined: int
    slots: int
    loads: list[DirectorLoad] = field(default_factory=list)


def dashboard(document: SalonDocument) -> Dashboard:
    """Counts of participants and wishes, and the requests each director received."""
    problem = build_problem(document)
    sides = Counter("director" if p.table else "industrial" for p in document.participants)
    asked_from = {w.from_ for w in document.wishes}
    submitted = Counter(
        "director" if p.table else "industrial" for p in document.participants if p.id in asked_from
    )
    received = Counter(w.to for w in document.wishes)
    declined = Counter(w.to for w in document.wishes if w.declined)
    capacity = {pid: cap for pid, _requests, cap in over_requested(problem)}
    loads = []
    for participant in document.participants:
        if participant.table is None:
            continue
        slots = sum(
            1
            for s in problem.slots
            if not any(i.overlaps(s.start, s.end) for i in participant.unavailable)
        )
        cap = capacity.get(participant.id, min(slots, participant.max_meetings or slots))
        loads.append(
            DirectorLoad(
                code=participant.id,
                name=participant.name,
                organisation=participant.organisation,
                requests=received[participant.id],
                declined=declined[participant.id],
                capacity=cap,
                over=participant.id in capacity,
            )
        )
    loads.sort(key=lambda load: (-load.requests, load.name))
    return Dashboard(
        participants={"director": sides["director"], "industrial": sides["industrial"]},
        submitted={"director": submitted["director"], "industrial": submitted["industrial"]},
        wishes=len(document.wishes),
        declined=sum(1 for w in document.wishes if w.declined),
        slots=len(problem.slots),
        loads=loads,
    )


# ----------------------------------------------------------------- batch PDFs


@asynccontextmanager
async def pages_lifespan(app: FastAPI) -> AsyncIterator[None]:
    """At start-up: the site secret of the printed links is made once (or refused when too
    short: the server does not start). (The print jobs of dead processes are failed by the job
    runner's start, with the solves: api.jobs.)"""
    settings: Settings = app.state.settings
    site_secret(settings)
    yield


def make_pdf(
    docs: SalonDocuments, kind: str, progress: Any = None, stop: threading.Event | None = None
) -> Any:
    """One of the batch PDFs (api.pages.prints.DOCUMENTS) of a salon's schedule; with `stop`,
    BatchStoppedError soon after it is set (api.documents.pdf.paged_batch)."""
    if kind.startswith("agendas-"):
        side: Side | None = None if kind == "agendas-all" else kind.removeprefix("agendas-")  # type: ignore[assignment]
        agendas = docs.agendas(side)
        if progress is not None:
            progress(0, len(agendas))
        return agendas_pdf(docs, agendas, on_progress=progress, stop=stop)
    if kind == "tables":
        return tables_pdf(docs, on_progress=progress, stop=stop)
    if kind in ("badges", "badges-single"):  # 8 per A4 sheet, or one per page
        one = kind == "badges-single"
        return badges_pdf(docs, one_per_page=one, on_progress=progress, stop=stop)
    if progress is not None:
        progress(0, 1)
    result = grid_pdf(docs)
    if progress is not None:
        progress(1, 1)
    return result


def current_schedule(session: Session, *, salon_id: int) -> Schedule | None:
    """The published schedule participants see, if any."""
    return storage.current_published(session, salon_id=salon_id)
