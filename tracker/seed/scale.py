"""Synthetic data at scale for benchmarks (``flask seed-scale --scale S``).

Deterministic (a seeded random generator) and fast: rows are written with
bulk Core inserts and explicit ids, not through the ORM. That bypasses the
audit listener on purpose: the data is synthetic, and so is its audit
trail, which is generated here as a valid hash chain so that
``audit-verify`` still passes. Only ever run it on an empty database.

At scale 1: 2,000 municipalities in 20 countries, 50,000 people, 6,000
enrollments with 30,000 stage changes and 4,000 assessments, 1,500 events
with 15,000 sessions and 250,000 participations, 20,000 testimonials and
200,000 audit entries.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Table, func, insert, select, text

from tracker.models import (
    ASSESSMENT_AREAS,
    Assessment,
    AssessmentKind,
    Attendance,
    AuditEntry,
    Base,
    Cohort,
    Country,
    Enrollment,
    Event,
    EventKind,
    EventSession,
    Municipality,
    Participation,
    ParticipationRole,
    Person,
    Program,
    Role,
    SessionKind,
    Stage,
    StageChange,
    StageKind,
    Testimonial,
    TestimonialStatus,
    User,
)
from tracker.models.audit import GENESIS_HASH
from tracker.search import search_key
from tracker.seed.scale_words import COUNTRIES, FIRST, LAST, PROGRAMS, SYLLABLES

SEED = 20170904  # the first day of Seoul's Smart City Week
BATCH = 5_000


@dataclass
class Counts:
    scale: float

    def __getitem__(self, name: str) -> int:
        base = {
            "municipalities": 2_000,
            "people": 50_000,
            "enrollments": 6_000,
            "stage_changes": 30_000,
            "assessments": 4_000,
            "events": 1_500,
            "sessions": 15_000,
            "participations": 250_000,
            "testimonials": 20_000,
            "audit": 200_000,
        }[name]
        return max(1, round(base * self.scale))


SEARCHABLE = (Country, Municipality, Person, Event, Testimonial, User)


def with_search_keys(table: Table, rows: list[dict[str, Any]]) -> None:
    """Give each row of a searchable table its folded search key, as the ORM's
    mapper event would (these inserts bypass it)."""
    for model in SEARCHABLE:
        if model.__table__ is table:
            fields = model.__search_fields__
            for row in rows:
                row["search_key"] = search_key(*(row.get(name) for name in fields))


def seed_scale(
    connection: Connection, scale: float, password_hash: str
) -> dict[str, int]:
    """Fill an empty database; return the number of rows written per table."""
    if connection.scalar(select(func.count(Municipality.id))):
        raise ValueError("seed-scale needs an empty database.")
    rng = random.Random(SEED)
    counts = Counts(scale)
    written: dict[str, int] = {}

    def put(table: Table, rows: list[dict[str, Any]]) -> None:
        with_search_keys(table, rows)
        for start in range(0, len(rows), BATCH):
            connection.execute(insert(table), rows[start : start + BATCH])
        written[table.name] = written.get(table.name, 0) + len(rows)

    now = datetime(2026, 11, 1, tzinfo=UTC)
    put(
        Country.__table__,
        [
            {
                "id": i,
                "code": code,
                "name": name,
                "is_program_country": i <= 7,
                "version_id": 1,
            }
            for i, (code, name) in enumerate(COUNTRIES, start=1)
        ],
    )

    n_muni = counts["municipalities"]
    names: set[tuple[int, str]] = set()
    municipalities = []
    for i in range(1, n_muni + 1):
        country_id = rng.randint(1, len(COUNTRIES))
        while True:
            name = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
            name = name.capitalize()
            if (country_id, name) not in names:
                names.add((country_id, name))
                break
        municipalities.append(
            {
                "id": i,
                "name": name,
                "country_id": country_id,
                "region": f"Region {rng.randint(1, 12)}",
                "population": int(rng.lognormvariate(10.3, 1.0)),
                "website": "",
                "address": "",
                "email": f"info@m{i}.example.org" if rng.random() < 0.9 else "",
                "phone": "",
                "notes": "",
                "created_at": now,
                "version_id": 1,
            }
        )
    put(Municipality.__table__, municipalities)

    n_people = counts["people"]
    put(
        Person.__table__,
        [
            {
                "id": i,
                "full_name": f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}",
                "position": rng.choice(
                    [
                        "Mayor",
                        "Head of Finance",
                        "Integrity Officer",
                        "City Manager",
                        "Procurement Officer",
                    ]
                ),
                "organisation": "",
                "municipality_id": rng.randint(1, n_muni)
                if rng.random() < 0.9
                else None,
                "email": f"person{i}@scale.example.org",
                "phone": "",
                "created_at": now,
                "version_id": 1,
            }
            for i in range(1, n_people + 1)
        ],
    )

    users = [
        ("admin@example.org", Role.ADMIN, None),
        ("coordinator@example.org", Role.COORDINATOR, None),
        ("manager@example.org", Role.MANAGER, None),
        ("contact.rijeka@example.org", Role.CONTACT, 1),
        ("contact.belgrade@example.org", Role.CONTACT, 2),
    ]
    put(
        User.__table__,
        [
            {
                "id": i,
                "email": email,
                "full_name": email.split("@")[0],
                "role": role,
                "municipality_id": home,
                "password_hash": password_hash,
                "is_active": True,
                "session_token": f"scale-session-{i}-{rng.random()}",
                "failed_logins": 0,
                "created_at": now,
                "version_id": 1,
            }
            for i, (email, role, home) in enumerate(users, start=1)
        ],
    )

    stages: dict[str, list[int]] = {}
    stage_rows, program_rows, cohort_rows = [], [], []
    stage_id = 0
    cohorts: dict[str, list[int]] = {}
    for program_id, (code, (name, stage_codes)) in enumerate(PROGRAMS.items(), 1):
        program_rows.append(
            {
                "id": program_id,
                "code": code,
                "name": name,
                "description": "",
                "started_on": date(2012, 2, 1),
                "required_trainings": 3 if code == "ILTP" else None,
                "created_at": now,
                "version_id": 1,
            }
        )
        stages[code] = []
        for position, stage_code in enumerate([*stage_codes, "withdrawn"]):
            stage_id += 1
            kind = (
                StageKind.WITHDRAWN
                if stage_code == "withdrawn"
                else StageKind.COMPLETED
                if stage_code == "completed"
                else StageKind.WORKING
            )
            stage_rows.append(
                {
                    "id": stage_id,
                    "program_id": program_id,
                    "code": stage_code,
                    "name": stage_code.replace("_", " ").capitalize(),
                    "position": position,
                    "kind": kind,
                    "description": "",
                    "version_id": 1,
                }
            )
            stages[code].append(stage_id)
        cohorts[code] = []
        for year in range(2012, 2025):
            cohort_id = len(cohort_rows) + 1
            cohort_rows.append(
                {
                    "id": cohort_id,
                    "program_id": program_id,
                    "name": f"{code} {year}",
                    "year": year,
                    "version_id": 1,
                }
            )
            cohorts[code].append(cohort_id)
    put(Program.__table__, program_rows)
    put(Stage.__table__, stage_rows)
    put(Cohort.__table__, cohort_rows)

    n_enroll = min(counts["enrollments"], n_muni * len(PROGRAMS))
    changes_per = max(1, counts["stage_changes"] // n_enroll)
    pairs = [(m, p) for p in range(1, len(PROGRAMS) + 1) for m in range(1, n_muni + 1)]
    rng.shuffle(pairs)
    codes = list(PROGRAMS)
    enrollment_rows, change_rows, acp_enrollments = [], [], []
    for enrollment_id, (municipality_id, program_id) in enumerate(pairs[:n_enroll], 1):
        code = codes[program_id - 1]
        path = stages[code][: len(PROGRAMS[code][1])]
        cohort_index = rng.randrange(len(cohorts[code]))
        on = date(2012 + cohort_index, rng.randint(1, 12), rng.randint(1, 28))
        steps = min(changes_per + rng.randint(-1, 1), len(path))
        steps = max(1, steps)
        previous = None
        for step in range(steps):
            change_rows.append(
                {
                    "id": len(change_rows) + 1,
                    "enrollment_id": enrollment_id,
                    "from_stage_id": previous,
                    "to_stage_id": path[step],
                    "effective_on": on,
                    "recorded_at": now,
                    "recorded_by_id": 2,
                    "note": "",
                }
            )
            previous = path[step]
            on = min(on + timedelta(days=rng.randint(60, 400)), date(2026, 10, 31))
        enrollment_rows.append(
            {
                "id": enrollment_id,
                "municipality_id": municipality_id,
                "program_id": program_id,
                "cohort_id": cohorts[code][cohort_index],
                "current_stage_id": previous,
                "applied_on": None,
                "notes": "",
                "created_at": now,
                "version_id": 1,
            }
        )
        if code == "ACP":
            acp_enrollments.append(enrollment_id)
    put(Enrollment.__table__, enrollment_rows)
    put(StageChange.__table__, change_rows)

    assessment_rows = []
    for i in range(counts["assessments"]):
        enrollment_id = acp_enrollments[(i // 2) % len(acp_enrollments)]
        baseline = i % 2 == 0
        assessment_rows.append(
            {
                "id": i + 1,
                "enrollment_id": enrollment_id,
                "assessed_on": date(2013 if baseline else 2016, 3, 1),
                "kind": AssessmentKind.BASELINE
                if baseline
                else AssessmentKind.FOLLOW_UP,
                **{
                    area: rng.randint(20, 90) if baseline else rng.randint(5, 70)
                    for area in ASSESSMENT_AREAS
                },
                "notes": "",
                "created_at": now,
                "version_id": 1,
            }
        )
    put(Assessment.__table__, assessment_rows)

    n_events = counts["events"]
    kinds = list(EventKind)
    event_rows, session_rows, participation_rows = [], [], []
    sessions_per = max(1, counts["sessions"] // n_events)
    participants_per = min(n_people, max(1, counts["participations"] // n_events))
    for event_id in range(1, n_events + 1):
        starts = date(2012, 1, 1) + timedelta(days=rng.randint(0, 5400))
        kind = rng.choice(kinds)
        event_rows.append(
            {
                "id": event_id,
                "title": f"{kind.value.replace('_', ' ').title()} {event_id}",
                "kind": kind,
                "starts_on": starts,
                "ends_on": starts + timedelta(days=rng.randint(0, 4)),
                "city": rng.choice(
                    [
                        "Zagreb",
                        "Belgrade",
                        "Tirana",
                        "Sarajevo",
                        "Skopje",
                        "Vienna",
                        "Seoul",
                        "Podgorica",
                        "Prishtina",
                    ]
                ),
                "country_id": rng.randint(1, len(COUNTRIES)),
                "venue": "",
                "organisers": "",
                "description": "",
                "program_id": rng.choice([None, 1, 2, 3]),
                "is_public": rng.random() < 0.6,
                "created_at": now,
                "version_id": 1,
            }
        )
        for position in range(sessions_per):
            session_rows.append(
                {
                    "id": len(session_rows) + 1,
                    "event_id": event_id,
                    "held_on": starts,
                    "position": position,
                    "kind": rng.choice(list(SessionKind)),
                    "title": f"Session {position + 1}",
                    "speakers": "",
                    "description": "",
                    "version_id": 1,
                }
            )
        for person_id in rng.sample(range(1, n_people + 1), participants_per):
            participation_rows.append(
                {
                    "id": len(participation_rows) + 1,
                    "person_id": person_id,
                    "event_id": event_id,
                    "municipality_id": rng.randint(1, n_muni),
                    "role": rng.choice(list(ParticipationRole)),
                    "presentation_title": "",
                    "attendance": rng.choice(list(Attendance)),
                    "proposed_by_id": None,
                    "created_at": now,
                    "version_id": 1,
                }
            )
    put(Event.__table__, event_rows)
    put(EventSession.__table__, session_rows)
    put(Participation.__table__, participation_rows)

    statuses = list(TestimonialStatus)
    put(
        Testimonial.__table__,
        [
            _testimonial(i, rng.choice(statuses), rng, n_muni, now)
            for i in range(1, counts["testimonials"] + 1)
        ],
    )

    put(AuditEntry.__table__, list(_audit_chain(counts["audit"], rng, now)))
    if connection.dialect.name == "postgresql":
        # Ids were given explicitly: move each sequence past the largest one.
        for name in written:
            table = Base.metadata.tables[name]
            connection.execute(
                text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :value)"),
                {
                    "table": name,
                    "value": connection.scalar(select(func.max(table.c.id))),
                },
            )
        # Planner statistics for the new rows now, not whenever autovacuum
        # gets to them: plans right after a bulk load are then the usual.
        connection.execute(text("ANALYZE"))
    return written


def _testimonial(
    i: int, status: TestimonialStatus, rng: random.Random, n_muni: int, now: datetime
) -> dict[str, Any]:
    submitted = status != TestimonialStatus.DRAFT
    reviewed = status in (TestimonialStatus.APPROVED, TestimonialStatus.REJECTED)
    return {
        "id": i,
        "quote": "The program changed how our administration works. "
        * rng.randint(1, 6),
        "person_id": None,
        "author_name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
        "author_position": "Mayor",
        "municipality_id": rng.randint(1, n_muni),
        "program_id": rng.choice([None, 1, 2, 3]),
        "event_id": None,
        "has_consent": True,
        "status": status,
        "submitted_by_id": 4 if submitted else None,
        "submitted_at": now - timedelta(days=rng.randint(1, 2000))
        if submitted
        else None,
        "reviewed_by_id": 2 if reviewed else None,
        "reviewed_at": now if reviewed else None,
        "review_note": "Not about the program."
        if status == TestimonialStatus.REJECTED
        else "",
        "is_featured": status == TestimonialStatus.APPROVED and rng.random() < 0.05,
        "created_at": now,
        "version_id": 1,
    }


def _audit_chain(
    count: int, rng: random.Random, now: datetime
) -> Iterator[dict[str, Any]]:
    prev_hash = GENESIS_HASH
    at = now - timedelta(days=1000)
    for i in range(1, count + 1):
        at += timedelta(seconds=rng.randint(1, 400))
        row = {
            "id": i,
            "at": at,
            "actor_id": 2,
            "actor_role": "coordinator",
            "actor_label": "coordinator@example.org",
            "ip": "127.0.0.1",
            "action": rng.choice(["create", "update", "update", "delete"]),
            "entity_type": "municipality",
            "entity_id": rng.randint(1, 2000),
            "changes": {
                "population": [rng.randint(1000, 9000), rng.randint(1000, 9000)]
            },
        }
        row["prev_hash"] = prev_hash
        row["hash"] = AuditEntry.compute_hash(prev_hash, row)
        prev_hash = row["hash"]
        yield row
