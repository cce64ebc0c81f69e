"""Access rules of programs, cohorts, stages, enrollments, assessments, ILTP
certificates, and their API endpoints.

The world gets an ACP program (with a cohort) in which Rijeka (past the
first stage, with a baseline assessment) and Belgrade (ready to join) are
enrolled, and an ILTP program in which Rijeka's person is a trained leader.
Other domains may reuse ``acp_id`` and ``iltp_id``.
"""

from datetime import date

from tests.access.matrix import (
    DENIED,
    HIDDEN,
    LOGIN,
    OK,
    Row,
    admins_only,
    editors_only,
    public_page,
    rijeka_private,
    row,
    signed_in,
    staff_only,
)
from tests.access.world import World
from tests.fixtures.programs import (
    ILTP_STAGES,
    build_assessment,
    build_enrollment,
    build_program,
    build_training,
)
from tracker.extensions import db
from tracker.models import Attendance, Cohort


def build(world: World) -> None:
    """ACP and ILTP with enrollments of Rijeka and Belgrade."""
    acp = build_program("ACP")
    cohort = Cohort(program=acp, name="ACP cohort I (2012)", year=2012)
    db.session.add(cohort)
    db.session.flush()
    rijeka = build_enrollment(
        world["rijeka"],
        acp,
        [("ready_to_join", date(2012, 3, 20)), ("diagnosis", date(2012, 5, 7))],
        cohort,
    )
    belgrade = build_enrollment(
        world["belgrade"], acp, [("ready_to_join", date(2015, 9, 28))]
    )
    assessment_rijeka = build_assessment(rijeka, date(2012, 7, 9))
    assessment_belgrade = build_assessment(belgrade, date(2015, 11, 2))
    iltp = build_program("ILTP", ILTP_STAGES, required_trainings=2)
    build_enrollment(world["rijeka"], iltp, [("ready_to_join", date(2016, 2, 22))])
    for day in (date(2016, 4, 11), date(2016, 9, 12)):
        build_training(
            iltp, [(world["person_rijeka"], world["rijeka"], Attendance.ATTENDED)], day
        )
    world.update(
        acp_id=acp.id,
        acp_code=acp.code,
        iltp_id=iltp.id,
        iltp_code=iltp.code,
        stage_diagnosis=acp.stage_by_code("diagnosis").id,
        cohort_acp=cohort.id,
        enrollment_rijeka=rijeka.id,
        enrollment_belgrade=belgrade.id,
        assessment_rijeka=assessment_rijeka.id,
        assessment_belgrade=assessment_belgrade.id,
    )


def belgrade_private(method: str, url: str, **kw) -> Row:
    """Belgrade's record: its contact gets in, Rijeka's contact gets a 404."""
    return row(
        method,
        url,
        anonymous=LOGIN,
        contact_rijeka=HIDDEN,
        contact_belgrade=OK,
        coordinator=OK,
        manager=OK,
        admin=OK,
        **kw,
    )


ENROLLMENT = "/enrollments/{enrollment_rijeka}"
ASSESSMENT = ENROLLMENT + "/assessments/{assessment_rijeka}"

ROWS: list[Row] = [
    # Programs
    public_page("GET", "/programs/"),
    public_page("GET", "/programs/{acp_code}"),
    public_page("GET", "/programs/{acp_id}"),
    admins_only("GET", "/programs/{acp_code}/edit"),
    admins_only("POST", "/programs/{acp_code}/edit"),
    admins_only("GET", "/programs/{acp_code}/stages/new"),
    admins_only("POST", "/programs/{acp_code}/stages/new"),
    admins_only("GET", "/programs/stages/{stage_diagnosis}/edit"),
    admins_only("POST", "/programs/stages/{stage_diagnosis}/edit"),
    admins_only("POST", "/programs/stages/{stage_diagnosis}/delete"),
    editors_only("GET", "/programs/{acp_code}/cohorts/new"),
    editors_only("POST", "/programs/{acp_code}/cohorts/new"),
    editors_only("GET", "/programs/cohorts/{cohort_acp}/edit"),
    editors_only("POST", "/programs/cohorts/{cohort_acp}/edit"),
    editors_only("POST", "/programs/cohorts/{cohort_acp}/delete"),
    staff_only("GET", "/programs/{iltp_code}/leaders/{person_rijeka}/certificate"),
    # Enrollments
    signed_in("GET", "/enrollments/"),
    rijeka_private("GET", ENROLLMENT),
    belgrade_private("GET", "/enrollments/{enrollment_belgrade}"),
    editors_only("GET", "/enrollments/new"),
    editors_only("POST", "/enrollments/new"),
    editors_only("GET", ENROLLMENT + "/edit"),
    editors_only("POST", ENROLLMENT + "/edit"),
    editors_only("POST", ENROLLMENT + "/delete"),
    editors_only("POST", ENROLLMENT + "/stage"),
    editors_only("POST", ENROLLMENT + "/stage/undo"),
    editors_only("POST", "/enrollments/bulk-move"),
    editors_only("GET", ENROLLMENT + "/assessments/new"),
    editors_only("POST", ENROLLMENT + "/assessments/new"),
    editors_only("GET", ASSESSMENT + "/edit"),
    editors_only("POST", ASSESSMENT + "/edit"),
    editors_only("POST", ASSESSMENT + "/delete"),
    # A stage change a contact sends with valid data is still refused.
    row(
        "POST",
        ENROLLMENT + "/stage",
        anonymous=LOGIN,
        contact_rijeka=DENIED,
        contact_belgrade=DENIED,
        coordinator=OK,
        manager=DENIED,
        admin=OK,
        data={"stage_id": "1", "effective_on": "2013-01-01", "version_id": "1"},
    ),
    # API
    signed_in("GET", "/api/v1/programs"),
    signed_in("GET", "/api/v1/programs/{acp_code}"),
    signed_in("GET", "/api/v1/programs/{iltp_code}"),
    signed_in("GET", "/api/v1/enrollments"),
    rijeka_private("GET", "/api/v1/enrollments/{enrollment_rijeka}"),
    belgrade_private("GET", "/api/v1/enrollments/{enrollment_belgrade}"),
]
