"""Sign-in, password, profile and language forms."""

import pytz
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from tracker.auth.passwords import MAX_LENGTH, context_words, password_problems
from tracker.forms import LongSelect, TrackerForm
from tracker.i18n import LANGUAGES
from tracker.models import MailKind
from tracker.translation import lazy_gettext as _l


class LoginForm(TrackerForm):
    # A sign-in stores nothing typed; a forged e-mail must still end as an
    # audited failed login (with its label made one line), not a form error.
    checks_control_characters = False

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(
        _l("Password"), validators=[DataRequired(), Length(max=MAX_LENGTH)]
    )


class NewPasswordMixin:
    """A new password typed twice, checked against the policy."""

    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(max=MAX_LENGTH)],
        description=_l("At least 12 characters. A long phrase is easiest to remember."),
    )
    confirm_password = PasswordField(
        _l("Repeat the new password"),
        validators=[
            DataRequired(),
            EqualTo("new_password", message=_l("The two passwords differ.")),
        ],
    )

    #: the e-mail of the account, so the policy can refuse it as a password
    account_email: str = ""

    def validate_new_password(self, field) -> None:
        problems = password_problems(
            field.data or "", self.account_email, context_words()
        )
        if problems:
            raise ValidationError(" ".join(problems))


class ChangePasswordForm(NewPasswordMixin, TrackerForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=MAX_LENGTH)]
    )


class SetPasswordForm(NewPasswordMixin, TrackerForm):
    """The form behind an administrator's password-set link."""


def _language_choices() -> list[SelectChoice]:
    return [SelectChoice(code, name) for code, name in LANGUAGES.items()]


class LanguageForm(TrackerForm):
    """The language switcher every page shows (signed in or not)."""

    language = SelectField(_l("Language"), choices=_language_choices())
    next = HiddenField()


class ProfileForm(TrackerForm):
    """A user's own settings: the language and time zone pages are shown in."""

    language = SelectField(_l("Language"), choices=_language_choices())
    timezone = SelectField(
        _l("Time zone"),
        choices=[
            SelectChoice(zone, zone.replace("_", " ")) for zone in pytz.common_timezones
        ],
        widget=LongSelect(),
        description=_l("Times are shown in this zone (stored in UTC)."),
    )

    #: the e-mail kinds this form offers, set by ``for_kinds``
    mail_kinds: tuple[MailKind, ...] = ()

    @classmethod
    def for_kinds(cls, kinds: tuple[MailKind, ...]) -> type["ProfileForm"]:
        """The form with a "receive" checkbox per kind of e-mail in ``kinds``."""
        fields = {
            f"mail_{kind.value}": BooleanField(kind.label, default=True)
            for kind in kinds
        }
        return type("MailProfileForm", (cls,), {**fields, "mail_kinds": kinds})

    def mail_fields(self) -> list:
        return [self[f"mail_{kind.value}"] for kind in self.mail_kinds]

    def wanted_kinds(self) -> dict[MailKind, bool]:
        return {kind: bool(self[f"mail_{kind.value}"].data) for kind in self.mail_kinds}
