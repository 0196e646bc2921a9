"""Unscheduled wishes: one test per reason code, on hand-built placements, plus the solver.

Slots of the default salon: 09:00 (0), 09:15 (1), 09:30 (2), 09:45 (3). A placement maps a
pair (its index, in wish order) to a slot index.
"""

from __future__ import annotations

from salon_builders import at, interval, make_salon, person, session, wish

from scheduler.explain import explain_unscheduled, reason_for
from scheduler.format import Salon, UnscheduledWish
from scheduler.problem import build_problem
from scheduler.progress import SolveOptions
from scheduler.solver import solve


def _explain(salon: Salon, placement: dict[int, int], **options: object) -> list[UnscheduledWish]:
    return explain_unscheduled(build_problem(salon), placement, **options)  # type: ignore[arg-type]


def _only(salon: Salon, placement: dict[int, int], **options: object) -> UnscheduledWish:
    [entry] = _explain(salon, placement, **options)
    return entry


def test_declined_names_who_declined() -> None:
    salon = make_salon([person("D1", "T1"), person("C1")], [wish("C1", "D1", declined=True)])
    entry = _only(salon, {})
    assert entry.reason == "declined_never_scheduled"
    assert entry.detail == "D1 a décliné la demande de C1."
    assert entry.detail_en == "D1 declined the request of C1."


def test_a_meeting_cancelled_on_the_day_says_so() -> None:
    salon = make_salon([person("D1", "T1"), person("C1")], [wish("C1", "D1", declined=True)])
    entry = _only(salon, {}, cancelled={frozenset(("C1", "D1"))})
    assert entry.reason == "declined_never_scheduled"
    assert "annulé le jour même" in entry.detail
    assert "cancelled on the day" in entry.detail_en


def test_a_late_wish_is_reported_as_the_window_closed() -> None:
    salon = make_salon(
        [person("D1", "T1"), person("C1"), person("C2")],
        [wish("C1", "D1"), wish("C2", "D1"), wish("D1", "C1")],
        sessions=[session("09:00", "09:15")],
    )
    # D1 meets C2; C1's wish came late, D1's wish to C1 did not.
    entries = _explain(salon, {1: 0}, late={0})
    reasons = {(e.from_, e.to): e.reason for e in entries}
    assert reasons == {("C1", "D1"): "wish_window_closed", ("D1", "C1"): "cap_reached"}
    late = next(e for e in entries if e.from_ == "C1")
    assert "après la clôture des demandes" in late.detail
    assert "after the wish window closed" in late.detail_en


def test_no_common_slot_gives_each_participants_free_times() -> None:
    salon = make_salon(
        [
            person("D1", "T1", unavailable=[interval("09:00", "09:30")]),
            person("C1", unavailable=[interval("09:30", "10:00")]),
        ],
        [wish("C1", "D1")],
    )
    entry = _only(salon, {})
    assert entry.reason == "no_common_slot"
    assert entry.detail == (
        "C1 et D1 n'ont aucun créneau libre en commun : "
        "C1 est libre 09:00–09:30 ; D1 est libre 09:30–10:00."
    )
    assert entry.detail_en == (
        "C1 and D1 have no free slot in common: C1 is free 09:00–09:30; D1 is free 09:30–10:00."
    )


def test_no_common_slot_for_someone_never_free() -> None:
    salon = make_salon(
        [person("D1", "T1", unavailable=[interval("08:00", "11:00")]), person("C1")],
        [wish("C1", "D1")],
    )
    entry = _only(salon, {})
    assert "D1 n'est libre à aucun créneau" in entry.detail
    assert "D1 is free in no slot" in entry.detail_en


def test_no_common_slot_within_the_wishs_times() -> None:
    salon = make_salon(
        [person("D1", "T1", unavailable=[interval("09:30", "10:00")]), person("C1")],
        [wish("C1", "D1", during=[interval("09:30", "10:00")])],
    )
    entry = _only(salon, {})
    assert entry.reason == "no_common_slot"
    assert "hors des plages demandées (09:30–10:00)" in entry.detail
    assert "outside the requested times (09:30–10:00)" in entry.detail_en


def test_no_common_slot_at_the_pinned_start() -> None:
    salon = make_salon(
        [person("D1", "T1", unavailable=[interval("09:30", "09:45")]), person("C1")],
        [wish("C1", "D1", pinned=at("09:30"))],
    )
    entry = _only(salon, {})
    assert entry.reason == "no_common_slot"
    assert "l'heure imposée 09:30" in entry.detail
    assert "pinned start 09:30" in entry.detail_en


def test_no_common_slot_left_when_only_past_slots_were_common() -> None:
    salon = make_salon(
        [person("D1", "T1", unavailable=[interval("09:15", "10:00")]), person("C1")],
        [wish("C1", "D1")],
    )
    assert _only(salon, {}).reason == "not_selected"
    entry = _only(salon, {}, open_slots={1, 2, 3})
    assert entry.reason == "no_common_slot"
    assert "D1 n'est libre à aucun créneau" in entry.detail


def test_the_cap_names_the_higher_weight_wishes_kept() -> None:
    salon = make_salon(
        [person("D1", "T1", max_meetings=2), person("C1"), person("C2"), person("C3")],
        [wish("C1", "D1", priority=1), wish("C2", "D1", priority=2), wish("C3", "D1", priority=3)],
    )
    entry = _only(salon, {0: 0, 1: 1})
    assert (entry.from_, entry.reason) == ("C3", "cap_reached")
    assert entry.detail == (
        "D1 a atteint son maximum de 2 rendez-vous : 2 rendez-vous de poids égal ou supérieur "
        "(poids de cette demande : 1) retenus : C1 (3), C2 (2)."
    )
    assert entry.detail_en == (
        "D1 reached its cap of 2 meetings: 2 meetings of equal or higher weight "
        "(this request: 1) kept: C1 (3), C2 (2)."
    )


def test_the_cap_counts_lower_weight_meetings_apart() -> None:
    salon = make_salon(
        [person("D1", "T1", max_meetings=1), person("C1"), person("C2")],
        [wish("C1", "D1", priority=3), wish("C2", "D1", priority=1)],
    )
    entry = _only(salon, {0: 0})
    assert entry.reason == "cap_reached"
    assert "0 rendez-vous de poids égal ou supérieur" in entry.detail
    assert "et 1 de poids inférieur" in entry.detail


def test_fully_booked_in_every_common_slot() -> None:
    salon = make_salon(
        [
            person("D1", "T1"),
            person("D2", "T2"),
            person("C1", unavailable=[interval("09:15", "10:00")]),
        ],
        [wish("C1", "D1", priority=1), wish("C1", "D2", priority=3)],
    )
    entry = _only(salon, {0: 0})
    assert (entry.to, entry.reason) == ("D2", "cap_reached")
    assert entry.detail.startswith("C1 est complet à tous les créneaux possibles (09:00) : ")
    assert "D1 (3)" in entry.detail
    assert entry.detail_en.startswith("C1 is fully booked in every possible slot (09:00): ")


def test_max_in_a_row() -> None:
    salon = make_salon(
        [
            person("D1", "T1"),
            person("D2", "T2"),
            person("D3", "T3", unavailable=[interval("09:45", "10:00")]),
            person("C1"),
        ],
        [wish("C1", "D1"), wish("C1", "D2"), wish("C1", "D3")],
        max_in_a_row=2,
    )
    # C1 meets D1 at 09:00 and D2 at 09:15; D3 is free at 09:00-09:45, C1 only at 09:30-10:00.
    entry = _only(salon, {0: 0, 1: 1})
    assert (entry.to, entry.reason) == ("D3", "max_in_a_row")
    assert "(09:30)" in entry.detail and "plus de 2 rendez-vous d'affilée" in entry.detail
    assert "more than 2 meetings in a row" in entry.detail_en


def test_table_capacity_of_the_pool() -> None:
    salon = make_salon(
        [person("C1"), person("C2"), person("C3"), person("C4")],
        [wish("C1", "C2"), wish("C3", "C4")],
        tables=["P1"],
        sessions=[session("09:00", "09:15")],
    )
    entry = _only(salon, {0: 0})
    assert (entry.from_, entry.reason) == ("C3", "table_capacity")
    assert entry.detail == (
        "L'unique table libre était occupée aux créneaux où C3 et C4 sont tous deux libres (09:00)."
    )


def test_table_capacity_with_closed_pool_tables() -> None:
    salon = make_salon(
        [person("C1"), person("C2")],
        [wish("C1", "C2")],
        tables=["P1", "P2"],
        sessions=[session("09:00", "09:30")],
    )
    entry = _only(salon, {}, pool_capacity={0: 0, 1: 0})
    assert entry.reason == "table_capacity"
    assert entry.detail_en.startswith("No free table was open in the slots")


def test_table_capacity_of_a_shared_home_table() -> None:
    salon = make_salon(
        [person("D1", "T1"), person("D2", "T1"), person("C1"), person("C2")],
        [wish("C1", "D1"), wish("C2", "D2")],
        tables=["T1"],
        sessions=[session("09:00", "09:15")],
    )
    entry = _only(salon, {0: 0})
    assert (entry.from_, entry.reason) == ("C2", "table_capacity")
    assert "La table T1, partagée par D1 et D2, était occupée" in entry.detail
    assert "Table T1, shared by D1 and D2, was taken" in entry.detail_en


def test_not_selected_counts_the_competitors() -> None:
    salon = make_salon(
        [
            person("D1", "T1"),
            person("D2", "T2"),
            person("D3", "T3"),
            person("C1"),
            person("C2"),
            person("C3"),
        ],
        [
            wish("C1", "D1", priority=2),
            wish("C1", "D2", priority=1),
            wish("C1", "D3", priority=3),
            wish("C2", "D1", priority=2),
            wish("C3", "D1", priority=1),
        ],
    )
    # C1 is busy at 09:00 and 09:15, D1 at 09:30 and 09:45: no slot free for both.
    entry = _only(salon, {1: 0, 2: 1, 3: 2, 4: 3})
    assert (entry.from_, entry.to, entry.reason) == ("C1", "D1", "not_selected")
    assert entry.detail == (
        "Non retenu : aux 4 créneaux possibles, C1 et D1 avaient 4 autre(s) rendez-vous, dont 3 "
        "de poids égal ou supérieur (poids de cette demande : 2)."
    )
    assert "4 other meeting(s), 3 of them of equal or higher weight" in entry.detail_en


def test_mutual_wishes_get_one_entry_each() -> None:
    salon = make_salon(
        [person("D1", "T1", unavailable=[interval("08:00", "11:00")]), person("C1")],
        [wish("C1", "D1"), wish("D1", "C1")],
    )
    entries = _explain(salon, {})
    assert [(e.from_, e.to, e.reason) for e in entries] == [
        ("C1", "D1", "no_common_slot"),
        ("D1", "C1", "no_common_slot"),
    ]


def test_reason_for_one_pair() -> None:
    salon = make_salon([person("D1", "T1"), person("C1")], [wish("C1", "D1", declined=True)])
    problem = build_problem(salon)
    assert reason_for(problem, problem.pairs[0], {}).code == "declined_never_scheduled"


def test_the_solver_explains_a_cap_with_the_meetings_kept() -> None:
    salon = make_salon(
        [person("D1", "T1", max_meetings=1), person("C1"), person("C2")],
        [wish("C1", "D1", priority=1), wish("C2", "D1", priority=3)],
    )
    schedule = solve(salon, SolveOptions(time_limit=2, workers=1))
    [entry] = schedule.unscheduled
    assert (entry.from_, entry.reason) == ("C2", "cap_reached")
    assert "C1 (3)" in entry.detail
