"""Grade one hand-in from the app and give its score: by the cohort's grading service when
``leerpad start`` runs one, else with the grading engine in a process of its own."""

import subprocess
import sys
from pathlib import Path

from leerpad.grading.nbgrader_run import NbgraderError, grading_environment
from leerpad.grading.service import ServiceGone, grade_by_service

from leerpad.settings import settings


def grade_one(cohort_dir, module: str, learner: str, on_wait=None) -> tuple[float, float]:
    """Grade one learner's hand-in (the app calls this from inside its kernel); return
    (score, max score). By the cohort's grading service when ``leerpad start`` runs one
    (``on_wait(n)``: n hand-ins wait before this one; ``on_wait(None)``: it is being
    graded); else with the same engine in a process of its own."""
    path = settings().grading_socket
    if path:
        try:
            return grade_by_service(path, module, learner, on_wait)
        except ServiceGone:
            pass  # the service is not there (stopped, restarting): grade here
    return grade_in_process(cohort_dir, module, learner)


def grade_in_process(cohort_dir, module: str, learner: str) -> tuple[float, float]:
    """Grade one hand-in in a new ``python -m leerpad.grading.engine`` process."""
    cohort_dir = Path(cohort_dir)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "leerpad.grading.engine",
            str(cohort_dir),
            module,
            "--learner",
            learner,
            "--jobs",
            "1",
        ],
        env=grading_environment(cohort_dir),
        capture_output=True,
        text=True,
        timeout=900,
    )
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-8:])
        raise NbgraderError(f"verbeteren van {learner} {module} faalde:\n{tail}")
    from leerpad.grading.worker import load_config
    from nbgrader.api import Gradebook

    config = load_config(cohort_dir)
    with Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.course_id) as gb:
        submission = gb.find_submission(module, learner)
        return submission.score, submission.max_score
