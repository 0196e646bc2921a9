"""The salon domain, organiser side: one module per aggregate.

Every use case takes a session and keyword arguments, checks access (a salon of another
organiser is "not found"), applies the rules, commits, and returns API read models, so that the
JSON routes and the HTML pages share it. The participant side is in api.salons.self_service.

- `access`: the organiser's salon or 404, a row or 404, a page's bounds (shared by all);
- `checks`: a salon/v1 document against its rules and the service's sizes (422);
- `salons`: salons, their settings, tables and wish window;
- `participants`: participants and their import;
- `links`: participants' personal links;
- `wishes`: wishes, organiser side;
- `solves`: solve jobs;
- `schedules`: schedule versions and their publication.

This file only re-exports the use cases, and what other packages use besides (the ownership
checks `organiser_salon` and `salon_schedule`, `issue_link` for the CLI, `job_error_text` for
print jobs), so that callers write `service.create_salon(...)`; code goes in the module of its
aggregate (tests/api/test_layers.py fails on a definition here).
"""

from __future__ import annotations

from api.salons.service.access import organiser_salon
from api.salons.service.links import create_link, issue_link, list_links, revoke_link
from api.salons.service.participants import (
    create_participant,
    delete_participant,
    get_participant,
    import_participants,
    list_participants,
    update_participant,
)
from api.salons.service.salons import (
    create_salon,
    delete_salon,
    export_salon,
    get_salon,
    import_salon,
    list_salons,
    set_wish_window,
    update_salon,
)
from api.salons.service.schedules import (
    export_schedule,
    get_schedule,
    list_schedules,
    publish_schedule,
    salon_schedule,
)
from api.salons.service.solves import (
    active_solve,
    cancel_solve,
    get_solve,
    job_error_text,
    list_solves,
    start_solve,
)
from api.salons.service.wishes import (
    create_wish,
    delete_wish,
    get_wish,
    import_wishes,
    list_wishes,
    update_wish,
)

__all__ = [
    "active_solve",
    "cancel_solve",
    "create_link",
    "create_participant",
    "create_salon",
    "create_wish",
    "delete_participant",
    "delete_salon",
    "delete_wish",
    "export_salon",
    "export_schedule",
    "get_participant",
    "get_salon",
    "get_schedule",
    "get_solve",
    "get_wish",
    "import_wishes",
    "import_participants",
    "import_salon",
    "issue_link",
    "job_error_text",
    "list_links",
    "list_participants",
    "list_salons",
    "list_schedules",
    "list_solves",
    "list_wishes",
    "organiser_salon",
    "publish_schedule",
    "revoke_link",
    "salon_schedule",
    "set_wish_window",
    "start_solve",
    "update_participant",
    "update_salon",
    "update_wish",
]
