"""API endpoints: stats, the dashboard's figures for API clients."""

from flask import jsonify, request

from tracker.api.core import BadParameter, bp
from tracker.api.schemas import ERROR_RESPONSES, json_response, query_parameter, ref
from tracker.dashboards.figures import build_dashboard
from tracker.dashboards.filters import YEAR_MAX, YEAR_MIN, parse_filters, reference_data
from tracker.permissions import STAFF, role_required


@bp.route("/stats")
@role_required(*STAFF)
def stats():
    """The dashboard's figures, funnels, charts and data-quality counts, filtered."""
    reference = reference_data()
    filters, problems = parse_filters(request.args, reference)
    if problems:
        name, message = problems[0]
        raise BadParameter(name, message)
    return jsonify(build_dashboard(reference, filters).as_dict())


_COUNT = {"type": "integer", "minimum": 0}
_YEAR = {"type": "integer", "minimum": YEAR_MIN, "maximum": YEAR_MAX}
FIGURES = (
    "municipalities_engaged",
    "countries",
    "enrollments",
    "ready_to_join",
    "completed",
    "events_held",
    "people_took_part",
    "participations_attended",
    "iltp_people_in_training",
    "iltp_leaders_trained",
    "testimonials_published",
    "testimonials_awaiting_review",
)
DATA_QUALITY = (
    "municipalities_missing_contact",
    "stale_enrollments",
    "events_with_registered",
    "overdue_testimonials",
)

OPENAPI_SCHEMAS = {
    "StatsFilters": {
        "type": "object",
        "description": "The filters the figures were computed with (null: all).",
        "required": ["program", "country", "from", "to"],
        "properties": {
            "program": {"type": ["string", "null"]},
            "country": {"type": ["string", "null"]},
            "from": {"type": ["integer", "null"], "minimum": YEAR_MIN},
            "to": {"type": ["integer", "null"], "maximum": YEAR_MAX},
        },
        "additionalProperties": False,
    },
    "StatsStage": {
        "type": "object",
        "required": [
            "code",
            "name",
            "kind",
            "position",
            "enrollments",
            "median_days",
            "stays_measured",
        ],
        "properties": {
            "code": {"type": "string"},
            "name": {"type": "string"},
            "kind": {"enum": ["working", "completed", "withdrawn"]},
            "position": {"type": "integer"},
            "enrollments": _COUNT,
            "median_days": {
                "type": ["number", "null"],
                "description": "Median days spent in the stage by enrollments "
                "that left it; null when none has.",
            },
            "stays_measured": _COUNT,
        },
        "additionalProperties": False,
    },
    "StatsProgram": {
        "type": "object",
        "description": "A program's funnel: enrollments per current stage.",
        "required": [
            "code",
            "name",
            "enrollments",
            "ready_to_join",
            "completed",
            "withdrawn",
            "stages",
        ],
        "properties": {
            "code": {"type": "string"},
            "name": {"type": "string"},
            "enrollments": _COUNT,
            "ready_to_join": _COUNT,
            "completed": _COUNT,
            "withdrawn": _COUNT,
            "stages": {"type": "array", "items": ref("StatsStage")},
        },
        "additionalProperties": False,
    },
    "ChartTable": {
        "type": "object",
        "description": "A chart's numbers: the first column labels each row, "
        "the others are series (null: not applicable).",
        "required": ["title", "description", "columns", "rows"],
        "properties": {
            "title": {"type": "string"},
            "description": {"type": "string"},
            "columns": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "rows": {
                "type": "array",
                "items": {
                    "type": "array",
                    "prefixItems": [{"type": "string"}],
                    "items": {"type": ["number", "null"]},
                },
            },
        },
        "additionalProperties": False,
    },
    "Stats": {
        "type": "object",
        "description": "The dashboard's numbers.",
        "required": ["filters", "figures", "programs", "charts", "data_quality"],
        "properties": {
            "filters": ref("StatsFilters"),
            "figures": {
                "type": "object",
                "required": [*FIGURES, "iltp_required_trainings"],
                "properties": {
                    **{name: _COUNT for name in FIGURES},
                    "iltp_required_trainings": {"type": ["integer", "null"]},
                },
                "additionalProperties": False,
            },
            "programs": {"type": "array", "items": ref("StatsProgram")},
            "charts": {
                "type": "object",
                "additionalProperties": ref("ChartTable"),
            },
            "data_quality": {
                "type": "object",
                "required": list(DATA_QUALITY),
                "properties": {name: _COUNT for name in DATA_QUALITY},
                "additionalProperties": False,
            },
        },
        "additionalProperties": False,
    },
}

OPENAPI_PATHS = {
    "/stats": {
        "get": {
            "operationId": "getStats",
            "summary": "The dashboard's figures",
            "description": "Figures, program funnels, chart tables and data-quality "
            "counts, as on the dashboard, with the same filters. Staff only.",
            "tags": ["stats"],
            "parameters": [
                query_parameter(
                    "program",
                    {"type": "string", "maxLength": 10},
                    "Program code (ACP, ILTP, MFSA).",
                ),
                query_parameter(
                    "country",
                    {"type": "string", "minLength": 2, "maxLength": 2},
                    "Country ISO 3166-1 alpha-2 code (Kosovo: XK).",
                ),
                query_parameter("from", _YEAR, "First year (inclusive).", 2012),
                query_parameter("to", _YEAR, "Last year (inclusive).", 2030),
            ],
            "responses": {
                "200": json_response("The figures.", ref("Stats")),
                **ERROR_RESPONSES,
            },
        }
    }
}
