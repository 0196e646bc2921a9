"""Closed vocabularies of the catalogue, with their French labels (translated through gettext).

Codes follow OpenAgenda's event model where it has one (attendance mode, status, accessibility).
"""

from __future__ import annotations

from typing import Literal


def N_(text: str) -> str:  # noqa: N802  (the usual gettext "mark only" name)
    """Marks a French text for translation without translating it (done at display time)."""
    return text


AttendanceMode = Literal["on_site", "online", "mixed"]
LiveStatus = Literal["scheduled", "rescheduled", "moved_online", "postponed", "full", "cancelled"]
State = Literal["draft", "submitted", "changes_requested", "published", "rejected", "withdrawn"]
Audience = Literal[
    "agents_publics",
    "encadrants",
    "elus",
    "grand_public",
    "usagers",
    "entreprises",
    "associations",
    "chercheurs",
    "etudiants",
]
Accessibility = Literal["hearing", "visual", "motor", "psychic", "intellectual"]

ATTENDANCE_MODES: dict[str, str] = {
    "on_site": N_("Sur place"),
    "online": N_("En ligne"),
    "mixed": N_("Mixte (sur place et en ligne)"),
}

LIVE_STATUSES: dict[str, str] = {
    "scheduled": N_("Programmé"),
    "rescheduled": N_("Reprogrammé"),
    "moved_online": N_("Déplacé en ligne"),
    "postponed": N_("Reporté"),
    "full": N_("Complet"),
    "cancelled": N_("Annulé"),
}

STATES: dict[str, str] = {
    "draft": N_("Brouillon"),
    "submitted": N_("Soumis à la modération"),
    "changes_requested": N_("Modifications demandées"),
    "published": N_("Publié"),
    "rejected": N_("Refusé"),
    "withdrawn": N_("Retiré"),
}

AUDIENCES: dict[str, str] = {
    "agents_publics": N_("Agents publics"),
    "encadrants": N_("Encadrants et managers publics"),
    "elus": N_("Élus"),
    "grand_public": N_("Grand public"),
    "usagers": N_("Usagers des services publics"),
    "entreprises": N_("Entreprises"),
    "associations": N_("Associations"),
    "chercheurs": N_("Chercheurs"),
    "etudiants": N_("Étudiants"),
}

ACCESSIBILITY: dict[str, str] = {
    "hearing": N_("Handicap auditif"),
    "visual": N_("Handicap visuel"),
    "motor": N_("Handicap moteur"),
    "psychic": N_("Handicap psychique"),
    "intellectual": N_("Handicap mental"),
}

ACTIONS: dict[str, str] = {
    "submit": N_("soumettre"),
    "publish": N_("publier"),
    "request_changes": N_("demander des modifications"),
    "reject": N_("refuser"),
    "withdraw": N_("retirer"),
}

WHEN: dict[str, str] = {
    "upcoming": N_("À venir"),
    "ongoing": N_("En cours"),
    "past": N_("Passés"),
}

SCHEMA_ATTENDANCE_MODES = {
    "on_site": "https://schema.org/OfflineEventAttendanceMode",
    "online": "https://schema.org/OnlineEventAttendanceMode",
    "mixed": "https://schema.org/MixedEventAttendanceMode",
}

SCHEMA_EVENT_STATUSES = {
    "scheduled": "https://schema.org/EventScheduled",
    "rescheduled": "https://schema.org/EventRescheduled",
    "moved_online": "https://schema.org/EventMovedOnline",
    "postponed": "https://schema.org/EventPostponed",
    "full": "https://schema.org/EventScheduled",
    "cancelled": "https://schema.org/EventCancelled",
}

PUBLIC_STATE = "published"
