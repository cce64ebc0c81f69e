"""API endpoints: countries and municipalities.

The same access rules as the pages: a contact sees only their own
municipality (anything else answers 404), staff see all.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask_login import current_user
from sqlalchemy import select

from tracker.api.core import (
    bp,
    choice_param,
    country_param,
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
    error_response,
    json_response,
    page_of,
    path_parameter,
    query_parameter,
    ref,
    sort_parameter,
)
from tracker.lists import MAX_SEARCH_LENGTH
from tracker.models import Country, Municipality, SizeClass
from tracker.municipalities.queries import MUNICIPALITY_SORTING, filtered_municipalities
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


@bp.route("/municipalities")
@role_required(*SIGNED_IN)
def municipalities():
    """Municipalities the caller may see, filtered, sorted and paged."""
    str_param("q", max_length=MAX_SEARCH_LENGTH)
    country_param()
    choice_param("size", SIZE_CHOICES)
    sort_param(MUNICIPALITY_SORTING.columns)
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


@bp.route("/countries")
@role_required(*STAFF)
def countries():
    """Every country, by name."""
    return paginated(select(Country).order_by(Country.name, Country.id), country_json)


OPENAPI_PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/municipalities": {
        "get": {
            "operationId": "listMunicipalities",
            "tags": ["Places"],
            "summary": "List municipalities",
            "description": "Search by name or region, filter by country and size class."
            + SIGNED_IN_NOTE,
            "parameters": [
                SEARCH_PARAMETER,
                COUNTRY_PARAMETER,
                query_parameter(
                    "size",
                    {"type": "string", "enum": SIZE_CHOICES},
                    "Size class by population: small < 20,000 <= medium < 100,000 "
                    "<= large < 500,000 <= metropolitan.",
                ),
                sort_parameter(MUNICIPALITY_SORTING.columns),
                *PAGE_PARAMETERS,
            ],
            "responses": {
                "200": json_response(
                    "A page of municipalities.", page_of("Municipality")
                ),
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
            "parameters": [path_parameter("municipality_id", "The municipality's id.")],
            "responses": {
                "200": json_response("The municipality.", ref("Municipality")),
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
            "parameters": PAGE_PARAMETERS,
            "responses": {
                "200": json_response("A page of countries.", page_of("Country")),
                "400": BAD_REQUEST,
                "401": UNAUTHORIZED,
                "403": error_response("Municipal contacts may not list countries."),
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
}
