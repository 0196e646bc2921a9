"""Queries of profiles (keyword-only, flush only: the service commits)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.profiles.tables import Profile, ProfileThemes


def salon_themes(session: Session, *, salon_id: int) -> list[str]:
    row = session.get(ProfileThemes, salon_id)
    return list(row.themes) if row is not None else []


def set_salon_themes(session: Session, *, salon_id: int, themes: list[str]) -> None:
    session.merge(ProfileThemes(salon_id=salon_id, themes=themes))
    session.flush()


def find_profile(session: Session, *, participant_id: int) -> Profile | None:
    return session.get(Profile, participant_id)


def salon_profiles(session: Session, *, salon_id: int) -> dict[int, Profile]:
    """Participant id -> profile, for one salon."""
    query = select(Profile).where(Profile.salon_id == salon_id)
    return {row.participant_id: row for row in session.scalars(query)}


def save_profile(session: Session, *, profile: Profile) -> Profile:
    merged = session.merge(profile)
    session.flush()
    return merged


def profiles_of(session: Session, *, participant_ids: Iterable[int]) -> dict[int, Profile]:
    ids = list(participant_ids)
    if not ids:
        return {}
    query = select(Profile).where(Profile.participant_id.in_(ids))
    return {row.participant_id: row for row in session.scalars(query)}
