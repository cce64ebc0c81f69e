"""Moving many enrollments to one stage at once (from the enrollments list)."""

from __future__ import annotations

from collections.abc import Mapping

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from tracker.enrollments import services
from tracker.enrollments.forms import (
    BulkMoveForm,
)
from tracker.enrollments.routes import _acting_user, _stage_choices, bp
from tracker.extensions import db
from tracker.models import (
    Enrollment,
    Municipality,
    Program,
)
from tracker.permissions import (
    EDITORS,
    role_required,
)

MAX_BULK = 500


def _selected_ids(form: Mapping) -> list[int]:
    ids: list[int] = []
    for raw in form.getlist("enrollment_ids"):
        raw = raw.strip()
        if raw.isdigit() and len(raw) < 12 and int(raw) not in ids:
            ids.append(int(raw))
    return ids[:MAX_BULK]


def _versions(form: Mapping, ids: list[int]) -> dict[int, int | None]:
    versions: dict[int, int | None] = {}
    for enrollment_id in ids:
        raw = (form.get(f"version_{enrollment_id}") or "").strip()
        versions[enrollment_id] = int(raw) if raw.isdigit() and len(raw) < 12 else None
    return versions


@bp.route("/bulk-move", methods=("POST",))
@role_required(*EDITORS)
def bulk_move():
    """Preview, then move, several enrollments of one program: all or nothing."""
    ids = _selected_ids(request.form)
    enrollments = (
        db.session.scalars(
            select(Enrollment)
            .join(Enrollment.municipality)
            .where(Enrollment.id.in_(ids))
            .options(
                selectinload(Enrollment.municipality),
                selectinload(Enrollment.program).selectinload(Program.stages),
                selectinload(Enrollment.current_stage),
                selectinload(Enrollment.stage_changes),
            )
            .order_by(Municipality.name, Enrollment.id)
        ).all()
        if ids
        else []
    )
    if not enrollments:
        flash(_("Select at least one enrollment to move."), "error")
        return redirect(url_for(".index"))
    programs = {enrollment.program for enrollment in enrollments}
    if len(programs) != 1:
        flash(
            _("A bulk move works on the enrollments of one program at a time."),
            "error",
        )
        return redirect(url_for(".index"))
    program = programs.pop()
    form = BulkMoveForm()
    form.stage_id.choices = _stage_choices(program)
    confirming = request.form.get("action") == "confirm"
    context = {"form": form, "program": program, "enrollments": enrollments}
    if not form.validate():
        return render_template("enrollments/bulk_move.html", rows=None, **context), 422
    stage = next(s for s in program.stages if s.id == form.stage_id.data)
    note = form.note.data or ""
    if not confirming:
        rows = services.preview_bulk_move(
            enrollments, stage, form.effective_on.data, note
        )
        return render_template("enrollments/bulk_move.html", rows=rows, **context)
    try:
        changes = services.bulk_move(
            enrollments,
            stage,
            form.effective_on.data,
            _acting_user(),
            note,
            expected_versions=_versions(request.form, ids),
        )
        db.session.commit()
    except services.BulkMoveRefused as refused:
        db.session.rollback()
        form.form_errors.append(refused.message)
        return render_template(
            "enrollments/bulk_move.html", rows=refused.rows, **context
        ), 422
    except StaleDataError:
        db.session.rollback()
        flash(
            _(
                "Nothing was moved: someone changed one of these enrollments "
                "meanwhile. Select them again to see where they stand now."
            ),
            "error",
        )
        return redirect(url_for(".index", program=program.code))
    flash(
        ngettext(
            "%(num)d enrollment of %(program)s moved to “%(stage)s”.",
            "%(num)d enrollments of %(program)s moved to “%(stage)s”.",
            len(changes),
            program=program.code,
            stage=stage.name,
        ),
        "success",
    )
    return redirect(url_for(".index", program=program.code))


# -- assessments ---------------------------------------------------------------
