"""Testimonials of municipal officials, and in-app notifications."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import (
    Base,
    Timestamped,
    UTCDateTime,
    Versioned,
    enum_type,
    utcnow,
)
from tracker.models.enums import Role, TestimonialStatus
from tracker.search import Searchable, add_indexes
from tracker.translation import N_
from tracker.translation import gettext as _

if TYPE_CHECKING:
    from tracker.models.accounts import User
    from tracker.models.events import Event
    from tracker.models.places import Municipality, Person
    from tracker.models.programs import Program

QUOTE_MAX_LENGTH = 2000


class TestimonialError(Exception):
    """A workflow step that is not allowed: wrong status, missing note or consent,
    or a user who may not take that step. The message is fit to show."""

    __test__ = False  # not a pytest test class despite the name


class Testimonial(Searchable, Versioned, Timestamped, Base):
    """What an official says; public only once a coordinator approves it.

    The workflow, one method per step (steps cannot be skipped)::

        draft --submit--> submitted --approve--> approved --unpublish--> rejected
          ^                  |   |
          '----withdraw------'   '--reject--> rejected

    (feature / unfeature toggle ``is_featured`` on an approved one.)

    - Contacts write drafts for their own municipality and submit them (consent
      to publish required). Until a reviewer decides, the contact who
      submitted it may edit it, withdraw it back to a draft, or delete a draft.
    - Coordinators and admins review: they may correct a submitted text (the
      audit trail records the change and the submitter is told), approve it,
      or reject it with a note. Approved ones are public and may be featured.
    - Unpublishing sends an approved testimonial to **rejected**, with the
      reviewer's note: it leaves every public page at once, the submitter
      reads why, it does not come back into the review queue, and, as a
      reviewed record, it stays read-only to the contact.
    """

    __search_fields__ = ("quote", "author_name", "author_position")

    __test__ = False  # not a pytest test class despite the name
    __table_args__ = (
        CheckConstraint(
            f"length(quote) BETWEEN 1 AND {QUOTE_MAX_LENGTH}", name="quote_length"
        ),
        CheckConstraint(
            "status = 'draft' OR has_consent", name="consent_before_submission"
        ),
        CheckConstraint(
            "status <> 'rejected' OR length(review_note) > 0",
            name="rejection_has_note",
        ),
        CheckConstraint(
            "status = 'approved' OR NOT is_featured", name="featured_only_if_approved"
        ),
        CheckConstraint(
            "status = 'draft' OR submitted_at IS NOT NULL",
            name="submission_has_time",
        ),
        CheckConstraint(
            "status NOT IN ('approved', 'rejected') OR reviewed_at IS NOT NULL",
            name="review_has_time",
        ),
        # The lists' orders, so a page reads its rows in order from an index
        # instead of sorting every match (the id breaks ties, as the lists do).
        # Staff list, newest first; filtered by status; the review queue and
        # the navigation badge's count; the public list; a program's page.
        Index("ix_testimonial_created", "created_at", "id"),
        Index("ix_testimonial_status_created", "status", "created_at", "id"),
        Index("ix_testimonial_status_submitted", "status", "submitted_at", "id"),
        # Sorted by author: a search walks this order and stops at a page.
        Index("ix_testimonial_author", "author_name", "id"),
        Index(
            "ix_testimonial_status_featured",
            "status",
            "is_featured",
            "reviewed_at",
            "id",
        ),
        # The testimonials about one municipality or program, featured first,
        # then newest (``visible_testimonials`` on their pages).
        *(
            Index(
                f"ix_testimonial_{about}_featured",
                f"{about}_id",
                "is_featured",
                "created_at",
                "id",
            )
            for about in ("municipality", "program")
        ),
        # An event has a few: its page sorts them. The status makes "is there
        # an approved one?" (the public event filter) one probe per event.
        Index("ix_testimonial_event_status", "event_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quote: Mapped[str] = mapped_column(Text)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT"), index=True
    )
    author_name: Mapped[str] = mapped_column(String(200))
    author_position: Mapped[str] = mapped_column(String(200), default="")
    # Indexed by ix_testimonial_municipality_featured.
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipality.id", ondelete="RESTRICT")
    )
    # Indexed by ix_testimonial_program_featured.
    program_id: Mapped[int | None] = mapped_column(
        ForeignKey("program.id", ondelete="RESTRICT")
    )
    # Indexed by ix_testimonial_event_status.
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("event.id", ondelete="RESTRICT")
    )
    has_consent: Mapped[bool] = mapped_column(default=False)
    # Indexed first in the ix_testimonial_status_* indexes.
    status: Mapped[TestimonialStatus] = mapped_column(
        enum_type(TestimonialStatus), default=TestimonialStatus.DRAFT
    )
    submitted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), index=True
    )
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    reviewed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT")
    )
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    review_note: Mapped[str] = mapped_column(Text, default="")
    is_featured: Mapped[bool] = mapped_column(default=False)

    person: Mapped[Person | None] = relationship()
    municipality: Mapped[Municipality] = relationship(back_populates="testimonials")
    program: Mapped[Program | None] = relationship()
    event: Mapped[Event | None] = relationship()
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])

    def __init__(self, **fields: Any) -> None:
        # Column defaults apply only at INSERT; the workflow reads these before.
        fields.setdefault("status", TestimonialStatus.DRAFT)
        fields.setdefault("has_consent", False)
        fields.setdefault("is_featured", False)
        fields.setdefault("review_note", "")
        fields.setdefault("author_position", "")
        super().__init__(**fields)

    @property
    def is_published(self) -> bool:
        return self.status == TestimonialStatus.APPROVED

    @property
    def is_reviewed(self) -> bool:
        return self.status in (TestimonialStatus.APPROVED, TestimonialStatus.REJECTED)

    @property
    def published_at(self) -> datetime | None:
        """When it was approved (the date the public sees)."""
        return self.reviewed_at if self.is_published else None

    # Who may do what. Templates call the same predicates to show buttons.
    def can_view(self, user: User) -> bool:
        """Approved ones are public; otherwise staff and the municipality's contacts."""
        return self.is_published or self.can_view_private(user)

    def can_view_private(self, user: User) -> bool:
        """Status, note and submitter: staff and the municipality's own contacts."""
        if not user.is_authenticated:
            return False
        return user.is_staff or user.municipality_id == self.municipality_id

    def is_submitter(self, user: User) -> bool:
        """The contact who wrote it, still acting for its municipality."""
        return (
            user.is_authenticated
            and user.role == Role.CONTACT
            and self.submitted_by_id is not None
            and self.submitted_by_id == user.id
            and user.municipality_id == self.municipality_id
        )

    def can_edit(self, user: User) -> bool:
        """Its submitter until it is reviewed; reviewers while it awaits review."""
        if self.is_submitter(user):
            return self.status in (
                TestimonialStatus.DRAFT,
                TestimonialStatus.SUBMITTED,
            )
        return self.can_review(user) and self.status == TestimonialStatus.SUBMITTED

    def can_review(self, user: User) -> bool:
        """Coordinators and admins review testimonials (whatever the status)."""
        return user.is_authenticated and user.can_edit_records

    def can_submit(self, user: User) -> bool:
        return self.is_submitter(user) and self.status == TestimonialStatus.DRAFT

    def can_withdraw(self, user: User) -> bool:
        return self.is_submitter(user) and self.status == TestimonialStatus.SUBMITTED

    def can_delete(self, user: User) -> bool:
        return self.is_submitter(user) and self.status == TestimonialStatus.DRAFT

    def can_decide(self, user: User) -> bool:
        """Approve or reject: a reviewer, while it awaits review."""
        return self.can_review(user) and self.status == TestimonialStatus.SUBMITTED

    def can_feature(self, user: User) -> bool:
        return self.can_review(user) and self.is_published and not self.is_featured

    def can_unfeature(self, user: User) -> bool:
        return self.can_review(user) and self.is_published and self.is_featured

    def can_unpublish(self, user: User) -> bool:
        return self.can_review(user) and self.is_published

    # The workflow steps. Each checks who and when, then changes the record;
    # the caller commits.
    def submit(self, by: User) -> None:
        """Send a draft to the reviewers; consent to publish is required."""
        self._require(by, "submit", TestimonialStatus.DRAFT, self.is_submitter)
        if not self.has_consent:
            raise TestimonialError(
                _(
                    "Tick the consent to publish before submitting: the author "
                    "must agree to the quote being published."
                )
            )
        self.status = TestimonialStatus.SUBMITTED
        self.submitted_at = utcnow()

    def withdraw(self, by: User) -> None:
        """Take a submitted testimonial back out of review, as a draft."""
        self._require(by, "withdraw", TestimonialStatus.SUBMITTED, self.is_submitter)
        self.status = TestimonialStatus.DRAFT
        self.submitted_at = None

    def ensure_deletable(self, by: User) -> None:
        """Refuse unless ``by`` may delete it: its submitter, while a draft."""
        self._require(by, "delete", TestimonialStatus.DRAFT, self.is_submitter)

    def approve(self, by: User) -> None:
        """Publish a submitted testimonial."""
        self._require(by, "approve", TestimonialStatus.SUBMITTED, self.can_review)
        self._reviewed(by, TestimonialStatus.APPROVED, "")

    def reject(self, by: User, note: str) -> None:
        """Turn a submitted testimonial down, telling the submitter why."""
        self._require(by, "reject", TestimonialStatus.SUBMITTED, self.can_review)
        self._reviewed(by, TestimonialStatus.REJECTED, self._required_note(note))

    def feature(self, by: User) -> None:
        """Show an approved testimonial first on the public pages."""
        self._require(by, "feature", TestimonialStatus.APPROVED, self.can_review)
        if self.is_featured:
            raise TestimonialError(_("This testimonial is already featured."))
        self.is_featured = True

    def unfeature(self, by: User) -> None:
        self._require(by, "unfeature", TestimonialStatus.APPROVED, self.can_review)
        if not self.is_featured:
            raise TestimonialError(_("This testimonial is not featured."))
        self.is_featured = False

    def unpublish(self, by: User, note: str) -> None:
        """Take an approved testimonial off the public pages (it becomes rejected)."""
        self._require(by, "unpublish", TestimonialStatus.APPROVED, self.can_review)
        self._reviewed(by, TestimonialStatus.REJECTED, self._required_note(note))
        self.is_featured = False

    def _require(
        self,
        by: User,
        step: str,
        status: TestimonialStatus,
        allowed: Callable[[User], bool],
    ) -> None:
        if not allowed(by):
            raise TestimonialError(_(STEP_REFUSED[step]))
        if self.status != status:
            raise TestimonialError(WRONG_STATUS[step](_(NOW[self.status])))

    def _reviewed(self, by: User, status: TestimonialStatus, note: str) -> None:
        self.status = status
        self.review_note = note
        self.reviewed_by = by
        self.reviewed_by_id = by.id
        self.reviewed_at = utcnow()

    @staticmethod
    def _required_note(note: str | None) -> str:
        note = (note or "").strip()
        if not note:
            raise TestimonialError(
                _("Write a note for the submitter: it tells them why.")
            )
        return note

    @property
    def author_line(self) -> str:
        """The author's name and position, as printed under the quote."""
        if self.author_position:
            return f"{self.author_name}, {self.author_position}"
        return self.author_name

    def event_shown_to(self, user: User) -> Event | None:
        """The event, unless it is an internal one and ``user`` is outside."""
        if self.event is None or self.event.is_public or self.can_view_private(user):
            return self.event
        return None

    def __repr__(self) -> str:
        return f"<Testimonial {self.id} {self.status}>"


# "... this one is <now>.": where a testimonial stands, completing the
# sentences below.
NOW = {
    TestimonialStatus.DRAFT: N_("a draft"),
    TestimonialStatus.SUBMITTED: N_("awaiting review"),
    TestimonialStatus.APPROVED: N_("approved"),
    TestimonialStatus.REJECTED: N_("rejected"),
}
# A step tried in the wrong status, one whole sentence per step (each step
# starts from one status): "Only a draft can be submitted; this one is <now>."
WRONG_STATUS: dict[str, Callable[[str], str]] = {
    "submit": lambda now: _(
        "Only a draft can be submitted; this one is %(now)s.", now=now
    ),
    "withdraw": lambda now: _(
        "Only a testimonial awaiting review can be withdrawn; this one is %(now)s.",
        now=now,
    ),
    "delete": lambda now: _(
        "Only a draft can be deleted; this one is %(now)s.", now=now
    ),
    "approve": lambda now: _(
        "Only a testimonial awaiting review can be approved; this one is %(now)s.",
        now=now,
    ),
    "reject": lambda now: _(
        "Only a testimonial awaiting review can be rejected; this one is %(now)s.",
        now=now,
    ),
    "feature": lambda now: _(
        "Only an approved testimonial can be featured; this one is %(now)s.",
        now=now,
    ),
    "unfeature": lambda now: _(
        "Only an approved testimonial can be taken off the featured list; "
        "this one is %(now)s.",
        now=now,
    ),
    "unpublish": lambda now: _(
        "Only an approved testimonial can be unpublished; this one is %(now)s.",
        now=now,
    ),
}
STEP_REFUSED = {
    "submit": N_("Only the contact who wrote this testimonial can submit it."),
    "withdraw": N_("Only the contact who submitted this testimonial can withdraw it."),
    "delete": N_("Only the contact who wrote this draft can delete it."),
    "approve": N_("Only coordinators and administrators approve testimonials."),
    "reject": N_("Only coordinators and administrators reject testimonials."),
    "feature": N_("Only coordinators and administrators feature testimonials."),
    "unfeature": N_(
        "Only coordinators and administrators change featured testimonials."
    ),
    "unpublish": N_("Only coordinators and administrators unpublish testimonials."),
}


add_indexes(Testimonial)
