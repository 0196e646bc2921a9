"""The catalogue's audit trail: who changed what, when (`record`, `diff`), and the writes that
keep it: a new record (`add_created`), an update of the fields given (`update_given`,
`record_update`); `SYSTEM` is the loader's actor."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy.orm import Session

from api.catalogue.tables import AuditEntry, Edition, Event, EventFormat, Track
from api.catalogue.workflow import Actor

SYSTEM = Actor("system", "system", "salon")


def record(
    session: Session,
    *,
    actor: Actor,
    entity: str,
    entity_id: int,
    action: str,
    changes: dict[str, Any],
    now: dt.datetime,
    note: str | None = None,
) -> None:
    """Keep one change in the audit trail."""
    session.add(
        AuditEntry(
            at=now,
            actor_kind=actor.kind,
            actor_id=actor.id,
            actor_label=actor.label,
            entity=entity,
            entity_id=entity_id,
            action=action,
            changes=changes,
            note=note,
        )
    )


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """{field: [old, new]} for the fields that differ."""
    return {
        key: [before.get(key), after.get(key)] for key in after if before.get(key) != after.get(key)
    }


Row = TypeVar("Row", Event, Edition, EventFormat, Track)


def add_created(
    session: Session,
    row: Row,
    *,
    actor: Actor,
    entity: str,
    snapshot: Callable[[Row], dict[str, Any]],
    now: dt.datetime,
    origin: dict[str, Any] | None = None,
) -> Row:
    """Insert a new record, keep its creation (every field, and `origin`, e.g. the event it
    copies) in the audit trail and commit."""
    session.add(row)
    session.flush()
    record(
        session,
        actor=actor,
        entity=entity,
        entity_id=row.id,
        action="create",
        changes=diff({}, {**snapshot(row), **(origin or {})}),
        now=now,
    )
    session.commit()
    return row


def record_update(
    session: Session,
    *,
    actor: Actor,
    entity: str,
    entity_id: int,
    before: dict[str, Any],
    after: dict[str, Any],
    now: dt.datetime,
) -> bool:
    """Keep the fields that changed in the audit trail (nothing when none did); True if any."""
    changes = diff(before, after)
    if changes:
        record(
            session,
            actor=actor,
            entity=entity,
            entity_id=entity_id,
            action="update",
            changes=changes,
            now=now,
        )
    return bool(changes)


def update_given(
    session: Session,
    row: Row,
    data: BaseModel,
    *,
    actor: Actor,
    entity: str,
    snapshot: Callable[[Row], dict[str, Any]],
    now: dt.datetime,
) -> Row:
    """Set the attributes given (and not null) in `data`, audit what changed and commit."""
    before = snapshot(row)
    for key, value in data.model_dump(exclude_unset=True).items():
        if value is not None:
            setattr(row, key, value)
    record_update(
        session,
        actor=actor,
        entity=entity,
        entity_id=row.id,
        before=before,
        after=snapshot(row),
        now=now,
    )
    session.commit()
    return row
