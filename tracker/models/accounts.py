"""Users, their roles and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from tracker import permissions
from tracker.models.base import Base, Timestamped, UTCDateTime, Versioned, enum_type
from tracker.models.enums import Role
from tracker.search import Searchable

if TYPE_CHECKING:
    from tracker.models.places import Municipality, Person


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(Searchable, Versioned, Timestamped, Base):
    """A login. Contacts act for exactly one municipality; nobody else has one."""

    __search_fields__ = ("email", "full_name")
    __search_indexed__ = False

    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint(
            "(role = 'contact' AND municipality_id IS NOT NULL)"
            " OR (role <> 'contact' AND municipality_id IS NULL)",
            name="contact_has_municipality",
        ),
    )
    # Bookkeeping that changes on every login; kept out of the audit diff
    # (logins are audited as their own actions).
    __audit_exclude__ = frozenset(
        {"session_token", "failed_logins", "locked_until", "last_login_at"}
    )
    __audit_redact__ = frozenset({"password_hash"})

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    # The user's language and time zone (profile page); None: as the browser asks.
    locale: Mapped[str | None] = mapped_column(String(16))
    timezone: Mapped[str | None] = mapped_column(String(64))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_type(Role))
    municipality_id: Mapped[int | None] = mapped_column(
        ForeignKey("municipality.id", ondelete="RESTRICT"), index=True
    )
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    is_active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Rotated at logout, password change and deactivation: every session
    # cookie carries it, so old copies of the cookie stop working.
    session_token: Mapped[str] = mapped_column(
        String(64), unique=True, default=new_session_token
    )
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())

    municipality: Mapped[Municipality | None] = relationship(back_populates="users")
    person: Mapped[Person | None] = relationship()
    api_tokens: Mapped[list[ApiToken]] = relationship(back_populates="user")

    @validates("email")
    def _normalise_email(self, key: str, value: str) -> str:
        return value.strip().lower()

    def __repr__(self) -> str:
        return f"<User {self.email} ({self.role})>"

    # Flask-Login protocol. get_id returns the rotating token, not the id, so
    # a session cannot outlive a logout (Flask-Login "alternative tokens").
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return self.session_token

    def end_sessions(self) -> None:
        """Invalidate every session cookie issued to this user."""
        self.session_token = new_session_token()

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    @property
    def is_staff(self) -> bool:
        return self.role in permissions.STAFF

    @property
    def can_edit_records(self) -> bool:
        return self.role in permissions.EDITORS

    @property
    def display_name(self) -> str:
        return self.full_name or self.email


class ApiToken(Timestamped, Base):
    """A bearer token for the JSON API. Only its SHA-256 is stored."""

    __audit_exclude__ = frozenset({"last_used_at"})
    __audit_redact__ = frozenset({"token_hash"})

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(back_populates="api_tokens")

    @staticmethod
    def hash_secret(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User, name: str) -> tuple[ApiToken, str]:
        """Make a token for ``user``; the secret is returned once, never stored."""
        secret = "upp_" + secrets.token_urlsafe(32)
        token = cls(
            user=user, name=name, token_hash=cls.hash_secret(secret), prefix=secret[:8]
        )
        return token, secret

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def __repr__(self) -> str:
        return f"<ApiToken {self.prefix}… of user {self.user_id}>"
