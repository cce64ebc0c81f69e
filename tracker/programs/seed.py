"""Demo data: the three programs, their stages and cohorts, enrollments with
dated stage histories, and corruption-vulnerability assessments.

Facts (who applied the methodology, Kuçovë's strategy date, the MFSA
cohorts and workshop cities) come from the program's public record; the
other dates and every score are illustrative.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.models import (
    Assessment,
    AssessmentKind,
    Cohort,
    Country,
    Enrollment,
    Municipality,
    Program,
    Stage,
    StageKind,
    User,
    utcnow,
)
from tracker.seed.common import get_or_create

W, C, X = StageKind.WORKING, StageKind.COMPLETED, StageKind.WITHDRAWN

PROGRAMS = {
    "ACP": {
        "name": "Cities without Corruption – Cities with a Future",
        "started_on": date(2012, 2, 1),
        "required_trainings": None,
        "description": (
            "The anticorruption capacity-building program of the Urban Partnership "
            "Program (the Urban Governance and Anticorruption Capacity Building "
            "initiative, launched in February 2012).\n"
            "Each municipality leads its own participatory process: with the help "
            "of experienced anticorruption practitioners, its leaders, managers, "
            "staff and outside stakeholders first measure how vulnerable the "
            "administration is to corruption, as a level of dysfunction; they then "
            "work out solutions and put them into practice. The aim is more "
            "transparent, accountable and efficient local government, and citizens "
            "who trust it."
        ),
        "stages": [
            (
                "ready_to_join",
                "Ready to join",
                W,
                "Applied; the process has not started.",
            ),
            ("diagnosis", "Diagnosis", W, "Measuring vulnerability to corruption."),
            (
                "solution_formulation",
                "Solution formulation",
                W,
                "Drafting the anticorruption strategy and action plan.",
            ),
            ("implementation", "Implementation", W, "Carrying out the strategy."),
            ("completed", "Completed", C, ""),
            ("withdrawn", "Withdrawn", X, "Left the program."),
        ],
        "cohorts": [("ACP cohort I (2012)", 2012), ("ACP cohort II (2015)", 2015)],
    },
    "ILTP": {
        "name": "Integrity Leadership Training Program",
        "started_on": None,
        "required_trainings": 3,
        "description": (
            "Introduced in the program's second phase, ILTP trains mayors, managers "
            "and municipal staff to act with integrity and to build it in their "
            "organisations together with others, going beyond compliance with "
            "rules. A participant counts as a trained leader after attending three "
            "ILTP trainings."
        ),
        "stages": [
            ("ready_to_join", "Ready to join", W, ""),
            ("in_training", "In training", W, "Its people attend the trainings."),
            ("completed", "Completed", C, ""),
            ("withdrawn", "Withdrawn", X, ""),
        ],
        "cohorts": [("ILTP cohort I (2016)", 2016), ("ILTP cohort II (2017)", 2017)],
    },
    "MFSA": {
        "name": "Municipal Finance Self-Assessment",
        "started_on": None,
        "required_trainings": None,
        "description": (
            "A tool with which a local government reviews its own financial "
            "performance and creditworthiness, then turns the findings into an "
            "action plan and a case for additional financing."
        ),
        "stages": [
            ("ready_to_join", "Ready to join", W, ""),
            ("self_assessment", "Self-assessment", W, "Working through the tool."),
            ("action_plan", "Action plan", W, "Turning the findings into measures."),
            ("completed", "Completed", C, ""),
            ("withdrawn", "Withdrawn", X, ""),
        ],
        "cohorts": [
            ("MFSA Albania cohort I (2016)", 2016),
            ("MFSA Albania cohort II (2017)", 2017),
            ("MFSA workshop, Prčanj (2017)", 2017),
            ("MFSA workshop, Sarajevo (2017)", 2017),
        ],
    },
}

KUCOVE_STRATEGY = "The municipal council adopted the anticorruption strategy."

# (country, municipality, cohort, [(stage, date, note), ...]); the first step
# opens the history (and is the application date).
ACP_ENROLLMENTS = [
    (
        "AL",
        "Kuçovë",
        "ACP cohort I (2012)",
        [
            ("ready_to_join", date(2012, 3, 26), ""),
            ("diagnosis", date(2012, 5, 14), ""),
            ("solution_formulation", date(2012, 10, 15), ""),
            ("implementation", date(2013, 2, 26), KUCOVE_STRATEGY),
            ("completed", date(2014, 12, 15), "Action plan carried out."),
        ],
    ),
    (
        "MK",
        "Vinica",
        "ACP cohort I (2012)",
        [
            ("ready_to_join", date(2012, 3, 28), ""),
            ("diagnosis", date(2012, 5, 21), ""),
            ("solution_formulation", date(2012, 11, 5), ""),
            ("implementation", date(2013, 4, 8), "Strategy adopted."),
            ("completed", date(2015, 3, 30), ""),
        ],
    ),
    (
        "HR",
        "Križevci",
        "ACP cohort I (2012)",
        [
            ("ready_to_join", date(2012, 3, 20), ""),
            ("diagnosis", date(2012, 5, 7), ""),
            ("solution_formulation", date(2012, 10, 22), ""),
            ("implementation", date(2013, 3, 18), "Strategy adopted."),
            ("completed", date(2015, 6, 29), ""),
        ],
    ),
    (
        "BA",
        "Zenica",
        "ACP cohort I (2012)",
        [
            ("ready_to_join", date(2012, 3, 30), ""),
            ("diagnosis", date(2012, 6, 4), ""),
            ("solution_formulation", date(2012, 12, 3), ""),
            ("implementation", date(2013, 6, 10), "Strategy adopted."),
        ],
    ),
    (
        "MK",
        "Gostivar",
        "ACP cohort I (2012)",
        [
            ("ready_to_join", date(2012, 4, 2), ""),
            ("diagnosis", date(2012, 6, 11), ""),
            ("solution_formulation", date(2013, 1, 14), ""),
            ("implementation", date(2013, 7, 1), ""),
        ],
    ),
    (
        "ME",
        "Herceg Novi",
        "ACP cohort I (2012)",
        [
            ("ready_to_join", date(2012, 4, 4), ""),
            ("diagnosis", date(2012, 6, 18), ""),
            ("solution_formulation", date(2013, 2, 4), ""),
            ("implementation", date(2013, 9, 16), ""),
        ],
    ),
    (
        "XK",
        "Gjakova",
        "ACP cohort I (2012)",
        [
            ("ready_to_join", date(2012, 4, 10), ""),
            ("diagnosis", date(2012, 6, 25), ""),
            ("solution_formulation", date(2013, 3, 11), ""),
            ("implementation", date(2013, 10, 21), ""),
        ],
    ),
    (
        "ME",
        "Tivat",
        "ACP cohort I (2012)",
        [
            ("ready_to_join", date(2012, 4, 12), ""),
            ("diagnosis", date(2012, 7, 2), ""),
            ("solution_formulation", date(2013, 4, 15), ""),
        ],
    ),
    (
        "XK",
        "Istog",
        "ACP cohort I (2012)",
        [
            ("ready_to_join", date(2012, 4, 16), ""),
            ("diagnosis", date(2012, 9, 10), ""),
            ("solution_formulation", date(2013, 5, 20), ""),
        ],
    ),
    (
        "RS",
        "Boljevac",
        "ACP cohort I (2012)",
        [
            ("ready_to_join", date(2012, 4, 18), ""),
            ("diagnosis", date(2012, 10, 1), ""),
        ],
    ),
]

# Thirteen municipalities ready to join, across the seven countries.
ACP_READY_TO_JOIN = [
    ("AL", "Elbasan", date(2015, 3, 16)),
    ("AL", "Shkodër", date(2015, 4, 20)),
    ("AL", "Fier", date(2015, 9, 14)),
    ("BA", "Tuzla", date(2015, 5, 11)),
    ("BA", "Novo Sarajevo", date(2015, 10, 5)),
    ("HR", "Rijeka", date(2015, 6, 1)),
    ("XK", "Prishtina", date(2015, 6, 15)),
    ("MK", "Skopje", date(2015, 11, 2)),
    ("ME", "Bar", date(2015, 7, 6)),
    ("ME", "Pljevlja", date(2016, 1, 18)),
    ("RS", "Pančevo", date(2015, 3, 23)),
    ("RS", "Belgrade", date(2015, 9, 28)),
    ("RS", "Šabac", date(2016, 2, 8)),
]

ILTP_ENROLLMENTS = [
    (
        "AL",
        "Kuçovë",
        "ILTP cohort I (2016)",
        [
            ("ready_to_join", date(2016, 2, 15), ""),
            ("in_training", date(2016, 4, 11), ""),
            ("completed", date(2017, 5, 29), "All its leaders are trained."),
        ],
    ),
    (
        "MK",
        "Vinica",
        "ILTP cohort I (2016)",
        [
            ("ready_to_join", date(2016, 2, 15), ""),
            ("in_training", date(2016, 4, 11), ""),
            ("completed", date(2017, 5, 29), "All its leaders are trained."),
        ],
    ),
    (
        "HR",
        "Rijeka",
        "ILTP cohort I (2016)",
        [
            ("ready_to_join", date(2016, 2, 22), ""),
            ("in_training", date(2016, 4, 11), ""),
        ],
    ),
    (
        "RS",
        "Belgrade",
        "ILTP cohort I (2016)",
        [
            ("ready_to_join", date(2016, 2, 22), ""),
            ("in_training", date(2016, 4, 11), ""),
        ],
    ),
    (
        "HR",
        "Križevci",
        "ILTP cohort I (2016)",
        [
            ("ready_to_join", date(2016, 3, 1), ""),
            ("in_training", date(2016, 4, 11), ""),
        ],
    ),
    (
        "BA",
        "Zenica",
        "ILTP cohort I (2016)",
        [
            ("ready_to_join", date(2016, 3, 1), ""),
            ("in_training", date(2016, 4, 11), ""),
        ],
    ),
    (
        "ME",
        "Tivat",
        "ILTP cohort II (2017)",
        [
            ("ready_to_join", date(2017, 6, 12), ""),
            ("in_training", date(2017, 10, 2), ""),
        ],
    ),
    (
        "XK",
        "Gjakova",
        "ILTP cohort II (2017)",
        [
            ("ready_to_join", date(2017, 6, 12), ""),
            ("in_training", date(2017, 10, 2), ""),
        ],
    ),
    (
        "AL",
        "Shkodër",
        "ILTP cohort II (2017)",
        [("ready_to_join", date(2017, 7, 3), "")],
    ),
    (
        "RS",
        "Pančevo",
        "ILTP cohort II (2017)",
        [("ready_to_join", date(2017, 7, 3), "")],
    ),
]


def _mfsa_albania() -> list:
    first = [
        ("Fier", True),
        ("Lushnjë", True),
        ("Kuçovë", True),
        ("Berat", False),
        ("Elbasan", False),
    ]
    rows = []
    for name, completed in first:
        steps = [
            ("ready_to_join", date(2016, 3, 7), ""),
            ("self_assessment", date(2016, 5, 9), ""),
            ("action_plan", date(2016, 11, 14), ""),
        ]
        if completed:
            steps.append(("completed", date(2017, 6, 26), ""))
        rows.append(("AL", name, "MFSA Albania cohort I (2016)", steps))
    second = ["Përmet", "Himarë", "Sarandë", "Gjirokastër", "Vlorë"]
    for index, name in enumerate(second):
        steps = [
            ("ready_to_join", date(2017, 1, 16), ""),
            ("self_assessment", date(2017, 3, 13), ""),
        ]
        if index < 3:
            steps.append(("action_plan", date(2017, 10, 9), ""))
        rows.append(("AL", name, "MFSA Albania cohort II (2017)", steps))
    return rows


PRCANJ_WORKSHOP = date(2017, 6, 15)
PRCANJ_NOTE = "Took part in the MFSA workshop in Prčanj (14–15 June 2017)."
SARAJEVO_WORKSHOP = date(2017, 9, 12)
SARAJEVO_NOTE = "Took part in the MFSA workshop in Sarajevo (12 September 2017)."


def _mfsa_workshops() -> list:
    rows = []
    prcanj = [
        ("RS", "Belgrade"),
        ("RS", "Šabac"),
        ("RS", "Pančevo"),
        ("RS", "Niš"),
        ("RS", "Subotica"),
        ("ME", "Mojkovac"),
        ("ME", "Pljevlja"),
        ("ME", "Tivat"),
        ("ME", "Bijelo Polje"),
        ("ME", "Kotor"),
        ("ME", "Budva"),
        ("ME", "Bar"),
    ]
    for index, (country, name) in enumerate(prcanj):
        steps = [("ready_to_join", PRCANJ_WORKSHOP, PRCANJ_NOTE)]
        if index % 3 == 0:
            steps.append(("self_assessment", date(2017, 10, 16), ""))
        rows.append((country, name, "MFSA workshop, Prčanj (2017)", steps))
    sarajevo = ["Novo Sarajevo", "Odžak", "Orašje", "Žepče", "Tuzla", "Zenica"]
    for index, name in enumerate(sarajevo):
        steps = [("ready_to_join", SARAJEVO_WORKSHOP, SARAJEVO_NOTE)]
        if index % 2 == 0:
            steps.append(("self_assessment", date(2017, 11, 20), ""))
        rows.append(("BA", name, "MFSA workshop, Sarajevo (2017)", steps))
    rows.append(
        (
            "AL",
            "Shkodër",
            None,
            [
                ("ready_to_join", date(2016, 9, 5), ""),
                ("self_assessment", date(2016, 11, 7), ""),
                (
                    "action_plan",
                    date(2017, 5, 15),
                    "Uses the tool to plan its budget and look for financing.",
                ),
            ],
        )
    )
    return rows


MFSA_ENROLLMENTS = _mfsa_albania() + _mfsa_workshops()

# Illustrative scores (0-100, higher = more dysfunction), in the order of
# ASSESSMENT_AREAS: financial management, procurement, urban planning and
# permits, human resources, service delivery, transparency.
ACP_ASSESSMENTS = {
    "Kuçovë": [
        (date(2012, 7, 16), AssessmentKind.BASELINE, (68, 74, 71, 63, 58, 66)),
        (date(2014, 6, 16), AssessmentKind.FOLLOW_UP, (55, 60, 62, 54, 50, 49)),
        (date(2015, 11, 16), AssessmentKind.FOLLOW_UP, (47, 51, 57, 48, 44, 41)),
    ],
    "Vinica": [
        (date(2012, 7, 23), AssessmentKind.BASELINE, (62, 70, 66, 59, 55, 61)),
        (date(2014, 9, 22), AssessmentKind.FOLLOW_UP, (51, 58, 60, 52, 49, 50)),
    ],
    "Križevci": [
        (date(2012, 7, 9), AssessmentKind.BASELINE, (54, 63, 69, 50, 48, 57)),
        (date(2014, 10, 6), AssessmentKind.FOLLOW_UP, (46, 52, 61, 45, 43, 47)),
        (date(2016, 4, 11), AssessmentKind.FOLLOW_UP, (41, 47, 55, 42, 40, 40)),
    ],
    "Zenica": [
        (date(2012, 8, 20), AssessmentKind.BASELINE, (66, 77, 73, 61, 60, 70)),
        (date(2015, 2, 16), AssessmentKind.FOLLOW_UP, (60, 69, 70, 57, 56, 61)),
    ],
    "Gostivar": [
        (date(2012, 9, 3), AssessmentKind.BASELINE, (71, 75, 78, 66, 62, 72)),
    ],
    "Boljevac": [
        (date(2013, 1, 21), AssessmentKind.BASELINE, (59, 64, 61, 57, 53, 60)),
    ],
}
AREA_ORDER = (
    "financial_management",
    "procurement",
    "urban_planning",
    "human_resources",
    "service_delivery",
    "transparency",
)


def _program(session: Session, code: str, facts: dict) -> Program:
    program = get_or_create(
        session,
        Program,
        {"code": code},
        name=facts["name"],
        description=facts["description"],
        started_on=facts["started_on"],
        required_trainings=facts["required_trainings"],
    )
    for position, (stage_code, name, kind, description) in enumerate(
        facts["stages"], start=1
    ):
        get_or_create(
            session,
            Stage,
            {"program_id": program.id, "code": stage_code},
            name=name,
            position=position * 10,
            kind=kind,
            description=description,
        )
    for name, year in facts["cohorts"]:
        get_or_create(
            session, Cohort, {"program_id": program.id, "name": name}, year=year
        )
    session.refresh(program)
    return program


def _municipality(session: Session, country: str, name: str) -> Municipality:
    municipality = session.scalar(
        select(Municipality)
        .join(Municipality.country)
        .where(Country.code == country, Municipality.name == name)
    )
    if municipality is None:
        raise LookupError(f"Seed the places first: {name} ({country}) is missing.")
    return municipality


def _enroll(
    session: Session,
    program: Program,
    country: str,
    name: str,
    cohort_name: str | None,
    steps: list[tuple[str, date, str]],
    coordinator: User | None,
) -> Enrollment:
    """The enrollment with its dated history, unless it exists already."""
    municipality = _municipality(session, country, name)
    existing = session.scalar(
        select(Enrollment).where(
            Enrollment.municipality_id == municipality.id,
            Enrollment.program_id == program.id,
        )
    )
    if existing is not None:
        return existing
    cohort = next((c for c in program.cohorts if c.name == cohort_name), None)
    (first_code, first_on, _), *later = steps
    enrollment = Enrollment.start(
        municipality,
        program,
        program.stage_by_code(first_code),
        first_on,
        coordinator,
        cohort=cohort,
        applied_on=first_on,
    )
    if steps[0][2]:
        enrollment.stage_changes[0].note = steps[0][2]
    session.add(enrollment)
    session.flush()
    for stage_code, on, note in later:
        enrollment.move_to(program.stage_by_code(stage_code), on, coordinator, note)
    # A change of 2013 was recorded in 2013: the morning after its date.
    for change in enrollment.stage_changes:
        change.recorded_at = recorded_after(change.effective_on)
    session.flush()
    return enrollment


def recorded_after(day: date) -> datetime:
    """When a demo change dated ``day`` was written down: 09:00 UTC next day,
    never later than now (a change of today is recorded as it happens)."""
    moment = datetime.combine(day + timedelta(days=1), time(9), tzinfo=UTC)
    return min(moment, utcnow())


def seed(session: Session) -> None:
    """Create the demo programs, enrollments and assessments that do not exist yet."""
    coordinator = session.scalar(
        select(User).where(User.email == "coordinator@example.org")
    )
    programs = {
        code: _program(session, code, facts) for code, facts in PROGRAMS.items()
    }

    acp = programs["ACP"]
    acp_enrollments = {}
    for country, name, cohort, steps in ACP_ENROLLMENTS:
        acp_enrollments[name] = _enroll(
            session, acp, country, name, cohort, steps, coordinator
        )
    for country, name, applied_on in ACP_READY_TO_JOIN:
        _enroll(
            session,
            acp,
            country,
            name,
            "ACP cohort II (2015)",
            [("ready_to_join", applied_on, "")],
            coordinator,
        )
    for country, name, cohort, steps in ILTP_ENROLLMENTS:
        _enroll(session, programs["ILTP"], country, name, cohort, steps, coordinator)
    for country, name, cohort, steps in MFSA_ENROLLMENTS:
        _enroll(session, programs["MFSA"], country, name, cohort, steps, coordinator)

    for name, assessments in ACP_ASSESSMENTS.items():
        enrollment = acp_enrollments[name]
        for assessed_on, kind, scores in assessments:
            get_or_create(
                session,
                Assessment,
                {
                    "enrollment_id": enrollment.id,
                    "assessed_on": assessed_on,
                    "kind": kind,
                },
                **dict(zip(AREA_ORDER, scores, strict=True)),
            )
    session.flush()
