"""Each user's in-app notification list: read it, mark it read."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Notification, utcnow
from tracker.permissions import SIGNED_IN, role_required

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.route("/")
@role_required(*SIGNED_IN)
def index():
    """Your notifications, newest first."""
    notifications = db.session.scalars(
        select(Notification)
        .where(Notification.user_id == current_user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(100)
    ).all()
    return render_template("notifications/index.html", notifications=notifications)


@bp.route("/read", methods=("POST",))
@role_required(*SIGNED_IN)
def mark_all_read():
    """Mark all your notifications as read."""
    unread = db.session.scalars(
        select(Notification).where(
            Notification.user_id == current_user.id, Notification.read_at.is_(None)
        )
    )
    now = utcnow()
    for notification in unread:
        notification.read_at = now
    db.session.commit()
    flash(_("All notifications are marked as read."), "success")
    return redirect(url_for(".index"))
