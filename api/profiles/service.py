"""Profiles' use cases: a participant edits its own through its personal link until the wishes
close (the salon's wish deadline); the participants of a salon read the profiles of the other
side (a director's programme page is public to every participant of its salon, an industrial's
to the directors); the organiser keeps the salon's list of themes and exports or imports every
profile as a profiles/v1 file (api.profiles.formats)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from dataclasses import dataclass, field

from pydantic import ValidationError
from sqlalchemy.orm import Session

from api.auth import CurrentOrganiser, CurrentParticipant
from api.catalogue.markdown import render_markdown
from api.errors import DomainError, FieldProblem, field_path, not_found, pydantic_problem
from api.profiles import storage
from api.profiles.formats import ImageV1, ProfileFields, ProfilesV1, ProfileV1
from api.profiles.images import reencoded
from api.profiles.tables import Profile
from api.salons import service as salons
from api.salons import storage as salon_storage
from api.salons.service.participants import participant_kind
from api.salons.tables import Participant, Salon
from api.timestamps import utc_now

MAX_SALON_THEMES = 100


@dataclass
class ProfileView:
    """A participant and its profile as the pages show it (the description as safe HTML)."""

    code: str
    name: str
    organisation: str
    role: str
    kind: str
    fields: ProfileFields
    description_html: str
    has_image: bool


@dataclass
class MyProfile:
    """What the participant's own profile page shows."""

    view: ProfileView
    salon_themes: list[str]
    editable: bool
    deadline: dt.datetime | None = None
    problems: list[str] = field(default_factory=list)


def fields_of(profile: Profile | None) -> ProfileFields:
    if profile is None:
        return ProfileFields()
    return ProfileFields(
        description=profile.description,
        offers=profile.offers,
        needs=profile.needs,
        keywords=list(profile.keywords),
        themes=list(profile.themes),
        links=list(profile.links),
    )


def view_of(row: Participant, profile: Profile | None) -> ProfileView:
    fields = fields_of(profile)
    return ProfileView(
        code=row.code,
        name=row.name,
        organisation=row.organisation,
        role=row.role,
        kind=participant_kind(row),
        fields=fields,
        description_html=render_markdown(fields.description),
        has_image=profile is not None and profile.image is not None,
    )


def _me(session: Session, participant: CurrentParticipant) -> tuple[Salon, Participant]:
    salon = salon_storage.find_salon(session, salon_id=participant.salon_id)
    row = salon_storage.find_participant(
        session, salon_id=participant.salon_id, participant_id=participant.participant_id
    )
    if salon is None or row is None:
        raise not_found("Participant introuvable.")
    return salon, row


def profiles_editable(salon: Salon, now: dt.datetime) -> bool:
    """Profiles are edited until the wishes close: before the salon's wish deadline, if any."""
    return salon.wish_deadline is None or now < salon.wish_deadline


def unique_words(values: list[str]) -> list[str]:
    """Keywords or themes without repeats (case and spaces ignored), in their order."""
    seen: set[str] = set()
    kept = []
    for value in values:
        key = " ".join(value.casefold().split())
        if key and key not in seen:
            seen.add(key)
            kept.append(" ".join(value.split()))
    return kept


def theme_problems(themes: list[str], allowed: list[str], where: str) -> list[FieldProblem]:
    return [
        FieldProblem(f"{where}[{i}]", "Thème inconnu du salon : {theme}.", {"theme": theme})
        for i, theme in enumerate(themes)
        if theme not in allowed
    ]


def my_profile(
    session: Session, *, participant: CurrentParticipant, now: dt.datetime | None = None
) -> MyProfile:
    salon, row = _me(session, participant)
    profile = storage.find_profile(session, participant_id=row.id)
    return MyProfile(
        view=view_of(row, profile),
        salon_themes=storage.salon_themes(session, salon_id=salon.id),
        editable=profiles_editable(salon, now or utc_now()),
        deadline=salon.wish_deadline,
    )


def save_my_profile(
    session: Session,
    *,
    participant: CurrentParticipant,
    data: ProfileFields,
    image: bytes | None = None,
    remove_image: bool = False,
    now: dt.datetime | None = None,
    themes_field: str = "themes",
) -> None:
    """Replace the participant's profile (its image too when one is given, or removed); an
    unknown theme is refused naming `themes_field` (the JSON API's is under `body.`)."""
    now = now or utc_now()
    salon, row = _me(session, participant)
    if not profiles_editable(salon, now):
        raise DomainError(
            "profiles_closed",
            "Les souhaits sont clos : les profils ne se modifient plus.",
            status=409,
        )
    themes = storage.salon_themes(session, salon_id=salon.id)
    problems = theme_problems(data.themes, themes, themes_field)
    if problems:
        raise DomainError(
            "invalid_profile", "Profil refusé.", status=422, problems=problems
        )
    encoded = reencoded(image) if image else None
    current = storage.find_profile(session, participant_id=row.id)
    profile = Profile(
        participant_id=row.id,
        salon_id=salon.id,
        description=data.description,
        offers=data.offers,
        needs=data.needs,
        keywords=unique_words(data.keywords),
        themes=unique_words(data.themes),
        links=list(dict.fromkeys(data.links)),
        image=None if remove_image else (current.image if current else None),
        image_type=None if remove_image else (current.image_type if current else None),
        updated_at=now,
    )
    if encoded is not None:
        profile.image, profile.image_type = encoded
    storage.save_profile(session, profile=profile)
    session.commit()


def may_read(reader: Participant, other: Participant) -> bool:
    """A director's page is public to the salon's participants; an industrial's to the
    directors (who receive its requests) and to itself."""
    return (
        other.id == reader.id
        or participant_kind(other) == "director"
        or participant_kind(reader) == "director"
    )


def _other(session: Session, participant: CurrentParticipant, code: str) -> Participant:
    _, me = _me(session, participant)
    found = salon_storage.find_participants_by_code(
        session, salon_id=participant.salon_id, codes=[code]
    ).get(code)
    if found is None or not may_read(me, found):
        raise not_found("Profil introuvable.")
    return found


def person(session: Session, *, participant: CurrentParticipant, code: str) -> ProfileView:
    """Another participant's profile, as a participant of the salon may read it, else 404."""
    other = _other(session, participant, code)
    return view_of(other, storage.find_profile(session, participant_id=other.id))


def image_of(session: Session, *, participant: CurrentParticipant, code: str) -> tuple[bytes, str]:
    other = _other(session, participant, code)
    profile = storage.find_profile(session, participant_id=other.id)
    if profile is None or profile.image is None or profile.image_type is None:
        raise not_found("Pas d'image pour ce profil.")
    return profile.image, profile.image_type


# ---------------------------------------------------------------- the organiser


def themes_of(session: Session, *, organiser: CurrentOrganiser, salon_id: int) -> list[str]:
    salon = salons.organiser_salon(session, organiser=organiser, salon_id=salon_id)
    return storage.salon_themes(session, salon_id=salon.id)


def set_themes(
    session: Session, *, organiser: CurrentOrganiser, salon_id: int, themes: list[str]
) -> list[str]:
    """Replace the salon's themes (profiles keep theirs; a theme gone is no longer offered)."""
    salon = salons.organiser_salon(session, organiser=organiser, salon_id=salon_id)
    kept = unique_words([theme[:80] for theme in themes])
    if len(kept) > MAX_SALON_THEMES:
        raise DomainError(
            "too_many_themes", "Trop de thèmes : {limit} au plus.", status=422,
            limit=MAX_SALON_THEMES,
        )
    storage.set_salon_themes(session, salon_id=salon.id, themes=kept)
    session.commit()
    return kept


def export_profiles(
    session: Session, *, organiser: CurrentOrganiser, salon_id: int
) -> dict[str, object]:
    """The salon's themes and profiles as a profiles/v1 document (participants' order)."""
    salon = salons.organiser_salon(session, organiser=organiser, salon_id=salon_id)
    rows, _ = salon_storage.list_participants(session, salon_id=salon.id)
    profiles = storage.salon_profiles(session, salon_id=salon.id)
    items = []
    for row in rows:
        profile = profiles.get(row.id)
        if profile is None:
            continue
        image = None
        if profile.image is not None and profile.image_type in ("image/png", "image/jpeg"):
            image = ImageV1(
                type=profile.image_type,  # type: ignore[arg-type]
                data=base64.b64encode(profile.image).decode("ascii"),
            )
        fields = fields_of(profile).model_dump()
        items.append(ProfileV1(participant=row.code, image=image, **fields))
    document = ProfilesV1(
        format="profiles/v1",
        salon=salon.name,
        themes=storage.salon_themes(session, salon_id=salon.id),
        profiles=items,
    )
    return document.model_dump(mode="json", exclude_none=True)


def read_profiles_file(data: bytes) -> ProfilesV1:
    """A profiles/v1 document, else a 422 naming each problem's JSON path."""
    try:
        raw = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DomainError(
            "invalid_profiles_file", "Fichier profiles/v1 illisible : {error}.", status=422,
            error=str(exc),
        ) from exc
    try:
        return ProfilesV1.model_validate(raw)
    except ValidationError as exc:
        problems = [
            pydantic_problem("$." + field_path(tuple(e["loc"]), source=False), e)
            for e in exc.errors()
        ]
        raise DomainError(
            "invalid_profiles_file",
            "Fichier profiles/v1 refusé : {count} erreur(s).",
            status=422,
            problems=problems,
            count=len(problems),
        ) from exc


def import_profiles(
    session: Session, *, organiser: CurrentOrganiser, salon_id: int, data: bytes
) -> int:
    """Replace the salon's themes and the profiles the file names, all or none; the count."""
    salon = salons.organiser_salon(session, organiser=organiser, salon_id=salon_id)
    document = read_profiles_file(data)
    themes = unique_words(document.themes)
    codes = [item.participant for item in document.profiles]
    found = salon_storage.find_participants_by_code(session, salon_id=salon.id, codes=codes)
    problems: list[FieldProblem] = []
    images: dict[int, tuple[bytes, str] | None] = {}
    for i, item in enumerate(document.profiles):
        where = f"$.profiles[{i}]"
        if item.participant not in found:
            problems.append(
                FieldProblem(f"{where}.participant", "Participant inconnu du salon : {code}.",
                             {"code": item.participant})
            )
        problems += theme_problems(item.themes, themes, f"{where}.themes")
        images[i] = None
        if item.image is not None:
            try:
                images[i] = reencoded(base64.b64decode(item.image.data, validate=True))
            except (binascii.Error, ValueError):
                problems.append(FieldProblem(f"{where}.image.data", "Base64 illisible."))
            except DomainError as refused:
                problems.append(FieldProblem(f"{where}.image", refused.message, refused.params))
    if len(set(codes)) != len(codes):
        problems.append(FieldProblem("$.profiles", "Un participant a plusieurs profils."))
    if problems:
        raise DomainError(
            "invalid_profiles_file",
            "Fichier profiles/v1 refusé : {count} erreur(s).",
            status=422,
            problems=problems,
            count=len(problems),
        )
    now = utc_now()
    storage.set_salon_themes(session, salon_id=salon.id, themes=themes)
    for i, item in enumerate(document.profiles):
        image = images[i]
        storage.save_profile(
            session,
            profile=Profile(
                participant_id=found[item.participant].id,
                salon_id=salon.id,
                description=item.description,
                offers=item.offers,
                needs=item.needs,
                keywords=unique_words(item.keywords),
                themes=unique_words(item.themes),
                links=list(dict.fromkeys(item.links)),
                image=image[0] if image else None,
                image_type=image[1] if image else None,
                updated_at=now,
            ),
        )
    session.commit()
    return len(document.profiles)
