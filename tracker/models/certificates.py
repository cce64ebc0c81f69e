"""Certificates issued to people (ILTP completion, event attendance), and the
secret links of personal calendar feeds."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base, Timestamped, UTCDateTime, enum_type, utcnow

if TYPE_CHECKING:
    from tracker.models.accounts import User
    from tracker.models.events import Event
    from tracker.models.places import Person
    from tracker.models.programs import Program

# Crockford's base 32: no I, L, O or U, so a code read aloud or typed from
# paper survives (``normalise_code`` maps the look-alikes back).
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 16  # 80 random bits
_LOOK_ALIKES = str.maketrans({"I": "1", "L": "1", "O": "0"})


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    """A code as typed ("abcd-efgh 1jk…") in its stored form, "" if it cannot be one."""
    code = "".join(ch for ch in text.upper() if ch.isalnum()).translate(_LOOK_ALIKES)
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        return ""
    return code


def grouped(code: str) -> str:
    """``ABCD-EFGH-JKMN-PQRS``: the form printed on certificates."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


class CertificateKind(StrEnum):
    ILTP_COMPLETION = "iltp_completion"  # a program's trained-leader rule is met
    EVENT_ATTENDANCE = "event_attendance"  # the person attended the event


class Certificate(Timestamped, Base):
    """A certificate issued once per person and subject, with its verification code.

    ``holder_name`` and ``subject_title`` are what the certificate says; the
    public verification page shows them. Issuing again (after a correction
    of the name) refreshes them and keeps the code.
    """

    __table_args__ = (UniqueConstraint("person_id", "kind", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(
        String(CODE_LENGTH), unique=True, default=new_verification_code
    )
    kind: Mapped[CertificateKind] = mapped_column(enum_type(CertificateKind))
    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT"), index=True
    )
    # The program (ILTP completion) or the event (attendance) it certifies.
    program_id: Mapped[int | None] = mapped_column(
        ForeignKey("program.id", ondelete="RESTRICT"), index=True
    )
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("event.id", ondelete="RESTRICT"), index=True
    )
    # program_id or event_id again, in one NOT NULL column the unique
    # constraint can use (NULLs would never collide).
    subject_id: Mapped[int] = mapped_column()
    holder_name: Mapped[str] = mapped_column(String(200))
    subject_title: Mapped[str] = mapped_column(String(300))
    issued_on: Mapped[date] = mapped_column(Date)
    issued_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT")
    )

    person: Mapped[Person] = relationship()
    program: Mapped[Program | None] = relationship()
    event: Mapped[Event | None] = relationship()
    issued_by: Mapped[User | None] = relationship()

    @property
    def grouped_code(self) -> str:
        return grouped(self.code)

    def can_download(self, user: User) -> bool:
        """Staff, and the person themselves through their own account."""
        return may_hold_certificates_of(user, self.person_id)

    def __repr__(self) -> str:
        return f"<Certificate {self.kind} of person {self.person_id}>"


def _is_own(user: User, person_id: int) -> bool:
    return user.person_id is not None and user.person_id == person_id


def may_hold_certificates_of(user: User, person_id: int) -> bool:
    """Who may download a person's certificates: staff, and the person
    through the account linked to them. Nobody else (deny by default)."""
    return user.is_authenticated and (user.is_staff or _is_own(user, person_id))


def may_issue_certificates_of(user: User, person_id: int) -> bool:
    """Who may issue them: coordinators and admins, and the person themselves
    (managers read, so they download what is issued but issue nothing)."""
    return user.is_authenticated and (user.can_edit_records or _is_own(user, person_id))


class CalendarFeed(Base):
    """The secret address of one user's calendar feed. Only its SHA-256 is
    stored; deleting the row revokes it, a new secret replaces it."""

    __audit_redact__ = frozenset({"token_hash"})

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), unique=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship()

    @staticmethod
    def hash_secret(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    def renew(self) -> str:
        """A new secret for the feed (the old address stops working); returned
        once, never stored."""
        secret = secrets.token_urlsafe(32)
        self.token_hash = self.hash_secret(secret)
        self.created_at = utcnow()
        return secret

    def __repr__(self) -> str:
        return f"<CalendarFeed of user {self.user_id}>"
