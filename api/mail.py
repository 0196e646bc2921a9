"""Sending e-mail: through SMTP when `settings.smtp_host` is set, else into a file outbox.

A mail that cannot be sent (SMTP server refusing the connection, silent past
`settings.smtp_timeout`, or answering with an SMTP error; an outbox that cannot be written)
raises `MailNotSentError`: a `DomainError` (503, code `mail_not_sent`) whose French message says
why, without the server's own words (they are logged). Callers sending one mail let it answer the
request (what was saved before stays saved); callers sending many count it and go on.

The outbox (`settings.outbox_dir`) holds one RFC 5322 `.eml` file per mail, named so that they
sort in sending order; `read_outbox` parses them back (used by tests and by `make run` users
who want to click a magic link without a mail server).
"""

from __future__ import annotations

import logging
import smtplib
import socket
import uuid
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, make_msgid
from pathlib import Path

from api.errors import DomainError
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


def build_message(settings: Settings, *, to: str, subject: str, body: str) -> EmailMessage:
    """A plain-text UTF-8 mail from `settings.mail_from`."""
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(from_storage(utc_now()))
    message["Message-ID"] = make_msgid(domain=settings.mail_from.rpartition("@")[2] or None)
    message.set_content(body)
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


def send_mail(settings: Settings, *, to: str, subject: str, body: str) -> Path | None:
    """Send a mail; returns the outbox file when there is no SMTP server configured.

    `MailNotSentError` when it could not be sent (see the module's docstring)."""
    smtp = bool(settings.smtp_host)
    try:
        message = build_message(settings, to=to, subject=subject, body=body)
        if not settings.smtp_host:
            return write_to_outbox(settings.outbox_dir, message)
        with smtplib.SMTP(
            settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout
        ) as server:
            server.send_message(message)
    except (OSError, ValueError) as error:  # smtplib.SMTPException is an OSError
        log.warning("mail to %s not sent: %r", to, error)
        raise not_sent(error, smtp=smtp) from error
    return None


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
