"""Reading salon/v1 and schedule/v1 files into models, with errors that name the JSON path."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ValidationError

from scheduler.errors import FileFormatError, Problem
from scheduler.format import Salon, Schedule
from scheduler.slots import build_slots, session_slot_starts

ModelT = TypeVar("ModelT", bound=BaseModel)


def json_path(location: tuple[int | str, ...]) -> str:
    """Render a pydantic error location as a JSON path such as `wishes[3].to`."""
    path = "$"
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


_TYPE_TAGS = frozenset({"int", "str", "float", "bool", "bytes", "none", "dict", "list"})


def _is_union_tag(part: int | str) -> bool:
    """True for the name pydantic gives a union branch in an error location, e.g. `list[str]`."""
    return isinstance(part, str) and (
        "[" in part or "-" in part or part[:1].isupper() or part in _TYPE_TAGS
    )


def _problems_from_validation(error: ValidationError) -> list[Problem]:
    """One problem per schema error; the branches of a union speak only when relevant.

    When the input has the shape of one branch of a union (say a list of tables) but fails a
    constraint inside it, the "not a valid integer" of the other branches is noise: only the
    branch errors that are not plain type mismatches are kept.
    """
    items = []
    for item in error.errors():
        location = tuple(item["loc"])
        tags = [i for i, part in enumerate(location) if _is_union_tag(part)]
        union_at = location[: tags[0]] if tags else None
        path = json_path(tuple(p for p in location if not _is_union_tag(p)))
        items.append((union_at, path, item["type"], item["msg"]))
    relevant = {
        union_at
        for union_at, _, kind, _ in items
        if union_at is not None and not _is_type_mismatch(kind)
    }
    problems: list[Problem] = []
    for union_at, path, kind, message in items:
        if union_at in relevant and _is_type_mismatch(kind):
            continue
        problem = Problem(path, "schema", message)
        if problem not in problems:
            problems.append(problem)
    return problems


def _is_type_mismatch(kind: str) -> bool:
    return kind.endswith(("_type", "_parsing"))


class _KeyedTwice(dict[str, Any]):
    """A JSON object in which some key is written more than once (the last one would win)."""

    twice: list[str]


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """json's object hook: a plain dict, or a _KeyedTwice naming the keys written twice."""
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    keyed = _KeyedTwice(obj)
    keyed.twice = sorted(key for key, count in Counter(k for k, _ in pairs).items() if count > 1)
    return keyed


def _not_json_number(name: str) -> float:
    """json's hook for NaN and Infinity, which JSON does not allow."""
    raise ValueError(f"{name} is not a JSON number")


def _is_unicode(text: str) -> bool:
    """False when the text holds an unpaired surrogate (from a `\\ud800` escape)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _text_problems(data: Any) -> list[Problem]:
    """Keys written twice and text that is not Unicode, with their paths (walked without
    recursion: the JSON may be as deep as the parser allows)."""
    problems = []
    stack: list[tuple[str, Any]] = [("$", data)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, str) and not _is_unicode(node):
            problems.append(Problem(path, "json", "the text is not valid Unicode"))
        elif isinstance(node, dict):
            for key in getattr(node, "twice", ()):
                problems.append(Problem(path, "json", f"the key {key!r} is written twice"))
            for key, value in node.items():
                if not _is_unicode(str(key)):
                    problems.append(Problem(path, "json", f"the key {key!a} is not valid Unicode"))
                    continue
                stack.append((f"{path}.{key}", value))
        elif isinstance(node, list):
            stack.extend((f"{path}[{i}]", value) for i, value in enumerate(node))
    return sorted(problems, key=lambda p: p.path)


def _decode(source: str | bytes | Path, what: str) -> Any:
    """The JSON value of a text, bytes or a file; FileFormatError when it cannot be read."""
    try:
        text = Path(source).read_text("utf-8-sig") if isinstance(source, Path) else source
        return json.loads(text, object_pairs_hook=_json_object, parse_constant=_not_json_number)
    except FileNotFoundError as exc:
        raise FileFormatError([Problem("$", "file", f"file not found: {source!s}")], what) from exc
    except OSError as exc:  # a directory, no permission...
        message = f"cannot read {source!s}: {exc.strerror or exc}"
        raise FileFormatError([Problem("$", "file", message)], what) from exc
    except UnicodeDecodeError as exc:
        raise FileFormatError([Problem("$", "json", f"not UTF-8 text: {exc}")], what) from exc
    except json.JSONDecodeError as exc:
        message = f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        raise FileFormatError([Problem("$", "json", message)], what) from exc
    except ValueError as exc:  # NaN, Infinity
        raise FileFormatError([Problem("$", "json", f"not valid JSON: {exc}")], what) from exc
    except RecursionError as exc:
        message = "not valid JSON here: nested too deeply"
        raise FileFormatError([Problem("$", "json", message)], what) from exc


def read_json(source: str | bytes | Path | dict[str, Any], what: str) -> dict[str, Any]:
    """The JSON object of a text, bytes, a file or an already parsed value."""
    data = _decode(source, what) if isinstance(source, str | bytes | Path) else source
    if not isinstance(data, dict):
        raise FileFormatError([Problem("$", "json", "the file must hold a JSON object")], what)
    problems = _text_problems(data)
    if problems:
        raise FileFormatError(problems, what)
    return data


def parse_document(model: type[ModelT], data: dict[str, Any], what: str, fmt: str) -> ModelT:
    """`data` (from read_json) as a `model`; `fmt` is the expected `format` field (none is
    fine). Raises FileFormatError naming the `what` file and every problem's JSON path."""
    if data.get("format") not in (None, fmt):
        message = f"unsupported format {data.get('format')!r}, expected {fmt!r}"
        raise FileFormatError([Problem("$.format", "format", message)], what)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise FileFormatError(_problems_from_validation(exc), what) from exc


def load_salon(source: str | bytes | Path | dict[str, Any]) -> Salon:
    """Parse and check a salon/v1 document; raise FileFormatError listing every problem."""
    salon = parse_document(Salon, read_json(source, "salon"), "salon", "salon/v1")
    problems = salon_problems(salon)
    if problems:
        raise FileFormatError(problems)
    return salon


def load_schedule(source: str | bytes | Path | dict[str, Any]) -> Schedule:
    """Parse a schedule/v1 document; raise FileFormatError listing every problem."""
    return parse_document(Schedule, read_json(source, "schedule"), "schedule", "schedule/v1")


def _duplicates(values: list[str]) -> set[str]:
    return {value for value, count in Counter(values).items() if count > 1}


def salon_problems(salon: Salon) -> list[Problem]:
    """Every semantic problem of a parsed salon (the schema is already checked)."""
    return [
        *_timezone_problems(salon),
        *_objective_problems(salon),
        *_session_problems(salon),
        *_table_problems(salon),
        *_participant_problems(salon),
        *_wish_problems(salon),
    ]


def _timezone_problems(salon: Salon) -> list[Problem]:
    try:
        ZoneInfo(salon.timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder, a long name
        return [Problem("$.timezone", "timezone", f"unknown IANA timezone {salon.timezone!r}")]
    return []


def _objective_problems(salon: Salon) -> list[Problem]:
    names = salon.objectives
    problems = []
    if len(set(names)) != len(names):
        problems.append(Problem("$.objectives", "objectives", "an objective is listed twice"))
    time_stage = [i for i, n in enumerate(names) if n in ("idle", "breaks")]
    choice_stage = [i for i, n in enumerate(names) if n in ("coverage", "fairness", "score")]
    if time_stage and choice_stage and min(time_stage) < max(choice_stage):
        message = "'idle' and 'breaks' must come after 'coverage', 'fairness' and 'score'"
        problems.append(Problem("$.objectives", "objectives", message))
    return problems


def _session_problems(salon: Salon) -> list[Problem]:
    problems = []
    for i, session in enumerate(salon.sessions):
        path = f"$.sessions[{i}]"
        if session.end <= session.start:
            problems.append(Problem(path, "session_order", "the session ends before it starts"))
        elif not session_slot_starts(salon, i):
            message = f"the session is shorter than one meeting ({salon.meeting_minutes} min)"
            problems.append(Problem(path, "session_length", message))
    ordered = sorted(range(len(salon.sessions)), key=lambda i: salon.sessions[i].starts_at)
    latest: int | None = None  # the earlier session that ends last
    for index in ordered:
        session = salon.sessions[index]
        if latest is not None and session.starts_at < salon.sessions[latest].ends_at:
            message = f"the session overlaps sessions[{latest}]"
            problems.append(Problem(f"$.sessions[{index}]", "sessions_overlap", message))
        if latest is None or session.ends_at > salon.sessions[latest].ends_at:
            latest = index
    return problems


def _table_problems(salon: Salon) -> list[Problem]:
    ids = [t.id for t in salon.table_specs()]
    return [
        Problem("$.tables", "unique_table_ids", f"table id {table!r} appears twice")
        for table in sorted(_duplicates(ids))
    ]


def _participant_problems(salon: Salon) -> list[Problem]:
    problems = []
    tables = {t.id for t in salon.table_specs()}
    duplicated = _duplicates([p.id for p in salon.participants])
    seen: set[str] = set()
    for i, participant in enumerate(salon.participants):
        path = f"$.participants[{i}]"
        if participant.id in duplicated and participant.id in seen:
            message = f"participant id {participant.id!r} is already used"
            problems.append(Problem(f"{path}.id", "unique_participant_ids", message))
        seen.add(participant.id)
        if participant.table is not None:
            if participant.table not in tables:
                message = f"home table {participant.table!r} is not one of the salon's tables"
                problems.append(Problem(f"{path}.table", "home_table_exists", message))
            if participant.representatives != 1:
                message = "a participant with a home table must have representatives = 1"
                problems.append(Problem(f"{path}.representatives", "home_table_alone", message))
        for j, interval in enumerate(participant.unavailable):
            if interval.end <= interval.start:
                message = "the interval ends before it starts"
                problems.append(Problem(f"{path}.unavailable[{j}]", "interval_order", message))
    return problems


def _wish_problems(salon: Salon) -> list[Problem]:
    problems = []
    ids = {p.id for p in salon.participants}
    slot_starts: set[object] = {slot.start for slot in build_slots(salon)}
    seen_wishes: set[tuple[str, str]] = set()
    pins: dict[frozenset[str], tuple[int, object]] = {}
    for i, wish in enumerate(salon.wishes):
        path = f"$.wishes[{i}]"
        for field, value in (("from", wish.from_), ("to", wish.to)):
            if value not in ids:
                message = f"unknown participant {value!r}"
                problems.append(Problem(f"{path}.{field}", "known_participant", message))
        if wish.from_ == wish.to:
            message = "a participant cannot wish to meet itself"
            problems.append(Problem(path, "not_oneself", message))
        if (wish.from_, wish.to) in seen_wishes:
            message = f"duplicate wish from {wish.from_!r} to {wish.to!r}"
            problems.append(Problem(path, "unique_wish", message))
        seen_wishes.add((wish.from_, wish.to))
        for j, interval in enumerate(wish.during or []):
            if interval.end <= interval.start:
                message = "the interval ends before it starts"
                problems.append(Problem(f"{path}.during[{j}]", "interval_order", message))
        if wish.pinned is not None:
            problems.extend(_pin_problems(wish.pinned, slot_starts, path, pins, wish, i))
    return problems


def _pin_problems(
    pinned: object,
    slot_starts: set[object],
    path: str,
    pins: dict[frozenset[str], tuple[int, object]],
    wish: Any,
    index: int,
) -> list[Problem]:
    if pinned not in slot_starts:
        message = f"pinned start {pinned} is not the start of any slot"
        return [Problem(f"{path}.pinned", "pin_on_slot", message)]
    pair = frozenset((wish.from_, wish.to))
    if pair in pins and pins[pair][1] != pinned:
        message = f"pinned start differs from the pin of wishes[{pins[pair][0]}] for the same pair"
        return [Problem(f"{path}.pinned", "one_pin_per_pair", message)]
    pins[pair] = (index, pinned)
    return []
