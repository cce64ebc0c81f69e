"""E-mail through the outbox (issue 14), against a real SMTP server (aiosmtpd).

Each test makes a change through the app, runs the worker in-process
(``worker.run(once=True)``, as ``flask outbox run --once`` does) and reads
what the server received. The crash, volume and two-worker tests are in
``test_outbox_reliability.py``.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import icalendar
import pytest
from babel.dates import format_date
from sqlalchemy import func, select

from tests.fixtures.events import in_days
from tests.fixtures.programs import stage_id
from tracker import create_app
from tracker.config import ConfigurationError
from tracker.extensions import db
from tracker.models import (
    Attendance,
    Country,
    Event,
    MailKind,
    MailOptOut,
    MailStatus,
    OutboxMessage,
    Role,
    Testimonial,
    User,
)
from tracker.outbox import scheduled, worker
from tracker.outbox.mail import HeaderInjection, build_message
from tracker.outbox.services import Recipient, queue
from tracker.testimonials import services as testimonial_services


def version_of(app, model, object_id: int) -> str:
    with app.app_context():
        return str(db.session.get(model, object_id).version_id)


def send_all(app):
    with app.app_context():
        return worker.run(once=True)


def outbox(app, **filters) -> list[OutboxMessage]:
    with app.app_context():
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        for name, value in filters.items():
            query = query.where(getattr(OutboxMessage, name) == value)
        rows = db.session.scalars(query).all()
        db.session.expunge_all()
        return list(rows)


def reject_as_coordinator(app, client, login_as, testimonial_id, note):
    login_as(Role.COORDINATOR)
    response = client.post_form(
        f"/testimonials/{testimonial_id}/reject",
        {"note": note, "version_id": version_of(app, Testimonial, testimonial_id)},
    )
    assert response.status_code == 302, response.data[:300]


def in_language(locale: str, *messages: tuple[str, dict]) -> list[str]:
    """Each message as the catalog of ``locale`` gives it."""
    from flask_babel import force_locale, gettext

    app = create_app({"TESTING": True, "SECRET_KEY": "x"})
    with app.test_request_context(), force_locale(locale):
        return [gettext(message, **values) for message, values in messages]


@pytest.fixture
def croatian_submitter(make_municipality, make_user):
    """A Rijeka contact who reads Croatian, in Zagreb's time zone."""
    rijeka = make_municipality("Rijeka")
    user_id = make_user(
        Role.CONTACT,
        email="ana.horvat@rijeka.example.org",
        municipality_id=rijeka,
        full_name="Ana Horvat",
        locale="hr",
        timezone="Europe/Zagreb",
    )
    return rijeka, user_id


# -- the acceptance items -------------------------------------------------------


def test_rejecting_a_testimonial_emails_the_submitter_in_their_language(
    app, client, login_as, make_testimonial, croatian_submitter, smtp_server
):
    rijeka, submitter = croatian_submitter
    testimonial = make_testimonial(rijeka, submitter, "submitted")
    reject_as_coordinator(
        app, client, login_as, testimonial, "Please name the program you mean."
    )
    report = send_all(app)

    assert report.sent == 1
    [mail] = smtp_server.received
    assert mail.rcpt_tos == ["ana.horvat@rijeka.example.org"]
    headers = mail.message
    assert headers["To"].addresses[0].display_name == "Ana Horvat"
    # Rendered under the recipient's locale: the header says so, the date in
    # the footer is written the Croatian way, and the words are Croatian.
    assert headers["Content-Language"] == "hr"
    croatian_month = format_date(date.today(), "MMMM", locale="hr")
    text, html = mail.part("text/plain"), mail.part("text/html")
    assert croatian_month in text and croatian_month in html
    assert '<html lang="hr">' in html
    subject, rejected = in_language(
        "hr",
        ("Your testimonial was not approved", {}),
        (
            "Your testimonial by %(author)s was not approved. Reviewer's note: "
            "%(note)s",
            {"author": "Demo Author", "note": "Please name the program you mean."},
        ),
    )
    assert subject != "Your testimonial was not approved"
    assert headers["Subject"] == subject
    for body in (text, html):
        assert rejected in body.replace("&#39;", "'").replace("&#34;", '"')
        assert f"https://tracker.example.org/testimonials/{testimonial}" in body
    [row] = outbox(app)
    assert row.status == MailStatus.SENT and row.locale == "hr"
    assert headers["Message-ID"] == row.message_id
    assert headers["List-Unsubscribe"].startswith(
        "<https://tracker.example.org/outbox/unsubscribe/"
    )
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_change_that_rolls_back_queues_nothing(
    app, make_testimonial, croatian_submitter, make_user
):
    rijeka, submitter = croatian_submitter
    testimonial_id = make_testimonial(rijeka, submitter, "submitted")
    coordinator_id = make_user(Role.COORDINATOR)
    with app.app_context():
        testimonial = db.session.get(Testimonial, testimonial_id)
        coordinator = db.session.get(User, coordinator_id)
        testimonial_services.reject(testimonial, coordinator, "Not this time.")
        db.session.flush()
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == 1
        db.session.rollback()
    assert outbox(app) == []
    # A savepoint rolled back inside a transaction that commits takes its
    # message with it, too.
    with app.app_context():
        testimonial = db.session.get(Testimonial, testimonial_id)
        coordinator = db.session.get(User, coordinator_id)
        with pytest.raises(RuntimeError), db.session.begin_nested():
            testimonial_services.reject(testimonial, coordinator, "Not this time.")
            raise RuntimeError("the change fails half-way")
        db.session.commit()
    assert outbox(app) == []
    # The same change committed queues exactly one message.
    with app.app_context():
        testimonial = db.session.get(Testimonial, testimonial_id)
        coordinator = db.session.get(User, coordinator_id)
        testimonial_services.reject(testimonial, coordinator, "Not this time.")
        db.session.commit()
    assert len(outbox(app)) == 1


def test_an_invitation_carries_a_valid_calendar_file(
    app, client, login_as, make_event, make_person, make_participation, smtp_server
):
    with app.app_context():
        korea = Country(code="KR", name="Korea", is_program_country=False)
        db.session.add(korea)
        db.session.commit()
        korea_id = korea.id
    event = make_event(
        "Smart City Week",
        starts_on=in_days(40),
        ends_on=in_days(44),
        city="Seoul",
        venue="COEX Convention Center",
        country_id=korea_id,
        description="Study week. Questions: organisers@example.org",
    )
    guest = make_person("Ivana Kovač", email="ivana@rijeka.example.org")
    other = make_person("Marko Petrović", email="marko@beograd.example.org")
    invited = make_participation(event, guest)
    make_participation(event, other)
    login_as(Role.COORDINATOR)
    assert "Ivana Kovač" in client.get(f"/events/{event}/invite").get_data(True)
    response = client.post_form(
        f"/events/{event}/invite", {"participation_ids": [str(invited)]}
    )
    assert response.status_code == 302
    send_all(app)

    [mail] = smtp_server.received
    assert mail.rcpt_tos == ["ivana@rijeka.example.org"]
    [attachment] = list(mail.message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_filename() == "invitation.ics"
    calendar = icalendar.Calendar.from_ical(attachment.get_content())
    [entry] = calendar.walk("VEVENT")
    assert entry.decoded("dtstart") == in_days(40)
    assert entry.decoded("dtend") == in_days(45)  # exclusive: the day after
    assert str(entry["summary"]) == "Smart City Week"
    assert str(entry["location"]) == "COEX Convention Center, Seoul, Korea"
    assert "organisers@example.org" not in str(entry.get("description"))
    # Nobody else's name or address is in it.
    whole = mail.message.as_string()
    assert "Marko" not in whole and "beograd" not in whole
    # The invite page now says when Ivana was invited.
    page = client.get(f"/events/{event}/invite").get_data(True)
    assert "Not yet" in page  # Marko
    assert page.count("Not yet") == 1


def test_unsubscribe_stops_that_kind_for_that_user_only(
    app, client, make_municipality, make_user, make_testimonial, smtp_server
):
    rijeka = make_municipality("Rijeka")
    ana = make_user(
        Role.CONTACT, email="ana@rijeka.example.org", municipality_id=rijeka
    )
    ivo = make_user(
        Role.CONTACT, email="ivo@rijeka.example.org", municipality_id=rijeka
    )
    coordinator = make_user(Role.COORDINATOR)

    def decide(*, reject: bool):
        with app.app_context():
            by = db.session.get(User, coordinator)
            for submitter in (ana, ivo):
                testimonial = db.session.get(
                    Testimonial, make_testimonial(rijeka, submitter, "submitted")
                )
                if reject:
                    testimonial_services.reject(testimonial, by, "No.")
                else:
                    testimonial_services.approve(testimonial, by)
            db.session.commit()

    decide(reject=True)
    send_all(app)
    [to_ana] = smtp_server.to("ana@rijeka.example.org")
    link = to_ana.message["List-Unsubscribe"].strip("<>")
    path = link.removeprefix("https://tracker.example.org")
    # The mail program's one-click POST: no cookie, no form token (RFC 8058).
    anonymous = app.test_client()
    assert "Stop e-mails" in anonymous.get(path).get_data(True)
    response = anonymous.post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "receives no more e-mails" in response.get_data(True)
    with app.app_context():
        assert db.session.scalars(select(MailOptOut.address)).all() == [
            "ana@rijeka.example.org"
        ]

    smtp_server.received.clear()
    decide(reject=False)
    send_all(app)
    assert smtp_server.to("ana@rijeka.example.org") == []
    assert len(smtp_server.to("ivo@rijeka.example.org")) == 1
    # Other kinds still reach Ana: a stage change of her municipality.
    with app.app_context():
        from tracker.notifications.services import notify

        notify(
            [db.session.get(User, ana)],
            "Rijeka moved on.",
            kind=MailKind.STAGE_CHANGE,
            subject="Stage change",
        )
        db.session.commit()
    send_all(app)
    assert [m.message["Subject"] for m in smtp_server.to("ana@rijeka.example.org")] == [
        "Stage change"
    ]
    # A forged or damaged link changes nothing.
    assert anonymous.post(path[:-3] + "xyz").status_code == 400


def test_header_injection_is_impossible(app, make_municipality, make_user, smtp_server):
    municipality = make_municipality("Town\r\nBcc: victim@evil.example")
    contact = make_user(
        Role.CONTACT,
        email="contact@town.example.org",
        municipality_id=municipality,
        full_name="Ana\r\nBcc: victim@evil.example",
    )
    with app.app_context():
        user = db.session.get(User, contact)
        queue(
            MailKind.STAGE_CHANGE,
            Recipient.of_user(user),
            subject=f"{user.municipality.name} moved\nX-Injected: yes",
            template="notification",
            context={"message": "Moved."},
        )
        db.session.commit()
    send_all(app)
    [mail] = smtp_server.received
    assert mail.rcpt_tos == ["contact@town.example.org"]
    assert mail.message["Bcc"] is None and mail.message["X-Injected"] is None
    assert mail.message["Subject"] == (
        "Town Bcc: victim@evil.example moved X-Injected: yes"
    )
    assert mail.message["To"].addresses[0].display_name == (
        "Ana Bcc: victim@evil.example"
    )
    # A row that holds a line break anyway (not written by queue()) is
    # refused when the message is built, and never sent.
    [row] = outbox(app)
    row.subject = "Hello\r\nBcc: victim@evil.example"
    with app.app_context(), pytest.raises(HeaderInjection):
        build_message(row, app.config["MAIL_FROM"])
    with app.app_context():
        db.session.add(
            OutboxMessage(
                kind=MailKind.STAGE_CHANGE,
                to_address="contact@town.example.org",
                subject="Hello\r\nBcc: victim@evil.example",
                body_text="x",
                body_html="<p>x</p>",
                message_id="<forged@upp.example.org>",
            )
        )
        db.session.commit()
    smtp_server.received.clear()
    send_all(app)
    assert smtp_server.received == []
    [forged] = outbox(app, message_id="<forged@upp.example.org>")
    assert forged.status == MailStatus.DEAD and "Refused" in forged.last_error


# -- what is sent ------------------------------------------------------------------


def test_a_stage_change_emails_the_municipalitys_contacts(
    app, client, login_as, acp, make_user, smtp_server
):
    from tests.test_programs import move

    make_user(Role.CONTACT, email="rijeka@example.org", municipality_id=acp.rijeka)
    make_user(Role.CONTACT, email="belgrade@example.org", municipality_id=acp.belgrade)
    make_user(
        Role.CONTACT,
        email="gone@example.org",
        municipality_id=acp.rijeka,
        is_active=False,
    )
    login_as(Role.COORDINATOR)
    response = move(
        client,
        app,
        acp.rijeka_enrollment,
        stage_id=stage_id(app, acp.program, "diagnosis"),
        effective_on=date.today().isoformat(),
    )
    assert response.status_code == 302
    send_all(app)
    [mail] = smtp_server.received
    assert mail.rcpt_tos == ["rijeka@example.org"]
    assert mail.message["Subject"] == "ACP: Rijeka moved to “Diagnosis”"
    assert "Rijeka moved to “Diagnosis” in ACP on" in mail.part("text/plain")


def test_proposals_reach_coordinators_and_their_outcome_the_contact(
    app,
    client,
    login,
    make_user,
    make_municipality,
    make_event,
    make_person,
    smtp_server,
):
    rijeka = make_municipality("Rijeka")
    make_user(Role.CONTACT, email="contact@rijeka.example.org", municipality_id=rijeka)
    make_user(Role.COORDINATOR, email="coordinator@example.org")
    make_user(Role.MANAGER, email="manager@example.org")
    event = make_event("Training", starts_on=in_days(20))
    person = make_person("Petra Demo", municipality_id=rijeka)
    login("contact@rijeka.example.org")
    response = client.post_form(
        f"/events/{event}/propose",
        {"person_id": str(person), "role": "delegate", "presentation_title": ""},
    )
    assert response.status_code == 302, response.data[:500]
    send_all(app)
    assert [m.rcpt_tos for m in smtp_server.received] == [["coordinator@example.org"]]
    assert smtp_server.received[0].message["Subject"] == "New proposal for “Training”"

    client.post_form("/auth/logout")
    login("coordinator@example.org")
    with app.app_context():
        participation = db.session.scalar(
            select(Event).where(Event.id == event)
        ).participations[0]
        participation_id = participation.id
    response = client.post_form(
        f"/events/{event}/participants/{participation_id}/confirm"
    )
    assert response.status_code == 302
    send_all(app)
    outcome = smtp_server.to("contact@rijeka.example.org")
    assert [m.message["Subject"] for m in outcome] == ["Your proposal was confirmed"]


def test_reminders_go_once_to_participants_waiting_for_confirmation(
    app, runner, make_event, make_person, make_participation, smtp_server
):
    soon = make_event("Workshop soon", starts_on=in_days(3))
    later = make_event("Workshop later", starts_on=in_days(30))
    waiting = make_person("Waiting Demo", email="waiting@example.org")
    confirmed = make_person("Confirmed Demo", email="confirmed@example.org")
    declined = make_person("Declined Demo", email="declined@example.org")
    no_address = make_person("Nomail Demo")
    for person, attendance in (
        (waiting, Attendance.PROPOSED),
        (confirmed, Attendance.REGISTERED),
        (declined, Attendance.CANCELLED),
        (no_address, Attendance.PROPOSED),
    ):
        make_participation(soon, person, attendance=attendance)
    make_participation(later, waiting, attendance=Attendance.PROPOSED)

    first = runner.invoke(args=["outbox", "remind", "--days", "7"])
    second = runner.invoke(args=["outbox", "remind", "--days", "7"])
    assert "1 reminder(s) queued" in first.output
    assert "0 reminder(s) queued" in second.output
    send_all(app)
    [mail] = smtp_server.received
    assert mail.rcpt_tos == ["waiting@example.org"]
    assert mail.message["Subject"].startswith("Reminder: Workshop soon starts on")
    assert "This event starts in 3 days." in mail.part("text/plain")


def test_managers_get_one_weekly_digest_of_what_changed(
    app, make_user, make_municipality, make_person, smtp_server
):
    make_user(Role.MANAGER, email="manager@example.org", locale="sq")
    make_user(Role.COORDINATOR, email="coordinator@example.org")
    make_person("New Person Demo")
    make_person("Another Person Demo")
    with app.app_context():
        assert scheduled.queue_digests() == 1
        assert scheduled.queue_digests() == 0  # once a week
        db.session.commit()
    send_all(app)
    [mail] = smtp_server.received
    assert mail.rcpt_tos == ["manager@example.org"]
    assert mail.message["Content-Language"] == "sq"
    (people_added,) = in_language("sq", ("People added", {}))
    assert people_added != "People added"
    assert f"{people_added}: 2" in mail.part("text/plain")


def test_password_links_are_emailed_when_mail_is_configured(
    app, client, login_as, make_user, smtp_server
):
    user = make_user(Role.MANAGER, email="new.manager@example.org")
    login_as(Role.ADMIN)
    response = client.post_form(f"/admin/users/{user}/password-link")
    page = response.get_data(as_text=True)
    assert "on its way to new.manager@example.org" in page
    assert "/auth/set-password/" not in page  # not shown to the admin
    send_all(app)
    [mail] = smtp_server.received
    link = re.search(
        r"https://tracker\.example\.org(/auth/set-password/\S+)",
        mail.part("text/plain"),
    )
    assert link
    assert app.test_client().get(link.group(1)).status_code == 200
    [row] = outbox(app)
    assert (
        "/auth/set-password/" not in row.body_text + row.body_html
    )  # erased once sent


def test_without_a_mail_server_messages_stay_queued_and_visible(
    app, client, runner, login_as, make_testimonial, croatian_submitter, make_user
):
    assert not app.config["MAIL_SERVER"]
    rijeka, submitter = croatian_submitter
    testimonial = make_testimonial(rijeka, submitter, "submitted")
    with app.app_context():
        testimonial_services.approve(
            db.session.get(Testimonial, testimonial),
            db.session.get(User, make_user(Role.COORDINATOR)),
        )
        db.session.commit()
    result = runner.invoke(args=["outbox", "run", "--once"])
    assert result.exit_code != 0 and "MAIL_SERVER is not set" in result.output
    [row] = outbox(app)
    assert row.status == MailStatus.PENDING
    login_as(Role.ADMIN)
    page = client.get("/outbox/").get_data(as_text=True)
    assert "No mail server is configured" in page
    assert "ana.horvat@rijeka.example.org" in page
    (approved,) = in_language("hr", ("Your testimonial is approved", {}))
    assert approved in page
    # ...and the password-set link is shown, as before.
    response = client.post_form(f"/admin/users/{submitter}/password-link")
    assert "/auth/set-password/" in response.get_data(as_text=True)


# -- the worker's rules ----------------------------------------------------------


def queue_plain(app, address: str, subject: str = "Hello", count: int = 1):
    with app.app_context():
        for _ in range(count):
            queue(
                MailKind.STAGE_CHANGE,
                Recipient(address, "Demo"),
                subject=subject,
                template="notification",
                context={"message": "Text."},
            )
        db.session.commit()


def test_a_refused_message_is_retried_with_the_same_message_id(
    app, monkeypatch, smtp_server
):
    monkeypatch.setitem(app.config, "MAIL_RETRY_BASE_SECONDS", 0)
    smtp_server.refuse_every = 2  # the second attempt of the run is refused
    queue_plain(app, "one@example.org")
    queue_plain(app, "two@example.org")
    report = send_all(app)
    assert (report.sent, report.retried, report.attempts) == (2, 1, 3)
    by_address = {m.rcpt_tos[0]: m.message_id for m in smtp_server.received}
    rows = {row.to_address: row for row in outbox(app)}
    assert by_address["two@example.org"] == rows["two@example.org"].message_id
    assert rows["two@example.org"].attempts == 2


def test_failures_back_off_then_end_as_dead_letters_an_admin_can_retry(
    app, client, login_as, monkeypatch, smtp_server
):
    monkeypatch.setitem(app.config, "MAIL_RETRY_BASE_SECONDS", 0)
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 3)
    smtp_server.refuse_every = 1  # every attempt refused
    queue_plain(app, "unlucky@example.org", subject="Never arrives")
    report = send_all(app)
    assert (report.attempts, report.retried, report.dead) == (3, 2, 1)
    [row] = outbox(app)
    assert row.status == MailStatus.DEAD and row.attempts == 3
    assert "451" in row.last_error

    login_as(Role.ADMIN)
    page = client.get("/outbox/?status=dead").get_data(as_text=True)
    assert "Never arrives" in page and "Retry" in page
    assert client.post_form(f"/outbox/{row.id}/retry").status_code == 302
    smtp_server.refuse_every = 0
    assert send_all(app).sent == 1
    assert outbox(app)[0].status == MailStatus.SENT
    # A sent message can neither be retried nor cancelled.
    client.post_form(f"/outbox/{row.id}/cancel")
    assert outbox(app)[0].status == MailStatus.SENT


def test_backoff_doubles_up_to_its_cap(app):
    with app.app_context():
        waits = [worker.backoff(n).total_seconds() for n in (1, 2, 3, 4, 20)]
    assert waits == [60, 120, 240, 480, 6 * 3600]


def test_a_permanent_refusal_fails_at_once(app, monkeypatch, smtp_server):
    async def refuse(server, session, envelope, address, options):
        return "550 5.1.1 No such mailbox"

    smtp_server.handle_RCPT = refuse
    queue_plain(app, "nobody@example.org")
    report = send_all(app)
    assert (report.attempts, report.dead) == (1, 1)
    assert "550" in outbox(app)[0].last_error


def test_messages_beyond_the_hourly_rate_of_a_recipient_wait(
    app, monkeypatch, smtp_server
):
    monkeypatch.setitem(app.config, "MAIL_RATE_PER_HOUR", 2)
    queue_plain(app, "busy@example.org", count=5)
    queue_plain(app, "quiet@example.org")
    report = send_all(app)
    assert report.sent == 3 and report.deferred == 3
    assert len(smtp_server.to("busy@example.org")) == 2
    waiting = outbox(app, status=MailStatus.PENDING)
    assert len(waiting) == 3 and all(row.attempts == 0 for row in waiting)
    assert all(
        row.next_attempt_at > row.created_at + timedelta(minutes=5) for row in waiting
    )


def test_an_invalid_address_is_a_dead_letter_not_a_lost_message(app):
    queue_plain(app, "not an address")
    [row] = outbox(app)
    assert row.status == MailStatus.DEAD and "not a valid" in row.last_error


# -- preferences -------------------------------------------------------------------


def test_profile_page_turns_kinds_off_and_on(app, client, login_as):
    user_id = login_as(Role.CONTACT, email="prefs@rijeka.example.org")
    page = client.get("/auth/profile").get_data(as_text=True)
    assert "Decisions on your testimonials" in page
    assert "Weekly digest" not in page  # managers only
    fields = {
        "language": "en",
        "timezone": "Europe/Belgrade",
        "mail_stage_change": "y",
        "mail_event_invitation": "y",
    }
    assert client.post_form("/auth/profile", fields).status_code == 302
    with app.app_context():
        off = set(
            db.session.scalars(
                select(MailOptOut.kind).where(
                    MailOptOut.address == "prefs@rijeka.example.org"
                )
            )
        )
    assert off == {
        MailKind.TESTIMONIAL_OUTCOME,
        MailKind.PROPOSAL_OUTCOME,
        MailKind.EVENT_REMINDER,
        MailKind.PASSWORD_LINK,
    }
    page = client.get("/auth/profile").get_data(as_text=True)

    def checkbox(name: str) -> str:
        return re.search(rf'<input[^>]*id="mail_{name}"[^>]*>', page).group(0)

    assert "checked" in checkbox("stage_change")
    assert "checked" not in checkbox("testimonial_outcome")
    fields.update(
        mail_testimonial_outcome="y",
        mail_proposal_outcome="y",
        mail_event_reminder="y",
        mail_password_link="y",
    )
    client.post_form("/auth/profile", fields)
    with app.app_context():
        assert db.session.scalar(select(func.count(MailOptOut.id))) == 0
        assert db.session.get(User, user_id).email == "prefs@rijeka.example.org"


def test_metrics_count_the_outbox(app, client):
    queue_plain(app, "a@example.org", count=2)
    queue_plain(app, "broken address")
    body = client.get("/metrics").get_data(as_text=True)
    assert 'tracker_outbox_messages{status="pending"} 2.0' in body
    assert 'tracker_outbox_messages{status="dead"} 1.0' in body


# -- settings ----------------------------------------------------------------------

STRONG_KEY = "9f2c4e7a1b3d5f6081a2c3e4f5061728394a5b6c7d8e9f00"


def test_mail_settings_come_from_the_environment(monkeypatch, tmp_path):
    password = tmp_path / "mail-password"
    password.write_text("s3cret-mail\n")
    for name, value in {
        "TRACKER_ENV": "production",
        "SECRET_KEY": STRONG_KEY,
        "DATABASE_URL": "sqlite://",
        "MAIL_SERVER": "smtp.example.org",
        "MAIL_PORT": "587",
        "MAIL_USE_TLS": "1",
        "MAIL_USERNAME": "tracker",
        "MAIL_PASSWORD_FILE": str(password),
        "MAIL_FROM": "UPP Tracker <tracker@example.org>",
        "TRACKER_BASE_URL": "https://tracker.example.org",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    config = create_app().config
    assert (config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_USE_TLS"]) == (
        "smtp.example.org",
        587,
        True,
    )
    assert config["MAIL_PASSWORD"] == "s3cret-mail"
    assert config["BASE_URL"] == "https://tracker.example.org"
    # Production refuses a password sent in clear and links taken from requests.
    monkeypatch.setenv("MAIL_USE_TLS", "0")
    with pytest.raises(ConfigurationError, match="unencrypted"):
        create_app()
    monkeypatch.setenv("MAIL_USE_TLS", "1")
    monkeypatch.delenv("TRACKER_BASE_URL")
    with pytest.raises(ConfigurationError, match="TRACKER_BASE_URL"):
        create_app()
    monkeypatch.setenv("MAIL_USE_SSL", "1")
    with pytest.raises(ConfigurationError, match="not both"):
        create_app()


def test_only_editors_see_and_use_the_invite_page(
    app, client, login_as, make_event, make_person, make_participation
):
    event = make_event("Training", starts_on=in_days(10))
    no_address = make_participation(event, make_person("Nomail Demo"))
    login_as(Role.MANAGER)
    assert "Invite participants" not in client.get(f"/events/{event}").get_data(True)
    assert client.get(f"/events/{event}/invite").status_code == 403
    client.post_form("/auth/logout")
    login_as(Role.COORDINATOR)
    assert "Invite participants" in client.get(f"/events/{event}").get_data(True)
    response = client.post_form(
        f"/events/{event}/invite", {"participation_ids": [str(no_address)]}
    )
    assert response.status_code == 422
    assert "with an e-mail address" in response.get_data(True)
    assert outbox(app) == []
