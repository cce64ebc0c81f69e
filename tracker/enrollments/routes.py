"""Enrollments and their stage changes, one at a time (bulk moves: bulk.py)."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from tracker.cache import cached_page
from tracker.documents.panels import documents_panel
from tracker.enrollments import services
from tracker.enrollments.forms import (
    BulkMoveForm,
    EnrollmentEditForm,
    EnrollmentForm,
    StageChangeForm,
)
from tracker.enrollments.io import ENROLLMENT_COLUMNS, enrollment_row
from tracker.enrollments.queries import (
    ENROLLMENT_PAGE,
    ENROLLMENT_SORTING,
    filtered_enrollments,
)
from tracker.enrollments.services import DuplicateEnrollment
from tracker.extensions import db
from tracker.forms import (
    STALE_MESSAGE,
    choices,
    commit_or_stale,
    placeholder,
    put_error,
)
from tracker.history import history_for
from tracker.i18n import format_day
from tracker.lists import paginate
from tracker.models import (
    ASSESSMENT_AREAS,
    Cohort,
    Country,
    Enrollment,
    Municipality,
    Program,
    Stage,
)
from tracker.models.programs import InvalidTransition
from tracker.permissions import (
    EDITORS,
    SIGNED_IN,
    STAFF,
    get_editable_or_403,
    get_viewable_or_404,
    role_required,
)
from tracker.programs.queries import programs_with_stages
from tracker.tabular import export_response

bp = Blueprint("enrollments", __name__, url_prefix="/enrollments")


def _acting_user():
    return current_user._get_current_object()


def _stage_choices(program: Program, exclude: Stage | None = None):
    return placeholder(_("Choose a stage…")) + choices(
        (stage.id, stage.name) for stage in program.stages if stage is not exclude
    )


def _cohort_choices(program: Program):
    return placeholder(_("No cohort")) + choices(
        (cohort.id, cohort.label) for cohort in program.cohorts
    )


# -- the list ----------------------------------------------------------------


def _filter_options() -> dict:
    """What the filter form offers: programs, stage codes, countries, cohorts."""
    programs = programs_with_stages()
    stage_names: dict[str, str] = {}
    for program in programs:
        for stage in program.stages:
            stage_names.setdefault(stage.code, stage.name)
    countries = db.session.scalars(
        select(Country).where(Country.is_program_country).order_by(Country.name)
    ).all()
    return {
        "programs": programs,
        "stage_names": stage_names,
        "countries": countries,
    }


@bp.route("/")
@role_required(*SIGNED_IN)
@cached_page
def index():
    """Enrollments with filters; contacts see only their own municipality's."""
    page = paginate(filtered_enrollments(request.args, current_user))
    options = _filter_options()
    bulk_program = None
    if current_user.can_edit_records and request.args.get("program"):
        code = request.args["program"].strip().upper()
        bulk_program = next((p for p in options["programs"] if p.code == code), None)
    bulk_form = None
    if bulk_program is not None:
        bulk_form = BulkMoveForm(formdata=None)
        bulk_form.stage_id.choices = _stage_choices(bulk_program)
    return render_template(
        "enrollments/index.html",
        page=page,
        sort=ENROLLMENT_SORTING.key(request.args),
        bulk_program=bulk_program,
        bulk_form=bulk_form,
        **options,
    )


# -- one enrollment ----------------------------------------------------------


def _stage_form(enrollment: Enrollment, formdata=None) -> StageChangeForm:
    """The stage-change form: blank and stamped with the version, or as posted."""
    form = StageChangeForm(formdata=formdata)
    if formdata is None:
        form.load_version(enrollment)
    form.stage_id.choices = _stage_choices(
        enrollment.program, exclude=enrollment.current_stage
    )
    return form


def _render_detail(enrollment: Enrollment, stage_form=None, status: int = 200):
    if stage_form is None and enrollment.can_edit(current_user):
        stage_form = _stage_form(enrollment)
    return render_template(
        "enrollments/detail.html",
        enrollment=enrollment,
        stage_form=stage_form,
        timeline=enrollment.timeline(),
        comparison=enrollment.comparison(),
        areas=ASSESSMENT_AREAS,
        history=history_for(db.session, enrollment) if current_user.is_staff else None,
        documents=documents_panel(
            [
                (_("This enrollment"), enrollment),
                *[
                    (
                        f"{change.to_stage.name}, {format_day(change.effective_on)}",
                        change,
                    )
                    for change in enrollment.stage_changes
                ],
            ],
            current_user,
        ),
    ), status


@bp.route("/<int:enrollment_id>")
@role_required(*SIGNED_IN)
@cached_page
def detail(enrollment_id: int):
    """An enrollment: its stage timeline, assessments and, for staff, history."""
    return _render_detail(
        get_viewable_or_404(Enrollment, enrollment_id, ENROLLMENT_PAGE)
    )


@bp.route("/<int:enrollment_id>/stage", methods=("POST",))
@role_required(*EDITORS)
def change_stage(enrollment_id: int):
    """Move an enrollment to another stage, with a date and a note."""
    enrollment = get_viewable_or_404(Enrollment, enrollment_id, ENROLLMENT_PAGE)
    form = _stage_form(enrollment, formdata=request.form)
    if form.is_stale(enrollment):
        return _render_detail(enrollment, form, 409)
    if not form.validate():
        return _render_detail(enrollment, form, 422)
    stage = next(s for s in enrollment.program.stages if s.id == form.stage_id.data)
    try:
        services.move(
            enrollment,
            stage,
            form.effective_on.data,
            _acting_user(),
            form.note.data or "",
        )
    except InvalidTransition as error:
        put_error(form, error)
        return _render_detail(enrollment, form, 422)
    if not commit_or_stale(form):
        return _render_detail(
            get_viewable_or_404(Enrollment, enrollment_id, ENROLLMENT_PAGE), form, 409
        )
    flash(
        _(
            "%(municipality)s moved to “%(stage)s” on %(day)s.",
            municipality=enrollment.municipality.name,
            stage=stage.name,
            day=format_day(form.effective_on.data),
        ),
        "success",
    )
    return redirect(url_for(".detail", enrollment_id=enrollment.id))


@bp.route("/<int:enrollment_id>/stage/undo", methods=("POST",))
@role_required(*EDITORS)
def undo_stage_change(enrollment_id: int):
    """Take back the newest stage change of an enrollment (a mistake)."""
    enrollment = get_viewable_or_404(Enrollment, enrollment_id, ENROLLMENT_PAGE)
    if str(enrollment.version_id) != request.form.get("version_id", ""):
        flash(_(STALE_MESSAGE), "error")
        return redirect(url_for(".detail", enrollment_id=enrollment.id))
    try:
        change = enrollment.undo_last_change()
    except InvalidTransition as error:
        flash(error.message, "error")
        return redirect(url_for(".detail", enrollment_id=enrollment.id))
    db.session.delete(change)
    if not commit_or_stale():
        flash(_(STALE_MESSAGE), "error")
        return redirect(url_for(".detail", enrollment_id=enrollment_id))
    flash(
        _(
            "The move to “%(stage)s” is taken back; %(municipality)s is at "
            "“%(current)s” again.",
            stage=change.to_stage.name,
            municipality=enrollment.municipality.name,
            current=enrollment.current_stage.name,
        ),
        "success",
    )
    return redirect(url_for(".detail", enrollment_id=enrollment.id))


# -- create, edit, delete ----------------------------------------------------


def _fill_enrollment_choices(form: EnrollmentForm, programs: list[Program]) -> None:
    municipalities = db.session.scalars(
        select(Municipality)
        .join(Municipality.country)
        .options(selectinload(Municipality.country))
        .order_by(Country.name, Municipality.name)
    ).all()
    form.municipality_id.choices = placeholder(_("Choose a municipality…")) + [
        choice
        for municipality in municipalities
        for choice in choices(
            [(municipality.id, municipality.name)], municipality.country.name
        )
    ]
    form.program_id.choices = placeholder(_("Choose a program…")) + [
        SelectChoice(
            str(program.id),
            f"{program.code}: {program.name}",
            render_kw={"data-program-code": program.code},
        )
        for program in programs
    ]
    # Stages and cohorts grouped by program (<optgroup>): enrollments.js
    # offers only the chosen program's groups. Every program's stay listed
    # for validation, so a stage of another program gets the rule's own
    # message (Enrollment.start), not "Not a valid choice".
    form.cohort_id.choices = placeholder(_("No cohort")) + [
        choice
        for program in programs
        for choice in choices(((c.id, c.label) for c in program.cohorts), program.code)
    ]
    form.stage_id.choices = placeholder(_("Choose a stage…")) + [
        choice
        for program in programs
        for choice in choices(((s.id, s.name) for s in program.stages), program.code)
    ]


@bp.route("/new", methods=("GET", "POST"))
@role_required(*EDITORS)
def create():
    """Enroll a municipality in a program at its first (or a chosen) stage."""
    programs = programs_with_stages()
    form = EnrollmentForm()
    _fill_enrollment_choices(form, programs)
    if request.method == "GET":
        _prefill(form, request.args, programs)
        return render_template("enrollments/form.html", form=form, enrollment=None)
    existing = None
    if form.validate():
        program = next(p for p in programs if p.id == form.program_id.data)
        municipality = db.session.get(Municipality, form.municipality_id.data)
        stage = db.session.get(Stage, form.stage_id.data)
        cohort = (
            db.session.get(Cohort, form.cohort_id.data)
            if form.cohort_id.data is not None
            else None
        )
        try:
            enrollment = services.enroll(
                municipality,
                program,
                stage,
                form.effective_on.data,
                _acting_user(),
                cohort=cohort,
                applied_on=form.applied_on.data,
                notes=form.notes.data or "",
            )
            db.session.commit()
        except DuplicateEnrollment as error:
            db.session.rollback()
            put_error(form, error)
            existing = error.enrollment_id
        except InvalidTransition as error:
            db.session.rollback()
            put_error(form, error)
        except IntegrityError:
            # Two coordinators enrolled the same municipality at once: the
            # unique constraint caught what the check above could not.
            db.session.rollback()
            error = DuplicateEnrollment(
                municipality, program, services.find_enrollment(municipality, program)
            )
            put_error(form, error)
            existing = error.enrollment_id
        else:
            flash(
                _(
                    "%(municipality)s is enrolled in %(program)s at “%(stage)s”.",
                    municipality=enrollment.municipality.name,
                    program=program.code,
                    stage=stage.name,
                ),
                "success",
            )
            return redirect(url_for(".detail", enrollment_id=enrollment.id))
    return render_template(
        "enrollments/form.html", form=form, enrollment=None, existing=existing
    ), 422


def _prefill(form: EnrollmentForm, args: Mapping[str, str], programs) -> None:
    """Links such as "Enroll in ACP" preselect the program and its first stage."""
    code = (args.get("program") or "").strip().upper()
    program = next((p for p in programs if p.code == code), None)
    if program is not None:
        form.program_id.data = program.id
        if program.first_stage is not None:
            form.stage_id.data = program.first_stage.id
    municipality_id = (args.get("municipality_id") or "").strip()
    if municipality_id.isdigit() and len(municipality_id) < 12:
        form.municipality_id.data = int(municipality_id)


@bp.route("/<int:enrollment_id>/edit", methods=("GET", "POST"))
@role_required(*EDITORS)
def edit(enrollment_id: int):
    """Change an enrollment's cohort, application date and notes."""
    enrollment = get_editable_or_403(Enrollment, enrollment_id)
    form = EnrollmentEditForm(obj=enrollment)
    form.cohort_id.choices = _cohort_choices(enrollment.program)
    status = 200
    if request.method == "GET":
        form.load_version(enrollment)
    elif form.is_stale(enrollment):
        status = 409
    elif form.validate():
        form.apply_to(enrollment)
        if commit_or_stale(form):
            flash(
                _(
                    "The enrollment of %(municipality)s is saved.",
                    municipality=enrollment.municipality.name,
                ),
                "success",
            )
            return redirect(url_for(".detail", enrollment_id=enrollment.id))
        status = 409
    else:
        status = 422
    return render_template(
        "enrollments/form.html", form=form, enrollment=enrollment
    ), status


@bp.route("/<int:enrollment_id>/delete", methods=("POST",))
@role_required(*EDITORS)
def delete(enrollment_id: int):
    """Delete an enrollment made by mistake (refused once it has a history)."""
    enrollment = get_editable_or_403(Enrollment, enrollment_id)
    if len(enrollment.stage_changes) > 1 or enrollment.assessments:
        flash(
            _(
                "The enrollment of %(municipality)s has a stage history or "
                "assessments, so it cannot be deleted; move it to “Withdrawn” "
                "instead.",
                municipality=enrollment.municipality.name,
            ),
            "error",
        )
        return redirect(url_for(".detail", enrollment_id=enrollment.id))
    name, code = enrollment.municipality.name, enrollment.program.code
    for change in enrollment.stage_changes:
        db.session.delete(change)
    db.session.delete(enrollment)
    db.session.commit()
    flash(
        _(
            "The enrollment of %(municipality)s in %(program)s is deleted.",
            municipality=name,
            program=code,
        ),
        "success",
    )
    return redirect(url_for(".index", program=code))


# -- bulk move -----------------------------------------------------------------


@bp.route("/export.<fmt>")
@role_required(*STAFF)
def export(fmt: str):
    """The enrollment list, as filtered (program, stage, country, cohort, year, q)."""
    query = filtered_enrollments(request.args, current_user)
    return export_response(
        fmt,
        "enrollments",
        ENROLLMENT_COLUMNS,
        query,
        enrollment_row,
        title=_("Enrollments"),
    )
