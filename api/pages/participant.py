"""A participant's pages under its personal link `/p/{token}` (no account, no JavaScript needed).

Home (profile, deadline, the next meeting, agenda once published), wishes (the other side's
directory with search, rank up to the salon's limit), requests received (accept / decline;
those already in the published agenda say so), the agenda (the next meeting's card, free slots
folded, a banner when it changed since last seen: api.pages.agenda_view, api.reminders) with
its print view, PDF and iCal feed (alarms, absolute links). Everything goes through
api.salons.self_service, scoped to the participant of the link; an unknown, revoked or expired
link answers 404.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from typing import Annotated, Any

from babel.dates import format_timedelta, get_timezone_location
from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from api.auth import CurrentParticipant, participant_for_token
from api.db import SessionDep
from api.deps import SettingsDep, WishId
from api.documents import SalonDocuments
from api.documents.serving import (
    DocumentResponse,
    RendersDep,
    agenda_ics_document,
    agenda_pdf_document,
    agenda_print_document,
    renders_lifespan,
)
from api.errors import DomainError
from api.feedback import service as feedback_service
from api.i18n import format_moment, gettext
from api.pages import agenda_view, service
from api.pages.web import PageError, PageRoute, page, request_language
from api.reminders import agenda_changes
from api.reminders.agendas import meeting_keys
from api.salons import self_service
from api.salons.schemas import MAX_MESSAGE, MeRead, MyWishesUpdate
from api.salons.tables import Schedule
from api.suggestions import service as suggestions_service
from api.timestamps import from_storage, local_now, to_local, utc_now
from api.web import FormDep, check_csrf, csrf_token, first, redirect

router = APIRouter(
    prefix="/p", route_class=PageRoute, include_in_schema=False, lifespan=renders_lifespan
)
Token = Annotated[str, Path(min_length=8, max_length=128)]
DEFAULT_MAX_WISHES = 10
MAX_RANK_CHOICES = 30


@dataclass
class Visit:
    """The participant of a personal link and what every page shows of it."""

    token: str
    who: CurrentParticipant
    me: MeRead
    base: str
    csrf: str


def visit(session: Session, token: str) -> Visit:
    """The participant of the link, else a 404 page."""
    who = participant_for_token(session, token)
    if who is None:
        raise PageError("Ce lien personnel est inconnu, révoqué ou expiré.", status=404)
    me = self_service.me(session, participant=who)
    return Visit(token, who, me, f"/p/{token}", csrf_token(token))


def local_moment(moment: dt.datetime | None, timezone: str, language: str) -> str | None:
    """An aware moment as the salon's local 'mardi 28 novembre 2023, 9 h 20'."""
    if moment is None:
        return None
    return format_moment(to_local(moment, timezone), language)


def folded(text: str) -> str:
    """Lower case without accents, for search."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def published_documents(
    session: Session, v: Visit, language: str, base_url: str = ""
) -> SalonDocuments | None:
    """The participant's documents of the published schedule of its salon, if any; its agenda's
    link starts with `base_url` (SALON_BASE_URL: absolute in a calendar, RFC 5545)."""
    schedule = service.current_schedule(session, salon_id=v.who.salon_id)
    if schedule is None:
        return None
    return visit_documents(session, v, schedule, language, base_url)


def visit_documents(
    session: Session, v: Visit, schedule: Schedule, language: str, base_url: str = ""
) -> SalonDocuments | None:
    """The participant's documents of `schedule` (None when its salon is gone)."""
    salon = self_service.participant_salon(session, participant=v.who)
    if salon is None:
        return None
    return service.participant_documents(
        session, salon=salon, schedule=schedule, participant_id=v.who.participant_id,
        code=v.me.code, link=f"{base_url.rstrip('/')}{v.base}/agenda", language=language,
    )


def _context(v: Visit, request: Request) -> dict[str, Any]:
    language = request_language(request)
    salon = v.me.salon
    return {
        "v": v,
        "me": v.me,
        "salon": salon,
        "deadline": local_moment(salon.wish_deadline, salon.timezone, language),
        "submitted": local_moment(v.me.wishes_submitted_at, salon.timezone, language),
    }


def _labels(session: Session, v: Visit) -> dict[str, str]:
    return service.side_labels(session, salon_id=v.who.salon_id)


@router.get("/{token}", response_class=HTMLResponse)
def home(token: Token, request: Request, session: SessionDep) -> HTMLResponse:
    v = visit(session, token)
    language = request_language(request)
    docs = published_documents(session, v, language)
    agenda = docs.agenda(v.me.code) if docs else None
    now = local_now(docs.tz) if docs else None
    requests = self_service.my_requests(session, participant=v.who)
    wishes = self_service.my_wishes(session, participant=v.who)
    return page(
        request,
        "participant_home.html",
        title=v.me.name,
        agenda=agenda,
        next_meeting=agenda_view.next_meeting(agenda, now) if agenda and now else None,
        version=docs.version if docs else None,
        requests=requests.data,
        wishes=wishes.data,
        labels=_labels(session, v),
        **_context(v, request),
    )


def _other_kind(me: MeRead) -> str:
    return "director" if me.kind == "industrial" else "industrial"


@router.get("/{token}/wishes", response_class=HTMLResponse)
def wishes_page(token: Token, request: Request, session: SessionDep, q: str = "") -> HTMLResponse:
    v = visit(session, token)
    return page(request, "participant_wishes.html", **wishes_context(session, v, request, q))


def wishes_context(
    session: Session,
    v: Visit,
    request: Request,
    q: str = "",
    sent: dict[str, tuple[str, str]] | None = None,
) -> dict[str, Any]:
    """What the wish page shows: the window, the chosen wishes, the directory (filtered by `q`);
    `sent` the ranks and messages of a refused form, shown again as they were typed."""
    directory = self_service.directory(
        session, participant=v.who, offset=0, limit=500, kind=_other_kind(v.me)
    ).data
    mine = self_service.my_wishes(session, participant=v.who).data
    chosen = {w.to for w in mine}
    query = folded(q.strip())[:100]
    candidates = [entry for entry in directory if entry.code not in chosen]
    others = [
        entry
        for entry in candidates
        if not query or query in folded(f"{entry.name} {entry.organisation} {entry.role}")
    ]
    limit = v.me.salon.max_wishes
    # The ranks offered, which the page states as the maximum: the salon's limit, else enough
    # for every participant of the other side (at least DEFAULT_MAX_WISHES), at most 30 (a
    # longer list of ranks is no choice).
    wanted = limit or max(DEFAULT_MAX_WISHES, len(mine) + len(candidates))
    choices = min(MAX_RANK_CHOICES, wanted)
    return {
        "title": v.me.name,
        "mine": mine,
        "others": others,
        "q": q[:100],
        "limit": limit,
        "choices": choices,
        "total": len(candidates),
        "suggestions": suggestions_service.suggestions_for(session, participant=v.who),
        "sent": sent,
        "refusal": None,
        "max_message": MAX_MESSAGE,
        "window": wish_window(v.me, request_language(request)),
        "labels": _labels(session, v),
        **_context(v, request),
    }


def wish_window(me: MeRead, language: str) -> dict[str, str | bool | None]:
    """The wish window in the participant's words: open or not, the deadline's time zone and how
    long is left ('dans 3 jours' / 'in 3 days'), or that the deadline has passed."""
    deadline = me.salon.wish_deadline
    left = None if deadline is None else deadline - from_storage(utc_now())
    return {
        "open": me.salon.wishes_open and (left is None or left.total_seconds() > 0),
        "zone": get_timezone_location(me.salon.timezone, locale=language),
        "left": (
            format_timedelta(left, add_direction=True, locale=language)
            if left is not None and left.total_seconds() > 0
            else None
        ),
        "passed": left is not None and left.total_seconds() <= 0,
    }


def ranked_wishes(
    form: dict[str, list[str]],
) -> tuple[list[dict[str, Any]], dict[str, tuple[str, str]]]:
    """The wishes of the form: each code given a rank (`rank:<code>` = 1, 2...) with its message
    (`message:<code>`), in form order (the service orders them by rank and refuses a rank given
    twice); and what was typed, to show again if the list is refused."""
    wishes: list[dict[str, Any]] = []
    sent: dict[str, tuple[str, str]] = {}
    for name, values in form.items():
        if not name.startswith("rank:") or not values:
            continue
        code = name.removeprefix("rank:")
        value = values[0].strip()
        message = first(form, f"message:{code}") or ""
        sent[code] = (value, message)
        if not value:
            continue
        try:
            rank = int(value)
        except ValueError as exc:
            raise PageError("Rang invalide.", status=422) from exc
        if rank >= 1:
            wishes.append({"to": code, "rank": rank, "message": message.strip()})
    return wishes, sent


@router.post("/{token}/wishes")
def save_wishes(token: Token, request: Request, session: SessionDep, form: FormDep) -> Response:
    """Save the ranked wishes; a refused list (a rank given twice, too many, a message too long)
    shows the page again with the reason and what was typed (422), nothing saved."""
    v = visit(session, token)
    check_csrf(form, token)
    wishes, sent = ranked_wishes(form)
    try:
        data = MyWishesUpdate.model_validate({"wishes": wishes})
        self_service.replace_my_wishes(session, participant=v.who, data=data)
    except (DomainError, ValidationError) as exc:
        session.rollback()
        if isinstance(exc, DomainError) and exc.status != 422:
            raise
        language = request_language(request)
        context = wishes_context(session, v, request, sent=sent)
        context["refusal"] = refusal_text(exc, language)
        return page(request, "participant_wishes.html", status=422, **context)
    return redirect(f"{v.base}/wishes", done="saved")


def refusal_text(exc: DomainError | ValidationError, language: str) -> str:
    """Why a wish list was refused, in the page's language."""
    if isinstance(exc, DomainError):
        return exc.render(language)
    if any("message" in error["loc"] for error in exc.errors()):
        return gettext(language, "Message trop long : %(num)d caractères au plus.") % {
            "num": MAX_MESSAGE
        }
    return gettext(language, "Rang invalide.")


@router.get("/{token}/requests", response_class=HTMLResponse)
def requests_page(token: Token, request: Request, session: SessionDep) -> HTMLResponse:
    v = visit(session, token)
    received = self_service.my_requests(session, participant=v.who).data
    docs = published_documents(session, v, request_language(request))
    met = {e.other.id for e in agenda_view.entries(docs.agenda(v.me.code))} if docs else set()
    return page(
        request,
        "participant_requests.html",
        title=v.me.name,
        received=received,
        scheduled=met,  # the askers met in the published agenda: no longer "pending"
        labels=_labels(session, v),
        **_context(v, request),
    )


@router.post("/{token}/requests/{wish_id}")
def decide(
    token: Token,
    wish_id: WishId,
    session: SessionDep,
    form: FormDep,
) -> Response:
    v = visit(session, token)
    check_csrf(form, token)
    decision = first(form, "decision")
    if decision not in ("accepted", "declined"):
        raise PageError("Réponse invalide.", status=422)
    self_service.decide_request(session, participant=v.who, wish_id=wish_id, decision=decision)
    return redirect(f"{v.base}/requests", done=decision)


@dataclass
class UnmetWish:
    """A wish made or received by the participant that the published schedule does not hold."""

    other_name: str
    other_organisation: str
    asked_by_me: bool
    reason: str
    holder: agenda_view.Holder = "either"  # whose limit of meetings in a row (max_in_a_row)
    limit: int | None = None


def unmet_wishes(docs: SalonDocuments, code: str) -> list[UnmetWish]:
    """The participant's wishes and requests left out of the schedule, with their reason codes
    (and, for the limit of meetings in a row, whose limit it was)."""
    unmet = []
    for wish in docs.schedule.unscheduled:
        if code not in (wish.from_, wish.to):
            continue
        other = docs.participants.get(wish.to if wish.from_ == code else wish.from_)
        if other is None:
            continue
        left = UnmetWish(other.name, other.organisation, wish.from_ == code, wish.reason)
        if wish.reason == "max_in_a_row":
            left.holder = agenda_view.in_a_row_holder(docs, code)
            left.limit = docs.salon.max_in_a_row
        unmet.append(left)
    return unmet


def _agenda_docs(session: Session, v: Visit, request: Request) -> SalonDocuments:
    docs = published_documents(session, v, request_language(request))
    if docs is None:
        raise PageError("Le planning n'est pas encore publié.", status=404)
    return docs


@router.get("/{token}/agenda", response_class=HTMLResponse)
def agenda_page(token: Token, request: Request, session: SessionDep) -> HTMLResponse:
    """The agenda on a phone: the next meeting's card, free slots folded, and a banner when it
    changed since the participant last saw it (then recorded as seen)."""
    v = visit(session, token)
    docs = _agenda_docs(session, v, request)
    agenda = docs.agenda(v.me.code)
    schedule = service.current_schedule(session, salon_id=v.who.salon_id)
    keys = meeting_keys(agenda_view.entries(agenda))
    changes = agenda_changes(
        session,
        participant_id=v.who.participant_id,
        version=schedule.version if schedule else 0,
        keys=keys,
    )
    return page(
        request,
        "participant_agenda.html",
        title=v.me.name,
        agenda=agenda,
        next_meeting=agenda_view.next_meeting(agenda, local_now(docs.tz)),
        folded=agenda_view.folded_days(agenda),
        changes=changes,
        added={(k.start, k.other) for k in changes.added},
        unmet=unmet_wishes(docs, v.me.code),
        feedback=feedback_service.my_feedback(session, participant=v.who),
        version=docs.version,
        labels=_labels(session, v),
        **_context(v, request),
    )


@router.get("/{token}/agenda/print", response_class=HTMLResponse)
def agenda_print(
    token: Token, request: Request, session: SessionDep, renders: RendersDep
) -> Response:
    """The printable document itself (the same HTML as the PDF)."""
    v = visit(session, token)
    docs = _agenda_docs(session, v, request)
    return DocumentResponse(agenda_print_document(docs, v.me.code), renders)


@router.get("/{token}/agenda.pdf")
def agenda_pdf(
    token: Token, request: Request, session: SessionDep, renders: RendersDep
) -> Response:
    """The agenda as PDF, laid out after the session is closed (api.documents.serving)."""
    v = visit(session, token)
    docs = _agenda_docs(session, v, request)
    return DocumentResponse(agenda_pdf_document(docs, v.me.code), renders)


@router.get("/{token}/agenda.ics")
def agenda_ics(
    token: Token,
    request: Request,
    session: SessionDep,
    renders: RendersDep,
    settings: SettingsDep,
) -> Response:
    """The calendar: absolute links (SALON_BASE_URL), an alarm before each meeting, and the
    meetings of earlier publications it no longer holds as cancelled events."""
    v = visit(session, token)
    schedule = service.current_schedule(session, salon_id=v.who.salon_id)
    language = request_language(request)
    docs = None
    if schedule is not None:
        docs = visit_documents(session, v, schedule, language, settings.base_url)
    if schedule is None or docs is None:
        raise PageError("Le planning n'est pas encore publié.", status=404)
    cancelled = service.cancelled_meetings(
        session, schedule=schedule, participant_id=v.who.participant_id
    )
    document = agenda_ics_document(
        docs, v.me.code, alarm_minutes=settings.ical_alarm_minutes, cancelled=cancelled
    )
    return DocumentResponse(document, renders)
