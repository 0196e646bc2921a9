"""The secret display link of a salon: `{base_url}/display/{salon_id}/{token}`.

The token is an HMAC of the salon by the site secret (api.salons.printed_links.site_secret):
the same on every screen and every restart, nothing stored; changing the site secret changes
it (and the printed links). It opens the room display of that salon only, read-only.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import quote

from api.salons.printed_links import site_secret
from api.settings import Settings


def display_token(secret: bytes, *, salon_id: int) -> str:
    """The salon's display token (URL-safe, 32 characters)."""
    digest = hmac.new(secret, f"display:{salon_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode("ascii")


def valid_display_token(settings: Settings, *, salon_id: int, token: str) -> bool:
    """True when `token` is the salon's display token (compared in constant time)."""
    expected = display_token(site_secret(settings), salon_id=salon_id)
    return hmac.compare_digest(expected.encode("ascii"), token.encode("utf-8", "replace"))


def display_url(settings: Settings, *, salon_id: int, hall: str | None = None) -> str:
    """The absolute display link of the salon (of one hall when `hall` is given)."""
    token = display_token(site_secret(settings), salon_id=salon_id)
    url = f"{settings.base_url.rstrip('/')}/display/{salon_id}/{token}"
    return url if hall is None else f"{url}?hall={quote(hall)}"
