"""The service's business rules on wishes and solves, one named function each.

Each rule returns None when it holds and raises a DomainError (a machine-readable code, a
French message, 409 for a rule of the salon's state, 422 for a bad request) when it does not.
The scheduling rules proper live in scheduler.rules; the whole salon is checked against them by
scheduler.loading.salon_problems (see api.salons.service.checks.check_document).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from api.errors import DomainError, FieldProblem
from api.salons.tables import Salon, SolveJob
from api.timestamps import from_storage


def wish_window_open(salon: Salon) -> None:
    """Participants change wishes and answer requests only while the wish window is open."""
    if not salon.wishes_open:
        raise DomainError(
            "wish_window_closed",
            "La période des souhaits est fermée : les souhaits ne peuvent plus être modifiés.",
            status=409,
        )


def before_wish_deadline(salon: Salon, now: dt.datetime) -> None:
    """Wishes are submitted before the salon's wish deadline (when it has one)."""
    if salon.wish_deadline is not None and now >= salon.wish_deadline:
        raise DomainError(
            "wish_deadline_passed",
            "La date limite des souhaits est passée ({deadline}).",
            status=409,
            deadline=from_storage(salon.wish_deadline).isoformat(),
        )


def within_wish_limit(salon: Salon, count: int) -> None:
    """A participant makes at most the salon's `max_wishes` wishes."""
    if salon.max_wishes is not None and count > salon.max_wishes:
        raise DomainError(
            "too_many_wishes",
            "Trop de souhaits : {count} pour {limit} au plus.",
            status=422,
            count=count,
            limit=salon.max_wishes,
        )


def not_to_oneself(asker_code: str, asked_codes: Iterable[str]) -> None:
    """Nobody wishes to meet itself."""
    if asker_code in set(asked_codes):
        raise DomainError(
            "wish_to_oneself", "On ne peut pas souhaiter se rencontrer soi-même.", status=422
        )


def known_participants(asked_codes: Iterable[str], known: Mapping[str, object]) -> None:
    """Every wish is addressed to a participant of the same salon."""
    unknown = sorted({code for code in asked_codes if code not in known})
    if unknown:
        raise DomainError(
            "unknown_participant",
            "Participant inconnu dans ce salon : {codes}.",
            status=422,
            codes=", ".join(unknown),
        )


def one_wish_per_participant(asked_codes: Iterable[str]) -> None:
    """A wish list names each participant once."""
    twice = sorted(code for code, count in Counter(asked_codes).items() if count > 1)
    if twice:
        raise DomainError(
            "duplicate_wish",
            "Participant demandé plusieurs fois : {codes}.",
            status=422,
            codes=", ".join(twice),
        )


def wish_not_yet_made(exists: bool) -> None:
    """At most one wish from a participant to another (the organiser side)."""
    if exists:
        raise DomainError(
            "duplicate_wish",
            "Ce souhait existe déjà (même demandeur, même participant).",
            status=409,
        )


def one_solve_at_a_time(active: SolveJob | None) -> None:
    """A salon has at most one queued or running solve."""
    if active is not None:
        raise DomainError(
            "solve_running",
            "Un calcul est déjà en cours pour ce salon (calcul {job}).",
            status=409,
            job=active.id,
        )


def job_not_finished(job: SolveJob) -> None:
    """Only a queued or running solve can be cancelled."""
    if job.state not in ("queued", "running"):
        raise DomainError(
            "job_finished", "Ce calcul est terminé ({state}).", status=409, state=job.state
        )


def no_solve_running_to_delete(active: SolveJob | None) -> None:
    """A salon is not deleted under a running solve."""
    if active is not None:
        raise DomainError(
            "solve_running",
            "Un calcul est en cours pour ce salon : annulez-le avant de supprimer le salon.",
            status=409,
        )


def participant_not_in_schedules(in_schedules: bool) -> None:
    """A participant named by a stored schedule stays (the schedule history stays readable)."""
    if in_schedules:
        raise DomainError(
            "participant_in_schedule",
            "Ce participant figure dans un planning enregistré : il ne peut pas être supprimé.",
            status=409,
        )


def table_not_in_use(codes: Iterable[str]) -> None:
    """A table used by a director or a stored schedule cannot be removed."""
    used = sorted(codes)
    if used:
        raise DomainError(
            "table_in_use",
            "Table utilisée (table d'un directeur ou planning enregistré) : {codes}.",
            status=409,
            codes=", ".join(used),
        )


def participant_code_free(code: str, taken: bool) -> None:
    """Participant codes (the salon/v1 ids) are unique within a salon."""
    if taken:
        raise DomainError(
            "participant_code_taken",
            "Le code {participant} est déjà celui d'un autre participant.",
            status=409,
            participant=code,
        )


def expiry_in_future(expires_at: dt.datetime | None, now: dt.datetime) -> None:
    """A new link expires in the future."""
    if expires_at is not None and expires_at <= now:
        raise DomainError(
            "expiry_in_past", "La date d'expiration du lien est déjà passée.", status=422
        )


def nul_character_fields(value: object, path: str = "") -> list[str]:
    """The paths (`participants[3].id`) of the texts holding a NUL character in JSON-like data."""
    if isinstance(value, str):
        return [path or "body"] if "\x00" in value else []
    if isinstance(value, Mapping):
        return [
            field
            for key, item in value.items()
            for field in nul_character_fields(item, f"{path}.{key}" if path else str(key))
        ]
    if isinstance(value, list | tuple):
        return [
            field
            for i, item in enumerate(value)
            for field in nul_character_fields(item, f"{path}[{i}]")
        ]
    return []


def no_nul_characters(data: object) -> None:
    """No text holds a NUL character (binary content; PostgreSQL cannot store it): 422."""
    fields = nul_character_fields(data)
    if fields:
        raise DomainError(
            "invalid_value",
            "Caractère nul (binaire) dans : {fields}.",
            status=422,
            problems=[FieldProblem(field, "Caractère nul (binaire).") for field in fields],
            fields=", ".join(fields),
        )


def ranks_on_all_or_none(ranks: Sequence[int | None]) -> None:
    """A wish list gives a rank to every wish or to none (then its order is the ranking)."""
    if any(r is None for r in ranks) and any(r is not None for r in ranks):
        raise DomainError(
            "rank_missing",
            "Donnez un rang à chaque souhait, ou à aucun (l'ordre de la liste fait alors foi).",
            status=422,
            problems=[
                FieldProblem(f"wishes[{i}].rank", "Rang manquant.")
                for i, r in enumerate(ranks)
                if r is None
            ],
        )


def one_wish_per_rank(ranked: Sequence[tuple[int | None, str]]) -> None:
    """Each rank is given once: a second wish at rank 1 is refused, never moved silently."""
    holders: dict[int, list[str]] = {}
    for rank, name in ranked:
        if rank is not None:
            holders.setdefault(rank, []).append(name)
    shared = {rank: names for rank, names in sorted(holders.items()) if len(names) > 1}
    if shared:
        rank, names = next(iter(shared.items()))
        raise DomainError(
            "duplicate_rank",
            "Le rang {rank} est donné à plusieurs choix ({names}) : chaque rang ne sert qu'une "
            "fois. Rien n'a été enregistré.",
            status=422,
            problems=[
                FieldProblem(
                    f"rang {r}",
                    "Rang {rank} donné à : {names}.",
                    {"rank": r, "names": ", ".join(n)},
                )
                for r, n in shared.items()
            ],
            rank=rank,
            names=", ".join(names),
        )
