"""The dashboard's numbers computed a second, independent way.

Plain Python over ORM objects loaded one by one: none of the SQL of
``tracker/dashboards/queries.py`` is reused, only the written definitions
(see "How the figures are counted" on the dashboard). Slow, obvious, and
therefore a fair judge of the aggregate queries.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.models import (
    ASSESSMENT_AREAS,
    AssessmentKind,
    Attendance,
    Enrollment,
    Event,
    EventKind,
    Municipality,
    Participation,
    Person,
    Program,
    StageKind,
    Testimonial,
    TestimonialStatus,
)

NO_COUNTRY = "No municipality"


@dataclass
class Expected:
    figures: dict[str, int]
    stages: dict[tuple[str, str], int]  # (program code, stage name) -> enrollments
    countries: dict[tuple[str, str], int]  # (country name, program code) -> n
    years: dict[tuple[str, str], int]  # (year, series) -> n
    participation_countries: dict[str, int]
    participation_years: dict[str, int]
    assessments: dict[tuple[str, str], float]
    medians: dict[tuple[str, str], float | None]  # (program, stage code)
    data_quality: dict[str, int]
    extra: dict[str, Any] = field(default_factory=dict)


def _started_on(enrollment: Enrollment) -> date | None:
    if enrollment.applied_on is not None:
        return enrollment.applied_on
    dates = [change.effective_on for change in enrollment.stage_changes]
    return min(dates) if dates else None


def compute(session: Session, args: dict[str, str], now: datetime) -> Expected:
    """Everything the dashboard shows for the filters in ``args``."""
    program_code = (args.get("program") or "").upper() or None
    country_code = (args.get("country") or "").upper() or None
    year_from = int(args["from"]) if args.get("from") else None
    year_to = int(args["to"]) if args.get("to") else None
    today = now.date()

    def in_years(day: date | None) -> bool:
        if day is None:
            return year_from is None and year_to is None
        return (year_from is None or day.year >= year_from) and (
            year_to is None or day.year <= year_to
        )

    def program_ok(program: Program | None) -> bool:
        return program_code is None or (
            program is not None and program.code == program_code
        )

    def municipality_ok(municipality: Municipality | None) -> bool:
        return country_code is None or (
            municipality is not None and municipality.country.code == country_code
        )

    programs = session.scalars(select(Program).order_by(Program.code)).all()
    all_enrollments = session.scalars(select(Enrollment)).all()

    def enrollment_ok(enrollment: Enrollment, years: bool = True) -> bool:
        return (
            program_ok(enrollment.program)
            and municipality_ok(enrollment.municipality)
            and (not years or in_years(_started_on(enrollment)))
        )

    scope = [e for e in all_enrollments if enrollment_ok(e)]

    def first_stage(program: Program):
        working = [s for s in program.stages if s.kind == StageKind.WORKING]
        return min(working, key=lambda s: s.position) if working else None

    figures: dict[str, int] = {
        "municipalities_engaged": len({e.municipality_id for e in scope}),
        "countries": len({e.municipality.country_id for e in scope}),
        "enrollments": len(scope),
        "ready_to_join": sum(
            1 for e in scope if e.current_stage is first_stage(e.program)
        ),
        "completed": sum(
            1 for e in scope if e.current_stage.kind == StageKind.COMPLETED
        ),
    }

    events = session.scalars(select(Event)).all()

    def event_touches_country(event: Event) -> bool:
        if country_code is None:
            return True
        if event.country is not None and event.country.code == country_code:
            return True
        return any(
            p.municipality is not None and p.municipality.country.code == country_code
            for p in event.participations
        )

    def event_ok(event: Event) -> bool:
        return (
            in_years(event.starts_on)
            and program_ok(event.program)
            and event_touches_country(event)
        )

    figures["events_held"] = sum(
        1 for e in events if e.starts_on <= today and event_ok(e)
    )

    attended = [
        p
        for p in session.scalars(select(Participation)).all()
        if p.attendance == Attendance.ATTENDED
        and in_years(p.event.starts_on)
        and program_ok(p.event.program)
        and municipality_ok(p.municipality)
    ]
    figures["people_took_part"] = len({p.person_id for p in attended})
    figures["participations_attended"] = len(attended)
    trainings = Counter(
        p.person_id
        for p in attended
        if p.event.program is not None
        and p.event.program.code == "ILTP"
        and p.event.kind == EventKind.TRAINING
    )
    iltp = next((p for p in programs if p.code == "ILTP"), None)
    required = (iltp.required_trainings if iltp else None) or 1
    figures["iltp_people_in_training"] = len(trainings)
    figures["iltp_leaders_trained"] = sum(
        1 for n in trainings.values() if n >= required
    )

    testimonials = session.scalars(select(Testimonial)).all()

    def testimonial_ok(t: Testimonial) -> bool:
        when = (t.submitted_at or t.created_at).astimezone(UTC).date()
        return (
            in_years(when) and program_ok(t.program) and municipality_ok(t.municipality)
        )

    figures["testimonials_published"] = sum(
        1
        for t in testimonials
        if t.status == TestimonialStatus.APPROVED and testimonial_ok(t)
    )
    figures["testimonials_awaiting_review"] = sum(
        1
        for t in testimonials
        if t.status == TestimonialStatus.SUBMITTED and testimonial_ok(t)
    )

    # Charts.
    stages: dict[tuple[str, str], int] = {}
    for program in programs:
        if program_ok(program):
            for stage in program.stages:
                stages[(program.code, stage.name)] = sum(
                    1 for e in scope if e.current_stage_id == stage.id
                )
    countries = Counter((e.municipality.country.name, e.program.code) for e in scope)
    years: Counter = Counter()
    for e in scope:
        years[(str(_started_on(e).year), "New enrollments")] += 1
    for e in all_enrollments:
        if not enrollment_ok(e, years=False):
            continue
        for change in e.stage_changes:
            if change.from_stage_id is not None and in_years(change.effective_on):
                years[(str(change.effective_on.year), "Stage changes")] += 1
    participation_countries = Counter(
        p.municipality.country.name if p.municipality else NO_COUNTRY for p in attended
    )
    participation_years = Counter(str(p.event.starts_on.year) for p in attended)

    baselines, follow_ups = [], []
    for e in scope:
        base = [a for a in e.assessments if a.kind == AssessmentKind.BASELINE]
        later = [a for a in e.assessments if a.kind == AssessmentKind.FOLLOW_UP]
        if base and later:
            baselines.append(min(base, key=lambda a: (a.assessed_on, -a.id)))
            follow_ups.append(max(later, key=lambda a: (a.assessed_on, a.id)))
    assessments = {}
    if baselines:
        for area, text in ASSESSMENT_AREAS.items():
            for label, chosen in (
                ("Baseline", baselines),
                ("Latest follow-up", follow_ups),
            ):
                assessments[(text, label)] = round(
                    sum(getattr(a, area) for a in chosen) / len(chosen), 1
                )

    durations: dict[int, list[int]] = defaultdict(list)
    for e in scope:
        changes = sorted(e.stage_changes, key=lambda c: (c.effective_on, c.id))
        for current, following in zip(changes, changes[1:], strict=False):
            durations[current.to_stage_id].append(
                (following.effective_on - current.effective_on).days
            )
    medians = {
        (program.code, stage.code): (
            statistics.median(durations[stage.id]) if durations[stage.id] else None
        )
        for program in programs
        if program_ok(program)
        for stage in program.stages
    }

    # Data quality (years do not apply).
    people_homes = {p.municipality_id for p in session.scalars(select(Person)).all()}
    enrolled_in_program = {
        e.municipality_id for e in all_enrollments if program_ok(e.program)
    }
    try:
        cutoff = today.replace(year=today.year - 1)
    except ValueError:
        cutoff = today.replace(year=today.year - 1, day=28)

    def last_change(e: Enrollment) -> date | None:
        dates = [c.effective_on for c in e.stage_changes]
        return max(dates) if dates else e.applied_on

    data_quality = {
        "municipalities_missing_contact": sum(
            1
            for m in session.scalars(select(Municipality)).all()
            if (m.id not in people_homes or m.email == "")
            and municipality_ok(m)
            and (program_code is None or m.id in enrolled_in_program)
        ),
        "stale_enrollments": sum(
            1
            for e in all_enrollments
            if enrollment_ok(e, years=False)
            and e.current_stage.kind == StageKind.WORKING
            and (last_change(e) is None or last_change(e) < cutoff)
        ),
        "events_with_registered": sum(
            1
            for e in events
            if e.ends_on < today
            and any(p.attendance == Attendance.REGISTERED for p in e.participations)
            and program_ok(e.program)
            and event_touches_country(e)
        ),
        "overdue_testimonials": sum(
            1
            for t in testimonials
            if t.status == TestimonialStatus.SUBMITTED
            and t.submitted_at < now - timedelta(days=14)
            and program_ok(t.program)
            and municipality_ok(t.municipality)
        ),
    }
    return Expected(
        figures=figures,
        stages=stages,
        countries=dict(countries),
        years=dict(years),
        participation_countries=dict(participation_countries),
        participation_years=dict(participation_years),
        assessments=assessments,
        medians=medians,
        data_quality=data_quality,
    )


def chart_cells(chart: dict[str, Any], skip_zero: bool = True) -> dict:
    """A chart table from the API as {(row label, column): value}."""
    cells = {}
    for row in chart["rows"]:
        for column, value in zip(chart["columns"][1:], row[1:], strict=True):
            if value is None or (skip_zero and value == 0):
                continue
            cells[(row[0], column)] = value
    return cells


def nonzero(mapping: dict) -> dict:
    return {key: value for key, value in mapping.items() if value}
