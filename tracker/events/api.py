"""API endpoints: events, their sessions and participants.

The same rules as the pages: anonymous callers see public events and their
confirmed participants; a municipal contact sees what the event pages show
them; staff see everything. E-mail and phone appear only for staff and for
the contacts of the municipality a participant represented.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, request, url_for
from flask_login import current_user

from tracker.api.core import bp, choice_param, int_param, paginated, str_param
from tracker.api.schemas import PAGE_PARAMETERS, page_of
from tracker.cache import cached_page
from tracker.events.queries import (
    EVENT_PAGE,
    WHEN_CHOICES,
    event_participants_query,
    event_visibility,
    filtered_events,
)
from tracker.extensions import db
from tracker.models import (
    Attendance,
    Event,
    EventKind,
    EventSession,
    Participation,
    ParticipationRole,
    SessionKind,
)
from tracker.permissions import get_viewable_or_404, public
from tracker.privacy.consent import (
    listing_basis,
    named_in_public,
    public_participants,
    withhold_names,
)
from tracker.public.open_data import scrub

SORT_KEYS = ("starts_on", "title", "kind", "city")


def _list_args() -> dict[str, str]:
    """The list's filters, checked: a bad value is a 400, never ignored."""
    choice_param("kind", [kind.value for kind in EventKind])
    int_param("year", minimum=1900, maximum=2200)
    choice_param("when", WHEN_CHOICES)
    choice_param("sort", [*SORT_KEYS, *(f"-{key}" for key in SORT_KEYS)])
    str_param("country", max_length=2)
    str_param("program", max_length=10)
    str_param("q", max_length=100)
    return request.args.to_dict()


def shown(text: str) -> str:
    """Free text as an anonymous caller may see it: no e-mails or phone numbers."""
    return text if current_user.is_authenticated else scrub(text)


def event_summary(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "title": shown(event.title),
        "kind": event.kind.value,
        "starts_on": event.starts_on.isoformat(),
        "ends_on": event.ends_on.isoformat(),
        "city": event.city,
        "country": event.country.code if event.country else None,
        "venue": shown(event.venue),
        "organisers": shown(event.organisers),
        "program": event.program.code if event.program else None,
        "is_public": event.is_public,
        "url": url_for(
            "events.detail"
            if current_user.is_authenticated
            else "events.public_detail",
            event_id=event.id,
        ),
    }


def session_item(
    agenda_item: EventSession, withheld: tuple[str, ...] = ()
) -> dict[str, Any]:
    return {
        "id": agenda_item.id,
        "held_on": agenda_item.held_on.isoformat(),
        "position": agenda_item.position,
        "kind": agenda_item.kind.value,
        "title": withhold_names(shown(agenda_item.title), withheld),
        "speakers": withhold_names(shown(agenda_item.speakers), withheld),
        "description": withhold_names(shown(agenda_item.description), withheld),
    }


def participant_item(participation: Participation) -> dict[str, Any]:
    person = participation.person
    municipality = participation.municipality
    item: dict[str, Any] = {
        "id": participation.id,
        "person": {
            "id": person.id,
            "full_name": person.full_name,
            "position": person.position,
            "organisation": shown(person.organisation),
        },
        "municipality": (
            {
                "id": municipality.id,
                "name": municipality.name,
                "country": municipality.country.code,
            }
            if municipality
            else None
        ),
        "role": participation.role.value,
        "presentation_title": shown(participation.presentation_title),
        "attendance": participation.attendance.value,
    }
    if participation.can_view_contact_details(current_user):
        item["email"] = person.email
        item["phone"] = person.phone
    return item


@bp.route("/events")
@public
@cached_page
def list_events():
    """Events the caller may see, with the list page's filters and sorting."""
    query = filtered_events(_list_args()).where(event_visibility(current_user))
    return paginated(query, event_summary)


@bp.route("/events/<int:event_id>")
@public
@cached_page
def get_event(event_id: int):
    """One event with its agenda."""
    event = get_viewable_or_404(Event, event_id, EVENT_PAGE)
    withheld: tuple[str, ...] = ()
    if not current_user.is_authenticated:
        # Names of participants who did not consent, as on the public page.
        confirmed = list(
            db.session.scalars(event_participants_query(event, current_user))
        )
        withheld = public_participants(event, confirmed).withheld_names
    return jsonify(
        {
            **event_summary(event),
            "description": withhold_names(shown(event.description), withheld),
            "sessions": [session_item(item, withheld) for item in event.sessions],
        }
    )


@bp.route("/events/<int:event_id>/participants")
@public
@cached_page
def list_event_participants(event_id: int):
    """The event's participants the caller may see; contact details only where
    allowed."""
    event = get_viewable_or_404(Event, event_id, EVENT_PAGE)
    query = event_participants_query(event, current_user)
    if current_user.is_authenticated:
        return paginated(query, participant_item)
    # The public API names people as the public page does; the others are
    # counted rows with their country only.
    named = named_in_public(list(db.session.scalars(query)), listing_basis(event))
    return paginated(
        query,
        lambda p: participant_item(p) if p.id in named else unnamed_item(p),
    )


def unnamed_item(participation: Participation) -> dict[str, Any]:
    """A participant who did not consent to be named: counted, not described."""
    municipality = participation.municipality
    return {
        "id": participation.id,
        "person": None,
        "municipality": None,
        "country": municipality.country.code if municipality else None,
        "role": participation.role.value,
        "presentation_title": "",
        "attendance": participation.attendance.value,
    }


# OpenAPI 3.1 fragments, merged into /api/v1/openapi.json. Paths are relative
# to the API's server URL (/api/v1).
_EVENT_ID = {
    "name": "event_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer"},
}
_ERRORS = {
    "400": {"description": "A parameter is invalid (error object)."},
    "404": {
        "description": "No such event, or the caller may not see it (error object)."
    },
}


OPENAPI_PATHS: dict[str, Any] = {
    "/events": {
        "get": {
            "operationId": "listEvents",
            "tags": ["events"],
            "summary": "Events the caller may see",
            "description": (
                "Anonymous callers get public events; municipal contacts also get "
                "events that are not over and those their municipality took part "
                "in; staff get all."
            ),
            "security": [{}, {"bearerAuth": []}],
            "parameters": [
                *PAGE_PARAMETERS,
                {
                    "name": "kind",
                    "in": "query",
                    "schema": {"type": "string", "enum": [k.value for k in EventKind]},
                },
                {"name": "year", "in": "query", "schema": {"type": "integer"}},
                {
                    "name": "country",
                    "in": "query",
                    "description": "ISO 3166-1 alpha-2 code of the host country.",
                    "schema": {"type": "string", "maxLength": 2},
                },
                {
                    "name": "program",
                    "in": "query",
                    "description": "Program code, e.g. ILTP.",
                    "schema": {"type": "string", "maxLength": 10},
                },
                {
                    "name": "when",
                    "in": "query",
                    "description": "upcoming: not over yet; past: over.",
                    "schema": {"type": "string", "enum": list(WHEN_CHOICES)},
                },
                {
                    "name": "q",
                    "in": "query",
                    "description": "Text in the title, city, venue or hosts.",
                    "schema": {"type": "string", "maxLength": 100},
                },
                {
                    "name": "sort",
                    "in": "query",
                    "description": "Sort key; '-' first sorts descending.",
                    "schema": {
                        "type": "string",
                        "enum": [*SORT_KEYS, *(f"-{key}" for key in SORT_KEYS)],
                    },
                },
            ],
            "responses": {
                "200": {
                    "description": "A page of events.",
                    "content": {
                        "application/json": {"schema": page_of("EventSummary")}
                    },
                },
                "400": _ERRORS["400"],
            },
        }
    },
    "/events/{event_id}": {
        "get": {
            "operationId": "getEvent",
            "tags": ["events"],
            "summary": "One event with its sessions and site visits",
            "security": [{}, {"bearerAuth": []}],
            "parameters": [_EVENT_ID],
            "responses": {
                "200": {
                    "description": "The event.",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/EventDetail"}
                        }
                    },
                },
                "404": _ERRORS["404"],
            },
        }
    },
    "/events/{event_id}/participants": {
        "get": {
            "operationId": "listEventParticipants",
            "tags": ["events"],
            "summary": "The event's participants the caller may see",
            "description": (
                "Anonymous callers and other municipalities' contacts get confirmed "
                "participants (registered or attended) without e-mail or phone."
                " Anonymous callers get names only of people who consented to "
                "be named (or presenters on the event's legal basis); the others "
                "come with person and municipality null and their country only."
            ),
            "security": [{}, {"bearerAuth": []}],
            "parameters": [_EVENT_ID, *PAGE_PARAMETERS],
            "responses": {
                "200": {
                    "description": "A page of participants.",
                    "content": {
                        "application/json": {"schema": page_of("EventParticipant")}
                    },
                },
                "400": _ERRORS["400"],
                "404": _ERRORS["404"],
            },
        }
    },
}

_DATE = {"type": "string", "format": "date"}

OPENAPI_SCHEMAS: dict[str, Any] = {
    "EventSummary": {
        "type": "object",
        "required": [
            "id",
            "title",
            "kind",
            "starts_on",
            "ends_on",
            "city",
            "country",
            "venue",
            "organisers",
            "program",
            "is_public",
            "url",
        ],
        "properties": {
            "id": {"type": "integer"},
            "title": {"type": "string"},
            "kind": {"type": "string", "enum": [k.value for k in EventKind]},
            "starts_on": _DATE,
            "ends_on": _DATE,
            "city": {"type": "string"},
            "country": {"type": ["string", "null"], "description": "ISO code"},
            "venue": {"type": "string"},
            "organisers": {"type": "string"},
            "program": {"type": ["string", "null"], "description": "Program code"},
            "is_public": {"type": "boolean"},
            "url": {"type": "string", "description": "The event's HTML page."},
        },
    },
    "EventSession": {
        "type": "object",
        "required": ["id", "held_on", "position", "kind", "title"],
        "properties": {
            "id": {"type": "integer"},
            "held_on": _DATE,
            "position": {"type": "integer"},
            "kind": {
                "type": "string",
                "enum": [k.value for k in SessionKind],
            },
            "title": {"type": "string"},
            "speakers": {"type": "string"},
            "description": {"type": "string"},
        },
    },
    "EventDetail": {
        "allOf": [
            {"$ref": "#/components/schemas/EventSummary"},
            {
                "type": "object",
                "required": ["description", "sessions"],
                "properties": {
                    "description": {"type": "string"},
                    "sessions": {
                        "type": "array",
                        "items": {"$ref": "#/components/schemas/EventSession"},
                    },
                },
            },
        ]
    },
    "EventParticipant": {
        "type": "object",
        "required": [
            "id",
            "person",
            "municipality",
            "role",
            "presentation_title",
            "attendance",
        ],
        "properties": {
            "id": {"type": "integer"},
            "person": {
                "description": "null for anonymous callers when the person did "
                "not consent to be named.",
                "oneOf": [
                    {"type": "null"},
                    {
                        "type": "object",
                        "required": ["id", "full_name"],
                        "properties": {
                            "id": {"type": "integer"},
                            "full_name": {"type": "string"},
                            "position": {"type": "string"},
                            "organisation": {"type": "string"},
                        },
                    },
                ],
            },
            "country": {
                "type": ["string", "null"],
                "description": "For a participant who is not named: the country "
                "of the municipality represented.",
            },
            "municipality": {
                "description": "The municipality represented, as it was then.",
                "oneOf": [
                    {"type": "null"},
                    {
                        "type": "object",
                        "required": ["id", "name", "country"],
                        "properties": {
                            "id": {"type": "integer"},
                            "name": {"type": "string"},
                            "country": {"type": "string"},
                        },
                    },
                ],
            },
            "role": {
                "type": "string",
                "enum": [r.value for r in ParticipationRole],
            },
            "presentation_title": {"type": "string"},
            "attendance": {
                "type": "string",
                "enum": [a.value for a in Attendance],
            },
            "email": {
                "type": ["string", "null"],
                "description": "Only for staff and the represented municipality.",
            },
            "phone": {
                "type": "string",
                "description": "Only for staff and the represented municipality.",
            },
        },
    },
}
