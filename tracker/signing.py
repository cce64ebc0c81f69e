"""Signed values in links (password-set links, unsubscribe links).

Signed with the app's secret key and accepted under ``SECRET_KEY_FALLBACKS``
while a new key is rolled out: itsdangerous signs with the last key of the
list and accepts every one.
"""

from __future__ import annotations

from flask import current_app
from itsdangerous import URLSafeSerializer, URLSafeTimedSerializer


def _keys() -> list[str]:
    config = current_app.config
    return [*(config.get("SECRET_KEY_FALLBACKS") or []), config["SECRET_KEY"]]


def timed_serializer(salt: str) -> URLSafeTimedSerializer:
    """For links that expire (``loads(..., max_age=...)``)."""
    return URLSafeTimedSerializer(_keys(), salt=salt)


def serializer(salt: str) -> URLSafeSerializer:
    """For links that keep working (an unsubscribe link in an old message)."""
    return URLSafeSerializer(_keys(), salt=salt)
