"""Self-registration's use cases: the organiser's form settings, the public form and what it
receives, the organiser's decisions in bulk (approval makes the participant and mails its
personal link), duplicates flagged.

A request is decided once: one conditional UPDATE (`storage.claim_pending`) says who won when
two organisers' pages decide at the same moment. Mails go out after the commit.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from api.auth import CurrentOrganiser
from api.errors import DomainError, FieldProblem
from api.mail import MailNotSentError, send_mail
from api.pages.invitations import Recipient, mail_text
from api.pages.service import side_labels
from api.registration import storage
from api.registration.tables import RegistrationForm, RegistrationRequest
from api.salons import service as salons
from api.salons import storage as salon_storage
from api.salons.printed_links import printed_links
from api.salons.schemas import ParticipantCreate
from api.salons.tables import Salon
from api.settings import Settings
from api.timestamps import from_storage, to_local, to_storage, utc_now

SIDES = ("industrial", "director", "both")
OPTIONAL_FIELDS = ("organisation", "role", "phone", "website", "message")
"""Fields the organiser may ask for (name and e-mail are always asked); an asked field is
required, but the message."""
FIELD_LIMITS = {"organisation": 500, "role": 500, "phone": 40, "website": 300, "message": 2000}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
DEFAULT_CONSENT = (
    "J'accepte que mes coordonnées soient transmises aux participants du salon et utilisées par "
    "l'organisateur pour l'organisation des rendez-vous."
)


@dataclass
class FormSettings:
    """The organiser's registration settings, local times of the salon's timezone."""

    enabled: bool = False
    opens: dt.datetime | None = None
    closes: dt.datetime | None = None
    sides: str = "industrial"
    fields: list[str] = field(default_factory=lambda: ["organisation"])
    consent: str = DEFAULT_CONSENT


@dataclass
class PublicForm:
    """What the public page shows: the salon, whether it is open, what it asks."""

    salon_id: int
    salon_name: str
    state: str  # "open", "not_yet", "closed"
    opens: dt.datetime | None
    closes: dt.datetime | None
    sides: list[str]
    fields: list[str]
    consent: str
    labels: dict[str, str]  # the salon's names of its sides (api.pages.service.side_labels)


@dataclass
class RequestView:
    """A request as the organiser's list shows it, with its duplicate flags."""

    row: RegistrationRequest
    duplicates: list[str]


@dataclass
class DecisionReport:
    """What a bulk decision did."""

    approved: int = 0
    refused: int = 0
    skipped: int = 0  # already decided (by another page, or before)
    mailed: int = 0
    unmailed: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def folded(text: str) -> str:
    """Lower case, no accents, single spaces: how duplicates are compared."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.split())


# ------------------------------------------------------------------ the form


def local_to_storage(value: dt.datetime | None, timezone: str) -> dt.datetime | None:
    if value is None:
        return None
    return to_storage(value.replace(tzinfo=ZoneInfo(timezone)))


def storage_to_local(value: dt.datetime | None, timezone: str) -> dt.datetime | None:
    if value is None:
        return None
    return to_local(from_storage(value), timezone)


def form_settings(session: Session, *, organiser: CurrentOrganiser, salon_id: int) -> FormSettings:
    salon = salons.organiser_salon(session, organiser=organiser, salon_id=salon_id)
    return settings_of(storage.find_form(session, salon_id=salon.id), salon.timezone)


def settings_of(form: RegistrationForm | None, timezone: str) -> FormSettings:
    """A stored form's settings in the salon's local time (the defaults, closed, for none)."""
    if form is None:
        return FormSettings()
    return FormSettings(
        enabled=True,
        opens=storage_to_local(form.opens_at, timezone),
        closes=storage_to_local(form.closes_at, timezone),
        sides=form.sides,
        fields=list(form.fields),
        consent=form.consent,
    )


def settings_problems(data: FormSettings, prefix: str = "") -> list[FieldProblem]:
    """What is wrong with registration settings (the window, the side, the fields, consent),
    each field named after `prefix` (the JSON API's are under `body.`)."""
    problems = []
    if data.sides not in SIDES:
        message = "Côté d'inscription inconnu : {value}."
        problems.append(FieldProblem(f"{prefix}sides", message, {"value": data.sides}))
    unknown = [name for name in data.fields if name not in OPTIONAL_FIELDS]
    if unknown:
        message = "Champ inconnu : {value}."
        problems.append(FieldProblem(f"{prefix}fields", message, {"value": ", ".join(unknown)}))
    if data.opens and data.closes and data.closes <= data.opens:
        message = "La fermeture des inscriptions doit suivre leur ouverture."
        problems.append(FieldProblem(f"{prefix}closes", message))
    if data.enabled and not data.consent.strip():
        message = "Le texte de consentement est obligatoire."
        problems.append(FieldProblem(f"{prefix}consent", message))
    if len(data.consent) > 2000:
        message = "Texte de consentement trop long (2000 au plus)."
        problems.append(FieldProblem(f"{prefix}consent", message))
    return problems


def in_salon_time(value: dt.datetime | None, timezone: str) -> dt.datetime | None:
    """A moment as the salon's local time: an aware one converted, a naive one kept."""
    if value is None or value.tzinfo is None:
        return value
    return to_local(value, timezone)


def save_settings(
    session: Session,
    *,
    organiser: CurrentOrganiser,
    salon_id: int,
    data: FormSettings,
    prefix: str = "",
) -> FormSettings:
    """Open (or change) the salon's registration form; `enabled=False` removes it (the requests
    received stay). Its window is in the salon's local time (an aware moment is converted);
    a refusal names each field after `prefix`. The settings as stored."""
    salon = salons.organiser_salon(session, organiser=organiser, salon_id=salon_id)
    data = replace(
        data,
        opens=in_salon_time(data.opens, salon.timezone),
        closes=in_salon_time(data.closes, salon.timezone),
    )
    problems = settings_problems(data, prefix)
    if problems:
        raise DomainError(
            "invalid_registration_settings",
            "Réglages des inscriptions refusés.",
            status=422,
            problems=problems,
        )
    existing = storage.find_form(session, salon_id=salon.id)
    if not data.enabled:
        if existing is not None:
            session.delete(existing)
        session.commit()
        return FormSettings()
    form = storage.save_form(
        session,
        form=RegistrationForm(
            salon_id=salon.id,
            opens_at=local_to_storage(data.opens, salon.timezone),
            closes_at=local_to_storage(data.closes, salon.timezone),
            sides=data.sides,
            fields=[name for name in OPTIONAL_FIELDS if name in data.fields],
            consent=data.consent.strip(),
            updated_at=utc_now(),
        ),
    )
    session.commit()
    return settings_of(form, salon.timezone)


def window_state(form: RegistrationForm, now: dt.datetime) -> str:
    """"not_yet" before its opening, "closed" after its closing, else "open"."""
    if form.opens_at is not None and now < form.opens_at:
        return "not_yet"
    if form.closes_at is not None and now >= form.closes_at:
        return "closed"
    return "open"


def public_form(session: Session, *, salon_id: int, now: dt.datetime | None = None) -> PublicForm:
    """The salon's public form, else 404 (no salon, or no registration)."""
    salon = salon_storage.find_salon(session, salon_id=salon_id)
    form = storage.find_form(session, salon_id=salon_id) if salon is not None else None
    if salon is None or form is None:
        raise DomainError(
            "registration_not_found",
            "Aucune inscription n'est ouverte pour ce salon.",
            status=404,
        )
    return PublicForm(
        salon_id=salon.id,
        salon_name=salon.name,
        state=window_state(form, now or utc_now()),
        opens=storage_to_local(form.opens_at, salon.timezone),
        closes=storage_to_local(form.closes_at, salon.timezone),
        sides=["industrial", "director"] if form.sides == "both" else [form.sides],
        fields=list(form.fields),
        consent=form.consent,
        labels=side_labels(session, salon_id=salon.id),
    )


# ------------------------------------------------------------ submissions


def submission_problems(
    form: PublicForm, values: dict[str, str], consent: bool
) -> list[FieldProblem]:
    """What is missing or wrong in a filled form, field by field."""
    problems = []
    if not values.get("name", "").strip():
        problems.append(FieldProblem("name", "Le nom est obligatoire."))
    elif len(values["name"]) > 200:
        problems.append(FieldProblem("name", "Nom trop long (200 caractères au plus)."))
    email = values.get("email", "").strip()
    if not EMAIL.match(email) or len(email) > 254:
        problems.append(FieldProblem("email", "Adresse e-mail invalide."))
    if values.get("side", "") not in form.sides:
        problems.append(FieldProblem("side", "Choisissez le côté auquel vous vous inscrivez."))
    for name in form.fields:
        value = values.get(name, "").strip()
        if not value and name != "message":
            problems.append(FieldProblem(name, "Ce champ est obligatoire."))
        elif len(value) > FIELD_LIMITS[name]:
            message = "Trop long ({limit} caractères au plus)."
            problems.append(FieldProblem(name, message, {"limit": FIELD_LIMITS[name]}))
    if not consent:
        message = "Cochez la case de consentement pour vous inscrire."
        problems.append(FieldProblem("consent", message))
    return problems


def submit(
    session: Session,
    *,
    salon_id: int,
    values: dict[str, str],
    consent: bool,
    language: str,
    now: dt.datetime | None = None,
) -> int:
    """Record a registration request (pending); the form must be open and complete."""
    now = now or utc_now()
    form = public_form(session, salon_id=salon_id, now=now)
    if form.state != "open":
        raise DomainError(
            "registration_closed", "Les inscriptions à ce salon ne sont pas ouvertes.", status=409
        )
    if len(form.sides) == 1:
        values = {**values, "side": form.sides[0]}
    problems = submission_problems(form, values, consent)
    if problems:
        raise DomainError(
            "invalid_registration",
            "L'inscription n'est pas complète : corrigez les champs signalés.",
            status=422,
            problems=problems,
        )
    extra = {name: values.get(name, "").strip() for name in ("phone", "website", "message")}
    row = storage.insert_request(
        session,
        request=RegistrationRequest(
            salon_id=salon_id,
            side=values["side"],
            name=values["name"].strip(),
            email=values["email"].strip(),
            organisation=values.get("organisation", "").strip(),
            role=values.get("role", "").strip(),
            answers={key: value for key, value in extra.items() if value and key in form.fields},
            language=language,
            state="pending",
            consented_at=now,
            created_at=now,
        ),
    )
    session.commit()
    return row.id


# ------------------------------------------------------------ the organiser


def duplicate_flags(
    rows: Sequence[RegistrationRequest], participants: Sequence[tuple[str, str, str]]
) -> dict[int, list[str]]:
    """Each request's possible duplicates: another live request or a participant of the salon
    with the same e-mail or the same organisation (`participants`: name, e-mail, organisation
    of those not made by a registration)."""
    live = [r for r in rows if r.state != "refused"]
    flags: dict[int, list[str]] = {}
    for row in rows:
        found: list[str] = []
        email, organisation = folded(row.email), folded(row.organisation)
        for other in live:
            if other.id == row.id:
                continue
            if email and folded(other.email) == email:
                found.append(f"e-mail = #{other.id} {other.name}")
            elif organisation and folded(other.organisation) == organisation:
                found.append(f"organisation = #{other.id} {other.name}")
        for name, other_email, other_organisation in participants:
            if email and folded(other_email) == email:
                found.append(f"e-mail = {name}")
            elif organisation and folded(other_organisation) == organisation:
                found.append(f"organisation = {name}")
        flags[row.id] = found
    return flags


def list_requests(
    session: Session, *, organiser: CurrentOrganiser, salon_id: int
) -> list[RequestView]:
    salon = salons.organiser_salon(session, organiser=organiser, salon_id=salon_id)
    rows = storage.list_requests(session, salon_id=salon.id)
    made = {r.participant_id for r in rows if r.participant_id is not None}
    people, _ = salon_storage.list_participants(session, salon_id=salon.id)
    others = [(p.name, p.email or "", p.organisation) for p in people if p.id not in made]
    flags = duplicate_flags(rows, others)
    return [RequestView(row, flags[row.id]) for row in rows]


def participant_codes(session: Session, *, views: Sequence[RequestView]) -> dict[int, str]:
    """The code of each participant made of an approved request of `views`."""
    ids = [v.row.participant_id for v in views if v.row.participant_id is not None]
    return {i: p.code for i, p in salon_storage.participants_by_id(session, ids=ids).items()}


def free_table(session: Session, *, salon: Salon) -> str | None:
    """The first table no director has as home table (a registered director's), if any."""
    used = {p.table_id for p in salon_storage.list_participants(session, salon_id=salon.id)[0]}
    for table in salon_storage.list_tables(session, salon_id=salon.id):
        if table.id not in used:
            return table.code
    return None


def approve_one(
    session: Session, *, organiser: CurrentOrganiser, salon: Salon, row: RegistrationRequest
) -> str:
    """Make the participant of a claimed request (committed with the claim); its code."""
    table = None
    if row.side == "director":
        table = free_table(session, salon=salon)
        if table is None:
            raise DomainError(
                "no_free_table",
                "Plus de table libre pour {name} : ajoutez des tables au salon, puis approuvez.",
                name=row.name,
            )
    made = salons.create_participant(
        session,
        organiser=organiser,
        salon_id=salon.id,
        data=ParticipantCreate(
            code=f"R{row.id}",
            name=row.name[:200],
            organisation=row.organisation[:500],
            role=row.role[:500],
            table=table,
            email=row.email[:254],
        ),
    )
    storage.set_participant(session, request_id=row.id, participant_id=made.id)
    session.commit()
    return made.code


def decide(
    session: Session,
    *,
    organiser: CurrentOrganiser,
    salon_id: int,
    ids: Sequence[int],
    approve: bool,
    settings: Settings,
    allowed: Callable[[str], bool] | None = None,
) -> DecisionReport:
    """Approve or refuse the chosen pending requests. Each approval is its own transaction (a
    refused one, e.g. no free table, leaves the others done); the approved are then mailed
    their personal link (the printed links' scheme, the invitation's words)."""
    salon = salons.organiser_salon(session, organiser=organiser, salon_id=salon_id)
    report = DecisionReport()
    rows = storage.requests_by_id(session, salon_id=salon.id, ids=ids)
    approved: list[int] = []
    for request_id in ids:
        row = rows.get(request_id)
        now = utc_now()
        state = "approved" if approve else "refused"
        if row is None or not storage.claim_pending(
            session, salon_id=salon.id, request_id=request_id, state=state, now=now
        ):
            session.rollback()
            report.skipped += 1
            continue
        if not approve:
            session.commit()
            report.refused += 1
            continue
        try:
            approve_one(session, organiser=organiser, salon=salon, row=row)
        except DomainError as refused:
            session.rollback()
            report.problems.append(f"{row.name}: {refused.render('fr')}")
            continue
        report.approved += 1
        approved.append(request_id)
    mail_approved(
        session, salon=salon, codes=approved, settings=settings, report=report, allowed=allowed
    )
    return report


def mail_approved(
    session: Session,
    *,
    salon: Salon,
    codes: Sequence[int],
    settings: Settings,
    report: DecisionReport,
    allowed: Callable[[str], bool] | None,
) -> None:
    """Mail the approved requests' participants their personal link (after the commits)."""
    rows = storage.requests_by_id(session, salon_id=salon.id, ids=codes)
    codes_ = {f"R{request_id}": rows[request_id] for request_id in codes}
    if not codes_:
        return
    links = printed_links(session, salon=salon, settings=settings, codes=list(codes_))
    for code, row in codes_.items():
        url = links.get(code)
        if url is None or (allowed is not None and not allowed(row.email)):
            report.unmailed.append(row.name)
            continue
        subject, body = mail_text(
            "invitation", salon.name, Recipient(code, row.name, row.organisation, row.email, url)
        )
        try:
            send_mail(settings, to=row.email, subject=subject, body=body)
        except MailNotSentError:
            report.unmailed.append(row.name)
            continue
        report.mailed += 1
