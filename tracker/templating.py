"""What templates can use besides the view's own variables."""

import hashlib
import os
from functools import lru_cache

from flask import Flask, current_app, g, request, url_for
from flask_login import current_user
from jinja2 import pass_context
from sqlalchemy import Row, func, literal, select

from tracker.extensions import db
from tracker.models import Notification, Role, SizeClass, Testimonial, TestimonialStatus
from tracker.models.enums import label
from tracker.permissions import PUBLIC, access_rule_of
from tracker.translation import gettext
from tracker.translation import lazy_gettext as _l


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(Role=Role, SizeClass=SizeClass, label=label)
    # Macros imported without context (the History panel) see the reader too.
    app.jinja_env.globals["current_user"] = current_user
    app.jinja_env.filters["label"] = label
    app.jinja_env.globals["url_with"] = url_with
    app.jinja_env.filters["public_safe"] = public_safe
    app.context_processor(navigation_counts)
    app.jinja_env.globals["navigation"] = navigation
    app.jinja_env.globals["MENU_GROUP_LABELS"] = MENU_GROUP_LABELS
    app.jinja_env.globals["account_links"] = account_links
    app.url_defaults(version_static_urls)


def version_static_urls(endpoint: str, values: dict) -> None:
    """Link static files as ``?v=<content hash>``: a changed file gets a new URL.

    nginx (deploy/nginx) caches versioned URLs for a year without asking
    again, so browsers fetch a file anew exactly when it changed.
    """
    if endpoint != "static" or "filename" not in values or "v" in values:
        return
    path = os.path.join(current_app.static_folder or "", values["filename"])
    try:
        modified = os.stat(path).st_mtime_ns
    except OSError:
        return
    values["v"] = _content_hash(path, modified)


@lru_cache(maxsize=512)
def _content_hash(path: str, modified: int) -> str:
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()[:12]


# The main menu: (text, endpoint), the text lazy (the reader's language). An
# item shows when its endpoint exists and its access rule lets the current
# user in, so menu and permissions agree.
MENU = [  # signed in, the brand link is "home" (home.index)
    (_l("Municipalities"), "municipalities.index"),
    (_l("People"), "people.index"),
    (_l("Programs"), "programs.index"),
    (_l("Enrollments"), "enrollments.index"),
    (_l("Events"), "events.index"),
    (_l("Testimonials"), "testimonials.index"),
    (_l("Review queue"), "testimonials.review_queue"),
    (_l("Dashboard"), "dashboards.index"),
    (_l("Users"), "admin.users"),
    (_l("Import"), "admin.import_csv"),
    (_l("Outbox"), "outbox.index"),
    (_l("Retention"), "privacy.retention"),
    (_l("Open data"), "public.open_data"),
]
# Menu items shown together under one heading (a dropdown on desktop, a
# labelled group in the phone menu), so the bar stays one row.
MENU_GROUPS = {
    "testimonials.index": "testimonials",
    "testimonials.review_queue": "testimonials",
    "admin.users": "admin",
    "admin.import_csv": "admin",
    "outbox.index": "admin",
    "privacy.retention": "admin",
}
MENU_GROUP_LABELS = {
    "testimonials": _l("Testimonials"),
    "admin": _l("Administration"),
}
PUBLIC_MENU = [
    (_l("Programs"), "programs.index"),
    (_l("Testimonials"), "testimonials.public_index"),
    (_l("Events"), "events.public_index"),
    (_l("Open data"), "public.open_data"),
]


def navigation(group: str | None = None) -> list[tuple[str, str]]:
    """Menu items (text, URL) for the current user: those of the main row, or
    those of one group of ``MENU_GROUPS``."""
    menu = MENU if current_user.is_authenticated else PUBLIC_MENU
    items = []
    for text, endpoint in menu:
        if MENU_GROUPS.get(endpoint) != group:
            continue
        rule = access_rule_of(endpoint)
        if rule is None:
            continue
        if rule == PUBLIC or (
            current_user.is_authenticated and current_user.role in rule
        ):
            items.append((str(text), url_for(endpoint)))
    return items


def navigation_counts() -> dict:
    """Badges in the navigation: the review queue and unread notifications.

    Both counts come from one statement (two scalar subqueries), so the
    badges cost every signed-in page a single query. A cached page reads
    them before rendering, with its data version (``tracker.cache``).
    """
    if "navigation_counts" in g:
        return g.navigation_counts
    columns = navigation_count_columns()
    return counts_from(db.session.execute(select(*columns)).one() if columns else ())


def navigation_count_columns() -> tuple:
    """The badges' two scalar subqueries; none for an anonymous visitor."""
    if not current_user.is_authenticated:
        return ()
    unread = (
        select(func.count(Notification.id))
        .where(Notification.user_id == current_user.id, Notification.read_at.is_(None))
        .scalar_subquery()
    )
    queued = (
        select(func.count(Testimonial.id))
        .where(Testimonial.status == TestimonialStatus.SUBMITTED)
        .scalar_subquery()
        if current_user.can_edit_records
        else literal(0)
    )
    return queued, unread


def counts_from(values: tuple | Row) -> dict:
    """The badges from the values of ``navigation_count_columns`` (0 if none)."""
    review_queue_count, unread_count = tuple(values) or (0, 0)
    return {
        "review_queue_count": review_queue_count,
        "unread_notification_count": unread_count,
    }


@pass_context
def public_safe(context, text: str | None) -> str:
    """Free text with e-mail addresses, phone numbers and the names of people
    who did not consent removed on public pages.

    Views of public pages pass ``public_page=True``; staff pages show the
    text as typed.
    """
    from tracker.privacy.consent import withhold_names
    from tracker.public.open_data import scrub

    if context.get("public_page"):
        # Names of participants without consent, as the view lists them.
        return withhold_names(scrub(text), context.get("withheld_names") or ())
    return text or ""


def url_with(**changes) -> str:
    """The current URL with some query parameters changed (sorting, paging)."""
    args = request.args.to_dict()
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def account_links() -> list[tuple[str, str, str]]:
    """Links about the signed-in user (key, text, URL): their municipality,
    their notifications."""
    links = []
    if current_user.role == Role.CONTACT:
        links.append(
            (
                "municipality",
                gettext("My municipality"),
                url_for(
                    "municipalities.detail",
                    municipality_id=current_user.municipality_id,
                ),
            )
        )
    links.append(
        ("notifications", gettext("Notifications"), url_for("notifications.index"))
    )
    links.append(("my_data", gettext("My data"), url_for("privacy.mine")))
    return links
