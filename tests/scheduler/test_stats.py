"""A salon's statistics (scheduler.stats): size, relaxation bounds, over-requested participants.

Slots of the default salon: 09:00, 09:15, 09:30, 09:45.
"""

from __future__ import annotations

import json
from typing import Any

from salon_builders import at, interval, make_salon, person, session, wish

from scheduler.format import Salon
from scheduler.stats import salon_statistics

SECONDS, WORKERS = 2, 1


def _people() -> list[dict[str, Any]]:
    """Two directors at home tables, three industrials; C1 holds one meeting at most and C3 is
    only free at 09:45."""
    return [
        person("D1", "T1", role="director"),
        person("D2", "T2", role="director"),
        person("C1", role="industrial", max_meetings=1),
        person("C2", role="industrial"),
        person("C3", role="industrial", unavailable=[interval("09:00", "09:45")]),
    ]


def _demo(**fields: Any) -> Salon:
    """C1 is asked twice as much as it can hold; D1 declined C3."""
    wishes = [
        wish("C1", "D1", priority=1),
        wish("C1", "D2", priority=3),
        wish("C2", "D1"),
        wish("C2", "D2"),
        wish("C3", "D1", declined=True),
    ]
    return make_salon(_people(), wishes, **fields)


def test_statistics_of_a_small_salon() -> None:
    stats = salon_statistics(_demo(), SECONDS, WORKERS)
    assert stats == {
        "salon": "Salon de test",
        "size": {
            "participants": 5,
            "roles": {"director": 2, "industrial": 3},
            "home_tables": 2,
            "tables": 3,
            "pool_tables": 1,
            "sessions": 1,
            "slots": 4,
            "wishes": 5,
            "declined_wishes": 1,
            "pairs": 5,
            "mutual_pairs": 0,
            "required_pairs": 0,
            "pinned_pairs": 0,
            "pairs_without_common_slot": 0,
        },
        # C1 meets one director (weight 3), C2 both (2 + 2): 4 participants, score 7. Nothing
        # is required, so nothing forces an idle slot.
        "bounds": {
            "coverage": 4, "score": 7, "meetings": 3, "proven": True, "feasible": True, "idle": 0
        },
        "over_requested": [{"participant": "C1", "requests": 2, "capacity": 1}],
    }


def test_required_meetings_beyond_max_in_a_row_force_idle_slots() -> None:
    wishes = [wish(c, "D1", required=True) for c in ("C1", "C2", "C3")]
    people = [person("D1", "T1"), person("C1"), person("C2"), person("C3")]
    # D1 holds three meetings in four slots, at most two in a row: one idle slot at least.
    assert salon_statistics(make_salon(people, wishes, max_in_a_row=2), SECONDS, WORKERS)[
        "bounds"
    ]["idle"] == 1
    assert salon_statistics(make_salon(people, wishes, max_in_a_row=3), SECONDS, WORKERS)[
        "bounds"
    ]["idle"] == 0


def test_statistics_are_plain_data() -> None:
    stats = salon_statistics(_demo(), SECONDS, WORKERS)
    assert json.loads(json.dumps(stats)) == stats


def test_fairness_bound_only_when_the_salon_lists_it() -> None:
    stats = salon_statistics(_demo(objectives=["coverage", "fairness", "score"]), SECONDS, WORKERS)
    # Three meetings at most (C1 holds one): C1 and D2 once (2520), C2 and D1 twice (2520 + 1260).
    assert stats["bounds"]["fairness"] == 2 * 2520 + 2 * 3780
    assert "fairness" not in salon_statistics(_demo(), SECONDS, WORKERS)["bounds"]


def test_counts_mutual_required_pinned_and_slotless_pairs() -> None:
    wishes = [
        wish("C1", "D1", required=True),
        wish("D1", "C1"),
        wish("C2", "D2", pinned=at("09:15")),
        wish("C3", "D2", during=[interval("09:00", "09:30")]),
    ]
    size = salon_statistics(make_salon(_people(), wishes), SECONDS, WORKERS)["size"]
    assert (size["pairs"], size["mutual_pairs"], size["required_pairs"]) == (3, 1, 1)
    assert (size["pinned_pairs"], size["pairs_without_common_slot"]) == (1, 1)


def test_when_the_required_meetings_clash() -> None:
    wishes = [wish("C2", "D1", required=True), wish("C2", "D2", required=True)]
    salon = make_salon(_people(), wishes, sessions=[session("09:00", "09:15")])
    bounds = salon_statistics(salon, SECONDS, WORKERS)["bounds"]
    assert bounds["feasible"] is False
    assert (bounds["coverage"], bounds["score"], bounds["meetings"]) == (0, 0, 0)
