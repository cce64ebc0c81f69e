"""The OpenAPI document is the API's contract, both ways.

``declare_limits`` writes into the document the limits the server enforces
on shared parameters (page numbers, years, country and program codes) and
the 429 answer of the bearer-token rate limits. ``refuse_undeclared_values``
then checks every query parameter of a request against the schema the
document declares for it, so the server refuses exactly what its document
forbids (an empty ``country=``, a ``when=`` outside its enum, ``page=1_0``),
whatever each endpoint's own reading of it would have let through.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from flask import request
from flask_babel import gettext as _

from tracker.api.core import MAX_PAGE, BadParameter

YEAR_RANGE = {"minimum": 1900, "maximum": 2200}
COUNTRY_SCHEMA = {"type": "string", "pattern": "^[A-Za-z]{2}$"}
PROGRAM_CODE_SCHEMA = {"type": "string", "pattern": "^[A-Za-z]{2,10}$"}
INTEGER = re.compile(r"-?[0-9]+")
RATE_LIMITED = {"429": {"$ref": "#/components/responses/TooManyRequests"}}
# gunicorn refuses a request line over 4,094 bytes before the app sees it.
URI_TOO_LONG = {
    "414": {"description": "The URL is longer than the server accepts (4 KB)."}
}


def declare_limits(paths: dict[str, Any], parameters: dict[str, Any]) -> None:
    """Tighten each query parameter's schema to what the server enforces."""
    for parameter in parameters.values():
        _tighten(parameter)
    for operations in paths.values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                _tighten(parameter)
            operation.setdefault("responses", {}).update(URI_TOO_LONG)
            if operation.get("security") != []:
                operation.setdefault("responses", {}).update(RATE_LIMITED)


def _tighten(parameter: dict[str, Any]) -> None:
    if parameter.get("in") != "query":
        return
    name, schema = parameter["name"], parameter.setdefault("schema", {})
    kind = schema.get("type")
    if name == "page" and kind == "integer":
        schema["maximum"] = MAX_PAGE
    elif name in ("year", "from", "to") and kind == "integer":
        schema.update(YEAR_RANGE)
    elif name == "country" and kind == "string":
        schema.clear()
        schema.update(COUNTRY_SCHEMA)
    elif name == "program" and kind == "string" and "enum" not in schema:
        schema.clear()
        schema.update(PROGRAM_CODE_SCHEMA)


def _problem(schema: dict[str, Any], raw: str) -> str | None:
    """Why ``raw`` does not fit ``schema`` (the subset our document uses)."""
    if schema.get("type") == "integer":
        if not INTEGER.fullmatch(raw):
            return _("must be a whole number.")
        value = int(raw)
        if "minimum" in schema and value < schema["minimum"]:
            return _("must be at least %(minimum)s.", minimum=schema["minimum"])
        if "maximum" in schema and value > schema["maximum"]:
            return _("must be at most %(maximum)s.", maximum=schema["maximum"])
        return None
    if "enum" in schema and raw not in schema["enum"]:
        return _(
            "must be one of %(choices)s.", choices=", ".join(map(str, schema["enum"]))
        )
    if "minLength" in schema and len(raw) < schema["minLength"]:
        return _("must be at least %(length)s characters.", length=schema["minLength"])
    if "maxLength" in schema and len(raw) > schema["maxLength"]:
        return _("must be at most %(length)s characters.", length=schema["maxLength"])
    if "pattern" in schema and not re.search(schema["pattern"], raw):
        return _("must match %(pattern)s.", pattern=schema["pattern"])
    return None


@lru_cache(maxsize=1)
def _query_schemas() -> dict[tuple[str, str], dict[str, dict[str, Any]]]:
    """(method, path) -> {parameter name: schema}, from the built document."""
    from tracker.api.openapi import build_document

    document = build_document()
    shared = document["components"]["parameters"]
    table: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if not isinstance(operation, dict):
                continue
            declared = {}
            for parameter in operation.get("parameters", []):
                if "$ref" in parameter:
                    parameter = shared[parameter["$ref"].rsplit("/", 1)[-1]]
                if parameter.get("in") == "query":
                    declared[parameter["name"]] = parameter.get("schema", {})
            table[(method.upper(), path)] = declared
    return table


def _document_path(rule: str, prefix: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule).removeprefix(prefix)


def refuse_undeclared_values() -> None:
    """Answer 400 to a query parameter whose value the document forbids."""
    if request.url_rule is None or request.blueprint != "api":
        return
    from tracker.api.core import bp

    path = _document_path(request.url_rule.rule, bp.url_prefix or "")
    method = "GET" if request.method == "HEAD" else request.method
    for name, schema in _query_schemas().get((method, path), {}).items():
        for raw in request.args.getlist(name):
            if problem := _problem(schema, raw):
                raise BadParameter(name, problem)
