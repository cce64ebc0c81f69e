"""Uploading a document and replacing its file."""

from __future__ import annotations

from typing import Any

from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from tracker.forms import TrackerForm
from tracker.i18n import LANGUAGES
from tracker.models import Visibility
from tracker.models.documents import visibility_choices
from tracker.translation import lazy_gettext as _l

OTHER_LANGUAGE = "other"


def language_choices() -> list[tuple[str, Any]]:
    return [*LANGUAGES.items(), (OTHER_LANGUAGE, _l("Another language"))]


class UploadForm(TrackerForm):
    title = StringField(
        _l("Title"),
        validators=[DataRequired(), Length(max=200)],
        description=_l("What the document is, e.g. “Open Data Portal (slides)”."),
    )
    language = SelectField(_l("Language of the document"), default="en")
    visibility = SelectField(
        _l("Who may open it"),
        description=_l(
            "Staff always may. The municipality: its contacts too. "
            "Everyone: whoever may see this record."
        ),
    )
    file = FileField(_l("File"), validators=[FileRequired()])

    def __init__(self, record: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.language.choices = language_choices()
        self.visibility.choices = [
            (choice.value, choice.label) for choice in visibility_choices(record)
        ]
        if self.visibility.data is None:
            self.visibility.data = Visibility.STAFF.value


class ReplaceForm(TrackerForm):
    """A new file for an attachment; the version it was opened on guards it."""

    version_id = HiddenField()
    file = FileField(_l("New file"), validators=[FileRequired()])
