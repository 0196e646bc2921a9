"""No secret in a log line: the secrets a URL may carry, redacted from the access log.

A request line can carry a secret: a participant's personal link `/p/{token}` (and every page
under it, `/p/{token}/agenda.pdf`...), a contributor's one-time sign-in link
`/catalogue/login/{token}`, a query parameter whose name says it is one (`token`, `key`, `sig`,
`secret`, `password`, `session`, `auth`...), or a query value holding such a path
(`?next=/p/...`). `RedactSecrets` replaces each by `<redacted>` (`/p/<redacted>/agenda.pdf`).
The path is read decoded, as the routes read it (`/%70/{token}` reaches `/p/{token}`), and logged
decoded once it held a secret.

`install_access_log_redaction()` puts the filter on uvicorn's access logger (`create_app` calls
it, so every way of serving the app is covered); `salon serve` also names it in uvicorn's
logging configuration (`api.cli.serve.log_config`), so every worker process has it from its
start.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import quote, unquote, unquote_plus

ACCESS_LOGGER = "uvicorn.access"
REDACTED = "<redacted>"
SECRET_SEGMENT = re.compile(r"(?<![^/])(p|login)/[^/]+")
"""`p/{token}` and `login/{token}` in a decoded path (the personal and the sign-in links)."""
SECRET_IN_TEXT = re.compile(r"(?<![^/])(p|login)/[^/?#&\s\"'<>]+")
SECRET_NAME = re.compile(r"token|secret|sig|key|pass|auth|session|credential", re.IGNORECASE)
URL_LIKE = re.compile(r"[^\s\"'<>]*/[^\s\"'<>]*")
SAFE = "/:@!$&'()*+,;=~<>"


def redact_path(path: str) -> str:
    """A request path without its secret segments (as given when it holds none)."""
    decoded = unquote(path, errors="replace")
    redacted = SECRET_SEGMENT.sub(rf"\1/{REDACTED}", decoded)
    return path if redacted == decoded else quote(redacted, safe=SAFE)


def redact_query(query: str) -> str:
    """A query string whose secret parameters (by name, or holding a secret path) are redacted."""
    parts = []
    for part in re.split(r"([&;])", query):
        name, equals, value = part.partition("=")
        if part in ("&", ";") or not equals:
            parts.append(part)
        elif SECRET_NAME.search(unquote_plus(name, errors="replace")):
            parts.append(f"{name}={REDACTED}")
        else:
            decoded = unquote_plus(value, errors="replace")
            redacted = SECRET_IN_TEXT.sub(rf"\1/{REDACTED}", decoded)
            parts.append(part if redacted == decoded else f"{name}={quote(redacted, safe=SAFE)}")
    return "".join(parts)


def redact_target(target: str) -> str:
    """A request target (path and query, or a whole URL) without its secrets."""
    path, mark, query = target.partition("?")
    fragment = ""
    if "#" in query:
        query, fragment = query.split("#", 1)
        fragment = "#" + fragment
    return redact_path(path) + mark + redact_query(query) + fragment


def redact_text(text: str) -> str:
    """Free text with the secrets of each URL or path in it redacted."""
    return URL_LIKE.sub(lambda match: redact_target(match.group()), text)


def _redacted(value: object) -> object:
    if not isinstance(value, str):
        return value
    return redact_target(value) if value.startswith("/") else redact_text(value)


class RedactSecrets(logging.Filter):
    """Redacts the secrets of a log record's arguments (uvicorn's access log passes the
    request target as one) and of its message when it has no arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(_redacted(value) for value in record.args)
        elif not record.args and isinstance(record.msg, str):
            record.msg = redact_text(record.msg)
        return True


def install_access_log_redaction(name: str = ACCESS_LOGGER) -> None:
    """Put `RedactSecrets` on the logger `name` (once)."""
    logger = logging.getLogger(name)
    if not any(isinstance(existing, RedactSecrets) for existing in logger.filters):
        logger.addFilter(RedactSecrets())
