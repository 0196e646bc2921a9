"""The ranking of profiles (pure): stems meet across inflections, French and English; themes and
keywords weigh more than loose words; the reason names what is shared, in the other's words;
nothing is suggested that shares nothing; the bench's quality figure counts what it says."""

from __future__ import annotations

from api.suggestions.ranking import Card, Matcher, top_share
from api.suggestions.text import language_of, stems

ME = Card(
    "I1",
    "industrial",
    "Nous fabriquons des lasers de puissance pour la gendarmerie mobile.",
    ("laser",),
    ("Optronique",),
)
LASERS = Card(
    "D1",
    "director",
    "Programme : laser de puissance pour les gendarmes mobiles",
    ("gendarmerie mobile", "lasers"),
    ("Optronique",),
)
DRONES = Card("D2", "director", "Drones tactiques en milieu naval", ("drones",), ("Drones",))
RADARS = Card("D3", "director", "Radars pour la gendarmerie", (), ())
OTHER_INDUSTRIAL = Card("I2", "industrial", "Lasers de puissance, gendarmerie mobile", (), ())


def test_stems_meet_across_inflections_and_languages() -> None:
    assert stems("Lasers navals, drones", "fr") == stems("laser naval drone", "fr")
    assert stems("gendarmeries mobiles", "fr") == stems("gendarmerie mobile", "fr")
    assert stems("power lasers for navies", "en") == ["power", "laser", "navi"]
    assert language_of("We offer power lasers for the navy") == "en"
    assert language_of("Nous offrons des lasers pour la marine") == "fr"


def test_the_best_match_comes_first_with_what_is_shared() -> None:
    matcher = Matcher([ME, LASERS, DRONES, RADARS, OTHER_INDUSTRIAL])
    found = matcher.suggest("I1")
    assert [s.code for s in found] == ["D1", "D3"]  # D2 shares nothing; I2 is of my side
    first = found[0]
    assert first.shared[:2] == ["Optronique", "gendarmerie mobile"]  # theme, then keyword
    assert "lasers" in first.shared
    assert found[1].shared == ["gendarmerie"]
    assert 0 < found[1].score < first.score <= 1


def test_a_director_gets_industrials() -> None:
    matcher = Matcher([ME, LASERS, DRONES, RADARS, OTHER_INDUSTRIAL])
    assert {s.code for s in matcher.suggest("D1")} == {"I1", "I2"}
    assert [s.code for s in matcher.suggest("D1", exclude={"I1"})] == ["I2"]


def test_english_profiles_match_through_english_stems() -> None:
    english = Card("I9", "industrial", "We build power lasers for the navy", (), ())
    navy = Card("D9", "director", "Programme: a powerful laser for naval forces", (), ())
    matcher = Matcher([english, navy, LASERS, DRONES])
    [found] = matcher.suggest("I9")
    assert found.code == "D9" and found.shared[:2] == ["laser", "powerful"]  # its words


def test_without_stemming_inflections_do_not_meet() -> None:
    singular = Card("I5", "industrial", "laser", (), ())
    plural = Card("D5", "director", "lasers", (), ())
    assert Matcher([singular, plural]).suggest("I5")[0].code == "D5"
    assert Matcher([singular, plural], stemming=False).suggest("I5") == []


def test_top_share_counts_the_wishes_found_in_the_top() -> None:
    matcher = Matcher([ME, LASERS, DRONES, RADARS, OTHER_INDUSTRIAL])
    assert top_share(matcher, {"I1": {"D1", "D2"}}, top=1) == 0.5
    assert top_share(matcher, {"I1": {"D1", "D2"}}, top=3) == 0.5  # D2 shares nothing
    assert top_share(matcher, {"I1": {"D1", "D3"}}, top=2) == 1.0
    assert top_share(matcher, {}, top=2) == 0.0
