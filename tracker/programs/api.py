"""API endpoints: programs with their stages, cohorts and figures (read-only).

ILTP's detail also lists its trained leaders; a contact sees only their own
municipality's.
"""

from __future__ import annotations

from typing import Any

from flask import abort, jsonify, url_for
from flask_login import current_user

from tracker.api.core import bp, int_param, iso
from tracker.api.schemas import (
    BAD_REQUEST,
    NOT_FOUND,
    PAGE_PARAMETERS,
    UNAUTHORIZED,
    json_response,
    page_of,
    ref,
)
from tracker.models import Program
from tracker.permissions import SIGNED_IN, role_required
from tracker.programs import leaders
from tracker.programs.queries import (
    ProgramFigures,
    figures_by_program,
    program_by_code,
    programs_with_stages,
)


def program_json(program: Program, figures: ProgramFigures) -> dict[str, Any]:
    return {
        "code": program.code,
        "name": program.name,
        "description": program.description,
        "started_on": iso(program.started_on),
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


# -- OpenAPI 3.1 fragments, merged into /api/v1/openapi.json -------------------

_DATE = {"type": ["string", "null"], "format": "date"}

OPENAPI_SCHEMAS: dict[str, Any] = {
    "Cohort": {
        "type": "object",
        "required": ["id", "name", "year"],
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "year": {"type": "integer"},
        },
    },
    "Program": {
        "type": "object",
        "required": ["code", "name", "stages", "cohorts", "figures", "url"],
        "properties": {
            "code": {"type": "string", "examples": ["ACP"]},
            "name": {"type": "string"},
            "description": {"type": "string"},
            "started_on": _DATE,
            "required_trainings": {"type": ["integer", "null"]},
            "stages": {"type": "array", "items": ref("ProgramStage")},
            "cohorts": {"type": "array", "items": ref("Cohort")},
            "figures": ref("ProgramFigures"),
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
    "ProgramPage": page_of("Program"),
}

OPENAPI_PATHS: dict[str, Any] = {
    "/api/v1/programs": {
        "get": {
            "summary": "List programs with stages, cohorts and figures",
            "tags": ["programs"],
            "parameters": PAGE_PARAMETERS,
            "responses": {
                "200": json_response("A page of programs.", page_of("Program")),
                "400": BAD_REQUEST,
                "401": UNAUTHORIZED,
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
                "200": json_response("The program.", ref("Program")),
                "401": UNAUTHORIZED,
                "404": NOT_FOUND,
            },
        }
    },
}
