"""Sign in, sign out, change password; session lifetime rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from tracker.audit import Actor, record_event
from tracker.auth.forms import (
    ChangePasswordForm,
    LoginForm,
    ProfileForm,
    SetPasswordForm,
)
from tracker.auth.password_links import user_for_token
from tracker.auth.passwords import (
    hash_password,
    spend_verification_time,
    verify_password,
)
from tracker.auth.ratelimits import login_limit, password_set_limit
from tracker.extensions import db, limiter, login_manager
from tracker.i18n import DEFAULT_TIMEZONE, select_locale
from tracker.models import ApiToken, CalendarFeed, User, utcnow
from tracker.outbox.services import KINDS_BY_ROLE, opted_out_kinds, set_preferences
from tracker.permissions import SIGNED_IN, public, role_required
from tracker.translation import N_

bp = Blueprint("auth", __name__, url_prefix="/auth")

LOGIN_FAILED = N_("Wrong e-mail or password.")
TOKEN_USE_RESOLUTION = timedelta(minutes=1)


@login_manager.user_loader
def load_user(session_token: str) -> User | None:
    """Find the user a session cookie belongs to, if that session is still valid."""
    return db.session.scalar(
        select(User).where(User.session_token == session_token, User.is_active)
    )


@login_manager.request_loader
def load_user_from_bearer_token(req) -> User | None:
    """API clients authenticate with ``Authorization: Bearer <token>``."""
    header = req.headers.get("Authorization", "")
    if not req.path.startswith("/api/") or not header.startswith("Bearer "):
        return None
    token = db.session.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == ApiToken.hash_secret(header[7:].strip()),
            ApiToken.revoked_at.is_(None),
        )
    )
    if token is None or not token.user.is_active:
        return None
    user = token.user
    now = utcnow()
    # Written at most once a minute: a busy script would otherwise turn
    # every read into a write.
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_USE_RESOLUTION:
        token.last_used_at = now
        db.session.commit()
    return user


@login_manager.unauthorized_handler
def unauthorized():
    """Anonymous users: 401 from the API, the sign-in page elsewhere."""
    if request.path.startswith("/api/"):
        response = jsonify(
            {
                "error": {
                    "code": "unauthorized",
                    "message": _("Sign in or send a token."),
                }
            }
        )
        return response, 401
    flash(_("Please sign in to see that page."), "info")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


@bp.before_app_request
def end_expired_sessions():
    """End a session 12 hours after sign-in, however active it has been.

    The 30-minute idle limit is the signed cookie's own max age.
    """
    signed_in_at = session.get("signed_in_at")
    if signed_in_at is None or "_user_id" not in session:
        return
    lifetime = current_app.config["SESSION_ABSOLUTE_LIFETIME"]
    if datetime.now(UTC).timestamp() - signed_in_at > lifetime.total_seconds():
        logout_user()
        session.clear()


def safe_next_url(target: str | None) -> str | None:
    """Only same-site paths: refuse //host, https://host and /\\host."""
    if not target:
        return None
    target = target.strip()
    if not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(ch in target for ch in "\\\r\n\t") or urlsplit(target).netloc:
        return None
    return target


def _sanitised(email: str) -> str:
    """An attempted e-mail fit for the audit log: one line, bounded length."""
    return "".join(ch for ch in email if ch.isprintable())[:254]


@bp.route("/login", methods=("GET", "POST"))
@limiter.limit(login_limit, methods=["POST"])
@public
def login():
    """Sign in with e-mail and password."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None and _is_locked(user):
            # Refused without looking at the password: a locked account
            # cannot be probed, and says no more than a wrong password does
            # (a throw-away verification keeps the timing the same).
            spend_verification_time(form.password.data)
            record_event(
                db.session,
                "login_refused_locked",
                "user_account",
                user.id,
                actor=_attempt_actor(email),
            )
            db.session.commit()
            form.password.errors.append(_(LOGIN_FAILED))
            return render_template("auth/login.html", form=form), 200
        password_ok = verify_password(
            user.password_hash if user else None, form.password.data
        )
        if user is not None and user.is_active and password_ok:
            return _complete_login(user)
        _count_failure(user, email)
        db.session.commit()
        form.password.errors.append(_(LOGIN_FAILED))
    return render_template("auth/login.html", form=form)


def _is_locked(user: User) -> bool:
    return user.locked_until is not None and user.locked_until > utcnow()


def _attempt_actor(email: str) -> Actor:
    return Actor(
        id=None, role="anonymous", label=_sanitised(email), ip=request.remote_addr or ""
    )


def _count_failure(user: User | None, email: str) -> None:
    actor = _attempt_actor(email)
    record_event(
        db.session,
        "login_failed",
        "user_account",
        user.id if user else None,
        actor=actor,
    )
    if user is None:
        return
    user.failed_logins += 1
    if user.failed_logins >= current_app.config["LOCKOUT_THRESHOLD"]:
        user.failed_logins = 0
        user.locked_until = utcnow() + current_app.config["LOCKOUT_DURATION"]
        record_event(db.session, "account_locked", "user_account", user.id, actor=actor)


def _complete_login(user: User):
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = utcnow()
    next_url = safe_next_url(request.args.get("next"))
    # A fresh session: nothing from before sign-in carries over.
    session.clear()
    login_user(user)
    session.permanent = True
    session["signed_in_at"] = datetime.now(UTC).timestamp()
    record_event(
        db.session,
        "login",
        "user_account",
        user.id,
        actor=Actor(user.id, str(user.role), user.email, request.remote_addr or ""),
    )
    db.session.commit()
    flash(_("Welcome, %(name)s.", name=user.display_name), "success")
    # Each role lands on its own home page (what waits for it).
    return redirect(next_url or url_for("home.index"))


@bp.route("/logout", methods=("POST",))
@role_required(*SIGNED_IN)
def logout():
    """Sign out and invalidate every copy of this user's session cookie."""
    user = current_user._get_current_object()
    user.end_sessions()
    record_event(db.session, "logout", "user_account", user.id)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are signed out."), "success")
    return redirect(url_for("public.home"))


@bp.route("/password", methods=("GET", "POST"))
@role_required(*SIGNED_IN)
def change_password():
    """Change your own password; your other sessions end."""
    user = current_user._get_current_object()
    form = ChangePasswordForm()
    form.account_email = user.email
    if form.validate_on_submit():
        if not verify_password(user.password_hash, form.current_password.data):
            form.current_password.errors.append(_("The current password is wrong."))
        else:
            user.password_hash = hash_password(form.new_password.data)
            user.end_sessions()
            db.session.commit()
            # Keep this browser signed in under the new token; copies of the
            # old cookie stop working.
            signed_in_at = session.get("signed_in_at")
            session.clear()
            login_user(user)
            session.permanent = True
            session["signed_in_at"] = signed_in_at
            flash(
                _("Your password is changed. Other sessions were signed out."),
                "success",
            )
            return redirect(url_for("public.home"))
    return render_template("auth/password.html", form=form)


@bp.route("/profile", methods=("GET", "POST"))
@role_required(*SIGNED_IN)
def profile():
    """Your own settings: language, time zone, and which e-mails you receive."""
    user = current_user._get_current_object()
    form = ProfileForm.for_kinds(KINDS_BY_ROLE[user.role])()
    if request.method == "GET":
        form.language.data = user.locale or select_locale()
        form.timezone.data = user.timezone or DEFAULT_TIMEZONE
        unwanted = opted_out_kinds(user.email)
        for kind, field in zip(form.mail_kinds, form.mail_fields(), strict=True):
            field.data = kind not in unwanted
    if form.validate_on_submit():
        user.locale = form.language.data
        user.timezone = form.timezone.data
        set_preferences(user.email, form.wanted_kinds())
        db.session.commit()
        flash(_("Your settings are saved."), "success")
        return redirect(url_for(".profile"))
    return render_template(
        "auth/profile.html",
        form=form,
        calendar_feed=db.session.scalar(
            select(CalendarFeed).where(CalendarFeed.user_id == user.id)
        ),
    )


LINK_INVALID = N_(
    "This link is not valid: it may have expired (links last 24 hours) or "
    "been used already. Ask an administrator for a new one."
)


@bp.route("/set-password/<token>", methods=("GET", "POST"))
@limiter.limit(password_set_limit)
@public
def set_password(token: str):
    """Set a password through a link an administrator created."""
    user = user_for_token(token)
    if user is None:
        return (
            render_template(
                "auth/set_password.html", form=None, message=_(LINK_INVALID)
            ),
            400,
        )
    form = SetPasswordForm()
    form.account_email = user.email
    if form.validate_on_submit():
        user.password_hash = hash_password(form.new_password.data)
        user.failed_logins = 0
        user.locked_until = None
        user.end_sessions()
        record_event(
            db.session,
            "password_set_by_link",
            "user_account",
            user.id,
            actor=Actor(user.id, str(user.role), user.email, request.remote_addr or ""),
        )
        db.session.commit()
        if current_user.is_authenticated and current_user.id == user.id:
            logout_user()
            session.clear()
        flash(_("Your password is set. Sign in with it now."), "success")
        return redirect(url_for(".login"))
    return render_template("auth/set_password.html", form=form, user=user)
