"""Privacy pages: a person's consent answers, their data export, erasure;
an event's legal basis for naming presenters; the retention policy."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.audit import current_actor
from tracker.extensions import db
from tracker.forms import commit_or_stale
from tracker.models import (
    ConsentMethod,
    Erasure,
    Event,
    ListingBasis,
    ListingConsent,
    Participation,
    Person,
    Role,
)
from tracker.permissions import EDITORS, SIGNED_IN, STAFF, role_required
from tracker.privacy import consent as consents
from tracker.privacy.erasure import ErasureError, erase_people
from tracker.privacy.export import as_json, person_data
from tracker.privacy.forms import (
    ALL_EVENTS,
    BasisForm,
    ConsentForm,
    EraseForm,
    WithdrawForm,
)
from tracker.privacy.retention import due_people, next_purge, retention_years
from tracker.translation import gettext as _

bp = Blueprint("privacy", __name__, url_prefix="/privacy")


def can_export(person: Person, user) -> bool:
    """Coordinators and admins export anyone; a user their own record."""
    return user.is_authenticated and (
        user.can_edit_records
        or (user.person_id is not None and user.person_id == person.id)
    )


def _exportable_or_404(person_id: int) -> Person:
    person = db.get_or_404(Person, person_id)
    if not can_export(person, current_user):
        # Staff may know the person exists; everyone else learns nothing.
        abort(403 if current_user.is_staff else 404)
    return person


def _participations(person: Person) -> list[Participation]:
    return list(
        db.session.scalars(
            select(Participation)
            .where(Participation.person_id == person.id)
            .options(joinedload(Participation.event))
            .order_by(Participation.id)
        )
    )


def _render_person(person: Person, status: int = 200, **forms):
    participations = _participations(person)
    history = list(
        db.session.scalars(
            select(ListingConsent)
            .where(ListingConsent.person_id == person.id)
            .options(joinedload(ListingConsent.participation))
            .order_by(ListingConsent.id.desc())
        )
    )
    erasure = db.session.scalar(select(Erasure).where(Erasure.person_id == person.id))
    context = {
        "person": person,
        "consents": history,
        "is_named": consents.is_named_anywhere(person),
        "erasure": erasure,
        "consent_form": forms.get("consent_form") or ConsentForm(participations),
        "withdraw_form": WithdrawForm(),
        "erase_form": forms.get("erase_form") or EraseForm(),
        "can_manage": current_user.can_edit_records,
    }
    return render_template("privacy/person.html", **context), status


@bp.route("/people/<int:person_id>")
@role_required(*STAFF)
def person(person_id: int):
    """A person's consent to be named in public, export and erasure."""
    return _render_person(db.get_or_404(Person, person_id))


@bp.route("/people/<int:person_id>/consents", methods=("POST",))
@role_required(*EDITORS)
def record_consent(person_id: int):
    """Record a person's answer, for every event or for one participation."""
    person = db.get_or_404(Person, person_id)
    participations = _participations(person)
    form = ConsentForm(participations)
    if not form.validate_on_submit():
        return _render_person(person, 422, consent_form=form)
    chosen = None
    if form.scope.data != ALL_EVENTS:
        chosen = next(p for p in participations if str(p.id) == form.scope.data)
    consents.record_consent(
        person,
        current_user,
        ConsentMethod(form.method.data),
        is_given=form.answer.data == "yes",
        participation=chosen,
        note=form.note.data,
    )
    if commit_or_stale(form):
        flash(_("The answer is recorded."), "success")
        return redirect(url_for(".person", person_id=person.id))
    return _render_person(person, 409, consent_form=form)


@bp.route("/consents/<int:consent_id>/withdraw", methods=("POST",))
@role_required(*EDITORS)
def withdraw(consent_id: int):
    """Withdraw an answer: the person is counted, not named, from now on."""
    consent = db.get_or_404(ListingConsent, consent_id)
    form = WithdrawForm()
    if form.validate_on_submit():
        consents.withdraw_consent(
            consent, current_user, ConsentMethod(form.method.data)
        )
        if commit_or_stale(form):
            flash(_("The answer is withdrawn."), "success")
    else:
        flash(_("Choose how the withdrawal was made."), "error")
    return redirect(url_for(".person", person_id=consent.person_id))


@bp.route("/people/<int:person_id>/export")
@role_required(*SIGNED_IN)
def export(person_id: int):
    """Everything stored about a person, as a readable page."""
    person = _exportable_or_404(person_id)
    return render_template(
        "privacy/export.html", person=person, data=person_data(person)
    )


@bp.route("/people/<int:person_id>/export.json")
@role_required(*SIGNED_IN)
def export_json(person_id: int):
    """Everything stored about a person, as a JSON download."""
    person = _exportable_or_404(person_id)
    return Response(
        as_json(person_data(person)),
        mimetype="application/json",
        headers={
            "Content-Disposition": f"attachment; filename=person-{person.id}.json"
        },
    )


@bp.route("/me")
@role_required(*SIGNED_IN)
def mine():
    """The signed-in user's own data: their person record's export."""
    if current_user.person_id is None:
        return render_template("privacy/me.html")
    return redirect(url_for(".export", person_id=current_user.person_id))


@bp.route("/people/<int:person_id>/erase", methods=("POST",))
@role_required(*EDITORS)
def erase(person_id: int):
    """Erase a person: every personal field replaced, every total kept."""
    person = db.get_or_404(Person, person_id)
    form = EraseForm()
    if not form.validate_on_submit():
        return _render_person(person, 422, erase_form=form)
    try:
        count = erase_people([person], current_actor().label, "request")
    except ErasureError:
        db.session.rollback()
        flash(_("This person's data is erased already."), "error")
        return redirect(url_for(".person", person_id=person_id))
    db.session.commit()
    flash(
        _(
            "The person's data is erased; %(count)d audit entries lost their "
            "stored values. Their participations remain, anonymous, in every total.",
            count=count,
        ),
        "success",
    )
    return redirect(url_for(".person", person_id=person_id))


@bp.route("/events/<int:event_id>/basis", methods=("GET", "POST"))
@role_required(*EDITORS)
def basis(event_id: int):
    """Choose the documented legal basis for naming the event's presenters."""
    event = db.get_or_404(Event, event_id)
    current = consents.listing_basis(event)
    form = BasisForm(obj=current) if current else BasisForm()
    if form.validate_on_submit():
        consents.choose_basis(
            event, ListingBasis(form.basis.data), form.explanation.data, current_user
        )
        if commit_or_stale(form):
            flash(_("The legal basis is recorded."), "success")
            return redirect(url_for("events.detail", event_id=event.id))
    status = 422 if form.errors else 200
    return (
        render_template("privacy/basis.html", event=event, form=form, current=current),
        status,
    )


@bp.route("/retention")
@role_required(Role.ADMIN)
def retention():
    """The retention policy, who is past it now and the next purge."""
    return render_template(
        "privacy/retention.html",
        years=retention_years(),
        due=due_people(),
        upcoming=next_purge(),
        erasures=db.session.scalar(select(db.func.count(Erasure.id))),
    )
