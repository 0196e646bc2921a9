"""A queued mail's sending (api.mail.deliver_queued, what a worker's `salon.send_mail` task
runs), on SQLite and PostgreSQL: an SMTP server refusing the connection counts an attempt and
raises MailNotSentError (the queue retries with a growing wait); the last attempt fails the
mail, its error kept; a mail already sent is never sent again."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage

import pytest
from service_helpers import settings_for
from test_mail_failures import closed_port

from api.db import make_engine, make_session_factory
from api.jobs import prune_old_mails
from api.mail import MailNotSentError, build_message, deliver_queued, read_database_outbox
from api.queue import storage as queue_storage
from api.queue.tables import OutboxMail
from api.timestamps import utc_now


def _queued(factory, message: EmailMessage) -> int:  # type: ignore[no-untyped-def]
    with factory() as session:
        mail = queue_storage.insert_mail(
            session,
            mail=OutboxMail(
                recipient=str(message["To"]),
                subject=str(message["Subject"]),
                message=message.as_bytes(),
                state="queued",
                attempts=0,
                created_at=utc_now(),
            ),
        )
        session.commit()
        return mail.id


def test_a_queued_mail_is_retried_then_failed_then_never_sent_twice(database_url: str) -> None:
    settings = settings_for(database_url, smtp_host="127.0.0.1", smtp_port=closed_port())
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    try:
        message = build_message(settings, to="ada@example.org", subject="Rappel", body="Bonjour")
        mail_id = _queued(factory, message)
        with pytest.raises(MailNotSentError) as raised:
            deliver_queued(settings, factory, mail_id, final=False)
        assert raised.value.code == "mail_not_sent" and raised.value.status == 503
        with factory() as session:
            mail = queue_storage.find_mail(session, mail_id=mail_id)
            assert mail is not None
            assert (mail.state, mail.attempts, mail.sent_at) == ("queued", 1, None)
            assert mail.error and "Connection refused" in mail.error
        assert deliver_queued(settings, factory, mail_id, final=True) == "failed"
        with factory() as session:
            mail = queue_storage.find_mail(session, mail_id=mail_id)
            assert mail is not None and (mail.state, mail.attempts) == ("failed", 2)
            assert read_database_outbox(session) == []
        # Without an SMTP server the mail stays in the database as the outbox, once.
        outbox = settings_for(database_url)
        second = _queued(factory, message)
        assert deliver_queued(outbox, factory, second, final=False) == "outbox"
        assert deliver_queued(outbox, factory, second, final=False) == "outbox"  # not again
        with factory() as session:
            mail = queue_storage.find_mail(session, mail_id=second)
            assert mail is not None and (mail.state, mail.attempts) == ("outbox", 1)
            assert [m["Subject"] for m in read_database_outbox(session)] == ["Rappel"]
    finally:
        engine.dispose()


def test_the_clean_up_deletes_old_sent_and_failed_mails_only(database_url: str) -> None:
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    now = utc_now()
    old = now - timedelta(days=31)
    rows = {  # (state, created, sent): kept?
        "old sent": ("sent", old, old, False),
        "old failed": ("failed", old, None, False),
        "recently sent": ("sent", old, now - timedelta(days=2), True),
        "old queued": ("queued", old, None, True),
        "old outbox": ("outbox", old, None, True),
        "new failed": ("failed", now, None, True),
    }
    try:
        with factory() as session:
            for subject, (state, created, sent, _) in rows.items():
                mail = OutboxMail(
                    recipient="ada@example.org", subject=subject, message=b"x", state=state,
                    attempts=1, created_at=created, sent_at=sent,
                )
                queue_storage.insert_mail(session, mail=mail)
            session.commit()
        assert prune_old_mails(factory, settings_for(database_url, queue_keep_days=30)) == 2
        assert prune_old_mails(factory, settings_for(database_url, queue_keep_days=0)) == 0
        with factory() as session:
            left = {m.subject for m in queue_storage.outbox_mails(session)} & set(rows)
        assert left == {subject for subject, row in rows.items() if row[3]}
    finally:
        engine.dispose()
