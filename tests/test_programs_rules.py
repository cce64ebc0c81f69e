"""Stage-change and assessment rules on the models, and the bulk move service.

The rules are tested on objects in memory (no database); the bulk move,
which flushes, runs against the test database.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tests.fixtures.programs import ACP_STAGES, SCORES, build_enrollment, build_program
from tracker.enrollments import services
from tracker.extensions import db
from tracker.models import (
    Assessment,
    AssessmentKind,
    Country,
    Enrollment,
    Municipality,
    Program,
    Stage,
    StageChange,
)
from tracker.models.enrollments import describe_days
from tracker.models.programs import InvalidTransition

TODAY = date(2020, 6, 1)


def program_in_memory(code: str = "ACP") -> Program:
    program = Program(code=code, name=code)
    for position, (stage_code, name, kind) in enumerate(ACP_STAGES, start=1):
        program.stages.append(
            Stage(code=stage_code, name=name, kind=kind, position=position * 10)
        )
    return program


def enrolled(*steps: tuple[str, date], program: Program | None = None) -> Enrollment:
    """An in-memory enrollment walked through ``steps`` (with notes, so any move)."""
    program = program or program_in_memory()
    municipality = Municipality(name="Kuçovë", country=Country(code="AL", name="AL"))
    (first, first_on), *later = steps
    enrollment = Enrollment.start(
        municipality, program, program.stage_by_code(first), first_on, None, today=TODAY
    )
    for code, on in later:
        enrollment.move_to(program.stage_by_code(code), on, None, "note", today=TODAY)
    return enrollment


def problem(enrollment: Enrollment, code: str, on: date | None, note: str = ""):
    stage = enrollment.program.stage_by_code(code)
    refusal = enrollment.transition_problem(stage, on, note, today=TODAY)
    return refusal


# -- allowed moves -------------------------------------------------------------


def test_move_records_a_history_row_and_the_current_stage():
    enrollment = enrolled(("ready_to_join", date(2012, 3, 26)))
    diagnosis = enrollment.program.stage_by_code("diagnosis")
    change = enrollment.move_to(diagnosis, date(2012, 5, 14), None, "", today=TODAY)
    assert enrollment.current_stage is diagnosis
    assert enrollment.stage_changes[-1] is change
    assert change.from_stage.code == "ready_to_join"
    assert change.to_stage is diagnosis
    assert change.effective_on == date(2012, 5, 14)
    assert [c.to_stage.code for c in enrollment.stage_changes] == [
        "ready_to_join",
        "diagnosis",
    ]


def test_forward_moves_need_no_note_and_may_skip_a_stage():
    enrollment = enrolled(("ready_to_join", date(2012, 3, 26)))
    assert problem(enrollment, "diagnosis", date(2012, 4, 1)) is None
    assert problem(enrollment, "solution_formulation", date(2012, 4, 1)) is None


def test_a_change_on_the_same_day_as_the_previous_one_is_allowed():
    enrollment = enrolled(("ready_to_join", date(2012, 3, 26)))
    assert problem(enrollment, "diagnosis", date(2012, 3, 26)) is None


def test_today_is_allowed():
    enrollment = enrolled(("ready_to_join", date(2012, 3, 26)))
    assert problem(enrollment, "diagnosis", TODAY) is None


def test_completed_is_allowed_from_the_last_working_stage():
    enrollment = enrolled(
        ("ready_to_join", date(2012, 3, 1)),
        ("diagnosis", date(2012, 4, 1)),
        ("solution_formulation", date(2012, 5, 1)),
        ("implementation", date(2013, 2, 26)),
    )
    assert problem(enrollment, "completed", date(2014, 12, 15)) is None


@pytest.mark.parametrize(
    "path",
    [
        [],
        ["diagnosis"],
        ["diagnosis", "solution_formulation", "implementation"],
        ["diagnosis", "solution_formulation", "implementation", "completed"],
    ],
)
def test_withdrawn_is_reachable_from_any_stage_without_a_note(path):
    steps = [("ready_to_join", date(2012, 3, 1))] + [
        (code, date(2012, 4 + i, 1)) for i, code in enumerate(path)
    ]
    enrollment = enrolled(*steps)
    assert problem(enrollment, "withdrawn", date(2019, 1, 1)) is None


def test_moving_back_with_a_note_is_allowed():
    enrollment = enrolled(
        ("ready_to_join", date(2012, 3, 1)), ("solution_formulation", date(2012, 6, 1))
    )
    assert (
        problem(enrollment, "diagnosis", date(2012, 7, 1), "Redo the survey.") is None
    )


# -- refused moves -------------------------------------------------------------


def test_a_future_date_is_refused():
    enrollment = enrolled(("ready_to_join", date(2012, 3, 26)))
    refusal = problem(enrollment, "diagnosis", date(2020, 6, 2))
    assert refusal.field == "effective_on"
    assert "cannot be in the future" in refusal.message


def test_back_dating_before_the_previous_change_is_refused():
    enrollment = enrolled(
        ("ready_to_join", date(2012, 3, 26)), ("diagnosis", date(2012, 5, 14))
    )
    refusal = problem(enrollment, "solution_formulation", date(2012, 5, 13))
    assert refusal.field == "effective_on"
    assert "before the previous stage change (14 May 2012)" in refusal.message
    with pytest.raises(InvalidTransition):
        enrollment.move_to(
            enrollment.program.stage_by_code("solution_formulation"),
            date(2012, 5, 13),
            None,
            today=TODAY,
        )
    assert enrollment.current_stage.code == "diagnosis"
    assert len(enrollment.stage_changes) == 2


@pytest.mark.parametrize(
    "path", [[], ["diagnosis"], ["diagnosis", "solution_formulation"]]
)
def test_completed_is_refused_before_the_last_working_stage(path):
    steps = [("ready_to_join", date(2012, 3, 1))] + [
        (code, date(2012, 4 + i, 1)) for i, code in enumerate(path)
    ]
    enrollment = enrolled(*steps)
    refusal = problem(enrollment, "completed", date(2015, 1, 1), "done")
    assert refusal.field == "stage_id"
    assert "only be completed from “Implementation”" in refusal.message


def test_completed_is_refused_from_withdrawn():
    enrollment = enrolled(
        ("ready_to_join", date(2012, 3, 1)),
        ("diagnosis", date(2012, 4, 1)),
        ("solution_formulation", date(2012, 5, 1)),
        ("implementation", date(2012, 6, 1)),
        ("withdrawn", date(2012, 7, 1)),
    )
    assert problem(enrollment, "completed", date(2013, 1, 1), "x") is not None


@pytest.mark.parametrize(
    "start, target",
    [
        ("solution_formulation", "diagnosis"),
        ("implementation", "ready_to_join"),
        ("withdrawn", "diagnosis"),
    ],
)
def test_moving_back_without_a_note_is_refused(start, target):
    enrollment = enrolled(
        ("ready_to_join", date(2012, 3, 1)), (start, date(2012, 6, 1))
    )
    refusal = problem(enrollment, target, date(2012, 7, 1), "   ")
    assert refusal.field == "note"
    assert "needs a note" in refusal.message


def test_moving_back_from_completed_needs_a_note():
    enrollment = enrolled(
        ("ready_to_join", date(2012, 3, 1)),
        ("implementation", date(2012, 5, 1)),
        ("completed", date(2013, 1, 1)),
    )
    assert problem(enrollment, "implementation", date(2013, 2, 1)).field == "note"
    assert problem(enrollment, "implementation", date(2013, 2, 1), "Reopened.") is None


def test_moving_to_the_current_stage_is_refused():
    enrollment = enrolled(("ready_to_join", date(2012, 3, 1)))
    refusal = problem(enrollment, "ready_to_join", date(2012, 4, 1))
    assert "already at “Ready to join”" in refusal.message


def test_a_stage_of_another_program_is_refused():
    enrollment = enrolled(("ready_to_join", date(2012, 3, 1)))
    other = program_in_memory("MFSA").stage_by_code("diagnosis")
    refusal = enrollment.transition_problem(other, date(2012, 4, 1), today=TODAY)
    assert refusal.field == "stage_id"
    assert "another program" in refusal.message


def test_a_missing_stage_or_date_is_refused():
    enrollment = enrolled(("ready_to_join", date(2012, 3, 1)))
    assert enrollment.transition_problem(None, TODAY, today=TODAY).field == "stage_id"
    assert problem(enrollment, "diagnosis", None).field == "effective_on"


def test_start_refuses_a_foreign_stage_or_cohort_and_a_future_date():
    from tracker.models import Cohort

    acp, mfsa = program_in_memory("ACP"), program_in_memory("MFSA")
    town = Municipality(name="Fier")
    with pytest.raises(InvalidTransition) as refused:
        Enrollment.start(town, acp, mfsa.stages[0], date(2016, 1, 1), None)
    assert refused.value.field == "stage_id"
    with pytest.raises(InvalidTransition) as refused:
        Enrollment.start(
            town,
            acp,
            acp.stages[0],
            date(2016, 1, 1),
            None,
            cohort=Cohort(program=mfsa, name="MFSA I", year=2016),
        )
    assert refused.value.field == "cohort_id"
    with pytest.raises(InvalidTransition) as refused:
        Enrollment.start(town, acp, acp.stages[0], date(2020, 6, 2), None, today=TODAY)
    assert refused.value.field == "effective_on"


def test_undo_takes_back_the_newest_change_but_never_the_first():
    enrollment = enrolled(
        ("ready_to_join", date(2012, 3, 1)), ("diagnosis", date(2012, 4, 1))
    )
    taken_back = enrollment.undo_last_change()
    assert taken_back.to_stage.code == "diagnosis"
    assert enrollment.current_stage.code == "ready_to_join"
    with pytest.raises(InvalidTransition):
        enrollment.undo_last_change()


# -- timeline ----------------------------------------------------------------


def test_timeline_gives_the_time_spent_in_each_stage():
    enrollment = enrolled(
        ("ready_to_join", date(2012, 3, 26)),
        ("diagnosis", date(2012, 5, 14)),
        ("solution_formulation", date(2012, 10, 15)),
    )
    entries = enrollment.timeline(today=date(2013, 10, 15))
    assert [e.days for e in entries] == [49, 154, 365]
    assert [e.is_current for e in entries] == [False, False, True]
    assert entries[0].ends_on == date(2012, 5, 14)
    assert entries[0].duration == "49 days"
    assert entries[2].duration == "12 months"


def test_a_final_stage_has_no_running_time():
    enrollment = enrolled(
        ("ready_to_join", date(2012, 3, 1)), ("withdrawn", date(2012, 4, 1))
    )
    last = enrollment.timeline(today=TODAY)[-1]
    assert last.days is None and last.duration == ""


@pytest.mark.parametrize(
    "days, words",
    [
        (0, "less than a day"),
        (1, "1 day"),
        (59, "59 days"),
        (61, "2 months"),
        (700, "23 months"),
        (731, "2 years"),
        (1_000, "2 years 9 months"),
        (1_140, "3 years 1 month"),
    ],
)
def test_durations_read_naturally(days, words):
    assert describe_days(days) == words


# -- assessments ---------------------------------------------------------------


def assessed(enrollment, on, kind, scores=SCORES):
    assessment = Assessment(
        assessed_on=on,
        kind=kind,
        **dict(
            zip(
                (
                    "financial_management",
                    "procurement",
                    "urban_planning",
                    "human_resources",
                    "service_delivery",
                    "transparency",
                ),
                scores,
                strict=True,
            )
        ),
    )
    enrollment.assessments.append(assessment)
    return assessment


def test_assessment_rules():
    enrollment = enrolled(("ready_to_join", date(2012, 3, 1)))
    follow_up = AssessmentKind.FOLLOW_UP
    baseline = AssessmentKind.BASELINE

    def rule(kind, on, **kw):
        refusal = enrollment.assessment_problem(kind, on, today=TODAY, **kw)
        return refusal and refusal.field

    assert rule(follow_up, date(2012, 7, 1)) == "kind"  # no baseline yet
    assert rule(baseline, date(2020, 6, 2)) == "assessed_on"  # future
    assert rule(baseline, None) == "assessed_on"
    assert rule(baseline, date(2012, 7, 1)) is None
    first = assessed(enrollment, date(2012, 7, 1), baseline)
    assert rule(baseline, date(2013, 1, 1)) == "kind"  # a second baseline
    assert rule(baseline, date(2012, 8, 1), assessment=first) is None  # editing it
    assert rule(follow_up, date(2012, 6, 30)) == "assessed_on"  # before baseline
    assert rule(follow_up, date(2012, 7, 1)) is None
    assessed(enrollment, date(2014, 1, 1), follow_up)
    # the baseline cannot be moved after a follow-up
    assert rule(baseline, date(2014, 2, 1), assessment=first) == "assessed_on"


def test_comparison_pairs_the_baseline_with_the_latest_follow_up():
    enrollment = enrolled(("ready_to_join", date(2012, 3, 1)))
    assert enrollment.comparison() == []
    assessed(
        enrollment, date(2012, 7, 1), AssessmentKind.BASELINE, (68, 74, 71, 63, 58, 66)
    )
    assert enrollment.comparison() == []
    assessed(
        enrollment, date(2014, 1, 1), AssessmentKind.FOLLOW_UP, (60, 60, 60, 60, 60, 60)
    )
    assessed(
        enrollment, date(2015, 1, 1), AssessmentKind.FOLLOW_UP, (47, 51, 57, 48, 44, 41)
    )
    rows = enrollment.comparison()
    assert [row.change for row in rows] == [-21, -23, -14, -15, -14, -25]
    assert rows[0].label == "Financial management"
    assert enrollment.latest_follow_up.assessed_on == date(2015, 1, 1)


# -- bulk move (against the database) ----------------------------------------


@pytest.fixture
def three_enrollments(app, make_municipality):
    """ACP with three enrollments: two at diagnosis, one at ready to join."""
    towns = [make_municipality(name) for name in ("Tivat", "Istog", "Boljevac")]
    with app.app_context():
        program = build_program("ACP")
        ids = [
            build_enrollment(
                towns[0],
                program,
                [("ready_to_join", date(2012, 4, 1)), ("diagnosis", date(2012, 7, 1))],
            ).id,
            build_enrollment(
                towns[1],
                program,
                [("ready_to_join", date(2012, 4, 1)), ("diagnosis", date(2012, 9, 1))],
            ).id,
            build_enrollment(
                towns[2], program, [("ready_to_join", date(2012, 4, 1))]
            ).id,
        ]
        db.session.commit()
        return program.id, ids


def _load(ids):
    return list(db.session.scalars(select(Enrollment).where(Enrollment.id.in_(ids))))


def _changes() -> int:
    return db.session.scalar(select(func.count(StageChange.id)))


def test_bulk_preview_names_the_rows_that_break_a_rule(app, three_enrollments):
    program_id, ids = three_enrollments
    with app.app_context():
        program = db.session.get(Program, program_id)
        before = _changes()
        rows = services.preview_bulk_move(
            _load(ids),
            program.stage_by_code("solution_formulation"),
            date(2012, 8, 1),
        )
        verdicts = {row.enrollment.municipality.name: row.problem for row in rows}
        assert verdicts["Tivat"] is None
        assert verdicts["Boljevac"] is None  # skipping forward is fine
        assert "before the previous stage change" in verdicts["Istog"]
        assert _changes() == before


def test_bulk_move_with_one_bad_row_moves_nothing(app, three_enrollments):
    program_id, ids = three_enrollments
    with app.app_context():
        program = db.session.get(Program, program_id)
        before = _changes()
        with pytest.raises(services.BulkMoveRefused) as refused:
            services.bulk_move(
                _load(ids),
                program.stage_by_code("completed"),  # none is at implementation
                date(2013, 1, 1),
                None,
            )
        assert len(refused.value.refused) == 3
        with pytest.raises(services.BulkMoveRefused) as refused:
            services.bulk_move(
                _load(ids),
                program.stage_by_code("solution_formulation"),
                date(2012, 8, 1),  # before Istog's last change only
                None,
            )
        assert [row.enrollment.municipality.name for row in refused.value.refused] == [
            "Istog"
        ]
        assert "Nothing was moved: 1 of 3" in str(refused.value)
        db.session.rollback()
        assert _changes() == before
        stages = {e.municipality.name: e.current_stage.code for e in _load(ids)}
        assert stages == {
            "Tivat": "diagnosis",
            "Istog": "diagnosis",
            "Boljevac": "ready_to_join",
        }


def test_bulk_move_moves_all_and_leaves_the_commit_to_the_caller(
    app, three_enrollments
):
    program_id, ids = three_enrollments
    with app.app_context():
        program = db.session.get(Program, program_id)
        target = program.stage_by_code("solution_formulation")
        before = _changes()
        changes = services.bulk_move(
            _load(ids), target, date(2012, 10, 1), None, "Strategy drafting began."
        )
        assert len(changes) == 3
        assert all(change.id is not None for change in changes)  # flushed
        assert _changes() == before + 3
        db.session.rollback()  # nothing was committed, so this undoes it all
        assert _changes() == before
        assert {e.current_stage.code for e in _load(ids)} != {"solution_formulation"}


def test_bulk_move_refuses_rows_changed_since_the_preview(app, three_enrollments):
    program_id, ids = three_enrollments
    with app.app_context():
        program = db.session.get(Program, program_id)
        enrollments = _load(ids)
        versions = {e.id: e.version_id for e in enrollments}
        versions[ids[0]] -= 1
        with pytest.raises(services.BulkMoveRefused) as refused:
            services.bulk_move(
                enrollments,
                program.stage_by_code("withdrawn"),
                date(2013, 1, 1),
                None,
                expected_versions=versions,
            )
        assert refused.value.refused[0].problem == services.STALE_ROW
        with pytest.raises(services.BulkMoveRefused):
            services.bulk_move([], program.stages[0], date(2013, 1, 1), None)


def test_enroll_refuses_a_second_enrollment_in_the_same_program(app, make_municipality):
    town = make_municipality("Vinica", country="MK")
    with app.app_context():
        program = build_program("ACP")
        municipality = db.session.get(Municipality, town)
        services.enroll(
            municipality, program, program.stages[0], date(2012, 3, 1), None
        )
        with pytest.raises(services.DuplicateEnrollment) as refused:
            services.enroll(
                municipality, program, program.stages[0], date(2012, 3, 1), None
            )
        assert refused.value.field == "municipality_id"
        assert "already enrolled in ACP" in refused.value.message
