"""E-mail invitations to an event's participants, with its calendar file.

Coordinators choose whom to invite on ``/events/<id>/invite``; each chosen
participant with an e-mail address gets one message (their own: no other
participant's name or address is in it), queued in the outbox in the same
transaction. Inviting someone again sends a new invitation (after a change
of date or place, say); the page tells who was invited and when.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from tracker.events.forms import InvitationForm
from tracker.events.queries import invitable_participations
from tracker.events.routes import bp
from tracker.extensions import db
from tracker.models import Event, OutboxMessage
from tracker.outbox import messages
from tracker.permissions import EDITORS, get_editable_or_403, role_required


def _invited_at(participation_ids: list[int]) -> dict[int, object]:
    """When each participant was last invited (participation id -> time)."""
    topics = {messages.invitation_topic(pid): pid for pid in participation_ids}
    if not topics:
        return {}
    rows = db.session.execute(
        select(OutboxMessage.topic, func.max(OutboxMessage.created_at))
        .where(OutboxMessage.topic.in_(topics))
        .group_by(OutboxMessage.topic)
    )
    return {topics[topic]: at for topic, at in rows}


@bp.route("/<int:event_id>/invite", methods=("GET", "POST"))
@role_required(*EDITORS)
def invite(event_id: int):
    """Send chosen participants an e-mail invitation with the calendar file."""
    event = get_editable_or_403(Event, event_id)
    participations = invitable_participations(event)
    form = InvitationForm()
    if form.validate_on_submit():
        picked = set(form.participation_ids.data)
        chosen = [
            participation
            for participation in participations
            if participation.id in picked and participation.person.email
        ]
        if not chosen:
            form.participation_ids.errors = [
                _("Select at least one participant with an e-mail address.")
            ]
        else:
            queued = sum(
                messages.invite(participation) is not None for participation in chosen
            )
            db.session.commit()
            skipped = len(chosen) - queued
            text = ngettext(
                "%(num)d invitation is queued for sending.",
                "%(num)d invitations are queued for sending.",
                queued,
            )
            if skipped:
                text += " " + ngettext(
                    "%(num)d participant turned invitations off.",
                    "%(num)d participants turned invitations off.",
                    skipped,
                )
            flash(text, "success")
            return redirect(url_for(".detail", event_id=event.id))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "events/invite.html",
        event=event,
        form=form,
        participations=participations,
        invited_at=_invited_at([p.id for p in participations]),
    ), status
