"""Sending e-mail: through SMTP when `settings.smtp_host` is set, else into a file outbox.

A mail that cannot be sent (SMTP server refusing the connection, silent past
`settings.smtp_timeout`, or answering with an SMTP error; an outbox that cannot be written)
raises `MailNotSentError`: a `DomainError` (503, code `mail_not_sent`) whose French message says
why, without the server's own words (they are logged). Callers sending one mail let it answer the
request (what was saved before stays saved); callers sending many count it and go on.

The outbox (`settings.outbox_dir`) holds one RFC 5322 `.eml` file per mail, named so that they
sort in sending order; `read_outbox` parses them back (used by tests and by `make run` users
who want to click a magic link without a mail server).

With the job queue (`settings.job_queue = "procrastinate"`, docs/deployment.md) `send_mail`
only stores the mail in the database (`queue_mails`) and queues its sending: a `salon worker`
sends it (`deliver_queued`: the same SMTP sending, retried with a growing wait), or, without an
SMTP server, leaves it there as the outbox, which every process reads (`read_database_outbox`).
A mail that cannot even be written raises `MailNotSentError` there too.
"""

from __future__ import annotations

import logging
import smtplib
import socket
import threading
import uuid
from collections.abc import Sequence
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, make_msgid
from pathlib import Path

import procrastinate
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from api.db import make_engine, make_session_factory
from api.errors import DomainError
from api.queue import storage as queue_storage
from api.queue.tables import OutboxMail
from api.settings import Settings
from api.timestamps import from_storage, utc_now

log = logging.getLogger(__name__)

UNREACHABLE = (
    "Le courriel n'a pas pu être envoyé : le serveur de courrier est injoignable. "
    "Ce qui a été enregistré le reste ; réessayez dans quelques minutes."
)
SILENT = (
    "Le courriel n'a pas pu être envoyé : le serveur de courrier ne répond pas. "
    "Ce qui a été enregistré le reste ; réessayez dans quelques minutes."
)
REFUSED = (
    "Le courriel n'a pas pu être envoyé : le serveur de courrier l'a refusé. "
    "Ce qui a été enregistré le reste ; réessayez plus tard ou vérifiez l'adresse."
)
UNWRITABLE = (
    "Le courriel n'a pas pu être enregistré dans la boîte d'envoi du serveur. "
    "Ce qui a été enregistré le reste ; prévenez l'administrateur du service."
)


class MailNotSentError(DomainError):
    """A mail that could not be sent: 503, code `mail_not_sent`, the reason in French."""

    def __init__(self, message: str) -> None:
        super().__init__("mail_not_sent", message, status=503)


def not_sent(error: Exception, *, smtp: bool) -> MailNotSentError:
    """The failure of one sending, in the words of the person who asked for it."""
    if isinstance(error, ValueError):  # an address or header that cannot be written
        return MailNotSentError(REFUSED)
    if not smtp:
        return MailNotSentError(UNWRITABLE)
    if isinstance(error, TimeoutError | socket.timeout | smtplib.SMTPServerDisconnected):
        return MailNotSentError(SILENT)
    if isinstance(error, smtplib.SMTPException):
        return MailNotSentError(REFUSED)
    return MailNotSentError(UNREACHABLE)


Attachment = tuple[str, str, bytes]
"""A file joined to a mail: its name, its MIME type ("text/calendar") and its bytes."""


def build_message(
    settings: Settings, *, to: str, subject: str, body: str, attachments: Sequence[Attachment] = ()
) -> EmailMessage:
    """A plain-text UTF-8 mail from `settings.mail_from`, with its `attachments`."""
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(from_storage(utc_now()))
    message["Message-ID"] = make_msgid(domain=settings.mail_from.rpartition("@")[2] or None)
    message.set_content(body)
    for filename, mime, data in attachments:
        maintype, _, subtype = mime.partition("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message


def write_to_outbox(outbox_dir: Path, message: EmailMessage) -> Path:
    """Write one mail as an .eml file; returns its path."""
    outbox_dir.mkdir(parents=True, exist_ok=True)
    stamp = utc_now().strftime("%Y%m%dT%H%M%S%f")
    path = outbox_dir / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
    temporary = path.with_suffix(".tmp")
    temporary.write_bytes(message.as_bytes(policy=policy.SMTP))
    temporary.replace(path)
    return path


def send_mail(
    settings: Settings, *, to: str, subject: str, body: str, attachments: Sequence[Attachment] = ()
) -> Path | None:
    """Send a mail; returns the outbox file when there is no SMTP server configured (and no
    job queue: with one, the mail is queued and a worker sends it, see the module's docstring).

    `MailNotSentError` when it could not be sent (see the module's docstring)."""
    smtp = bool(settings.smtp_host)
    try:
        message = build_message(
            settings, to=to, subject=subject, body=body, attachments=attachments
        )
        if settings.job_queue == "procrastinate":
            queue_mail(settings, message)
            return None
        if not settings.smtp_host:
            return write_to_outbox(settings.outbox_dir, message)
        send_over_smtp(settings, message)
    except (OSError, ValueError) as error:  # smtplib.SMTPException is an OSError
        log.warning("mail to %s not sent: %r", to, error)
        raise not_sent(error, smtp=smtp) from error
    return None


def send_over_smtp(settings: Settings, message: EmailMessage) -> None:
    """One sending through `settings.smtp_host` (OSError or SMTPException when it fails)."""
    assert settings.smtp_host
    with smtplib.SMTP(
        settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout
    ) as server:
        server.send_message(message)


_factories: dict[str, sessionmaker[Session]] = {}
_factories_lock = threading.Lock()


def _session_factory(database_url: str) -> sessionmaker[Session]:
    with _factories_lock:
        factory = _factories.get(database_url)
        if factory is None:
            factory = _factories[database_url] = make_session_factory(make_engine(database_url))
        return factory


def queue_mail(settings: Settings, message: EmailMessage) -> int:
    """Store a mail in the database outbox and queue its sending; its id (OSError when the
    database cannot take it)."""
    from api.queue.client import client_for

    try:
        with _session_factory(settings.database_url)() as session:
            mail = queue_storage.insert_mail(
                session,
                mail=OutboxMail(
                    recipient=str(message["To"]),
                    subject=str(message["Subject"]),
                    message=message.as_bytes(policy=policy.SMTP),
                    state="queued",
                    attempts=0,
                    created_at=utc_now(),
                ),
            )
            session.commit()
            mail_id = mail.id
        client_for(settings.database_url).defer_mail(mail_id)
    except (SQLAlchemyError, procrastinate.exceptions.ProcrastinateException) as error:
        raise OSError(f"mail not queued: {error}") from error
    return mail_id


def deliver_queued(
    settings: Settings, session_factory: sessionmaker[Session], mail_id: int, *, final: bool
) -> str:
    """Send a queued mail of the outbox (a worker's task): through SMTP (`sent`), or kept as the
    outbox without an SMTP server (`outbox`). A failed sending counts an attempt and raises
    `MailNotSentError` (the queue retries it), `failed` on the `final` attempt. Its new state."""
    with session_factory() as session:
        mail = queue_storage.find_mail(session, mail_id=mail_id)
        if mail is None or mail.state != "queued":
            return "gone" if mail is None else mail.state
        data = mail.message
    state, error = "outbox", None
    if settings.smtp_host:
        parsed = BytesParser(policy=policy.default).parsebytes(data)
        assert isinstance(parsed, EmailMessage)
        try:
            send_over_smtp(settings, parsed)
            state = "sent"
        except OSError as exc:
            log.warning("queued mail %s not sent: %r", mail_id, exc)
            state, error = ("failed" if final else "queued"), repr(exc)
    with session_factory() as session:
        queue_storage.update_mail(
            session,
            mail_id=mail_id,
            state=state,
            attempts=OutboxMail.attempts + 1,
            error=error,
            sent_at=utc_now() if error is None else None,
        )
        session.commit()
    if error is not None and not final:
        raise MailNotSentError(UNREACHABLE)
    return state


def read_database_outbox(session: Session) -> list[EmailMessage]:
    """The mails the queue sent or kept as the outbox, oldest first."""
    parser = BytesParser(policy=policy.default)
    messages = []
    for mail in queue_storage.outbox_mails(session, states=("outbox", "sent")):
        parsed = parser.parsebytes(mail.message)
        assert isinstance(parsed, EmailMessage)
        messages.append(parsed)
    return messages


def read_outbox(outbox_dir: Path) -> list[EmailMessage]:
    """The mails of the outbox, oldest first."""
    if not outbox_dir.is_dir():
        return []
    parser = BytesParser(policy=policy.default)
    messages = []
    for path in sorted(outbox_dir.glob("*.eml")):
        parsed = parser.parsebytes(path.read_bytes())
        assert isinstance(parsed, EmailMessage)
        messages.append(parsed)
    return messages
