"""Read queries about testimonials: the lists, and what other pages reuse.

The HTML lists, the API and the exports build their selects here, so they
always answer the same question the same way.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import ColumnElement, Select, exists, or_, select, union
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.lists import (
    Sorting,
    choice_arg,
    int_arg,
    search_ids,
    search_text,
)
from tracker.models import (
    AuditEntry,
    Country,
    Enrollment,
    Event,
    Municipality,
    Participation,
    Person,
    Program,
    Testimonial,
    TestimonialStatus,
    User,
)

SORTING = Sorting(
    columns={
        "created": Testimonial.created_at,
        "submitted": Testimonial.submitted_at,
        "municipality": Municipality.name,
        "author": Testimonial.author_name,
        "status": Testimonial.status,
    },
    default="-created",
    tiebreaker=Testimonial.id.desc(),
    alphabetical=("municipality", "author"),
)

# What a reviewer may correct; shown to the submitter as "corrections".
CONTENT_FIELDS = (
    "quote",
    "author_name",
    "author_position",
    "person_id",
    "program_id",
    "event_id",
)

APPROVED = Testimonial.status == TestimonialStatus.APPROVED


def _with_relations(query: Select) -> Select:
    """Eager-load what list pages show, so their cost does not grow with rows.

    Each is a many-to-one: joined into the same statement, one query in all.
    """
    return query.options(
        joinedload(Testimonial.municipality, innerjoin=True).joinedload(
            Municipality.country, innerjoin=True
        ),
        joinedload(Testimonial.program),
        joinedload(Testimonial.event),
        joinedload(Testimonial.submitted_by),
    )


def visible_to(user: User) -> ColumnElement[bool] | None:
    """The condition limiting testimonials to those ``user`` may see (None: all)."""
    if not user.is_authenticated:
        return APPROVED
    if user.is_staff:
        return None
    return or_(APPROVED, Testimonial.municipality_id == user.municipality_id)


def _filters(query: Select, args: Mapping[str, str]) -> Select:
    """The filters every testimonial list understands: program, event, country, q.

    Place filters select municipality ids (subqueries) instead of joining, so
    an unfiltered list, and its count, read the testimonial table alone.
    """
    program_id = int_arg(args, "program")
    if program_id is not None:
        query = query.where(Testimonial.program_id == program_id)
    event_id = int_arg(args, "event")
    if event_id is not None:
        query = query.where(Testimonial.event_id == event_id)
    country = (args.get("country") or "").strip().upper()
    if country:
        query = query.where(
            Testimonial.municipality_id.in_(
                select(Municipality.id)
                .join(Municipality.country)
                .where(Country.code == country[:2])
            )
        )
    municipality_id = int_arg(args, "municipality")
    if municipality_id is not None:
        query = query.where(Testimonial.municipality_id == municipality_id)
    text = search_text(args)
    if text:
        # One set of ids (a union), not an OR of two conditions: PostgreSQL
        # would test the OR on every testimonial; the union is found through
        # the search indexes and the municipality index alone.
        query = query.where(
            Testimonial.id.in_(
                union(
                    search_ids(Testimonial, text),
                    select(Testimonial.id).where(
                        Testimonial.municipality_id.in_(search_ids(Municipality, text))
                    ),
                )
            )
        )
    return query


def _sorted(query: Select, args: Mapping[str, str]) -> Select:
    """``query`` in the requested order (joining the municipality to sort by it)."""
    if SORTING.key(args).lstrip("-") == "municipality":
        query = query.join(Testimonial.municipality)
    return SORTING.apply(query, args)


def filtered_testimonials(
    args: Mapping[str, str], viewer: User, *, own_municipality: bool = False
) -> Select:
    """The testimonials ``viewer`` may see, filtered by status, program, event,
    country, municipality and ``q``, in the requested order.

    ``own_municipality`` keeps only the viewer's municipality's (a contact's list).
    """
    query = _filters(select(Testimonial), args)
    condition = visible_to(viewer)
    if condition is not None:
        query = query.where(condition)
    if own_municipality:
        query = query.where(Testimonial.municipality_id == viewer.municipality_id)
    status = choice_arg(args, "status", TestimonialStatus)
    if status is not None:
        query = query.where(Testimonial.status == TestimonialStatus(status))
    featured = (args.get("featured") or "").strip().lower()
    if featured in ("1", "true", "yes"):
        query = query.where(Testimonial.is_featured)
    elif featured in ("0", "false", "no"):
        query = query.where(~Testimonial.is_featured)
    return _with_relations(_sorted(query, args))


def public_testimonials(args: Mapping[str, str]) -> Select:
    """Approved testimonials for the public page: featured first, then newest.

    An event filter only matches public events: an internal event is never
    revealed by what a filter finds.
    """
    query = _filters(select(Testimonial).where(APPROVED), args)
    if int_arg(args, "event") is not None:
        query = query.join(Testimonial.event).where(Event.is_public)
    return _with_relations(
        query.order_by(
            Testimonial.is_featured.desc(),
            Testimonial.reviewed_at.desc(),
            Testimonial.id.desc(),
        )
    )


def queued_testimonials() -> Select:
    """Testimonials awaiting review, the longest waiting first."""
    return _with_relations(
        select(Testimonial)
        .where(Testimonial.status == TestimonialStatus.SUBMITTED)
        .order_by(Testimonial.submitted_at, Testimonial.id)
    )


def visible_testimonials(
    user: User,
    *,
    municipality_id: int | None = None,
    program_id: int | None = None,
    event_id: int | None = None,
    limit: int = 50,
) -> list[Testimonial]:
    """Testimonials about a municipality, program or event that ``user`` may see.

    Everyone sees approved ones; staff see all; a contact also sees their
    own municipality's. Featured first, then newest.
    """
    query = _with_relations(select(Testimonial))
    if municipality_id is not None:
        query = query.where(Testimonial.municipality_id == municipality_id)
    if program_id is not None:
        query = query.where(Testimonial.program_id == program_id)
    if event_id is not None:
        query = query.where(Testimonial.event_id == event_id)
    condition = visible_to(user)
    if condition is not None:
        query = query.where(condition)
    query = query.order_by(
        Testimonial.is_featured.desc(),
        Testimonial.created_at.desc(),
        Testimonial.id.desc(),
    )
    return list(db.session.scalars(query.limit(limit)))


def featured_testimonials(limit: int = 3) -> list[Testimonial]:
    """Up to ``limit`` approved testimonials for the home page: the featured
    ones, newest first, topped up with the newest other approved ones.

    One query: many-to-one relations are joined, not loaded separately.
    """
    return list(
        db.session.scalars(
            select(Testimonial)
            .where(APPROVED)
            .options(
                joinedload(Testimonial.municipality).joinedload(Municipality.country),
                joinedload(Testimonial.program),
                joinedload(Testimonial.event),
            )
            .order_by(
                Testimonial.is_featured.desc(),
                Testimonial.reviewed_at.desc(),
                Testimonial.id.desc(),
            )
            .limit(limit)
        )
    )


def reviewer_corrections(testimonial: Testimonial) -> list[dict]:
    """Changes to the text or author that someone other than the submitter
    made (a reviewer fixing a typo), oldest first, for the submitter to see."""
    entries = db.session.scalars(
        select(AuditEntry)
        .where(
            AuditEntry.entity_type == Testimonial.__tablename__,
            AuditEntry.entity_id == testimonial.id,
            AuditEntry.action == "update",
            AuditEntry.actor_id.is_not(None),
        )
        .order_by(AuditEntry.id)
    )
    corrections = []
    for entry in entries:
        if entry.actor_id == testimonial.submitted_by_id:
            continue
        changes = {
            field: values
            for field, values in entry.changes.items()
            if field in CONTENT_FIELDS
        }
        if changes:
            corrections.append({"at": entry.at, "changes": changes})
    return corrections


def enrolled_programs(municipality_id: int) -> list[Program]:
    """The programs a municipality is enrolled in: what it may speak about."""
    return list(
        db.session.scalars(
            select(Program)
            .join(Enrollment, Enrollment.program_id == Program.id)
            .where(Enrollment.municipality_id == municipality_id)
            .order_by(Program.code)
        )
    )


def attended_events(municipality_id: int) -> list[Event]:
    """The events a municipality took part in (someone represented it there)."""
    return list(
        db.session.scalars(
            select(Event)
            .where(
                Event.id.in_(
                    select(Participation.event_id).where(
                        Participation.municipality_id == municipality_id
                    )
                )
            )
            .order_by(Event.starts_on.desc(), Event.id)
        )
    )


def municipality_people(municipality_id: int) -> list[Person]:
    """The people of a municipality, who may be a testimonial's author."""
    return list(
        db.session.scalars(
            select(Person)
            .where(Person.municipality_id == municipality_id)
            .order_by(Person.full_name)
        )
    )


def filter_options(viewer: User) -> dict[str, list]:
    """Programs, events and countries offered by the staff list's filters."""
    if viewer.is_authenticated and not viewer.is_staff:
        return {
            "programs": enrolled_programs(viewer.municipality_id),
            "events": attended_events(viewer.municipality_id),
            "countries": [],
        }
    return {
        "programs": list(db.session.scalars(select(Program).order_by(Program.code))),
        # Only events some testimonial is about: any other would filter the
        # list down to nothing, and listing every event grows with the data.
        "events": list(
            db.session.scalars(
                select(Event)
                .where(
                    Event.id.in_(
                        select(Testimonial.event_id).where(
                            Testimonial.event_id.is_not(None)
                        )
                    )
                )
                .order_by(Event.starts_on.desc())
            )
        ),
        "countries": list(
            db.session.scalars(
                select(Country).where(Country.is_program_country).order_by(Country.name)
            )
        ),
    }


def public_filter_options() -> dict[str, list]:
    """What the public page's filters offer: only what approved ones are about.

    Each choice is probed for an approved testimonial through an index
    (``EXISTS``), rather than by reading every approved testimonial.
    """

    def approved_about(condition: ColumnElement[bool]) -> ColumnElement[bool]:
        return exists().where(APPROVED, condition)

    return {
        "programs": list(
            db.session.scalars(
                select(Program)
                .where(approved_about(Testimonial.program_id == Program.id))
                .order_by(Program.code)
            )
        ),
        "events": list(
            db.session.scalars(
                select(Event)
                .where(
                    Event.is_public, approved_about(Testimonial.event_id == Event.id)
                )
                .order_by(Event.starts_on.desc())
            )
        ),
        "countries": list(
            db.session.scalars(
                select(Country)
                .where(
                    exists().where(
                        Municipality.country_id == Country.id,
                        Testimonial.municipality_id == Municipality.id,
                        APPROVED,
                    )
                )
                .order_by(Country.name)
            )
        ),
    }
