"""Forms of the privacy pages: consent answers, the presenters' legal basis,
erasure."""

from __future__ import annotations

from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from tracker.forms import TrackerForm, choices, strip
from tracker.models import ConsentMethod, ListingBasis
from tracker.models.enums import lazy_label
from tracker.translation import lazy_gettext as _l


def _methods():
    return choices((m.value, lazy_label(m)) for m in ConsentMethod)


ALL_EVENTS = "all"


class ConsentForm(TrackerForm):
    scope = SelectField(_l("For"), validators=[InputRequired()])
    answer = SelectField(
        _l("Answer"),
        choices=choices(
            [
                ("yes", _l("May be named on public pages")),
                ("no", _l("Must not be named on public pages")),
            ]
        ),
        validators=[InputRequired()],
    )
    method = SelectField(
        _l("How the answer was given"),
        choices=_methods(),
        validators=[InputRequired()],
    )
    note = StringField(
        _l("Note (where the signed form or e-mail is kept)"),
        filters=[strip],
        validators=[Length(max=500)],
    )

    def __init__(self, participations=(), **kwargs):
        super().__init__(**kwargs)
        self.scope.choices = choices(
            [(ALL_EVENTS, _l("Every event"))]
            + [(str(p.id), p.event.title) for p in participations]
        )


class WithdrawForm(TrackerForm):
    method = SelectField(
        _l("How the withdrawal was made"),
        choices=_methods(),
        validators=[InputRequired()],
    )


class BasisForm(TrackerForm):
    basis = SelectField(
        _l("Legal basis for naming presenters and speakers"),
        choices=choices((b.value, lazy_label(b)) for b in ListingBasis),
        validators=[InputRequired()],
    )
    explanation = TextAreaField(
        _l("Why this basis applies (kept as the record of the decision)"),
        filters=[strip],
        validators=[Length(max=2000)],
    )

    def validate_explanation(self, field) -> None:
        if self.basis.data != ListingBasis.CONSENT_ONLY.value and not field.data:
            raise ValidationError(_l("Explain why this legal basis applies."))


class EraseForm(TrackerForm):
    confirm = BooleanField(
        _l(
            "I understand that erasure cannot be undone: the name, contact "
            "details and texts of this person are replaced everywhere."
        ),
        validators=[DataRequired(_l("Tick the box to confirm the erasure."))],
    )
