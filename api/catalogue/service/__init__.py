"""The catalogue's use cases, one module per role: each checks the rules, writes, records the
audit trail (who, when, what) and commits.

- `audit`: the audit trail and the writes that keep it (shared; `SYSTEM`, the loader's actor);
- `editions`: editions, formats and tracks (moderators), an edition or a track by its slug;
- `events`: events' content: read as editable fields, checked, written, created, duplicated,
  found, updated;
- `transitions`: the workflow (submit, publish, request changes, reject, withdraw) and an
  event's history.

This file only re-exports what the routes, pages, loader, listings and tests use, so that
callers write `service.create_event(...)`; code goes in the module of its role
(tests/api/test_layers.py fails on a definition here).
"""

from __future__ import annotations

from api.catalogue.service.audit import SYSTEM, record
from api.catalogue.service.editions import (
    create_edition,
    create_format,
    create_track,
    find_track,
    resolve_edition,
    update_edition,
    update_format,
    update_track,
)
from api.catalogue.service.events import (
    create_event,
    duplicate_event,
    event_fields,
    find_event,
    find_public_event,
    update_event,
    write_fields,
)
from api.catalogue.service.transitions import event_history, transition

__all__ = [
    "SYSTEM",
    "create_edition",
    "create_event",
    "create_format",
    "create_track",
    "duplicate_event",
    "event_fields",
    "event_history",
    "find_event",
    "find_public_event",
    "find_track",
    "record",
    "resolve_edition",
    "transition",
    "update_edition",
    "update_event",
    "update_format",
    "update_track",
    "write_fields",
]
