"""The organiser's profiles page, `/o/salons/{salon_id}/profiles`: the salon's list of themes,
the profiles/v1 export (`profiles.json`) and import (all or none)."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from api import web
from api.db import SessionDep
from api.deps import SalonId
from api.errors import DomainError
from api.i18n import gettext, request_language
from api.pages.organiser.shared import SignedDep
from api.pages.web import PageError, PageRoute
from api.profiles import service
from api.profiles.formats import MAX_FILE_BYTES
from api.salons import service as salons
from api.web import FormDep, check_csrf, first, redirect

router = APIRouter(prefix="/o/salons", route_class=PageRoute, include_in_schema=False)


def _page(
    request: Request,
    session: SessionDep,
    signed: SignedDep,
    salon_id: int,
    *,
    problems: list[str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    read = salons.get_salon(session, organiser=signed.organiser, salon_id=salon_id)
    themes = service.themes_of(session, organiser=signed.organiser, salon_id=salon_id)
    language = request_language(request)
    return web.page(
        request,
        "profiles/organiser.html",
        status=status,
        forget=("done", "count"),
        title=gettext(language, "Profils et thèmes") + f" – {read.name}",
        signed=signed,
        salon=read,
        themes=themes,
        problems=problems or [],
        done=request.query_params.get("done", ""),
        count=request.query_params.get("count", ""),
    )


@router.get("/{salon_id}/profiles", response_class=HTMLResponse)
def profiles_page(
    salon_id: SalonId, request: Request, session: SessionDep, signed: SignedDep
) -> HTMLResponse:
    return _page(request, session, signed, salon_id)


@router.post("/{salon_id}/profiles/themes")
def save_themes(
    salon_id: SalonId, session: SessionDep, signed: SignedDep, form: FormDep
) -> Response:
    check_csrf(form, signed.secret)
    themes = [line.strip() for line in first(form, "themes").splitlines() if line.strip()]
    service.set_themes(session, organiser=signed.organiser, salon_id=salon_id, themes=themes)
    return redirect(f"/o/salons/{salon_id}/profiles", done="themes")


@router.get("/{salon_id}/profiles.json")
def export_profiles(salon_id: SalonId, session: SessionDep, signed: SignedDep) -> Response:
    document = service.export_profiles(session, organiser=signed.organiser, salon_id=salon_id)
    return Response(
        json.dumps(document, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="profiles-{salon_id}.json"'},
    )


@router.post("/{salon_id}/profiles/import", response_class=HTMLResponse)
async def import_profiles(
    salon_id: SalonId, request: Request, session: SessionDep, signed: SignedDep
) -> Response:
    form = await request.form()
    check_csrf({"csrf": [str(form.get("csrf") or "")]}, signed.secret)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise PageError("Choisissez un fichier profiles/v1 (JSON).", status=422)
    data = await upload.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise PageError("Fichier trop gros (20 Mo au plus).", status=413)
    try:
        count = service.import_profiles(
            session, organiser=signed.organiser, salon_id=salon_id, data=data
        )
    except DomainError as refused:
        if refused.status != 422:
            raise
        session.rollback()
        language = request_language(request)
        problems = [refused.render(language)] + [
            f"{p.field} : {p.render(language)}" for p in refused.problems
        ]
        return _page(request, session, signed, salon_id, problems=problems, status=422)
    return redirect(f"/o/salons/{salon_id}/profiles", done="imported", count=str(count))
