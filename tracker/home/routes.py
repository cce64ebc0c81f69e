"""``/home``: where each role lands after signing in."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template
from flask_login import current_user

from tracker.dashboards.figures import build_dashboard
from tracker.dashboards.filters import Filters, reference_data
from tracker.home import queries
from tracker.models import Role
from tracker.permissions import SIGNED_IN, role_required

bp = Blueprint("home", __name__, url_prefix="/home")


@bp.route("/")
@role_required(*SIGNED_IN)
def index():
    """The signed-in user's home: what waits for their role."""
    today = date.today()
    if current_user.role == Role.CONTACT:
        return _contact_home(current_user.municipality_id, today)
    if current_user.role == Role.MANAGER:
        return _manager_home()
    return render_template(
        "home/index.html",
        review_queue=queries.review_queue(),
        proposals=queries.proposals(),
        quiet=queries.quiet_enrollments(today),
        attendance=queries.events_needing_attendance(today),
        quiet_days=queries.QUIET_DAYS,
        today=today,
    )


def _contact_home(municipality_id: int, today: date):
    counts, latest = queries.municipality_testimonials(municipality_id)
    return render_template(
        "home/contact.html",
        municipality=queries.contact_municipality(municipality_id),
        enrollments=queries.municipality_programs(municipality_id),
        events=queries.municipality_events(municipality_id, today),
        testimonial_counts=counts,
        testimonials=latest,
    )


def _manager_home():
    # The dashboard's own figures, unfiltered: computed once per change of
    # the data and shared with the dashboard page.
    dashboard = build_dashboard(reference_data(), Filters())
    return render_template("home/manager.html", dashboard=dashboard)
