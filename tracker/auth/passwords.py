"""Password hashing (argon2id) and the password policy.

The policy (ASVS 5.0 6.2): at least 12 characters, at most 256, no
composition rules; refused when it is among the 10,000 most common
passwords, equal to the account's e-mail, or made mostly of words anyone
would guess here (the program's and the app's names, municipality names).
"""

from __future__ import annotations

import functools
import gzip
import re
import secrets
from collections.abc import Iterable
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from tracker.translation import gettext as _

MIN_LENGTH = 12
MAX_LENGTH = 256
# Characters of its own a password keeps once its context words are taken out.
MIN_OWN_LENGTH = 8

# The 10,000 most common passwords: the first 10,000 lines (most common
# first) of Django 5.2.19's django/contrib/auth/common-passwords.txt.gz,
# taken from the PyPI wheel django-5.2.19-py3-none-any.whl. Django's list is
# Royce Williams' list of 20,000 common passwords, lowercased and
# deduplicated (gist.github.com/roycewilliams/226886fd01572964e1431ac8afc999ce).
# Django is BSD-3-Clause licensed: its licence is in common_passwords.LICENSE.
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt.gz")

# Words an attacker who knows the app would try first. Program and
# municipality names are added from the database (``context_words``).
STATIC_CONTEXT_WORDS = (
    "upp",
    "tracker",
    "upptracker",
    "urban partnership",
    "urbanpartnership",
    "partnership",
    "cities without corruption",
    "anticorruption",
    "corruption",
    "password",
    "passwort",
    "lozinka",
    "geslo",
    "parola",
    "sifra",
)

_LEET = str.maketrans(
    {"0": "o", "1": "i", "!": "i", "|": "i", "3": "e", "4": "a", "@": "a"}
    | {"5": "s", "$": "s", "7": "t", "+": "t", "8": "b", "9": "g"}
)
_SEPARATORS = re.compile(r"[\s\-_.,;:'\"`*#~^/\\()\[\]{}<>=?&%]+")


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


def spend_verification_time(password: str) -> None:
    """Verify against a throw-away hash: as slow as a real check, proves nothing.

    Used where the answer is already "no" (a locked account), so that the
    response time does not tell that the account exists.
    """
    verify_password(None, password)


@functools.cache
def common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip() for line in handle if line.strip())


def _normalised(text: str) -> str:
    """Lowercase, leetspeak undone, separators gone: 'Upp-Tr4cker' -> 'upptracker'."""
    return _SEPARATORS.sub("", text.lower().translate(_LEET))


def _is_repetition(text: str) -> bool:
    """'abcabcabcabc', 'qwertyqwerty': one short or common piece repeated."""
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
            piece = text[:size]
            return size <= 4 or piece in common_passwords()
    return False


def context_words() -> list[str]:
    """Words of this deployment: program names and codes, municipality names."""
    from sqlalchemy import select

    from tracker.extensions import db
    from tracker.models import Country, Municipality, Program

    words = list(STATIC_CONTEXT_WORDS)
    for column in (Program.code, Program.name, Municipality.name, Country.name):
        words.extend(value for value in db.session.scalars(select(column)) if value)
    for name in db.session.scalars(select(Program.name)):
        # "Integrity Leadership 1" is as guessable as the full program name.
        words.extend(word for word in re.split(r"\W+", name or "") if len(word) >= 5)
    return words


def password_problems(
    password: str, email: str = "", context: Iterable[str] = ()
) -> list[str]:
    """Why a new password is refused; empty when it is acceptable.

    No composition rules (ASVS 6.2.5): length and guessability only.
    """
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(_("Use at least %(min)d characters.", min=MIN_LENGTH))
        return problems
    if len(password) > MAX_LENGTH:
        problems.append(_("Use at most %(max)d characters.", max=MAX_LENGTH))
        return problems
    lowered = password.strip().lower()
    if email and lowered == email.strip().lower():
        problems.append(_("The password must not be your e-mail address."))
        return problems
    normalised = _normalised(password)
    if (
        lowered in common_passwords()
        or normalised in common_passwords()
        or _is_repetition(normalised)
    ):
        problems.append(
            _(
                "This password is among the most common ones, which attackers "
                "try first. Choose another; a few unrelated words work well."
            )
        )
        return problems
    words = list(context)
    if email:
        local, _at, domain = email.lower().partition("@")
        words.extend([local, domain, *re.split(r"[.@_+\-]", email.lower())])
    remainder = _guessable_length(normalised, words)
    if remainder < len(normalised) and remainder < MIN_OWN_LENGTH:
        problems.append(
            _(
                "Most of this password is your e-mail address, the name of the "
                "program, the app or a place. Add words of your own."
            )
        )
    return problems


def _guessable_length(normalised: str, words: Iterable[str]) -> int:
    """How much of the password is left once the context words are taken out."""
    remainder = normalised
    pieces = {_normalised(word) for word in words}
    for piece in sorted(pieces, key=len, reverse=True):
        if len(piece) >= 3:
            remainder = remainder.replace(piece, "")
    return len(remainder)
