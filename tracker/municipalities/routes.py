"""Countries and municipalities."""

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from tracker.cache import cached_page
from tracker.documents.panels import documents_panel
from tracker.enrollments.queries import municipality_enrollments
from tracker.events.queries import municipality_participations
from tracker.extensions import db
from tracker.forms import commit_or_stale, form_status
from tracker.history import history_for
from tracker.lists import paginate, search_text
from tracker.merging import (
    get_viewable_or_redirect,
    merge_candidates,
    merge_form,
    other_record,
    submit_merge,
)
from tracker.models import (
    Country,
    Municipality,
    Role,
)
from tracker.municipalities.forms import (
    CountryForm,
    MunicipalityContactForm,
    MunicipalityFilterForm,
    MunicipalityForm,
)
from tracker.municipalities.io import MUNICIPALITIES, municipality_row
from tracker.municipalities.queries import (
    MUNICIPALITY_SORTING,
    countries_with_counts,
    country_references,
    filtered_municipalities,
    municipality_named_alike,
    municipality_references,
)
from tracker.municipalities.services import (
    MUNICIPALITY_MERGE_FIELDS,
    MunicipalityMergePlan,
    merge_municipalities,
    plan_municipality_merge,
)
from tracker.permissions import (
    EDITORS,
    SIGNED_IN,
    STAFF,
    get_editable_or_403,
    get_viewable_or_404,
    role_required,
)
from tracker.tabular import export_response
from tracker.testimonials.queries import visible_testimonials

bp = Blueprint("municipalities", __name__, url_prefix="/municipalities")


def refused_delete_message(name: str, references: list[str]) -> str:
    return _(
        "%(name)s cannot be deleted because other records depend on it: "
        "%(references)s. Remove or reassign them first.",
        name=name,
        references=", ".join(references),
    )


def duplicate_context(form, duplicate: Municipality | None) -> dict:
    """What the form template shows about a municipality a save would duplicate;
    the confirmation box appears only then."""
    if duplicate is None:
        del form.confirm_duplicate
        return {}
    return {
        "duplicate_label": f"{duplicate.name}, {duplicate.country.name}",
        "duplicate_url": url_for(".detail", municipality_id=duplicate.id),
    }


def unconfirmed_duplicate(
    form: MunicipalityForm, except_id: int | None = None
) -> Municipality | None:
    """The municipality the form's name duplicates, unless the user confirmed."""
    if form.confirm_duplicate.data:
        return None
    return municipality_named_alike(form.name.data, form.country_id.data, except_id)


def name_taken() -> str:
    return _("This country already has a municipality with this name.")


@bp.route("/")
@role_required(*SIGNED_IN)
@cached_page
def index():
    """List the municipalities you may see, with search, filters and sorting."""
    form = MunicipalityFilterForm(request.args, scoped=not current_user.is_staff)
    page = paginate(filtered_municipalities(request.args, current_user))
    return render_template(
        "municipalities/index.html",
        form=form,
        page=page,
        sort=MUNICIPALITY_SORTING.key(request.args),
    )


@bp.route("/<int:municipality_id>")
@role_required(*SIGNED_IN)
@cached_page
def detail(municipality_id: int):
    """A municipality's record: contacts, people, programs, events, testimonials."""
    municipality = get_viewable_or_redirect(
        Municipality,
        municipality_id,
        ".detail",
        options=[joinedload(Municipality.country), selectinload(Municipality.people)],
    )
    return render_template(
        "municipalities/detail.html",
        municipality=municipality,
        enrollments=municipality_enrollments(municipality.id),
        participations=municipality_participations(municipality.id),
        testimonials=visible_testimonials(
            current_user, municipality_id=municipality.id
        ),
        history=history_for(db.session, municipality) if current_user.is_staff else [],
        documents=documents_panel(
            [(_("This municipality"), municipality)], current_user
        ),
    )


@bp.route("/new", methods=("GET", "POST"))
@role_required(*EDITORS)
def create():
    """Add a municipality."""
    form = MunicipalityForm()
    duplicate = None
    if form.validate_on_submit() and not (duplicate := unconfirmed_duplicate(form)):
        municipality = Municipality()
        form.apply_to(municipality)
        db.session.add(municipality)
        if commit_or_stale(form, form.name, name_taken()):
            flash(_("%(name)s is added.", name=municipality.name), "success")
            return redirect(url_for(".detail", municipality_id=municipality.id))
    return render_template(
        "municipalities/form.html",
        form=form,
        municipality=None,
        **duplicate_context(form, duplicate),
    ), form_status(form)


@bp.route("/<int:municipality_id>/edit", methods=("GET", "POST"))
@role_required(*EDITORS)
def edit(municipality_id: int):
    """Edit every field of a municipality."""
    municipality = get_editable_or_403(Municipality, municipality_id)
    form = MunicipalityForm(obj=municipality)
    duplicate = None
    if request.method == "GET":
        form.load_version(municipality)
    elif (
        not form.is_stale(municipality)
        and form.validate_on_submit()
        and not (duplicate := unconfirmed_duplicate(form, municipality.id))
    ):
        form.apply_to(municipality)
        if commit_or_stale(form, form.name, name_taken()):
            flash(_("%(name)s is updated.", name=municipality.name), "success")
            return redirect(url_for(".detail", municipality_id=municipality.id))
    return render_template(
        "municipalities/form.html",
        form=form,
        municipality=municipality,
        **duplicate_context(form, duplicate),
    ), form_status(form)


@bp.route("/<int:municipality_id>/contact", methods=("GET", "POST"))
@role_required(Role.CONTACT, *EDITORS)
def edit_contact(municipality_id: int):
    """Change how to reach a municipality: website, address, e-mail, phone."""
    municipality = get_viewable_or_404(Municipality, municipality_id)
    if not municipality.can_edit_contact_details(current_user):
        abort(403)
    form = MunicipalityContactForm(obj=municipality)
    if request.method == "GET":
        form.load_version(municipality)
    elif not form.is_stale(municipality) and form.validate_on_submit():
        form.apply_to(municipality)
        if commit_or_stale(
            form, form.email, _("The contact details could not be saved.")
        ):
            flash(
                _(
                    "The contact details of %(name)s are updated.",
                    name=municipality.name,
                ),
                "success",
            )
            return redirect(url_for(".detail", municipality_id=municipality.id))
    return render_template(
        "municipalities/contact_form.html", form=form, municipality=municipality
    ), form_status(form)


@bp.route("/<int:municipality_id>/delete", methods=("POST",))
@role_required(*EDITORS)
def delete(municipality_id: int):
    """Delete a municipality that no other record refers to."""
    municipality = get_editable_or_403(Municipality, municipality_id)
    name = municipality.name
    if references := municipality_references(municipality):
        flash(refused_delete_message(name, references), "error")
        return redirect(url_for(".detail", municipality_id=municipality_id))
    db.session.delete(municipality)
    try:
        db.session.commit()
    except IntegrityError:
        # Something came to refer to it since the check above.
        db.session.rollback()
        flash(
            _("%(name)s cannot be deleted: other records now depend on it.", name=name),
            "error",
        )
        return redirect(url_for(".detail", municipality_id=municipality_id))
    flash(_("%(name)s is deleted.", name=name), "success")
    return redirect(url_for(".index"))


@bp.route("/countries/")
@role_required(*STAFF)
def countries():
    """List the countries and how many municipalities each has."""
    return render_template(
        "municipalities/countries.html", countries=countries_with_counts()
    )


@bp.route("/countries/new", methods=("GET", "POST"))
@role_required(*EDITORS)
def create_country():
    """Add a country."""
    form = CountryForm()
    if form.validate_on_submit():
        country = Country()
        form.apply_to(country)
        db.session.add(country)
        if commit_or_stale(
            form, form.code, _("Another country has this code or name.")
        ):
            flash(_("%(name)s is added.", name=country.name), "success")
            return redirect(url_for(".countries"))
    return render_template(
        "municipalities/country_form.html", form=form, country=None
    ), form_status(form)


@bp.route("/countries/<int:country_id>/edit", methods=("GET", "POST"))
@role_required(*EDITORS)
def edit_country(country_id: int):
    """Edit a country's code, name and program flag."""
    country = db.get_or_404(Country, country_id)
    form = CountryForm(obj=country)
    if request.method == "GET":
        form.load_version(country)
    elif not form.is_stale(country) and form.validate_on_submit():
        form.apply_to(country)
        if commit_or_stale(
            form, form.code, _("Another country has this code or name.")
        ):
            flash(_("%(name)s is updated.", name=country.name), "success")
            return redirect(url_for(".countries"))
    return render_template(
        "municipalities/country_form.html", form=form, country=country
    ), form_status(form)


@bp.route("/countries/<int:country_id>/delete", methods=("POST",))
@role_required(*EDITORS)
def delete_country(country_id: int):
    """Delete a country that no municipality or event refers to."""
    country = db.get_or_404(Country, country_id)
    name = country.name
    if references := country_references(country):
        flash(refused_delete_message(name, references), "error")
        return redirect(url_for(".countries"))
    db.session.delete(country)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        flash(
            _("%(name)s cannot be deleted: other records now depend on it.", name=name),
            "error",
        )
        return redirect(url_for(".countries"))
    flash(_("%(name)s is deleted.", name=name), "success")
    return redirect(url_for(".countries"))


@bp.route("/export.<fmt>")
@role_required(*STAFF)
def export(fmt: str):
    """The municipality list, as filtered, in the import file's columns."""
    query = filtered_municipalities(request.args, current_user)
    return export_response(
        fmt,
        "municipalities",
        MUNICIPALITIES.columns,
        query,
        municipality_row,
        title=_("Municipalities"),
    )


MUNICIPALITY_SHOWN = {
    "name": lambda municipality: municipality.name,
    "region": lambda municipality: municipality.region,
    "population": lambda municipality: (
        format_decimal(municipality.population)
        if municipality.population is not None
        else ""
    ),
    "website": lambda municipality: municipality.website,
    "address": lambda municipality: municipality.address,
    "email": lambda municipality: municipality.email,
    "phone": lambda municipality: municipality.phone,
    "notes": lambda municipality: municipality.notes,
}


def municipality_merge_consequences(plan: MunicipalityMergePlan) -> list[str]:
    """The merge page's sentences: what moves, and which enrollments are dropped."""
    sentences = [
        _(
            "%(people)s people, %(accounts)s user accounts, %(enrollments)s "
            "enrollments, %(participations)s participations and %(testimonials)s "
            "testimonials of %(other)s move to %(this)s.",
            people=len(plan.people),
            accounts=len(plan.users),
            enrollments=len(plan.enrollments),
            participations=len(plan.participations),
            testimonials=len(plan.testimonials),
            other=plan.loser.name,
            this=plan.survivor.name,
        )
    ]
    for clash in plan.clashes:
        sentences.append(
            _(
                "Both are enrolled in %(program)s: the enrollment of %(this)s is "
                "kept and takes the assessments of the other; the stage history "
                "of %(other)s in it is removed.",
                program=clash.kept.program.name,
                this=plan.survivor.name,
                other=plan.loser.name,
            )
        )
    return sentences


@bp.route("/<int:municipality_id>/merge", methods=("GET", "POST"))
@role_required(*EDITORS)
def merge(municipality_id: int):
    """Merge another municipality (``?other=``) into this one, field by field."""
    municipality = get_editable_or_403(Municipality, municipality_id)
    other = other_record(Municipality, municipality, request.args)
    if other is None:
        q = search_text(request.args) or municipality.name
        found = merge_candidates(
            Municipality,
            municipality,
            q,
            (Municipality.name, Municipality.id),
            options=[joinedload(Municipality.country)],
        )
        candidates = [
            (
                f"{candidate.name}, {candidate.country.name}",
                url_for(".merge", municipality_id=municipality.id, other=candidate.id),
            )
            for candidate in found
        ]
        return render_template(
            "municipalities/merge.html",
            municipality=municipality,
            other=None,
            q=q,
            candidates=candidates,
        )
    plan = plan_municipality_merge(db.session, municipality, other)
    form = merge_form(
        MUNICIPALITY_MERGE_FIELDS, municipality, other, MUNICIPALITY_SHOWN
    )
    name = other.name
    if form.validate_on_submit() and submit_merge(
        form,
        municipality,
        other,
        lambda: merge_municipalities(
            db.session, plan, form.taken_from_other(MUNICIPALITY_MERGE_FIELDS)
        ),
    ):
        flash(
            _("%(other)s is merged into %(name)s.", other=name, name=municipality.name),
            "success",
        )
        return redirect(url_for(".detail", municipality_id=municipality.id))
    return render_template(
        "municipalities/merge.html",
        municipality=municipality,
        other=other,
        form=form,
        fields=MUNICIPALITY_MERGE_FIELDS,
        consequences=municipality_merge_consequences(plan),
    ), form_status(form)
