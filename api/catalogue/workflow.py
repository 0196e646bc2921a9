"""The moderation workflow: who may do what to an event, in which state, until when.

    draft -> submitted -> published
    submitted -> changes_requested -> submitted
    submitted | changes_requested -> rejected (with a reason shown to the contributor)
    draft | submitted | changes_requested | published -> withdrawn (by its contributor)

Contributors act on their own events and cannot submit (nor create) events once the edition's
submission deadline has passed; moderators (organisers) can, at any time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal

from api.catalogue.errors import CatalogueError, not_found
from api.catalogue.tables import Edition, Event
from api.catalogue.vocabulary import ACTIONS, STATES
from api.errors import Label
from api.timestamps import format_paris

ActorKind = Literal["contributor", "moderator", "system"]


@dataclass(frozen=True)
class Actor:
    """Who acts: a contributor (with its id), a moderator (an organiser) or the system (loader)."""

    kind: ActorKind
    id: str
    label: str
    contributor_id: int | None = None

    @property
    def is_moderator(self) -> bool:
        return self.kind in ("moderator", "system")


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple[str, ...]
    target: str
    by: tuple[ActorKind, ...]
    needs_message: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition(
            "submit", ("draft", "changes_requested"), "submitted", ("contributor", "moderator")
        ),
        Transition("publish", ("submitted",), "published", ("moderator",)),
        Transition("request_changes", ("submitted",), "changes_requested", ("moderator",), True),
        Transition("reject", ("submitted", "changes_requested"), "rejected", ("moderator",), True),
        Transition(
            "withdraw",
            ("draft", "submitted", "changes_requested", "published"),
            "withdrawn",
            ("contributor",),
        ),
    )
}

CONTRIBUTOR_ACTIONS = ("submit", "withdraw")
CONTRIBUTOR_EDITABLE_STATES = ("draft", "submitted", "changes_requested")
LIVE_STATUS_ONLY_STATES = ("published",)


def check_known_action(action: str, known: Collection[str]) -> str:
    """The action if it is one of `known`, else a 404 naming it."""
    if action not in known:
        raise not_found("Action inconnue : « {action} ».", action=action[:40])
    return action


def check_owner(event: Event, actor: Actor) -> None:
    """A contributor only reaches their own events."""
    if actor.kind == "contributor" and event.contributor_id != actor.contributor_id:
        raise CatalogueError(
            "not_found", "Événement introuvable : {key}.", status=404, key=event.id
        )


def check_transition_allowed(event: Event, action: str, actor: Actor) -> Transition:
    """The action exists, this kind of actor may do it, and the event's state allows it."""
    transition = TRANSITIONS[action]
    kind = "moderator" if actor.kind == "system" else actor.kind
    if kind not in transition.by:
        raise CatalogueError(
            "forbidden",
            "Seuls les modérateurs peuvent effectuer cette action.",
            status=403,
        )
    if event.state not in transition.sources:
        raise CatalogueError(
            "transition_not_allowed",
            "Action « {action} » impossible : l'événement est à l'état « {state} ».",
            status=409,
            action=Label(ACTIONS[action]),
            state=Label(STATES[event.state]),
        )
    return transition


def check_message_given(transition: Transition, message: str | None) -> None:
    """Rejecting or asking for changes needs a message for the contributor."""
    if transition.needs_message and not (message and message.strip()):
        raise CatalogueError(
            "message_required",
            "Un message pour le contributeur est obligatoire pour cette décision.",
            status=422,
        )


def submissions_open(edition: Edition, now: dt.datetime) -> bool:
    return now <= edition.submission_deadline


def check_submission_deadline(edition: Edition, actor: Actor, now: dt.datetime) -> None:
    """After the deadline, only moderators submit (or create) events."""
    if actor.kind == "contributor" and not submissions_open(edition, now):
        raise CatalogueError(
            "deadline_passed",
            "La date limite de dépôt des événements de « {edition} » est passée ({deadline}, "
            "heure de Paris) : vous ne pouvez plus proposer de nouvel événement. Contactez "
            "l'équipe d'organisation si besoin.",
            status=409,
            edition=edition.title,
            deadline=format_paris(edition.submission_deadline),
        )


def check_editable(event: Event, actor: Actor, changed_fields: set[str]) -> None:
    """Contributors edit drafts and events under moderation; on a published event, only its
    live status. Moderators edit any event."""
    if actor.is_moderator:
        return
    if event.state in CONTRIBUTOR_EDITABLE_STATES:
        return
    if event.state in LIVE_STATUS_ONLY_STATES and changed_fields <= {"status"}:
        return
    if event.state in LIVE_STATUS_ONLY_STATES:
        raise CatalogueError(
            "not_editable",
            "Un événement publié ne peut plus être modifié que dans son statut (complet, "
            "reporté, annulé...). Pour le reste, contactez l'équipe de modération.",
            status=409,
        )
    raise CatalogueError(
        "not_editable",
        "Un événement à l'état « {state} » ne peut plus être modifié.",
        status=409,
        state=Label(STATES[event.state]),
    )
