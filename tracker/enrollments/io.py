"""The enrollments' export columns."""

from __future__ import annotations

from tracker.models import (
    Enrollment,
)

ENROLLMENT_COLUMNS = (
    "id",
    "municipality",
    "country",
    "program",
    "cohort",
    "stage",
    "stage_since",
    "applied_on",
    "notes",
)


def enrollment_row(enrollment: Enrollment) -> tuple:
    return (
        enrollment.id,
        enrollment.municipality.name,
        enrollment.municipality.country.code,
        enrollment.program.code,
        enrollment.cohort.name if enrollment.cohort else "",
        enrollment.current_stage.name,
        enrollment.current_since,
        enrollment.applied_on,
        enrollment.notes,
    )
