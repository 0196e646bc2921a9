"""The pages' assets router (listed in api.app.routers, after the pages' routers: the
participants' pages under /p, api.pages.participant; the organisers' under /o, one router per
module of api/pages/organiser/).

The JSON API lives under /salons, /me and /organisers: these paths never clash with it.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from api.documents.html import STATIC_DIR

router = APIRouter(include_in_schema=False)

ASSETS = {"pages.css": "text/css; charset=utf-8", "pages.js": "text/javascript; charset=utf-8"}


@router.get("/assets/{name}")
def asset(name: str) -> Response:
    """The pages' stylesheet and script (only these two files)."""
    if name not in ASSETS:
        return Response("not found", status_code=404, media_type="text/plain")
    return Response(
        (STATIC_DIR / name).read_bytes(),
        media_type=ASSETS[name],
        headers={"Cache-Control": "public, max-age=3600"},
    )
