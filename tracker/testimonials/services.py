"""Workflow steps with their notifications: the testimonial and who hears of it.

Each function takes the testimonial and the acting user, takes the step on
the model (which raises ``TestimonialError`` when it is not allowed), and
notifies the people concerned: the reviewers of a submission or withdrawal,
the submitter of every review decision. They flush and never commit.
"""

from __future__ import annotations

from flask import url_for

from tracker.extensions import db
from tracker.models import Testimonial, User
from tracker.notifications.services import active_users, notify
from tracker.permissions import EDITORS


def _link(testimonial: Testimonial) -> str:
    return url_for("testimonials.detail", testimonial_id=testimonial.id)


def _about(testimonial: Testimonial) -> str:
    return f"the testimonial by {testimonial.author_name}"


def _tell_reviewers(testimonial: Testimonial, by: User, message: str) -> None:
    notify(
        [user for user in active_users(*EDITORS) if user.id != by.id],
        message,
        _link(testimonial),
    )


def _tell_submitter(testimonial: Testimonial, by: User, message: str) -> None:
    submitter = testimonial.submitted_by
    if submitter is not None and submitter.is_active and submitter.id != by.id:
        notify([submitter], message, _link(testimonial))


def submit(testimonial: Testimonial, by: User) -> None:
    """Send a draft for review and tell the reviewers."""
    testimonial.submit(by)
    db.session.flush()
    _tell_reviewers(
        testimonial,
        by,
        f"{testimonial.municipality.name} submitted a testimonial by "
        f"{testimonial.author_name} for review.",
    )


def withdraw(testimonial: Testimonial, by: User) -> None:
    """Take a testimonial out of review and tell the reviewers."""
    testimonial.withdraw(by)
    _tell_reviewers(
        testimonial,
        by,
        f"{testimonial.municipality.name} withdrew {_about(testimonial)} from review.",
    )


def approve(testimonial: Testimonial, by: User) -> None:
    """Publish a testimonial and tell its submitter."""
    testimonial.approve(by)
    _tell_submitter(
        testimonial,
        by,
        f"Your testimonial by {testimonial.author_name} is approved and now public.",
    )


def reject(testimonial: Testimonial, by: User, note: str) -> None:
    """Turn a testimonial down and tell its submitter why."""
    testimonial.reject(by, note)
    _tell_submitter(
        testimonial,
        by,
        f"Your testimonial by {testimonial.author_name} was not approved. "
        f"Reviewer's note: {testimonial.review_note}",
    )


def feature(testimonial: Testimonial, by: User) -> None:
    """Feature an approved testimonial and tell its submitter."""
    testimonial.feature(by)
    _tell_submitter(
        testimonial,
        by,
        f"Your testimonial by {testimonial.author_name} is now featured.",
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
        f"Your testimonial by {testimonial.author_name} was taken off the public "
        f"pages. Reviewer's note: {testimonial.review_note}",
    )


def corrected(testimonial: Testimonial, by: User) -> None:
    """Tell the submitter that a reviewer changed their text."""
    _tell_submitter(
        testimonial,
        by,
        f"A reviewer corrected your testimonial by {testimonial.author_name}; "
        "open it to see what changed.",
    )
