"""The public event pages: published events and who took part."""

from __future__ import annotations

from flask import (
    abort,
    render_template,
    request,
)
from flask_babel import gettext as _
from flask_login import AnonymousUserMixin
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from tracker.cache import cached_page
from tracker.documents.panels import documents_panel
from tracker.events.queries import (
    EVENT_SORTING,
    event_participants,
    filtered_events,
)
from tracker.events.routes import bp, filter_options, group_by_place
from tracker.extensions import db
from tracker.lists import paginate
from tracker.models import (
    Event,
)
from tracker.permissions import (
    public,
)
from tracker.privacy.consent import public_participants
from tracker.testimonials.queries import visible_testimonials


@bp.route("/public")
@public
@cached_page
def public_index():
    """Public events, for everyone."""
    query = filtered_events(request.args).where(Event.is_public.is_(True))
    return render_template(
        "events/public_index.html",
        public_page=True,
        page=paginate(query),
        sort=EVENT_SORTING.key(request.args),
        **filter_options(),
    )


@bp.route("/public/<int:event_id>")
@public
def public_detail(event_id: int):
    """A public event: agenda and confirmed participants, no contact details."""
    event = db.session.scalar(
        select(Event)
        .where(Event.id == event_id, Event.is_public.is_(True))
        .options(
            joinedload(Event.country),
            joinedload(Event.program),
            selectinload(Event.sessions),
        )
    )
    if event is None:
        abort(404)
    # Shown as to an anonymous visitor, whoever asks: the same page for all.
    # Only people with consent (or presenters on the event's legal basis)
    # are named; the others are counted by country.
    shown = public_participants(event, event_participants(event, AnonymousUserMixin()))
    return render_template(
        "events/public_detail.html",
        public_page=True,
        event=event,
        groups=group_by_place(shown.named),
        others=shown.others,
        shown=shown,
        withheld_names=shown.withheld_names,
        presentations=[p for p in shown.named if p.presentation_title],
        testimonials=visible_testimonials(AnonymousUserMixin(), event_id=event.id),
        documents=documents_panel(
            [
                (_("This event"), event),
                *[(item.title, item) for item in event.sessions],
            ],
            AnonymousUserMixin(),
        ),
    )
