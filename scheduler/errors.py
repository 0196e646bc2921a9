"""Errors of the scheduling core: every one names where and which rule."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong in an input file: its JSON path, the rule broken and a sentence."""

    path: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message} [{self.rule}]"


class SalonError(Exception):
    """Base class of the core's errors."""


class FileFormatError(SalonError):
    """The file is not valid: one or more problems, each with its JSON path."""

    def __init__(self, problems: list[Problem], what: str = "salon") -> None:
        self.problems = problems
        self.what = what
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"invalid {what} file ({len(problems)} problem(s)):\n{lines}")


@dataclass(frozen=True)
class Clash:
    """A requirement taking part in an infeasibility, in words (`message` in English like the
    core's other errors, `message_fr` in French when the producer gives one)."""

    rule: str
    message: str
    message_fr: str = ""


class InfeasibleError(SalonError):
    """The hard rules (required or pinned meetings, caps) cannot all be met."""

    def __init__(self, clashes: list[Clash]) -> None:
        self.clashes = clashes
        lines = "\n".join(f"  - {c.message} [{c.rule}]" for c in clashes)
        super().__init__(f"the rules cannot all be met; these requirements clash:\n{lines}")


class NoScheduleInTimeError(SalonError):
    """The time ran out (or the solve was stopped) before any schedule holding every required
    and pinned meeting was found. Nothing is proven: the salon may well have a schedule, and
    more time may find it. Distinct from InfeasibleError, which is raised only on a proof."""

    message = (
        "no schedule was found within the time limit ({seconds} s); the salon is NOT proven "
        "impossible: give the solver more time"
    )
    message_fr = (
        "aucun planning trouvé dans le temps imparti ({seconds} s) ; le salon n'est PAS prouvé "
        "impossible : donnez plus de temps au calcul"
    )

    def __init__(self, seconds: float, stopped: bool = False) -> None:
        self.seconds = seconds
        self.stopped = stopped
        super().__init__(self.message.format(seconds=_seconds(seconds)))

    def french(self) -> str:
        """The same in French."""
        return self.message_fr.format(seconds=_seconds(self.seconds))


def _seconds(seconds: float) -> str:
    return f"{seconds:g}"
