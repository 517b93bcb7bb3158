"""Autograde a hand-in with nbgrader and produce its feedback."""

from pathlib import Path

from leerpad.grading.nbgrader_run import run_nbgrader


def grade_one(cohort_dir, module: str, learner: str) -> tuple[float, float]:
    """Autograde one learner's hand-in and generate feedback; return (score, max score)."""
    cohort_dir = Path(cohort_dir)
    run_nbgrader(cohort_dir, "autograde", module, "--student", learner, "--create", "--force")
    run_nbgrader(cohort_dir, "generate_feedback", module, "--student", learner, "--force")
    from leerpad.grading.cohort import Cohort
    from nbgrader.api import Gradebook

    cohort = Cohort(cohort_dir.name, cohort_dir.parent)
    with Gradebook(cohort.settings["db_url"], course_id=cohort.name) as gb:
        submission = gb.find_submission(module, learner)
        return submission.score, submission.max_score
