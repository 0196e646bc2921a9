"""The secret link of each table's attendance page, printed as a QR code on its table sheet.

Like the participants' printed links (api.salons.printed_links), the key is derived from the
site secret (HMAC of the salon and the table), so it is the same on every reprint and needs no
storage; the page checks it in constant time. The key travels as the `key` query parameter,
which the access log redacts (api.redaction). Changing the site secret changes every key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import quote

from sqlalchemy.orm import Session

from api.dayof.codes import checkin_codes
from api.salons import storage as salon_storage
from api.salons.printed_links import site_secret
from api.settings import Settings


def table_key(settings: Settings, *, salon_id: int, table_code: str) -> str:
    """The key of a table's attendance page (URL-safe, 24 characters)."""
    message = f"attendance:{salon_id}:{table_code}".encode()
    digest = hmac.new(site_secret(settings), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode("ascii")


def table_path(salon_id: int, table_code: str) -> str:
    """The attendance page of a table, without its key."""
    return f"/t/{salon_id}/{quote(table_code, safe='')}"


def organiser_table_path(salon_id: int, table_code: str) -> str:
    """The same page for the signed-in organiser."""
    return f"/o/salons/{salon_id}/attendance/{quote(table_code, safe='')}"


def table_url(settings: Settings, *, salon_id: int, table_code: str) -> str:
    """The full secret link of a table's attendance page (for its QR code)."""
    key = table_key(settings, salon_id=salon_id, table_code=table_code)
    return f"{settings.base_url.rstrip('/')}{table_path(salon_id, table_code)}?key={key}"


def key_matches(settings: Settings, *, salon_id: int, table_code: str, key: str) -> bool:
    """Whether `key` opens the table's attendance page."""
    expected = table_key(settings, salon_id=salon_id, table_code=table_code)
    return hmac.compare_digest(expected.encode(), key.encode("utf-8", "replace"))


def checkin_path(salon_id: int, code: str) -> str:
    """The desk's page of one badge's check-in code (what its QR code opens)."""
    return f"/o/salons/{salon_id}/checkin/{quote(code, safe='')}"


def print_links(
    session: Session, *, salon_id: int, document: str, settings: Settings
) -> dict[str, str]:
    """The links a batch print carries as QR codes (DocumentOptions.links): for badges,
    participant id -> its check-in URL; for table sheets, "table:<id>" -> the table's secret
    attendance link (a participant id cannot hold ":"). Nothing for the other documents."""
    base = settings.base_url.rstrip("/")
    if document.startswith("badges"):
        participants, _ = salon_storage.list_participants(session, salon_id=salon_id)
        codes = checkin_codes(p.code for p in participants)
        return {code: base + checkin_path(salon_id, checkin) for code, checkin in codes.items()}
    if document == "tables":
        return {
            f"table:{t.code}": table_url(settings, salon_id=salon_id, table_code=t.code)
            for t in salon_storage.list_tables(session, salon_id=salon_id)
        }
    return {}
