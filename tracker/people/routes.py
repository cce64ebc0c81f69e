"""People who act for municipalities, and outside speakers and experts."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from tracker.cache import cached_page
from tracker.certificates.services import offers_for as certificate_offers
from tracker.events.queries import person_participations
from tracker.extensions import db
from tracker.forms import commit_or_stale, form_status
from tracker.history import history_for
from tracker.lists import int_arg, paginate, search_text
from tracker.merging import (
    get_viewable_or_redirect,
    merge_candidates,
    merge_form,
    other_record,
    submit_merge,
)
from tracker.models import Person
from tracker.models.enums import label
from tracker.municipalities.routes import refused_delete_message
from tracker.people.forms import PersonFilterForm, PersonForm
from tracker.people.io import PEOPLE, person_row
from tracker.people.queries import (
    PEOPLE_SORTING,
    filtered_people,
    person_named_alike,
    person_references,
)
from tracker.people.services import (
    PERSON_MERGE_FIELDS,
    PersonMergePlan,
    merge_people,
    plan_person_merge,
)
from tracker.permissions import (
    EDITORS,
    SIGNED_IN,
    STAFF,
    get_editable_or_403,
    role_required,
)
from tracker.privacy.erasure import is_erased
from tracker.tabular import export_response

bp = Blueprint("people", __name__, url_prefix="/people")


def duplicate_context(form: PersonForm, duplicate: Person | None) -> dict:
    """What the form template shows about a person a save would duplicate;
    the confirmation box appears only then."""
    if duplicate is None:
        del form.confirm_duplicate
        return {}
    return {
        "duplicate_label": f"{duplicate.full_name}, {duplicate.affiliation}",
        "duplicate_url": url_for(".detail", person_id=duplicate.id),
    }


def unconfirmed_duplicate(
    form: PersonForm, except_id: int | None = None
) -> Person | None:
    """The person of the same municipality the form's name duplicates, unless
    the user confirmed."""
    if form.confirm_duplicate.data:
        return None
    return person_named_alike(form.full_name.data, form.municipality_id.data, except_id)


def email_taken() -> str:
    return _("Another person already has this e-mail address.")


@bp.route("/")
@role_required(*SIGNED_IN)
@cached_page
def index():
    """List the people you may see, with search, filters and sorting."""
    form = PersonFilterForm(request.args, scoped=not current_user.is_staff)
    page = paginate(filtered_people(request.args, current_user))
    return render_template(
        "people/index.html",
        form=form,
        page=page,
        sort=PEOPLE_SORTING.key(request.args),
    )


@bp.route("/<int:person_id>")
@role_required(*SIGNED_IN)
@cached_page
def detail(person_id: int):
    """A person's details and the events they took part in."""
    person = get_viewable_or_redirect(Person, person_id, ".detail")
    participations = person_participations(person.id)
    return render_template(
        "people/detail.html",
        person=person,
        participations=participations,
        certificates=certificate_offers(person, participations, current_user),
        history=history_for(db.session, person) if current_user.is_staff else [],
    )


@bp.route("/new", methods=("GET", "POST"))
@role_required(*EDITORS)
def create():
    """Add a person (``?municipality_id=`` preselects their municipality)."""
    form = PersonForm(municipality_id=int_arg(request.args, "municipality_id"))
    duplicate = None
    if form.validate_on_submit() and not (duplicate := unconfirmed_duplicate(form)):
        person = Person()
        form.apply_to(person)
        db.session.add(person)
        if commit_or_stale(form, form.email, email_taken()):
            flash(_("%(name)s is added.", name=person.full_name), "success")
            return redirect(url_for(".detail", person_id=person.id))
    return render_template(
        "people/form.html",
        form=form,
        person=None,
        **duplicate_context(form, duplicate),
    ), form_status(form)


@bp.route("/<int:person_id>/edit", methods=("GET", "POST"))
@role_required(*EDITORS)
def edit(person_id: int):
    """Edit a person's details."""
    person = get_editable_or_403(Person, person_id)
    form = PersonForm(obj=person)
    duplicate = None
    if request.method == "GET":
        form.load_version(person)
    elif (
        not form.is_stale(person)
        and form.validate_on_submit()
        and not (duplicate := unconfirmed_duplicate(form, person.id))
    ):
        form.apply_to(person)
        if commit_or_stale(form, form.email, email_taken()):
            flash(_("%(name)s is updated.", name=person.full_name), "success")
            return redirect(url_for(".detail", person_id=person.id))
    return render_template(
        "people/form.html",
        form=form,
        person=person,
        **duplicate_context(form, duplicate),
    ), form_status(form)


@bp.route("/<int:person_id>/delete", methods=("POST",))
@role_required(*EDITORS)
def delete(person_id: int):
    """Delete a person that no other record refers to."""
    person = get_editable_or_403(Person, person_id)
    name = person.full_name
    if references := person_references(person):
        flash(refused_delete_message(name, references), "error")
        return redirect(url_for(".detail", person_id=person_id))
    db.session.delete(person)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        flash(
            _("%(name)s cannot be deleted: other records now depend on it.", name=name),
            "error",
        )
        return redirect(url_for(".detail", person_id=person_id))
    flash(_("%(name)s is deleted.", name=name), "success")
    return redirect(url_for(".index"))


@bp.route("/export.<fmt>")
@role_required(*STAFF)
def export(fmt: str):
    """The people list, as filtered, in the import file's columns."""
    return export_response(
        fmt,
        "people",
        PEOPLE.columns,
        filtered_people(request.args, current_user),
        person_row,
        title=_("People"),
    )


PERSON_SHOWN = {
    "full_name": lambda person: person.full_name,
    "position": lambda person: person.position,
    "organisation": lambda person: person.organisation,
    "municipality_id": lambda person: (
        f"{person.municipality.name} ({person.municipality.country.name})"
        if person.municipality
        else ""
    ),
    "email": lambda person: person.email or "",
    "phone": lambda person: person.phone,
}


def person_merge_consequences(plan: PersonMergePlan) -> list[str]:
    """The merge page's sentences: what moves, and which duplicates are dropped."""
    other = plan.loser.full_name
    sentences = [
        _(
            "%(count)s participations of %(other)s move to %(this)s.",
            count=len(plan.moved),
            other=other,
            this=plan.survivor.full_name,
        ),
        _(
            "%(testimonials)s testimonials and %(accounts)s user accounts move too.",
            testimonials=len(plan.testimonials),
            accounts=len(plan.users),
        ),
    ]
    for clash in plan.clashes:
        sentences.append(
            _(
                "Both are in %(event)s: the participation marked %(kept)s is kept, "
                "the one marked %(dropped)s is removed.",
                event=clash.kept.event.title,
                kept=label(clash.kept.attendance).lower(),
                dropped=label(clash.dropped.attendance).lower(),
            )
        )
    return sentences


@bp.route("/<int:person_id>/merge", methods=("GET", "POST"))
@role_required(*EDITORS)
def merge(person_id: int):
    """Merge another person (``?other=``) into this one, field by field."""
    person = get_editable_or_403(Person, person_id)
    other = other_record(Person, person, request.args)
    if other is None:
        q = search_text(request.args) or person.full_name
        candidates = [
            (
                f"{candidate.full_name}, {candidate.affiliation or '—'}",
                url_for(".merge", person_id=person.id, other=candidate.id),
            )
            for candidate in merge_candidates(
                Person, person, q, (Person.full_name, Person.id)
            )
        ]
        return render_template(
            "people/merge.html", person=person, other=None, q=q, candidates=candidates
        )
    if is_erased(person) or is_erased(other):
        flash(_("A person whose data was erased cannot be merged."), "error")
        return redirect(url_for(".detail", person_id=person.id))
    plan = plan_person_merge(db.session, person, other)
    form = merge_form(PERSON_MERGE_FIELDS, person, other, PERSON_SHOWN)
    name = other.full_name
    if form.validate_on_submit() and submit_merge(
        form,
        person,
        other,
        lambda: merge_people(
            db.session, plan, form.taken_from_other(PERSON_MERGE_FIELDS)
        ),
    ):
        flash(
            _("%(other)s is merged into %(name)s.", other=name, name=person.full_name),
            "success",
        )
        return redirect(url_for(".detail", person_id=person.id))
    return render_template(
        "people/merge.html",
        person=person,
        other=other,
        form=form,
        fields=PERSON_MERGE_FIELDS,
        consequences=person_merge_consequences(plan),
    ), form_status(form)
