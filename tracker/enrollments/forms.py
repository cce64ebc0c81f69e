"""Forms for enrollments, their stage changes and assessments."""

from __future__ import annotations

from datetime import date
from typing import Any

from wtforms import DateField, IntegerField, SelectField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from tracker.forms import (
    LongSelect,
    TrackerForm,
    VersionedForm,
    choices,
    optional_int,
    strip,
)
from tracker.models import ASSESSMENT_AREAS, AssessmentKind
from tracker.models.enums import label
from tracker.programs.forms import NOTE_MAX, NOTES_MAX
from tracker.translation import lazy_gettext as _l


class EnrollmentForm(TrackerForm):
    """A new enrollment: who, in what, and where its history starts."""

    municipality_id = SelectField(
        _l("Municipality"),
        coerce=optional_int,
        widget=LongSelect(),
        validators=[DataRequired(message=_l("Choose a municipality."))],
    )
    program_id = SelectField(
        _l("Program"),
        coerce=optional_int,
        validators=[DataRequired(message=_l("Choose a program."))],
    )
    cohort_id = SelectField(
        _l("Cohort"),
        coerce=optional_int,
        validators=[Optional()],
        description=_l("Only cohorts of the chosen program are accepted."),
    )
    stage_id = SelectField(
        _l("Starting stage"),
        coerce=optional_int,
        validators=[
            DataRequired(message=_l("Choose the stage the enrollment starts at."))
        ],
    )
    effective_on = DateField(
        _l("Stage effective on"),
        validators=[DataRequired(message=_l("Give a valid date (YYYY-MM-DD)."))],
        default=date.today,
    )
    applied_on = DateField(_l("Applied on"), validators=[Optional()])
    notes = TextAreaField(
        _l("Notes"),
        validators=[Optional(), Length(max=NOTES_MAX)],
        filters=[strip],
        render_kw={"rows": 3, "data-maxlength": NOTES_MAX},
    )


class EnrollmentEditForm(VersionedForm):
    """What may change on an enrollment; municipality and program stay fixed."""

    cohort_id = SelectField(_l("Cohort"), coerce=optional_int, validators=[Optional()])
    applied_on = DateField(_l("Applied on"), validators=[Optional()])
    notes = TextAreaField(
        _l("Notes"),
        validators=[Optional(), Length(max=NOTES_MAX)],
        filters=[strip],
        render_kw={"rows": 4, "data-maxlength": NOTES_MAX},
    )

    def apply_to(self, obj: Any) -> None:
        super().apply_to(obj)
        obj.notes = obj.notes or ""


class StageChangeForm(VersionedForm):
    """Move one enrollment; the hidden ``version_id`` guards against races."""

    stage_id = SelectField(
        _l("New stage"),
        coerce=optional_int,
        validators=[DataRequired(message=_l("Choose the stage to move to."))],
    )
    effective_on = DateField(
        _l("Effective on"),
        validators=[DataRequired(message=_l("Give a valid date (YYYY-MM-DD)."))],
        default=date.today,
    )
    note = TextAreaField(
        _l("Note"),
        validators=[Optional(), Length(max=NOTE_MAX)],
        filters=[strip],
        description=_l("Required when moving back to an earlier stage."),
        render_kw={"rows": 2, "data-maxlength": NOTE_MAX},
    )


class BulkMoveForm(TrackerForm):
    """Move the selected enrollments of one program (ids come as ``enrollment_ids``)."""

    stage_id = SelectField(
        _l("Move to stage"),
        coerce=optional_int,
        validators=[DataRequired(message=_l("Choose the stage to move to."))],
    )
    effective_on = DateField(
        _l("Effective on"),
        validators=[DataRequired(message=_l("Give a valid date (YYYY-MM-DD)."))],
        default=date.today,
    )
    note = TextAreaField(
        _l("Note"),
        validators=[Optional(), Length(max=NOTE_MAX)],
        filters=[strip],
        render_kw={"rows": 2},
    )


def _score(area_label: str) -> IntegerField:
    return IntegerField(
        area_label,
        validators=[
            InputRequired(message=_l("Give a score from 0 to 100.")),
            NumberRange(min=0, max=100, message=_l("A score is from 0 to 100.")),
        ],
        render_kw={"min": 0, "max": 100, "inputmode": "numeric"},
    )


class AssessmentForm(VersionedForm):
    assessed_on = DateField(
        _l("Assessed on"),
        validators=[DataRequired(message=_l("Give a valid date (YYYY-MM-DD)."))],
    )
    # Choices set per form: the kinds' labels read in the reader's language.
    kind = SelectField(_l("Kind"), validators=[DataRequired()])
    financial_management = _score(ASSESSMENT_AREAS["financial_management"])
    procurement = _score(ASSESSMENT_AREAS["procurement"])
    urban_planning = _score(ASSESSMENT_AREAS["urban_planning"])
    human_resources = _score(ASSESSMENT_AREAS["human_resources"])
    service_delivery = _score(ASSESSMENT_AREAS["service_delivery"])
    transparency = _score(ASSESSMENT_AREAS["transparency"])
    notes = TextAreaField(
        _l("Notes"),
        validators=[Optional(), Length(max=NOTES_MAX)],
        filters=[strip],
        render_kw={"rows": 3, "data-maxlength": NOTES_MAX},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = choices(
            (kind.value, label(kind)) for kind in AssessmentKind
        )

    def apply_to(self, obj: Any) -> None:
        super().apply_to(obj)
        obj.kind = AssessmentKind(self.kind.data)
        obj.notes = obj.notes or ""
