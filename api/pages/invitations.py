"""Each participant's personal link, sent by e-mail or handed over as a spreadsheet.

Two mails: the invitation (make or answer wishes on your page) and the publication notice (your
agenda is ready). Both carry the participant's stable personal link (api.salons.printed_links: the
same as on printed agendas), in French then English. Participants without an address are listed
with their link so the organiser can reach them another way.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy.orm import Session

from api.documents.exports import safe_text
from api.mail import MailNotSentError, send_mail
from api.salons import storage
from api.salons.printed_links import printed_links
from api.salons.tables import Participant, Salon
from api.settings import Settings

MailKind = Literal["invitation", "published"]


@dataclass
class Recipient:
    """A participant and its personal link."""

    code: str
    name: str
    organisation: str
    email: str
    url: str


@dataclass
class MailReport:
    """Mails sent, and the participants left to reach another way: without an address, whose
    mail failed (mail server down...), or who received too many mails lately (rate limit)."""

    sent: int = 0
    without_address: list[Recipient] = field(default_factory=list)
    failed: list[Recipient] = field(default_factory=list)
    limited: list[Recipient] = field(default_factory=list)


def recipients(session: Session, *, salon: Salon, settings: Settings) -> list[Recipient]:
    """Every participant with a usable personal link, in the salon's order."""
    links = printed_links(session, salon=salon, settings=settings)
    rows, _ = storage.list_participants(session, salon_id=salon.id)
    return [_recipient(row, links[row.code]) for row in rows if row.code in links]


def _recipient(row: Participant, url: str) -> Recipient:
    return Recipient(row.code, row.name, row.organisation, (row.email or "").strip(), url)


def mail_text(kind: MailKind, salon_name: str, person: Recipient) -> tuple[str, str]:
    """Subject and body of one mail, French then English."""
    if kind == "invitation":
        subject = f"Vos rendez-vous au salon / Your meetings at the salon – {salon_name}"
        french = f"Choisissez vos rendez-vous du salon « {salon_name} » ou répondez aux demandes"
        english = f"Choose your meetings at '{salon_name}' or answer the requests you received"
    else:
        subject = f"Votre agenda est prêt / Your agenda is ready – {salon_name}"
        french = f"Votre agenda du salon « {salon_name} » est publié : consultez-le, imprimez-le"
        english = f"Your agenda at '{salon_name}' is published: read it, print it"
    body = "\n".join(
        [
            f"Bonjour {person.name},",
            "",
            f"{french} sur votre page personnelle :",
            person.url,
            "",
            "Ce lien vous est personnel : ne le transférez pas.",
            "",
            "-- English --",
            "",
            f"Hello {person.name},",
            "",
            f"{english} on your personal page:",
            person.url,
            "",
            "This link is yours alone: please do not forward it.",
        ]
    )
    return subject, body


def send_links(
    session: Session,
    *,
    salon: Salon,
    settings: Settings,
    kind: MailKind,
    allowed: Callable[[str], bool] | None = None,
) -> MailReport:
    """Mail every participant with an address its personal link (those `allowed` refuses, a
    rate limit per address, are left out)."""
    report = MailReport()
    for person in recipients(session, salon=salon, settings=settings):
        if not person.email:
            report.without_address.append(person)
            continue
        if allowed is not None and not allowed(person.email):
            report.limited.append(person)
            continue
        subject, body = mail_text(kind, salon.name, person)
        try:
            send_mail(settings, to=person.email, subject=subject, body=body)
        except MailNotSentError:
            report.failed.append(person)
            continue
        report.sent += 1
    return report


def links_csv(people: list[Recipient]) -> bytes:
    """The personal links as CSV for a mail merge (UTF-8 with BOM, ';' as French sheets want)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Code", "Nom", "Organisation", "E-mail", "Lien personnel"])
    for person in people:
        cells = [person.code, person.name, person.organisation, person.email, person.url]
        writer.writerow([safe_text(cell) for cell in cells])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
