"""Building blocks for the OpenAPI document that every API module shares.

Each module ``tracker/api/<domain>.py`` describes its own endpoints in two
dicts, which ``openapi.py`` merges into ``/api/v1/openapi.json``:

    OPENAPI_PATHS = {"/events/{event_id}": {"get": {...}}}   # relative to /api/v1
    OPENAPI_SCHEMAS = {"Event": {...}}                         # JSON Schema 2020-12

The helpers below write the repetitive parts (paged envelopes, error
responses, paging parameters) the same way everywhere. This module imports
nothing from the API modules, so any of them can import it.
"""

from __future__ import annotations

from typing import Any

from tracker.lists import MAX_SEARCH_LENGTH

JSON = "application/json"


def ref(schema_name: str) -> dict[str, str]:
    """A reference to a named schema in ``components.schemas``."""
    return {"$ref": f"#/components/schemas/{schema_name}"}


def json_response(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": schema}}}


def paged_list(item_schema: dict[str, Any]) -> dict[str, Any]:
    """The list envelope ``{"items", "total", "page", "per_page"}`` of items."""
    return {
        "allOf": [
            ref("PagedList"),
            {
                "type": "object",
                "properties": {"items": {"type": "array", "items": item_schema}},
            },
        ]
    }


def error_response(description: str) -> dict[str, Any]:
    """An answer in the ``Error`` shape, described for this endpoint."""
    return json_response(description, ref("Error"))


def page_of(schema_name: str) -> dict[str, Any]:
    """A page of the named schema's items."""
    return paged_list(ref(schema_name))


# Errors every endpoint can answer (the 401/403 come from the access rules).
ERROR_RESPONSES: dict[str, dict[str, str]] = {
    "400": {"$ref": "#/components/responses/BadRequest"},
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "403": {"$ref": "#/components/responses/Forbidden"},
}
NOT_FOUND_RESPONSE: dict[str, dict[str, str]] = {
    "404": {"$ref": "#/components/responses/NotFound"}
}

# Paging and search parameters of every list endpoint.
PAGING_PARAMETERS: list[dict[str, str]] = [
    {"$ref": "#/components/parameters/page"},
    {"$ref": "#/components/parameters/per_page"},
    {"$ref": "#/components/parameters/q"},
]


def query_parameter(
    name: str, schema: dict[str, Any], description: str, example: Any = None
) -> dict[str, Any]:
    parameter = {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }
    if example is not None:
        parameter["example"] = example
    return parameter


def path_parameter(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "integer", "minimum": 1},
    }


SHARED_SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "description": "What went wrong; every error answers this shape.",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {
                        "type": "string",
                        "examples": ["bad_request", "unauthorized", "not_found"],
                    },
                    "message": {"type": "string"},
                },
            }
        },
    },
    "PagedList": {
        "type": "object",
        "description": "One page of a list.",
        "required": ["items", "total", "page", "per_page"],
        "properties": {
            "items": {"type": "array"},
            "total": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
        },
    },
}

SHARED_RESPONSES: dict[str, Any] = {
    "BadRequest": json_response("A parameter is not valid.", ref("Error")),
    "Unauthorized": json_response(
        "No valid session or bearer token was sent.", ref("Error")
    ),
    "Forbidden": json_response("The user's role may not use this.", ref("Error")),
    "NotFound": json_response(
        "There is no such record, or the user may not see it.", ref("Error")
    ),
    "TooManyRequests": {
        **json_response(
            "Too many requests with this bearer token or from this address; "
            "wait the number of seconds in Retry-After.",
            ref("Error"),
        ),
        "headers": {
            "Retry-After": {
                "description": "Seconds to wait before the next request.",
                "schema": {"type": "integer", "minimum": 0},
            }
        },
    },
}

SHARED_PARAMETERS: dict[str, Any] = {
    "page": query_parameter(
        "page", {"type": "integer", "minimum": 1, "default": 1}, "Page number."
    ),
    "per_page": query_parameter(
        "per_page",
        {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
        "Items per page (at most 100).",
    ),
    "q": query_parameter(
        "q", {"type": "string", "maxLength": 200}, "Search text (case-insensitive)."
    ),
}

SECURITY_SCHEMES: dict[str, Any] = {
    "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "description": "An API token issued by an administrator; it carries "
        "its user's role.",
    },
    "sessionCookie": {
        "type": "apiKey",
        "in": "cookie",
        "name": "tracker_session",
        "description": "The session of a user signed in to the web application.",
    },
}


def sort_parameter(keys: tuple[str, ...] | list[str]) -> dict[str, Any]:
    """``sort``: one of ``keys``, or one with a leading '-' for descending."""
    return query_parameter(
        "sort",
        {"type": "string", "enum": [p + k for k in keys for p in ("", "-")]},
        "Sort key; a leading '-' sorts descending.",
    )


PAGE_PARAMETERS: list[dict[str, str]] = PAGING_PARAMETERS[:2]
SEARCH_PARAMETER = query_parameter(
    "q",
    {"type": "string", "maxLength": MAX_SEARCH_LENGTH},
    "Case-insensitive text search.",
)
COUNTRY_PARAMETER = query_parameter(
    "country",
    {"type": "string", "pattern": "^[A-Za-z]{2}$"},
    "ISO 3166-1 alpha-2 code of the country (XK for Kosovo).",
)
UNAUTHORIZED = error_response("Not signed in and no valid bearer token.")
BAD_REQUEST = error_response("A parameter is malformed.")
NOT_FOUND = error_response(
    "No such record, or one the caller may not see (contacts see only their own "
    "municipality)."
)
SIGNED_IN_NOTE = (
    " Any signed-in role; a municipal contact sees only their own municipality."
)
