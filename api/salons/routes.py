"""The salon JSON API (thin: parse, call api.salons.service / self_service, answer).

Organiser routes under `/salons` take `Authorization: Bearer <API key>`; participant routes
under `/me` take `X-Participant-Token: <token of the personal link>`. A salon, participant,
wish, job or schedule that is not the caller's answers 404, like one that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Query, Request, Response, UploadFile, status
from fastapi.routing import APIRoute

from api.db import SessionDep
from api.deps import (
    DEFAULT_LIMIT,
    JobId,
    LanguageDep,
    Limit,
    LinkId,
    Offset,
    OrganiserDep,
    Page,
    ParticipantDep,
    ParticipantId,
    SalonId,
    SettingsDep,
    Version,
    WishId,
)
from api.errors import DomainError, FieldProblem, error_responses
from api.jobs import JobRunner
from api.salons import importers, self_service, service
from api.salons.quotas import SolveQuotas
from api.salons.schemas import (
    AgendaRead,
    DirectoryEntry,
    ImportRead,
    Kind,
    LinkCreate,
    LinkCreated,
    LinkRead,
    MeRead,
    MyWishesUpdate,
    MyWishRead,
    OrganiserRead,
    ParticipantCreate,
    ParticipantRead,
    ParticipantUpdate,
    RequestDecision,
    RequestRead,
    SalonCreate,
    SalonRead,
    SalonUpdate,
    ScheduleRead,
    ScheduleSummary,
    SolveCreate,
    SolveRead,
    WishCreate,
    WishRead,
    WishUpdate,
)
from scheduler import format as v1


class StrictQueryRoute(APIRoute):
    """A route that refuses query parameters it does not take (a typo is not silently ignored)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        self.known_query = {p.alias for p in self.dependant.query_params} | {"lang"}

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def checked(request: Request) -> Response:
            unknown = sorted(set(request.query_params) - self.known_query)
            if unknown:
                raise unknown_query_parameters(unknown)
            return await handler(request)

        return checked


def unknown_query_parameters(names: list[str]) -> DomainError:
    """422 for query parameters the route does not take (a typo would be silently ignored)."""
    return DomainError(
        "invalid_request",
        "Paramètre inconnu : {names}.",
        status=422,
        problems=[FieldProblem(f"query.{name}", "Paramètre inconnu.") for name in names],
        names=", ".join(names),
    )


router = APIRouter(route_class=StrictQueryRoute)

ORGANISER: list[str | Enum] = ["salons (organiser)"]
PARTICIPANT: list[str | Enum] = ["me (participant)"]
AUTH = error_responses(401, 404, 422)
WRITE = error_responses(401, 404, 409, 422)


def _runner(request: Request) -> JobRunner:
    runner: JobRunner = request.app.state.runner
    return runner


RunnerDep = Annotated[JobRunner, Depends(_runner)]


# ---------------------------------------------------------------- organisers


@router.get(
    "/organisers/me", response_model=OrganiserRead, tags=ORGANISER, responses=error_responses(401)
)
def read_organiser(organiser: OrganiserDep) -> OrganiserRead:
    """The organiser of the API key."""
    return OrganiserRead(id=organiser.id, email=organiser.email, name=organiser.name)


# -------------------------------------------------------------------- salons


@router.post(
    "/salons",
    status_code=status.HTTP_201_CREATED,
    response_model=SalonRead,
    tags=ORGANISER,
    responses=error_responses(401, 422),
)
def create_salon(data: SalonCreate, session: SessionDep, organiser: OrganiserDep) -> SalonRead:
    """Create a salon: time grid, tables, rules; participants come next (or use /import)."""
    return service.create_salon(session, organiser=organiser, data=data)


@router.get(
    "/salons", response_model=Page[SalonRead], tags=ORGANISER, responses=error_responses(401, 422)
)
def list_salons(
    session: SessionDep, organiser: OrganiserDep, offset: Offset = 0, limit: Limit = DEFAULT_LIMIT
) -> Page[SalonRead]:
    return service.list_salons(session, organiser=organiser, offset=offset, limit=limit)


@router.post(
    "/salons/import",
    status_code=status.HTTP_201_CREATED,
    response_model=SalonRead,
    tags=ORGANISER,
    responses=error_responses(401, 422),
)
def import_salon(document: v1.Salon, session: SessionDep, organiser: OrganiserDep) -> SalonRead:
    """Create a salon from a whole salon/v1 file (participants and wishes included)."""
    return service.import_salon(session, organiser=organiser, document=document)


@router.get("/salons/{salon_id:int}", response_model=SalonRead, tags=ORGANISER, responses=AUTH)
def read_salon(salon_id: SalonId, session: SessionDep, organiser: OrganiserDep) -> SalonRead:
    return service.get_salon(session, organiser=organiser, salon_id=salon_id)


@router.patch("/salons/{salon_id:int}", response_model=SalonRead, tags=ORGANISER, responses=WRITE)
def update_salon(
    salon_id: SalonId, data: SalonUpdate, session: SessionDep, organiser: OrganiserDep
) -> SalonRead:
    """Change settings; refused (422) when the salon would break a salon/v1 rule."""
    return service.update_salon(session, organiser=organiser, salon_id=salon_id, data=data)


@router.delete(
    "/salons/{salon_id:int}",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=ORGANISER,
    responses=WRITE,
)
def delete_salon(salon_id: SalonId, session: SessionDep, organiser: OrganiserDep) -> Response:
    service.delete_salon(session, organiser=organiser, salon_id=salon_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/salons/{salon_id:int}/export",
    response_model=v1.Salon,
    tags=ORGANISER,
    responses=AUTH,
    response_model_exclude_none=True,
)
def export_salon(salon_id: SalonId, session: SessionDep, organiser: OrganiserDep) -> v1.Salon:
    """The salon as a salon/v1 file (what /salons/import reads back)."""
    return service.export_salon(session, organiser=organiser, salon_id=salon_id)


@router.post(
    "/salons/{salon_id:int}/wish-window/open",
    response_model=SalonRead,
    tags=ORGANISER,
    responses=AUTH,
)
def open_wish_window(salon_id: SalonId, session: SessionDep, organiser: OrganiserDep) -> SalonRead:
    """Let participants submit wishes and answer requests."""
    return service.set_wish_window(session, organiser=organiser, salon_id=salon_id, open_=True)


@router.post(
    "/salons/{salon_id:int}/wish-window/close",
    response_model=SalonRead,
    tags=ORGANISER,
    responses=AUTH,
)
def close_wish_window(salon_id: SalonId, session: SessionDep, organiser: OrganiserDep) -> SalonRead:
    return service.set_wish_window(session, organiser=organiser, salon_id=salon_id, open_=False)


# -------------------------------------------------------------- participants


@router.get(
    "/salons/{salon_id:int}/participants",
    response_model=Page[ParticipantRead],
    tags=ORGANISER,
    responses=AUTH,
)
def list_participants(
    salon_id: SalonId,
    session: SessionDep,
    organiser: OrganiserDep,
    offset: Offset = 0,
    limit: Limit = DEFAULT_LIMIT,
    kind: Kind | None = None,
) -> Page[ParticipantRead]:
    return service.list_participants(
        session, organiser=organiser, salon_id=salon_id, offset=offset, limit=limit, kind=kind
    )


@router.post(
    "/salons/{salon_id:int}/participants",
    status_code=status.HTTP_201_CREATED,
    response_model=ParticipantRead,
    tags=ORGANISER,
    responses=WRITE,
)
def create_participant(
    salon_id: SalonId, data: ParticipantCreate, session: SessionDep, organiser: OrganiserDep
) -> ParticipantRead:
    return service.create_participant(session, organiser=organiser, salon_id=salon_id, data=data)


@router.post(
    "/salons/{salon_id:int}/participants/import",
    response_model=ImportRead,
    tags=ORGANISER,
    responses=AUTH,
)
def import_participants(
    salon_id: SalonId,
    session: SessionDep,
    organiser: OrganiserDep,
    file: Annotated[UploadFile, File(description="salon/v1 JSON, CSV or XLSX")],
    format: Annotated[
        importers.Format | None, Query(description="Default: from the file name")
    ] = None,
) -> ImportRead:
    """Create or update participants (matched on `code`) from a file; all or nothing.

    CSV/XLSX columns: id, name, organisation, role, table, representatives, max_meetings,
    email, unavailable (see docs/service.md).
    """
    content = file.file.read(importers.MAX_BYTES + 1)
    fmt = importers.detect_format(file.filename, file.content_type, format)
    specs = importers.read_participants(content, fmt)
    return service.import_participants(session, organiser=organiser, salon_id=salon_id, specs=specs)


@router.get(
    "/salons/{salon_id:int}/participants/{participant_id:int}",
    response_model=ParticipantRead,
    tags=ORGANISER,
    responses=AUTH,
)
def read_participant(
    salon_id: SalonId,
    participant_id: ParticipantId,
    session: SessionDep,
    organiser: OrganiserDep,
) -> ParticipantRead:
    return service.get_participant(
        session, organiser=organiser, salon_id=salon_id, participant_id=participant_id
    )


@router.patch(
    "/salons/{salon_id:int}/participants/{participant_id:int}",
    response_model=ParticipantRead,
    tags=ORGANISER,
    responses=WRITE,
)
def update_participant(
    salon_id: SalonId,
    participant_id: ParticipantId,
    data: ParticipantUpdate,
    session: SessionDep,
    organiser: OrganiserDep,
) -> ParticipantRead:
    return service.update_participant(
        session, organiser=organiser, salon_id=salon_id, participant_id=participant_id, data=data
    )


@router.delete(
    "/salons/{salon_id:int}/participants/{participant_id:int}",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=ORGANISER,
    responses=WRITE,
)
def delete_participant(
    salon_id: SalonId,
    participant_id: ParticipantId,
    session: SessionDep,
    organiser: OrganiserDep,
) -> Response:
    """Delete a participant, its wishes and links (409 when a stored schedule names it)."""
    service.delete_participant(
        session, organiser=organiser, salon_id=salon_id, participant_id=participant_id
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/salons/{salon_id:int}/participants/{participant_id:int}/links",
    response_model=Page[LinkRead],
    tags=ORGANISER,
    responses=AUTH,
)
def list_links(
    salon_id: SalonId,
    participant_id: ParticipantId,
    session: SessionDep,
    organiser: OrganiserDep,
) -> Page[LinkRead]:
    """The participant's links (their tokens are never shown again)."""
    return service.list_links(
        session, organiser=organiser, salon_id=salon_id, participant_id=participant_id
    )


@router.post(
    "/salons/{salon_id:int}/participants/{participant_id:int}/links",
    status_code=status.HTTP_201_CREATED,
    response_model=LinkCreated,
    tags=ORGANISER,
    responses=AUTH,
)
def create_link(
    salon_id: SalonId,
    participant_id: ParticipantId,
    data: LinkCreate,
    session: SessionDep,
    organiser: OrganiserDep,
    settings: SettingsDep,
) -> LinkCreated:
    """A new personal link `{base_url}/p/{token}`; the token is shown this once."""
    return service.create_link(
        session,
        organiser=organiser,
        salon_id=salon_id,
        participant_id=participant_id,
        data=data,
        base_url=settings.base_url,
    )


@router.delete(
    "/salons/{salon_id:int}/participants/{participant_id:int}/links/{link_id:int}",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=ORGANISER,
    responses=AUTH,
)
def revoke_link(
    salon_id: SalonId,
    participant_id: ParticipantId,
    link_id: LinkId,
    session: SessionDep,
    organiser: OrganiserDep,
) -> Response:
    """Revoke a link: its token stops working at once."""
    service.revoke_link(
        session,
        organiser=organiser,
        salon_id=salon_id,
        participant_id=participant_id,
        link_id=link_id,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# -------------------------------------------------------------------- wishes


@router.get(
    "/salons/{salon_id:int}/wishes", response_model=Page[WishRead], tags=ORGANISER, responses=AUTH
)
def list_wishes(
    salon_id: SalonId,
    session: SessionDep,
    organiser: OrganiserDep,
    offset: Offset = 0,
    limit: Limit = DEFAULT_LIMIT,
    from_code: Annotated[str | None, Query(alias="from", max_length=64)] = None,
    to_code: Annotated[str | None, Query(alias="to", max_length=64)] = None,
) -> Page[WishRead]:
    """Every wish of the salon (filter by asker `from` or asked `to` code)."""
    return service.list_wishes(
        session,
        organiser=organiser,
        salon_id=salon_id,
        offset=offset,
        limit=limit,
        from_code=from_code,
        to_code=to_code,
    )


@router.post(
    "/salons/{salon_id:int}/wishes",
    status_code=status.HTTP_201_CREATED,
    response_model=WishRead,
    tags=ORGANISER,
    responses=WRITE,
)
def create_wish(
    salon_id: SalonId, data: WishCreate, session: SessionDep, organiser: OrganiserDep
) -> WishRead:
    """An organiser's wish (may be required, pinned or limited in time)."""
    return service.create_wish(session, organiser=organiser, salon_id=salon_id, data=data)


@router.get(
    "/salons/{salon_id:int}/wishes/{wish_id:int}",
    response_model=WishRead,
    tags=ORGANISER,
    responses=AUTH,
)
def read_wish(
    salon_id: SalonId, wish_id: WishId, session: SessionDep, organiser: OrganiserDep
) -> WishRead:
    return service.get_wish(session, organiser=organiser, salon_id=salon_id, wish_id=wish_id)


@router.patch(
    "/salons/{salon_id:int}/wishes/{wish_id:int}",
    response_model=WishRead,
    tags=ORGANISER,
    responses=WRITE,
)
def update_wish(
    salon_id: SalonId,
    wish_id: WishId,
    data: WishUpdate,
    session: SessionDep,
    organiser: OrganiserDep,
) -> WishRead:
    return service.update_wish(
        session, organiser=organiser, salon_id=salon_id, wish_id=wish_id, data=data
    )


@router.delete(
    "/salons/{salon_id:int}/wishes/{wish_id:int}",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=ORGANISER,
    responses=AUTH,
)
def delete_wish(
    salon_id: SalonId, wish_id: WishId, session: SessionDep, organiser: OrganiserDep
) -> Response:
    service.delete_wish(session, organiser=organiser, salon_id=salon_id, wish_id=wish_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# -------------------------------------------------------------------- solves


@router.post(
    "/salons/{salon_id:int}/solves",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=SolveRead,
    tags=ORGANISER,
    responses=error_responses(401, 404, 409, 422, 429),
)
def start_solve(
    salon_id: SalonId,
    data: SolveCreate,
    session: SessionDep,
    organiser: OrganiserDep,
    settings: SettingsDep,
    runner: RunnerDep,
    request: Request,
    response: Response,
    language: LanguageDep,
) -> SolveRead:
    """Start a solve in the background (one at a time per salon, within the organiser's quotas:
    time limit, workers, solves at once); poll the job's URL."""
    job = service.start_solve(
        session,
        organiser=organiser,
        salon_id=salon_id,
        data=data,
        default_time_limit=settings.solve_time_limit,
        default_workers=settings.solve_workers,
        submit=runner.submit,
        language=language,
        quotas=SolveQuotas.of(settings),
    )
    response.headers["Location"] = str(
        request.url_for("read_solve", salon_id=salon_id, job_id=job.id)
    )
    return job


@router.get(
    "/salons/{salon_id:int}/solves", response_model=Page[SolveRead], tags=ORGANISER, responses=AUTH
)
def list_solves(
    salon_id: SalonId,
    session: SessionDep,
    organiser: OrganiserDep,
    language: LanguageDep,
    offset: Offset = 0,
    limit: Limit = DEFAULT_LIMIT,
) -> Page[SolveRead]:
    return service.list_solves(
        session,
        organiser=organiser,
        salon_id=salon_id,
        offset=offset,
        limit=limit,
        language=language,
    )


@router.get(
    "/salons/{salon_id:int}/solves/{job_id:int}",
    response_model=SolveRead,
    tags=ORGANISER,
    responses=AUTH,
)
def read_solve(
    salon_id: SalonId,
    job_id: JobId,
    session: SessionDep,
    organiser: OrganiserDep,
    language: LanguageDep,
) -> SolveRead:
    """State, live progress (phase, best values, bounds, elapsed) and result of a solve."""
    return service.get_solve(
        session, organiser=organiser, salon_id=salon_id, job_id=job_id, language=language
    )


@router.delete(
    "/salons/{salon_id:int}/solves/{job_id:int}",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=SolveRead,
    tags=ORGANISER,
    responses=WRITE,
)
def cancel_solve(
    salon_id: SalonId,
    job_id: JobId,
    session: SessionDep,
    organiser: OrganiserDep,
    runner: RunnerDep,
    language: LanguageDep,
) -> SolveRead:
    """Cancel a solve: a queued one at once, a running one within seconds."""
    job = service.cancel_solve(
        session, organiser=organiser, salon_id=salon_id, job_id=job_id, language=language
    )
    runner.request_stop(job.id)
    return job


# ----------------------------------------------------------------- schedules


@router.get(
    "/salons/{salon_id:int}/schedules",
    response_model=Page[ScheduleSummary],
    tags=ORGANISER,
    responses=AUTH,
)
def list_schedules(
    salon_id: SalonId,
    session: SessionDep,
    organiser: OrganiserDep,
    offset: Offset = 0,
    limit: Limit = DEFAULT_LIMIT,
) -> Page[ScheduleSummary]:
    """Every schedule version, newest first (preliminary and published)."""
    return service.list_schedules(
        session, organiser=organiser, salon_id=salon_id, offset=offset, limit=limit
    )


@router.get(
    "/salons/{salon_id:int}/schedules/{version:int}",
    response_model=ScheduleRead,
    tags=ORGANISER,
    responses=AUTH,
)
def read_schedule(
    salon_id: SalonId, version: Version, session: SessionDep, organiser: OrganiserDep
) -> ScheduleRead:
    return service.get_schedule(session, organiser=organiser, salon_id=salon_id, version=version)


@router.get(
    "/salons/{salon_id:int}/schedules/{version:int}/export",
    response_model=v1.Schedule,
    tags=ORGANISER,
    responses=AUTH,
    response_model_exclude_none=True,
)
def export_schedule(
    salon_id: SalonId, version: Version, session: SessionDep, organiser: OrganiserDep
) -> v1.Schedule:
    """The version as a schedule/v1 file (for `salon check`)."""
    return service.export_schedule(session, organiser=organiser, salon_id=salon_id, version=version)


@router.post(
    "/salons/{salon_id:int}/schedules/{version:int}/publish",
    response_model=ScheduleSummary,
    tags=ORGANISER,
    responses=AUTH,
)
def publish_schedule(
    salon_id: SalonId, version: Version, session: SessionDep, organiser: OrganiserDep
) -> ScheduleSummary:
    """Make this version the one participants see (earlier ones stay readable here)."""
    return service.publish_schedule(
        session, organiser=organiser, salon_id=salon_id, version=version
    )


# ---------------------------------------------------------------- participant


@router.get("/me", response_model=MeRead, tags=PARTICIPANT, responses=error_responses(401, 404))
def read_me(session: SessionDep, participant: ParticipantDep) -> MeRead:
    """The participant's profile and its salon's wish window."""
    return self_service.me(session, participant=participant)


@router.get("/me/directory", response_model=Page[DirectoryEntry], tags=PARTICIPANT, responses=AUTH)
def read_directory(
    session: SessionDep,
    participant: ParticipantDep,
    offset: Offset = 0,
    limit: Limit = DEFAULT_LIMIT,
    kind: Kind | None = None,
) -> Page[DirectoryEntry]:
    """The salon's other participants (to choose wishes from)."""
    return self_service.directory(
        session, participant=participant, offset=offset, limit=limit, kind=kind
    )


@router.get(
    "/me/wishes",
    response_model=Page[MyWishRead],
    tags=PARTICIPANT,
    responses=error_responses(401, 404),
)
def read_my_wishes(session: SessionDep, participant: ParticipantDep) -> Page[MyWishRead]:
    """The participant's wishes, most wanted first, with the answers received."""
    return self_service.my_wishes(session, participant=participant)


@router.put("/me/wishes", response_model=Page[MyWishRead], tags=PARTICIPANT, responses=WRITE)
def replace_my_wishes(
    data: MyWishesUpdate, session: SessionDep, participant: ParticipantDep
) -> Page[MyWishRead]:
    """Submit the whole wish list, most wanted first (until the wish deadline)."""
    return self_service.replace_my_wishes(session, participant=participant, data=data)


@router.get(
    "/me/requests",
    response_model=Page[RequestRead],
    tags=PARTICIPANT,
    responses=error_responses(401, 404),
)
def read_my_requests(session: SessionDep, participant: ParticipantDep) -> Page[RequestRead]:
    """The wishes addressed to the participant."""
    return self_service.my_requests(session, participant=participant)


@router.put(
    "/me/requests/{wish_id:int}", response_model=RequestRead, tags=PARTICIPANT, responses=WRITE
)
def decide_request(
    wish_id: WishId, data: RequestDecision, session: SessionDep, participant: ParticipantDep
) -> RequestRead:
    """Accept or decline a request (a declined wish is never scheduled)."""
    return self_service.decide_request(
        session, participant=participant, wish_id=wish_id, decision=data.decision
    )


@router.get(
    "/me/agenda", response_model=AgendaRead, tags=PARTICIPANT, responses=error_responses(401, 404)
)
def read_my_agenda(session: SessionDep, participant: ParticipantDep) -> AgendaRead:
    """The participant's meetings in the published schedule."""
    return self_service.my_agenda(session, participant=participant)
