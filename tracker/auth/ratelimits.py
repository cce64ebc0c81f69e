"""Rate limits (Flask-Limiter) on the doors an attacker would hammer.

- ``POST /auth/login``: per client IP, on top of the per-account lockout.
- the password-set page: per client IP (its tokens are not guessable, but
  the form checks passwords and must not serve as an oracle at speed).
- creating and submitting testimonials: per account (anti-automation).
- API requests presenting a bearer token: per token, and per client IP so
  that guessing tokens is throttled too.

Limits come from the config (``RATELIMIT_*``) so that a deployment can tune
them; counters live where ``RATELIMIT_STORAGE_URI`` says (Redis when several
processes serve, so that they share counts).
"""

from __future__ import annotations

import hashlib

from flask import Blueprint, current_app, request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from tracker.extensions import limiter


def login_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN"]


def password_set_limit() -> str:
    return current_app.config["RATELIMIT_PASSWORD_SET"]


def testimonial_limit() -> str:
    return current_app.config["RATELIMIT_TESTIMONIAL"]


def signed_in_user_key() -> str:
    """Count per account (contacts behind one office IP are separate people)."""
    return (
        f"user:{current_user.id}"
        if current_user.is_authenticated
        else ("ip:" + get_remote_address())
    )


def api_token_limit() -> str:
    return current_app.config["RATELIMIT_API_TOKEN"]


def api_ip_limit() -> str:
    return current_app.config.get("RATELIMIT_API_IP", "600 per minute")


def bearer_secret() -> str | None:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    return header[7:].strip()


def bearer_token_key() -> str:
    """Count per token, without ever storing the token itself."""
    secret = bearer_secret() or ""
    return "token:" + hashlib.sha256(secret.encode()).hexdigest()[:32]


def without_bearer_token() -> bool:
    return bearer_secret() is None


_limited_blueprints: set[str] = set()


def limit_bearer_requests(bp: Blueprint) -> None:
    """Limit every request to ``bp`` that presents a bearer token (once per process)."""
    if bp.name in _limited_blueprints:
        return
    _limited_blueprints.add(bp.name)
    limiter.limit(
        api_token_limit,
        key_func=bearer_token_key,
        exempt_when=without_bearer_token,
        scope="api-token",
    )(bp)
    limiter.limit(
        api_ip_limit,
        key_func=get_remote_address,
        exempt_when=without_bearer_token,
        scope="api-ip",
    )(bp)
