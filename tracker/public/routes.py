"""Pages for everyone: the home page with the program's figures, and open data."""

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    url_for,
)
from flask_login import current_user

from tracker.auth.forms import LanguageForm
from tracker.auth.routes import safe_next_url
from tracker.cache import cached, cached_page
from tracker.dashboards.figures import program_funnels
from tracker.dashboards.filters import Filters, reference_data
from tracker.dashboards.scalars import public_scalars, run_scalars
from tracker.dashboards.series import enrollment_counts
from tracker.extensions import db
from tracker.i18n import COOKIE, COOKIE_MAX_AGE
from tracker.permissions import public
from tracker.public.open_data import DATASETS
from tracker.tabular import csv_response
from tracker.testimonials.queries import featured_testimonials

bp = Blueprint("public", __name__)


@bp.route("/")
@public
@cached_page
def home():
    """The public home page: what the program has achieved, in figures."""
    filters = Filters()

    def compute() -> dict:
        reference = reference_data()
        counts = enrollment_counts(filters)
        return {
            "figures": run_scalars(public_scalars(filters)),
            "funnels": program_funnels(reference, filters, counts, []),
        }

    # The figures change with the data and with the day (events held so far).
    # Featured testimonials stay outside the cache: ORM rows must not outlive
    # their session. One query.
    return render_template(
        "public/home.html",
        **cached("home", filters.today, compute),
        featured=featured_testimonials(limit=3),
    )


@bp.route("/open-data")
@public
def open_data():
    """The open datasets, their downloads and their data dictionary."""
    return render_template("public/open_data.html", datasets=DATASETS.values())


@bp.route("/open-data/<dataset>.<any(csv, json):file_format>")
@public
def open_data_file(dataset: str, file_format: str):
    """One open dataset as CSV (UTF-8 with BOM) or JSON."""
    if dataset not in DATASETS:
        abort(404)
    definition = DATASETS[dataset]
    rows = definition.rows()
    names = [field.name for field in definition.fields]
    if file_format == "csv":
        return csv_response(
            f"upp-{dataset}.csv", names, ([row[name] for name in names] for row in rows)
        )
    response = jsonify(
        {
            "dataset": definition.name,
            "title": str(definition.title),
            "description": str(definition.description),
            "fields": [
                {"name": f.name, "type": f.type, "description": str(f.description)}
                for f in definition.fields
            ],
            "items": rows,
        }
    )
    response.headers["Content-Disposition"] = (
        f'attachment; filename="upp-{dataset}.json"'
    )
    return response


@bp.route("/language", methods=("POST",))
@public
def choose_language():
    """Switch the interface language (remembered in a cookie, and on the
    profile of a signed-in user)."""
    form = LanguageForm()
    back = safe_next_url(form.next.data) or url_for(".home")
    if not form.validate_on_submit():
        return redirect(back)
    if current_user.is_authenticated:
        current_user.locale = form.language.data
        db.session.commit()
    response = redirect(back)
    response.set_cookie(
        COOKIE,
        form.language.data,
        max_age=COOKIE_MAX_AGE,
        samesite="Lax",
        httponly=True,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response
