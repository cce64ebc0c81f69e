"""The events' export columns."""

from __future__ import annotations

from tracker.models import (
    Event,
)

EVENT_COLUMNS = (
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
    "public",
)


def event_row(event: Event) -> tuple:
    return (
        event.id,
        event.title,
        event.kind,
        event.starts_on,
        event.ends_on,
        event.city,
        event.country.code if event.country else "",
        event.venue,
        event.organisers,
        event.program.code if event.program else "",
        event.is_public,
    )
