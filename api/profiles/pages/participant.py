"""A participant's profile pages under its personal link: its own profile to edit
(`/p/{token}/profile`, until the wishes close), another participant's page
(`/p/{token}/people/{code}`: a director's to every participant of the salon, an industrial's to
the directors) and its image. Everything goes through api.profiles.service."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from api import web
from api.db import SessionDep
from api.errors import DomainError, field_path, pydantic_problem
from api.i18n import gettext, request_language
from api.pages.participant import Visit, local_moment, visit
from api.pages.web import PageError, PageRoute
from api.profiles import service
from api.profiles.formats import ProfileFields
from api.profiles.images import MAX_IMAGE_BYTES
from api.timestamps import maybe_from_storage
from api.web import MAX_FORM_FIELD_BYTES, MAX_FORM_FIELDS, check_csrf, redirect

router = APIRouter(prefix="/p", route_class=PageRoute, include_in_schema=False)
Token = Annotated[str, Path(min_length=8, max_length=128)]
Code = Annotated[str, Path(min_length=1, max_length=64)]
SEPARATORS = re.compile(r"[,;\n]")
FIELD_LABELS = {
    "description": "Présentation",
    "offers": "Ce que j'offre",
    "needs": "Ce que je recherche",
    "keywords": "Mots-clés",
    "themes": "Thèmes",
    "links": "Liens",
}


def problem_text(path: str, message: str, language: str) -> str:
    """'Liens (links[0]) : ...': a problem with the field it is about."""
    label = FIELD_LABELS.get(path.split("[")[0].split(".")[0])
    where = f"{gettext(language, label)} ({path})" if label else path
    return f"{where} : {message}"


def split_list(text: str, pattern: re.Pattern[str] = SEPARATORS) -> list[str]:
    """'lasers, drones; radars' -> ['lasers', 'drones', 'radars']."""
    return [part.strip() for part in pattern.split(text) if part.strip()]


def _edit_page(
    request: Request,
    v: Visit,
    mine: service.MyProfile,
    *,
    typed: ProfileFields | None = None,
    problems: list[str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    language = request_language(request)
    salon = v.me.salon
    return web.page(
        request,
        "profiles/edit.html",
        status=status,
        forget=("done",),
        title=gettext(language, "Mon profil"),
        v=v,
        me=v.me,
        salon=salon,
        mine=mine,
        fields=typed or mine.view.fields,
        problems=problems or [],
        deadline=local_moment(maybe_from_storage(mine.deadline), salon.timezone, language),
        max_image_kb=MAX_IMAGE_BYTES // 1000,
        done=request.query_params.get("done", ""),
    )


@router.get("/{token}/profile", response_class=HTMLResponse)
def profile_page(token: Token, request: Request, session: SessionDep) -> HTMLResponse:
    v = visit(session, token)
    return _edit_page(request, v, service.my_profile(session, participant=v.who))


async def _upload(form: Any) -> bytes | None:
    upload = form.get("image")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None
    data = await upload.read(MAX_IMAGE_BYTES + 1)
    return data or None


@router.post("/{token}/profile", response_class=HTMLResponse)
async def save_profile(token: Token, request: Request, session: SessionDep) -> Response:
    v = visit(session, token)
    try:
        form = await request.form(max_fields=MAX_FORM_FIELDS, max_part_size=MAX_FORM_FIELD_BYTES)
    except Exception as exc:  # an unreadable multipart body
        raise PageError("Formulaire illisible.", status=422) from exc
    texts = {key: [str(x) for x in form.getlist(key) if isinstance(x, str)] for key in form}
    check_csrf(texts, token)

    def one(name: str) -> str:
        values = texts.get(name) or [""]
        return values[0]

    raw: dict[str, Any] = {
        "description": one("description"),
        "offers": one("offers"),
        "needs": one("needs"),
        "keywords": split_list(one("keywords")),
        "themes": texts.get("themes", []),
        "links": split_list(one("links"), re.compile(r"\s+")),
    }
    language = request_language(request)
    try:
        data = ProfileFields.model_validate(raw)
        service.save_my_profile(
            session,
            participant=v.who,
            data=data,
            image=await _upload(form),
            remove_image=one("remove_image") == "yes",
        )
    except ValidationError as invalid:
        problems = []
        for error in invalid.errors():
            path = field_path(tuple(error["loc"]), source=False)
            message = pydantic_problem(path, error).render(language)
            problems.append(problem_text(path, message, language))
        typed = ProfileFields.model_construct(**raw)
        mine = service.my_profile(session, participant=v.who)
        return _edit_page(request, v, mine, typed=typed, problems=problems, status=422)
    except DomainError as refused:
        if refused.status != 422:
            raise
        session.rollback()
        problems = [refused.render(language)] + [
            problem_text(p.field, p.render(language), language) for p in refused.problems
        ]
        typed = ProfileFields.model_construct(**raw)
        mine = service.my_profile(session, participant=v.who)
        return _edit_page(request, v, mine, typed=typed, problems=problems, status=422)
    return redirect(f"{v.base}/profile", done="saved")


@router.get("/{token}/people/{code}", response_class=HTMLResponse)
def person_page(token: Token, code: Code, request: Request, session: SessionDep) -> HTMLResponse:
    v = visit(session, token)
    person = service.person(session, participant=v.who, code=code)
    return web.page(
        request, "profiles/person.html", title=person.name, v=v, salon=v.me.salon, person=person
    )


@router.get("/{token}/people/{code}/image")
def person_image(token: Token, code: Code, session: SessionDep) -> Response:
    v = visit(session, token)
    data, media_type = service.image_of(session, participant=v.who, code=code)
    return Response(
        data,
        media_type=media_type,
        headers={"Cache-Control": "private, max-age=300", "X-Content-Type-Options": "nosniff"},
    )
