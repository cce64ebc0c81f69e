"""API endpoints: programs and enrollments (read-only).

Lists answer through ``paginated()`` and the same ``filtered_enrollments``
query as the HTML list, so page and API always agree. Contacts see only
their own municipality's enrollments; anyone else's answer 404.
"""

from __future__ import annotations

from typing import Any

from flask import abort, jsonify, url_for
from flask_login import current_user

from tracker.api.core import (
    bp,
    choice_param,
    int_param,
    paginated,
    str_param,
)
from tracker.enrollments.queries import (
    ENROLLMENT_PAGE,
    ENROLLMENT_SORTING,
    filtered_enrollments,
)
from tracker.models import Assessment, Enrollment, Program, StageChange
from tracker.permissions import SIGNED_IN, get_viewable_or_404, role_required
from tracker.programs import leaders
from tracker.programs.queries import (
    ProgramFigures,
    figures_by_program,
    program_by_code,
    programs_with_stages,
)

SORT_KEYS = tuple(
    key for name in ENROLLMENT_SORTING.columns for key in (name, f"-{name}")
)


def _day(value) -> str | None:
    return value.isoformat() if value is not None else None


def program_json(program: Program, figures: ProgramFigures) -> dict[str, Any]:
    return {
        "code": program.code,
        "name": program.name,
        "description": program.description,
        "started_on": _day(program.started_on),
        "required_trainings": program.required_trainings,
        "stages": [
            {
                "code": stage.code,
                "name": stage.name,
                "position": stage.position,
                "kind": stage.kind.value,
                "enrollments": figures.by_stage.get(stage.id, 0),
            }
            for stage in program.stages
        ],
        "cohorts": [
            {"id": cohort.id, "name": cohort.name, "year": cohort.year}
            for cohort in program.cohorts
        ],
        "figures": {
            "enrolled": figures.total,
            "at_first_stage": figures.at_first_stage,
            "taking_part": figures.taking_part,
            "completed": figures.completed,
            "withdrawn": figures.withdrawn,
            "countries": figures.countries,
        },
        "url": url_for("api.program", code=program.code),
    }


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
        "since": _day(enrollment.current_since),
        "applied_on": _day(enrollment.applied_on),
        "url": url_for("api.enrollment", enrollment_id=enrollment.id),
    }


def _change_json(change: StageChange, days: int | None) -> dict[str, Any]:
    return {
        "from": change.from_stage.code if change.from_stage else None,
        "to": change.to_stage.code,
        "effective_on": _day(change.effective_on),
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
        "assessed_on": _day(assessment.assessed_on),
        "kind": assessment.kind.value,
        "scores": assessment.scores,
        "average": round(assessment.average, 2),
    }


@bp.route("/programs")
@role_required(*SIGNED_IN)
def programs():
    """Every program with its stages, cohorts and where its municipalities stand."""
    everything = programs_with_stages()
    figures = figures_by_program(everything)
    page = int_param("page", 1, minimum=1, maximum=1_000_000)
    per_page = int_param("per_page", 20, minimum=1, maximum=100)
    start = (page - 1) * per_page
    return jsonify(
        {
            "items": [
                program_json(program, figures[program.id])
                for program in everything[start : start + per_page]
            ],
            "total": len(everything),
            "page": page,
            "per_page": per_page,
        }
    )


@bp.route("/programs/<code>")
@role_required(*SIGNED_IN)
def program(code: str):
    """One program, by code; ILTP also lists its trained leaders."""
    found = program_by_code(code) if len(code) <= 10 else None
    if found is None:
        abort(404)
    body = program_json(found, figures_by_program([found])[found.id])
    if found.tracks_training:
        body["trained_leaders"] = [
            {
                "person": {"id": person.id, "name": person.full_name},
                "municipality": {"id": municipality.id, "name": municipality.name},
                "trainings_attended": count,
            }
            for person, municipality, count in leaders.trained_leaders(found)
            if current_user.is_staff or municipality.id == current_user.municipality_id
        ]
    return jsonify(body)


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
    args["sort"] = choice_param("sort", SORT_KEYS) or ENROLLMENT_SORTING.default
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


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": schema}},
    }


_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
        }
    },
}
_UNAUTHORIZED = _json(_ERROR, "Not signed in and no valid bearer token.")
_NOT_FOUND = _json(_ERROR, "No such record, or not one you may see.")
_BAD_REQUEST = _json(_ERROR, "A parameter is malformed.")
_PAGING = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
    {
        "name": "per_page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
    },
]
_DATE = {"type": ["string", "null"], "format": "date"}
_COHORT = {
    "type": "object",
    "required": ["id", "name", "year"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "year": {"type": "integer"},
    },
}

OPENAPI_SCHEMAS: dict[str, Any] = {
    "Program": {
        "type": "object",
        "required": ["code", "name", "stages", "cohorts", "figures", "url"],
        "properties": {
            "code": {"type": "string", "examples": ["ACP"]},
            "name": {"type": "string"},
            "description": {"type": "string"},
            "started_on": _DATE,
            "required_trainings": {"type": ["integer", "null"]},
            "stages": {"type": "array", "items": _ref("ProgramStage")},
            "cohorts": {"type": "array", "items": _COHORT},
            "figures": _ref("ProgramFigures"),
            "url": {"type": "string"},
            "trained_leaders": {
                "type": "array",
                "description": "ILTP only: people trained per municipality "
                "(contacts see their own municipality's).",
                "items": {
                    "type": "object",
                    "required": ["person", "municipality", "trainings_attended"],
                    "properties": {
                        "person": {"type": "object"},
                        "municipality": {"type": "object"},
                        "trainings_attended": {"type": "integer"},
                    },
                },
            },
        },
    },
    "ProgramStage": {
        "type": "object",
        "required": ["code", "name", "position", "kind", "enrollments"],
        "properties": {
            "code": {"type": "string"},
            "name": {"type": "string"},
            "position": {"type": "integer"},
            "kind": {"enum": ["working", "completed", "withdrawn"]},
            "enrollments": {"type": "integer", "minimum": 0},
        },
    },
    "ProgramFigures": {
        "type": "object",
        "required": [
            "enrolled",
            "at_first_stage",
            "taking_part",
            "completed",
            "withdrawn",
            "countries",
        ],
        "properties": {
            "enrolled": {"type": "integer"},
            "at_first_stage": {"type": "integer"},
            "taking_part": {
                "type": "integer",
                "description": "Past the first stage and not withdrawn.",
            },
            "completed": {"type": "integer"},
            "withdrawn": {"type": "integer"},
            "countries": {"type": "integer"},
        },
    },
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
            "cohort": {"oneOf": [_COHORT, {"type": "null"}]},
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
            _ref("EnrollmentSummary"),
            {
                "type": "object",
                "required": ["notes", "history", "assessments"],
                "properties": {
                    "notes": {"type": "string"},
                    "history": {"type": "array", "items": _ref("StageChange")},
                    "assessments": {"type": "array", "items": _ref("Assessment")},
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
    "EnrollmentPage": {
        "type": "object",
        "required": ["items", "total", "page", "per_page"],
        "properties": {
            "items": {"type": "array", "items": _ref("EnrollmentSummary")},
            "total": {"type": "integer"},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
        },
    },
    "ProgramPage": {
        "type": "object",
        "required": ["items", "total", "page", "per_page"],
        "properties": {
            "items": {"type": "array", "items": _ref("Program")},
            "total": {"type": "integer"},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
        },
    },
}


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "schema": schema, "description": description}


OPENAPI_PATHS: dict[str, Any] = {
    "/api/v1/programs": {
        "get": {
            "summary": "List programs with stages, cohorts and figures",
            "tags": ["programs"],
            "parameters": _PAGING,
            "responses": {
                "200": _json(_ref("ProgramPage"), "A page of programs."),
                "400": _BAD_REQUEST,
                "401": _UNAUTHORIZED,
            },
        }
    },
    "/api/v1/programs/{code}": {
        "get": {
            "summary": "One program by its code (ACP, ILTP, MFSA)",
            "tags": ["programs"],
            "parameters": [
                {
                    "name": "code",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string"},
                }
            ],
            "responses": {
                "200": _json(_ref("Program"), "The program."),
                "401": _UNAUTHORIZED,
                "404": _NOT_FOUND,
            },
        }
    },
    "/api/v1/enrollments": {
        "get": {
            "summary": "List enrollments (contacts: their own municipality's only)",
            "tags": ["programs"],
            "parameters": [
                _query("program", {"type": "string"}, "Program code, e.g. ACP."),
                _query("stage", {"type": "string"}, "Stage code, e.g. diagnosis."),
                _query("country", {"type": "string"}, "ISO 3166-1 alpha-2 code."),
                _query("cohort", {"type": "integer"}, "Cohort id."),
                _query("year", {"type": "integer"}, "The cohort's year."),
                _query("q", {"type": "string", "maxLength": 100}, "Name search."),
                _query("sort", {"enum": list(SORT_KEYS)}, "Sort key; '-' reverses."),
                *_PAGING,
            ],
            "responses": {
                "200": _json(_ref("EnrollmentPage"), "A page of enrollments."),
                "400": _BAD_REQUEST,
                "401": _UNAUTHORIZED,
            },
        }
    },
    "/api/v1/enrollments/{enrollment_id}": {
        "get": {
            "summary": "One enrollment with its stage history and assessments",
            "tags": ["programs"],
            "parameters": [
                {
                    "name": "enrollment_id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer"},
                }
            ],
            "responses": {
                "200": _json(_ref("Enrollment"), "The enrollment."),
                "401": _UNAUTHORIZED,
                "404": _NOT_FOUND,
            },
        }
    },
}
