"""The demo data tells one consistent story: testimonials about an event are
dated after it, old stage changes were recorded back then, whoever speaks
about Seoul was there, and the venue names a place."""

from __future__ import annotations

import subprocess
from pathlib import Path

from sqlalchemy import extract, select
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.models import (
    Event,
    Participation,
    StageChange,
    Testimonial,
    TestimonialStatus,
)

ROOT = Path(__file__).resolve().parents[1]


def seeded(app, runner):
    with app.app_context():
        result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return result.output


def seoul(session) -> Event:
    return session.scalar(select(Event).where(Event.city == "Seoul"))


def test_seed_demo_prints_the_demo_sign_ins(app, runner):
    output = seeded(app, runner)
    assert "Demo data is loaded." in output
    for email in (
        "admin@example.org",
        "coordinator@example.org",
        "manager@example.org",
        "contact.rijeka@example.org",
        "contact.belgrade@example.org",
    ):
        assert email in output
    assert "demo-password-1" in output


def test_seoul_testimonials_are_dated_2017_and_come_from_people_who_were_there(
    app, runner
):
    seeded(app, runner)
    with app.app_context():
        event = seoul(db.session)
        assert event.venue and event.venue != event.title
        assert "Study Week" not in event.venue
        testimonials = db.session.scalars(
            select(Testimonial)
            .where(Testimonial.event_id == event.id)
            .options(joinedload(Testimonial.person))
        ).all()
        assert testimonials
        present = set(
            db.session.scalars(
                select(Participation.person_id).where(
                    Participation.event_id == event.id
                )
            )
        )
        for testimonial in testimonials:
            assert testimonial.submitted_at.year == 2017, testimonial.quote
            assert testimonial.created_at.year == 2017, testimonial.quote
            if testimonial.status == TestimonialStatus.APPROVED:
                assert testimonial.person_id in present, testimonial.author_name


def test_stage_changes_of_2013_were_recorded_in_2013(app, runner):
    seeded(app, runner)
    with app.app_context():
        changes = db.session.scalars(
            select(StageChange).where(extract("year", StageChange.effective_on) == 2013)
        ).all()
        assert changes
        assert {change.recorded_at.year for change in changes} == {2013}
        assert all(
            change.recorded_at.date() > change.effective_on for change in changes
        )


def test_make_run_takes_another_port():
    def planned(*overrides: str) -> str:
        return subprocess.run(
            ["make", "-n", "run", *overrides],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    assert "--port 5000" in planned()
    assert "--port 5101" in planned("PORT=5101")
