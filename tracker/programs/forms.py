"""Forms for programs, stages, cohorts, enrollments, stage changes and assessments.

Lengths repeat the columns' limits; rules that need the database (one
enrollment per municipality and program, stage rules) live on the models
and in the views, which put their messages beside the right field.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)

from tracker.forms import LongSelect, TrackerForm, VersionedForm, strip
from tracker.models import ASSESSMENT_AREAS, AssessmentKind, StageKind
from tracker.models.enums import label

NOTE_MAX = 2_000
NOTES_MAX = 5_000
DESCRIPTION_MAX = 20_000


def optional_int(value: Any) -> int | None:
    """Coerce a select's value: "" means nothing chosen."""
    if value is None or value == "":
        return None
    return int(value)


def choices(
    pairs: Iterable[tuple[Any, str]], group: str | None = None
) -> list[SelectChoice]:
    return [SelectChoice(str(value), text, optgroup=group) for value, text in pairs]


def placeholder(text: str) -> list[SelectChoice]:
    return [SelectChoice("", text)]


class ProgramForm(VersionedForm):
    name = StringField(
        "Name", validators=[DataRequired(), Length(max=200)], filters=[strip]
    )
    description = TextAreaField(
        "Description",
        validators=[Optional(), Length(max=DESCRIPTION_MAX)],
        filters=[strip],
        render_kw={"rows": 6, "data-maxlength": DESCRIPTION_MAX},
    )
    started_on = DateField("Started on", validators=[Optional()])
    required_trainings = IntegerField(
        "Trainings a leader must attend",
        validators=[Optional(), NumberRange(min=1, max=100)],
        description="Only for training programs such as ILTP; leave empty otherwise.",
    )

    def apply_to(self, obj: Any) -> None:
        super().apply_to(obj)
        obj.description = obj.description or ""


class StageForm(VersionedForm):
    code = StringField(
        "Code",
        validators=[
            DataRequired(),
            Length(max=40),
            Regexp(
                r"^[a-z][a-z0-9_]*$",
                message="Use lower-case letters, digits and underscores, "
                "starting with a letter.",
            ),
        ],
        filters=[strip],
        description="Used in filters and the API, e.g. solution_formulation.",
    )
    name = StringField(
        "Name", validators=[DataRequired(), Length(max=100)], filters=[strip]
    )
    position = IntegerField(
        "Position",
        validators=[InputRequired(), NumberRange(min=1, max=1000)],
        description="Stages are shown and compared in this order.",
    )
    kind = SelectField(
        "Kind",
        validators=[DataRequired()],
        choices=choices((kind.value, label(kind)) for kind in StageKind),
    )
    description = TextAreaField(
        "Description",
        validators=[Optional(), Length(max=NOTES_MAX)],
        filters=[strip],
        render_kw={"rows": 3},
    )

    def apply_to(self, obj: Any) -> None:
        super().apply_to(obj)
        obj.kind = StageKind(self.kind.data)
        obj.description = obj.description or ""


class CohortForm(VersionedForm):
    name = StringField(
        "Name",
        validators=[DataRequired(), Length(max=100)],
        filters=[strip],
        description="For example: ACP cohort I (2012).",
    )
    year = IntegerField(
        "Year", validators=[InputRequired(), NumberRange(min=1990, max=2100)]
    )


class EnrollmentForm(TrackerForm):
    """A new enrollment: who, in what, and where its history starts."""

    municipality_id = SelectField(
        "Municipality",
        coerce=optional_int,
        widget=LongSelect(),
        validators=[DataRequired(message="Choose a municipality.")],
    )
    program_id = SelectField(
        "Program",
        coerce=optional_int,
        validators=[DataRequired(message="Choose a program.")],
    )
    cohort_id = SelectField(
        "Cohort",
        coerce=optional_int,
        validators=[Optional()],
        description="Only cohorts of the chosen program are accepted.",
    )
    stage_id = SelectField(
        "Starting stage",
        coerce=optional_int,
        validators=[DataRequired(message="Choose the stage the enrollment starts at.")],
    )
    effective_on = DateField(
        "Stage effective on",
        validators=[DataRequired(message="Give a valid date (YYYY-MM-DD).")],
        default=date.today,
    )
    applied_on = DateField("Applied on", validators=[Optional()])
    notes = TextAreaField(
        "Notes",
        validators=[Optional(), Length(max=NOTES_MAX)],
        filters=[strip],
        render_kw={"rows": 3, "data-maxlength": NOTES_MAX},
    )


class EnrollmentEditForm(VersionedForm):
    """What may change on an enrollment; municipality and program stay fixed."""

    cohort_id = SelectField("Cohort", coerce=optional_int, validators=[Optional()])
    applied_on = DateField("Applied on", validators=[Optional()])
    notes = TextAreaField(
        "Notes",
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
        "New stage",
        coerce=optional_int,
        validators=[DataRequired(message="Choose the stage to move to.")],
    )
    effective_on = DateField(
        "Effective on",
        validators=[DataRequired(message="Give a valid date (YYYY-MM-DD).")],
        default=date.today,
    )
    note = TextAreaField(
        "Note",
        validators=[Optional(), Length(max=NOTE_MAX)],
        filters=[strip],
        description="Required when moving back to an earlier stage.",
        render_kw={"rows": 2, "data-maxlength": NOTE_MAX},
    )


class BulkMoveForm(TrackerForm):
    """Move the selected enrollments of one program (ids come as ``enrollment_ids``)."""

    stage_id = SelectField(
        "Move to stage",
        coerce=optional_int,
        validators=[DataRequired(message="Choose the stage to move to.")],
    )
    effective_on = DateField(
        "Effective on",
        validators=[DataRequired(message="Give a valid date (YYYY-MM-DD).")],
        default=date.today,
    )
    note = TextAreaField(
        "Note",
        validators=[Optional(), Length(max=NOTE_MAX)],
        filters=[strip],
        render_kw={"rows": 2},
    )


def _score(area_label: str) -> IntegerField:
    return IntegerField(
        area_label,
        validators=[
            InputRequired(message="Give a score from 0 to 100."),
            NumberRange(min=0, max=100, message="A score is from 0 to 100."),
        ],
        render_kw={"min": 0, "max": 100, "inputmode": "numeric"},
    )


class AssessmentForm(VersionedForm):
    assessed_on = DateField(
        "Assessed on",
        validators=[DataRequired(message="Give a valid date (YYYY-MM-DD).")],
    )
    kind = SelectField(
        "Kind",
        validators=[DataRequired()],
        choices=choices((kind.value, label(kind)) for kind in AssessmentKind),
    )
    financial_management = _score(ASSESSMENT_AREAS["financial_management"])
    procurement = _score(ASSESSMENT_AREAS["procurement"])
    urban_planning = _score(ASSESSMENT_AREAS["urban_planning"])
    human_resources = _score(ASSESSMENT_AREAS["human_resources"])
    service_delivery = _score(ASSESSMENT_AREAS["service_delivery"])
    transparency = _score(ASSESSMENT_AREAS["transparency"])
    notes = TextAreaField(
        "Notes",
        validators=[Optional(), Length(max=NOTES_MAX)],
        filters=[strip],
        render_kw={"rows": 3, "data-maxlength": NOTES_MAX},
    )

    def apply_to(self, obj: Any) -> None:
        super().apply_to(obj)
        obj.kind = AssessmentKind(self.kind.data)
        obj.notes = obj.notes or ""
