"""API endpoints: enrollments of municipalities in programs (read-only).

Lists answer through ``paginated()`` and the same ``filtered_enrollments``
query as the HTML list, so page and API always agree. Contacts see only
their own municipality's enrollments; anyone else's answer 404.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, url_for
from flask_login import current_user

from tracker.api.core import bp, int_param, iso, paginated, sort_param, str_param
from tracker.api.schemas import (
    BAD_REQUEST,
    NOT_FOUND,
    PAGE_PARAMETERS,
    UNAUTHORIZED,
    json_response,
    page_of,
    path_parameter,
    query_parameter,
    ref,
    sort_parameter,
)
from tracker.enrollments.queries import (
    ENROLLMENT_PAGE,
    ENROLLMENT_SORTING,
    filtered_enrollments,
)
from tracker.models import Assessment, Enrollment, StageChange
from tracker.permissions import SIGNED_IN, get_viewable_or_404, role_required


def enrollment_json(enrollment: Enrollment) -> dict[str, Any]:
    municipality = enrollment.municipality
    cohort = enrollment.cohort
    stage = enrollment.current_stage
    return {
        "id": enrollment.id,
        "municipality": {
            "id": municipality.id,
            "name": municipality.name,
            "country": municipality.country.code,
        },
        "program": enrollment.program.code,
        "cohort": (
            {"id": cohort.id, "name": cohort.name, "year": cohort.year}
            if cohort is not None
            else None
        ),
        "stage": {"code": stage.code, "name": stage.name, "kind": stage.kind.value},
        "since": iso(enrollment.current_since),
        "applied_on": iso(enrollment.applied_on),
        "url": url_for("api.enrollment", enrollment_id=enrollment.id),
    }


def _change_json(change: StageChange, days: int | None) -> dict[str, Any]:
    return {
        "from": change.from_stage.code if change.from_stage else None,
        "to": change.to_stage.code,
        "effective_on": iso(change.effective_on),
        "days_in_stage": days,
        "note": change.note,
        "recorded_by": (
            change.recorded_by.display_name if change.recorded_by else None
        ),
        "recorded_at": change.recorded_at.isoformat(),
    }


def _assessment_json(assessment: Assessment) -> dict[str, Any]:
    return {
        "id": assessment.id,
        "assessed_on": iso(assessment.assessed_on),
        "kind": assessment.kind.value,
        "scores": assessment.scores,
        "average": round(assessment.average, 2),
    }


@bp.route("/enrollments")
@role_required(*SIGNED_IN)
def enrollments():
    """Enrollments, filtered like the HTML list; contacts get only their own."""
    args: dict[str, str] = {}
    for name, length in (("program", 10), ("stage", 40), ("country", 2), ("q", 100)):
        value = str_param(name, length)
        if value is not None:
            args[name] = value
    for name in ("cohort", "year"):
        value = int_param(name, minimum=0, maximum=1_000_000_000)
        if value is not None:
            args[name] = str(value)
    args["sort"] = sort_param(ENROLLMENT_SORTING.columns) or ENROLLMENT_SORTING.default
    return paginated(filtered_enrollments(args, current_user), enrollment_json)


@bp.route("/enrollments/<int:enrollment_id>")
@role_required(*SIGNED_IN)
def enrollment(enrollment_id: int):
    """One enrollment with its stage history and assessments."""
    found = get_viewable_or_404(Enrollment, enrollment_id, ENROLLMENT_PAGE)
    body = enrollment_json(found)
    body["notes"] = found.notes
    body["history"] = [
        _change_json(entry.change, entry.days) for entry in found.timeline()
    ]
    body["assessments"] = [_assessment_json(a) for a in found.assessments]
    return jsonify(body)


# -- OpenAPI 3.1 fragments, merged into /api/v1/openapi.json -------------------

_DATE = {"type": ["string", "null"], "format": "date"}

OPENAPI_SCHEMAS: dict[str, Any] = {
    "EnrollmentSummary": {
        "type": "object",
        "required": [
            "id",
            "municipality",
            "program",
            "cohort",
            "stage",
            "since",
            "applied_on",
            "url",
        ],
        "properties": {
            "id": {"type": "integer"},
            "municipality": {
                "type": "object",
                "required": ["id", "name", "country"],
                "properties": {
                    "id": {"type": "integer"},
                    "name": {"type": "string"},
                    "country": {"type": "string", "minLength": 2, "maxLength": 2},
                },
            },
            "program": {"type": "string"},
            "cohort": {"oneOf": [ref("Cohort"), {"type": "null"}]},
            "stage": {
                "type": "object",
                "required": ["code", "name", "kind"],
                "properties": {
                    "code": {"type": "string"},
                    "name": {"type": "string"},
                    "kind": {"enum": ["working", "completed", "withdrawn"]},
                },
            },
            "since": _DATE,
            "applied_on": _DATE,
            "url": {"type": "string"},
        },
    },
    "Enrollment": {
        "allOf": [
            ref("EnrollmentSummary"),
            {
                "type": "object",
                "required": ["notes", "history", "assessments"],
                "properties": {
                    "notes": {"type": "string"},
                    "history": {"type": "array", "items": ref("StageChange")},
                    "assessments": {"type": "array", "items": ref("Assessment")},
                },
            },
        ]
    },
    "StageChange": {
        "type": "object",
        "required": ["from", "to", "effective_on", "days_in_stage", "note"],
        "properties": {
            "from": {"type": ["string", "null"]},
            "to": {"type": "string"},
            "effective_on": {"type": "string", "format": "date"},
            "days_in_stage": {
                "type": ["integer", "null"],
                "description": "Days spent in the stage this change led to "
                "(so far, for the current stage; null for a final stage).",
            },
            "note": {"type": "string"},
            "recorded_by": {"type": ["string", "null"]},
            "recorded_at": {"type": "string", "format": "date-time"},
        },
    },
    "Assessment": {
        "type": "object",
        "required": ["id", "assessed_on", "kind", "scores", "average"],
        "properties": {
            "id": {"type": "integer"},
            "assessed_on": {"type": "string", "format": "date"},
            "kind": {"enum": ["baseline", "follow_up"]},
            "scores": {
                "type": "object",
                "description": "0-100 per area; higher means more dysfunction.",
                "additionalProperties": {
                    "type": "integer",
                    "minimum": 0,
                    "maximum": 100,
                },
            },
            "average": {"type": "number"},
        },
    },
    "EnrollmentPage": page_of("EnrollmentSummary"),
}

OPENAPI_PATHS: dict[str, Any] = {
    "/api/v1/enrollments": {
        "get": {
            "summary": "List enrollments (contacts: their own municipality's only)",
            "tags": ["programs"],
            "parameters": [
                query_parameter(
                    "program", {"type": "string"}, "Program code, e.g. ACP."
                ),
                query_parameter(
                    "stage", {"type": "string"}, "Stage code, e.g. diagnosis."
                ),
                query_parameter(
                    "country", {"type": "string"}, "ISO 3166-1 alpha-2 code."
                ),
                query_parameter("cohort", {"type": "integer"}, "Cohort id."),
                query_parameter("year", {"type": "integer"}, "The cohort's year."),
                query_parameter(
                    "q", {"type": "string", "maxLength": 100}, "Name search."
                ),
                sort_parameter(ENROLLMENT_SORTING.columns),
                *PAGE_PARAMETERS,
            ],
            "responses": {
                "200": json_response(
                    "A page of enrollments.", page_of("EnrollmentSummary")
                ),
                "400": BAD_REQUEST,
                "401": UNAUTHORIZED,
            },
        }
    },
    "/api/v1/enrollments/{enrollment_id}": {
        "get": {
            "summary": "One enrollment with its stage history and assessments",
            "tags": ["programs"],
            "parameters": [path_parameter("enrollment_id", "The enrollment's id.")],
            "responses": {
                "200": json_response("The enrollment.", ref("Enrollment")),
                "401": UNAUTHORIZED,
                "404": NOT_FOUND,
            },
        }
    },
}
