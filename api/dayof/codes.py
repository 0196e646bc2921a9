"""Check-in codes of the badges: short, typed or scanned at the desk (pure: no database).

A participant's code is derived from its id in the salon (a hash, not a secret: checking in
needs the organiser's session anyway), so the CLI's badges (`salon print --kind badges`) and the
service's agree without storing anything. Codes use an alphabet without look-alikes (no 0/O,
1/I/L, U) and are read case-insensitively, dashes and spaces ignored. Two participants of a salon
whose 6-character codes collide both get 8 characters (then 10...), so codes are unique within
the salon they were made for.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
SHORT = 6
LONGEST = 16


def _code(participant_id: str, length: int) -> str:
    digest = int.from_bytes(hashlib.sha256(f"salon-badge:{participant_id}".encode()).digest())
    letters = []
    for _ in range(length):
        digest, index = divmod(digest, len(ALPHABET))
        letters.append(ALPHABET[index])
    return "".join(letters)


def checkin_codes(participant_ids: Iterable[str]) -> dict[str, str]:
    """Participant id -> its check-in code, unique among `participant_ids`."""
    ids = list(dict.fromkeys(participant_ids))
    codes: dict[str, str] = {}
    pending, length = ids, SHORT
    while pending:
        made = {pid: _code(pid, length) for pid in pending}
        holders: dict[str, list[str]] = defaultdict(list)
        for pid, code in made.items():
            holders[code].append(pid)
        taken = set(codes.values())
        pending = []
        for code, pids in holders.items():
            if len(pids) == 1 and code not in taken or length >= LONGEST:
                codes.update({pid: code for pid in pids})
            else:
                pending.extend(pids)
        length += 2
    return codes


def shown_code(code: str) -> str:
    """A code as printed: `ABC-DEF` (groups of three)."""
    return "-".join(code[i : i + 3] for i in range(0, len(code), 3))


def typed_code(text: str) -> str:
    """What the desk typed or scanned, as a code: a scanned check-in URL's last segment, upper
    case, without dashes or spaces ('' when nothing is left)."""
    value = text.strip().rstrip("/")
    if "/" in value:
        value = value.rsplit("/", 1)[1]
    value = value.split("?", 1)[0]
    return "".join(c for c in value.upper() if c.isascii() and c.isalnum())
