"""Admin pages: user accounts (list, create, edit, deactivate, activate).

The admin package keeps one module per area (users, tokens, imports, password
links), so this module holds the user forms and list query beside its views.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SearchField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Email, Length, ValidationError

from tracker.admin.routes import bp
from tracker.audit import record_event
from tracker.auth.passwords import MAX_LENGTH, hash_password, password_problems
from tracker.extensions import db
from tracker.forms import (
    LongSelect,
    TrackerForm,
    VersionedForm,
    choices,
    commit_or_stale,
    form_status,
    optional_int,
    strip,
)
from tracker.lists import (
    MAX_SEARCH_LENGTH,
    Sorting,
    choice_arg,
    paginate,
    search_text,
    text_search,
)
from tracker.models import Role, User
from tracker.models.enums import lazy_label
from tracker.municipalities.queries import municipality_choices
from tracker.permissions import role_required
from tracker.translation import N_
from tracker.translation import lazy_gettext as _l

USER_SORTING = Sorting(
    columns={
        "email": User.email,
        "name": User.full_name,
        "role": User.role,
        "last_login": func.coalesce(User.last_login_at, User.created_at),
    },
    default="email",
    tiebreaker=User.id,
    alphabetical=("name",),
)
STATUSES = ("active", "inactive")
EMAIL_TAKEN = N_("Another account already uses this e-mail address.")


def filtered_users(args: Mapping[str, str]) -> Select[tuple[User]]:
    """Users matching ``q`` (e-mail, name), ``role``, ``status`` and ``sort``."""
    query = select(User).options(selectinload(User.municipality))
    if text := search_text(args):
        query = query.where(text_search(User, text))
    if role := choice_arg(args, "role", Role):
        query = query.where(User.role == Role(role))
    if status := choice_arg(args, "status", STATUSES):
        query = query.where(User.is_active.is_(status == "active"))
    return USER_SORTING.apply(query, args)


class UserFilterForm(TrackerForm):
    class Meta:
        csrf = False

    q = SearchField(_l("E-mail or name"), validators=[Length(max=MAX_SEARCH_LENGTH)])
    role = SelectField(
        _l("Role"),
        choices=choices(
            [("", _l("All roles")), *((role.value, lazy_label(role)) for role in Role)]
        ),
    )
    status = SelectField(
        _l("Status"),
        choices=choices(
            [
                ("", _l("Active and inactive")),
                ("active", _l("Active")),
                ("inactive", _l("Inactive")),
            ]
        ),
    )


class UserForm(VersionedForm):
    """An account's e-mail, name, role, municipality and active flag."""

    email = EmailField(
        _l("E-mail"),
        validators=[
            DataRequired(message=_l("Enter the user's e-mail address.")),
            Length(max=254),
            Email(message=_l("Enter an e-mail address such as name@example.org.")),
        ],
        filters=[strip, lambda value: value.lower() if value else value],
        description=_l("The user signs in with it."),
    )
    full_name = StringField(
        _l("Full name"), validators=[Length(max=200)], filters=[strip]
    )
    role = SelectField(
        _l("Role"),
        choices=choices((role.value, lazy_label(role)) for role in Role),
        coerce=Role,
        validators=[DataRequired(message=_l("Choose a role."))],
    )
    municipality_id = SelectField(
        _l("Municipality"),
        coerce=optional_int,
        widget=LongSelect(),
        description=_l("Required for municipal contacts; empty for every other role."),
    )
    is_active = BooleanField(
        _l("Active"),
        description=_l("Inactive users cannot sign in; their sessions end."),
    )

    def __init__(self, *args: Any, editing_self: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.record_id = getattr(kwargs.get("obj"), "id", None)
        self.editing_self = editing_self
        self.municipality_id.choices = municipality_choices(_("None"))

    def validate_email(self, field: EmailField) -> None:
        if field.errors:
            return  # not an address (a NUL byte would even fail the query)
        clash = db.session.scalar(
            select(User.id).where(
                User.email == field.data, User.id != (self.record_id or 0)
            )
        )
        if clash is not None:
            raise ValidationError(_(EMAIL_TAKEN))

    def validate_role(self, field: SelectField) -> None:
        if self.editing_self and field.data != Role.ADMIN:
            raise ValidationError(_("You cannot remove your own administrator role."))

    def validate_municipality_id(self, field: SelectField) -> None:
        if self.role.data == Role.CONTACT and field.data is None:
            raise ValidationError(
                _("A municipal contact must belong to a municipality.")
            )
        if self.role.data in set(Role) - {Role.CONTACT} and field.data is not None:
            raise ValidationError(
                _(
                    "Only municipal contacts belong to a municipality: "
                    "leave this empty for this role."
                )
            )

    def validate_is_active(self, field: BooleanField) -> None:
        if self.editing_self and not field.data:
            raise ValidationError(_("You cannot deactivate your own account."))


class NewUserForm(UserForm):
    """A new account with its initial password."""

    NOT_COPIED = UserForm.NOT_COPIED | {"password"}

    is_active = None  # new accounts start active
    password = PasswordField(
        _l("Initial password"),
        validators=[
            DataRequired(message=_l("Enter an initial password.")),
            Length(max=MAX_LENGTH),
        ],
        description=_l(
            "At least 12 characters. Ask the user to change it after signing in."
        ),
        render_kw={"autocomplete": "new-password"},
    )

    def validate_password(self, field: PasswordField) -> None:
        if problems := password_problems(field.data or "", self.email.data or ""):
            raise ValidationError(" ".join(problems))


def _commit(form: UserForm) -> bool:
    """Commit; the database's own rules (unique e-mail, contact has a
    municipality) back the form's checks when two saves race."""
    try:
        return commit_or_stale(form)
    except IntegrityError as error:
        db.session.rollback()
        if "contact_has_municipality" in str(error.orig):
            form.municipality_id.errors.append(
                _(
                    "A municipal contact must belong to a municipality, "
                    "and no other role may."
                )
            )
        else:
            form.email.errors.append(_(EMAIL_TAKEN))
        return False


@bp.route("/users")
@role_required(Role.ADMIN)
def users():
    """List the user accounts, with search and filters."""
    form = UserFilterForm(request.args)
    page = paginate(filtered_users(request.args))
    return render_template(
        "admin/users.html", form=form, page=page, sort=USER_SORTING.key(request.args)
    )


@bp.route("/users/new", methods=("GET", "POST"))
@role_required(Role.ADMIN)
def create_user():
    """Create a user account with a role and an initial password."""
    form = NewUserForm()
    if form.validate_on_submit():
        user = User(password_hash=hash_password(form.password.data))
        form.apply_to(user)
        db.session.add(user)
        if _commit(form):
            flash(_("The account %(email)s is created.", email=user.email), "success")
            return redirect(url_for(".users"))
    return render_template("admin/user_form.html", form=form, user=None), form_status(
        form
    )


@bp.route("/users/<int:user_id>/edit", methods=("GET", "POST"))
@role_required(Role.ADMIN)
def edit_user(user_id: int):
    """Change an account's e-mail, name, role, municipality or active flag."""
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user, editing_self=user.id == current_user.id)
    if request.method == "GET":
        form.load_version(user)
    elif not form.is_stale(user) and form.validate_on_submit():
        was_active = user.is_active
        form.apply_to(user)
        if was_active and not user.is_active:
            user.end_sessions()
        if _commit(form):
            flash(_("The account %(email)s is updated.", email=user.email), "success")
            return redirect(url_for(".users"))
    return render_template("admin/user_form.html", form=form, user=user), form_status(
        form
    )


@bp.route("/users/<int:user_id>/deactivate", methods=("POST",))
@role_required(Role.ADMIN)
def deactivate_user(user_id: int):
    """Deactivate an account and end all its sessions."""
    user = db.get_or_404(User, user_id)
    if user.id == current_user.id:
        flash(_("You cannot deactivate your own account."), "error")
        return redirect(url_for(".users"))
    user.is_active = False
    user.end_sessions()
    db.session.commit()
    flash(
        _("The account %(email)s is deactivated and signed out.", email=user.email),
        "success",
    )
    return redirect(url_for(".users"))


@bp.route("/users/<int:user_id>/end-sessions", methods=("POST",))
@role_required(Role.ADMIN)
def end_sessions(user_id: int):
    """Sign a user out on every device (a lost laptop, a shared computer)."""
    user = db.get_or_404(User, user_id)
    user.end_sessions()
    record_event(db.session, "sessions_ended", "user_account", user.id)
    db.session.commit()
    flash(_("Every session of %(email)s has ended.", email=user.email), "success")
    return redirect(url_for(".edit_user", user_id=user.id))


@bp.route("/users/<int:user_id>/activate", methods=("POST",))
@role_required(Role.ADMIN)
def activate_user(user_id: int):
    """Let a deactivated account sign in again."""
    user = db.get_or_404(User, user_id)
    if not user.is_active:
        user.is_active = True
        db.session.commit()
    flash(_("The account %(email)s is active.", email=user.email), "success")
    return redirect(url_for(".users"))
