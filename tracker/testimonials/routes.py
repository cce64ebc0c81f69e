"""Testimonials: submission, review and the public page."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.auth.ratelimits import signed_in_user_key, testimonial_limit
from tracker.cache import cached_page
from tracker.extensions import db, limiter
from tracker.forms import STALE_MESSAGE, commit_or_stale
from tracker.history import history_for
from tracker.lists import paginate
from tracker.models import Role, Testimonial, TestimonialStatus, User
from tracker.models.testimonials import TestimonialError
from tracker.permissions import (
    EDITORS,
    SIGNED_IN,
    STAFF,
    get_editable_or_403,
    get_viewable_or_404,
    public,
    role_required,
)
from tracker.tabular import export_response
from tracker.testimonials import services
from tracker.testimonials.forms import ActionForm, NoteForm, TestimonialForm
from tracker.testimonials.io import TESTIMONIAL_COLUMNS, testimonial_row
from tracker.testimonials.queries import (
    CONTENT_FIELDS,
    SORTING,
    filter_options,
    filtered_testimonials,
    public_filter_options,
    public_testimonials,
    queued_testimonials,
    reviewer_corrections,
)

bp = Blueprint("testimonials", __name__, url_prefix="/testimonials")


def _me() -> User:
    return current_user._get_current_object()


@bp.route("/")
@role_required(*SIGNED_IN)
@cached_page
def index():
    """Testimonials: staff see all of them, a contact their municipality's."""
    query = filtered_testimonials(
        request.args, current_user, own_municipality=current_user.role == Role.CONTACT
    )
    page = paginate(query)
    return render_template(
        "testimonials/index.html",
        page=page,
        sort=SORTING.key(request.args),
        options=filter_options(current_user),
        statuses=list(TestimonialStatus),
    )


@bp.route("/public")
@public
@cached_page
def public_index():
    """Every approved testimonial, featured ones first."""
    page = paginate(public_testimonials(request.args))
    return render_template(
        "testimonials/public_index.html",
        page=page,
        options=public_filter_options(),
    )


@bp.route("/review")
@role_required(*EDITORS)
def review_queue():
    """Testimonials awaiting review, the longest waiting first."""
    page = paginate(queued_testimonials())
    return render_template("testimonials/review_queue.html", page=page)


@bp.route("/<int:testimonial_id>")
@public
def detail(testimonial_id: int):
    """One testimonial: public once approved, else staff and its municipality only."""
    testimonial = get_viewable_or_404(Testimonial, testimonial_id)
    return _render_detail(testimonial)


def _render_detail(
    testimonial: Testimonial,
    *,
    note_form: NoteForm | None = None,
    status: int = 200,
):
    if note_form is None:
        note_form = NoteForm(formdata=None)
        note_form.load_version(testimonial)
    staff = current_user.is_authenticated and current_user.is_staff
    private = testimonial.can_view_private(current_user)
    return (
        render_template(
            "testimonials/detail.html",
            testimonial=testimonial,
            note_form=note_form,
            corrections=reviewer_corrections(testimonial) if private else [],
            history=history_for(db.session, testimonial) if staff else None,
        ),
        status,
    )


@bp.route("/new", methods=("GET", "POST"))
@limiter.limit(testimonial_limit, methods=["POST"], key_func=signed_in_user_key)
@role_required(Role.CONTACT)
def create():
    """Write a testimonial for your own municipality: a draft, or submitted."""
    me = _me()
    municipality = me.municipality
    submitting = request.form.get("action") == "submit"
    form = TestimonialForm(municipality_id=municipality.id, needs_consent=submitting)
    if form.validate_on_submit():
        # The municipality and submitter come from the account, never the form.
        testimonial = Testimonial(
            municipality=municipality,
            municipality_id=municipality.id,
            submitted_by=me,
            submitted_by_id=me.id,
        )
        form.apply_to(testimonial)
        db.session.add(testimonial)
        try:
            if submitting:
                services.submit(testimonial, me)
        except TestimonialError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash(_saved_message(testimonial), "success")
            return redirect(url_for(".detail", testimonial_id=testimonial.id))
    return render_template(
        "testimonials/form.html", form=form, testimonial=None, for_reviewer=False
    )


@bp.route("/<int:testimonial_id>/edit", methods=("GET", "POST"))
@role_required(Role.CONTACT, *EDITORS)
def edit(testimonial_id: int):
    """Change a testimonial: its submitter until reviewed, reviewers to fix a typo."""
    testimonial = get_editable_or_403(Testimonial, testimonial_id)
    me = _me()
    for_reviewer = not testimonial.is_submitter(me)
    action = request.form.get("action", "save")
    form = TestimonialForm(
        municipality_id=testimonial.municipality_id,
        testimonial=testimonial,
        for_reviewer=for_reviewer,
        needs_consent=(
            testimonial.status == TestimonialStatus.SUBMITTED or action == "submit"
        ),
    )

    def page(status: int = 200):
        return (
            render_template(
                "testimonials/form.html",
                form=form,
                testimonial=testimonial,
                for_reviewer=for_reviewer,
            ),
            status,
        )

    if request.method == "GET":
        form.load_version(testimonial)
        return page()
    if not form.validate_on_submit():
        return page()
    if form.is_stale(testimonial):
        return page(409)
    before = _content(testimonial)
    was_submitted = testimonial.status == TestimonialStatus.SUBMITTED
    try:
        form.apply_to(testimonial)
        if for_reviewer:
            if _content(testimonial) != before:
                db.session.flush()  # the correction gets its own audit entry
                services.corrected(testimonial, me)
            if action == "approve":
                services.approve(testimonial, me)
        elif action == "submit" and testimonial.status == TestimonialStatus.DRAFT:
            services.submit(testimonial, me)
    except TestimonialError as error:
        db.session.rollback()
        form.form_errors.append(str(error))
        return page()
    if not commit_or_stale(form):
        return page(409)
    flash(
        _saved_message(
            testimonial, corrected=for_reviewer, was_submitted=was_submitted
        ),
        "success",
    )
    return redirect(url_for(".detail", testimonial_id=testimonial.id))


def _content(testimonial: Testimonial) -> tuple:
    return tuple(getattr(testimonial, field) for field in CONTENT_FIELDS)


def _saved_message(
    testimonial: Testimonial, corrected: bool = False, was_submitted: bool = False
) -> str:
    if testimonial.status == TestimonialStatus.APPROVED:
        return _("The testimonial is approved and now public.")
    if corrected:
        return _("Your corrections are saved; the submitter is told of them.")
    if was_submitted:
        return _("Your changes are saved; the testimonial still awaits review.")
    if testimonial.status == TestimonialStatus.SUBMITTED:
        return _("The testimonial is submitted; a coordinator will review it.")
    return _("The testimonial is saved as a draft. Submit it when it is ready.")


def _own_or_403(testimonial_id: int) -> Testimonial:
    """A testimonial the current contact wrote (404 if hidden, 403 if not theirs)."""
    testimonial = get_viewable_or_404(Testimonial, testimonial_id)
    if not testimonial.is_submitter(current_user):
        abort(403)
    return testimonial


def _take_step(
    testimonial: Testimonial,
    form: ActionForm | NoteForm,
    step: Callable[[], None],
    done: str,
    then: str | None = None,
):
    """Run one workflow step from a button: refuse a stale page or a step not
    allowed now with a message, otherwise commit and say what happened."""
    back = url_for(".detail", testimonial_id=testimonial.id)
    if form.is_stale(testimonial):
        flash(_(STALE_MESSAGE), "error")
        return redirect(back)
    try:
        step()
    except TestimonialError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(back)
    if not commit_or_stale(form):
        flash(_(STALE_MESSAGE), "error")
        return redirect(back)
    flash(done, "success")
    return redirect(then or back)


@bp.route("/<int:testimonial_id>/submit", methods=("POST",))
@limiter.limit(testimonial_limit, key_func=signed_in_user_key)
@role_required(Role.CONTACT)
def submit(testimonial_id: int):
    """Send your draft to the reviewers."""
    testimonial = _own_or_403(testimonial_id)
    me = _me()
    return _take_step(
        testimonial,
        ActionForm(),
        lambda: services.submit(testimonial, me),
        _("The testimonial is submitted; a coordinator will review it."),
    )


@bp.route("/<int:testimonial_id>/withdraw", methods=("POST",))
@role_required(Role.CONTACT)
def withdraw(testimonial_id: int):
    """Take your testimonial back out of review; it becomes a draft again."""
    testimonial = _own_or_403(testimonial_id)
    me = _me()
    return _take_step(
        testimonial,
        ActionForm(),
        lambda: services.withdraw(testimonial, me),
        _("The testimonial is withdrawn from review and is a draft again."),
    )


@bp.route("/<int:testimonial_id>/delete", methods=("POST",))
@role_required(Role.CONTACT)
def delete(testimonial_id: int):
    """Delete your draft."""
    testimonial = _own_or_403(testimonial_id)
    me = _me()

    def discard() -> None:
        testimonial.ensure_deletable(me)
        db.session.delete(testimonial)

    return _take_step(
        testimonial,
        ActionForm(),
        discard,
        _("The draft is deleted."),
        then=url_for(".index"),
    )


@bp.route("/<int:testimonial_id>/approve", methods=("POST",))
@role_required(*EDITORS)
def approve(testimonial_id: int):
    """Approve a submitted testimonial: it becomes public."""
    testimonial = get_viewable_or_404(Testimonial, testimonial_id)
    me = _me()
    return _take_step(
        testimonial,
        ActionForm(),
        lambda: services.approve(testimonial, me),
        _("The testimonial is approved and now public."),
    )


@bp.route("/<int:testimonial_id>/reject", methods=("POST",))
@role_required(*EDITORS)
def reject(testimonial_id: int):
    """Reject a submitted testimonial, with a note to the submitter."""
    testimonial = get_viewable_or_404(Testimonial, testimonial_id)
    form = NoteForm()
    if not form.validate_on_submit():
        return _render_detail(testimonial, note_form=form)
    me = _me()
    return _take_step(
        testimonial,
        form,
        lambda: services.reject(testimonial, me, form.note.data),
        _("The testimonial is rejected; the submitter can read your note."),
    )


@bp.route("/<int:testimonial_id>/feature", methods=("POST",))
@role_required(*EDITORS)
def feature(testimonial_id: int):
    """Show an approved testimonial first on the public pages."""
    testimonial = get_viewable_or_404(Testimonial, testimonial_id)
    me = _me()
    return _take_step(
        testimonial,
        ActionForm(),
        lambda: services.feature(testimonial, me),
        _("The testimonial is featured."),
    )


@bp.route("/<int:testimonial_id>/unfeature", methods=("POST",))
@role_required(*EDITORS)
def unfeature(testimonial_id: int):
    """Stop featuring a testimonial; it stays public."""
    testimonial = get_viewable_or_404(Testimonial, testimonial_id)
    me = _me()
    return _take_step(
        testimonial,
        ActionForm(),
        lambda: services.unfeature(testimonial, me),
        _("The testimonial is no longer featured; it stays public."),
    )


@bp.route("/<int:testimonial_id>/unpublish", methods=("POST",))
@role_required(*EDITORS)
def unpublish(testimonial_id: int):
    """Take an approved testimonial off the public pages, with a note."""
    testimonial = get_viewable_or_404(Testimonial, testimonial_id)
    form = NoteForm()
    if not form.validate_on_submit():
        return _render_detail(testimonial, note_form=form)
    me = _me()
    return _take_step(
        testimonial,
        form,
        lambda: services.unpublish(testimonial, me, form.note.data),
        _(
            "The testimonial is unpublished (now rejected); the submitter can "
            "read your note."
        ),
    )


@bp.route("/export.<fmt>")
@role_required(*STAFF)
def export(fmt: str):
    """The testimonial list, as filtered (status, program, event, country, q)."""
    query = filtered_testimonials(request.args, current_user)
    return export_response(
        fmt,
        "testimonials",
        TESTIMONIAL_COLUMNS,
        query,
        testimonial_row,
        title=_("Testimonials"),
    )
