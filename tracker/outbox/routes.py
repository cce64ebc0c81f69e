"""The outbox page for administrators, and the one-click unsubscribe link.

``/outbox/`` lists what is queued, sent and failed; a failed (dead) or
cancelled message can be sent again, a pending or failed one cancelled.
``/outbox/unsubscribe/<token>`` needs no sign-in: the signed token names
the address and the kind. GET asks, POST stops that kind for that address.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from tracker.audit import record_event
from tracker.extensions import csrf, db
from tracker.lists import choice_arg, paginate
from tracker.models import MailKind, MailStatus, OutboxMessage, Role
from tracker.outbox import services
from tracker.outbox.worker import queue_counts
from tracker.permissions import public, role_required

bp = Blueprint("outbox", __name__, url_prefix="/outbox")


@bp.route("/")
@role_required(Role.ADMIN)
def index():
    """Every e-mail the app queued: pending, sent, failed, cancelled."""
    status = choice_arg(request.args, "status", STATUSES)
    query = select(OutboxMessage).order_by(
        OutboxMessage.created_at.desc(), OutboxMessage.id.desc()
    )
    if status:
        query = query.where(OutboxMessage.status == status)
    return render_template(
        "outbox/index.html",
        page=paginate(query),
        counts=queue_counts(),
        status=status,
        statuses=list(MailStatus),
        mail_configured=services.mail_configured(),
    )


STATUSES = [status.value for status in MailStatus]


def _change(message_id: int, allowed: str, change, action: str, done: str):
    """Load, check the state allows it, change, audit, commit, back to the list."""
    back_to = choice_arg(request.args, "status", STATUSES)
    message = db.get_or_404(OutboxMessage, message_id)
    if not getattr(message, allowed):
        flash(_("This message cannot be changed that way now."), "error")
        return redirect(url_for(".index", status=back_to))
    change(message)
    record_event(db.session, action, "outbox_message", message.id)
    db.session.commit()
    flash(done, "success")
    return redirect(url_for(".index", status=back_to))


@bp.route("/<int:message_id>/retry", methods=("POST",))
@role_required(Role.ADMIN)
def retry(message_id: int):
    """Send a failed or cancelled message again, with all its attempts."""
    return _change(
        message_id,
        "can_retry",
        OutboxMessage.retry,
        "outbox_retry",
        _("The message is queued again."),
    )


@bp.route("/<int:message_id>/cancel", methods=("POST",))
@role_required(Role.ADMIN)
def cancel(message_id: int):
    """Never send a pending or failed message."""
    return _change(
        message_id,
        "can_cancel",
        OutboxMessage.cancel,
        "outbox_cancel",
        _("The message is cancelled; it will not be sent."),
    )


@bp.route("/unsubscribe/<token>", methods=("GET", "POST"))
@public
def unsubscribe(token: str):
    """Stop one kind of e-mail to one address: the link in every message."""
    found = services.read_unsubscribe_token(token)
    if found is None:
        return render_template("outbox/unsubscribe.html", kind=None), 400
    address, kind = found
    if request.method == "POST":
        services.set_preferences(address, {kind: False})
        db.session.commit()
    return render_template(
        "outbox/unsubscribe.html",
        kind=MailKind(kind),
        address=address,
        done=request.method == "POST",
    )


# RFC 8058 one-click unsubscribe: the mail program POSTs to the link with no
# cookie and no form token. The signed token in the URL is what authorises
# the request (it is no ambient credential a forged request could borrow),
# and all it can do is turn one kind of e-mail off for one address.
csrf.exempt(unsubscribe)
