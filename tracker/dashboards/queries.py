"""Read-only aggregate queries behind the dashboard, ``/api/v1/stats`` and open data.

Every figure is one aggregate ``select()`` that returns plain rows; nothing
here loads ORM objects row by row, so the cost of a page does not grow with
the data. The scalar figures run together as scalar subqueries of a single
statement, and each chart is built from one grouped query, so the whole
dashboard takes a fixed number of round trips.

What the filters select (shown on the page under "How the figures are counted"):

- program: enrollments in it; events and trainings linked to it; testimonials
  about it.
- country: enrollments and participations of its municipalities; events held
  in it or with participants from it; testimonials of its municipalities.
- years (``from``/``to``, inclusive): enrollments that started in them (the
  applied date, or else the first stage change); stage changes, events and
  participations dated in them; testimonials submitted in them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Select,
    case,
    cast,
    distinct,
    exists,
    extract,
    func,
    literal_column,
    or_,
    select,
    union_all,
)

from tracker.extensions import db
from tracker.models import (
    ASSESSMENT_AREAS,
    Assessment,
    AssessmentKind,
    Attendance,
    Country,
    Enrollment,
    Event,
    EventKind,
    Municipality,
    Participation,
    Person,
    Program,
    Stage,
    StageChange,
    StageKind,
    Testimonial,
    TestimonialStatus,
    utcnow,
)
from tracker.sql import days_between

YEAR_MIN = 1990
YEAR_MAX = 2100
ILTP_CODE = "ILTP"
STALE_ENROLLMENT_MONTHS = 12
REVIEW_OVERDUE_DAYS = 14
NO_COUNTRY = "No municipality"


# --- Filters and reference data -------------------------------------------


@dataclass(frozen=True)
class Filters:
    """Program code, country ISO code and an inclusive year range; all optional."""

    program: str | None = None
    country: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    # One clock for the whole request, so every figure agrees on "today".
    now: datetime = field(default_factory=utcnow)

    @property
    def today(self) -> date:
        return self.now.date()

    @property
    def first_day(self) -> date | None:
        return date(self.year_from, 1, 1) if self.year_from else None

    @property
    def last_day(self) -> date | None:
        return date(self.year_to, 12, 31) if self.year_to else None

    def as_args(self) -> dict[str, str]:
        """The filters as URL query arguments (what the dashboard links carry)."""
        args = {
            "program": self.program,
            "country": self.country,
            "from": str(self.year_from) if self.year_from else None,
            "to": str(self.year_to) if self.year_to else None,
        }
        return {key: value for key, value in args.items() if value}

    def as_dict(self) -> dict[str, Any]:
        return {
            "program": self.program,
            "country": self.country,
            "from": self.year_from,
            "to": self.year_to,
        }

    @property
    def is_empty(self) -> bool:
        return not self.as_args()

    def slug(self) -> str:
        """A file-name part naming the filters: ``ACP_HR_2012-2017``."""
        parts = [self.program or "", self.country or ""]
        if self.year_from or self.year_to:
            parts.append(f"{self.year_from or ''}-{self.year_to or ''}")
        return "_".join(part for part in parts if part)


@dataclass(frozen=True)
class StageInfo:
    id: int
    code: str
    name: str
    position: int
    kind: StageKind


@dataclass(frozen=True)
class ProgramInfo:
    id: int
    code: str
    name: str
    required_trainings: int | None
    stages: tuple[StageInfo, ...]

    @property
    def first_stage_id(self) -> int | None:
        """The entry stage ("ready to join"): the first stage still in progress."""
        working = [stage for stage in self.stages if stage.kind == StageKind.WORKING]
        return working[0].id if working else None


@dataclass(frozen=True)
class Reference:
    """Programs with their stages, and countries: the filters' choices."""

    programs: tuple[ProgramInfo, ...]
    countries: tuple[tuple[str, str], ...]

    @property
    def program_codes(self) -> list[str]:
        return [program.code for program in self.programs]

    @property
    def country_codes(self) -> list[str]:
        return [code for code, _ in self.countries]

    def country_name(self, code: str | None) -> str:
        return dict(self.countries).get(code or "", NO_COUNTRY)

    def program(self, code: str | None) -> ProgramInfo | None:
        return next((p for p in self.programs if p.code == code), None)

    def selected_programs(self, filters: Filters) -> tuple[ProgramInfo, ...]:
        if filters.program is None:
            return self.programs
        return tuple(p for p in self.programs if p.code == filters.program)

    @property
    def stages_by_id(self) -> dict[int, tuple[ProgramInfo, StageInfo]]:
        return {
            stage.id: (program, stage)
            for program in self.programs
            for stage in program.stages
        }


def reference_data() -> Reference:
    """Programs and stages (one query) and countries (one query)."""
    programs: dict[int, dict[str, Any]] = {}
    rows = db.session.execute(
        select(
            Program.id,
            Program.code,
            Program.name,
            Program.required_trainings,
            Stage.id.label("stage_id"),
            Stage.code.label("stage_code"),
            Stage.name.label("stage_name"),
            Stage.position,
            Stage.kind,
        )
        .outerjoin(Stage, Stage.program_id == Program.id)
        .order_by(Program.code, Stage.position)
    )
    for row in rows:
        program = programs.setdefault(
            row.id,
            {
                "id": row.id,
                "code": row.code,
                "name": row.name,
                "required_trainings": row.required_trainings,
                "stages": [],
            },
        )
        if row.stage_id is not None:
            program["stages"].append(
                StageInfo(
                    row.stage_id, row.stage_code, row.stage_name, row.position, row.kind
                )
            )
    countries = db.session.execute(
        select(Country.code, Country.name).order_by(Country.name)
    )
    return Reference(
        programs=tuple(
            ProgramInfo(**{**program, "stages": tuple(program["stages"])})
            for program in programs.values()
        ),
        countries=tuple((code, name) for code, name in countries),
    )


def parse_filters(
    args: Mapping[str, str], reference: Reference, now: datetime | None = None
) -> tuple[Filters, list[tuple[str, str]]]:
    """Filters from URL arguments, and the problems found as (parameter, message).

    A value that is not understood is dropped (and reported); a reversed year
    range is swapped (and reported). The dashboard shows the problems, the API
    refuses the request with them.
    """
    problems: list[tuple[str, str]] = []

    def code(name: str, known: list[str]) -> str | None:
        raw = (args.get(name) or "").strip()
        if not raw:
            return None
        by_upper = {value.upper(): value for value in known}
        if raw.upper() not in by_upper:
            choices = ", ".join(known) if known else "none is recorded yet"
            problems.append((name, f"must be one of: {choices}."))
            return None
        return by_upper[raw.upper()]

    def year(name: str) -> int | None:
        raw = (args.get(name) or "").strip()
        if not raw:
            return None
        if not raw.isdigit() or not YEAR_MIN <= int(raw) <= YEAR_MAX:
            problems.append(
                (name, f"must be a year between {YEAR_MIN} and {YEAR_MAX}.")
            )
            return None
        return int(raw)

    program = code("program", reference.program_codes)
    country = code("country", reference.country_codes)
    year_from, year_to = year("from"), year("to")
    if year_from and year_to and year_from > year_to:
        problems.append(("from", "must not be after 'to'; the years were swapped."))
        year_from, year_to = year_to, year_from
    filters = Filters(program, country, year_from, year_to, now=now or utcnow())
    return filters, problems


# --- Shared query pieces ----------------------------------------------------


def enrollment_started_on() -> ColumnElement[date]:
    """When an enrollment started: its applied date, or else its first stage change."""
    first_change = (
        select(func.min(StageChange.effective_on))
        .where(StageChange.enrollment_id == Enrollment.id)
        .correlate(Enrollment)
        .scalar_subquery()
    )
    return func.coalesce(Enrollment.applied_on, first_change, type_=Date)


def year_of(column: ColumnElement[Any]) -> ColumnElement[int]:
    return cast(extract("year", column), Integer)


def _in_years(column: ColumnElement[Any], filters: Filters) -> list[ColumnElement]:
    conditions = []
    if filters.first_day:
        conditions.append(column >= filters.first_day)
    if filters.last_day:
        conditions.append(column <= filters.last_day)
    return conditions


def _in_years_at(column: ColumnElement[Any], filters: Filters) -> list[ColumnElement]:
    """Year bounds for a timestamp column (UTC)."""
    conditions = []
    if filters.year_from:
        conditions.append(column >= datetime(filters.year_from, 1, 1, tzinfo=UTC))
    if filters.year_to:
        conditions.append(column < datetime(filters.year_to + 1, 1, 1, tzinfo=UTC))
    return conditions


def _program_id(code: str) -> ColumnElement[int]:
    """The id of the program with ``code`` (NULL when there is none)."""
    return select(Program.id).where(Program.code == code).scalar_subquery()


def _municipalities_in(country_code: str) -> Select:
    """The ids of the municipalities of a country, by its ISO code."""
    return (
        select(Municipality.id)
        .join(Country, Country.id == Municipality.country_id)
        .where(Country.code == country_code)
    )


def enrollments(filters: Filters, *columns: Any, years: bool = True) -> Select:
    """``select(*columns)`` over the enrollments the filters select.

    Filters by ids (subqueries), joining nothing: a count reads the
    enrollment table alone. Callers join ``with_places`` or Program for the
    columns they show; ``years=False`` leaves the year range to the caller
    (stage changes are dated by their own date).
    """
    query = select(*columns).select_from(Enrollment)
    if filters.program:
        query = query.where(Enrollment.program_id == _program_id(filters.program))
    if filters.country:
        query = query.where(
            Enrollment.municipality_id.in_(_municipalities_in(filters.country))
        )
    if years:
        query = query.where(*_in_years(enrollment_started_on(), filters))
    return query


def with_places(query: Select, municipality_id: ColumnElement[int]) -> Select:
    """Join the municipality of ``municipality_id`` and its country (outer: a
    participation may represent none)."""
    return query.outerjoin(Municipality, Municipality.id == municipality_id).outerjoin(
        Country, Country.id == Municipality.country_id
    )


def participations(filters: Filters, *columns: Any) -> Select:
    """``select(*columns)`` over attended participations the filters select.

    Years and program select the events (a subquery), the country the
    municipalities represented; nothing is joined, so a count reads the
    participation table (or one of its indexes) alone.
    """
    query = (
        select(*columns)
        .select_from(Participation)
        .where(Participation.attendance == Attendance.ATTENDED)
    )
    events_chosen = [*_in_years(Event.starts_on, filters)]
    if filters.program:
        events_chosen.append(Event.program_id == _program_id(filters.program))
    if events_chosen:
        query = query.where(
            Participation.event_id.in_(select(Event.id).where(*events_chosen))
        )
    if filters.country:
        query = query.where(
            Participation.municipality_id.in_(_municipalities_in(filters.country))
        )
    return query


def _event_touches_country(country_code: str) -> ColumnElement[bool]:
    """Held in the country, or with participants from its municipalities."""
    held_there = exists().where(
        Country.id == Event.country_id, Country.code == country_code
    )
    participant_from = (
        select(Participation.id)
        .join(Municipality, Municipality.id == Participation.municipality_id)
        .join(Country, Country.id == Municipality.country_id)
        .where(Participation.event_id == Event.id, Country.code == country_code)
        .exists()
    )
    return or_(held_there, participant_from)


def events(filters: Filters, *columns: Any, public_only: bool = False) -> Select:
    """``select(*columns)`` over the events the filters select (held or not)."""
    query = (
        select(*columns).select_from(Event).where(*_in_years(Event.starts_on, filters))
    )
    if filters.program:
        query = query.where(
            Event.program_id.in_(
                select(Program.id).where(Program.code == filters.program)
            )
        )
    if filters.country:
        query = query.where(_event_touches_country(filters.country))
    if public_only:
        query = query.where(Event.is_public)
    return query


def testimonials(filters: Filters, *columns: Any) -> Select:
    """``select(*columns)`` over the testimonials the filters select (no joins)."""
    query = (
        select(*columns)
        .select_from(Testimonial)
        .where(
            *_in_years_at(
                func.coalesce(Testimonial.submitted_at, Testimonial.created_at),
                filters,
            )
        )
    )
    if filters.program:
        query = query.where(Testimonial.program_id == _program_id(filters.program))
    if filters.country:
        query = query.where(
            Testimonial.municipality_id.in_(_municipalities_in(filters.country))
        )
    return query


# --- Scalar figures -------------------------------------------------------


def municipalities_engaged(filters: Filters) -> Select:
    """Municipalities with at least one enrollment."""
    return enrollments(filters, func.count(distinct(Enrollment.municipality_id)))


def countries_engaged(filters: Filters) -> Select:
    """Countries of the municipalities engaged."""
    return enrollments(filters, func.count(distinct(Municipality.country_id))).join(
        Municipality, Municipality.id == Enrollment.municipality_id
    )


def enrollment_total(filters: Filters) -> Select:
    return enrollments(filters, func.count(Enrollment.id))


def events_held(filters: Filters, public_only: bool = False) -> Select:
    """Events that have started by today."""
    return events(filters, func.count(Event.id), public_only=public_only).where(
        Event.starts_on <= filters.today
    )


def people_took_part(filters: Filters) -> Select:
    """Distinct people who attended an event."""
    return participations(filters, func.count(distinct(Participation.person_id)))


def participations_attended(filters: Filters) -> Select:
    return participations(filters, func.count(Participation.id))


def _iltp_required() -> ColumnElement[int]:
    """How many trainings ILTP requires (1 when it does not say)."""
    return (
        select(func.coalesce(Program.required_trainings, 1))
        .where(Program.code == ILTP_CODE)
        .scalar_subquery()
    )


def _iltp_trainings_per_person(filters: Filters) -> Select:
    """Per person: ILTP training events attended."""
    iltp_trainings = select(Event.id).where(
        Event.program_id == _program_id(ILTP_CODE), Event.kind == EventKind.TRAINING
    )
    return (
        participations(
            filters,
            Participation.person_id,
            func.count(Participation.id).label("attended"),
        )
        .where(Participation.event_id.in_(iltp_trainings))
        .group_by(Participation.person_id)
    )


def iltp_people_in_training(filters: Filters) -> Select:
    """People who attended at least one ILTP training event."""
    per_person = _iltp_trainings_per_person(filters).subquery()
    return select(func.count()).select_from(per_person)


def iltp_leaders_trained(filters: Filters) -> Select:
    """People who attended at least ``Program.required_trainings`` ILTP trainings."""
    per_person = _iltp_trainings_per_person(filters).subquery()
    return (
        select(func.count())
        .select_from(per_person)
        .where(per_person.c.attended >= _iltp_required())
    )


def testimonials_with_status(filters: Filters, status: TestimonialStatus) -> Select:
    return testimonials(filters, func.count(Testimonial.id)).where(
        Testimonial.status == status
    )


# --- Data quality -----------------------------------------------------------


def _stale_cutoff(today: date) -> date:
    try:
        return today.replace(year=today.year - STALE_ENROLLMENT_MONTHS // 12)
    except ValueError:  # 29 February
        return today.replace(year=today.year - 1, day=28)


def _review_cutoff(filters: Filters) -> datetime:
    return filters.now - timedelta(days=REVIEW_OVERDUE_DAYS)


def _has_person() -> ColumnElement[bool]:
    return exists().where(Person.municipality_id == Municipality.id)


def municipalities_missing_contact(filters: Filters, *columns: Any) -> Select:
    """Municipalities with nobody acting for them, or no contact e-mail.

    With a program filter, only the municipalities enrolled in it.
    """
    query = (
        select(*columns)
        .select_from(Municipality)
        .where(or_(~_has_person(), Municipality.email == ""))
    )
    if filters.country:
        query = query.where(Municipality.id.in_(_municipalities_in(filters.country)))
    if filters.program:
        query = query.where(
            Municipality.id.in_(
                select(Enrollment.municipality_id).where(
                    Enrollment.program_id == _program_id(filters.program)
                )
            )
        )
    return query


def _last_change_on() -> ColumnElement[date]:
    return (
        select(func.max(StageChange.effective_on))
        .where(StageChange.enrollment_id == Enrollment.id)
        .correlate(Enrollment)
        .scalar_subquery()
    )


def stale_enrollments(filters: Filters, *columns: Any) -> Select:
    """Enrollments still in progress whose stage has not changed for 12 months."""
    last_change = func.coalesce(_last_change_on(), Enrollment.applied_on, type_=Date)
    return (
        enrollments(filters, *columns, years=False)
        .join(Stage, Stage.id == Enrollment.current_stage_id)
        .where(Stage.kind == StageKind.WORKING)
        .where(or_(last_change.is_(None), last_change < _stale_cutoff(filters.today)))
    )


def _registered(event_id: ColumnElement[int]) -> Select:
    return select(func.count(Participation.id)).where(
        Participation.event_id == event_id,
        Participation.attendance == Attendance.REGISTERED,
    )


def events_with_registered(filters: Filters, *columns: Any) -> Select:
    """Past events with participants still marked "registered"."""
    still_registered = exists().where(
        Participation.event_id == Event.id,
        Participation.attendance == Attendance.REGISTERED,
    )
    query = (
        select(*columns)
        .select_from(Event)
        .where(Event.ends_on < filters.today, still_registered)
    )
    if filters.program:
        query = query.where(
            Event.program_id.in_(
                select(Program.id).where(Program.code == filters.program)
            )
        )
    if filters.country:
        query = query.where(_event_touches_country(filters.country))
    return query


def overdue_testimonials(filters: Filters, *columns: Any) -> Select:
    """Testimonials waiting for review for more than 14 days."""
    query = (
        select(*columns)
        .select_from(Testimonial)
        .where(
            Testimonial.status == TestimonialStatus.SUBMITTED,
            Testimonial.submitted_at < _review_cutoff(filters),
        )
    )
    if filters.program:
        query = query.where(Testimonial.program_id == _program_id(filters.program))
    if filters.country:
        query = query.where(
            Testimonial.municipality_id.in_(_municipalities_in(filters.country))
        )
    return query


DATA_QUALITY_CHECKS: dict[str, tuple[str, Callable[..., Select]]] = {
    "municipalities_missing_contact": (
        "Municipalities with no contact person or e-mail",
        municipalities_missing_contact,
    ),
    "stale_enrollments": (
        "Enrollments with no stage change for 12 months",
        stale_enrollments,
    ),
    "events_with_registered": (
        "Past events with participants still “registered”",
        events_with_registered,
    ),
    "overdue_testimonials": (
        "Testimonials waiting for review for more than 14 days",
        overdue_testimonials,
    ),
}
# Each check's count: its select over the check's own key column.
_DATA_QUALITY_KEYS = {
    "municipalities_missing_contact": Municipality.id,
    "stale_enrollments": Enrollment.id,
    "events_with_registered": Event.id,
    "overdue_testimonials": Testimonial.id,
}


def data_quality_counts(filters: Filters) -> dict[str, Select]:
    return {
        name: check(filters, func.count(_DATA_QUALITY_KEYS[name]))
        for name, (_, check) in DATA_QUALITY_CHECKS.items()
    }


# --- Running scalar figures together --------------------------------------


def dashboard_scalars(filters: Filters) -> dict[str, Select]:
    """Every scalar figure of the dashboard, by name: one aggregate select each."""
    return {
        "municipalities_engaged": municipalities_engaged(filters),
        "countries": countries_engaged(filters),
        "enrollments": enrollment_total(filters),
        "events_held": events_held(filters),
        "people_took_part": people_took_part(filters),
        "participations_attended": participations_attended(filters),
        "iltp_people_in_training": iltp_people_in_training(filters),
        "iltp_leaders_trained": iltp_leaders_trained(filters),
        "testimonials_published": testimonials_with_status(
            filters, TestimonialStatus.APPROVED
        ),
        "testimonials_awaiting_review": testimonials_with_status(
            filters, TestimonialStatus.SUBMITTED
        ),
        **{f"dq_{name}": query for name, query in data_quality_counts(filters).items()},
    }


def public_scalars(filters: Filters) -> dict[str, Select]:
    """The figures the public home page and open data show."""
    return {
        "municipalities_engaged": municipalities_engaged(filters),
        "countries": countries_engaged(filters),
        "public_events_held": events_held(filters, public_only=True),
        "testimonials_published": testimonials_with_status(
            filters, TestimonialStatus.APPROVED
        ),
    }


def run_scalars(queries: Mapping[str, Select]) -> dict[str, int]:
    """Run several one-value aggregates as scalar subqueries of one statement."""
    statement = select(
        *(query.scalar_subquery().label(name) for name, query in queries.items())
    )
    row = db.session.execute(statement).one()
    return {name: int(row._mapping[name] or 0) for name in queries}


# --- Grouped queries behind the charts ------------------------------------


def enrollment_counts(filters: Filters) -> list[Any]:
    """Enrollments per program, current stage and country."""
    query = enrollments(
        filters,
        Enrollment.program_id,
        Enrollment.current_stage_id,
        Country.code.label("country"),
        func.count(Enrollment.id).label("n"),
    )
    return list(
        db.session.execute(
            with_places(query, Enrollment.municipality_id).group_by(
                Enrollment.program_id, Enrollment.current_stage_id, Country.code
            )
        )
    )


def yearly_counts(filters: Filters) -> list[Any]:
    """New enrollments per start year, and moves between stages per year."""
    started = enrollment_started_on()
    new = enrollments(
        filters,
        literal_column("'new'").label("series"),
        year_of(started).label("year"),
        func.count(Enrollment.id).label("n"),
    ).group_by(year_of(started))
    moves = (
        enrollments(
            filters,
            literal_column("'moves'").label("series"),
            year_of(StageChange.effective_on).label("year"),
            func.count(StageChange.id).label("n"),
            years=False,
        )
        .join(StageChange, StageChange.enrollment_id == Enrollment.id)
        .where(StageChange.from_stage_id.is_not(None))
        .where(*_in_years(StageChange.effective_on, filters))
        .group_by(year_of(StageChange.effective_on))
    )
    return list(db.session.execute(union_all(new, moves)))


def participation_counts(filters: Filters) -> list[Any]:
    """Attended participations per country represented and event year."""
    query = participations(
        filters,
        Country.code.label("country"),
        year_of(Event.starts_on).label("year"),
        func.count(Participation.id).label("n"),
    ).join(Event, Event.id == Participation.event_id)
    return list(
        db.session.execute(
            with_places(query, Participation.municipality_id).group_by(
                Country.code, year_of(Event.starts_on)
            )
        )
    )


def assessment_means(filters: Filters) -> list[Any]:
    """Mean score per area: baselines vs latest follow-ups, same enrollments.

    Takes each enrollment's first baseline and its latest follow-up, and only
    enrollments that have both, so that the two means compare like with like.
    """
    ranked = (
        enrollments(
            filters,
            Assessment.enrollment_id,
            Assessment.kind,
            *(getattr(Assessment, area) for area in ASSESSMENT_AREAS),
            func.row_number()
            .over(
                partition_by=(Assessment.enrollment_id, Assessment.kind),
                order_by=(
                    case(
                        (
                            Assessment.kind == AssessmentKind.BASELINE,
                            Assessment.assessed_on,
                        )
                    ).asc(),
                    case(
                        (
                            Assessment.kind == AssessmentKind.FOLLOW_UP,
                            Assessment.assessed_on,
                        )
                    ).desc(),
                    Assessment.id.desc(),
                ),
            )
            .label("rank"),
        )
        .join(Assessment, Assessment.enrollment_id == Enrollment.id)
        .subquery()
    )
    picked = select(ranked).where(ranked.c.rank == 1).subquery()
    paired = (
        select(picked.c.enrollment_id)
        .group_by(picked.c.enrollment_id)
        .having(func.count(distinct(picked.c.kind)) == 2)
    )
    return list(
        db.session.execute(
            select(
                picked.c.kind,
                func.count().label("n"),
                *(func.avg(picked.c[area]).label(area) for area in ASSESSMENT_AREAS),
            )
            .where(picked.c.enrollment_id.in_(paired))
            .group_by(picked.c.kind)
        )
    )


def stage_medians(filters: Filters) -> list[Any]:
    """Per stage: the stays in it that have ended (``measured``) and their median
    length in days (``median``).

    A stay ends with the enrollment's next stage change: the database pairs
    each change with the next one (``lead``), ranks the finished stays of each
    stage by length and returns only the middle one or two, averaged. No
    history row travels to Python, however long the history.
    """
    left_on = func.lead(StageChange.effective_on, type_=Date).over(
        partition_by=StageChange.enrollment_id,
        order_by=(StageChange.effective_on, StageChange.id),
    )
    stays = (
        enrollments(
            filters,
            StageChange.to_stage_id.label("stage_id"),
            StageChange.effective_on.label("entered_on"),
            left_on.label("left_on"),
        )
        .join(StageChange, StageChange.enrollment_id == Enrollment.id)
        .subquery()
    )
    days = days_between(stays.c.entered_on, stays.c.left_on)
    ranked = (
        select(
            stays.c.stage_id,
            days.label("days"),
            func.row_number()
            .over(partition_by=stays.c.stage_id, order_by=days)
            .label("rank"),
            func.count().over(partition_by=stays.c.stage_id).label("n"),
        )
        .where(stays.c.left_on.is_not(None))
        .subquery()
    )
    # The middle of n ranked stays: rank (n + 1) / 2 when n is odd, ranks n / 2
    # and n / 2 + 1 when it is even; both read n <= 2 * rank <= n + 2.
    return list(
        db.session.execute(
            select(
                ranked.c.stage_id,
                ranked.c.n.label("measured"),
                func.avg(ranked.c.days).label("median"),
            )
            .where(ranked.c.rank * 2 >= ranked.c.n, ranked.c.rank * 2 <= ranked.c.n + 2)
            .group_by(ranked.c.stage_id, ranked.c.n)
        )
    )


# --- Data-quality lists -----------------------------------------------------

DATA_QUALITY_LIMIT = 100


def data_quality_lists(
    filters: Filters, limit: int = DATA_QUALITY_LIMIT
) -> dict[str, list[Any]]:
    """The records each data-quality check finds (first ``limit`` of each)."""
    total = func.count().over().label("total")
    registered = _registered(Event.id).correlate(Event).scalar_subquery()
    last_change = func.coalesce(_last_change_on(), Enrollment.applied_on, type_=Date)
    queries = {
        "municipalities_missing_contact": municipalities_missing_contact(
            filters,
            Municipality.id,
            Municipality.name,
            Country.name.label("country"),
            _has_person().label("has_person"),
            (Municipality.email != "").label("has_email"),
            total,
        )
        .join(Country, Country.id == Municipality.country_id)
        .order_by(Country.name, Municipality.name),
        "stale_enrollments": stale_enrollments(
            filters,
            Enrollment.id,
            Municipality.name.label("municipality"),
            Program.code.label("program"),
            Stage.name.label("stage"),
            last_change.label("last_change_on"),
            total,
        )
        .join(Municipality, Municipality.id == Enrollment.municipality_id)
        .join(Program, Program.id == Enrollment.program_id)
        .order_by(last_change.asc(), Enrollment.id),
        "events_with_registered": events_with_registered(
            filters,
            Event.id,
            Event.title,
            Event.ends_on,
            registered.label("registered"),
            total,
        ).order_by(Event.ends_on, Event.id),
        "overdue_testimonials": overdue_testimonials(
            filters,
            Testimonial.id,
            Testimonial.author_name,
            Municipality.name.label("municipality"),
            Testimonial.submitted_at,
            total,
        )
        .join(Municipality, Municipality.id == Testimonial.municipality_id)
        .order_by(Testimonial.submitted_at, Testimonial.id),
    }
    return {
        name: list(db.session.execute(query.limit(limit)))
        for name, query in queries.items()
    }


# --- Public figures and open data -----------------------------------------


def public_events(*columns: Any) -> Select:
    """The public event list, newest first."""
    return (
        select(*columns)
        .select_from(Event)
        .outerjoin(Country, Country.id == Event.country_id)
        .outerjoin(Program, Program.id == Event.program_id)
        .where(Event.is_public)
        .order_by(Event.starts_on.desc(), Event.id)
    )
