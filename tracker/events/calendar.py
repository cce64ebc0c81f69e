"""Events as iCalendar files (RFC 5545): one event for invitations and
downloads, many for the calendar feeds (``tracker/calendars/``).

Events have dates, not times: each entry is an all-day event from the first
day to the day after the last (DTEND is exclusive). The UID stays the same
for the event, so calendars update the entry when a new invitation or a
feed refresh brings it again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta

from icalendar import Calendar
from icalendar import Event as CalendarEvent

from tracker.models import Event, utcnow
from tracker.public.open_data import scrub

CONTENT_TYPE = "text/calendar; method=PUBLISH"


def place_of(event: Event) -> str:
    """Venue, city and country, as far as they are known."""
    country = event.country.name if event.country else ""
    return ", ".join(part for part in (event.venue, event.city, country) if part)


def event_uid(event: Event, domain: str) -> str:
    return f"event-{event.id}@{domain}"


def _entry(event: Event, domain: str, url: str) -> CalendarEvent:
    entry = CalendarEvent()
    entry.add("uid", event_uid(event, domain))
    entry.add("dtstamp", utcnow())
    entry.add("dtstart", event.starts_on)
    entry.add("dtend", event.ends_on + timedelta(days=1))
    # Without e-mail addresses and phone numbers, as on public pages: the
    # file goes to people outside the staff.
    entry.add("summary", scrub(event.title))
    if place := place_of(event):
        entry.add("location", scrub(place))
    if event.description:
        entry.add("description", scrub(event.description))
    if url:
        entry.add("url", url)
    return entry


def _calendar(name: str = "") -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//UPP Tracker//Events//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    if name:
        calendar.add("x-wr-calname", name)
    return calendar


def event_calendar(event: Event, *, domain: str, url: str = "") -> str:
    """The calendar file of ``event`` (text, CRLF line ends as RFC 5545 asks)."""
    calendar = _calendar()
    calendar.add_component(_entry(event, domain, url))
    return calendar.to_ical().decode()


def events_calendar(
    events: Iterable[Event],
    *,
    domain: str,
    url_of: Callable[[Event], str],
    name: str = "",
) -> str:
    """One calendar holding every event of ``events`` (a feed)."""
    calendar = _calendar(name)
    for event in events:
        calendar.add_component(_entry(event, domain, url_of(event)))
    return calendar.to_ical().decode()
