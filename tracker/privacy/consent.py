"""Who may be named in public: recorded consent, and the legal basis an
event's coordinator chose for its presenters.

A participation is named in public when its own consent answer says so, or
else the person's general answer says so, or else the participant presents
or speaks at an event whose basis names presenters. Everyone else is only
counted ("and 3 other participants from Serbia").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import (
    ConsentMethod,
    Event,
    ListingBasis,
    ListingConsent,
    Participation,
    ParticipationRole,
    Person,
    PresenterListingBasis,
    User,
    utcnow,
)
from tracker.translation import gettext as _
from tracker.translation import ngettext

PRESENTING = (ParticipationRole.PRESENTER, ParticipationRole.SPEAKER)


def active_consents(person_ids: Iterable[int]) -> list[ListingConsent]:
    """The answers not withdrawn of these people, oldest first."""
    ids = sorted(set(person_ids))
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(ListingConsent)
            .where(
                ListingConsent.person_id.in_(ids),
                ListingConsent.withdrawn_at.is_(None),
            )
            .order_by(ListingConsent.id)
        )
    )


def listing_basis(event: Event) -> PresenterListingBasis | None:
    return db.session.scalar(
        select(PresenterListingBasis).where(PresenterListingBasis.event_id == event.id)
    )


def named_in_public(
    participations: list[Participation], basis: PresenterListingBasis | None
) -> set[int]:
    """The ids of the participations that public pages may name."""
    general: dict[int, bool] = {}
    specific: dict[int, bool] = {}
    for consent in active_consents(p.person_id for p in participations):
        if consent.participation_id is None:
            general[consent.person_id] = consent.is_given
        else:
            specific[consent.participation_id] = consent.is_given
    presenters_named = basis is not None and basis.names_presenters
    named = set()
    for participation in participations:
        if participation.id in specific:
            allowed = specific[participation.id]
        elif participation.person_id in general:
            allowed = general[participation.person_id]
        else:
            allowed = presenters_named and participation.role in PRESENTING
        if allowed:
            named.add(participation.id)
    return named


def is_named_anywhere(person: Person) -> bool:
    """Whether the person's general answer lets public pages name them."""
    consents = [c for c in active_consents([person.id]) if c.participation_id is None]
    return bool(consents) and consents[-1].is_given


@dataclass(frozen=True)
class PublicParticipants:
    """An event's confirmed participants as the public sees them."""

    named: list[Participation]
    # (country name or None for people of no municipality, how many)
    others: list[tuple[str | None, int]]
    withheld_names: tuple[str, ...]

    def others_sentence(self, country: str | None, count: int) -> str:
        """ "and 3 other participants from Serbia", in the reader's language."""
        if country is None:
            if self.named:
                return ngettext(
                    "and %(num)d other participant",
                    "and %(num)d other participants",
                    count,
                )
            return ngettext("%(num)d participant", "%(num)d participants", count)
        if self.named:
            return ngettext(
                "and %(num)d other participant from %(country)s",
                "and %(num)d other participants from %(country)s",
                count,
                country=country,
            )
        return ngettext(
            "%(num)d participant from %(country)s",
            "%(num)d participants from %(country)s",
            count,
            country=country,
        )


def public_participants(
    event: Event, participations: list[Participation]
) -> PublicParticipants:
    """Split confirmed participants into the named and the counted."""
    named_ids = named_in_public(participations, listing_basis(event))
    named = [p for p in participations if p.id in named_ids]
    counted: Counter[str | None] = Counter(
        p.municipality.country.name if p.municipality else None
        for p in participations
        if p.id not in named_ids
    )
    others = sorted(counted.items(), key=lambda item: (item[0] is None, item[0] or ""))
    withheld = tuple(
        sorted(
            {p.person.full_name for p in participations if p.id not in named_ids},
            key=len,
            reverse=True,
        )
    )
    return PublicParticipants(named, others, withheld)


def withhold_names(text: str, names: Iterable[str]) -> str:
    """``text`` with each of ``names`` replaced (agenda speakers, free text)."""
    for name in names:
        if name and name in text:
            text = text.replace(name, _("[name withheld]"))
    return text


def record_consent(
    person: Person,
    by: User | None,
    method: ConsentMethod,
    *,
    is_given: bool = True,
    participation: Participation | None = None,
    note: str = "",
) -> ListingConsent:
    """Record an answer; it replaces the earlier answer of the same scope."""
    for earlier in active_consents([person.id]):
        same_scope = earlier.participation_id == (
            participation.id if participation else None
        )
        if same_scope:
            earlier.withdrawn_at = utcnow()
            earlier.withdrawn_by_id = by.id if by else None
            earlier.withdrawal_method = method
    consent = ListingConsent(
        person=person,
        participation=participation,
        is_given=is_given,
        method=method,
        note=note,
        recorded_by_id=by.id if by else None,
        recorded_at=utcnow(),
    )
    db.session.add(consent)
    db.session.flush()
    return consent


def withdraw_consent(
    consent: ListingConsent, by: User | None, method: ConsentMethod
) -> None:
    """Withdraw an answer: from now on the person is counted, not named."""
    if consent.withdrawn_at is None:
        consent.withdrawn_at = utcnow()
        consent.withdrawn_by_id = by.id if by else None
        consent.withdrawal_method = method
        db.session.flush()


def choose_basis(
    event: Event, basis: ListingBasis, explanation: str, by: User | None
) -> PresenterListingBasis:
    """Set the legal basis for naming the event's presenters."""
    row = listing_basis(event)
    if row is None:
        row = PresenterListingBasis(event=event)
        db.session.add(row)
    row.basis = basis
    row.explanation = explanation
    row.chosen_by_id = by.id if by else None
    row.chosen_at = utcnow()
    db.session.flush()
    return row
