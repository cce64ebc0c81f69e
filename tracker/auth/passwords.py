"""Password hashing (argon2id) and the password policy."""

from __future__ import annotations

import functools
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

MIN_LENGTH = 12
MAX_LENGTH = 256


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config["ARGON2_TIME_COST"],
        memory_cost=config["ARGON2_MEMORY_COST"],
        parallelism=config["ARGON2_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


@functools.cache
def _dummy_hash() -> str:
    return PasswordHasher().hash(secrets.token_hex(16))


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; an account without a hash never matches.

    With no hash (unknown e-mail, no password set yet) a dummy hash is still
    verified, so that a wrong e-mail and a wrong password take the same time.
    """
    try:
        matched = _hasher().verify(password_hash or _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False
    return matched and password_hash is not None


def password_problems(password: str, email: str = "") -> list[str]:
    """Why a new password is refused; empty when it is acceptable.

    No composition rules (ASVS 6.2.5): length and guessability only.
    """
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Use at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        problems.append(f"Use at most {MAX_LENGTH} characters.")
    if email and password.strip().lower() == email.strip().lower():
        problems.append("The password must not be your e-mail address.")
    return problems
