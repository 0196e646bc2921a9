"""The catalogue's workflow use cases: an event moved from state to state (submit, publish,
request changes, reject, withdraw; the rules are api.catalogue.workflow's) and its history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.orm import Session

from api.catalogue import storage
from api.catalogue.service.audit import record
from api.catalogue.service.events import find_event
from api.catalogue.tables import AuditEntry, Event
from api.catalogue.workflow import (
    Actor,
    check_message_given,
    check_submission_deadline,
    check_transition_allowed,
)
from api.timestamps import utc_now


def transition(
    session: Session,
    *,
    actor: Actor,
    event_id: int,
    action: str,
    message: str | None = None,
    now: dt.datetime | None = None,
) -> Event:
    """Move an event through the workflow (submit, publish, request_changes, reject, withdraw)."""
    now = now or utc_now()
    event = find_event(session, actor=actor, event_id=event_id)
    step = check_transition_allowed(event, action, actor)
    check_message_given(step, message)
    if action == "submit" and event.state == "draft":
        check_submission_deadline(event.edition, actor, now)
    before_state = event.state
    event.state = step.target
    event.updated_at = now
    if step.needs_message:
        event.moderation_message = (message or "").strip()
    elif action in ("submit", "publish"):
        event.moderation_message = None
    if action == "submit":
        event.submitted_at = now
    if action == "publish" and event.published_at is None:
        event.published_at = now
    record(
        session,
        actor=actor,
        entity="event",
        entity_id=event.id,
        action=action,
        changes={"state": [before_state, event.state]},
        note=(message or "").strip() or None,
        now=now,
    )
    session.commit()
    return event


def event_history(session: Session, *, actor: Actor, event_id: int) -> Sequence[AuditEntry]:
    find_event(session, actor=actor, event_id=event_id)
    return storage.audit_entries(session, entity="event", entity_id=event_id)
