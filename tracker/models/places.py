"""Countries, municipalities and the people who act for them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base, Timestamped, Versioned
from tracker.models.enums import Role, SizeClass
from tracker.search import Searchable, add_indexes

if TYPE_CHECKING:
    from tracker.models.accounts import User
    from tracker.models.enrollments import Enrollment
    from tracker.models.events import Participation
    from tracker.models.testimonials import Testimonial


class Country(Searchable, Versioned, Base):
    """A country by ISO 3166-1 alpha-2 code (Kosovo: XK)."""

    __search_fields__ = ("name",)
    __search_indexed__ = False

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(2), unique=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    # One of the seven South-East European countries the program serves;
    # others (Korea, Austria) appear only as event hosts.
    is_program_country: Mapped[bool] = mapped_column(default=False)

    # passive_deletes="all": deleting a row never rewrites its dependents;
    # the RESTRICT foreign keys refuse the delete instead.
    municipalities: Mapped[list[Municipality]] = relationship(
        back_populates="country", passive_deletes="all"
    )

    def __repr__(self) -> str:
        return f"<Country {self.code}>"


class Municipality(Searchable, Versioned, Timestamped, Base):
    __search_fields__ = ("name", "region")
    __table_args__ = (
        UniqueConstraint("country_id", "name"),
        CheckConstraint(
            "population IS NULL OR population >= 0", name="population_not_negative"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    country_id: Mapped[int] = mapped_column(
        ForeignKey("country.id", ondelete="RESTRICT"), index=True
    )
    region: Mapped[str] = mapped_column(String(120), default="")
    population: Mapped[int | None] = mapped_column(index=True)
    website: Mapped[str] = mapped_column(String(255), default="")
    address: Mapped[str] = mapped_column(String(255), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    notes: Mapped[str] = mapped_column(Text, default="")

    country: Mapped[Country] = relationship(back_populates="municipalities")
    # passive_deletes="all": deleting a municipality never detaches its
    # people or records silently; the RESTRICT foreign keys refuse instead.
    people: Mapped[list[Person]] = relationship(
        back_populates="municipality",
        order_by="Person.full_name",
        passive_deletes="all",
    )
    users: Mapped[list[User]] = relationship(
        back_populates="municipality", passive_deletes="all"
    )
    enrollments: Mapped[list[Enrollment]] = relationship(
        back_populates="municipality", passive_deletes="all"
    )
    participations: Mapped[list[Participation]] = relationship(
        back_populates="municipality", passive_deletes="all"
    )
    testimonials: Mapped[list[Testimonial]] = relationship(
        back_populates="municipality", passive_deletes="all"
    )

    @property
    def size_class(self) -> SizeClass | None:
        return SizeClass.for_population(self.population)

    def is_home_of(self, user: User) -> bool:
        """True when ``user`` is a contact acting for this municipality."""
        return user.is_authenticated and user.municipality_id == self.id

    def can_view_private(self, user: User) -> bool:
        """Staff see every municipality's full record; a contact only their own."""
        return user.is_authenticated and (user.is_staff or self.is_home_of(user))

    def can_view(self, user: User) -> bool:
        """Who may open the municipality's page (``get_viewable_or_404``)."""
        return self.can_view_private(user)

    def can_edit(self, user: User) -> bool:
        return user.is_authenticated and user.can_edit_records

    def can_edit_contact_details(self, user: User) -> bool:
        return self.can_edit(user) or (
            self.is_home_of(user) and user.role == Role.CONTACT
        )

    def __repr__(self) -> str:
        return f"<Municipality {self.name}>"


class Person(Searchable, Versioned, Timestamped, Base):
    """Someone who acts for a municipality, or an outside speaker or expert."""

    __search_fields__ = ("full_name", "position", "organisation", "email")

    # The people list's order (the id breaks ties): a page, however deep,
    # walks this index alone to find its rows.
    __table_args__ = (Index("ix_person_name", "full_name", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(String(200))
    position: Mapped[str] = mapped_column(String(200), default="")
    organisation: Mapped[str] = mapped_column(String(200), default="")
    municipality_id: Mapped[int | None] = mapped_column(
        ForeignKey("municipality.id", ondelete="RESTRICT"), index=True
    )
    # NULL, not "", when absent: unique constraints ignore NULLs.
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    phone: Mapped[str] = mapped_column(String(50), default="")

    municipality: Mapped[Municipality | None] = relationship(back_populates="people")
    participations: Mapped[list[Participation]] = relationship(
        back_populates="person", passive_deletes="all"
    )

    @property
    def affiliation(self) -> str:
        if self.municipality is not None:
            return self.municipality.name
        return self.organisation

    def can_view(self, user: User) -> bool:
        """Staff see everyone; a contact sees the people of their municipality."""
        if not user.is_authenticated:
            return False
        return user.is_staff or (
            self.municipality_id is not None
            and self.municipality_id == user.municipality_id
        )

    def can_edit(self, user: User) -> bool:
        return user.is_authenticated and user.can_edit_records

    def __repr__(self) -> str:
        return f"<Person {self.full_name}>"


add_indexes(Municipality)


add_indexes(Person)
