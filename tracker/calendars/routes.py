"""Calendar files: an event, the public events, and each user's own feed.

The personal feed's address carries a secret (only its SHA-256 is stored):
calendar programs cannot sign in, so whoever has the address reads the
feed. Its owner revokes it or replaces it with a new one on their settings
page. The secret is shown once, on the page that answers the POST making it.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from tracker.calendars import feeds
from tracker.events.calendar import event_calendar, events_calendar
from tracker.extensions import db
from tracker.models import CalendarFeed, Event
from tracker.outbox.services import absolute_url, mail_domain
from tracker.permissions import SIGNED_IN, public, role_required
from tracker.routing import path_for
from tracker.translation import gettext as _

bp = Blueprint("calendars", __name__, url_prefix="/calendar")

MIMETYPE = "text/calendar"


def _link(event: Event) -> str:
    endpoint = "events.public_detail" if event.is_public else "events.detail"
    return absolute_url(path_for(endpoint, event_id=event.id))


def _ics(text: str, file_name: str | None = None) -> Response:
    response = Response(text.encode(), mimetype=MIMETYPE)
    response.charset = "utf-8"
    if file_name:
        response.headers["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response


@bp.route("/events/<int:event_id>.ics")
@public
def event(event_id: int):
    """One event as a calendar file, for whoever may see the event."""
    found = db.session.get(Event, event_id)
    if found is None or not found.can_view(current_user):
        abort(404)
    return _ics(
        event_calendar(found, domain=mail_domain(), url=_link(found)),
        f"event-{found.id}.ics",
    )


@bp.route("/public.ics")
@public
def public_feed():
    """The public events, as a feed anyone may subscribe to."""
    return _ics(
        events_calendar(
            feeds.public_events(),
            domain=mail_domain(),
            url_of=_link,
            name=_("UPP public events"),
        )
    )


@bp.route("/feed/<token>.ics")
@public
def personal_feed(token: str):
    """A user's own feed, found by the secret in its address; 404 once revoked."""
    feed = feeds.feed_for_secret(token)
    if feed is None:
        abort(404)
    return _ics(
        events_calendar(
            feeds.events_of(feed.user),
            domain=mail_domain(),
            url_of=_link,
            name=_("UPP events"),
        )
    )


@bp.route("/feed", methods=("POST",))
@role_required(*SIGNED_IN)
def renew_feed():
    """Make the current user's feed address, or replace it (the old one stops)."""
    feed = feeds.feed_of(current_user)
    replaced = feed is not None
    if feed is None:
        feed = CalendarFeed(user=current_user._get_current_object())
        db.session.add(feed)
    secret = feed.renew()
    db.session.commit()
    return render_template(
        "calendars/feed_issued.html",
        feed_url=absolute_url(path_for(".personal_feed", token=secret)),
        replaced=replaced,
    )


@bp.route("/feed/revoke", methods=("POST",))
@role_required(*SIGNED_IN)
def revoke_feed():
    """Revoke the current user's feed address."""
    feed = feeds.feed_of(current_user)
    if feed is not None:
        db.session.delete(feed)
        db.session.commit()
        flash(_("Your calendar feed address is revoked."), "success")
    return redirect(url_for("auth.profile"))
