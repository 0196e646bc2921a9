"""On-the-day repairs, organiser side: post changes, get a draft, publish it and tell people.

- `create_repair` applies the changes to the salon and to the schedule participants see now
  (scheduler.repair, run in the request: it answers in seconds) and stores the result as the
  salon's next preliminary schedule version, with its change list and the participants whose
  agenda changes.
- The day's changes add up: a repair applies the changes of every repair published before it,
  then its own, to the stored salon. Walk-ins and new wishes are stored in the salon at once
  (the draft's meetings name them); the other changes live in the repairs (a closed pool table
  cannot be said in salon/v1).
- `publish_repair` publishes the draft (like POST /schedules/{version}/publish, which also
  works) and queues the mails to each participant whose agenda changed: a job of the runner
  (api.repairs.mail_job) sends them after the request (SMTP or the outbox, api.mail).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from typing import Any
from zoneinfo import ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from api.auth import CurrentOrganiser
from api.deps import MAX_LIMIT, Page
from api.errors import DomainError, FieldProblem, not_found
from api.mail import MailNotSentError, send_mail
from api.reminders.service import calendar_attachments
from api.repairs import storage
from api.repairs.mail_job import queue_repair_mails
from api.repairs.schemas import (
    AffectedParticipant,
    ChangeRead,
    RepairCreate,
    RepairRead,
)
from api.repairs.tables import Repair
from api.salons import convert
from api.salons import service as salons
from api.salons import storage as salon_storage
from api.salons.printed_links import printed_links
from api.salons.schemas import ObjectiveRead, UnscheduledRead
from api.salons.tables import Salon, Schedule
from api.settings import Settings
from api.timestamps import PARIS, from_storage, local_now, maybe_from_storage, utc_now
from scheduler import format as v1
from scheduler.changes import (
    AppliedChanges,
    ChangeSet,
    DayChange,
    ParticipantAdded,
    WishAdded,
    apply_changes,
)
from scheduler.errors import FileFormatError, InfeasibleError
from scheduler.progress import SolveOptions
from scheduler.repair import DEFAULT_SECONDS, changed_participants, repair_applied

log = logging.getLogger(__name__)

ADDITIONS = ("participant_added", "wish_added")


# ------------------------------------------------------------------ reading


def _local_now(timezone: str) -> dt.datetime:
    """The current time in the salon's timezone (Paris' for a name the clock does not know), to
    the minute, naive (as salon times are)."""
    try:
        now = local_now(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        now = local_now(PARIS)
    return now.replace(second=0, microsecond=0)


def _local(value: dt.datetime | None, timezone: str) -> dt.datetime:
    return _local_now(timezone) if value is None else value


def salon_clock(timezone: str) -> dt.datetime:
    """The salon's clock: the current local time in its timezone (the default "now")."""
    return _local_now(timezone)


def _change_models(items: Sequence[dict[str, Any]]) -> list[DayChange]:
    return list(ChangeSet.model_validate({"changes": list(items)}).changes)


def _field(path: str, earlier: int) -> str:
    """`$.changes[7].participant` -> `changes[2].participant` when 5 earlier changes came first."""
    path = path.removeprefix("$.")
    prefix = "changes["
    if not path.startswith(prefix):
        return path or "body"
    index_text, _, rest = path[len(prefix) :].partition("]")
    index = int(index_text) if index_text.isdigit() else 0
    if index < earlier:
        return f"earlier_changes[{index}]{rest}"
    return f"changes[{index - earlier}]{rest}"


def _invalid_changes(error: FileFormatError, earlier: int) -> DomainError:
    problems = [
        FieldProblem(
            _field(p.path, earlier), "{text} [{rule}]", {"text": p.message, "rule": p.rule}
        )
        for p in error.problems
    ]
    return DomainError(
        "invalid_changes",
        "Les changements ne s'appliquent pas au salon : {count} problème(s).",
        status=422,
        problems=problems,
        count=len(problems),
    )


def _infeasible(error: InfeasibleError) -> DomainError:
    problems = [
        FieldProblem(c.rule, "{text}", {"text": c.message_fr or c.message}, english=c.message)
        for c in error.clashes
    ]
    return DomainError(
        "infeasible",
        "Les règles ne peuvent pas toutes être respectées : {count} exigence(s) en conflit.",
        status=409,
        problems=problems,
        count=len(problems),
    )


# ------------------------------------------------------------------ results


def _affected(session: Session, *, salon_id: int, codes: list[str]) -> list[AffectedParticipant]:
    found = salon_storage.find_participants_by_code(session, salon_id=salon_id, codes=codes)
    return [
        AffectedParticipant(code=code, name=found[code].name, email=found[code].email)
        for code in codes
        if code in found
    ]


def repair_reads(session: Session, *, salon_id: int, rows: Sequence[Repair]) -> list[RepairRead]:
    """Read models of repairs, with their drafts' objectives and unscheduled wishes."""
    ids = [r.schedule_id for r in rows] + [r.base_schedule_id for r in rows if r.base_schedule_id]
    schedules = storage.schedules_by_id(session, ids=ids)
    current = salon_storage.current_published(session, salon_id=salon_id)
    objectives = salon_storage.schedule_objectives(
        session, schedule_ids=[r.schedule_id for r in rows]
    )
    reads = []
    for row in rows:
        draft = schedules[row.schedule_id]
        base = schedules.get(row.base_schedule_id) if row.base_schedule_id else None
        document = convert.schedule_document(session, schedule=draft)
        change_list = [ChangeRead.model_validate(c) for c in row.change_list]
        reads.append(
            RepairRead(
                id=row.id,
                salon_id=row.salon_id,
                state="published" if draft.published_at is not None else "draft",
                current=current is None or current.id in (draft.id, row.base_schedule_id),
                base_version=None if base is None else base.version,
                version=draft.version,
                now=row.now,
                changes=_change_models(row.changes),
                change_list=change_list,
                participants=_affected(session, salon_id=salon_id, codes=list(row.participants)),
                moved=sum(1 for c in change_list if c.kind == "moved"),
                dropped=sum(1 for c in change_list if c.kind == "dropped"),
                added=sum(1 for c in change_list if c.kind == "added"),
                objectives=[
                    ObjectiveRead(name=o.name, value=o.value, bound=o.bound)
                    for o in objectives[draft.id]
                ],
                unscheduled=[
                    UnscheduledRead.model_validate(u.model_dump()) for u in document.unscheduled
                ],
                notified=row.notified,
                created_at=from_storage(row.created_at),
                published_at=maybe_from_storage(draft.published_at),
                notified_at=maybe_from_storage(row.notified_at),
            )
        )
    return reads


# ------------------------------------------------------------------ creating


def _apply(
    session: Session, *, salon: Salon, base: Schedule, posted: list[DayChange], now: dt.datetime
) -> tuple[AppliedChanges, v1.Schedule]:
    """The stored salon after the published repairs' changes and the posted ones."""
    earlier = [
        change
        for repair in storage.published_repairs(session, salon_id=salon.id)
        for change in _change_models(repair.changes)
        if change.kind not in ADDITIONS  # already stored in the salon
    ]
    document = convert.salon_document(session, salon=salon)
    schedule = convert.schedule_document(session, schedule=base)
    try:
        applied = apply_changes(document, schedule, ChangeSet(changes=earlier + posted), now)
    except FileFormatError as error:
        raise _invalid_changes(error, len(earlier)) from error
    return applied, schedule


def _store_additions(session: Session, *, salon_id: int, posted: list[DayChange]) -> None:
    """Walk-ins and new wishes become participants and wishes of the salon."""
    now = utc_now()
    people = [c.participant for c in posted if isinstance(c, ParticipantAdded)]
    if people:
        tables = {t.code: t.id for t in salon_storage.list_tables(session, salon_id=salon_id)}
        convert.store_participants(
            session,
            salon_id=salon_id,
            specs=people,
            table_ids=tables,
            first_position=salon_storage.next_participant_position(session, salon_id=salon_id),
            now=now,
        )
    wishes = [c.wish for c in posted if isinstance(c, WishAdded)]
    if wishes:
        convert.store_wishes(
            session,
            salon_id=salon_id,
            specs=wishes,
            first_position=salon_storage.next_wish_position(session, salon_id=salon_id),
            now=now,
        )


def _store_draft(session: Session, *, salon_id: int, document: v1.Schedule) -> Schedule:
    participants, _ = salon_storage.list_participants(session, salon_id=salon_id)
    tables = salon_storage.list_tables(session, salon_id=salon_id)
    return convert.store_schedule(
        session,
        salon_id=salon_id,
        job_id=None,
        document=document,
        participant_ids={p.code: p.id for p in participants},
        table_ids={t.code: t.id for t in tables},
        now=utc_now(),
    )


def _published_base(session: Session, *, salon_id: int) -> Schedule:
    base = salon_storage.current_published(session, salon_id=salon_id)
    if base is None:
        raise DomainError(
            "no_published_schedule",
            "Aucun planning publié à réparer : publiez d'abord un planning.",
            status=409,
        )
    return base


def check_changes(
    session: Session,
    *,
    organiser: CurrentOrganiser,
    salon_id: int,
    changes: list[DayChange],
    now: dt.datetime | None,
) -> None:
    """Refuse changes that do not apply to the published schedule (`invalid_changes`, as
    create_repair would), without repairing or storing anything (the pages' change form)."""
    salon = salons.organiser_salon(session, organiser=organiser, salon_id=salon_id)
    base = _published_base(session, salon_id=salon.id)
    try:
        _apply(session, salon=salon, base=base, posted=changes, now=_local(now, salon.timezone))
    finally:
        session.rollback()


def create_repair(
    session: Session, *, organiser: CurrentOrganiser, salon_id: int, data: RepairCreate
) -> RepairRead:
    """Repair the published schedule after the posted changes; the draft is a new version."""
    salon = salons.organiser_salon(session, organiser=organiser, salon_id=salon_id)
    base = _published_base(session, salon_id=salon.id)
    now = _local(data.now, salon.timezone)
    posted = list(data.changes)
    applied, schedule = _apply(session, salon=salon, base=base, posted=posted, now=now)
    base_id = base.id
    session.rollback()  # no connection held while the solver runs
    try:
        repaired = repair_applied(
            applied, schedule, SolveOptions(time_limit=DEFAULT_SECONDS, workers=1)
        )
    except InfeasibleError as error:
        raise _infeasible(error) from error
    locked = salon_storage.lock_salon(session, salon_id=salon_id)
    current = salon_storage.current_published(session, salon_id=salon_id)
    if locked is None:
        raise not_found("Salon introuvable.")
    if current is None or current.id != base_id:
        raise DomainError(
            "schedule_changed",
            "Un autre planning a été publié pendant la réparation : recommencez.",
            status=409,
        )
    _store_additions(session, salon_id=salon_id, posted=posted)
    draft = _store_draft(session, salon_id=salon_id, document=repaired)
    changes = repaired.changes or []
    repair = storage.insert_repair(
        session,
        repair=Repair(
            salon_id=salon_id,
            base_schedule_id=base_id,
            schedule_id=draft.id,
            now=now,
            changes=[c.model_dump(mode="json", by_alias=True, exclude_none=True) for c in posted],
            change_list=[
                c.model_dump(mode="json", by_alias=True, exclude_none=True) for c in changes
            ],
            participants=changed_participants(changes),
            notified=0,
            created_at=utc_now(),
        ),
    )
    session.commit()
    [read] = repair_reads(session, salon_id=salon_id, rows=[repair])
    return read


# ------------------------------------------------------------------ reading


def salon_repair(
    session: Session, *, organiser: CurrentOrganiser, salon_id: int, repair_id: int
) -> Repair:
    salon = salons.organiser_salon(session, organiser=organiser, salon_id=salon_id)
    repair = storage.find_repair(session, salon_id=salon.id, repair_id=repair_id)
    if repair is None:
        raise not_found("Réparation introuvable.")
    return repair


def get_repair(
    session: Session, *, organiser: CurrentOrganiser, salon_id: int, repair_id: int
) -> RepairRead:
    repair = salon_repair(session, organiser=organiser, salon_id=salon_id, repair_id=repair_id)
    [read] = repair_reads(session, salon_id=repair.salon_id, rows=[repair])
    return read


def list_repairs(
    session: Session, *, organiser: CurrentOrganiser, salon_id: int, offset: int, limit: int
) -> Page[RepairRead]:
    salon = salons.organiser_salon(session, organiser=organiser, salon_id=salon_id)
    rows, count = storage.list_repairs(
        session, salon_id=salon.id, offset=max(0, offset), limit=max(1, min(limit, MAX_LIMIT))
    )
    return Page(data=repair_reads(session, salon_id=salon.id, rows=rows), count=count)


# ------------------------------------------------------------------ publishing


def publish_repair(
    session: Session,
    *,
    organiser: CurrentOrganiser,
    salon_id: int,
    repair_id: int,
    settings: Settings,
    submit: Callable[[int], None],
    allowed: Callable[[str], bool] | None = None,
) -> RepairRead:
    """Publish the draft and queue the mails to each participant whose agenda changed (once;
    not those `allowed` refuses, a rate limit per address): a job (api.repairs.mail_job) handed
    to the runner (`submit(job_id)`) sends them after the request, and sets `notified`.

    A compare-and-set under the salon's lock: the draft is published only while participants
    still see the version it was built on (or the draft itself, published again). Of two drafts
    of one version published at once, the later gets 409 `repair_outdated`, and publishes and
    queues nothing. The mails' job is committed just after the publication.
    """
    repair = salon_repair(session, organiser=organiser, salon_id=salon_id, repair_id=repair_id)
    if salon_storage.lock_salon(session, salon_id=repair.salon_id) is None:
        raise not_found("Réparation introuvable.")
    draft = session.get(Schedule, repair.schedule_id, populate_existing=True)
    if draft is None:
        raise not_found("Réparation introuvable.")
    current = salon_storage.current_published(session, salon_id=repair.salon_id)
    base_still_published(repair, current)
    if current is None or current.id != draft.id:
        draft.published_at = utc_now()
    claimed = storage.claim_notification(session, repair_id=repair.id, when=utc_now())
    session.commit()  # published: the salon's lock is released (the rate limit writes too)
    if claimed:
        refused = refused_codes(session, repair=repair, allowed=allowed)
        mails = queue_repair_mails(session, repair=repair, refused=refused)
        session.commit()
        submit(mails.id)
    session.refresh(repair)
    [read] = repair_reads(session, salon_id=repair.salon_id, rows=[repair])
    return read


def mails_pending(session: Session, *, repair_id: int) -> bool:
    """Whether the published repair's mails are still being sent (its job not ended)."""
    return storage.mails_pending(session, repair_id=repair_id)


def base_still_published(repair: Repair, current: Schedule | None) -> None:
    """A draft is published only over the version it repaired (or over itself), else 409."""
    if current is not None and current.id not in (repair.schedule_id, repair.base_schedule_id):
        raise DomainError(
            "repair_outdated",
            "Ce brouillon part d'un planning qui n'est plus celui publié (version {version}) : "
            "refaites la réparation.",
            status=409,
            version=current.version,
        )


# ------------------------------------------------------------------ mails


def _line(change: dict[str, Any], code: str, english: bool) -> str:
    other = change["to"] if change["from"] == code else change["from"]
    before, after = change.get("before"), change.get("after")

    def at(ref: dict[str, str]) -> str:
        start = dt.datetime.fromisoformat(ref["start"])
        return f"{start:%d/%m %H:%M}, table {ref['table']}"

    if change["kind"] == "moved" and before and after:
        return (
            f"- moved: meeting with {other}: {at(before)} -> {at(after)}"
            if english
            else f"- déplacé : rendez-vous avec {other} : {at(before)} -> {at(after)}"
        )
    if change["kind"] == "dropped" and before:
        return (
            f"- cancelled: meeting with {other} ({at(before)})"
            if english
            else f"- annulé : rendez-vous avec {other} ({at(before)})"
        )
    if after:
        return (
            f"- added: meeting with {other}: {at(after)}"
            if english
            else f"- ajouté : rendez-vous avec {other} : {at(after)}"
        )
    return ""


def agenda_mail(
    salon_name: str, name: str, code: str, changes: list[dict[str, Any]], url: str = ""
) -> str:
    """The mail to one participant: its changes, in French then English, and its link."""
    mine = [c for c in changes if c["kind"] != "kept" and code in (c["from"], c["to"])]
    french = [_line(c, code, False) for c in mine]
    english = [_line(c, code, True) for c in mine]
    return "\n".join(
        [
            f"Bonjour {name},",
            "",
            f"Votre agenda du salon « {salon_name} » a changé :",
            *french,
            "",
            "Votre agenda à jour est sur votre lien personnel." + (f"\n{url}" if url else ""),
            "",
            "-- English --",
            "",
            f"Hello {name},",
            "",
            f"Your agenda at '{salon_name}' has changed:",
            *english,
            "",
            "Your updated agenda is on your personal link." + (f"\n{url}" if url else ""),
        ]
    )


def refused_codes(
    session: Session, *, repair: Repair, allowed: Callable[[str], bool] | None
) -> list[str]:
    """The participants of the repair's list with an address that `allowed` (the request's
    rate limit, counting each recipient) refuses."""
    if allowed is None:
        return []
    people = _affected(session, salon_id=repair.salon_id, codes=list(repair.participants))
    refused = [p.code for p in people if p.email and not allowed(p.email)]
    for code in refused:
        log.warning("repair %s: mail to %s not sent: rate limit", repair.id, code)
    return refused


def notify(
    session: Session,
    *,
    settings: Settings,
    repair: Repair,
    allowed: Callable[[str], bool] | None = None,
    skip: set[str] | frozenset[str] = frozenset(),
) -> int:
    """Mail every participant of the repair's list that has an address (and that `allowed`
    accepts, not in `skip`); the number sent. Run by the repair's mail job."""
    salon = session.get(Salon, repair.salon_id)
    if salon is None:
        return 0
    sent = 0
    links = printed_links(session, salon=salon, settings=settings)
    for person in _affected(session, salon_id=repair.salon_id, codes=list(repair.participants)):
        if not person.email or person.code in skip:
            continue
        if allowed is not None and not allowed(person.email):
            log.warning("repair %s: mail to %s not sent: rate limit", repair.id, person.code)
            continue
        url = links.get(person.code, "")
        body = agenda_mail(salon.name, person.name, person.code, list(repair.change_list), url)
        subject = f"Votre agenda a changé / Your agenda has changed – {salon.name}"
        calendar = calendar_attachments(
            session, settings=settings, salon=salon, code=person.code, url=url
        )
        try:
            send_mail(settings, to=person.email, subject=subject, body=body, attachments=calendar)
        except MailNotSentError as error:
            log.warning("repair %s: mail to %s not sent: %s", repair.id, person.code, error)
            continue
        sent += 1
    return sent
