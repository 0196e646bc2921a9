"""Rate limits: how often one client address, or one e-mail address, may ask for something.

Built on the `limits` package (fixed windows, `FixedWindowRateLimiter`). Each *scope* (the
magic-link requests, the failed sign-ins, the routes that send mails, the mails to one address,
the public registration forms posted)
has its limits in `Settings` (`limits` notation: "10/minute;50/hour"); a request is counted in
every limit of its scope, under one identity (a client address or an e-mail address, only its
SHA-256 is stored).

Counters live in the database by default (`rate_limit_storage = "database"`, table
`rate_limit_counters`): every server process of one database counts together, and a restart
forgets nothing. `"memory"` keeps them in the process (each worker then counts on its own).

Over a limit, `RateLimitedError`: a `DomainError` with status 429, a `Retry-After` header and the
seconds to wait, French first. Routes count *before* doing anything (no account, token or mail
for a refused request). The client address is the socket's peer, or what the trusted proxies
say (`salon serve` runs uvicorn with proxy headers, trusted from `FORWARDED_ALLOW_IPS`, by
default 127.0.0.1 only): a client cannot pick its own address with X-Forwarded-For.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage, Storage
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.responses import Response

from api.errors import DomainError
from api.rate_limits.storage import DatabaseStorage
from api.settings import Settings

MAGIC_LINK_CLIENT = "magic_link_client"
MAGIC_LINK_EMAIL = "magic_link_email"
SIGN_IN_FAILURES = "sign_in_failures"
MAIL_ROUTES = "mail_routes"
MAIL_RECIPIENT = "mail_recipient"
REGISTRATION = "registration"
SCOPES = {
    MAGIC_LINK_CLIENT: "rate_limit_magic_link_per_client",
    MAGIC_LINK_EMAIL: "rate_limit_magic_link_per_email",
    SIGN_IN_FAILURES: "rate_limit_sign_in_failures_per_client",
    MAIL_ROUTES: "rate_limit_mail_routes_per_client",
    MAIL_RECIPIENT: "rate_limit_mails_per_recipient",
    REGISTRATION: "rate_limit_registration_per_client",
}
"""Each scope and the setting that holds its limits."""


class RateLimitedError(DomainError):
    """Too many requests: 429, `Retry-After: <seconds>`."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            "rate_limited",
            "Trop de demandes en peu de temps : réessayez dans {seconds} secondes.",
            status=429,
            headers={"Retry-After": str(retry_after)},
            seconds=retry_after,
        )
        self.retry_after = retry_after


def identity(value: str) -> str:
    """What the counters store of a client or e-mail address: part of its SHA-256."""
    return hashlib.sha256(value.strip().lower().encode("utf-8")).hexdigest()[:40]


class Limiter:
    """The limits of one service (its settings) over one storage."""

    def __init__(self, settings: Settings, storage: Storage) -> None:
        self.enabled = settings.rate_limits_enabled
        self.strategy = FixedWindowRateLimiter(storage)
        self.rules: dict[str, list[RateLimitItem]] = {
            scope: parse_many(getattr(settings, field)) for scope, field in SCOPES.items()
        }

    def hit(self, scope: str, who: str) -> None:
        """Count one request of `who` in `scope`; `RateLimitedError` when it is over a limit."""
        refused = self.count(scope, who)
        if refused is not None:
            raise refused

    def count(self, scope: str, who: str) -> RateLimitedError | None:
        """Count one request of `who` in `scope`; the refusal when it is over a limit."""
        if not self.enabled:
            return None
        key = identity(who)
        over = [item for item in self.rules[scope] if not self.strategy.hit(item, scope, key)]
        return self._refusal(over, scope, key)

    def check(self, scope: str, who: str) -> None:
        """`RateLimitedError` when one more request of `who` in `scope` would be over a limit
        (nothing is counted: for failed attempts, counted by `count` when they fail)."""
        if not self.enabled:
            return
        key = identity(who)
        over = [item for item in self.rules[scope] if not self.strategy.test(item, scope, key)]
        refused = self._refusal(over, scope, key)
        if refused is not None:
            raise refused

    def allows(self, scope: str, who: str) -> bool:
        """Count one request of `who` in `scope`: whether it is within the limits."""
        return self.count(scope, who) is None

    def _refusal(self, over: list[RateLimitItem], scope: str, key: str) -> RateLimitedError | None:
        if not over:
            return None
        now = time.time()
        ends = [self.strategy.get_window_stats(item, scope, key).reset_time for item in over]
        return RateLimitedError(max(1, math.ceil(max(ends) - now)))


_creating = threading.Lock()


def make_storage(settings: Settings, engine: Engine) -> Storage:
    """The counters' storage the settings ask for: the database's table, or the process's."""
    if settings.rate_limit_storage == "memory":
        return MemoryStorage()
    return DatabaseStorage(engine)


def limiter(request: Request) -> Limiter:
    """The app's limiter (made at its first use, on the app's settings and database)."""
    state = request.app.state
    found = getattr(state, "rate_limiter", None)
    if isinstance(found, Limiter):
        return found
    with _creating:
        found = getattr(state, "rate_limiter", None)
        if not isinstance(found, Limiter):
            settings: Settings = state.settings
            found = Limiter(settings, make_storage(settings, state.engine))
            state.rate_limiter = found
    return found


LimiterDep = Annotated[Limiter, Depends(limiter)]


def client_address(request: Request) -> str:
    """The client's address (the peer, or the trusted proxy's X-Forwarded-For: see above)."""
    return request.client.host if request.client else "unknown"


def limit_magic_link(request: Request, *, email: str) -> None:
    """Count a magic-link request for its client address, then for its (normalised) e-mail
    address; `RateLimitedError` over either limit, before any account or token exists."""
    found = limiter(request)
    found.hit(MAGIC_LINK_CLIENT, client_address(request))
    found.hit(MAGIC_LINK_EMAIL, email)


def check_sign_in(request: Request) -> None:
    """`RateLimitedError` when this client address has failed to sign in too often lately."""
    limiter(request).check(SIGN_IN_FAILURES, client_address(request))


def count_failed_sign_in(request: Request, session: Session) -> None:
    """Count a failed sign-in of this client address. The request's transaction is rolled back
    first (a failed sign-in keeps nothing): on SQLite, a write it holds would block the count."""
    session.rollback()
    limiter(request).count(SIGN_IN_FAILURES, client_address(request))


def limit_mail_route(request: Request) -> None:
    """Count a request that sends mails for its client address (`RateLimitedError` over)."""
    limiter(request).hit(MAIL_ROUTES, client_address(request))


def limit_registration(request: Request) -> None:
    """Count a registration form posted by this client address (`RateLimitedError` over)."""
    limiter(request).hit(REGISTRATION, client_address(request))


def recipient_check(request: Request) -> Callable[[str], bool]:
    """A function counting one mail to an address: whether that address may receive it."""
    found = limiter(request)
    return lambda address: found.allows(MAIL_RECIPIENT, address)


def retry_later(response: Response, refused: DomainError) -> Response:
    """The response (a page answering a refusal) with the refusal's headers: the `Retry-After`
    of a `RateLimitedError`."""
    response.headers.update(refused.headers)
    return response
