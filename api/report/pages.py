"""The organiser's post-event report: the page, its PDF and its figures as XLSX
(`/o/salons/{salon_id}/report`, `.pdf`, `.xlsx`), for the signed-in organiser of the salon."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api import web
from api.db import SessionDep
from api.deps import SalonId
from api.i18n import gettext, request_language
from api.pages.organiser.shared import SignedDep
from api.pages.web import PageRoute
from api.report import documents, service

router = APIRouter(prefix="/o", route_class=PageRoute, include_in_schema=False)


def attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


@router.get("/salons/{salon_id}/report", response_class=HTMLResponse)
def report_page(
    salon_id: SalonId, request: Request, session: SessionDep, signed: SignedDep
) -> HTMLResponse:
    language = request_language(request)
    made = service.salon_report(session, organiser=signed.organiser, salon_id=salon_id)
    return web.page(
        request,
        "report/page.html",
        title=f"{made.salon.name} — {gettext(language, 'Bilan du salon')}",
        signed=signed,
        salon=made.salon,
        made_at=made.made_at,
        **documents.report_context(made.report, language, made.labels),
    )


@router.get("/salons/{salon_id}/report.pdf")
def report_pdf(
    salon_id: SalonId, request: Request, session: SessionDep, signed: SignedDep
) -> Response:
    made = service.salon_report(session, organiser=signed.organiser, salon_id=salon_id)
    pdf = documents.report_pdf(made.report, request_language(request), made.labels)
    return Response(pdf, media_type="application/pdf", headers=attachment("bilan.pdf"))


@router.get("/salons/{salon_id}/report.xlsx")
def report_xlsx(
    salon_id: SalonId, request: Request, session: SessionDep, signed: SignedDep
) -> Response:
    made = service.salon_report(session, organiser=signed.organiser, salon_id=salon_id)
    data = documents.report_xlsx(made.report, request_language(request), made.labels)
    return Response(data, media_type=documents.XLSX_MEDIA, headers=attachment("bilan.xlsx"))
