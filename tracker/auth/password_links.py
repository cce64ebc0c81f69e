"""Password-set links: a signed token an administrator hands to a user.

The token names the user and carries a fingerprint of the account's current
e-mail and password hash. It is signed with the app's secret key (and
accepted under ``SECRET_KEY_FALLBACKS`` during a key rotation), expires
after ``PASSWORD_LINK_MAX_AGE`` (24 hours), and works once: setting the
password changes the hash, so the fingerprint no longer matches. Nothing
about the token is stored.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from tracker.extensions import db
from tracker.models import User
from tracker.signing import timed_serializer

SALT = "tracker.password-set-link"


def _serializer() -> URLSafeTimedSerializer:
    return timed_serializer(SALT)


def _fingerprint(user: User) -> str:
    material = f"{user.id}\0{user.email}\0{user.password_hash or ''}"
    return hashlib.sha256(material.encode()).hexdigest()[:32]


def make_token(user: User) -> str:
    """A token that lets its holder set ``user``'s password once."""
    return _serializer().dumps({"user": user.id, "state": _fingerprint(user)})


def user_for_token(token: str) -> User | None:
    """The active user a valid, unexpired, unused token belongs to; else None."""
    max_age = current_app.config["PASSWORD_LINK_MAX_AGE"].total_seconds()
    try:
        payload = _serializer().loads(token, max_age=max_age)
    except BadSignature:  # also covers SignatureExpired
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("user"), int):
        return None
    user = db.session.get(User, payload["user"])
    if user is None or not user.is_active:
        return None
    if not hmac.compare_digest(str(payload.get("state", "")), _fingerprint(user)):
        return None
    return user
