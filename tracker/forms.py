"""What every form shares: refused control characters; for edit forms, the
optimistic-locking version and whitelisted saves."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from flask_wtf import FlaskForm
from markupsafe import Markup
from sqlalchemy.orm.exc import StaleDataError
from wtforms import HiddenField, PasswordField, StringField, TextAreaField, widgets
from wtforms.fields.choices import SelectChoice

from tracker.extensions import db
from tracker.text import control_character_problem

STALE_MESSAGE = (
    "Someone else changed this record while you were editing it. "
    "Your changes were not saved: open the record again to see the new version."
)


class LongSelect(widgets.Select):
    """WTForms' select widget for long lists (every municipality), same HTML.

    WTForms builds each option through ``html_params``, some 50 µs apiece:
    2,000 municipalities cost a page 100 ms. A plain option (no extra
    attributes) is written directly here, and remembered by its value, label
    and selection, so a list seen before costs a lookup per option; any other
    option goes through WTForms as before.
    """

    @classmethod
    def render_option(cls, choice: SelectChoice, **kwargs: Any) -> Markup:
        if kwargs or choice.render_kw or isinstance(choice.value, bool):
            return super().render_option(choice, **kwargs)
        label = choice.label or choice.value
        return _plain_option(choice.value, label, choice.selected)


@lru_cache(maxsize=32_768, typed=True)  # typed: a Markup label is not a str one
def _plain_option(value: Any, label: Any, selected: bool) -> Markup:
    # html_params sorts the attributes: "selected" comes before "value".
    # Markup.format escapes every argument; the template itself is constant.
    if selected:
        return Markup('<option selected value="{}">{}</option>').format(value, label)
    return Markup('<option value="{}">{}</option>').format(value, label)


class TrackerForm(FlaskForm):
    """The base of every form: no text field accepts control characters.

    One check for all forms, after their own validators, with the message
    beside the field. Multi-line fields (text areas) keep tabs and line
    breaks. Passwords are exempt: they are never stored or shown, only hashed.
    """

    #: False only where nothing typed is stored and a refusal would hide an
    #: event that must be audited (a failed sign-in with a forged e-mail)
    checks_control_characters = True

    def validate(self, extra_validators: Any = None) -> bool:
        is_valid = super().validate(extra_validators)
        if not self.checks_control_characters:
            return is_valid
        for field in self:
            if not isinstance(field, StringField) or isinstance(field, PasswordField):
                continue
            values = [field.data, *(field.raw_data or [])]
            for value in values:
                if not isinstance(value, str):
                    continue
                problem = control_character_problem(
                    value, multiline=isinstance(field, TextAreaField)
                )
                if problem:
                    field.errors = [*field.errors, f"This text {problem}"]
                    is_valid = False
                    break
        return is_valid


class VersionedForm(TrackerForm):
    """An edit form that remembers which version of the record it was opened on."""

    version_id = HiddenField()

    #: fields that ``apply_to`` never copies onto the model
    NOT_COPIED = frozenset({"version_id", "csrf_token", "submit"})

    def load_version(self, obj: Any) -> None:
        """Call on GET: stamp the form with the record's current version."""
        self.version_id.data = str(obj.version_id)

    def is_stale(self, obj: Any) -> bool:
        """True, with an error on the form, when the record changed since opening.

        Judged on the version the client sent: a form built with ``obj=``
        would otherwise fill in the current version when the field is
        missing, and a client that leaves it out would never be refused.
        """
        sent = self.version_id.raw_data[0] if self.version_id.raw_data else ""
        if str(obj.version_id) != sent:
            self.form_errors.append(STALE_MESSAGE)
            return True
        return False

    def apply_to(self, obj: Any) -> None:
        """Copy this form's own fields onto ``obj``: nothing a POST adds beyond them."""
        for name, field in self._fields.items():
            if name not in self.NOT_COPIED:
                setattr(obj, name, field.data)


def commit_or_stale(form: VersionedForm) -> bool:
    """Commit; on a concurrent update, roll back and put the stale message on the form.

    The version check in ``is_stale`` catches a form opened on an older
    version; this catches the race where both saves passed it at once.
    """
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        form.form_errors.append(STALE_MESSAGE)
        return False
    return True


MAX_ID = 2**31 - 1  # integer keys are 32-bit on PostgreSQL


def is_db_id(value: Any) -> bool:
    """Whether ``value`` could be one of our row ids (and is safe to query with)."""
    return isinstance(value, int) and 0 < value <= MAX_ID


def blank_to_none(value: Any) -> Any:
    """WTForms filter: an empty text box means "no value" (NULL), not ""."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value
