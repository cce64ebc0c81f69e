"""Workflow steps with their notifications: the testimonial and who hears of it.

Each function takes the testimonial and the acting user, takes the step on
the model (which raises ``TestimonialError`` when it is not allowed), and
notifies the people concerned: the reviewers of a submission or withdrawal,
the submitter of every review decision. They flush and never commit.
"""

from __future__ import annotations

from flask_babel import LazyString

from tracker.extensions import db
from tracker.models import MailKind, Testimonial, User
from tracker.notifications.services import active_users, notify
from tracker.permissions import EDITORS
from tracker.routing import path_for
from tracker.translation import lazy_gettext as _l


def _link(testimonial: Testimonial) -> str:
    return path_for("testimonials.detail", testimonial_id=testimonial.id)


def _tell_reviewers(
    testimonial: Testimonial, by: User, message: LazyString, subject: LazyString
) -> None:
    notify(
        [user for user in active_users(*EDITORS) if user.id != by.id],
        message,
        _link(testimonial),
        kind=MailKind.TESTIMONIAL_REVIEW,
        subject=subject,
    )


def _tell_submitter(
    testimonial: Testimonial, by: User, message: LazyString, subject: LazyString
) -> None:
    submitter = testimonial.submitted_by
    if submitter is not None and submitter.is_active and submitter.id != by.id:
        notify(
            [submitter],
            message,
            _link(testimonial),
            kind=MailKind.TESTIMONIAL_OUTCOME,
            subject=subject,
        )


def submit(testimonial: Testimonial, by: User) -> None:
    """Send a draft for review and tell the reviewers."""
    testimonial.submit(by)
    db.session.flush()
    _tell_reviewers(
        testimonial,
        by,
        _l(
            "%(municipality)s submitted a testimonial by %(author)s for review.",
            municipality=testimonial.municipality.name,
            author=testimonial.author_name,
        ),
        _l("A testimonial waits for review"),
    )


def withdraw(testimonial: Testimonial, by: User) -> None:
    """Take a testimonial out of review and tell the reviewers."""
    testimonial.withdraw(by)
    _tell_reviewers(
        testimonial,
        by,
        _l(
            "%(municipality)s withdrew the testimonial by %(author)s from review.",
            municipality=testimonial.municipality.name,
            author=testimonial.author_name,
        ),
        _l("A testimonial was withdrawn from review"),
    )


def approve(testimonial: Testimonial, by: User) -> None:
    """Publish a testimonial and tell its submitter."""
    testimonial.approve(by)
    _tell_submitter(
        testimonial,
        by,
        _l(
            "Your testimonial by %(author)s is approved and now public.",
            author=testimonial.author_name,
        ),
        _l("Your testimonial is approved"),
    )


def reject(testimonial: Testimonial, by: User, note: str) -> None:
    """Turn a testimonial down and tell its submitter why."""
    testimonial.reject(by, note)
    _tell_submitter(
        testimonial,
        by,
        _l(
            "Your testimonial by %(author)s was not approved. Reviewer's note: "
            "%(note)s",
            author=testimonial.author_name,
            note=testimonial.review_note,
        ),
        _l("Your testimonial was not approved"),
    )


def feature(testimonial: Testimonial, by: User) -> None:
    """Feature an approved testimonial and tell its submitter."""
    testimonial.feature(by)
    _tell_submitter(
        testimonial,
        by,
        _l(
            "Your testimonial by %(author)s is now featured.",
            author=testimonial.author_name,
        ),
        _l("Your testimonial is featured"),
    )


def unfeature(testimonial: Testimonial, by: User) -> None:
    """Stop featuring a testimonial (it stays public; nobody needs telling)."""
    testimonial.unfeature(by)


def unpublish(testimonial: Testimonial, by: User, note: str) -> None:
    """Take a testimonial off the public pages and tell its submitter why."""
    testimonial.unpublish(by, note)
    _tell_submitter(
        testimonial,
        by,
        _l(
            "Your testimonial by %(author)s was taken off the public pages. "
            "Reviewer's note: %(note)s",
            author=testimonial.author_name,
            note=testimonial.review_note,
        ),
        _l("Your testimonial was taken off the public pages"),
    )


def corrected(testimonial: Testimonial, by: User) -> None:
    """Tell the submitter that a reviewer changed their text."""
    _tell_submitter(
        testimonial,
        by,
        _l(
            "A reviewer corrected your testimonial by %(author)s; open it to see "
            "what changed.",
            author=testimonial.author_name,
        ),
        _l("A reviewer corrected your testimonial"),
    )
