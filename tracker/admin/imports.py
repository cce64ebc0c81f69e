"""CSV import of municipalities, people and participations: check, then commit."""

from __future__ import annotations

from flask import Response, abort, render_template
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from wtforms import BooleanField, SelectChoice, SelectField, SubmitField

from tracker.admin.routes import bp
from tracker.dataio.engine import FileRefused, decode_csv, template_csv
from tracker.dataio.engine import import_csv as run_import
from tracker.dataio.registry import KINDS
from tracker.extensions import db
from tracker.forms import TrackerForm
from tracker.permissions import EDITORS, role_required
from tracker.translation import lazy_gettext as _l

MAX_UPLOAD_BYTES = 5 * 1024 * 1024

# What each kind of file is called on the form (the kind's name otherwise).
KIND_LABELS = {
    "municipalities": _l("Municipalities"),
    "people": _l("People"),
    "participations": _l("Participations"),
}


class ImportForm(TrackerForm):
    kind = SelectField(
        _l("What the file holds"),
        choices=[
            SelectChoice(name, KIND_LABELS.get(name, name.capitalize()))
            for name in KINDS
        ],
    )
    file = FileField(
        _l("CSV file (UTF-8)"),
        validators=[
            FileRequired(_l("Choose a CSV file.")),
            FileAllowed(["csv"], _l("Only .csv files can be imported.")),
            FileSize(MAX_UPLOAD_BYTES, message=_l("The file is larger than 5 MB.")),
        ],
    )
    confirm_duplicates = BooleanField(
        _l("Import rows that look like existing records too"),
        description=_l(
            "Tick this only once the check has listed them and you know they "
            "are different records."
        ),
    )
    check = SubmitField(_l("Check only"))
    commit = SubmitField(_l("Import"))


def _read_text(form: ImportForm) -> str | None:
    """The upload as text, or None (with a field error) if it is not UTF-8 CSV."""
    upload = form.file.data
    try:
        return decode_csv(upload.read(MAX_UPLOAD_BYTES + 1))
    except FileRefused as refused:
        form.file.errors.append(str(refused))
        return None
    finally:
        upload.close()  # a large upload is spooled to a temporary file


@bp.route("/import", methods=("GET", "POST"))
@role_required(*EDITORS)
def import_csv():
    """Upload a CSV file: check every row, then import all or nothing."""
    form = ImportForm()
    report = None
    if form.validate_on_submit() and (text := _read_text(form)) is not None:
        report = run_import(
            db.session,
            KINDS[form.kind.data],
            text,
            commit=bool(form.commit.data),
            confirm_duplicates=form.confirm_duplicates.data,
        )
        db.session.commit()
    return render_template(
        "admin/import.html",
        form=form,
        report=report,
        kinds=KINDS,
        committed=bool(form.commit.data),
    )


@bp.route("/import/<kind>/template.csv")
@role_required(*EDITORS)
def import_template(kind: str):
    """A template CSV for one kind: its header and one example row."""
    if kind not in KINDS:
        abort(404)
    return Response(
        template_csv(KINDS[kind]).encode("utf-8"),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{kind}-template.csv"'},
    )
