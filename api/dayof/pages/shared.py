"""What the day's pages share (no router): their templates (templates/dayof/) rendered in the
request's language, and a stored moment shown in the salon's time."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import Request
from fastapi.responses import HTMLResponse

from api import web
from api.timestamps import from_storage

NOTICE_PARAMETERS = ("done", "who", "new")
"""Query parameters of the last action's notice (the other language's link leaves them out)."""


def dayof_page(
    request: Request, template: str, *, status: int = 200, **context: Any
) -> HTMLResponse:
    """templates/dayof/<template> in the request's language, with the last action's `done`."""
    done = request.query_params.get("done", "")
    return web.page(
        request,
        f"dayof/{template}",
        status=status,
        forget=NOTICE_PARAMETERS,
        done=done,
        **context,
    )


def local_clock(at: dt.datetime | None, timezone: str) -> dt.datetime | None:
    """A stored (naive UTC) moment in the salon's time, naive (for the |clock filter)."""
    if at is None:
        return None
    try:
        zone = ZoneInfo(timezone)
    except (ValueError, ZoneInfoNotFoundError):
        return at
    return from_storage(at).astimezone(zone).replace(tzinfo=None)
