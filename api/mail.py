"""Sending e-mail: through SMTP when `settings.smtp_host` is set, else into a file outbox.

The outbox (`settings.outbox_dir`) holds one RFC 5322 `.eml` file per mail, named so that they
sort in sending order; `read_outbox` parses them back (used by tests and by `make run` users
who want to click a magic link without a mail server).
"""

from __future__ import annotations

import datetime as dt
import smtplib
import uuid
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, make_msgid
from pathlib import Path

from api.settings import Settings


def build_message(settings: Settings, *, to: str, subject: str, body: str) -> EmailMessage:
    """A plain-text UTF-8 mail from `settings.mail_from`."""
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(dt.datetime.now(dt.UTC))
    message["Message-ID"] = make_msgid(domain=settings.mail_from.rpartition("@")[2] or None)
    message.set_content(body)
    return message


def write_to_outbox(outbox_dir: Path, message: EmailMessage) -> Path:
    """Write one mail as an .eml file; returns its path."""
    outbox_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
    path = outbox_dir / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
    temporary = path.with_suffix(".tmp")
    temporary.write_bytes(message.as_bytes(policy=policy.SMTP))
    temporary.replace(path)
    return path


def send_mail(settings: Settings, *, to: str, subject: str, body: str) -> Path | None:
    """Send a mail; returns the outbox file when there is no SMTP server configured."""
    message = build_message(settings, to=to, subject=subject, body=body)
    if not settings.smtp_host:
        return write_to_outbox(settings.outbox_dir, message)
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
        smtp.send_message(message)
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
