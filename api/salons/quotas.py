"""Solve quotas: what one organiser may ask of the solver (settings `solve_max_*`), one rule each.

- A solve asks at most `solve_max_time_limit` seconds and `solve_max_workers` CP-SAT workers: a
  request above is refused (422 naming the field and the limit), never silently capped, so the
  organiser knows what it gets. A solve that asks nothing gets the service's defaults
  (`solve_time_limit`, `solve_workers`), chosen by the administrator.
- An organiser has at most `solve_max_active` solves queued or running at once, over all its
  salons (429 saying how many are running); a salon has one at most anyway (409
  `solve_running`).
"""

from __future__ import annotations

from dataclasses import dataclass

from api.errors import DomainError, FieldProblem
from api.salons.schemas import SolveCreate
from api.settings import Settings


@dataclass(frozen=True)
class SolveQuotas:
    """The most one organiser may ask: seconds and workers per solve, active solves at once."""

    max_time_limit: float
    max_workers: int
    max_active: int

    @classmethod
    def of(cls, settings: Settings) -> SolveQuotas:
        return cls(
            max_time_limit=settings.solve_max_time_limit,
            max_workers=settings.solve_max_workers,
            max_active=settings.solve_max_active,
        )


def solve_request_within_quotas(data: SolveCreate, quotas: SolveQuotas) -> None:
    """A solve asks no more time and no more workers than an organiser may."""
    problems = []
    if data.time_limit is not None and data.time_limit > quotas.max_time_limit:
        problems.append(
            FieldProblem(
                "body.time_limit",
                "Durée maximale (time_limit) : {limit} s au plus par calcul ({asked} s demandées).",
                {"limit": f"{quotas.max_time_limit:g}", "asked": f"{data.time_limit:g}"},
            )
        )
    if data.workers is not None and data.workers > quotas.max_workers:
        problems.append(
            FieldProblem(
                "body.workers",
                "Processus de calcul (workers) : {limit} au plus par calcul ({asked} demandés).",
                {"limit": quotas.max_workers, "asked": data.workers},
            )
        )
    if problems:
        raise DomainError(
            "solve_quota_exceeded",
            "Ce calcul demande plus que ce que le service accorde à un organisateur.",
            status=422,
            problems=problems,
        )


def active_solves_within_quota(active: int, quotas: SolveQuotas) -> None:
    """An organiser has at most `max_active` solves queued or running at once."""
    if active >= quotas.max_active:
        raise DomainError(
            "too_many_solves",
            "Vous avez déjà {active} calcul(s) en attente ou en cours, sur {limit} permis à la "
            "fois : attendez la fin de l'un d'eux ou annulez-en un, puis relancez.",
            status=429,
            active=active,
            limit=quotas.max_active,
        )
