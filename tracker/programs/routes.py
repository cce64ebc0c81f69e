"""Programs: their pages, stages, cohorts and ILTP leaders' certificates."""

from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import AnonymousUserMixin, current_user
from sqlalchemy import exists, or_, select
from sqlalchemy.exc import IntegrityError

from tracker.cache import cached_page
from tracker.enrollments.queries import filtered_enrollments
from tracker.errors import error_response
from tracker.extensions import db
from tracker.forms import commit_or_stale
from tracker.history import history_for
from tracker.lists import paginate
from tracker.models import (
    Cohort,
    Enrollment,
    Person,
    Program,
    Role,
    Stage,
    StageChange,
    StageKind,
)
from tracker.permissions import EDITORS, STAFF, public, role_required
from tracker.programs import leaders
from tracker.programs.forms import CohortForm, ProgramForm, StageForm
from tracker.programs.queries import (
    figures_by_program,
    program_by_code,
    program_participants,
    programs_with_stages,
    public_program_events,
    recent_stage_changes,
)
from tracker.testimonials.queries import visible_testimonials
from tracker.translation import N_

bp = Blueprint("programs", __name__, url_prefix="/programs")

STAGE_TAKEN = N_("Another stage of this program already uses this code or position.")
COHORT_TAKEN = N_("This program already has a cohort with this name.")


def get_program_or_404(code: str) -> Program:
    program = program_by_code(code) if len(code) <= 10 else None
    if program is None:
        abort(404)
    return program


@bp.route("/")
@public
@cached_page
def index():
    """All programs with where their municipalities stand."""
    programs = programs_with_stages()
    return render_template(
        "programs/index.html",
        programs=programs,
        figures=figures_by_program(programs),
        public_page=not current_user.is_authenticated,
    )


# The canonical URL carries the program's code (/programs/ACP); the numeric
# one redirects there, so links built either way keep working.
@bp.route("/<int:program_id>", endpoint="detail")
@bp.route("/<code>", endpoint="detail")
@public
@cached_page
def detail(code: str | None = None, program_id: int | None = None):
    """A program: stages with counts, cohorts, municipalities, recent changes;
    for the public, what the program is and who takes part."""
    if program_id is not None:
        program = db.get_or_404(Program, program_id)
        return redirect(url_for(".detail", code=program.code, **request.args))
    program = get_program_or_404(code or "")
    if program.code != code:
        return redirect(url_for(".detail", code=program.code, **request.args))
    if not current_user.is_authenticated:
        return _public_detail(program)
    args = {**request.args.to_dict(), "program": program.code}
    args.setdefault("sort", "stage")
    page = paginate(filtered_enrollments(args, current_user), request.args)
    leader_rows = leaders.training_progress(program) if program.tracks_training else []
    figures = figures_by_program([program], with_stays=True)[program.id]
    return render_template(
        "programs/detail.html",
        program=program,
        figures=figures,
        stage_counts=[figures.by_stage.get(stage.id, 0) for stage in program.stages],
        durations=figures.stays,
        cohort_counts=figures.by_cohort,
        page=page,
        sort=args["sort"],
        recent_changes=recent_stage_changes(program, current_user),
        trained=[
            row for row in leader_rows if row[2] >= (program.required_trainings or 0)
        ],
        in_training=[
            row for row in leader_rows if row[2] < (program.required_trainings or 0)
        ],
        testimonials=visible_testimonials(current_user, program_id=program.id, limit=5),
        history=history_for(db.session, program) if current_user.is_staff else None,
    )


def _public_detail(program: Program):
    """The program as citizens see it: the same page for every visitor."""
    figures = figures_by_program([program])[program.id]
    visitor = AnonymousUserMixin()
    return render_template(
        "programs/public_detail.html",
        public_page=True,
        program=program,
        figures=figures,
        participants=program_participants(program),
        testimonials=visible_testimonials(visitor, program_id=program.id, limit=10),
        events=public_program_events(program),
    )


@bp.route("/<code>/edit", methods=("GET", "POST"))
@role_required(Role.ADMIN)
def edit(code: str):
    """Change a program's name, description, start date and training rule."""
    program = get_program_or_404(code)
    form = ProgramForm(obj=program)
    if request.method == "GET":
        form.load_version(program)
    elif form.is_stale(program):
        return render_template("programs/form.html", form=form, program=program), 409
    elif form.validate():
        form.apply_to(program)
        if commit_or_stale(form):
            flash(_("The program %(code)s is saved.", code=program.code), "success")
            return redirect(url_for(".detail", code=program.code))
        return render_template("programs/form.html", form=form, program=program), 409
    status = 422 if request.method == "POST" else 200
    return render_template("programs/form.html", form=form, program=program), status


def _stage_in_use(stage: Stage) -> bool:
    return bool(
        db.session.scalar(
            select(
                exists().where(Enrollment.current_stage_id == stage.id)
                | exists().where(
                    or_(
                        StageChange.to_stage_id == stage.id,
                        StageChange.from_stage_id == stage.id,
                    )
                )
            )
        )
    )


def _check_stage_unique(form: StageForm, program: Program, stage: Stage | None) -> bool:
    """Put a message beside the code or position another stage already uses."""
    ok = True
    for other in program.stages:
        if other is stage:
            continue
        if other.code == form.code.data:
            form.code.errors.append(
                _(
                    "%(program)s already has a stage “%(code)s”.",
                    program=program.code,
                    code=other.code,
                )
            )
            ok = False
        if other.position == form.position.data:
            form.position.errors.append(
                _(
                    "“%(stage)s” already has position %(position)s; "
                    "choose a free one (gaps are fine).",
                    stage=other.name,
                    position=other.position,
                )
            )
            ok = False
    return ok


@bp.route("/<code>/stages/new", methods=("GET", "POST"))
@role_required(Role.ADMIN)
def create_stage(code: str):
    """Add a stage to a program."""
    program = get_program_or_404(code)
    form = StageForm()
    if request.method == "GET":
        form.position.data = max((s.position for s in program.stages), default=0) + 10
        form.kind.data = StageKind.WORKING.value
    elif form.validate() and _check_stage_unique(form, program, None):
        stage = Stage(program=program)
        form.apply_to(stage)
        db.session.add(stage)
        if commit_or_stale(form, form.code, _(STAGE_TAKEN)):
            flash(
                _(
                    "The stage “%(stage)s” is added to %(program)s.",
                    stage=stage.name,
                    program=program.code,
                ),
                "success",
            )
            return redirect(url_for(".detail", code=program.code))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "programs/stage_form.html", form=form, program=program, stage=None
    ), status


@bp.route("/stages/<int:stage_id>/edit", methods=("GET", "POST"))
@role_required(Role.ADMIN)
def edit_stage(stage_id: int):
    """Rename, reorder or describe a stage."""
    stage = db.get_or_404(Stage, stage_id)
    program = stage.program
    form = StageForm(obj=stage)
    status = 200
    if request.method == "GET":
        form.load_version(stage)
        form.kind.data = stage.kind.value
    elif form.is_stale(stage):
        status = 409
    elif form.validate() and _check_stage_unique(form, program, stage):
        if stage.kind != StageKind(form.kind.data) and _stage_in_use(stage):
            form.kind.errors.append(
                _(
                    "Enrollments use this stage, so its kind cannot change: "
                    "that would rewrite what their history means."
                )
            )
            status = 422
        else:
            form.apply_to(stage)
            if commit_or_stale(form, form.code, _(STAGE_TAKEN)):
                flash(_("The stage “%(stage)s” is saved.", stage=stage.name), "success")
                return redirect(url_for(".detail", code=program.code))
            status = 409 if form.form_errors else 422
    else:
        status = 422
    return render_template(
        "programs/stage_form.html", form=form, program=program, stage=stage
    ), status


@bp.route("/stages/<int:stage_id>/delete", methods=("POST",))
@role_required(Role.ADMIN)
def delete_stage(stage_id: int):
    """Delete a stage no enrollment has ever used."""
    stage = db.get_or_404(Stage, stage_id)
    program = stage.program
    if _stage_in_use(stage):
        flash(
            _(
                "The stage “%(stage)s” is in use by enrollments or their history, "
                "so it cannot be deleted.",
                stage=stage.name,
            ),
            "error",
        )
        return redirect(url_for(".detail", code=program.code))
    name = stage.name
    db.session.delete(stage)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        flash(
            _("The stage “%(stage)s” came into use and was not deleted.", stage=name),
            "error",
        )
        return redirect(url_for(".detail", code=program.code))
    flash(
        _(
            "The stage “%(stage)s” is deleted from %(program)s.",
            stage=name,
            program=program.code,
        ),
        "success",
    )
    return redirect(url_for(".detail", code=program.code))


def _check_cohort_unique(form: CohortForm, program: Program, cohort: Cohort | None):
    taken = db.session.scalar(
        select(Cohort.id).where(
            Cohort.program_id == program.id,
            Cohort.name == form.name.data,
            Cohort.id != (cohort.id if cohort is not None else -1),
        )
    )
    if taken is not None:
        form.name.errors.append(
            _("%(program)s already has a cohort with this name.", program=program.code)
        )
        return False
    return True


@bp.route("/<code>/cohorts/new", methods=("GET", "POST"))
@role_required(*EDITORS)
def create_cohort(code: str):
    """Add an intake (cohort) to a program."""
    program = get_program_or_404(code)
    form = CohortForm()
    if request.method == "POST":
        if form.validate() and _check_cohort_unique(form, program, None):
            cohort = Cohort(program=program)
            form.apply_to(cohort)
            db.session.add(cohort)
            if commit_or_stale(form, form.name, _(COHORT_TAKEN)):
                flash(
                    _("The cohort “%(cohort)s” is added.", cohort=cohort.name),
                    "success",
                )
                return redirect(url_for(".detail", code=program.code))
        return render_template(
            "programs/cohort_form.html", form=form, program=program, cohort=None
        ), 422
    return render_template(
        "programs/cohort_form.html", form=form, program=program, cohort=None
    )


@bp.route("/cohorts/<int:cohort_id>/edit", methods=("GET", "POST"))
@role_required(*EDITORS)
def edit_cohort(cohort_id: int):
    """Rename a cohort or correct its year."""
    cohort = db.get_or_404(Cohort, cohort_id)
    program = cohort.program
    form = CohortForm(obj=cohort)
    status = 200
    if request.method == "GET":
        form.load_version(cohort)
    elif form.is_stale(cohort):
        status = 409
    elif form.validate() and _check_cohort_unique(form, program, cohort):
        form.apply_to(cohort)
        if commit_or_stale(form, form.name, _(COHORT_TAKEN)):
            flash(_("The cohort “%(cohort)s” is saved.", cohort=cohort.name), "success")
            return redirect(url_for(".detail", code=program.code))
        status = 409 if form.form_errors else 422
    else:
        status = 422
    return render_template(
        "programs/cohort_form.html", form=form, program=program, cohort=cohort
    ), status


@bp.route("/cohorts/<int:cohort_id>/delete", methods=("POST",))
@role_required(*EDITORS)
def delete_cohort(cohort_id: int):
    """Delete a cohort that no enrollment belongs to."""
    cohort = db.get_or_404(Cohort, cohort_id)
    program = cohort.program
    if db.session.scalar(select(exists().where(Enrollment.cohort_id == cohort.id))):
        flash(
            _(
                "The cohort “%(cohort)s” still has enrollments; move them to "
                "another cohort before deleting it.",
                cohort=cohort.name,
            ),
            "error",
        )
        return redirect(url_for(".detail", code=program.code))
    name = cohort.name
    db.session.delete(cohort)
    db.session.commit()
    flash(_("The cohort “%(cohort)s” is deleted.", cohort=name), "success")
    return redirect(url_for(".detail", code=program.code))


@bp.route("/<code>/leaders/<int:person_id>/certificate")
@role_required(*STAFF)
def certificate(code: str, person_id: int):
    """A printable completion certificate for a trained leader."""
    program = get_program_or_404(code)
    person = db.get_or_404(Person, person_id)
    if not program.tracks_training:
        return error_response(
            403,
            _(
                "%(program)s has no training requirement, so it gives no certificates.",
                program=program.code,
            ),
        )
    record = leaders.leader_record(program, person.id)
    if record is None:
        return error_response(
            403,
            ngettext(
                "%(name)s is not trained yet: a certificate needs "
                "%(num)d attended %(program)s trainings.",
                "%(name)s is not trained yet: a certificate needs "
                "%(num)d attended %(program)s trainings.",
                program.required_trainings,
                name=person.full_name,
                program=program.code,
            ),
        )
    _leader, municipality, count = record
    return render_template(
        "programs/certificate.html",
        program=program,
        person=person,
        municipality=municipality,
        count=count,
        trainings=leaders.attended_trainings(program, person.id),
        today=date.today(),
    )
