"""API endpoints: people who act for municipalities, and outside speakers.

The same access rules as the pages: a contact sees only their own
municipality's people (anyone else answers 404), staff see all.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask_login import current_user

from tracker.api.core import (
    bp,
    country_param,
    int_param,
    paginated,
    sort_param,
    str_param,
)
from tracker.api.schemas import (
    BAD_REQUEST,
    COUNTRY_PARAMETER,
    NOT_FOUND,
    PAGE_PARAMETERS,
    SEARCH_PARAMETER,
    SIGNED_IN_NOTE,
    UNAUTHORIZED,
    json_response,
    page_of,
    path_parameter,
    query_parameter,
    ref,
    sort_parameter,
)
from tracker.lists import MAX_SEARCH_LENGTH
from tracker.models import Person
from tracker.people.queries import PEOPLE_SORTING, filtered_people
from tracker.permissions import SIGNED_IN, get_viewable_or_404, role_required


def person_json(person: Person) -> dict[str, Any]:
    municipality = person.municipality
    return {
        "id": person.id,
        "full_name": person.full_name,
        "position": person.position,
        "organisation": person.organisation,
        "municipality": (
            {"id": municipality.id, "name": municipality.name} if municipality else None
        ),
        "email": person.email,
        "phone": person.phone,
    }


@bp.route("/people")
@role_required(*SIGNED_IN)
def people():
    """People the caller may see, filtered, sorted and paged."""
    str_param("q", max_length=MAX_SEARCH_LENGTH)
    country_param()
    int_param("municipality", minimum=1)
    sort_param(PEOPLE_SORTING.columns)
    return paginated(filtered_people(request.args, current_user), person_json)


@bp.route("/people/<int:person_id>")
@role_required(*SIGNED_IN)
def person(person_id: int):
    """One person the caller may see."""
    return jsonify(person_json(get_viewable_or_404(Person, person_id)))


OPENAPI_PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/people": {
        "get": {
            "operationId": "listPeople",
            "tags": ["Places"],
            "summary": "List people",
            "description": "Search by name, position or e-mail; filter by "
            "municipality or country." + SIGNED_IN_NOTE,
            "parameters": [
                SEARCH_PARAMETER,
                query_parameter(
                    "municipality",
                    {"type": "integer"},
                    "Id of the municipality the person acts for.",
                ),
                COUNTRY_PARAMETER,
                sort_parameter(PEOPLE_SORTING.columns),
                *PAGE_PARAMETERS,
            ],
            "responses": {
                "200": json_response("A page of people.", page_of("Person")),
                "400": BAD_REQUEST,
                "401": UNAUTHORIZED,
            },
        }
    },
    "/api/v1/people/{person_id}": {
        "get": {
            "operationId": "getPerson",
            "tags": ["Places"],
            "summary": "One person",
            "description": "A person's details." + SIGNED_IN_NOTE,
            "parameters": [path_parameter("person_id", "The person's id.")],
            "responses": {
                "200": json_response("The person.", ref("Person")),
                "401": UNAUTHORIZED,
                "404": NOT_FOUND,
            },
        }
    },
}

_TEXT = {"type": "string"}
OPENAPI_SCHEMAS: dict[str, dict[str, Any]] = {
    "Person": {
        "type": "object",
        "required": [
            "id",
            "full_name",
            "position",
            "organisation",
            "municipality",
            "email",
            "phone",
        ],
        "properties": {
            "id": {"type": "integer"},
            "full_name": _TEXT,
            "position": _TEXT,
            "organisation": _TEXT,
            "municipality": {
                "type": ["object", "null"],
                "required": ["id", "name"],
                "properties": {"id": {"type": "integer"}, "name": _TEXT},
            },
            "email": {"type": ["string", "null"]},
            "phone": _TEXT,
        },
    },
}
