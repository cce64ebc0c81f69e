"""Admin pages: API tokens, issued and revoked per user.

A token's secret is shown once, on the page that answers the issuing POST,
and only its SHA-256 is stored. That page is rendered straight from the POST
rather than after a redirect: carrying the secret across a redirect would
mean storing it (in the session cookie), which is what "shown once" forbids.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from tracker.admin.routes import bp
from tracker.extensions import db
from tracker.forms import TrackerForm, strip
from tracker.lists import int_arg, paginate
from tracker.models import ApiToken, Role, User, utcnow
from tracker.permissions import role_required
from tracker.translation import lazy_gettext as _l


def _user_id(value) -> int:
    """A user id from the form; junk becomes 0, which no user has."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


class TokenForm(TrackerForm):
    """Issue a token: for whom, and a name saying what it is for."""

    user_id = SelectField(
        _l("User"), coerce=_user_id, validators=[InputRequired(_l("Choose a user."))]
    )
    name = StringField(
        _l("Name"),
        filters=[strip],
        validators=[
            DataRequired(_l("Give the token a name, e.g. the script that uses it.")),
            Length(max=100, message=_l("At most 100 characters.")),
        ],
        description=_l("What the token is for, e.g. “Monthly donor report”."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        users = db.session.execute(
            select(User.id, User.email, User.role)
            .where(User.is_active)
            .order_by(User.email)
        )
        self.user_id.choices = [
            (user_id, f"{email} ({Role(role).label})") for user_id, email, role in users
        ]


def _tokens_page(form: TokenForm, status: int = 200):
    user_id = int_arg(request.args, "user_id")
    query = (
        select(ApiToken)
        .options(selectinload(ApiToken.user))
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc())
    )
    if user_id is not None:
        query = query.where(ApiToken.user_id == user_id)
    page = paginate(query)
    return (
        render_template("admin/tokens.html", page=page, form=form, user_id=user_id),
        status,
    )


@bp.route("/tokens")
@role_required(Role.ADMIN)
def tokens():
    """Every API token, active ones first, with the form to issue a new one."""
    form = TokenForm()
    user_id = int_arg(request.args, "user_id")
    if user_id is not None:
        form.user_id.data = user_id
    return _tokens_page(form)


@bp.route("/tokens/new", methods=("POST",))
@role_required(Role.ADMIN)
def issue_token():
    """Issue a token for a user and show its secret, once."""
    form = TokenForm()
    if not form.validate_on_submit():
        return _tokens_page(form, status=400)
    user = db.get_or_404(User, form.user_id.data)
    token, secret = ApiToken.issue(user, form.name.data)
    db.session.add(token)
    db.session.commit()
    flash(
        _(
            "A token named “%(name)s” was issued for %(email)s. "
            "Copy its secret now: it will not be shown again.",
            name=token.name,
            email=user.email,
        ),
        "success",
    )
    return render_template("admin/token_issued.html", token=token, secret=secret)


@bp.route("/tokens/<int:token_id>/revoke", methods=("POST",))
@role_required(Role.ADMIN)
def revoke_token(token_id: int):
    """Revoke a token: requests sending it are refused from now on."""
    token = db.get_or_404(ApiToken, token_id)
    if token.revoked_at is not None:
        flash(_("The token “%(name)s” was already revoked.", name=token.name), "info")
    else:
        token.revoked_at = utcnow()
        db.session.commit()
        flash(_("The token “%(name)s” is revoked.", name=token.name), "success")
    return redirect(url_for("admin.tokens"))
