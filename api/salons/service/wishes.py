"""Wishes, organiser side: list (by who made them or whom they name), read, create (under the
salon's lock), change, delete; no wish window, deadline or limit, but every salon/v1 rule.

A wish's `message` (to the asked participant) is the service's, not salon/v1's: it is kept
beside the salon/v1 fields and never enters the document checked or solved."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from sqlalchemy.orm import Session

from api.auth import CurrentOrganiser
from api.deps import Page
from api.errors import FieldProblem
from api.salons import convert, rules, storage
from api.salons.importers import import_error
from api.salons.schemas import ImportRead, WishCreate, WishRead, WishUpdate
from api.salons.service.access import found, organiser_salon, page_bounds
from api.salons.service.checks import check_document, check_tables, problems_error
from api.salons.tables import Salon, Wish
from api.salons.wish_importers import ImportedWish
from api.timestamps import from_storage, utc_now
from scheduler import format as v1
from scheduler.loading import salon_problems


def wish_decision(wish: Wish) -> str:
    if wish.declined:
        return "declined"
    return "pending" if wish.decided_at is None else "accepted"


def wish_reads(session: Session, *, rows: Sequence[Wish]) -> list[WishRead]:
    people = storage.participants_by_id(
        session, ids=[i for w in rows for i in (w.from_id, w.to_id)]
    )
    intervals = storage.intervals_of(session, wish_ids=[w.id for w in rows])
    return [
        WishRead.model_validate(
            {
                "id": w.id,
                "from": people[w.from_id].code,
                "to": people[w.to_id].code,
                "rank": w.rank,
                "priority": w.priority,
                "required": w.required,
                "declined": w.declined,
                "decision": wish_decision(w),
                "during": (
                    [v1.Interval(start=i.start, end=i.end) for i in intervals[w.id]]
                    if w.has_during
                    else None
                ),
                "pinned": w.pinned,
                "message": w.message,
                "created_at": from_storage(w.created_at),
                "updated_at": from_storage(w.updated_at),
            }
        )
        for w in rows
    ]


def list_wishes(
    session: Session,
    *,
    organiser: CurrentOrganiser,
    salon_id: int,
    offset: int,
    limit: int,
    from_code: str | None = None,
    to_code: str | None = None,
) -> Page[WishRead]:
    salon = organiser_salon(session, organiser=organiser, salon_id=salon_id)
    offset, limit = page_bounds(offset, limit)
    codes = [c for c in (from_code, to_code) if c is not None]
    found = storage.find_participants_by_code(session, salon_id=salon.id, codes=codes)
    if any(code not in found for code in codes):
        return Page(data=[], count=0)
    rows, count = storage.list_wishes(
        session,
        salon_id=salon.id,
        offset=offset,
        limit=limit,
        from_id=None if from_code is None else found[from_code].id,
        to_id=None if to_code is None else found[to_code].id,
    )
    return Page(data=wish_reads(session, rows=rows), count=count)


def salon_wish(
    session: Session, *, organiser: CurrentOrganiser, salon_id: int, wish_id: int
) -> tuple[Salon, Wish]:
    salon = organiser_salon(session, organiser=organiser, salon_id=salon_id)
    wish = found(
        storage.find_wish(session, salon_id=salon.id, wish_id=wish_id), "Souhait introuvable."
    )
    return salon, wish


def get_wish(
    session: Session, *, organiser: CurrentOrganiser, salon_id: int, wish_id: int
) -> WishRead:
    _, wish = salon_wish(session, organiser=organiser, salon_id=salon_id, wish_id=wish_id)
    return wish_reads(session, rows=[wish])[0]


def create_wish(
    session: Session, *, organiser: CurrentOrganiser, salon_id: int, data: WishCreate
) -> WishRead:
    """An organiser's wish: no wish window, deadline or limit, but every salon/v1 rule.

    Under the salon's lock, as a participant's wish list: its position follows every other."""
    salon = organiser_salon(session, organiser=organiser, salon_id=salon_id)
    storage.lock_salon(session, salon_id=salon.id)  # the same object, read afresh
    found = storage.find_participants_by_code(
        session, salon_id=salon.id, codes=[data.from_, data.to]
    )
    rules.known_participants([data.from_, data.to], found)
    rules.not_to_oneself(data.from_, [data.to])
    rules.wish_not_yet_made(
        storage.find_wish_between(session, from_id=found[data.from_].id, to_id=found[data.to].id)
        is not None
    )
    rules.no_nul_characters({"message": data.message or ""})
    spec = v1.Wish.model_validate(data.model_dump(by_alias=True, exclude={"message"}))
    document = convert.salon_document(session, salon=salon)
    check_document(
        document.model_copy(update={"wishes": [*document.wishes, spec]}),
        focus=f"$.wishes[{len(document.wishes)}]",
    )
    [row] = convert.store_wishes(
        session,
        salon_id=salon.id,
        specs=[spec],
        first_position=storage.next_wish_position(session, salon_id=salon.id),
        now=utc_now(),
    )
    row.rank = len(storage.wishes_from(session, participant_id=row.from_id))
    row.message = data.message or ""
    session.commit()
    return wish_reads(session, rows=[row])[0]


def update_wish(
    session: Session,
    *,
    organiser: CurrentOrganiser,
    salon_id: int,
    wish_id: int,
    data: WishUpdate,
) -> WishRead:
    salon, wish = salon_wish(session, organiser=organiser, salon_id=salon_id, wish_id=wish_id)
    changes = {name: getattr(data, name) for name in data.model_fields_set}
    message = changes.pop("message", None) if "message" in changes else wish.message
    rules.no_nul_characters({"message": message or ""})
    for name in ("priority", "required", "declined"):
        if name in changes and changes[name] is None:
            raise problems_error(
                [FieldProblem(name, "Ce champ ne peut pas être vide (null).")], "invalid_request"
            )
    document = convert.salon_document(session, salon=salon)
    rows, _ = storage.list_wishes(session, salon_id=salon.id)
    index = next(i for i, row in enumerate(rows) if row.id == wish.id)
    spec = document.wishes[index].model_copy(
        update={k if k != "from" else "from_": v for k, v in changes.items()}
    )
    spec = v1.Wish.model_validate(spec.model_dump(by_alias=True))
    wishes = list(document.wishes)
    wishes[index] = spec
    check_document(document.model_copy(update={"wishes": wishes}), focus=f"$.wishes[{index}]")
    now = utc_now()
    if "declined" in changes and spec.declined != wish.declined:
        wish.decided_at = now
    wish.priority, wish.required, wish.declined = spec.priority, spec.required, spec.declined
    wish.pinned = spec.pinned
    wish.message = message or ""
    if "during" in changes:
        wish.has_during = spec.during is not None
        storage.replace_wish_intervals(
            session, wish_id=wish.id, intervals=[(i.start, i.end) for i in spec.during or []]
        )
    wish.updated_at = now
    session.commit()
    return wish_reads(session, rows=[wish])[0]


def delete_wish(
    session: Session, *, organiser: CurrentOrganiser, salon_id: int, wish_id: int
) -> None:
    _, wish = salon_wish(session, organiser=organiser, salon_id=salon_id, wish_id=wish_id)
    storage.delete_wishes(session, wish_ids=[wish.id])
    session.commit()


def import_wishes(
    session: Session,
    *,
    organiser: CurrentOrganiser,
    salon_id: int,
    wishes: Sequence[ImportedWish],
) -> ImportRead:
    """Create or update wishes (matched on asker and asked) from a CSV/XLSX file, all or none.

    Under the salon's lock. Every line is checked first (both codes known in the salon, not to
    oneself), then the whole salon with the file's wishes against salon/v1's rules; any problem
    refuses the file, named by its line and column. A new wish comes after the asker's others."""
    salon = organiser_salon(session, organiser=organiser, salon_id=salon_id)
    storage.lock_salon(session, salon_id=salon.id)
    codes = [c for w in wishes for c in (w.spec.from_, w.spec.to)]
    people = storage.find_participants_by_code(session, salon_id=salon.id, codes=codes)
    problems = imported_wish_problems(wishes, people)
    if problems:
        raise import_error(problems)
    rows, _ = storage.list_wishes(session, salon_id=salon.id)
    index_of = {(row.from_id, row.to_id): i for i, row in enumerate(rows)}
    document = convert.salon_document(session, salon=salon)
    specs = list(document.wishes)
    updated: dict[int, ImportedWish] = {}
    new: list[ImportedWish] = []
    for wish in wishes:
        key = (people[wish.spec.from_].id, people[wish.spec.to].id)
        if key in index_of:
            i = index_of[key]
            changes = {"priority": wish.spec.priority, "required": wish.spec.required}
            specs[i] = specs[i].model_copy(update=changes)
            updated[i] = wish
        else:
            new.append(wish)
    lines = {i: w.place for i, w in updated.items()}
    lines.update({len(specs) + j: w.place for j, w in enumerate(new)})
    salon_wide_check(document.model_copy(update={"wishes": specs + [w.spec for w in new]}), lines)
    now = utc_now()
    for i, wish in updated.items():
        row = rows[i]
        row.priority, row.required = wish.spec.priority, wish.spec.required
        row.message = wish.message
        row.updated_at = now
    created = convert.store_wishes(
        session,
        salon_id=salon.id,
        specs=[w.spec for w in new],
        first_position=storage.next_wish_position(session, salon_id=salon.id),
        now=now,
    )
    ranks = Counter(row.from_id for row in rows)
    for row, wish in zip(created, new, strict=True):
        ranks[row.from_id] += 1
        row.rank, row.message = ranks[row.from_id], wish.message
    session.commit()
    return ImportRead(created=len(new), updated=len(updated), count=len(rows) + len(new))


def imported_wish_problems(
    wishes: Sequence[ImportedWish], people: Mapping[str, object]
) -> list[FieldProblem]:
    """Each line's codes name participants of the salon, and nobody asks to meet itself."""
    problems = []
    for wish in wishes:
        for column, code in (("from", wish.spec.from_), ("to", wish.spec.to)):
            if code not in people:
                where, message = f"{wish.place}, colonne {column}", "Participant inconnu : {code}."
                problems.append(FieldProblem(where, message, {"code": code}))
        if wish.spec.from_ == wish.spec.to:
            message = "On ne peut pas souhaiter se rencontrer soi-même."
            problems.append(FieldProblem(f"{wish.place}, colonne to", message))
    return problems


def salon_wide_check(document: v1.Salon, lines: Mapping[int, str]) -> None:
    """The salon with the imported wishes keeps salon/v1's rules: else 422 `invalid_import`,
    each problem of an imported wish named by its line (`ligne 4, colonne pinned`)."""
    check_tables(document)
    problems = salon_problems(document)
    if not problems:
        return
    found = []
    for problem in problems:
        place = problem.path.removeprefix("$.") or "body"
        if problem.path.startswith("$.wishes["):
            index = int(problem.path.removeprefix("$.wishes[").split("]")[0])
            column = problem.path.split("]", 1)[1].lstrip(".")
            if index in lines:
                place = f"{lines[index]}, colonne {column}" if column else lines[index]
        found.append(FieldProblem(place, "{text}", {"text": problem.message}))
    raise import_error(found)
