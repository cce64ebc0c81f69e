"""Admin pages: password-set links sent by administrators.

An administrator creates a link for a user (a new account, or one who forgot
the password). With mail configured the link is e-mailed to the user (the
outbox row loses its text once sent); without it, or when the user turned
these e-mails off, it is shown once, on the response to the POST, for the
administrator to hand over through a channel they trust. See
``tracker/auth/password_links.py`` for what makes it expire and work once.
"""

from flask import current_app, render_template, url_for

from tracker.admin.routes import bp
from tracker.audit import record_event
from tracker.auth.password_links import make_token
from tracker.extensions import db
from tracker.models import Role, User
from tracker.outbox import messages
from tracker.outbox.services import absolute_url, mail_configured
from tracker.permissions import role_required


@bp.route("/users/<int:user_id>/password-link", methods=("POST",))
@role_required(Role.ADMIN)
def password_link(user_id: int):
    """Create a one-time link with which the user sets a new password."""
    user = db.get_or_404(User, user_id)
    back_url = (
        url_for("admin.users") if "admin.users" in current_app.view_functions else None
    )
    if not user.is_active:
        return (
            render_template(
                "admin/password_link.html", user=user, link=None, back_url=back_url
            ),
            409,
        )
    link = absolute_url(url_for("auth.set_password", token=make_token(user)))
    hours = int(current_app.config["PASSWORD_LINK_MAX_AGE"].total_seconds() // 3600)
    emailed = mail_configured() and messages.password_link(user, link, hours)
    record_event(db.session, "password_link_created", "user_account", user.id)
    db.session.commit()
    return render_template(
        "admin/password_link.html",
        user=user,
        link=None if emailed else link,
        emailed=bool(emailed),
        hours=hours,
        back_url=back_url,
    )
