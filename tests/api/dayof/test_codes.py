"""Check-in codes: short, without look-alike characters, the same for the CLI and the service
(derived from the participant ids only), unique in a salon even when short codes collide, and
read back from whatever the desk typed or scanned."""

from __future__ import annotations

from api.dayof.codes import ALPHABET, SHORT, checkin_codes, shown_code, typed_code


def test_codes_are_short_stable_and_unambiguous() -> None:
    ids = [f"p{i}" for i in range(370)]
    codes = checkin_codes(ids)
    assert codes == checkin_codes(reversed(ids))  # the same whatever the order
    assert len(set(codes.values())) == len(ids)
    assert all(len(code) == SHORT and set(code) <= set(ALPHABET) for code in codes.values())
    assert not set("01ILOU") & set(ALPHABET)


def test_colliding_short_codes_grow_until_unique() -> None:
    ids = [f"x{i}" for i in range(200_000)]  # about 27 pairs of 6-character codes collide
    codes = checkin_codes(ids)
    assert len(set(codes.values())) == len(ids)
    longer = [pid for pid, code in codes.items() if len(code) > SHORT]
    assert longer and len(longer) < 200  # only those that collided grew
    alone = next(pid for pid in ids if pid not in longer)
    assert codes[alone] == checkin_codes([alone])[alone]  # the others keep theirs


def test_typed_or_scanned_input() -> None:
    assert shown_code("ABCDEF") == "ABC-DEF"
    assert typed_code(" abc-def ") == "ABCDEF"
    assert typed_code("https://salon.example.org/o/salons/3/checkin/ABCDEF") == "ABCDEF"
    assert typed_code("https://salon.example.org/o/salons/3/checkin/ABCDEF/") == "ABCDEF"
    assert typed_code("https://x.org/o/salons/3/checkin/ABC-DEF?utm=1") == "ABCDEF"
    assert typed_code("   ") == "" and typed_code("é-à") == ""
