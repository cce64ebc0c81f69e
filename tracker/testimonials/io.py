"""The testimonials' export columns."""

from __future__ import annotations

from tracker.models import (
    Testimonial,
)

TESTIMONIAL_COLUMNS = (
    "id",
    "status",
    "featured",
    "quote",
    "author_name",
    "author_position",
    "municipality",
    "country",
    "program",
    "event",
    "submitted_at",
    "reviewed_at",
    "review_note",
)


def testimonial_row(testimonial: Testimonial) -> tuple:
    return (
        testimonial.id,
        testimonial.status,
        testimonial.is_featured,
        testimonial.quote,
        testimonial.author_name,
        testimonial.author_position,
        testimonial.municipality.name,
        testimonial.municipality.country.code,
        testimonial.program.code if testimonial.program else "",
        testimonial.event.title if testimonial.event else "",
        testimonial.submitted_at,
        testimonial.reviewed_at,
        testimonial.review_note,
    )
