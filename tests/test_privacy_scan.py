"""The privacy scan: after ``seed-demo``, no anonymous page, anonymous API
answer or open-data file names a person without consent, or shows an e-mail
address or a phone number.

A name may appear publicly only on one of these grounds: the person's
recorded consent to be listed; a published testimonial they consented to
publish (its author line); presenting at an event whose coordinator chose
a legal basis for naming presenters. Each public event page and its API
answer is also checked against that event's own participants.
"""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

from sqlalchemy import select

from tests.test_open_data import EMAIL, PHONE, _public_start_urls
from tracker.audit import acting_as
from tracker.extensions import db
from tracker.models import Event, Person, Testimonial, TestimonialStatus
from tracker.privacy.consent import listing_basis, named_in_public
from tracker.seed import seed_demo


def _grounds(app):
    """(names nobody may see anywhere, {event id: names its page may not show})."""
    with app.app_context(), acting_as("tests"):
        seed_demo(db.session)
        db.session.commit()
        people = {p.id: p.full_name for p in db.session.scalars(select(Person))}
        allowed: set[int] = set()
        per_event: dict[int, set[str]] = {}
        for event in db.session.scalars(select(Event).where(Event.is_public)):
            listed = [p for p in event.participations if p.is_publicly_listed]
            named = named_in_public(listed, listing_basis(event))
            allowed |= {p.person_id for p in listed if p.id in named}
            per_event[event.id] = {
                p.person.full_name for p in listed if p.id not in named
            }
        from tracker.models import ListingConsent

        allowed |= set(
            db.session.scalars(
                select(ListingConsent.person_id).where(
                    ListingConsent.is_given,
                    ListingConsent.participation_id.is_(None),
                    ListingConsent.withdrawn_at.is_(None),
                )
            )
        )
        published = set(
            db.session.scalars(
                select(Testimonial.author_name).where(
                    Testimonial.status == TestimonialStatus.APPROVED,
                    Testimonial.has_consent,
                )
            )
        )
        never = {
            name
            for pid, name in people.items()
            if pid not in allowed and name not in published
        }
    return never, per_event


def test_no_anonymous_page_api_or_open_data_file_names_a_person_without_consent(
    app, record_figure
):
    never, per_event = _grounds(app)
    assert any("Ortega" in name for name in never), "Seoul's organiser has no consent"
    assert any(per_event.values()), "some public event has people it must not name"
    client = app.test_client()
    queue = deque(_public_start_urls(app))
    seen: set[str] = set()
    problems = []
    while queue and len(seen) < 800:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code in (301, 302, 303):
            location = response.headers["Location"]
            if urlsplit(location).netloc in ("", "localhost"):
                queue.append(urlsplit(location).path or "/")
            continue
        # Public documents (photos, PDFs) are bytes: search what text they hold.
        text = response.get_data().decode("utf-8", "replace")
        for pattern, kind in ((EMAIL, "e-mail"), (PHONE, "phone")):
            problems += [
                f"{url}: {kind} {m.group(0)!r}" for m in pattern.finditer(text)
            ]
        problems += [f"{url}: name {name!r}" for name in never if name in text]
        event_id = _event_of(url)
        if event_id in per_event:
            shown = _without_testimonials(text) if "/api/" not in url else text
            problems += [
                f"{url}: participant {name!r}"
                for name in per_event[event_id]
                if name in shown
            ]
        if response.mimetype == "text/html":
            for href in re.findall(r'href="(/[^"]*)"', text):
                path = urldefrag(href.replace("&amp;", "&"))[0]
                if not path.startswith(("/static/", "/auth/logout")):
                    queue.append(path)
    record_figure(
        "privacy scan: anonymous pages, API answers and open-data files",
        f"{len(seen)} walked, {len(never)} names never shown, 0 leaks",
    )
    assert problems == []
    assert any(u.startswith("/events/public/") for u in seen)
    assert any(u.startswith("/api/v1/events/") for u in seen)
    assert "/open-data/events.csv" in seen


def _event_of(url: str) -> int | None:
    match = re.match(r"^/(?:events/public|api/v1/events)/(\d+)", url)
    return int(match.group(1)) if match else None


def _without_testimonials(page: str) -> str:
    """A public event page without its testimonials: their authors consented
    to publication, which is not consent to the participant list."""
    start = page.find('id="agenda"')
    end = page.find('id="participants-heading"')
    if start == -1 or end == -1:
        return page
    return page[start : page.index("</section>", end)]
