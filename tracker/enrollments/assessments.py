"""Assessments of an enrollment: the scored diagnosis, baseline and follow-up."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from tracker.enrollments.forms import (
    AssessmentForm,
)
from tracker.enrollments.routes import bp
from tracker.extensions import db
from tracker.forms import commit_or_stale, put_error
from tracker.i18n import format_day
from tracker.models import (
    Assessment,
    AssessmentKind,
    Enrollment,
)
from tracker.permissions import (
    EDITORS,
    get_editable_or_403,
    role_required,
)


def _assessment_or_404(enrollment: Enrollment, assessment_id: int) -> Assessment:
    assessment = next(
        (a for a in enrollment.assessments if a.id == assessment_id), None
    )
    if assessment is None:
        abort(404)
    return assessment


@bp.route("/<int:enrollment_id>/assessments/new", methods=("GET", "POST"))
@role_required(*EDITORS)
def create_assessment(enrollment_id: int):
    """Record a baseline or follow-up assessment with a score per area."""
    enrollment = get_editable_or_403(Enrollment, enrollment_id)
    form = AssessmentForm()
    if request.method == "GET":
        form.kind.data = "follow_up" if enrollment.baseline else "baseline"
        return render_template(
            "enrollments/assessment_form.html",
            form=form,
            enrollment=enrollment,
            assessment=None,
        )
    if form.validate():
        problem = enrollment.assessment_problem(form.kind.data, form.assessed_on.data)
        if problem is not None:
            put_error(form, problem)
        else:
            assessment = Assessment(enrollment=enrollment)
            form.apply_to(assessment)
            db.session.add(assessment)
            db.session.commit()
            day = format_day(assessment.assessed_on)
            if assessment.kind == AssessmentKind.BASELINE:
                message = _("The baseline assessment of %(day)s is recorded.", day=day)
            else:
                message = _("The follow-up assessment of %(day)s is recorded.", day=day)
            flash(message, "success")
            return redirect(url_for(".detail", enrollment_id=enrollment.id))
    return render_template(
        "enrollments/assessment_form.html",
        form=form,
        enrollment=enrollment,
        assessment=None,
    ), 422


@bp.route(
    "/<int:enrollment_id>/assessments/<int:assessment_id>/edit",
    methods=("GET", "POST"),
)
@role_required(*EDITORS)
def edit_assessment(enrollment_id: int, assessment_id: int):
    """Correct an assessment's date, kind or scores."""
    enrollment = get_editable_or_403(Enrollment, enrollment_id)
    assessment = _assessment_or_404(enrollment, assessment_id)
    form = AssessmentForm(obj=assessment)
    status = 200
    if request.method == "GET":
        form.load_version(assessment)
    elif form.is_stale(assessment):
        status = 409
    elif form.validate():
        problem = enrollment.assessment_problem(
            form.kind.data, form.assessed_on.data, assessment=assessment
        )
        if problem is not None:
            put_error(form, problem)
            status = 422
        else:
            form.apply_to(assessment)
            if commit_or_stale(form):
                flash(_("The assessment is saved."), "success")
                return redirect(url_for(".detail", enrollment_id=enrollment.id))
            status = 409
    else:
        status = 422
    return render_template(
        "enrollments/assessment_form.html",
        form=form,
        enrollment=enrollment,
        assessment=assessment,
    ), status


@bp.route(
    "/<int:enrollment_id>/assessments/<int:assessment_id>/delete", methods=("POST",)
)
@role_required(*EDITORS)
def delete_assessment(enrollment_id: int, assessment_id: int):
    """Delete an assessment; a baseline only once no follow-up relies on it."""
    enrollment = get_editable_or_403(Enrollment, enrollment_id)
    assessment = _assessment_or_404(enrollment, assessment_id)
    if assessment is enrollment.baseline and enrollment.latest_follow_up is not None:
        flash(
            _(
                "The baseline cannot be deleted while follow-ups compare against "
                "it; delete the follow-ups first."
            ),
            "error",
        )
        return redirect(url_for(".detail", enrollment_id=enrollment.id))
    db.session.delete(assessment)
    db.session.commit()
    flash(_("The assessment is deleted."), "success")
    return redirect(url_for(".detail", enrollment_id=enrollment.id))
