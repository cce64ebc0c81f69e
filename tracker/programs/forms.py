"""Forms for programs, stages, cohorts, enrollments, stage changes and assessments.

Lengths repeat the columns' limits; rules that need the database (one
enrollment per municipality and program, stage rules) live on the models
and in the views, which put their messages beside the right field.
"""

from __future__ import annotations

from typing import Any

from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)

from tracker.forms import VersionedForm, choices, strip
from tracker.models import StageKind
from tracker.models.enums import label
from tracker.translation import lazy_gettext as _l

NOTE_MAX = 2_000
NOTES_MAX = 5_000
DESCRIPTION_MAX = 20_000


class ProgramForm(VersionedForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(), Length(max=200)], filters=[strip]
    )
    description = TextAreaField(
        _l("Description"),
        validators=[Optional(), Length(max=DESCRIPTION_MAX)],
        filters=[strip],
        render_kw={"rows": 6, "data-maxlength": DESCRIPTION_MAX},
    )
    started_on = DateField(_l("Started on"), validators=[Optional()])
    required_trainings = IntegerField(
        _l("Trainings a leader must attend"),
        validators=[Optional(), NumberRange(min=1, max=100)],
        description=_l(
            "Only for training programs such as ILTP; leave empty otherwise."
        ),
    )

    def apply_to(self, obj: Any) -> None:
        super().apply_to(obj)
        obj.description = obj.description or ""


class StageForm(VersionedForm):
    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(),
            Length(max=40),
            Regexp(
                r"^[a-z][a-z0-9_]*$",
                message=_l(
                    "Use lower-case letters, digits and underscores, "
                    "starting with a letter."
                ),
            ),
        ],
        filters=[strip],
        description=_l("Used in filters and the API, e.g. solution_formulation."),
    )
    name = StringField(
        _l("Name"), validators=[DataRequired(), Length(max=100)], filters=[strip]
    )
    position = IntegerField(
        _l("Position"),
        validators=[InputRequired(), NumberRange(min=1, max=1000)],
        description=_l("Stages are shown and compared in this order."),
    )
    # Choices set per form: the kinds' labels read in the reader's language.
    kind = SelectField(_l("Kind"), validators=[DataRequired()])
    description = TextAreaField(
        _l("Description"),
        validators=[Optional(), Length(max=NOTES_MAX)],
        filters=[strip],
        render_kw={"rows": 3},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = choices((kind.value, label(kind)) for kind in StageKind)

    def apply_to(self, obj: Any) -> None:
        super().apply_to(obj)
        obj.kind = StageKind(self.kind.data)
        obj.description = obj.description or ""


class CohortForm(VersionedForm):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(), Length(max=100)],
        filters=[strip],
        description=_l("For example: ACP cohort I (2012)."),
    )
    year = IntegerField(
        _l("Year"), validators=[InputRequired(), NumberRange(min=1990, max=2100)]
    )
