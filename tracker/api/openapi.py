"""API endpoints: openapi, the OpenAPI 3.1 document of the whole API.

Built from the ``OPENAPI_PATHS`` and ``OPENAPI_SCHEMAS`` dicts each API module
defines (a module without them adds nothing) plus the shared components in
``schemas.py``. Path keys are relative to ``/api/v1``; a key written with the
prefix is accepted too.
"""

from __future__ import annotations

import copy
from types import ModuleType
from typing import Any

from flask import jsonify

from tracker.api.contract import declare_limits, refuse_undeclared_values
from tracker.api.core import bp
from tracker.api.schemas import (
    SECURITY_SCHEMES,
    SHARED_PARAMETERS,
    SHARED_RESPONSES,
    SHARED_SCHEMAS,
    json_response,
)
from tracker.dashboards import api as dashboards_api
from tracker.enrollments import api as enrollments_api
from tracker.events import api as events_api
from tracker.municipalities import api as municipalities_api
from tracker.people import api as people_api
from tracker.permissions import public
from tracker.programs import api as programs_api
from tracker.testimonials import api as testimonials_api

API_PREFIX = bp.url_prefix or ""

# Every domain module that adds API endpoints, listed by hand (no discovery):
# importing it adds its routes to ``bp``, and its paths join the document.
DOCUMENTED_MODULES: tuple[ModuleType, ...] = (
    municipalities_api,
    people_api,
    programs_api,
    enrollments_api,
    events_api,
    testimonials_api,
    dashboards_api,
)

OWN_PATHS: dict[str, Any] = {
    "/openapi.json": {
        "get": {
            "operationId": "getOpenApiDocument",
            "summary": "This document",
            "tags": ["meta"],
            "security": [],
            "responses": {
                "200": json_response(
                    "The OpenAPI 3.1 document of the API.", {"type": "object"}
                )
            },
        }
    }
}


def _relative(path: str) -> str:
    return path.removeprefix(API_PREFIX) or "/"


HTTP_METHODS = ("get", "post", "put", "patch", "delete")


def _operation_id(method: str, path: str) -> str:
    """A stable id for an operation its module did not name: getEnrollmentsById."""
    words = [
        "By" + part.strip("{}").split("_")[-1].capitalize()
        if part.startswith("{")
        else part.capitalize()
        for part in _relative(path).strip("/").split("/")
        if part
    ]
    return method + "".join(words)


def build_document() -> dict[str, Any]:
    """Merge every module's paths and schemas into one OpenAPI 3.1 document."""
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = dict(SHARED_SCHEMAS)
    for module in DOCUMENTED_MODULES:
        for path, operations in getattr(module, "OPENAPI_PATHS", {}).items():
            for method, operation in operations.items():
                if isinstance(operation, dict) and method in HTTP_METHODS:
                    operation.setdefault("operationId", _operation_id(method, path))
            paths.setdefault(_relative(path), {}).update(operations)
        schemas.update(getattr(module, "OPENAPI_SCHEMAS", {}))
    paths.update(OWN_PATHS)
    # Copies: the modules' own dicts stay as they wrote them.
    paths, parameters = copy.deepcopy(paths), copy.deepcopy(SHARED_PARAMETERS)
    declare_limits(paths, parameters)
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {
            "title": "UPP Tracker API",
            "version": "1",
            "description": "Read-only JSON API of UPP Tracker. Lists answer "
            '`{"items", "total", "page", "per_page"}`; errors answer '
            '`{"error": {"code", "message"}}`. Authenticate with the session '
            "cookie or `Authorization: Bearer <token>`; a token carries its "
            "user's role.",
        },
        "servers": [{"url": API_PREFIX}],
        "security": [{"bearerAuth": []}, {"sessionCookie": []}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": schemas,
            "responses": SHARED_RESPONSES,
            "parameters": parameters,
            "securitySchemes": SECURITY_SCHEMES,
        },
    }


bp.before_request(refuse_undeclared_values)


@bp.route("/openapi.json")
@public
def openapi_document():
    """The OpenAPI 3.1 document describing every endpoint of this API."""
    return jsonify(build_document())
