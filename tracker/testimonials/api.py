"""API endpoints: testimonials.

Anonymous callers see approved testimonials only; a contact also sees their
own municipality's; coordinators, managers and admins see all of them and
may filter by ``status``. A token acts with its user's role. The list uses
the same query as the HTML list (``filtered_testimonials``).
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from tracker.api.core import (
    BadParameter,
    bp,
    choice_param,
    int_param,
    iso,
    paginated,
    str_param,
)
from tracker.api.schemas import error_response, query_parameter
from tracker.models import Testimonial, TestimonialStatus, User
from tracker.permissions import get_viewable_or_404, public
from tracker.testimonials.queries import SORTING, filtered_testimonials

STATUSES = tuple(status.value for status in TestimonialStatus)


def serialize(testimonial: Testimonial, viewer: User) -> dict[str, Any]:
    """A testimonial as the viewer may see it: review details only for insiders."""
    municipality = testimonial.municipality
    event = testimonial.event_shown_to(viewer)
    data: dict[str, Any] = {
        "id": testimonial.id,
        "quote": testimonial.quote,
        "author": {
            "name": testimonial.author_name,
            "position": testimonial.author_position,
            "person_id": testimonial.person_id,
        },
        "municipality": {
            "id": municipality.id,
            "name": municipality.name,
            "country": municipality.country.code,
        },
        "program": (
            {
                "id": testimonial.program.id,
                "code": testimonial.program.code,
                "name": testimonial.program.name,
            }
            if testimonial.program
            else None
        ),
        "event": (
            {
                "id": event.id,
                "title": event.title,
                "starts_on": event.starts_on.isoformat(),
            }
            if event
            else None
        ),
        "status": testimonial.status.value,
        "is_featured": testimonial.is_featured,
        "published_at": iso(testimonial.published_at),
    }
    if testimonial.can_view_private(viewer):
        data |= {
            "has_consent": testimonial.has_consent,
            "submitted_at": iso(testimonial.submitted_at),
            "reviewed_at": iso(testimonial.reviewed_at),
            "review_note": testimonial.review_note,
        }
    return data


@bp.route("/testimonials")
@public
def testimonials_list():
    """Testimonials the caller may see, paginated and filtered."""
    # Refuse malformed filters with a 400 before the shared query reads them.
    int_param("program", minimum=1)
    int_param("event", minimum=1)
    int_param("municipality", minimum=1)
    choice_param("status", STATUSES)
    choice_param("featured", ("true", "false", "1", "0"))
    str_param("country", max_length=2)
    str_param("q", max_length=100)
    sort = str_param("sort", max_length=20)
    if sort is not None and sort.lstrip("-") not in SORTING.columns:
        raise BadParameter(
            "sort",
            _(
                "must be one of %(choices)s, or -key.",
                choices=", ".join(SORTING.columns),
            ),
        )
    viewer = current_user._get_current_object()
    query = filtered_testimonials(request.args, viewer)
    return paginated(query, lambda testimonial: serialize(testimonial, viewer))


@bp.route("/testimonials/<int:testimonial_id>")
@public
def testimonials_detail(testimonial_id: int):
    """One testimonial; 404 when the caller may not see it."""
    testimonial = get_viewable_or_404(Testimonial, testimonial_id)
    return jsonify(serialize(testimonial, current_user._get_current_object()))


_ID_PARAM = {
    "name": "testimonial_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 1},
}


# OpenAPI 3.1 fragments, merged into /api/v1/openapi.json. Paths are
# relative to the API's server URL, /api/v1.
OPENAPI_PATHS: dict[str, Any] = {
    "/testimonials": {
        "get": {
            "operationId": "listTestimonials",
            # Anonymous callers get the approved ones.
            "security": [{}, {"bearerAuth": []}, {"sessionCookie": []}],
            "summary": "List testimonials",
            "description": (
                "Anonymous callers see approved testimonials only; a municipal "
                "contact also sees their own municipality's; coordinators, "
                "managers and admins see all. A bearer token acts with its "
                "user's role."
            ),
            "tags": ["testimonials"],
            "parameters": [
                query_parameter(
                    "page", {"type": "integer", "minimum": 1}, "Page number, from 1."
                ),
                query_parameter(
                    "per_page",
                    {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
                    "Items per page (at most 100).",
                ),
                query_parameter(
                    "status",
                    {"type": "string", "enum": list(STATUSES)},
                    "Only testimonials in this status (within what you may see).",
                ),
                query_parameter(
                    "program", {"type": "integer", "minimum": 1}, "A program's id."
                ),
                query_parameter(
                    "event", {"type": "integer", "minimum": 1}, "An event's id."
                ),
                query_parameter(
                    "municipality",
                    {"type": "integer", "minimum": 1},
                    "A municipality's id.",
                ),
                query_parameter(
                    "country",
                    {"type": "string", "minLength": 2, "maxLength": 2},
                    "ISO 3166-1 alpha-2 code of the municipality's country (XK "
                    "for Kosovo).",
                ),
                query_parameter(
                    "featured",
                    {"type": "string", "enum": ["true", "false", "1", "0"]},
                    "true: only featured testimonials; false: only the others.",
                ),
                query_parameter(
                    "q",
                    {"type": "string", "maxLength": 100},
                    "Words in the quote, the author's name or position, or the "
                    "municipality's name.",
                ),
                query_parameter(
                    "sort",
                    {
                        "type": "string",
                        "enum": [
                            prefix + key
                            for key in SORTING.columns
                            for prefix in ("", "-")
                        ],
                        "default": SORTING.default,
                    },
                    "Order: a key, or the key prefixed with '-' for descending.",
                ),
            ],
            "responses": {
                "200": {
                    "description": "One page of testimonials.",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/TestimonialPage"}
                        }
                    },
                },
                "400": error_response("A malformed parameter."),
            },
        }
    },
    "/testimonials/{testimonial_id}": {
        "get": {
            "operationId": "getTestimonial",
            # Anonymous callers get the approved ones.
            "security": [{}, {"bearerAuth": []}, {"sessionCookie": []}],
            "summary": "One testimonial",
            "tags": ["testimonials"],
            "parameters": [_ID_PARAM],
            "responses": {
                "200": {
                    "description": "The testimonial.",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/Testimonial"}
                        }
                    },
                },
                "404": error_response(
                    "No such testimonial, or not one the caller may see."
                ),
            },
        }
    },
}

_TIMESTAMP = {"type": ["string", "null"], "format": "date-time"}

OPENAPI_SCHEMAS: dict[str, Any] = {
    "Testimonial": {
        "type": "object",
        "description": (
            "What a municipal official says. has_consent, submitted_at, "
            "reviewed_at and review_note are present only for staff and the "
            "municipality's own contacts."
        ),
        "required": [
            "id",
            "quote",
            "author",
            "municipality",
            "program",
            "event",
            "status",
            "is_featured",
            "published_at",
        ],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "integer"},
            "quote": {
                "type": "string",
                "maxLength": 2000,
                "description": "Plain text; never HTML.",
            },
            "author": {
                "type": "object",
                "required": ["name", "position", "person_id"],
                "additionalProperties": False,
                "properties": {
                    "name": {"type": "string"},
                    "position": {"type": "string"},
                    "person_id": {"type": ["integer", "null"]},
                },
            },
            "municipality": {
                "type": "object",
                "required": ["id", "name", "country"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "integer"},
                    "name": {"type": "string"},
                    "country": {"type": "string", "minLength": 2, "maxLength": 2},
                },
            },
            "program": {
                "oneOf": [
                    {"type": "null"},
                    {
                        "type": "object",
                        "required": ["id", "code", "name"],
                        "additionalProperties": False,
                        "properties": {
                            "id": {"type": "integer"},
                            "code": {"type": "string"},
                            "name": {"type": "string"},
                        },
                    },
                ]
            },
            "event": {
                "description": "Null also when the event is internal and the "
                "caller is outside the municipality and staff.",
                "oneOf": [
                    {"type": "null"},
                    {
                        "type": "object",
                        "required": ["id", "title", "starts_on"],
                        "additionalProperties": False,
                        "properties": {
                            "id": {"type": "integer"},
                            "title": {"type": "string"},
                            "starts_on": {"type": "string", "format": "date"},
                        },
                    },
                ],
            },
            "status": {"type": "string", "enum": list(STATUSES)},
            "is_featured": {"type": "boolean"},
            "published_at": _TIMESTAMP,
            "has_consent": {"type": "boolean"},
            "submitted_at": _TIMESTAMP,
            "reviewed_at": _TIMESTAMP,
            "review_note": {"type": "string"},
        },
    },
    "TestimonialPage": {
        "type": "object",
        "required": ["items", "total", "page", "per_page"],
        "additionalProperties": False,
        "properties": {
            "items": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/Testimonial"},
            },
            "total": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
        },
    },
    # The error object every endpoint answers with (SPEC §4); other modules
    # may define the same "Error", with this same shape.
    "Error": {
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
    },
}
