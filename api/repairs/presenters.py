"""What the repair pages show: the salon's people, days and tables for the change forms, the
recorded changes, the salon's repairs, and one repair's change list in the desk's words.

Domain work goes through api.repairs.service and api.salons.service; this module only arranges
their answers for the templates (templates/pages/organiser_repair*.html).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from api.auth import CurrentOrganiser
from api.i18n import gettext
from api.repairs import service
from api.repairs.forms import (
    FORMS,
    Days,
    FormProblem,
    added_codes,
    change_models,
    write_pending,
)
from api.repairs.schemas import ChangeRead, RepairRead
from api.salons import service as salons
from api.salons import storage as salon_storage

KIND_LABELS = {"kept": "maintenu", "moved": "déplacé", "dropped": "annulé", "added": "ajouté"}
REASON_LABELS = {
    "participant_cancelled": "participant absent ou parti",
    "participant_unavailable": "participant indisponible à cette heure",
    "meeting_cancelled": "rendez-vous annulé",
    "table_closed": "table fermée",
    "rearranged": "déplacé pour faire de la place",
    "no_show": "absence au rendez-vous (gardé tel quel)",
    "waiting_list": "pris sur la liste d'attente",
    "wish_added": "nouveau souhait",
    "participant_available": "participant indisponible",
    "within_during": "hors des horaires voulus",
    "pinned_start": "heure imposée impossible",
    "one_meeting_per_pair": "rendez-vous en double",
    "meeting_has_wish": "plus aucun souhait",
    "on_slot_grid": "hors des créneaux",
    "right_table": "mauvaise table",
    "declined_never_scheduled": "décliné ou annulé",
    "no_common_slot": "plus de créneau commun",
    "cap_reached": "nombre maximal de rendez-vous atteint",
    "max_in_a_row": "trop de rendez-vous d'affilée",
    "table_capacity": "aucune table libre",
    "not_selected": "créneaux pris par d'autres rendez-vous",
    "wish_window_closed": "souhait arrivé après la clôture",
}
FORM_TITLES = {
    "absent": "Un participant ne vient pas",
    "leaves": "Un participant part plus tôt",
    "late": "Un participant arrive en retard",
    "away": "Un participant s'absente un moment",
    "no_show": "Un participant n'est pas venu à son rendez-vous",
    "meeting": "Un rendez-vous est annulé",
    "walk_in": "Un participant arrive sans inscription",
    "wish": "Un nouveau souhait",
    "table": "Une table est fermée",
}


def labels_in(language: str, labels: dict[str, str]) -> dict[str, str]:
    return {key: gettext(language, text) for key, text in labels.items()}


@dataclass
class Problems:
    """Problems to show on the record page: in one form, on recorded changes, at the top."""

    form: str = ""
    values: dict[str, str] = field(default_factory=dict)
    fields: dict[str, list[str]] = field(default_factory=dict)
    whole_form: list[str] = field(default_factory=list)
    recorded: dict[int, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)
    now: str = ""

    def any(self) -> bool:
        return bool(self.fields or self.whole_form or self.recorded or self.general or self.now)


def form_problems(
    problems: Problems, kind: str, values: dict[str, str], found: list[FormProblem], language: str
) -> Problems:
    """Put a form's problems on its fields (those without a field on the whole form)."""
    problems.form, problems.values = kind, values
    for problem in found:
        if problem.field:
            problems.fields.setdefault(problem.field, []).append(problem.render(language))
        else:
            problems.whole_form.append(problem.render(language))
    return problems


# ------------------------------------------------------------------ the record page


def parse_now(text: str) -> dt.datetime | None:
    """The repair's "now" typed in the page (a local date and time); ValueError if bad."""
    value = text.strip()
    if not value:
        return None
    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is not None:
        raise ValueError("a local time has no UTC offset")
    return moment.replace(second=0, microsecond=0)


def record_context(
    session: Session,
    *,
    organiser: CurrentOrganiser,
    salon_id: int,
    pending: list[dict[str, Any]],
    now: dt.datetime | None,
    now_text: str,
    language: str,
) -> dict[str, Any]:
    """Everything the record page shows, whatever the problems."""
    salon = salons.get_salon(session, organiser=organiser, salon_id=salon_id)
    document = salons.export_salon(session, organiser=organiser, salon_id=salon_id)
    published = salon_storage.current_published(session, salon_id=salon_id)
    repairs = service.list_repairs(
        session, organiser=organiser, salon_id=salon_id, offset=0, limit=20
    ).data
    clock = service.salon_clock(document.timezone)
    days = Days.of(document)
    names = {p.id: p.name for p in document.participants}
    walk_ins = added_codes(pending)
    names.update(dict(walk_ins))
    people = sorted(
        [
            (
                p.id,
                f"{p.name} — {p.organisation} ({p.id})" if p.organisation else f"{p.name} ({p.id})",
            )
            for p in document.participants
        ]
        + [(code, f"{name} ({code})") for code, name in walk_ins],
        key=lambda item: item[1].casefold(),
    )
    owners = {p.table: p.name for p in document.participants if p.table}
    tables = [
        (t.id, f"{t.id} — {owners[t.id]}" if t.id in owners else t.id)
        for t in document.table_specs()
    ]
    return {
        "salon": salon,
        "published_version": None if published is None else published.version,
        "repairs": repairs,
        "clock": clock,
        "now": now,
        "now_text": now_text,
        "days": days.dates,
        "default_day": days.default(now or clock).isoformat(),
        "multi_day": len(days.dates) > 1,
        "people": people,
        "names": names,
        "tables": tables,
        "pending": change_models(pending),
        "pending_json": write_pending(pending),
        "forms": FORMS,
        "form_titles": labels_in(language, FORM_TITLES),
    }


def form_inputs(
    session: Session, *, organiser: CurrentOrganiser, salon_id: int
) -> tuple[Days, set[str], list[str]]:
    """What a change form is checked against: the salon's days, participant codes, tables."""
    document = salons.export_salon(session, organiser=organiser, salon_id=salon_id)
    return (
        Days.of(document),
        {p.id for p in document.participants},
        [t.id for t in document.table_specs()],
    )


# ------------------------------------------------------------------ one repair


@dataclass
class Person:
    """A participant whose agenda changed, with its changes."""

    code: str
    name: str
    email: str | None
    changes: int


def person_list(repair: RepairRead) -> list[Person]:
    counts: dict[str, int] = {}
    for change in repair.change_list:
        if change.kind == "kept":
            continue
        for code in (change.from_, change.to):
            counts[code] = counts.get(code, 0) + 1
    return [Person(p.code, p.name, p.email, counts.get(p.code, 0)) for p in repair.participants]


def visible_changes(repair: RepairRead) -> list[ChangeRead]:
    """The change list, moved/dropped/added first in time order, then the no-show marks."""
    return [c for c in repair.change_list if c.kind != "kept"] + [
        c for c in repair.change_list if c.kind == "kept"
    ]


def repair_context(
    session: Session, *, organiser: CurrentOrganiser, salon_id: int, repair_id: int, language: str
) -> dict[str, Any]:
    salon = salons.get_salon(session, organiser=organiser, salon_id=salon_id)
    # Whether its mails are on their way is read before the repair: a job ending between the
    # two reads would otherwise show its count still 0 with nothing pending.
    mails_pending = service.mails_pending(session, repair_id=repair_id)
    repair = service.get_repair(
        session, organiser=organiser, salon_id=salon_id, repair_id=repair_id
    )
    document = salons.export_salon(session, organiser=organiser, salon_id=salon_id)
    days = Days.of(document)
    people = person_list(repair)
    published = None
    if repair.published_at is not None:
        zone = ZoneInfo(document.timezone)
        published = repair.published_at.astimezone(zone).replace(tzinfo=None)
    return {
        "published_local": published,
        "salon": salon,
        "repair": repair,
        "names": {p.id: p.name for p in document.participants},
        "changes": visible_changes(repair),
        "people": people,
        "without_email": [p for p in people if not p.email],
        "mails_pending": mails_pending,
        "multi_day": len(days.dates) > 1,
        "kind_labels": labels_in(language, KIND_LABELS),
        "reason_labels": labels_in(language, REASON_LABELS),
        "problems": [],
    }
