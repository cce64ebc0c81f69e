"""Queries for people: the filtered list and what refers to a person."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from tracker.lists import Sorting, int_arg, search_text, text_search
from tracker.models import (
    Municipality,
    Participation,
    Person,
    Testimonial,
    User,
)
from tracker.municipalities.queries import (
    count_where,
    country_filter,
    described,
    named_alike,
)
from tracker.translation import ngettext

PEOPLE_SORTING = Sorting(
    columns={
        "name": Person.full_name,
        "position": Person.position,
        "municipality": func.coalesce(Municipality.name, Person.organisation),
    },
    default="name",
    tiebreaker=Person.id,
    alphabetical=("name", "position", "municipality"),
)


def filtered_people(
    args: Mapping[str, str], viewer: User | None
) -> Select[tuple[Person]]:
    """People matching ``q``, ``municipality``, ``country`` and ``sort``.

    Scoped to what ``viewer`` may see: a contact only their municipality's
    people. ``viewer=None`` means no scope, for trusted callers.
    """
    query = select(Person).options(
        joinedload(Person.municipality).joinedload(Municipality.country)
    )
    if viewer is not None and not viewer.is_staff:
        query = query.where(Person.municipality_id == viewer.municipality_id)
    if text := search_text(args):
        query = query.where(text_search(Person, text))
    if (municipality_id := int_arg(args, "municipality")) is not None:
        query = query.where(Person.municipality_id == municipality_id)
    if (condition := country_filter(args)) is not None:
        # Select the country's municipalities rather than joining them: the
        # list's count then reads the person table alone.
        query = query.where(
            Person.municipality_id.in_(
                select(Municipality.id).join(Municipality.country).where(condition)
            )
        )
    if PEOPLE_SORTING.key(args).lstrip("-") == "municipality":
        query = query.outerjoin(Person.municipality)
    return PEOPLE_SORTING.apply(query, args)


def person_references(person: Person) -> list[str]:
    """What still refers to a person; empty when none."""
    participations = count_where(Participation, Participation.person_id == person.id)
    testimonials = count_where(Testimonial, Testimonial.person_id == person.id)
    users = count_where(User, User.person_id == person.id)
    return described(
        [
            (
                participations,
                ngettext(
                    "%(num)d event participation",
                    "%(num)d event participations",
                    participations,
                ),
            ),
            (
                testimonials,
                ngettext("%(num)d testimonial", "%(num)d testimonials", testimonials),
            ),
            (users, ngettext("%(num)d user account", "%(num)d user accounts", users)),
        ]
    )


def person_named_alike(
    full_name: str, municipality_id: int | None, except_id: int | None = None
) -> Person | None:
    """A person of the same municipality whose name folds the same: what a new
    or renamed one would duplicate. People of no municipality are not compared
    (outside speakers share names without being one person)."""
    if not full_name or municipality_id is None:
        return None
    found = named_alike(
        Person,
        full_name,
        lambda person: person.full_name,
        Person.municipality_id == municipality_id,
        Person.id != (except_id or 0),
    )
    return found[0] if found else None
