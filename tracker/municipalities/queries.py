"""Read queries for countries, municipalities and people.

``filtered_municipalities`` and ``filtered_people`` answer the HTML lists, the
API and the exports alike, so they always agree on what a filter means and
on what the viewer may see.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload, selectinload
from wtforms.fields.choices import SelectChoice

from tracker.cache import cached
from tracker.extensions import db
from tracker.lists import Sorting, choice_arg, int_arg, search_text, text_search
from tracker.models import (
    Country,
    Enrollment,
    Event,
    Municipality,
    Participation,
    Person,
    SizeClass,
    Testimonial,
    User,
)
from tracker.search import contains, name_keys, same_name
from tracker.translation import ngettext

MUNICIPALITY_SORTING = Sorting(
    columns={
        "name": Municipality.name,
        "country": Country.name,
        # Unknown populations sort as the smallest on every database
        # (SQLite and PostgreSQL disagree on where NULLs go).
        "population": func.coalesce(Municipality.population, -1),
    },
    default="name",
    tiebreaker=Municipality.id,
    alphabetical=("name", "country"),
)


def country_filter(args: Mapping[str, str]):
    """The ``country`` argument as a condition: a country id, or an ISO code."""
    raw = (args.get("country") or "").strip()
    if len(raw) == 2 and raw.isalpha():
        return Country.code == raw.upper()
    country_id = int_arg(args, "country")
    return None if country_id is None else Country.id == country_id


def filtered_municipalities(
    args: Mapping[str, str], viewer: User | None
) -> Select[tuple[Municipality]]:
    """Municipalities matching ``q``, ``country``, ``size`` and ``sort``.

    Scoped to what ``viewer`` may see: a contact only their own municipality.
    ``viewer=None`` means no scope, for trusted callers such as the CLI.
    """
    query = (
        select(Municipality)
        .join(Municipality.country)
        .options(selectinload(Municipality.country))
    )
    if viewer is not None and not viewer.is_staff:
        query = query.where(Municipality.id == viewer.municipality_id)
    if text := search_text(args):
        query = query.where(text_search(Municipality, text))
    if (condition := country_filter(args)) is not None:
        query = query.where(condition)
    if size := choice_arg(args, "size", SizeClass):
        lower, upper = SizeClass(size).bounds
        query = query.where(Municipality.population >= lower)
        if upper is not None:
            query = query.where(Municipality.population < upper)
    return MUNICIPALITY_SORTING.apply(query, args)


def countries_with_counts() -> list[tuple[Country, int]]:
    """Every country with how many municipalities it has, by name."""
    count = func.count(Municipality.id)
    rows = db.session.execute(
        select(Country, count)
        .outerjoin(Country.municipalities)
        .group_by(Country.id)
        .order_by(Country.name)
    )
    return [(country, number) for country, number in rows]


def country_choices() -> dict[str, str]:
    """{id: name} of every country by name, for select fields."""
    rows = db.session.execute(
        select(Country.id, Country.name).order_by(Country.name)
    ).all()
    return {str(country_id): name for country_id, name in rows}


def municipality_choices(blank: str) -> list[SelectChoice]:
    """The option ``blank`` (value "") and every municipality by name as
    ``Name (CODE)``, for select fields.

    Ready ``SelectChoice`` objects (WTForms converts a dict of choices again
    each time it reads them), built once per change of the data
    (``tracker.cache``): there are thousands of municipalities.
    """
    return [SelectChoice("", blank), *municipality_options()]


def municipality_options() -> list[SelectChoice]:
    """Every municipality by name as ``Name (CODE)``, cached until a write."""
    return cached("municipality options", None, _municipality_options)


def _municipality_options() -> list[SelectChoice]:
    rows = db.session.execute(
        select(Municipality.id, Municipality.name, Country.code)
        .join(Municipality.country)
        .order_by(Municipality.name, Country.code)
    ).all()
    return [SelectChoice(str(mid), f"{name} ({code})") for mid, name, code in rows]


def count_where(model, *conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def described(counts: list[tuple[int, str]]) -> list[str]:
    """The texts ("2 people") of the counts that are not zero."""
    return [text for number, text in counts if number]


def municipality_references(municipality: Municipality) -> list[str]:
    """What still refers to a municipality ("2 people"); empty when none."""
    mid = municipality.id
    people = count_where(Person, Person.municipality_id == mid)
    users = count_where(User, User.municipality_id == mid)
    enrollments = count_where(Enrollment, Enrollment.municipality_id == mid)
    participations = count_where(Participation, Participation.municipality_id == mid)
    testimonials = count_where(Testimonial, Testimonial.municipality_id == mid)
    return described(
        [
            (people, ngettext("%(num)d person", "%(num)d people", people)),
            (users, ngettext("%(num)d user account", "%(num)d user accounts", users)),
            (
                enrollments,
                ngettext("%(num)d enrollment", "%(num)d enrollments", enrollments),
            ),
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
        ]
    )


def country_references(country: Country) -> list[str]:
    """What still refers to a country; empty when none."""
    municipalities = count_where(Municipality, Municipality.country_id == country.id)
    events = count_where(Event, Event.country_id == country.id)
    return described(
        [
            (
                municipalities,
                ngettext(
                    "%(num)d municipality", "%(num)d municipalities", municipalities
                ),
            ),
            (events, ngettext("%(num)d event", "%(num)d events", events)),
        ]
    )


# Candidates one duplicate check reads at most: the index narrows a search to
# names that hold the folded text, a handful in practice.
DUPLICATE_CANDIDATES = 50


def named_alike(model, name: str, name_of, *scope) -> list:
    """Records of ``model`` within ``scope`` whose name is ``name`` once folded."""
    keys = name_keys(name)
    if not keys:
        return []
    dialect = db.engine.dialect.name  # every match: the scope narrows them
    candidates = db.session.scalars(
        select(model)
        .where(or_(*(contains(model, key, dialect) for key in keys)), *scope)
        .order_by(model.id)
        .limit(DUPLICATE_CANDIDATES)
    )
    return [record for record in candidates if same_name(name_of(record), name)]


def municipality_named_alike(
    name: str, country_id: int | None, except_id: int | None = None
) -> Municipality | None:
    """A municipality of the same country whose name folds the same ("Sabac",
    "Šabac"): what a new or renamed one would duplicate."""
    if not name or country_id is None:
        return None
    found = named_alike(
        Municipality,
        name,
        lambda municipality: municipality.name,
        Municipality.country_id == country_id,
        Municipality.id != (except_id or 0),
    )
    if not found:
        return None
    return db.session.get(
        Municipality, found[0].id, options=[joinedload(Municipality.country)]
    )
