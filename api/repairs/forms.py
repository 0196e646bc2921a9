"""The repair page's forms: a change of the day typed by an organiser, as a changes/v1 item.

Each form (`FORMS`) says one thing that happened in the desk's words (a participant does not
come, leaves early, arrives late, is away for a while, missed its meeting; a meeting is
cancelled; a walk-in; a new wish; a table closed) and becomes one changes/v1 item
(docs/changes.md). Times are typed as `HH:MM` on one of the salon's days. Every problem names
the form field it belongs to, in French (English through the `repairs` catalogue).

The changes recorded but not yet repaired travel with the page (a hidden field, and the query
string after each redirect): nothing is stored before the organiser runs the repair.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from pydantic import ValidationError

from api.errors import DomainError
from api.i18n import gettext
from scheduler.changes import ChangeSet, DayChange
from scheduler.format import Salon

FORMS = ("absent", "leaves", "late", "away", "no_show", "meeting", "walk_in", "wish", "table")
"""The page's change forms, in the order shown."""

MAX_PENDING = 200
MAX_TEXT = 200
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
CLOCK = re.compile(r"^\s*(\d{1,2})\s*[:hH]\s*(\d{2})(?::\d{2}(?:\.\d+)?)?\s*$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class FormProblem:
    """What is wrong with a field of a form (`field` "" for the whole form), in French."""

    field: str
    message: str
    params: dict[str, Any] = dataclass_field(default_factory=dict)

    def render(self, language: str) -> str:
        text = gettext(language, self.message)
        return text % self.params if self.params else text


class FormInvalidError(Exception):
    """A change form cannot become a change; its problems name the fields."""

    def __init__(self, problems: Sequence[FormProblem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = list(problems)


# ------------------------------------------------------------------ the salon's days


@dataclass(frozen=True)
class Days:
    """The salon's days, each with the start of its first session and the end of its last."""

    starts: dict[dt.date, dt.datetime]
    ends: dict[dt.date, dt.datetime]

    @classmethod
    def of(cls, salon: Salon) -> Days:
        starts: dict[dt.date, dt.datetime] = {}
        ends: dict[dt.date, dt.datetime] = {}
        for session in salon.sessions:
            day = session.starts_at.date()
            starts[day] = min(starts.get(day, session.starts_at), session.starts_at)
            ends[day] = max(ends.get(day, session.ends_at), session.ends_at)
        return cls(dict(sorted(starts.items())), dict(sorted(ends.items())))

    @property
    def dates(self) -> list[dt.date]:
        return list(self.starts)

    def default(self, now: dt.datetime) -> dt.date:
        """The day shown first: today when the salon runs today, else its first day."""
        return now.date() if now.date() in self.starts else self.dates[0]


# ------------------------------------------------------------------ reading fields


def _text(form: Mapping[str, str], name: str) -> str:
    return (form.get(name) or "").strip()


class _Reader:
    """Reads the fields of one posted form, collecting a problem per bad field."""

    def __init__(self, form: Mapping[str, str], days: Days, known: set[str]) -> None:
        self.form = form
        self.days = days
        self.known = known
        self.problems: list[FormProblem] = []

    def fail(self, name: str, message: str, **params: Any) -> None:
        self.problems.append(FormProblem(name, message, params))

    def participant(self, name: str) -> str:
        code = _text(self.form, name)
        if not code:
            self.fail(name, "Choisissez un participant.")
        elif code not in self.known:
            self.fail(name, "Participant inconnu : « %(value)s ».", value=code[:MAX_TEXT])
        return code

    def day(self) -> dt.date | None:
        value = _text(self.form, "day")
        if not value and len(self.days.dates) == 1:
            return self.days.dates[0]
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            day = None
        if day is None or day not in self.days.starts:
            self.fail("day", "Choisissez l'un des jours du salon.")
            return None
        return day

    def time(self, name: str, day: dt.date | None, *, optional: bool = False) -> dt.datetime | None:
        value = _text(self.form, name)
        if not value:
            if not optional:
                self.fail(name, "Indiquez une heure (HH:MM, par exemple 11:20).")
            return None
        found = CLOCK.match(value)
        if found is None or int(found.group(1)) > 23 or int(found.group(2)) > 59:
            self.fail(
                name,
                "Heure invalide : « %(value)s » (écrivez-la HH:MM, par exemple 11:20).",
                value=value[:20],
            )
            return None
        if day is None:
            return None
        return dt.datetime.combine(day, dt.time(int(found.group(1)), int(found.group(2))))

    def short_text(self, name: str, *, required: bool, label: str) -> str:
        value = _text(self.form, name)
        if required and not value:
            self.fail(name, "Ce champ est obligatoire : %(label)s.", label=label)
        elif len(value) > MAX_TEXT:
            self.fail(name, "%(max)d caractères au plus.", max=MAX_TEXT)
        return value


def _iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


def change_from_form(
    kind: str,
    form: Mapping[str, str],
    *,
    days: Days,
    known: set[str],
    tables: Sequence[str],
) -> dict[str, Any]:
    """The changes/v1 item a form says; FormInvalidError names each bad field."""
    if kind not in FORMS:
        raise FormInvalidError([FormProblem("", "Changement inconnu.")])
    read = _Reader(form, days, known)
    change = _BUILDERS[kind](read, tables)
    if read.problems:
        raise FormInvalidError(read.problems)
    try:
        ChangeSet.model_validate({"changes": [change]})
    except ValidationError as error:
        raise FormInvalidError(
            [_schema_problem(kind, e["loc"], e["msg"]) for e in error.errors()]
        ) from error
    return change


def _absent(read: _Reader, tables: Sequence[str]) -> dict[str, Any]:
    return {"kind": "participant_cancelled", "participant": read.participant("participant")}


def _leaves(read: _Reader, tables: Sequence[str]) -> dict[str, Any]:
    """Leaves at `time`: gone for the rest of the salon on its last day, else back tomorrow."""
    participant = read.participant("participant")
    day = read.day()
    start = read.time("time", day)
    if start is None or day is None:
        return {}
    if day == read.days.dates[-1]:
        return {"kind": "participant_cancelled", "participant": participant, "from": _iso(start)}
    end = read.days.ends[day]
    if start >= end:
        read.fail("time", "Cette heure est après la fin de la journée.")
    return _unavailable(participant, start, end)


def _unavailable(participant: str, start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    """The changes/v1 item of a participant away from `start` to `end`."""
    return {
        "kind": "participant_unavailable",
        "participant": participant,
        "start": _iso(start),
        "end": _iso(end),
    }


def _late(read: _Reader, tables: Sequence[str]) -> dict[str, Any]:
    """Arrives at `time`: away from the day's first session to then."""
    participant = read.participant("participant")
    day = read.day()
    arrival = read.time("time", day)
    if arrival is None or day is None:
        return {}
    start = read.days.starts[day]
    if arrival <= start:
        read.fail("time", "Cette heure est avant le début de la journée : ce n'est pas un retard.")
    return _unavailable(participant, start, arrival)


def _away(read: _Reader, tables: Sequence[str]) -> dict[str, Any]:
    participant = read.participant("participant")
    day = read.day()
    start, end = read.time("start", day), read.time("end", day)
    if start is None or end is None:
        return {}
    if end <= start:
        read.fail("end", "La fin doit être après le début.")
    return _unavailable(participant, start, end)


def _no_show(read: _Reader, tables: Sequence[str]) -> dict[str, Any]:
    participant = read.participant("participant")
    day = read.day()
    at = read.time("time", day)
    if at is None:
        return {}
    return {"kind": "no_show", "participant": participant, "at": _iso(at)}


def _meeting(read: _Reader, tables: Sequence[str]) -> dict[str, Any]:
    first, second = read.participant("from"), read.participant("to")
    if first and first == second:
        read.fail("to", "Choisissez deux participants différents.")
    return {"kind": "meeting_cancelled", "from": first, "to": second}


def _walk_in(read: _Reader, tables: Sequence[str]) -> dict[str, Any]:
    code = _text(read.form, "code")
    if not CODE.match(code):
        read.fail(
            "code",
            "Code invalide : 1 à 64 lettres sans accent, chiffres, points, tirets ou "
            "soulignés, commençant par une lettre ou un chiffre.",
        )
    elif code in read.known:
        read.fail("code", "Ce code est déjà celui d'un participant : « %(value)s ».", value=code)
    name = read.short_text("name", required=True, label="nom")
    organisation = read.short_text("organisation", required=False, label="organisation")
    role = read.short_text("role", required=False, label="fonction")
    email = read.short_text("email", required=False, label="courriel")
    if email and not EMAIL.match(email):
        read.fail("email", "Adresse électronique invalide : « %(value)s ».", value=email[:80])
    person: dict[str, Any] = {"id": code, "name": name}
    if organisation:
        person["organisation"] = organisation
    if role:
        person["role"] = role
    if email:
        person["email"] = email
    return {"kind": "participant_added", "participant": person}


def _wish(read: _Reader, tables: Sequence[str]) -> dict[str, Any]:
    asker, asked = read.participant("from"), read.participant("to")
    if asker and asker == asked:
        read.fail("to", "Choisissez deux participants différents.")
    priority = _text(read.form, "priority") or "2"
    if priority not in ("1", "2", "3"):
        read.fail("priority", "La priorité est 1, 2 ou 3.")
        priority = "2"
    return {"kind": "wish_added", "wish": {"from": asker, "to": asked, "priority": int(priority)}}


def _table(read: _Reader, tables: Sequence[str]) -> dict[str, Any]:
    table = _text(read.form, "table")
    if not table:
        read.fail("table", "Choisissez une table.")
    elif table not in tables:
        read.fail("table", "Table inconnue : « %(value)s ».", value=table[:64])
    day = read.day() if _text(read.form, "time") else None
    start = read.time("time", day, optional=True)
    change: dict[str, Any] = {"kind": "table_closed", "table": table}
    if start is not None:
        change["from"] = _iso(start)
    return change


_BUILDERS = {
    "absent": _absent,
    "leaves": _leaves,
    "late": _late,
    "away": _away,
    "no_show": _no_show,
    "meeting": _meeting,
    "walk_in": _walk_in,
    "wish": _wish,
    "table": _table,
}


def _schema_problem(kind: str, loc: Sequence[Any], message: str) -> FormProblem:
    """A pydantic problem of a built change, on the form field it came from."""
    names = [str(part) for part in loc if not isinstance(part, int)]
    last = names[-1] if names else ""
    return FormProblem(
        form_field(kind, last, nested=len(names) > 3),
        "Valeur refusée : %(value)s.",
        {"value": message},
    )


# ------------------------------------------------------------------ problems of the repair


RULE_TEXTS = {
    "known_participant": "Participant inconnu : « %(value)s ».",
    "known_table": "Table inconnue : « %(value)s ».",
    "known_wish": "Ces deux participants n'ont jamais demandé à se rencontrer.",
    "meeting_started": "Ce rendez-vous a déjà commencé : signalez plutôt une absence au "
    "rendez-vous.",
    "no_show_in_future": "Cette heure est après l'heure de la réparation : une absence à un "
    "rendez-vous se signale après coup.",
    "no_meeting_at": "Ce participant n'a pas de rendez-vous à cette heure-là.",
    "interval_order": "La fin doit être après le début.",
    "unique_participant_ids": "Ce code est déjà celui d'un participant.",
    "unique_wish": "Ce souhait existe déjà.",
    "not_oneself": "Un participant ne peut pas se demander lui-même.",
    "home_table_exists": "Table inconnue.",
    "home_table_alone": "Cette table a déjà un propriétaire.",
}

_FIELD_OF = {
    # changes/v1 field -> form field, by form (a time field may be `from`)
    "participant": "participant",
    "id": "code",
    "name": "name",
    "email": "email",
    "organisation": "organisation",
    "role": "role",
    "at": "time",
    "start": "start",
    "end": "end",
    "table": "table",
    "priority": "priority",
}


def form_field(kind: str, name: str, *, nested: bool = False) -> str:
    """The form field showing a changes/v1 field of the change a form made."""
    if name in ("from", "from_"):
        return "time" if kind in ("leaves", "table") and not nested else "from"
    if name == "to":
        return "to"
    if kind in ("late", "leaves") and name in ("start", "end"):
        return "time"
    return _FIELD_OF.get(name, "")


def change_problem_text(rule: str, fallback: str, value: str) -> FormProblem:
    """A problem of the changes (from the repair's `invalid_changes`) in the desk's words."""
    text = RULE_TEXTS.get(rule)
    if text is None:
        return FormProblem("", "%(text)s [%(rule)s]", {"text": fallback, "rule": rule})
    return FormProblem("", text, {"value": value} if "%(value)s" in text else {})


@dataclass
class SortedProblems:
    """The repair's problems: those of the change being added (by form field), and those of
    the recorded changes (by their index in the list)."""

    new: list[FormProblem] = dataclass_field(default_factory=list)
    recorded: dict[int, list[FormProblem]] = dataclass_field(default_factory=dict)
    general: list[FormProblem] = dataclass_field(default_factory=list)


FIELD_PATH = re.compile(r"^(?:earlier_)?changes\[(\d+)\](.*)$")


def sort_problems(
    error: DomainError, changes: Sequence[dict[str, Any]], *, new_kind: str | None
) -> SortedProblems:
    """Spread an `invalid_changes` error over the new change's form and the recorded list.

    With `new_kind`, the last of `changes` is the one being added through that form.
    """
    result = SortedProblems()
    for problem in error.problems:
        rule = str(problem.params.get("rule", ""))
        fallback = str(problem.params.get("text", problem.message))
        found = FIELD_PATH.match(problem.field)
        if found is None or problem.field.startswith("earlier_"):
            result.general.append(change_problem_text(rule, fallback, ""))
            continue
        index = int(found.group(1))
        parts = [p for p in found.group(2).split(".") if p]
        change = changes[index] if index < len(changes) else {}
        value = _value_at(change, parts)
        sorted_problem = change_problem_text(rule, fallback, value)
        if new_kind is not None and index == len(changes) - 1:
            last = parts[-1] if parts else ""
            sorted_problem.field = form_field(new_kind, last, nested=len(parts) > 1)
            result.new.append(sorted_problem)
        else:
            result.recorded.setdefault(index, []).append(sorted_problem)
    return result


def _value_at(change: Mapping[str, Any], parts: Sequence[str]) -> str:
    value: Any = change
    for part in parts:
        value = value.get(part) if isinstance(value, Mapping) else None
    return value[:MAX_TEXT] if isinstance(value, str) else ""


# ------------------------------------------------------------------ the recorded list


def read_pending(text: str) -> list[dict[str, Any]]:
    """The recorded changes carried by the page (JSON changes/v1 items); ValueError if bad."""
    if not text.strip():
        return []
    data = json.loads(text)
    if not isinstance(data, list) or len(data) > MAX_PENDING:
        raise ValueError("not a list of changes")
    try:
        ChangeSet.model_validate({"changes": data})
    except ValidationError as error:
        raise ValueError(str(error)) from error
    return [dict(item) for item in data]


def write_pending(changes: Sequence[dict[str, Any]]) -> str:
    return json.dumps(list(changes), ensure_ascii=False, separators=(",", ":")) if changes else ""


def change_models(changes: Sequence[dict[str, Any]]) -> list[DayChange]:
    return list(ChangeSet.model_validate({"changes": list(changes)}).changes)


def added_codes(changes: Sequence[dict[str, Any]]) -> list[tuple[str, str]]:
    """(code, name) of the walk-ins among the recorded changes."""
    return [
        (c["participant"]["id"], c["participant"]["name"])
        for c in changes
        if c.get("kind") == "participant_added"
    ]
