"""Contributors' accounts: an account per e-mail address, signed in by a one-time magic link.

Only SHA-256 digests of links and session tokens are stored. A magic link is valid 30 minutes
and once; a session 30 days.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy.orm import Session

from api.catalogue import storage
from api.catalogue.errors import CatalogueError, invalid
from api.catalogue.tables import Contributor, ContributorSession, LoginToken
from api.catalogue.validation import EMAIL_PATTERN
from api.catalogue.workflow import Actor
from api.errors import FieldProblem
from api.i18n import gettext
from api.mail import send_mail
from api.settings import Settings
from api.timestamps import utc_now

MAGIC_LINK_LIFETIME = dt.timedelta(minutes=30)
SESSION_LIFETIME = dt.timedelta(days=30)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def normalise_email(email: str) -> str:
    """The address in lower case, if it looks like one (else a 422 on 'email')."""
    cleaned = email.strip().lower()
    if not EMAIL_PATTERN.match(cleaned) or len(cleaned) > 254:
        raise invalid(
            [
                FieldProblem(
                    "email", "Adresse électronique invalide : « {value} ».", {"value": email[:80]}
                )
            ],
            code="invalid_email",
        )
    return cleaned


def contributor_actor(contributor: Contributor) -> Actor:
    return Actor("contributor", f"contributor:{contributor.id}", contributor.email, contributor.id)


def ensure_contributor(
    session: Session,
    *,
    email: str,
    name: str = "",
    structure: str = "",
    now: dt.datetime | None = None,
) -> Contributor:
    """The contributor with this address, created if needed (commits)."""
    address = normalise_email(email)
    contributor = storage.get_contributor_by_email(session, email=address)
    if contributor is None:
        contributor = Contributor(
            email=address, name=name, structure=structure, created_at=now or utc_now()
        )
        session.add(contributor)
    else:
        contributor.name = name or contributor.name
        contributor.structure = structure or contributor.structure
    session.commit()
    return contributor


def issue_magic_link(session: Session, *, email: str, now: dt.datetime | None = None) -> str:
    """A new one-time sign-in token for this address (the account is created if needed)."""
    now = now or utc_now()
    contributor = ensure_contributor(session, email=email, now=now)
    storage.delete_expired_tokens(session, now=now)
    token = add_secret(
        session, LoginToken, contributor_id=contributor.id, lifetime=MAGIC_LINK_LIFETIME, now=now
    )
    session.commit()
    return token


def add_secret(
    session: Session,
    kind: type[LoginToken] | type[ContributorSession],
    *,
    contributor_id: int,
    lifetime: dt.timedelta,
    now: dt.datetime,
) -> str:
    """A new random token for the contributor; only its SHA-256 is stored (not committed)."""
    token = secrets.token_urlsafe(32)
    session.add(
        kind(
            contributor_id=contributor_id,
            token_hash=hash_token(token),
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    return token


def magic_link_url(settings: Settings, token: str) -> str:
    return f"{settings.base_url.rstrip('/')}/catalogue/login/{token}"


def send_magic_link(session: Session, settings: Settings, *, email: str, language: str) -> None:
    """Mail a sign-in link to the address (through SMTP or the outbox)."""
    token = issue_magic_link(session, email=email)
    address = normalise_email(email)
    link = magic_link_url(settings, token)
    body = gettext(
        language,
        "Bonjour,\n\nPour vous connecter au catalogue des événements et référencer vos "
        "événements, ouvrez ce lien (valable 30 minutes, une seule fois) :\n\n{link}\n\n"
        "Si vous n'avez pas demandé ce lien, ignorez ce message.\n",
    ).format(link=link)
    subject = gettext(language, "Votre lien de connexion au catalogue des événements")
    send_mail(settings, to=address, subject=subject, body=body)


def open_session(
    session: Session, *, token: str, now: dt.datetime | None = None
) -> tuple[Contributor, str]:
    """Use a magic link: returns the contributor and a new session token.

    The link is marked used by one conditional UPDATE: of several uses at once, one signs in."""
    now = now or utc_now()
    contributor_id = storage.use_login_token(session, token_hash=hash_token(token), now=now)
    contributor = (
        None
        if contributor_id is None
        else storage.get_contributor(session, contributor_id=contributor_id)
    )
    if contributor is None:
        session.rollback()  # the UPDATE found nothing: end its transaction (SQLite's lock) now
        raise CatalogueError(
            "invalid_link",
            "Ce lien de connexion n'est plus valable (déjà utilisé ou expiré) : demandez-en "
            "un nouveau.",
            status=401,
        )
    contributor.last_login_at = now
    session_token = add_secret(
        session,
        ContributorSession,
        contributor_id=contributor.id,
        lifetime=SESSION_LIFETIME,
        now=now,
    )
    session.commit()
    return contributor, session_token


def contributor_for_token(
    session: Session, *, token: str, now: dt.datetime | None = None
) -> Contributor | None:
    """The contributor of a valid session token, else None."""
    found = storage.get_contributor_session(session, token_hash=hash_token(token))
    if found is None or found.expires_at < (now or utc_now()):
        return None
    return found.contributor


def close_session(session: Session, *, token: str) -> None:
    storage.delete_contributor_session(session, token_hash=hash_token(token))
    session.commit()
