"""Privacy: consent to be named, a person's data export, erasure that keeps
the totals, retention; all on the demo data (``seed-demo``)."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from sqlalchemy import String, Text, select

from tests.conftest import PASSWORD
from tracker.audit import acting_as, verify_chain
from tracker.dashboards.figures import CHART_NAMES
from tracker.extensions import db
from tracker.models import (
    Attachment,
    AuditEntry,
    Base,
    Erasure,
    Event,
    ListingBasis,
    ListingConsent,
    MailKind,
    MailStatus,
    OutboxMessage,
    Participation,
    Person,
    Role,
    Testimonial,
    TestimonialStatus,
    User,
)
from tracker.privacy.consent import named_in_public
from tracker.public.open_data import DATASETS
from tracker.seed import seed_demo

SEOUL = "World Smart City Summit and Smart City Week, Seoul"
IVANA = "Ivana Demo-Horvat"
IVANA_EMAIL = "ivana.horvat@rijeka.example.org"
JELENA = "Jelena Demo-Marković"


@pytest.fixture
def demo(app):
    with app.app_context(), acting_as("tests"):
        seed_demo(db.session)
        db.session.commit()
        return {
            "seoul": db.session.scalar(select(Event.id).where(Event.title == SEOUL)),
            "ivana": db.session.scalar(
                select(Person.id).where(Person.email == IVANA_EMAIL)
            ),
            "jelena": db.session.scalar(
                select(Person.id).where(Person.full_name == JELENA)
            ),
        }


def participants_section(client, event_id: int) -> str:
    """The public page's agenda, presentations and participants: everything
    but its testimonials (whose authors consented to publication)."""
    page = client.get(f"/events/public/{event_id}").get_data(as_text=True)
    start = page.index('id="agenda"')
    end = page.index('id="participants-heading"')
    end = page.index("</section>", end)
    return page[start:end]


def _login(client, email):
    response = client.post_form(
        "/auth/login", {"email": email, "password": "demo-password-1"}
    )
    assert response.status_code == 302
    return response


# --- consent on public pages ---------------------------------------------------------


def test_seoul_public_page_names_only_consenting_participants_and_counts_the_rest(
    client, demo
):
    page = participants_section(client, demo["seoul"])
    assert IVANA in page
    assert JELENA not in page
    assert "Tomás" not in page and "Demo-Ortega" not in page
    assert "and 1 other participant from Serbia" in page
    assert "and 1 other participant" in page
    # The agenda named Belgrade's presenter in free text: withheld too.
    assert "[name withheld] (Belgrade)" in page


def test_public_api_names_only_consenting_participants(client, demo):
    body = client.get(f"/api/v1/events/{demo['seoul']}/participants").get_json()
    assert body["total"] == 3
    named = [item["person"]["full_name"] for item in body["items"] if item["person"]]
    assert named == [IVANA]
    counted = [item for item in body["items"] if item["person"] is None]
    assert sorted(str(item["country"]) for item in counted) == ["None", "RS"]
    assert all(item["municipality"] is None for item in counted)


def test_consent_recorded_then_withdrawn_changes_the_public_page(
    app, client, demo, login_as
):
    login_as(Role.COORDINATOR)
    response = client.post_form(
        f"/privacy/people/{demo['jelena']}/consents",
        {"scope": "all", "answer": "yes", "method": "paper", "note": "Signed 2017"},
    )
    assert response.status_code == 302
    assert JELENA in participants_section(client, demo["seoul"])
    page = client.get(f"/privacy/people/{demo['jelena']}").get_data(as_text=True)
    assert "Signed 2017" in page and "On paper" in page
    with app.app_context():
        consent = db.session.scalar(
            select(ListingConsent).where(ListingConsent.person_id == demo["jelena"])
        )
        consent_id = consent.id
        assert consent.recorded_by_id is not None and consent.method == "paper"
    response = client.post_form(
        f"/privacy/consents/{consent_id}/withdraw", {"method": "email"}
    )
    assert response.status_code == 302
    assert JELENA not in participants_section(client, demo["seoul"])
    with app.app_context():
        consent = db.session.get(ListingConsent, consent_id)
        assert consent.withdrawn_at is not None
        assert consent.withdrawal_method == "email"


def test_a_participation_answer_overrides_the_general_one(app, client, demo, login_as):
    """Ivana consents in general but not for Seoul: Seoul counts her."""
    login_as(Role.COORDINATOR)
    with app.app_context():
        participation = db.session.scalar(
            select(Participation.id).where(
                Participation.person_id == demo["ivana"],
                Participation.event_id == demo["seoul"],
            )
        )
    response = client.post_form(
        f"/privacy/people/{demo['ivana']}/consents",
        {"scope": str(participation), "answer": "no", "method": "email"},
    )
    assert response.status_code == 302
    page = participants_section(client, demo["seoul"])
    assert IVANA not in page
    assert "1 participant from Croatia" in page


def test_a_legal_basis_names_the_events_presenters(app, client, demo, login_as):
    login_as(Role.COORDINATOR)
    url = f"/privacy/events/{demo['seoul']}/basis"
    refused = client.post_form(url, {"basis": "public_task", "explanation": ""})
    assert refused.status_code == 422
    assert "Explain why this legal basis applies." in refused.get_data(as_text=True)
    response = client.post_form(
        url, {"basis": "public_task", "explanation": "Officials presenting."}
    )
    assert response.status_code == 302
    page = participants_section(client, demo["seoul"])
    assert JELENA in page
    # The organiser is no presenter: still counted.
    assert "and 1 other participant" in page
    with app.app_context():
        event = db.session.get(Event, demo["seoul"])
        from tracker.privacy.consent import listing_basis

        assert listing_basis(event).basis == ListingBasis.PUBLIC_TASK


# --- a person's data -----------------------------------------------------------------


def _add_footprint(app, person_id):
    """Give Ivana an account, a testimonial and an e-mail, so every kind of
    row that can name a person does."""
    with app.app_context(), acting_as("tests"):
        person = db.session.get(Person, person_id)
        user = User(
            email="ivana.account@rijeka.example.org",
            full_name=person.full_name,
            role=Role.CONTACT,
            municipality_id=person.municipality_id,
            person_id=person.id,
        )
        from tracker.auth.passwords import hash_password

        user.password_hash = hash_password(PASSWORD)
        db.session.add(user)
        db.session.add(
            Testimonial(
                quote=f"Open data changed how Rijeka works. {IVANA}",
                person_id=person.id,
                author_name=person.full_name,
                author_position=person.position,
                municipality_id=person.municipality_id,
                has_consent=True,
                status=TestimonialStatus.SUBMITTED,
                submitted_at=db.func.now(),
            )
        )
        db.session.add(
            OutboxMessage(
                kind=MailKind.EVENT_INVITATION,
                status=MailStatus.PENDING,
                to_address=IVANA_EMAIL,
                to_name=IVANA,
                subject="Invitation",
                body_text=f"Dear {IVANA}, welcome.",
                body_html=f"<p>Dear {IVANA}, welcome.</p>",
                message_id="<privacy-test@upp.example.org>",
            )
        )
        db.session.commit()
        return user.id


def _rows_naming(app, needles: list[str], person_id: int) -> set[tuple[str, int]]:
    """(table, id) of every row anywhere whose text holds one of ``needles``
    or that points at the person."""
    found = set()
    lowered = [n.lower() for n in needles]
    with app.app_context():
        for table in Base.metadata.sorted_tables:
            if "id" not in table.c:
                continue
            text_columns = [
                c
                for c in table.c
                if isinstance(c.type, String | Text) or c.name == "changes"
            ]
            for row in db.session.execute(select(table)).mappings():
                values = [str(row[c.name] or "") for c in text_columns]
                if table.name == "audit_entry":
                    values.append(json.dumps(row["changes"], ensure_ascii=False))
                named = any(n in v.lower() for v in values for n in lowered)
                points = row.get("person_id") == person_id or (
                    table.name == "person" and row["id"] == person_id
                )
                if named or points:
                    found.add((table.name, row["id"]))
    return found


SECTIONS = {
    "person": "person",
    "user_account": "accounts",
    "listing_consent": "consents",
    "participation": "participations",
    "enrollment": "enrollments",
    "testimonial": "testimonials",
    "outbox_message": "outbox_messages",
    "notification": "notifications",
    "audit_entry": "audit_entries",
    "event_session": "agenda_items",
    "event": "events_mentioning",
    "erasure": "erasure",
    "attachment": "documents",
}


def test_the_export_holds_every_row_that_names_the_person(
    app, client, demo, login_as, record_figure
):
    _add_footprint(app, demo["ivana"])
    login_as(Role.COORDINATOR)
    response = client.get(f"/privacy/people/{demo['ivana']}/export.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.get_json()
    exported = set()
    for table, section in SECTIONS.items():
        value = data.get(section)
        rows = [value] if isinstance(value, dict) else value or []
        exported |= {(table, row["id"]) for row in rows}
    naming = _rows_naming(
        app, [IVANA, IVANA_EMAIL, "ivana.account@rijeka.example.org"], demo["ivana"]
    )
    assert naming, "the demo data names Ivana somewhere"
    assert naming - exported == set()
    assert {"person", "participation", "testimonial", "outbox_message"} <= {
        table for table, _ in naming
    }
    assert [d["title"] for d in data["documents"]], "her Seoul slides are listed"
    assert "$argon2" not in json.dumps(data)
    assert all("password_hash" not in account for account in data["accounts"])
    page = client.get(f"/privacy/people/{demo['ivana']}/export")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Audit entries about them" in text and IVANA_EMAIL in text
    record_figure("privacy export: rows naming Ivana, all exported", len(naming))


def test_a_person_exports_their_own_data_and_nobody_elses(app, client, demo, login):
    _add_footprint(app, demo["ivana"])
    login("ivana.account@rijeka.example.org")
    assert client.get("/privacy/me").status_code == 302
    own = client.get(f"/privacy/people/{demo['ivana']}/export.json")
    assert own.status_code == 200
    assert own.get_json()["person"]["full_name"] == IVANA
    assert client.get(f"/privacy/people/{demo['jelena']}/export.json").status_code == (
        404
    )
    assert client.get(f"/privacy/people/{demo['jelena']}").status_code == 403


def test_contacts_and_managers_cannot_export_or_erase_others(
    app, client, demo, login_as
):
    _login(client, "contact.belgrade@example.org")
    assert client.get(f"/privacy/people/{demo['ivana']}/export").status_code == 404
    assert client.get(f"/privacy/people/{demo['jelena']}/export").status_code == 404
    assert client.get("/privacy/me").status_code == 200  # no person linked
    erase = f"/privacy/people/{demo['ivana']}/erase"
    assert client.post_form(erase, {"confirm": "y"}).status_code == 403
    client.post_form("/auth/logout")
    login_as(Role.MANAGER)
    assert client.get(f"/privacy/people/{demo['ivana']}/export").status_code == 403
    assert client.get(f"/privacy/people/{demo['ivana']}").status_code == 200
    assert client.post_form(erase, {"confirm": "y"}).status_code == 403
    assert client.get("/privacy/retention").status_code == 403
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Erasure.id))) == 0


# --- erasure that keeps the totals -------------------------------------------------


def _aggregates(client, event_id: int) -> dict[str, bytes]:
    """Every published figure: the dashboard's, open data, the event's counts."""
    stats = client.get("/api/v1/stats")
    assert stats.status_code == 200
    figures = {"stats": stats.data}
    for name in CHART_NAMES:
        response = client.get(f"/dashboard/charts/{name}.csv")
        assert response.status_code == 200
        figures[f"chart {name}"] = response.data
    dashboard = client.get("/dashboard/").get_data(as_text=True)
    figures["dashboard numbers"] = re.findall(r">\s*([\d.,%]+)\s*<", dashboard)
    for name in DATASETS:
        for ext in ("csv", "json"):
            figures[f"{name}.{ext}"] = client.get(f"/open-data/{name}.{ext}").data
    page = client.get(f"/events/{event_id}").get_data(as_text=True)
    figures["event counts"] = re.findall(r"\d+ (?:attended|registered)", page)
    figures["home"] = re.sub(
        r'name="csrf-token" content="[^"]+"', "", client.get("/").get_data(as_text=True)
    )
    return figures


def test_erasing_rijekas_representative_keeps_every_total(
    app, client, runner, demo, login_as, record_figure
):
    _add_footprint(app, demo["ivana"])
    login_as(Role.COORDINATOR)
    before = _aggregates(client, demo["seoul"])
    with app.app_context():
        participations = db.session.scalar(
            select(db.func.count(Participation.id)).where(
                Participation.person_id == demo["ivana"]
            )
        )
    refused = client.post_form(f"/privacy/people/{demo['ivana']}/erase", {})
    assert refused.status_code == 422
    response = client.post_form(
        f"/privacy/people/{demo['ivana']}/erase", {"confirm": "y"}
    )
    assert response.status_code == 302
    after = _aggregates(client, demo["seoul"])
    # Public pages and the chain of course change; the figures do not.
    home_before, home_after = before.pop("home"), after.pop("home")
    assert before == after
    assert re.findall(r"<strong[^>]*>[\d.,]+</strong>", home_before) == re.findall(
        r"<strong[^>]*>[\d.,]+</strong>", home_after
    )
    naming = _rows_naming(
        app, [IVANA, IVANA_EMAIL, "ivana.account@rijeka.example.org"], -1
    )
    assert naming == set()
    with app.app_context():
        person = db.session.get(Person, demo["ivana"])
        assert person.full_name == "[erased]" and person.email is None
        assert (
            db.session.scalar(
                select(db.func.count(Participation.id)).where(
                    Participation.person_id == demo["ivana"]
                )
            )
            == participations
        )
        message = db.session.scalar(
            select(OutboxMessage).where(
                OutboxMessage.message_id == "<privacy-test@upp.example.org>"
            )
        )
        assert message.status == MailStatus.CANCELLED
        account = db.session.scalar(
            select(User).where(
                User.person_id.is_(None),
                User.full_name == "",
                User.email.like("erased-%"),
            )
        )
        assert account is not None and not account.is_active
        erased_entries = db.session.scalar(
            select(db.func.count(AuditEntry.id)).where(
                AuditEntry.erased_at.is_not(None)
            )
        )
        assert erased_entries > 0
        assert verify_chain(db.session) is None
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 0, result.output
    seoul = participants_section(client, demo["seoul"])
    assert IVANA not in seoul and "1 participant from Croatia" in seoul
    with app.app_context():
        # Her presentation's slides went with her data; the count of rows did not.
        assert not db.session.scalar(
            select(db.func.count(Attachment.id))
            .join(Participation, Attachment.participation_id == Participation.id)
            .where(Participation.person_id == demo["ivana"])
        )
    again = client.post_form(f"/privacy/people/{demo['ivana']}/erase", {"confirm": "y"})
    assert again.status_code == 302
    assert "erased already" in client.get(again.headers["Location"]).get_data(
        as_text=True
    )
    record_figure(
        "erasure of Rijeka's representative",
        f"{len(before)} aggregate files equal byte for byte, "
        f"{erased_entries} audit entries erased, chain verifies",
    )


def test_an_entry_marked_erased_without_an_erasure_record_is_named(
    app, runner, demo, db_connection
):
    """Erasure is the one UPDATE the trigger allows; it must leave a record."""
    from sqlalchemy import text

    target = db_connection.scalar(select(db.func.max(AuditEntry.id)))
    db_connection.execute(
        text(
            "UPDATE audit_entry SET changes = '{}', erased_at = CURRENT_TIMESTAMP,"
            " erased_by = 'intruder' WHERE id = :id"
        ),
        {"id": target},
    )
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 1
    assert f"Audit entry {target} was marked erased without" in result.output


# --- retention -----------------------------------------------------------------------


def test_retention_dry_run_lists_people_past_the_period_and_run_is_idempotent(
    app, runner, demo, monkeypatch, record_figure
):
    result = runner.invoke(args=["retention", "run", "--dry-run"])
    assert "No retention period is set" in result.output
    monkeypatch.setitem(app.config, "RETENTION_YEARS", 5)
    with app.app_context():
        from tracker.privacy.retention import last_activity

        activity = last_activity()
        cutoff = date.today().replace(year=date.today().year - 5)
        expected = {pid for pid, day in activity.items() if day < cutoff}
        names = {pid: db.session.get(Person, pid).full_name for pid in expected}
    assert expected, "the demo has people last active before the period"
    result = runner.invoke(args=["retention", "run", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert f"{len(expected)} people are past the retention period of 5 years" in (
        result.output
    )
    for pid, name in names.items():
        assert f"person {pid} {name}" in result.output
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Erasure.id))) == 0
        # Someone at an upcoming event is recent, whatever else they did.
        upcoming = db.session.scalar(
            select(Participation.person_id)
            .join(Event)
            .where(Event.starts_on > date.today())
        )
        assert upcoming not in expected
    result = runner.invoke(args=["retention", "run"])
    assert result.exit_code == 0, result.output
    assert f"{len(expected)} people anonymised" in result.output
    again = runner.invoke(args=["retention", "run"])
    assert "0 people anonymised" in again.output
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Erasure.id))) == len(expected)
        assert verify_chain(db.session) is None
    record_figure("retention (5 years) on the demo data", f"{len(expected)} people")


def test_admin_sees_the_retention_policy_and_next_purge(
    app, client, demo, login_as, monkeypatch
):
    login_as(Role.ADMIN)
    page = client.get("/privacy/retention").get_data(as_text=True)
    assert "No retention period is set" in page
    monkeypatch.setitem(app.config, "RETENTION_YEARS", 5)
    page = client.get("/privacy/retention").get_data(as_text=True)
    assert "5 years after their last activity" in page
    assert "The next run anonymises" in page
    assert "passes the period on" in page or "pass the period on" in page


def test_named_in_public_follows_the_rules(app, demo):
    with app.app_context():
        seoul = db.session.get(Event, demo["seoul"])
        participations = list(seoul.participations)
        named = named_in_public(participations, None)
        assert {p.person.full_name for p in participations if p.id in named} == {IVANA}
