"""The OpenAPI document describes every endpoint, and every endpoint answers as
documented: each documented path is called and its response validated against
the documented schema (so the other domains' endpoints are checked once merged).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.fixtures.dashboards import build_dataset, ids_for_parameter
from tracker.api import openapi
from tracker.audit import acting_as
from tracker.dashboards import api as stats
from tracker.extensions import db
from tracker.models import ApiToken, Role, User

BASE = "urn:upp-tracker:openapi"
METHODS = ("get", "put", "post", "patch", "delete")


@pytest.fixture
def document(client) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


@pytest.fixture
def tokens(app, make_user) -> dict[str, str]:
    """A bearer secret for a user of each role."""
    secrets = {}
    for role in Role:
        user_id = make_user(role=role)
        with app.app_context():
            token, secret = ApiToken.issue(db.session.get(User, user_id), "openapi")
            db.session.add(token)
            db.session.commit()
        secrets[str(role)] = secret
    return secrets


@pytest.fixture
def records(app):
    from tracker.seed import seed_demo

    with app.app_context(), acting_as("tests"):
        seed_demo(db.session)
        build_dataset(db.session)
        db.session.commit()


def _pointer(*parts: str) -> str:
    return "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in parts)


def _resolve(document: dict[str, Any], node: dict[str, Any]) -> tuple[dict, str | None]:
    """Follow a local ``$ref``; returns the node and its JSON pointer when followed."""
    if "$ref" not in node:
        return node, None
    pointer = node["$ref"].removeprefix("#")
    target: Any = document
    for part in pointer.strip("/").split("/"):
        target = target[part.replace("~1", "/").replace("~0", "~")]
    return target, pointer


def _validator(document: dict[str, Any], pointer: str) -> Draft202012Validator:
    resource = Resource.from_contents(document, default_specification=DRAFT202012)
    registry = Registry().with_resource(BASE, resource)
    return Draft202012Validator({"$ref": f"{BASE}#{pointer}"}, registry=registry)


def _check(document, path: str, method: str, response) -> list[str]:
    """Problems with ``response`` against what the document says of the operation."""
    operation = document["paths"][path][method]
    status = str(response.status_code)
    if status not in operation["responses"]:
        return [f"{method.upper()} {path}: status {status} is not documented"]
    answer, answer_pointer = _resolve(document, operation["responses"][status])
    if "content" not in answer:
        return []
    if "application/json" not in answer["content"]:
        return [f"{method.upper()} {path} {status}: no JSON schema documented"]
    if response.mimetype != "application/json":
        return [f"{method.upper()} {path} {status}: answered {response.mimetype}"]
    pointer = (
        answer_pointer or _pointer("paths", path, method, "responses", status)
    ) + (_pointer("content", "application/json", "schema"))
    validator = _validator(document, pointer)
    return [
        f"{method.upper()} {path} {status}: {error.json_path}: {error.message}"
        for error in validator.iter_errors(response.get_json())
    ]


def _parameters(document, path: str, method: str) -> list[dict[str, Any]]:
    item = document["paths"][path]
    found = [*item.get("parameters", []), *item[method].get("parameters", [])]
    return [_resolve(document, parameter)[0] for parameter in found]


def _example(parameter: dict[str, Any]) -> Any:
    schema = parameter.get("schema", {})
    for source in (parameter.get("example"), schema.get("default")):
        if source is not None:
            return source
    if "enum" in schema:
        return schema["enum"][0]
    if schema.get("examples"):
        return schema["examples"][0]
    return None


def _url(app, document, path: str, method: str, parameters: dict[str, Any]) -> str:
    """The path with each ``{name}`` filled by the id of a record of that kind."""
    filled = path
    for name in re.findall(r"{(\w+)}", path):
        with app.app_context():
            ids = ids_for_parameter(db.session, name, limit=1)
        assert ids, f"{path}: no fixture record for the path parameter {name}"
        filled = filled.replace("{" + name + "}", str(ids[0]))
    query = "&".join(f"{quote(k)}={quote(str(v))}" for k, v in parameters.items())
    server = document["servers"][0]["url"]
    return server + filled + ("?" + query if query else "")


def test_document_is_openapi_3_1_with_shared_components(document):
    assert document["openapi"] == "3.1.0"
    assert document["info"]["title"] and document["info"]["version"]
    assert document["servers"] == [{"url": "/api/v1"}]
    components = document["components"]
    assert {"Error", "PagedList"} <= set(components["schemas"])
    assert set(components["schemas"]["PagedList"]["required"]) == {
        "items",
        "total",
        "page",
        "per_page",
    }
    assert components["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": components["securitySchemes"]["bearerAuth"]["description"],
    }
    for schema in components["schemas"].values():
        Draft202012Validator.check_schema(schema)


def test_document_is_well_formed(document):
    """What an OpenAPI 3.1 validator would check first: refs resolve, path
    parameters are declared, operation ids are unique, responses exist."""
    text = str(document)
    for ref in set(re.findall(r"'\$ref': '(#[^']+)'", text)):
        _resolve(document, {"$ref": ref})
    operation_ids = []
    for path, item in document["paths"].items():
        assert path.startswith("/") and not path.startswith("/api/v1"), path
        for method in set(item) & set(METHODS):
            operation = item[method]
            assert operation["responses"], path
            operation_ids.append(operation["operationId"])
            declared = {
                p["name"]
                for p in _parameters(document, path, method)
                if p["in"] == "path"
            }
            assert declared == set(re.findall(r"{(\w+)}", path)), (path, method)
            for parameter in _parameters(document, path, method):
                assert parameter["in"] in ("query", "path", "header", "cookie")
                Draft202012Validator.check_schema(parameter["schema"])
    assert len(operation_ids) == len(set(operation_ids))


def test_document_describes_every_api_route(app, document):
    documented = {
        (path, method.upper())
        for path, item in document["paths"].items()
        for method in item
        if method in METHODS
    }
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if (path, method) not in documented:
                missing.append(f"{method} {path}")
    assert missing == []


def test_every_documented_endpoint_answers_as_documented(
    app, document, tokens, records, record_figure
):
    """Call each operation as an admin (bare, and with every parameter set to
    its example), as each other role, and anonymously; validate each answer."""
    client = app.test_client()
    problems: list[str] = []
    calls = 0
    for path, item in document["paths"].items():
        for method in set(item) & {"get"}:
            parameters = [
                p for p in _parameters(document, path, method) if p["in"] == "query"
            ]
            required = {p["name"]: _example(p) for p in parameters if p.get("required")}
            examples = {
                p["name"]: _example(p) for p in parameters if _example(p) is not None
            }
            for query in (required, {**examples, **required}):
                url = _url(app, document, path, method, query)
                response = client.get(
                    url, headers={"Authorization": f"Bearer {tokens['admin']}"}
                )
                calls += 1
                if response.status_code != 200:
                    problems.append(f"GET {url} as admin: {response.status_code}")
                problems += _check(document, path, method, response)
            url = _url(app, document, path, method, required)
            for role, secret in tokens.items():
                response = client.get(
                    url, headers={"Authorization": f"Bearer {secret}"}
                )
                calls += 1
                problems += [
                    f"as {role}: {problem}"
                    for problem in _check(document, path, method, response)
                ]
            anonymous = client.get(url)
            calls += 1
            problems += _check(document, path, method, anonymous)
            # An empty requirement ({}) in the list means "anonymous is fine too".
            requirements = item[method].get("security", document["security"])
            secured = requirements != [] and {} not in requirements
            if secured and anonymous.status_code != 401:
                problems.append(
                    f"GET {url} anonymous: {anonymous.status_code}, not 401"
                )
    record_figure("OpenAPI operations walked (calls validated)", calls)
    assert problems == []


def test_bad_parameters_answer_the_documented_error(app, document, tokens):
    client = app.test_client()
    headers = {"Authorization": f"Bearer {tokens['manager']}"}
    problems = []
    for path, item in document["paths"].items():
        if "get" not in item or re.search(r"{\w+}", path):
            continue
        for parameter in _parameters(document, path, "get"):
            if (
                parameter["in"] != "query"
                or parameter["schema"].get("type") != "integer"
            ):
                continue
            url = _url(app, document, path, "get", {parameter["name"]: "abc"})
            response = client.get(url, headers=headers)
            if response.status_code != 400:
                problems.append(f"{url}: {response.status_code}")
            problems += _check(document, path, "get", response)
    assert problems == []


def test_a_module_without_openapi_dicts_adds_nothing(monkeypatch):
    """Modules not yet documented (their dicts missing) are treated as empty."""
    monkeypatch.delattr(stats, "OPENAPI_PATHS")
    monkeypatch.delattr(stats, "OPENAPI_SCHEMAS")
    built = openapi.build_document()
    assert "/stats" not in built["paths"]
    assert "/openapi.json" in built["paths"]


def test_paths_written_with_the_prefix_are_merged_relative(monkeypatch):
    monkeypatch.setattr(
        stats,
        "OPENAPI_PATHS",
        {"/api/v1/stats": stats.OPENAPI_PATHS["/stats"]},
        raising=True,
    )
    assert "/stats" in openapi.build_document()["paths"]


def test_the_walk_notices_an_answer_that_breaks_its_schema(
    app, client, tokens, monkeypatch
):
    broken = {**stats.OPENAPI_SCHEMAS["Stats"]}
    broken["required"] = [*broken["required"], "not_in_the_answer"]
    monkeypatch.setitem(stats.OPENAPI_SCHEMAS, "Stats", broken)
    document = client.get("/api/v1/openapi.json").get_json()
    response = app.test_client().get(
        "/api/v1/stats", headers={"Authorization": f"Bearer {tokens['manager']}"}
    )
    problems = _check(document, "/stats", "get", response)
    assert len(problems) == 1 and "not_in_the_answer" in problems[0]
