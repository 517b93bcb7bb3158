"""``leerpad grade COHORT [MODULE]``: autograde every hand-in that has not been graded since
it came in, on every core, with a progress bar. Interrupted? Run it again: what has a
stored grade is skipped, the rest is graded (see ``leerpad.grading.engine``)."""

import sys
import time

from leerpad.grading.cohort import Cohort
from leerpad.grading.engine import grade, report
from leerpad.grading.handin import prepare_grading

from leerpad.sandbox import sandbox_refusal


def grade_cohort(
    name: str,
    module: str | None = None,
    jobs: int | None = None,
    db_url: str | None = None,
    feedback: bool = True,
    out=None,
) -> int:
    out = sys.stdout if out is None else out
    cohort = Cohort(name)
    if not cohort.exists():
        print(
            f"Cohort '{name}' bestaat niet. Maak het met: leerpad cohort create {name}",
            file=sys.stderr,
        )
        return 2
    if module and not (cohort.release_dir / module).is_dir():
        print(
            f"Module '{module}' is niet vrijgegeven in cohort '{name}'. "
            f"Geef ze vrij met: leerpad release {module} --cohort {name}",
            file=sys.stderr,
        )
        return 2
    if refusal := sandbox_refusal():  # say it once, not once per hand-in
        print(refusal, file=sys.stderr)
        return 2
    prepare_grading(cohort)  # deadlines to the gradebook, JupyterLab hand-ins collected
    started = time.perf_counter()
    summary = grade(cohort.dir, module, jobs=jobs, db_url=db_url, feedback=feedback)
    report(summary, time.perf_counter() - started, out)
    waiting = print_results(cohort.dir, summary, db_url, module, out)
    print_earlier_failures(cohort.dir, summary, module, out)
    print(found_line(summary, len(waiting)), file=out)
    if waiting:
        from leerpad.platform import addresses
        from leerpad.servers.lab import TRAINER_PAGES

        print(
            "Beoordeel de open vragen in de trainerwerkplek: "
            f"{addresses().trainer}{TRAINER_PAGES['grading']}",
            file=out,
        )
    return 0 if summary.ok else 1


def print_earlier_failures(cohort_dir, summary, module, out) -> None:
    """Hand-ins whose grading failed before and that this run did not grade again (gone
    since): the trainer keeps seeing them until a new hand-in is graded."""
    from leerpad.grading.record import grading_failures

    now = {(learner, mod) for learner, mod, _ in summary.failed}
    for (learner, mod), entry in sorted(grading_failures(cohort_dir).items()):
        if (learner, mod) not in now and (not module or mod == module):
            print(f"{learner} {mod}: MISLUKT (eerder): {entry['message']}", file=out)


def found_line(summary, waiting: int) -> str:
    """What the trainer needs to know first: what arrived, what was graded when, what waits.
    The app grades a hand-in the moment it comes in, so most are graded before this run."""
    parts = [
        f"{summary.handed_in} ingeleverd",
        f"{summary.graded_before} al verbeterd bij het inleveren of eerder",
        f"{len(summary.graded)} nu verbeterd",
    ]
    if summary.failed:
        parts.append(f"{len(summary.failed)} mislukt")
    parts.append(f"{waiting} wacht{'' if waiting == 1 else 'en'} op een trainer (open vragen)")
    return "Samengevat: " + ", ".join(parts) + "."


def print_results(cohort_dir, summary, db_url, module, out) -> list[tuple[str, str]]:
    """Per hand-in graded now: the score, and what the sandbox stopped or the grading
    noticed. Returns every hand-in that waits for a trainer, (learner, module)."""
    from leerpad.grading.worker import load_config
    from nbgrader.api import Gradebook

    config = load_config(cohort_dir, db_url)
    with Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.course_id) as gb:
        for learner, mod, _fast in summary.graded:
            submission = gb.find_submission(mod, learner)
            flag = " (wacht op een trainer)" if submission.needs_manual_grade else ""
            print(f"{learner} {mod}: {submission.score:g}/{submission.max_score:g}{flag}", file=out)
            for note in summary.notes.get((learner, mod), []):
                print(f"    let op: {note}", file=out)
        waiting = [
            (submission.student.id, assignment.name)
            for assignment in gb.assignments
            if not module or assignment.name == module
            for submission in assignment.submissions
            if submission.needs_manual_grade
        ]
    for learner, mod, message in summary.failed:
        print(f"{learner} {mod}: MISLUKT: {message}", file=out)
    return waiting
