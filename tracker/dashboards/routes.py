"""The managers' dashboard: figures, charts, program funnels and data quality."""

from flask import Blueprint, abort, render_template, request

from tracker.cache import cached_page
from tracker.dashboards.figures import CHART_NAMES, build_charts, build_dashboard
from tracker.dashboards.filters import parse_filters, reference_data
from tracker.dashboards.quality import (
    DATA_QUALITY_CHECKS,
    DATA_QUALITY_LIMIT,
    data_quality_lists,
)
from tracker.permissions import STAFF, role_required
from tracker.tabular import csv_response

bp = Blueprint("dashboards", __name__, url_prefix="/dashboard")


@bp.before_request
@role_required(*STAFF)
def guard() -> None:
    """Every dashboard page is for staff only, whatever its decorator says."""


@bp.route("/")
@role_required(*STAFF)
@cached_page
def index():
    """Figures, charts, program funnels and data-quality counts, filtered."""
    reference = reference_data()
    filters, problems = parse_filters(request.args, reference)
    dashboard = build_dashboard(reference, filters)
    return render_template(
        "dashboards/index.html",
        dashboard=dashboard,
        reference=reference,
        filters=filters,
        problems=problems,
        checks=DATA_QUALITY_CHECKS,
    )


@bp.route("/charts/<name>.csv")
@role_required(*STAFF)
def chart_csv(name: str):
    """One chart's numbers as CSV, with the same filters as the dashboard."""
    if name not in CHART_NAMES:
        abort(404)
    reference = reference_data()
    filters, _ = parse_filters(request.args, reference)
    chart = build_charts(reference, filters, [name])[name]
    slug = filters.slug()
    return csv_response(
        f"{name}{'_' + slug if slug else ''}.csv", chart.header, chart.rows
    )


@bp.route("/data-quality")
@role_required(*STAFF)
def data_quality():
    """The records that need fixing, each linked to its page."""
    reference = reference_data()
    filters, problems = parse_filters(request.args, reference)
    return render_template(
        "dashboards/data_quality.html",
        lists=data_quality_lists(filters),
        checks=DATA_QUALITY_CHECKS,
        limit=DATA_QUALITY_LIMIT,
        reference=reference,
        filters=filters,
        problems=problems,
    )
