"""Suggestions' use case: "suggested for you", the other side's participants of a salon ranked
by how well their profiles match the participant's (api.suggestions.ranking), each with what
the two share and, for a heavily requested one, its requests against the meetings it can hold
(so that wishes spread). The matcher is kept per state of the salon's profiles."""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import dataclass

from sqlalchemy.orm import Session

from api.auth import CurrentParticipant
from api.profiles import storage as profile_storage
from api.profiles.tables import Profile
from api.salons import storage as salon_storage
from api.salons.service.participants import participant_kind
from api.salons.tables import Participant, Salon
from api.suggestions import storage
from api.suggestions.ranking import Card, Matcher, profile_card

TOP = 10
KEPT_MATCHERS = 8


@dataclass
class Suggested:
    """A suggested participant, as the pages and the JSON API show it: how well it matches
    (`score`, 0 to 1), the words both profiles share, the requests it already has against the
    meetings it can hold (`popular` when full), and whether the participant already asked it
    (`chosen`)."""

    code: str
    name: str
    organisation: str
    role: str
    score: float
    shared: list[str]
    requests: int
    capacity: int
    popular: bool
    chosen: bool


@dataclass
class Suggestions:
    """A participant's suggestions; `has_profile`: whether it wrote one (else they come from
    its organisation and role only)."""

    items: list[Suggested]
    has_profile: bool


def card_of(row: Participant, profile: Profile | None) -> Card:
    """What is matched of a participant: its organisation and role, with its profile."""
    if profile is None:
        return profile_card(
            row.code, participant_kind(row), organisation=row.organisation, role=row.role
        )
    return profile_card(
        row.code,
        participant_kind(row),
        organisation=row.organisation,
        role=row.role,
        description=profile.description,
        offers=profile.offers,
        needs=profile.needs,
        keywords=profile.keywords,
        themes=profile.themes,
    )


_matchers: OrderedDict[tuple[object, ...], Matcher] = OrderedDict()
_lock = threading.Lock()


def matcher_for(
    key: tuple[object, ...], rows: list[Participant], profiles: dict[int, Profile]
) -> Matcher:
    """The salon's matcher for this state of its participants and profiles (kept)."""
    with _lock:
        found = _matchers.get(key)
        if found is not None:
            _matchers.move_to_end(key)
            return found
    built = Matcher([card_of(row, profiles.get(row.id)) for row in rows])
    with _lock:
        _matchers[key] = built
        while len(_matchers) > KEPT_MATCHERS:
            _matchers.popitem(last=False)
    return built


def state_key(
    session: Session, salon: Salon, rows: list[Participant], profiles: dict[int, Profile]
) -> tuple[object, ...]:
    """What the matcher depends on: the database, the salon, its participants' matched fields,
    its profiles' count and latest change."""
    people = hash(tuple((r.id, r.code, r.organisation, r.role, r.table_id is None) for r in rows))
    latest = max((p.updated_at for p in profiles.values()), default=None)
    return (str(session.get_bind().engine.url), salon.id, people, len(profiles), latest)


def salon_slots(session: Session, salon: Salon) -> int:
    """The meetings one participant could hold in the salon's sessions, at most."""
    step = salon.meeting_minutes + salon.changeover_minutes
    minutes = 0
    for block in salon_storage.list_sessions(session, salon_id=salon.id):
        start = dt.datetime.combine(block.date, block.start)
        end = dt.datetime.combine(block.date, block.end)
        minutes += int((end - start).total_seconds() // 60)
    return (minutes + salon.changeover_minutes) // step if step > 0 else 0


def meetings_possible(slots: int, row: Participant) -> int:
    """The meetings a participant can hold: the salon's slots, or its own cap if lower."""
    return slots if row.max_meetings is None else min(slots, row.max_meetings)


def suggestions_for(
    session: Session, *, participant: CurrentParticipant, top: int = TOP
) -> Suggestions:
    """The participant's suggestions among the other side (its own wishes included, marked)."""
    salon = salon_storage.find_salon(session, salon_id=participant.salon_id)
    rows, _ = salon_storage.list_participants(session, salon_id=participant.salon_id)
    if salon is None:
        return Suggestions([], False)
    profiles = profile_storage.salon_profiles(session, salon_id=salon.id)
    key = state_key(session, salon, rows, profiles)
    matcher = matcher_for(key, rows, profiles)
    by_code = {row.code: row for row in rows}
    me = by_code.get(participant.code)
    if me is None:
        return Suggestions([], False)
    received = storage.requests_received(session, salon_id=salon.id)
    mine = {w.to_id for w in salon_storage.wishes_from(session, participant_id=me.id)}
    items = []
    slots = salon_slots(session, salon)
    for found in matcher.suggest(me.code, top=top):
        row = by_code[found.code]
        capacity = meetings_possible(slots, row)
        requests = received.get(row.id, 0)
        items.append(
            Suggested(
                code=row.code,
                name=row.name,
                organisation=row.organisation,
                role=row.role,
                score=found.score,
                shared=found.shared,
                requests=requests,
                capacity=capacity,
                popular=capacity > 0 and requests >= capacity,
                chosen=row.id in mine,
            )
        )
    return Suggestions(items, me.id in profiles)
