"""API endpoints: countries, municipalities and people.

The same access rules as the pages: a contact sees only their own
municipality and its people (anything else answers 404), staff see all.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask_login import current_user
from sqlalchemy import select

from tracker.api.core import (
    BadParameter,
    bp,
    choice_param,
    int_param,
    paginated,
    str_param,
)
from tracker.lists import MAX_SEARCH_LENGTH
from tracker.models import Country, Municipality, Person, SizeClass
from tracker.municipalities.queries import MUNICIPALITY_SORTING, filtered_municipalities
from tracker.people.queries import PEOPLE_SORTING, filtered_people
from tracker.permissions import (
    SIGNED_IN,
    STAFF,
    get_viewable_or_404,
    role_required,
)

SIZE_CHOICES = [size.value for size in SizeClass]


def country_json(country: Country) -> dict[str, Any]:
    return {
        "id": country.id,
        "code": country.code,
        "name": country.name,
        "is_program_country": country.is_program_country,
    }


def municipality_json(municipality: Municipality) -> dict[str, Any]:
    size_class = municipality.size_class
    return {
        "id": municipality.id,
        "name": municipality.name,
        "country": {
            "code": municipality.country.code,
            "name": municipality.country.name,
        },
        "region": municipality.region,
        "population": municipality.population,
        "size_class": size_class.value if size_class else None,
        "website": municipality.website,
        "address": municipality.address,
        "email": municipality.email,
        "phone": municipality.phone,
    }


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


def _sort_param(keys) -> None:
    """Refuse an unknown ``sort`` key instead of silently ignoring it."""
    choice_param("sort", [prefix + key for key in keys for prefix in ("", "-")])


def _country_param() -> None:
    code = str_param("country", max_length=2)
    if code is not None and not (len(code) == 2 and code.isalpha()):
        raise BadParameter("country", "must be a two-letter ISO 3166-1 code.")


@bp.route("/municipalities")
@role_required(*SIGNED_IN)
def municipalities():
    """Municipalities the caller may see, filtered, sorted and paged."""
    str_param("q", max_length=MAX_SEARCH_LENGTH)
    _country_param()
    choice_param("size", SIZE_CHOICES)
    _sort_param(MUNICIPALITY_SORTING.columns)
    return paginated(
        filtered_municipalities(request.args, current_user), municipality_json
    )


@bp.route("/municipalities/<int:municipality_id>")
@role_required(*SIGNED_IN)
def municipality(municipality_id: int):
    """One municipality the caller may see."""
    return jsonify(
        municipality_json(get_viewable_or_404(Municipality, municipality_id))
    )


@bp.route("/people")
@role_required(*SIGNED_IN)
def people():
    """People the caller may see, filtered, sorted and paged."""
    str_param("q", max_length=MAX_SEARCH_LENGTH)
    _country_param()
    int_param("municipality", minimum=1)
    _sort_param(PEOPLE_SORTING.columns)
    return paginated(filtered_people(request.args, current_user), person_json)


@bp.route("/people/<int:person_id>")
@role_required(*SIGNED_IN)
def person(person_id: int):
    """One person the caller may see."""
    return jsonify(person_json(get_viewable_or_404(Person, person_id)))


@bp.route("/countries")
@role_required(*STAFF)
def countries():
    """Every country, by name."""
    return paginated(select(Country).order_by(Country.name, Country.id), country_json)


def _error_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["code", "message"],
                            "properties": {
                                "code": {"type": "string"},
                                "message": {"type": "string"},
                            },
                        }
                    },
                }
            }
        },
    }


def _ok(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": schema}},
    }


def _page_of(name: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["items", "total", "page", "per_page"],
        "properties": {
            "items": {
                "type": "array",
                "items": {"$ref": f"#/components/schemas/{name}"},
            },
            "total": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
        },
    }


def _query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


def _path_id(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}


def _sort(keys) -> dict[str, Any]:
    return _query(
        "sort",
        "Sort key; a leading '-' sorts descending.",
        {"type": "string", "enum": [p + k for k in keys for p in ("", "-")]},
    )


PAGING = [
    _query("page", "Page number, from 1.", {"type": "integer", "minimum": 1}),
    _query(
        "per_page",
        "Items per page (default 20).",
        {"type": "integer", "minimum": 1, "maximum": 100},
    ),
]
SEARCH = _query(
    "q", "Case-insensitive text search.", {"type": "string", "maxLength": 100}
)
COUNTRY = _query(
    "country",
    "ISO 3166-1 alpha-2 code of the country (XK for Kosovo).",
    {"type": "string", "pattern": "^[A-Za-z]{2}$"},
)
UNAUTHORIZED = _error_response("Not signed in and no valid bearer token.")
NOT_FOUND = _error_response(
    "No such record, or one the caller may not see (contacts see only their own "
    "municipality)."
)
BAD_REQUEST = _error_response("A parameter is malformed.")
SIGNED_IN_NOTE = (
    " Any signed-in role; a municipal contact sees only their own municipality."
)

OPENAPI_PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/municipalities": {
        "get": {
            "operationId": "listMunicipalities",
            "tags": ["Places"],
            "summary": "List municipalities",
            "description": "Search by name or region, filter by country and size class."
            + SIGNED_IN_NOTE,
            "parameters": [
                SEARCH,
                COUNTRY,
                _query(
                    "size",
                    "Size class by population: small < 20,000 <= medium < 100,000 "
                    "<= large < 500,000 <= metropolitan.",
                    {"type": "string", "enum": SIZE_CHOICES},
                ),
                _sort(MUNICIPALITY_SORTING.columns),
                *PAGING,
            ],
            "responses": {
                "200": _ok(_page_of("Municipality"), "A page of municipalities."),
                "400": BAD_REQUEST,
                "401": UNAUTHORIZED,
            },
        }
    },
    "/api/v1/municipalities/{municipality_id}": {
        "get": {
            "operationId": "getMunicipality",
            "tags": ["Places"],
            "summary": "One municipality",
            "description": "A municipality's profile and contact details."
            + SIGNED_IN_NOTE,
            "parameters": [_path_id("municipality_id")],
            "responses": {
                "200": _ok(
                    {"$ref": "#/components/schemas/Municipality"}, "The municipality."
                ),
                "401": UNAUTHORIZED,
                "404": NOT_FOUND,
            },
        }
    },
    "/api/v1/people": {
        "get": {
            "operationId": "listPeople",
            "tags": ["Places"],
            "summary": "List people",
            "description": "Search by name, position or e-mail; filter by "
            "municipality or country." + SIGNED_IN_NOTE,
            "parameters": [
                SEARCH,
                _query(
                    "municipality",
                    "Id of the municipality the person acts for.",
                    {"type": "integer"},
                ),
                COUNTRY,
                _sort(PEOPLE_SORTING.columns),
                *PAGING,
            ],
            "responses": {
                "200": _ok(_page_of("Person"), "A page of people."),
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
            "parameters": [_path_id("person_id")],
            "responses": {
                "200": _ok({"$ref": "#/components/schemas/Person"}, "The person."),
                "401": UNAUTHORIZED,
                "404": NOT_FOUND,
            },
        }
    },
    "/api/v1/countries": {
        "get": {
            "operationId": "listCountries",
            "tags": ["Places"],
            "summary": "List countries",
            "description": "Every country, by name. Coordinators, managers and "
            "administrators only.",
            "parameters": PAGING,
            "responses": {
                "200": _ok(_page_of("Country"), "A page of countries."),
                "400": BAD_REQUEST,
                "401": UNAUTHORIZED,
                "403": _error_response("Municipal contacts may not list countries."),
            },
        }
    },
}

_TEXT = {"type": "string"}
OPENAPI_SCHEMAS: dict[str, dict[str, Any]] = {
    "Country": {
        "type": "object",
        "required": ["id", "code", "name", "is_program_country"],
        "properties": {
            "id": {"type": "integer"},
            "code": {
                "type": "string",
                "pattern": "^[A-Z]{2}$",
                "description": "ISO 3166-1 alpha-2 (XK for Kosovo).",
            },
            "name": _TEXT,
            "is_program_country": {
                "type": "boolean",
                "description": "One of the South-East European countries the "
                "program serves.",
            },
        },
    },
    "Municipality": {
        "type": "object",
        "required": [
            "id",
            "name",
            "country",
            "region",
            "population",
            "size_class",
            "website",
            "address",
            "email",
            "phone",
        ],
        "properties": {
            "id": {"type": "integer"},
            "name": _TEXT,
            "country": {
                "type": "object",
                "required": ["code", "name"],
                "properties": {"code": {"type": "string"}, "name": _TEXT},
            },
            "region": _TEXT,
            "population": {"type": ["integer", "null"], "minimum": 0},
            "size_class": {
                "type": ["string", "null"],
                "enum": [*SIZE_CHOICES, None],
                "description": "Derived from the population.",
            },
            "website": _TEXT,
            "address": _TEXT,
            "email": _TEXT,
            "phone": _TEXT,
        },
    },
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
